"""Batch sessions of LLDB and gdb on coroutines_at_rest, live or from a core file.

Each session runs the debugger in batch mode with the repository's scripts loaded, stops
the program at corosh_debugger_checkpoint() (or opens a core file), runs the commands and
returns (exit status, everything printed). `output_of` cuts out what one command printed.

With an emulator (qemu-aarch64, for the arm64 build) the program runs under the emulator's
gdb stub and the debugger attaches to it (LLDB: gdb-remote; gdb: target remote).
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402,F401

REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CHECKPOINT = "corosh_debugger_checkpoint"


# LLDB prints where a thread stopped (after `run`, `continue`) or what `thread select`
# selected from another thread, when the event reaches it: in a batch run anywhere in what
# the next commands print. Those blocks are left out of what sessions return: the process
# line, the thread line, its frame #0 and the source lines around it.
ASYNC_THREAD_STATUS = re.compile(r"^(?:Process \d+ stopped\n)?\* thread #\d+, name = .*\n    frame #0: .*\n"
                                 r"(?:(?:->| {2,}) *\d+ *\t.*\n|\s*\^\s*\n)*", re.M)


def _run(args, emulated, timeout=300):
    try:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    finally:
        if emulated is not None:
            emulated.kill()
            emulated.wait()
    return done.returncode, done.stdout


def _emulate(emulator, program, program_args):
    port = free_port()
    return port, subprocess.Popen([emulator, "-g", str(port), program] + list(program_args),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lldb(lldb_path, *commands, program, stop_at=CHECKPOINT, run=True, core=None, program_args=(),
         emulator=None, scripts=os.path.join(REPOSITORY, "lldb")):
    """An `lldb -b -x` session: stops at `stop_at` (unless `run` is false) or opens `core`."""
    args = [lldb_path, "-b", "-x", "-o", "command script import %s" % os.path.join(scripts, "corosh.py")]
    emulated = None
    if core:
        args += ["-o", "target create %s -c %s" % (program, core)]
    elif run and emulator:
        port, emulated = _emulate(emulator, program, program_args)
        args += ["-o", "target create %s" % program, "-o", "gdb-remote %d" % port,
                 "-o", "b %s" % stop_at, "-o", "continue"]
    elif run:
        args += ["-o", "target create %s" % program]
        if program_args:
            args += ["-o", "settings set -- target.run-args %s" % " ".join(program_args)]
        args += ["-o", "b %s" % stop_at, "-o", "run"]
    else:
        args += ["-o", "target create %s" % program]
    for c in commands:
        args += ["-o", c]
    status, text = _run(args, emulated)
    return status, ASYNC_THREAD_STATUS.sub("", text)


def gdb(gdb_path, *commands, program, stop_at=CHECKPOINT, run=True, core=None, program_args=(),
        emulator=None, scripts=os.path.join(REPOSITORY, "gdb")):
    """A `gdb -batch` session; each command is preceded by an `(gdb) COMMAND` line, as LLDB
    echoes its commands, so that output_of works for both."""
    args = [gdb_path, "-batch", "-nx", "-ex", "set pagination off", "-ex", "set width 0",
            "-ex", "source %s" % os.path.join(scripts, "corosh.py"), "-ex", "file %s" % program]
    emulated = None
    if core:
        args += ["-ex", "core-file %s" % core]
    elif run and emulator:
        port, emulated = _emulate(emulator, program, program_args)
        args += ["-ex", "target remote :%d" % port, "-ex", "break %s" % stop_at, "-ex", "continue"]
    elif run:
        if program_args:
            args += ["-ex", "set args %s" % " ".join(program_args)]
        args += ["-ex", "break %s" % stop_at, "-ex", "run"]
    for c in commands:
        args += ["-ex", "echo (gdb) %s\\n" % c.replace("\\", "\\\\"), "-ex", c]
    return _run(args, emulated)


def output_of(command, text):
    """The lines printed by the last run of one command of a batch session."""
    for prompt in ("(lldb) ", "(gdb) "):
        marker = "%s%s\n" % (prompt, command)
        if marker in text:
            start = text.rindex(marker) + len(marker)
            end = text.find(prompt, start)
            return text[start:end if end >= 0 else len(text)]
    raise AssertionError("`%s` was not run:\n%s" % (command, text))


def outputs_in_order(commands, text):
    """[what each of `commands` printed], for a session that ran them in this order."""
    found, position = [], 0
    for command in commands:
        for prompt in ("(lldb) ", "(gdb) "):
            marker = "%s%s\n" % (prompt, command)
            at = text.find(marker, position)
            if at >= 0:
                start = at + len(marker)
                end = text.find(prompt, start)
                end = end if end >= 0 else len(text)
                found.append(text[start:end])
                position = end
                break
        else:
            raise AssertionError("`%s` was not run:\n%s" % (command, text))
    return found


def arguments(debugger):
    """The command line of test_lldb.py and test_gdb.py: (its options, unittest's arguments).
    DEBUGGER PROGRAM NO_RUNTIME_PROGRAM SCRIPTS_DIR [--gdb GDB] [--emulator EMULATOR]"""
    parser = argparse.ArgumentParser()
    parser.add_argument("debugger", metavar=debugger.upper())
    parser.add_argument("program")
    parser.add_argument("no_runtime")
    parser.add_argument("scripts")
    parser.add_argument("--gdb", help="writes the core files the kernel does not")
    parser.add_argument("--emulator")
    args, rest = parser.parse_known_args()
    args.program, args.no_runtime = os.path.abspath(args.program), os.path.abspath(args.no_runtime)
    return args, rest


def bind(run, args):
    """`run` (lldb or gdb above) with the program, emulator and scripts of `args`."""
    def session(*commands, **options):
        options.setdefault("program", args.program)
        options.setdefault("emulator", args.emulator)
        return run(args.debugger, *commands, scripts=args.scripts, **options)
    return session

