#!/usr/bin/env python3
"""Reruns the gdb and LLDB sessions shown in a markdown file and compares them.

A session block is a fenced block whose info string starts with `gdb-session` or
`lldb-session`, followed by what to debug:

    ```gdb-session program=coroutines_at_rest
    (gdb) coro bt deeper
    coro 2 deeper (suspended, 256 KiB stack)
    ...
    ```

Each block is one session of its own (tests/debuggers/sessions.py): the program stopped at
corosh_debugger_checkpoint(), or with `core=crash-inside` (or another mode of the program)
a core file of it made first (tests/debuggers/cores.py). Lines after the prompt are
commands, the others what they printed. A block marked `arch=x86_64` runs only there.

Compared line by line as the corosh sessions are (test_sessions.py: addresses and runs of
blanks masked, file:line numbers compared on x86_64, a `...` line stands for any lines), after
the repository's directory is written /path/to/corosh as the docs write it; the line numbers
the debuggers put before a source line and the process id are masked.

usage: test_debugger_sessions.py MARKDOWN ARCH --program NAME=PATH... [--gdb GDB] [--lldb LLDB]
"""

import argparse
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "debuggers"))
import cores  # noqa: E402
import sessions  # noqa: E402
from test_sessions import mask, matches  # noqa: E402

PROMPTS = {"gdb-session": "(gdb) ", "lldb-session": "(lldb) "}
SHOWN_ROOT = "/path/to/corosh"


def blocks(markdown):
    """[(line number, kind, {option: value}, [(command, [expected lines])])]"""
    found, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        m = re.match(r"```(gdb-session|lldb-session)\b(.*)$", lines[i])
        if not m:
            i += 1
            continue
        kind, options = m.group(1), dict(re.findall(r"(\w+)=(\S+)", m.group(2)))
        start, steps, i = i + 1, [], i + 1
        while not lines[i].startswith("```"):
            if lines[i].startswith(PROMPTS[kind]):
                steps.append((lines[i][len(PROMPTS[kind]):], []))
            elif steps:
                steps[-1][1].append(lines[i])
            else:
                raise SystemExit("line %d: a session block starts with `%sCOMMAND`" % (start + 1, PROMPTS[kind]))
            i += 1
        found.append((start, kind, options, steps))
        i += 1
    return found


def masked(line):
    line = line.replace(sessions.REPOSITORY, SHOWN_ROOT)
    # The line numbers before a source line: gdb's "24\t  code", LLDB's "-> 24  \t  code".
    line = re.sub(r"^(\s*(?:->)?\s*)\d+( *\t)", r"\1N\2", line)
    # The process id, which LLDB shows for the process and its real thread.
    line = re.sub(r"\b(Process|tid =) \d{1,7}\b", r"\1 N", line)
    return mask(line)


def run_block(kind, options, steps, args, scratch):
    program = args.programs[options["program"]]
    core = None
    if "core" in options:
        core, _ = cores.crash_core(program, options["core"], os.path.join(scratch, options["core"]), gdb=args.gdb)
    commands = [command for command, _ in steps]
    if kind == "gdb-session":
        return sessions.gdb(args.gdb, *commands, program=program, core=core)
    return sessions.lldb(args.lldb, *commands, program=program, core=core)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("markdown")
    parser.add_argument("arch")
    parser.add_argument("--program", action="append", default=[])
    parser.add_argument("--gdb")
    parser.add_argument("--lldb")
    args = parser.parse_args()
    args.programs = dict(p.split("=", 1) for p in args.program)
    with open(args.markdown, encoding="utf-8") as f:
        found = blocks(f.read())
    if not found:
        print("FAIL %s: no gdb-session or lldb-session blocks" % args.markdown)
        return 1
    failures, ran = 0, 0
    with tempfile.TemporaryDirectory(prefix="corosh-docs-") as scratch:
        for start, kind, options, steps in found:
            if options.get("arch", args.arch) != args.arch:
                continue
            ran += 1
            status, text = run_block(kind, options, steps, args, scratch)
            if status != 0:
                print("FAIL %s (block at line %d): the session failed\n%s" % (args.markdown, start, text))
                failures += 1
                continue
            failures_before = failures
            printed = sessions.outputs_in_order([command for command, _ in steps], text)
            for (command, expected), output in zip(steps, printed):
                want = [masked(line) if line.strip() != "..." else "..." for line in expected]
                got = [masked(line) for line in output.splitlines()]
                if not matches(want, got):
                    failures += 1
                    print("FAIL %s (block at line %d): `%s` printed something else" % (args.markdown, start, command))
                    print("---- expected (masked) ----\n" + "\n".join(want))
                    print("---- actual (masked) ------\n" + "\n".join(got))
            if failures > failures_before:
                print("---- the whole session -----\n" + text)
    if failures:
        return 1
    print("ok   %s: %d sessions" % (args.markdown, ran))
    return 0


if __name__ == "__main__":
    sys.exit(main())
