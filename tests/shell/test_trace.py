#!/usr/bin/env python3
"""`trace` end to end: what `trace save` writes is valid Chrome trace JSON
whatever the coroutines are called, every slice that opens closes (also for
a coroutine that faulted), coroutines that are gone by the time of the save
keep their names, saving never truncates what it replaces, and the command
says what it is doing.

usage: test_trace.py COROSH [EMULATOR ARGS...]
"""
import json
import os
import subprocess
import sys
import tempfile

COROSH = sys.argv[1]
EMULATOR = sys.argv[2:]


def corosh(scratch, commands):
    """Runs commands (one per line, bytes) with --echo; stdout+stderr lines."""
    script = os.path.join(scratch, "script.corosh")
    with open(script, "wb") as f:
        f.write(commands)
    env = dict(os.environ, NO_COLOR="1", HOME=scratch)
    proc = subprocess.run(EMULATOR + [COROSH, "--echo", script], cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines()


def after(lines, command):
    """The lines a command printed."""
    start = lines.index("> " + command) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("> ")), len(lines))
    return lines[start:end]


failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory() as scratch:
    # A name that is not UTF-8, a coroutine that faults, loop-owned sleepers
    # that finish and are gone before the save.
    status, lines = corosh(scratch, b"\n".join([
        b"trace",
        b"trace on",
        b"spawn fib --name caf\xe9",
        b"step 3",
        b"spawn null_deref",
        b"step",
        b"spawn sleepers",
        b"step",
        b"wait 1",
        b"trace",
        b"trace off",
        b"trace",
        b"trace save out.json",
        b"trace on",
        b"trace off",
    ]) + b"\n")
    check(after(lines, "trace") == ["not recording (`trace on` starts)"], f"plain trace at first: {lines[:3]}")
    with open(os.path.join(scratch, "out.json"), "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw.decode("utf-8"))  # strict: valid UTF-8 and JSON
    except ValueError as e:
        document = None
        failures.append(f"trace save wrote invalid JSON: {e}")
    if document:
        events = document["traceEvents"]
        slices = [e for e in events if e["ph"] in ("B", "E")]
        check(slices, "no switch events recorded")
        depth = {}
        for e in slices:
            depth[e["tid"]] = depth.get(e["tid"], 0) + (1 if e["ph"] == "B" else -1)
            check(depth[e["tid"]] >= 0, f"an E before its B on tid {e['tid']}")
        check(all(d == 0 for d in depth.values()), f"slices left open (a faulted coroutine?): {depth}")
        names = {e["tid"]: e["args"]["name"] for e in events if e["name"] == "thread_name"}
        check(any("caf" in n for n in names.values()), f"the non-UTF-8 name is kept, replaced: {names}")
        # Every coroutine that ran is named, the finished sleepers included.
        check(all(tid in names for tid in depth), f"a tid without a name: {sorted(depth)} vs {sorted(names)}")
        sleepers = [n for n in names.values() if "sleep_" in n]
        check(len(sleepers) == 3, f"the sleepers, gone by the save, lost their names: {names}")
    check(any(l.startswith("recording context switches:") for l in lines), "plain trace while recording")
    check(any(l.startswith("not recording;") and "recorded earlier" in l for l in lines), "plain trace after off")
    check(any("dropped" in l for l in after(lines, "trace on")[-1:]) or
          any("events recorded earlier are dropped" in l for l in lines), "trace on after off says what it drops")

    # Saving where the file cannot be replaced (a directory is in the way)
    # fails with one line and leaves what was there; an existing trace is
    # replaced whole, and no temporary file is left behind.
    os.mkdir(os.path.join(scratch, "taken"))
    with open(os.path.join(scratch, "old.json"), "w") as f:
        f.write("keep me")
    status, lines = corosh(scratch, b"trace on\nspawn fib\nstep 2\ntrace off\ntrace save taken\ntrace save old.json\n")
    check(status == 1, f"a failed save makes the script fail (exit {status})")
    errors = [l for l in lines if l.startswith("error: ")]
    check(len(errors) == 1 and "cannot write 'taken'" in errors[0], f"one error for the failed save: {errors}")
    check(os.path.isdir(os.path.join(scratch, "taken")), "the directory in the way is untouched")
    with open(os.path.join(scratch, "old.json")) as f:
        check(json.load(f)["traceEvents"], "the existing trace was replaced by the new one")
    leftovers = [n for n in os.listdir(scratch) if n.endswith(".tmp")]
    check(not leftovers, f"temporary files left behind: {leftovers}")

for f in failures:
    print("FAIL", f)
print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
