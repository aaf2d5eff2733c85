#!/usr/bin/env python3
"""Runs each teaching demo and checks what it prints.

Every demo is checked twice where that makes sense: as its standalone program
(demos/run_demo.cpp) and spawned inside corosh (`corosh -c '...'`). The checks
are on values — the keys of a walk, the verdicts of same_fringe, the order in
which sleepers wake, the bytes an echo server sends back, the fault address
of an overflow lying in the guard page — not on whole transcripts.

usage: test_demos.py DEMO_DIR COROSH NAME [EMULATOR ARGS...]

DEMO_DIR holds the standalone programs, COROSH is the shell; with an emulator
(qemu-aarch64 when cross-compiling) every program runs under it.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402

DEMO_DIR = COROSH = None
EMULATOR = []


def run(argv, timeout=120):
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, NO_COLOR="1", HOME=scratch)
        proc = subprocess.run(EMULATOR + argv, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def demo(name, *args, status=0):
    """The standalone program's stdout lines; checks the exit status."""
    code, out, err = run([os.path.join(DEMO_DIR, name), *args])
    if status is not None:
        check(code == status, f"{name} {' '.join(args)} exited with {code}, not {status}\n{out}{err}")
    return out.splitlines()


def shell(commands, trace_file=None):
    """corosh -c COMMANDS: the output as one list of lines (stderr merged)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, NO_COLOR="1", HOME=scratch)
        proc = subprocess.run(EMULATOR + [COROSH, "--echo", "-c", commands], cwd=scratch, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        text = proc.stdout.decode("utf-8", "replace")
        traced = None
        if trace_file:
            with open(os.path.join(scratch, trace_file), encoding="utf-8") as f:
                traced = json.load(f)
    check(proc.returncode in (0, 1), f"corosh exited with {proc.returncode}\n{text}")
    lines = text.splitlines()
    return (lines, traced) if trace_file else lines


def section(lines, command):
    """The output of the (first) echoed `> command` in a shell transcript."""
    start = lines.index("> " + command) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("> ")), len(lines))
    return lines[start:end]


def yielded(lines):
    return [l[len("yielded "):] for l in lines if l.startswith("yielded ")]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}:\n  expected {expected!r}\n  actual   {actual!r}")


def list_row(lines, name):
    """The `list` row of the coroutine called `name`: (switches, state)."""
    for l in lines:
        m = re.match(r"[ *][ !]\s*\d+\s+(\S+)\s+(.*?)\s+(\d+)\s+\d+/\S+ \S+", l)
        if m and m.group(1) == name:
            return int(m.group(3)), m.group(2)
    raise AssertionError(f"no coroutine '{name}' in:\n" + "\n".join(lines))


# --- one function per demo ----------------------------------------------------

def test_tree_preorder():
    equal(demo("tree_preorder"), "8 4 2 1 3 6 5 7 12 10 9 11 14 13 15".split(), "preorder of 1..15")
    equal(demo("tree_preorder", "3"), ["2", "1", "3"], "preorder of 1..3")
    lines = shell("spawn tree_preorder; step 4; stack --all")
    equal(yielded(lines), ["8", "4", "2", "1"], "the first four keys")
    frames = [l for l in section(lines, "stack --all") if "preorder(" in l and "tree_preorder.cpp" in l]
    equal(len(frames), 4, "preorder frames after four steps (one per level)")


def test_same_fringe():
    expected = ["A vs B: leaf %d is %d in both" % (n, n) for n in range(1, 6)] + \
               ["A vs B: same fringe (5 leaves)", "A vs C: leaf 1 is 1 in both", "A vs C: leaf 2 is 2 in both",
                "A vs C: different: leaf 3 is 3 in A, 4 in C"]
    equal(demo("same_fringe"), expected, "same_fringe's comparisons")
    lines = shell("spawn same_fringe; step 3; list; stack leaves_A --all; stack leaves_B --all; continue; list")
    equal(yielded(lines), expected[:3], "the first three steps")
    listing = section(lines, "list")
    for walker in ("leaves_A", "leaves_B"):
        equal(list_row(listing, walker), (3, "suspended"), walker + " after three leaves")
    depth_a = sum("leaves(" in l for l in section(lines, "stack leaves_A --all"))
    depth_b = sum("leaves(" in l for l in section(lines, "stack leaves_B --all"))
    equal((depth_a, depth_b), (3, 4), "recursion depth of the walkers at leaf 3 (B leans right)")
    check(any("last yielded A vs C: different" in l for l in section(lines, "continue")), "continue ends on the verdict")
    final = lines[len(lines) - lines[::-1].index("> list"):]
    check(not any("leaves_" in l for l in final), "the walkers are gone once the comparison ends")


def test_crowd():
    equal(demo("crowd", "9"), ["9 workers parked: asleep, reading a pipe, or idle", "dismissed 9 workers"], "crowd 9")
    lines = shell("spawn crowd 2000; step; stacks; step; list")
    groups = section(lines, "stacks")
    equal(groups[0], "2001 coroutines with a stack, 4 distinct stacks, largest group first", "stacks' summary")
    heads = [l for l in groups if not l.startswith("  ")][1:]
    # One group per place a worker parks, largest first, each named by its
    # ids (made in turns: every third), then the crowd's own stack.
    equal(heads, ["667 coroutines: 2\u20132000 every 3", "667 coroutines: 3\u20132001 every 3",
                  "666 coroutines: 4\u20131999 every 3", "coroutine 1 'crowd'"], "the groups")
    for head, where in zip(heads, ["doze() at crowd.cpp", "await_pipe(int) at crowd.cpp", "idle() at crowd.cpp",
                                   "gather(long, corosh::Sink<std::string>&) at crowd.cpp"]):
        body = groups[groups.index(head) + 1:]
        body = body[:next((i for i, l in enumerate(body) if not l.startswith("  ")), len(body))]
        check(any(where in l for l in body), f"{head}: parked in {where}:\n" + "\n".join(body))
        check(body[0].endswith("corosh frames") and body[-1].endswith("corosh frames"),
              f"{head}: the runtime's frames folded at both ends:\n" + "\n".join(body))
    check("yielded dismissed 2000 workers" in lines, "the second step dismisses them")
    equal(len(section(lines, "list")), 3, "only the crowd is left (heading, one row, totals)")


def test_fib():
    a, b, expected = 0, 1, []
    for _ in range(94):  # F0..F93, all that fit in 64 bits
        expected.append(str(a))
        a, b = b, a + b
    check(int(expected[-1]) < 2**64 <= int(expected[-1]) + int(expected[-2]), "F93 is the last that fits")
    equal(demo("fib", "--take", "96"), expected + ["0", "1"], "F0..F93, then from F0 again, never a wrapped number")
    lines = shell("spawn fib; step 10; kill fib")
    equal(yielded(lines), expected[:10], "ten steps of fib")
    check("coroutine 1 'fib': dead (cancelled)" in lines, "kill unwinds the endless generator")


def test_ping_pong():
    expected = []
    for n in (1, 2, 3):
        expected += [f"ping {n}", f"pong {n} (ping is normal)"]
    expected.append("3 rallies: ping was switched to 7 times, pong 3 times")
    equal(demo("ping_pong"), expected, "ping_pong")
    lines, trace = shell("trace on; spawn ping_pong 2; step 2; list; continue; trace off; trace save t.json", "t.json")
    equal(yielded(lines), ["ping 1", "pong 1 (ping is normal)"], "two steps")
    listing = section(lines, "list")
    equal(list_row(listing, "ping_pong"), (2, "suspended"), "ping after two steps")
    equal(list_row(listing, "pong"), (1, "suspended"), "pong after one rally")
    # Every switch into pong (coroutine 2) happens while ping (1) runs: the
    # trace nests pong's slices inside ping's. Pong runs once per rally, and
    # once more when ping destroys it (unwinding it: its slice ends "finish").
    events = [(e["tid"], e["ph"]) for e in trace["traceEvents"] if e.get("cat") == "switch"]
    equal(sum(1 for e in events if e == (2, "B")), 3, "pong resumed twice and unwound once in the trace")
    endings = [e["args"]["by"] for e in trace["traceEvents"] if e.get("tid") == 2 and e.get("ph") == "E"]
    equal(endings, ["yield", "yield", "finish"], "how pong's slices end")
    depth = {}
    for tid, ph in events:
        if tid == 2 and ph == "B":
            check(depth.get(1, 0) == 1, "pong starts only while ping is running")
        depth[tid] = depth.get(tid, 0) + (1 if ph == "B" else -1)


def test_pipeline():
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    expected = [f"got {p} (the producer has made 2..{p})" for p in primes] + ["10 primes up to 30, sum 129"]
    equal(demo("pipeline"), expected, "pipeline 30")
    equal(demo("pipeline", "10")[-1], "4 primes up to 10, sum 17", "pipeline 10")
    lines = shell("spawn pipeline; step 4; list; stack producer")
    equal(yielded(lines), expected[:4], "four steps")
    listing = section(lines, "list")
    equal(list_row(listing, "producer")[0], 6, "the producer made 2..7: six switches")
    equal(list_row(listing, "filter")[0], 4, "the filter passed four primes")
    check(any("produce(" in l for l in section(lines, "stack producer")), "the producer is parked in produce()")


def test_sleepers():
    equal(demo("sleepers"), ["3 sleepers parked on the loop", "sleeper 100 ms woke (1st)", "sleeper 200 ms woke (2nd)",
                             "sleeper 300 ms woke (3rd)", "woke in order: 100 200 300"], "sleepers 300 100 200")
    equal(demo("sleepers", "50", "10", "30", "20")[-1], "woke in order: 10 20 30 50", "sleepers 50 10 30 20")
    # Durations long enough that none wakes before `wait` (the shell's loop
    # also runs between commands), even under an emulator on a busy machine.
    lines = shell("spawn sleepers 900 300 600; step; list; step; wait 1.5; list")
    listing = section(lines, "list")
    for ms in (900, 300, 600):
        state = list_row(listing, f"sleep_{ms}")[1]
        check(state.startswith(f"suspended, waiting for sleep {ms} ms"), f"sleep_{ms} waits on the loop: {state}")
    check(any("only the loop resumes it" in l for l in lines), "a second step is refused while they sleep")
    equal(section(lines, "wait 1.5"), ["sleeper 300 ms woke (1st)", "sleeper 600 ms woke (2nd)",
                                       "sleeper 900 ms woke (3rd)", "woke in order: 300 600 900"],
          "the wake order in the shell")


def test_sleeper():
    equal(demo("sleeper", "10", "2"), [], "sleeper prints nothing")
    lines = shell("spawn sleeper 200 2; step; wait 1; list")
    check(section(lines, "step")[0].startswith("coroutine 1 'sleeper': suspended, waiting for sleep 200 ms"),
          "the sleeper waits on a timer")
    equal(list_row(section(lines, "list"), "sleeper"), (3, "dead (returned)"), "the loop woke it twice")


def test_echo():
    # Standalone: serve two connections, then exit.
    proc = subprocess.Popen(EMULATOR + [os.path.join(DEMO_DIR, "echo"), "0", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        first = proc.stdout.readline().decode()
        m = re.match(r"echo: listening on 127\.0\.0\.1:(\d+)$", first.strip())
        check(m, f"the first line names the port: {first!r}")
        port = int(m.group(1))
        for text in (b"hello\n", b"x" * 100000):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
                c.sendall(text)
                c.shutdown(socket.SHUT_WR)
                back = b""
                while chunk := c.recv(65536):
                    back += chunk
                equal(back, text, "echoed bytes")
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    equal(proc.returncode, 0, "exit status after two connections")
    lines = rest.decode().splitlines()
    for n, size in ((1, 6), (2, 100000)):
        check(f"echo: connection {n} from 127.0.0.1" in lines, f"connection {n} announced: {lines}")
        check(f"echo: connection {n} closed after {size} bytes" in lines, f"connection {n} closed: {lines}")
    check("echo: served 2 connections, no longer accepting" in lines, f"the acceptor ends: {lines}")
    # In the shell, with echo_client as the client.
    port = free_port()
    lines = shell(f"spawn echo {port}; step; spawn echo_client {port} one two; step; wait 1; list")
    check(f"echo: listening on 127.0.0.1:{port}" in lines, "the acceptor binds the port")
    served = section(lines, "wait 1")
    for line in ("echo: connection 1 from 127.0.0.1", "client: got back one", "client: got back two",
                 "echo: connection 1 closed after 8 bytes"):
        check(line in served, f"'{line}' while the loop runs:\n" + "\n".join(served))
    check(list_row(section(lines, "list"), "echo")[1].startswith("suspended, waiting for fd"),
          "the acceptor waits for the next client")


def test_echo_client():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    received = []

    def serve():
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(4096):
                received.append(data)
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    lines = demo("echo_client", str(server.getsockname()[1]), "alpha", "beta")
    thread.join(30)
    server.close()
    equal(lines[1:], ["client: sent alpha", "client: got back alpha", "client: sent beta", "client: got back beta",
                      "client: done, closing"], "the client's round trips")
    equal(b"".join(received), b"alpha\nbeta\n", "what the server received")
    # Nobody listening: it says so and fails (it used to exit 0).
    code, out, err = run([os.path.join(DEMO_DIR, "echo_client"), str(free_port())])
    check(code == 1, f"echo_client against a closed port exited with {code}, not 1\n{out}{err}")
    check("refused" in err, f"echo_client says why it failed: {err!r}")
    # Against the shell's own `listen`.
    port = free_port()
    lines = shell(f"listen {port}; spawn echo_client {port} hello corosh; step; wait 1; conns")
    check("client: got back corosh" in section(lines, "wait 1"), "round trips through the shell's listener")
    check(section(lines, "conns")[0].endswith("1 accepted, 0 active, 13 bytes in, 13 out"), "conns counts the bytes")


def test_deep():
    lines = demo("deep")
    depths = [int(m.group(2)) for m in (re.match(r"depth (\d+): (\d+) bytes below", l) for l in lines) if m]
    equal(len(depths), 8, "eight levels")
    steps = [b - a for a, b in zip(depths, depths[1:])]
    check(all(s >= 1024 for s in steps) and len(set(steps)) == 1, f"a constant step of at least 1 KiB: {steps}")
    check(all(s <= 1600 for s in steps), f"about 1.4 KiB a level, as the demo says: {steps}")
    equal(lines[-1], "returned from depth 8", "the last line")
    lines = shell("spawn deep; step 3; stack; info; step 5; info")
    equal(sum("descend(" in l for l in section(lines, "stack")), 3, "three descend frames after three steps")
    used = [int(m.group(1)) for m in (re.search(r"(\d+) bytes in use", l) for l in lines if "  stack " in l) if m]
    equal(len(used), 2, "two `info` readings")
    check(used[1] - used[0] >= 5 * 1024, f"five more levels use 5 KiB more: {used}")


def test_overflow():
    code, _, err = run([os.path.join(DEMO_DIR, "overflow")])
    check(code != 0, "standalone, the overflow kills the process")
    check(re.search(r"corosh: stack overflow in coroutine 1 'overflow' \(256 KiB stack, guard page hit at 0x", err),
          "the fault handler names the coroutine: " + err)
    lines = shell("spawn overflow --stack 64K; step; info; list")
    check(any(re.match(r"coroutine 1 'overflow' faulted: SIGSEGV at 0x[0-9a-f]+: stack overflow \(the guard page "
                       r"below its 64 KiB stack\)", l) for l in lines), "the fault is reported\n" + "\n".join(lines))
    info = section(lines, "info")
    base = int(re.search(r"stack     64 KiB at 0x([0-9a-f]+)", "\n".join(info)).group(1), 16)
    fault = int(re.search(r"fault     signal \d+ at 0x([0-9a-f]+)", "\n".join(info)).group(1), 16)
    check(base - 65536 <= fault < base, f"the fault address {fault:#x} lies just below the stack at {base:#x}")
    equal(list_row(section(lines, "list"), "overflow")[1], "dead (faulted)", "the state after the fault")


def test_thrower():
    code, _, err = run([os.path.join(DEMO_DIR, "thrower"), "out of keys"])
    equal((code, err.strip()), (1, "thrower: out of keys"), "the exception reaches main")
    lines = shell('spawn thrower "the tree is empty"; step; step; list')
    check("coroutine 1 'thrower' failed: std::runtime_error: the tree is empty" in lines, "the exception is reported")
    equal(list_row(section(lines, "list"), "thrower"), (2, "dead (threw)"), "the state after the throw")


def test_null_deref():
    code, _, err = run([os.path.join(DEMO_DIR, "null_deref")])
    check(code != 0 and "in coroutine 1 'null_deref'" in err and "bad access at 0x8" in err, "standalone: " + err)
    lines = shell("spawn null_deref; step 2; info")
    check("coroutine 1 'null_deref' faulted: SIGSEGV at 0x8: null pointer dereference" in lines,
          "the fault address is the field's offset from null")


def warning_lines(lines, command="warnings"):
    return [l for l in section(lines, command) if l.startswith("! ")]


def test_stranded():
    equal(demo("stranded"), ["spawned coroutine 2 on the loop", "cancelled coroutine 2"], "standalone")
    lines = shell("spawn stranded; step; wait 0.1; warnings; step; list")
    warned = warning_lines(lines)
    check(len(warned) == 1 and warned[0].startswith("! coroutine 2 'stranded_helper' belongs to the loop")
          and "nothing will ever resume it" in warned[0], f"the stranded helper is flagged: {warned}")
    check(any("parked in (anonymous namespace)::wait_for_nothing()" in l for l in section(lines, "warnings")),
          "where it is parked")
    after = lines[lines.index("> warnings"):]
    check("cancelled coroutine 2" in after, "the second step cancels it")
    check(not any("stranded_helper" in l for l in section(lines, "list")), "the cancelled helper is gone")


def test_unguarded():
    equal(demo("unguarded", "2"), [f"step {i} on a stack with no guard page" for i in (1, 2)], "standalone")
    lines = shell("spawn unguarded; step; info; warnings")
    check(any("no guard page (an overflow stops the program)" in l for l in section(lines, "info")),
          "info says the stack has no guard page")
    warned = warning_lines(lines)
    check(any(w.startswith("! coroutine 1 'unguarded' runs on a 256 KiB stack without a guard page") for w in warned),
          f"the warning: {warned}")
    check(not any("has used" in w for w in warned), f"the canary's page does not count as stack use: {warned}")


def test_out_of_fds():
    out = demo("out_of_fds", "2")
    check(len(out) == 2 and re.match(r"[12] clients connected to port \d+", out[0])
          and re.match(r"dropped [12] connections, then served one", out[1]), f"standalone: {out}")
    lines = shell("spawn out_of_fds 3; step; wait 0.3; warnings; loop; wait 2.5; warnings")
    dropped = int(re.search(r"dropped (\d+) connections", "\n".join(section(lines, "wait 0.3"))).group(1))
    check(dropped >= 1, "the crowd was dropped")
    warned = warning_lines(lines)
    check(len(warned) == 1 and re.match(rf"! coroutine 1 'out_of_fds' accepts on 127\.0\.0\.1:\d+ \(fd \d+\), which closed "
                                        rf"{dropped} connections? unserved", warned[0]), f"the warning: {warned}")
    check(any(re.search(rf"1 accepted, {dropped} dropped", l) for l in section(lines, "loop")), "loop's counts")
    check(lines[-1] == "no warnings", "no warning once the listener is closed")


def test_catalog():
    names = [l.split()[0] for l in shell("demos") if l.startswith("  ")]
    check(len(names) >= 10, f"the catalog: {names}")
    missing = [n for n in names if "test_" + n not in globals()]
    equal(missing, [], "demos without a check in tests/demos/test_demos.py (and tests/CMakeLists.txt)")


def main():
    global DEMO_DIR, COROSH, EMULATOR
    DEMO_DIR, COROSH, name, EMULATOR = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    test = globals().get("test_" + name)
    if test is None:
        print(f"no test for a demo called {name}")
        return 2
    started = time.monotonic()
    try:
        test()
    except (AssertionError, subprocess.TimeoutExpired, ValueError) as e:
        print(f"FAIL {name}: {e}")
        return 1
    print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
