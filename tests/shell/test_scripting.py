#!/usr/bin/env python3
"""Scripting corosh: `source FILE`, the startup file, -i and --stop-on-error.

Batch checks run `corosh --echo ...` on files in a scratch directory and look
at what ran (the values yielded, the error lines, the exit status); terminal
checks run corosh on a pty (tests/support/terminal.py), where the startup
file is read, and wait for each piece of text they expect.

usage: test_scripting.py COROSH [EMULATOR ARGS...]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from terminal import Terminal  # noqa: E402

COROSH = []
PROMPT = rb"corosh> "


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}:\n  expected {expected!r}\n  actual   {actual!r}")


def batch(args, files, stdin=b""):
    """corosh ARGS in a scratch directory holding `files`: (status, lines)."""
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(scratch, name)), exist_ok=True)
            with open(os.path.join(scratch, name), "w", encoding="utf-8") as f:
                f.write(text)
        proc = subprocess.run(COROSH + args, cwd=scratch, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=dict(os.environ, NO_COLOR="1", HOME=scratch), timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace").splitlines()


def yielded(lines):
    return [l[len("yielded "):] for l in lines if l.startswith("yielded ")]


SETUP = "spawn fib\nstep 2\n# a comment, then a typo\nstpe\nstep\n"


def test_source_goes_on_past_a_failing_line():
    status, lines = batch(["--echo", "-c", "source setup.corosh; list"], {"setup.corosh": SETUP})
    equal(status, 1, "exit status (one line failed)")
    equal(yielded(lines), ["0", "1", "1"], "every line of the file ran, in order")
    check("error: unknown command 'stpe' (did you mean 'step'?)" in lines, f"the failing line's error: {lines}")
    check(any(re.match(r"\*\s+1\s+fib\s", l) for l in lines), f"what the file spawned stays, selected: {lines}")
    check("> step 2" not in lines, "only the session's own commands are echoed")


def test_stop_on_error():
    status, lines = batch(["--echo", "--stop-on-error", "-c", "source setup.corosh; list"], {"setup.corosh": SETUP})
    equal(status, 1, "exit status")
    equal(yielded(lines), ["0", "1"], "nothing after the failing line")
    check("error: source: setup.corosh:4 failed; stopped there (--stop-on-error)" in lines, f"where: {lines}")
    check("> list" not in lines, "the session stops too")
    status, lines = batch(["--stop-on-error", "-c", "spawn fib; bogus; step"], {})
    equal((status, yielded(lines)), (1, []), "-c stops at its failing command")
    status, lines = batch(["-c", "spawn fib; bogus; step"], {})
    equal((status, yielded(lines)), (1, ["0"]), "without the flag it goes on, as before")
    status, lines = batch(["--stop-on-error", "script.corosh"], {"script.corosh": "spawn fib\nstep\nstep 100000000\n"})
    equal((status, yielded(lines)[:1]), (1, ["0"]), "FILE: runs up to the failing command")


def test_source_refusals():
    status, lines = batch(["-c", "source loop.corosh; source missing.corosh; source sub; source big.corosh"],
                          {"loop.corosh": "source loop.corosh\n", "sub/x": "", "big.corosh": "x" * 5000 + "\n"})
    equal(status, 1, "exit status")
    equal(lines, ["error: source: loop.corosh is already being sourced (a file that sources itself never ends)",
                  "error: source: cannot open missing.corosh: No such file or directory",
                  "error: source: sub is not a regular file",
                  "error: line too long: 5000 bytes (the limit is 4096); ignored"], "one error line each")


def test_success_is_status_zero():
    status, lines = batch(["-c", "source ok.corosh"], {"ok.corosh": "spawn fib\nstep 3\n"})
    equal((status, yielded(lines)), (0, ["0", "1", "1"]), "every command succeeded")


def test_interactive_after_commands_on_a_pipe():
    status, lines = batch(["-i", "-c", "spawn fib; step"], {}, stdin=b"step\nstep\n")
    equal((status, yielded(lines)), (0, ["0", "1", "1"]), "-c, then the commands on stdin")
    status, lines = batch(["-i"], {})
    check(status == 2 and "-i goes with -c or FILE" in lines[0], f"-i alone: {lines}")


def terminal(args, files, env=None):
    home = tempfile.TemporaryDirectory()
    for name, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(home.name, name)), exist_ok=True)
        with open(os.path.join(home.name, name), "w", encoding="utf-8") as f:
            f.write(text)
    t = Terminal(COROSH + args, dict(os.environ, HOME=home.name, NO_COLOR="1", TERM="xterm", **(env or {})))
    t.home = home  # removed with the terminal
    return t


def finish(t, at_prompt=False):
    """Ctrl-D at the prompt (typed while a command runs, the terminal's mode
    change as the prompt comes back may discard it)."""
    if not at_prompt:
        t.expect(PROMPT, "the prompt before Ctrl-D")
    t.send(b"\x04")
    status = t.wait_exit()
    t.home.cleanup()
    equal(os.WEXITSTATUS(status), 0, "a terminal session ends with status 0")


def test_startup_file_on_a_terminal():
    rc = {".coroshrc": "spawn fib --name from_rc\nstep 2\n"}
    t = terminal(["--norc"], rc)
    t.expect(PROMPT, "the prompt")
    t.send(b"list\r")
    t.expect(rb"no coroutines", "--norc: nothing ran")
    finish(t)

    t = terminal([], rc)
    t.expect(rb"yielded 0.*yielded 1.*corosh .*" + PROMPT, "the startup file's output, then the greeting and prompt")
    t.send(b"step\r")
    t.expect(rb"yielded 1\r?\ncoroutine 1 'from_rc': suspended", "the session goes on where the file left it")
    finish(t)



def test_xdg_startup_file():
    with tempfile.TemporaryDirectory() as config:
        os.makedirs(os.path.join(config, "corosh"))
        with open(os.path.join(config, "corosh", "init"), "w", encoding="utf-8") as f:
            f.write("spawn fib --name from_xdg\n")
        t = terminal([], {}, env={"XDG_CONFIG_HOME": config})
        t.expect(rb"spawned coroutine 1 'from_xdg'.*" + PROMPT, "$XDG_CONFIG_HOME/corosh/init")
        finish(t, at_prompt=True)
        t = terminal([], {".coroshrc": "spawn fib --name from_rc\n"}, env={"XDG_CONFIG_HOME": config})
        t.expect(rb"spawned coroutine 1 'from_rc'.*" + PROMPT, "~/.coroshrc first, when there is one")
        t.send(b"list\r")
        t.expect(rb"from_rc[^\n]*\r?\n1 coroutine: 1 created\r?\n" + PROMPT, "and only that one (one row, then the totals)")
        finish(t, at_prompt=True)


def test_interactive_after_commands_on_a_terminal():
    t = terminal(["-i", "-c", "spawn fib; step"], {".coroshrc": "spawn fib --name from_rc\n"})
    t.expect(rb"spawned coroutine 1 'from_rc'.*spawned coroutine 2 'fib'.*yielded 0.*" + PROMPT,
             "the startup file, then -c, then the prompt")
    t.send(b"step\r")
    t.expect(rb"yielded 1", "typed commands go on in the same session")
    finish(t)


def main():
    global COROSH
    COROSH = sys.argv[2:] + [sys.argv[1]]
    failures = 0
    for name, test in [(n, f) for n, f in globals().items() if n.startswith("test_")]:
        try:
            test()
            print(f"ok   {name}")
        except AssertionError as e:
            print(f"FAIL {name}: {e}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
