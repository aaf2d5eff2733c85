#!/usr/bin/env python3
"""`--json`: list, info, stack, loop, conns, mem and warnings each print one JSON document.

corosh runs a session (tree_preorder stepped twice, the overflow demo
faulted, an echo listener with one client connected from here and kept
open), once with `corosh --json` and once with `--json` after single
commands. Each document is parsed with Python's json module and every field
is checked: its type, its value where the session fixes it (ids, names,
states, switch counts, sizes, bytes echoed), and that no field is there that
docs/json.md does not describe.

usage: test_json.py COROSH ARCH [EMULATOR ARGS...]
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402
from transcript import sections  # noqa: E402

TIMEOUT = 60
# CoroutineInfo's fields (docs/json.md): every one optional but id, name, state.
INFO_FIELDS = {"id", "name", "state", "ending", "wait_reason", "site_file", "site_function", "site_line",
               "site_address", "parent", "creator", "switches", "run_ns", "longest_run_ns", "last_ran_ns", "stack_size", "stack_in_use",
               "stack_touched", "stack_deepest", "stack_guarded",
               "stack_base", "fault_signal", "fault_address", "fault_pc", "fault_sp", "fault_fp", "context_address",
               "registers"}
REGISTERS = {"x86_64": ["rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15", "mxcsr", "fpucw"],
             "arm64": ["pc", "sp", "fp", "lr"] + [f"x{n}" for n in range(19, 29)] + [f"d{n}" for n in range(8, 16)]}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}:\n  expected {expected!r}\n  actual   {actual!r}")


def fields(obj, required, optional, what):
    keys = set(obj)
    check(required <= keys, f"{what}: missing {sorted(required - keys)} in {obj}")
    check(keys <= required | optional, f"{what}: unknown fields {sorted(keys - required - optional)}")


def is_uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def run(args, commands, connect_port=None):
    """Runs corosh with --echo; connects a client to `connect_port` once it
    listens and echoes 'hello' through it. Returns {command: [output lines]}."""
    with tempfile.TemporaryDirectory() as scratch:
        proc = subprocess.Popen(EMULATOR + [COROSH, "--echo", *args, "-c", "; ".join(commands)], cwd=scratch,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=dict(os.environ, NO_COLOR="1", HOME=scratch))
        lines, client = [], None
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                lines.append(line)
                if connect_port and client is None and line.startswith("listening on"):
                    client = socket.create_connection(("127.0.0.1", connect_port), timeout=TIMEOUT)
                    client.sendall(b"hello")
                    got = b""
                    while len(got) < 5:
                        got += client.recv(5 - len(got))
                    equal(got, b"hello", "the echo")
                    lines.append(f"# client {client.getsockname()[1]}")
            proc.wait(TIMEOUT)
        finally:
            if client:
                client.close()
            if proc.poll() is None:
                proc.kill()
    return dict(sections(lines)), lines


def document(output, command):
    check(command in output and len(output[command]) >= 1, f"no output for {command}")
    text = [l for l in output[command] if not l.startswith("# client")]
    equal(len(text), 1, f"`{command}` prints one line")
    return json.loads(text[0])


def check_registers(registers, what):
    check(isinstance(registers, list) and registers, f"{what}: registers")
    for r in registers:
        fields(r, {"name", "value"}, set(), f"{what}: a register")
        check(isinstance(r["name"], str) and is_uint(r["value"]), f"{what}: {r}")
    equal([r["name"] for r in registers], REGISTERS[ARCH], f"{what}: register names")


def check_walker(c, what, with_registers):
    """tree_preorder after two steps, as a CoroutineInfo (+ the view's fields)."""
    fields(c, {"id", "name", "state"}, INFO_FIELDS | {"yours", "origin"}, what)
    equal((c["id"], c["name"], c["state"]), (1, "tree_preorder", "suspended"), what)
    check("ending" not in c and "wait_reason" not in c, f"{what}: no ending, no wait")
    equal((c["site_file"].rsplit("/", 1)[-1], c["switches"], c["stack_size"], c["stack_guarded"]),
          ("tree_preorder.cpp", 2, 256 * 1024, True), f"{what}: site, switches, stack")
    # The spawnable's body is a lambda: GCC names it "lambda", clang
    # "(anonymous class)::operator()".
    check(isinstance(c["site_line"], int) and c["site_line"] > 0
          and any(w in c["site_function"] for w in ("lambda", "(anonymous class)")), f"{what}: {c['site_function']}")
    for key in ("site_address", "stack_base", "context_address", "stack_in_use"):
        check(is_uint(c[key]) and c[key] > 0, f"{what}: {key} = {c.get(key)}")
    check(c["stack_in_use"] < c["stack_size"], f"{what}: stack use")
    # Its low-water mark: the deepest stack pointer seen at a yield (taken
    # before the switch saves its registers, so a little above stack_in_use).
    check(is_uint(c["stack_deepest"]) and 0 < c["stack_deepest"] < c["stack_size"],
          f"{what}: stack_deepest = {c.get('stack_deepest')}")
    # The pages touched are counted for one coroutine (info, stack); a listing
    # of them all leaves that out.
    if with_registers or "stack_touched" in c:
        check(is_uint(c["stack_touched"]) and c["stack_touched"] >= c["stack_in_use"], f"{what}: pages touched")
    check(not any(k.startswith("fault_") for k in c), f"{what}: no fault fields")
    if with_registers:
        check_registers(c["registers"], what)
    else:
        check("registers" not in c, f"{what}: list leaves registers out")


def check_session(output, port, client_port):
    listing = document(output, "list")
    fields(listing, {"coroutines", "selected"}, set(), "list")
    coroutines = listing["coroutines"]
    equal([c["name"] for c in coroutines][:2], ["tree_preorder", "overflow"], "list: the spawned coroutines, oldest first")
    equal(listing["selected"], 2, "list: the selected id")
    check_walker(coroutines[0], "list: tree_preorder", False)
    equal((coroutines[0]["yours"], coroutines[0]["origin"]), (True, "tree_preorder"), "list: yours, origin")
    faulted = coroutines[1]
    fields(faulted, {"id", "name", "state"}, INFO_FIELDS | {"yours", "origin"}, "list: overflow")
    equal((faulted["id"], faulted["state"], faulted["ending"], faulted["fault_signal"], faulted["stack_size"]),
          (2, "dead", "faulted", 11, 64 * 1024), "list: overflow faulted")
    check(all(is_uint(faulted[k]) and faulted[k] > 0 for k in ("fault_address", "fault_pc", "fault_sp", "fault_fp")),
          "list: the fault's registers")
    check(faulted["fault_address"] < faulted["stack_base"], "list: the fault lies below the stack (the guard page)")
    loop_owned = [c for c in coroutines if not c["yours"]]
    check(loop_owned and all(c["origin"] == "by the loop" for c in loop_owned), "list: the listener's coroutines")

    info = document(output, "info 1")
    fields(info, {"coroutine", "selected"}, set(), "info")
    equal(info["selected"], False, "info: coroutine 1 is not the selected one")
    check_walker(info["coroutine"], "info", True)
    equal((info["coroutine"]["yours"], info["coroutine"]["origin"]), (True, "tree_preorder"), "info: view")

    stack = document(output, "stack 1")
    fields(stack, {"coroutine", "at_fault", "frames"}, set(), "stack")
    equal(stack["at_fault"], False, "stack: a parked stack")
    check_walker(stack["coroutine"], "stack: its coroutine", True)
    check("yours" not in stack["coroutine"], "stack: a CoroutineInfo")
    frames = stack["frames"]
    for f in frames:
        fields(f, {"frame", "symbol"}, set(), "a frame")
        fields(f["frame"], {"pc", "fp", "return_address"}, set(), "frame")
        check(is_uint(f["frame"]["pc"]) and is_uint(f["frame"]["fp"]) and isinstance(f["frame"]["return_address"], bool),
              f"frame: {f['frame']}")
        fields(f["symbol"], {"function"}, {"file", "line", "module", "inlined"}, "symbol")
    # A parked coroutine's frame 0 is where corosh_switch returns to: a return address too.
    check(all(f["frame"]["return_address"] for f in frames), "every frame's pc is a return address")
    walks = [f for f in frames if "preorder(" in f["symbol"]["function"]]
    equal(len(walks), 2, "two preorder frames after two steps")
    check(all(f["symbol"]["file"] == "tree_preorder.cpp" and f["symbol"]["line"] > 0 and
              f["symbol"]["module"] == "corosh" for f in walks), f"named with file and line: {walks}")
    check(any(f["symbol"].get("inlined") for f in frames), "inlined calls are listed where they are")

    faulted_stack = document(output, "stack 2")
    equal(faulted_stack["at_fault"], True, "stack of the faulted coroutine: the frames at the fault")
    check(len(faulted_stack["frames"]) > 10, "the overflow's frames")

    loop_document = document(output, "loop")
    fields(loop_document, {"loop", "fds", "timers"}, set(), "loop document")
    loop = loop_document["loop"]
    fields(loop, {"backend", "registered_fds", "timers", "waiting", "spawned", "iterations", "polls"}, set(), "loop")
    check(loop["backend"] in ("epoll", "kqueue"), f"loop: backend {loop['backend']}")
    check(all(is_uint(loop[k]) for k in loop if k != "backend"), f"loop: counters {loop}")
    check(loop["registered_fds"] >= 2 and loop["waiting"] >= 2 and loop["spawned"] >= 2 and loop["iterations"] > 0,
          f"loop: the listener and its connection are on it: {loop}")
    fds = loop_document["fds"]
    listening = [f for f in fds if f["kind"] == "listener"]
    equal([(f["local"], f.get("listening"), f.get("accepted"), f.get("dropped", 0)) for f in listening],
          [(f"127.0.0.1:{port}", True, 1, 0)], "loop: the listener's fd")
    served = [f for f in fds if f["kind"] == "connection"]
    equal([f.get("peer") for f in served], [f"127.0.0.1:{client_port}"], "loop: the connection's fd")
    waiters = served[0].get("waiters", [])
    check(len(waiters) == 1 and waiters[0]["interest"] == "readable"
          and waiters[0]["coroutine"] in [x["id"] for x in coroutines], f"loop: who waits on the connection: {waiters}")
    check(isinstance(loop_document["timers"], list), "loop: timers")

    memory = document(output, "mem")["memory"]
    fields(memory, {"stacks", "stacks_mapped", "stacks_guarded", "guard_limit", "control_records",
                    "control_record_bytes", "loop_bytes", "resident_bytes"}, set(), "mem")
    sizes = [c["size"] for c in memory["stacks"]]
    check(sizes == sorted(sizes) and 256 * 1024 in sizes, f"mem: size classes {sizes}")
    check(sum(c["live"] for c in memory["stacks"]) >= 1 and memory["control_records"] >= 1
          and memory["stacks_guarded"] <= memory["guard_limit"], f"mem: {memory}")

    warnings = document(output, "warnings")
    fields(warnings, {"warnings"}, set(), "warnings")
    check(all({"kind", "message", "fd"} <= set(w) for w in warnings["warnings"]), f"warnings: {warnings}")

    conns = document(output, "conns")
    fields(conns, {"listeners"}, set(), "conns")
    equal(len(conns["listeners"]), 1, "one listener")
    listener = conns["listeners"][0]
    fields(listener, {"local", "kind", "accepted", "active", "bytes_in", "bytes_out", "connections", "max_connections"},
           {"idle_timeout_ns", "over_limit", "no_guard", "idle_closed", "refused", "resets", "errors"}, "listener")
    equal(listener["max_connections"], 1024, "listener: the default connection limit")
    check(not {"idle_timeout_ns", "over_limit", "no_guard", "idle_closed"} & set(listener),
          f"listener: no idle timeout by default, nothing refused: {listener}")
    equal(listener["local"], {"host": "127.0.0.1", "port": port}, "listener: where")
    equal((listener["kind"], listener["accepted"], listener["active"], listener["bytes_in"], listener["bytes_out"]),
          ("echo", 1, 1, 5, 5), "listener: figures")
    equal(len(listener["connections"]), 1, "one connection")
    c = listener["connections"][0]
    fields(c, {"id", "peer", "state", "bytes_in", "bytes_out", "buffered", "coroutine"}, set(), "connection")
    equal((c["id"], c["peer"], c["state"], c["bytes_in"], c["bytes_out"], c["buffered"]),
          (1, {"host": "127.0.0.1", "port": client_port}, "reading", 5, 5, 0), "connection: figures")
    check(c["coroutine"] in [x["id"] for x in coroutines], "connection: served by a coroutine in the list")


def main():
    global COROSH, ARCH, EMULATOR
    COROSH, ARCH, EMULATOR = sys.argv[1], sys.argv[2], sys.argv[3:]
    port = free_port()
    session = ["spawn tree_preorder", "step 2", "spawn overflow --stack 64K", "step", f"listen {port}", "wait 2",
               "list", "info 1", "stack 1", "stack 2", "loop", "conns", "mem", "warnings"]
    try:
        output, lines = run(["--json"], session, connect_port=port)
        client = [l for l in lines if l.startswith("# client ")]
        check(client, "the client connected:\n" + "\n".join(lines))
        check(output["step 2"] == ["yielded 8", "yielded 4", "coroutine 1 'tree_preorder': suspended"],
              "commands without a JSON form print text")
        check_session(output, port, int(client[0].split()[2]))
        # The same documents from each command's own --json, text elsewhere.
        port = free_port()
        session = [f"listen {port}" if c.startswith("listen") else c for c in session]
        session = [c + " --json" if c in ("list", "info 1", "stack 1", "stack 2", "loop", "conns", "mem", "warnings")
                   else c
                   for c in session] + ["list"]
        output, lines = run([], session, connect_port=port)
        client = [l for l in lines if l.startswith("# client ")]
        renamed = {k[:-len(" --json")] if k.endswith(" --json") else k: v for k, v in output.items() if k != "list"}
        check_session(renamed, port, int(client[0].split()[2]))
        check(re.match(r"\s+ID\s+NAME", output["list"][0]), "without --json, list prints its table")
    except (AssertionError, KeyError, ValueError, subprocess.TimeoutExpired) as e:
        print(f"FAIL --json: {e!r}" if not isinstance(e, AssertionError) else f"FAIL --json: {e}")
        return 1
    print("ok   --json: list, info, stack, loop, conns, mem and warnings, every field")
    return 0


if __name__ == "__main__":
    sys.exit(main())
