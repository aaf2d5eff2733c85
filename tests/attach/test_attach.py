#!/usr/bin/env python3
"""corosh attached to a live program: demos/attachable_server started with
COROSH_MONITOR=1, and the shell looking inside it from another process.

Every scenario gets its own $XDG_RUNTIME_DIR (so only its own programs are
attachable) and checks values in the shell's output: the coroutines the
server has, its own frames with file:line, the loop and its listener, what
driving does, a target that vanishes, users and directories that are refused.

usage: test_attach.py SCENARIO DEMO_DIR COROSH [EMULATOR ARGS...]
Exits 77 (skipped) where the scenario cannot run here (not root, no setpriv).
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DEMO_DIR = COROSH = None
EMULATOR = []
SKIP = 77


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}:\n  expected {expected!r}\n  actual   {actual!r}")


class Scratch:
    """A private runtime directory and a working directory for one scenario."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="corosh_attach.")
        os.chmod(self.root, 0o700)
        self.runtime = os.path.join(self.root, "run")
        os.mkdir(self.runtime, 0o700)
        self.env = dict(os.environ, NO_COLOR="1", HOME=self.root, XDG_RUNTIME_DIR=self.runtime)
        self.env.pop("COROSH_MONITOR", None)

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """attachable_server, monitored; its first line says it is ready."""

    def __init__(self, scratch, monitor="1", program=None, args=()):
        env = dict(scratch.env, COROSH_MONITOR=monitor)
        argv = EMULATOR + (program or [os.path.join(DEMO_DIR, "attachable_server")]) + list(args)
        self.proc = subprocess.Popen(argv, cwd=scratch.root, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.ready = self.proc.stdout.readline().decode()
        self.pid = self.proc.pid

    def stderr(self):
        return self.proc.stderr.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def corosh(scratch, *args, user=None, timeout=120):
    """corosh ARGS: (exit status, the output as lines, stderr merged)."""
    prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] if user else []
    proc = subprocess.run(prefix + EMULATOR + [COROSH, *args], cwd=scratch.root, env=scratch.env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines()


def section(lines, command):
    """The output of the (first) echoed `> command`."""
    start = lines.index("> " + command) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("> ")), len(lines))
    return lines[start:end]


def rows(listing):
    """`list` rows as {name: (id, state)}."""
    found = {}
    for line in listing:
        m = re.match(r"[ *]\s+(\d+)\s+(\S+(?: \d+ accept)?)\s+(.*?)\s+(\d+)\s+\d+/\S+ \S+", line)
        if m:
            found[m.group(2)] = (int(m.group(1)), m.group(3))
    return found


