#!/usr/bin/env python3
"""The shell inside a program of its own (embedded.cpp, corosh/shell.hpp).

The program declares two functions (countdown, beats), runs a heartbeat
coroutine of its own on its loop, and hands the loop to run_shell with a
script. The session must spawn and step only the program's functions (no
built-in demos are linked in), see the program's coroutine in `list` and
`stack` (inspect only), let it beat while `wait` runs, and give control back
to the program afterwards.

usage: test_embedded.py EMBEDDED [EMULATOR ARGS...]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from transcript import section  # noqa: E402

SCRIPT = """demos
spawn countdown 2
step 3
list
stack heartbeat
step heartbeat
spawn beats
step
wait 0.1
spawn beats --name later
step
"""


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    program, emulator = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as scratch:
        script = os.path.join(scratch, "session.corosh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(SCRIPT)
        proc = subprocess.run(emulator + [program, script], cwd=scratch, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, NO_COLOR="1", HOME=scratch), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    try:
        check(proc.returncode == 1, f"exit status {proc.returncode}: one command (step heartbeat) fails")
        demos = [l.split()[0] for l in section(lines, "demos")]
        check(demos == ["beats", "countdown"], f"the program's own functions, and only those: {demos}")
        step = section(lines, "step 3")
        check(step == ["yielded 2", "yielded 1", "coroutine 2 'countdown': dead (returned)"], f"countdown: {step}")
        heartbeat = [l for l in section(lines, "list") if "heartbeat" in l]
        check(len(heartbeat) == 1 and re.search(r"^\s+1\s+heartbeat\s+suspended, waiting for sleep", heartbeat[0])
              and heartbeat[0].endswith("(inspect only)"), f"the program's coroutine in list: {heartbeat}")
        frames = [l for l in section(lines, "stack heartbeat") if "heartbeat()" in l]
        check(len(frames) == 1 and re.search(r"at embedded\.cpp:\d+$", frames[0]), f"its frame: {frames}")
        refused = section(lines, "step heartbeat")
        check(refused == ["error: step: coroutine 1 'heartbeat' was not spawned by the shell (the loop or a demo "
                          "drives it)"], f"only the program drives it: {refused}")
        before = int(section(lines, "step")[0].split()[1])
        after = int(section(lines, "step", 1)[0].split()[1])
        check(after > before, f"the heartbeat beats while `wait` runs the program's loop: {before} -> {after}")
        check(lines[-1] == "run_shell returned 1; the heartbeat went on: yes", f"back in the program: {lines[-1]}")
    except AssertionError as e:
        print("FAIL embedded shell:", e)
        print("\n".join(lines))
        return 1
    print("ok   embedded shell: the program's functions and coroutine, and control back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
