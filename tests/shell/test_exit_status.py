#!/usr/bin/env python3
"""How corosh ends when its surroundings go wrong: a reader that goes away
(`corosh ... | head -1`) stops it at once with the status of a broken pipe
instead of a million failing writes and exit 0; a directory given as the
script is refused.

usage: test_exit_status.py COROSH [EMULATOR ARGS...]
"""
import os
import signal
import subprocess
import sys
import tempfile

COROSH = sys.argv[1]
EMULATOR = sys.argv[2:]
failures = []

with tempfile.TemporaryDirectory() as scratch:
    env = dict(os.environ, NO_COLOR="1", HOME=scratch)
    # The reader takes one line and closes the pipe; corosh would go on
    # stepping a million times, writing into nothing.
    proc = subprocess.Popen(EMULATOR + [COROSH, "-c", "spawn fib; step 1000000"], cwd=scratch, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    try:
        err = proc.stderr.read()
        status = proc.wait(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        status, err = None, b""
    if not first.startswith(b"spawned coroutine 1"):
        failures.append(f"first line: {first!r}")
    if status != 128 + signal.SIGPIPE:
        failures.append(f"a closed stdout ends corosh with status {128 + signal.SIGPIPE}, not {status}")
    if err:
        failures.append(f"nothing on stderr for a closed pipe: {err!r}")

    proc = subprocess.run(EMULATOR + [COROSH, scratch], cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if proc.returncode != 2 or b"is a directory" not in proc.stderr:
        failures.append(f"corosh DIR: exit {proc.returncode}, stderr {proc.stderr!r}")

for f in failures:
    print("FAIL", f)
print("ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