class Interactive:
    """corosh reading commands from a pipe, one at a time (--echo marks each)."""

    def __init__(self, scratch, *args):
        self.proc = subprocess.Popen(EMULATOR + [COROSH, "--echo", *args], cwd=scratch.root, env=scratch.env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.marks = 0

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def run(self, command, timeout=60):
        """Runs one command; returns what was printed since the last one
        (output that arrived while the shell was idle included)."""
        self.marks += 1
        mark = f"# mark {self.marks}"
        self.proc.stdin.write(f"{command}\n{mark}\n".encode())
        self.proc.stdin.flush()
        out, deadline = [], time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            check(line is not None, f"corosh ended during `{command}`: {out}")
            if line == "> " + mark:
                return out
            if line != "> " + command:
                out.append(line)

    def close(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)


# --- scenarios ----------------------------------------------------------------

def scenario_inspect(scratch):
    server = Server(scratch)
    try:
        check(server.ready.startswith(f"attachable_server: pid {server.pid}, echo on 127.0.0.1:"), server.ready)
        port = server.ready.rsplit(":", 1)[1].strip()
        status, listing = corosh(scratch, "--attach")
        equal(status, 0, "corosh --attach exit status")
        check(any(re.match(rf"\s+{server.pid}\s+attachable_server\s+5\s+\d+ s\s+inspect and drive$", l)
                  for l in listing), "the server in the listing:\n" + "\n".join(listing))

        commands = "list; stack recursive; stack recursive --all; loop; loop --fd 999; mem; warnings; conns; info ticker; regs pipe_reader; ctx pipe_reader; detach; list"
        status, lines = corosh(scratch, "--attach", str(server.pid), "--echo", "-c", commands)
        check(lines[0].startswith(f"attached to pid {server.pid} (attachable_server): 5 coroutines, corosh "),
              lines[0])
        found = rows(section(lines, "list"))
        equal(sorted(found), sorted([f"echo {port} accept", "ticker", "pipe_reader", "recursive", "numbers"]),
              "the server's coroutines")
        check(found["pipe_reader"][1].startswith("suspended, waiting for fd ") and
              found["pipe_reader"][1].endswith(" readable"), found["pipe_reader"])
        check("waiting for sleep 200 ms" in found["ticker"][1], found["ticker"])
        equal(found["numbers"][1], "suspended", "the generator the program pulls")

        stack = section(lines, "stack recursive")
        check(stack[0].startswith(f"coroutine {found['recursive'][0]} 'recursive': suspended, waiting for sleep"),
              stack[0])
        own = [l for l in stack if re.search(r"\bdescend\b.* at attachable_server\.cpp:\d+", l)]
        # Direct recursion is folded into one line ending "×N" where it is not inlined.
        levels = sum(int(m.group(1)) if (m := re.search(r"×(\d+)$", l)) else 1 for l in own)
        check(levels >= 6, "descend's frames, with file:line (one per level, 5 levels + the bottom):\n" +
              "\n".join(stack))
        check(any(re.search(r"… \d+ corosh frames$", l) for l in stack), "the runtime's frames folded:\n" +
              "\n".join(stack))
        whole = section(lines, "stack recursive --all")
        check(any("corosh_trampoline" in l for l in whole), "the whole stack ends at the trampoline:\n" +
              "\n".join(whole))

        loop = section(lines, "loop")
        check(re.match(r"backend (epoll|kqueue): \d+ fds registered, \d+ timers, 4 coroutines waiting, "
                       r"4 owned by the loop", loop[0]), loop)
        # The descriptor and timer tables, read from the target's own loop.
        check(any(re.match(rf"\s+\d+\s+listener\s+127\.0\.0\.1:{port}\s+readable\s+coroutine \d+ 'echo {port} accept' "
                           r"waits readable$", l) for l in loop), "the echo listener's row:\n" + "\n".join(loop))
        check(any(re.match(r"\s+\d+\s+pipe\s+readable\s+coroutine \d+ 'pipe_reader' waits readable$", l) for l in loop),
              "the pipe reader's row:\n" + "\n".join(loop))
        check(any(re.search(r"ms\s+-\s+coroutine \d+ 'ticker': sleep 200 ms$", l) for l in loop),
              "the ticker's timer:\n" + "\n".join(loop))
        equal(section(lines, "loop --fd 999"), ["fd 999: not known to the loop (nothing waits on it or watches it)"],
              "loop --fd of an unknown descriptor")
        mem = section(lines, "mem")
        check(any(re.match(r"\s+64 KiB\s+5\s+0\s+5\s", l) for l in mem), "five guarded 64 KiB stacks:\n" + "\n".join(mem))
        check(any(re.match(r"\s+guard pages\s+5 of \d+ allowed", l) for l in mem), "\n".join(mem))
        equal(section(lines, "warnings"), ["no warnings"], "warnings of a healthy server")
        equal(section(lines, "conns"),
              [f"127.0.0.1:{port} (echo, at most 1024 connections): 0 accepted, 0 active, 0 bytes in, 0 out"], "conns")
        info = section(lines, "info ticker")
        check(info[1].strip() == "spawned   by the loop", info)
        check(re.search(r"created\s+attachable_server\.cpp:\d+ in int main", info[3]), info)
        regs = section(lines, "regs pipe_reader")
        check(re.match(r"coroutine \d+ 'pipe_reader': .* \((x86_64|arm64)\)$", regs[0]), regs)
        check(len(regs) >= 10, regs)
        ctx = section(lines, "ctx pipe_reader")
        check("saved context at 0x" in ctx[0], ctx)
        equal(section(lines, "detach"), [f"detached from pid {server.pid} (attachable_server); back to this process"],
              "detach")
        equal(section(lines, "list")[:0], [], "")
        check(lines[-1].startswith("no coroutines"), "after detaching, the shell's own (empty) list")
        equal(status, 0, "exit status")
    finally:
        server.stop()
    check("ticks" in server.proc.stdout.read().decode(), "the server went on serving and ended normally")


def scenario_same_output(scratch):
    """A corosh shell is a program with a loop too: attached to one, every
    inspection command prints what that shell prints about itself."""
    looks = ["stack 1", "stack 1 --all", "stacks", "regs 1", "ctx 1", "info 2", "stack 2", "conns"]
    script = "spawn tree_preorder; step 4; listen 0; wait 0.2; " + "; ".join(looks) + "; wait 60"
    target = Server(scratch, program=[COROSH, "--echo", "-c", script])
    try:
        # Its output up to `wait 60`, read as it comes.
        local = [target.ready.rstrip("\n")]
        while local[-1] != "> wait 60":
            line = target.proc.stdout.readline().decode()
            check(line, "the target shell ended early:\n" + "\n".join(local))
            local.append(line.rstrip("\n"))
        status, remote = corosh(scratch, "--attach", str(target.pid), "--echo", "-c", "; ".join(looks))
        for command in looks:
            mine, theirs = section(local, command), section(remote, command)
            if command.startswith("info"):
                # Who drives it is the one difference: here the loop, there "yours".
                mine = [l for l in mine if "spawned" not in l]
                theirs = [l for l in theirs if "spawned" not in l]
            equal(theirs, mine, f"`{command}` attached vs. in the shell itself")
        equal(status, 0, "exit status")
    finally:
        target.stop()


def scenario_lost(scratch):
    server = Server(scratch)
    shell = Interactive(scratch, "--attach", str(server.pid))
    try:
        check(any("attachable_server" in l for l in shell.run("list")), "attached")
        server.proc.kill()
        server.proc.wait()
        # Noticed at the prompt, or by the next command: one line either way.
        out = shell.run("list")
        gone = [l for l in out if re.match(rf"error: (list: )?pid {server.pid} \(attachable_server\) went away "
                                            rf"\(.*\); back to this process$", l)]
        equal(len(gone), 1, f"one line saying the target is gone: {out}")
        equal(len(out), 2 if out[-1].startswith("no coroutines") else 1, f"nothing else: {out}")
        check(shell.run("list")[0].startswith("no coroutines"), "back to the shell's own process")
        check(shell.run("detach")[0].startswith("error: detach: not attached"), "no longer attached")
    finally:
        equal(shell.close(), 1, "exit status after an error")


def scenario_inspect_only(scratch):
    server = Server(scratch, monitor="inspect")
    try:
        status, lines = corosh(scratch, "--attach", str(server.pid), "--echo", "-c", "list; cancel ticker")
        check(lines[0].endswith("(inspection only); `detach` comes back"), lines[0])
        listed = section(lines, "list")
        check(all(l.endswith("(inspect only)") for l in listed[1:-1]), listed)
        check(re.match(r"\d+ coroutines: ", listed[-1]), listed)
        check(re.match(r"error: cancel: .*", section(lines, "cancel ticker")[0]), lines)
    finally:
        server.stop()


def scenario_drive(scratch):
    """With driving allowed, `cancel` unwinds a coroutine the target's loop
    owns; one the program's own code resumes is refused, and the program
    goes on either way."""
    server = Server(scratch)
    try:
        status, lines = corosh(scratch, "--attach", str(server.pid), "--echo", "-c",
                               "cancel ticker; cancel numbers; cancel ticker; list")
        equal(section(lines, "cancel ticker")[0], "coroutine 2 'ticker': dead (cancelled)", "the ticker cancelled")
        refused = section(lines, "cancel numbers")
        check(len(refused) == 1 and re.match(r"error: cancel: coroutine 5 'numbers' belongs to the code that created it",
                                             refused[0]), refused)
        listed = section(lines, "list")
        check(not any("ticker" in l for l in listed), "the cancelled ticker is gone:\n" + "\n".join(listed))
        equal(listed[-1], "4 coroutines: 4 suspended (3 waiting)", "what is left")
        equal(status, 1, "exit status (a command failed)")
        # The program is unaffected: attached again, its loop still answers.
        status, again = corosh(scratch, "--attach", str(server.pid), "-c", "loop")
        check(status == 0 and re.match(r"backend (epoll|kqueue): ", again[1]), again)
    finally:
        server.stop()


def scenario_trace(scratch):
    """trace on / off / save attached: the recording is made in the program
    (the client's own, freed when it goes) and saved by the shell as the
    same Chrome trace a local session writes."""
    server = Server(scratch, monitor="inspect")  # watching switches is inspection
    saved = os.path.join(scratch.root, "remote.json")
    try:
        status, lines = corosh(scratch, "--attach", str(server.pid), "--echo", "-c",
                               f"trace; trace on; wait 0.5; trace off; trace save {saved}; trace")
        equal(status, 0, "exit status:\n" + "\n".join(lines))
        equal(section(lines, "trace")[0], "not recording (`trace on` starts)", "before")
        stopped = section(lines, "trace off")[0]
        count = int(re.match(r"stopped recording: (\d+) events$", stopped).group(1))
        check(count >= 2, f"the ticker (every 200 ms) ran in half a second: {stopped}")
        equal(section(lines, f"trace save {saved}"), [f"saved {count} events to {saved}"], "saved")
        with open(saved, encoding="utf-8") as f:
            trace = json.load(f)["traceEvents"]
        names = {e["args"]["name"] for e in trace if e.get("ph") == "M"}
        check("coroutine 2 ticker" in names, f"the ticker is named in the trace: {names}")
        slices = [e for e in trace if e.get("ph") in ("B", "E") and e.get("tid") == 2]
        check(len(slices) >= 2 and all(a["ph"] == "B" and b["ph"] == "E" for a, b in zip(slices[::2], slices[1::2])),
              f"the ticker's slices open and close: {slices[:6]}")
    finally:
        server.stop()


def scenario_other_user(scratch):
    """Another uid is refused by the monitor's peer-credential check, even
    when it can reach the socket; the refusal is logged once."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("SKIP: needs root and setpriv to run a client as another user")
        return SKIP
    nobody = 65534
    server = Server(scratch)
    try:
        socket_path = os.path.join(scratch.runtime, "corosh", f"{server.pid}.sock")
        # As the monitor made it, nobody else can even reach it.
        status, lines = corosh(scratch, "--attach", socket_path, "-c", "list", user=nobody)
        check(status != 0 and "Permission denied" in "\n".join(lines), lines)
        # Opened up by hand (as a careless admin might): the peer check still refuses.
        for path in (scratch.root, scratch.runtime, os.path.dirname(socket_path)):
            os.chmod(path, 0o755)
        os.chmod(socket_path, 0o777)
        for _ in range(2):
            status, lines = corosh(scratch, "--attach", socket_path, "-c", "list", user=nobody)
            equal(status, 1, "exit status of a refused client")
            check(any("refused this shell: this program serves uid 0 and root only" in l for l in lines), lines)
        # The owner is still served.
        status, lines = corosh(scratch, "--attach", socket_path, "-c", "list")
        equal(status, 0, "the owner after the refusals:\n" + "\n".join(lines))
    finally:
        server.stop()
    log = server.stderr()
    equal(log.count(f"refused a client running as uid {nobody}"), 1, "refusals logged (once):\n" + log)


def scenario_foreign_directory(scratch):
    """A socket directory someone else owns is neither used nor looked into."""
    if os.geteuid() != 0:
        print("SKIP: needs root to give a directory to another user")
        return SKIP
    planted = os.path.join(scratch.runtime, "corosh")
    os.mkdir(planted, 0o700)
    os.chown(planted, 65534, 65534)
    server = Server(scratch)
    try:
        status, lines = corosh(scratch, "--attach")
        equal(lines, ["no programs to attach to (start one with COROSH_MONITOR=1 in its environment)"], "listing")
        status, lines = corosh(scratch, "--attach", str(server.pid), "-c", "list")
        equal(status, 1, "attaching fails")
        check("no monitor is listening" in "\n".join(lines), lines)
    finally:
        server.stop()
    log = server.stderr()
    check(f"refusing {planted}: it belongs to uid 65534" in log and "not monitoring" in log, log)
    equal(os.listdir(planted), [], "nothing written into the planted directory")


def main():
    global DEMO_DIR, COROSH, EMULATOR
    scenario, DEMO_DIR, COROSH, EMULATOR = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    scratch = Scratch()
    try:
        result = globals()["scenario_" + scenario](scratch)
    except AssertionError as e:
        print(f"FAIL {scenario}: {e}")
        return 1
    finally:
        scratch.close()
    if result == SKIP:
        return SKIP
    print(f"ok   {scenario}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
