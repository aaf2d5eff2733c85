#!/usr/bin/env python3
"""LLDB and gdb print the same `coro` output: both show what the debugger-neutral model
says, each reading the program through its own API.

usage: test_agree.py LLDB GDB PROGRAM [--emulator EMULATOR]

Compared on one core file (the crash inside a coroutine, so that every kind of row is in
it), where both debuggers read the very same memory, and on a live process each debugger
starts itself (addresses masked: the two runs need not place the stacks alike).
"""

import argparse
import os
import re
import sys
import tempfile
import unittest

import cores
import sessions

parser = argparse.ArgumentParser()
parser.add_argument("lldb")
parser.add_argument("gdb")
parser.add_argument("program")
parser.add_argument("--emulator")
ARGS, UNITTEST_ARGS = parser.parse_known_args()
ARGS.program = os.path.abspath(ARGS.program)

COMMANDS = ("coro list", "coro bt deeper", "coro bt counter", "coro bt fresh", "coro regs shallow")


def outputs(commands, **options):
    """{command: (LLDB's output, gdb's output)}"""
    options.setdefault("program", ARGS.program)
    options.setdefault("emulator", ARGS.emulator)
    lldb_status, lldb_text = sessions.lldb(ARGS.lldb, *commands, **options)
    gdb_status, gdb_text = sessions.gdb(ARGS.gdb, *commands, **options)
    assert lldb_status == 0 and gdb_status == 0, lldb_text + gdb_text
    return {c: (sessions.output_of(c, lldb_text), sessions.output_of(c, gdb_text)) for c in commands}


class OnACoreFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix="corosh-agree-")
        core, _ = cores.crash_core(ARGS.program, "crash-inside", cls.scratch.name, ARGS.emulator, ARGS.gdb,
                                   sessions.free_port)
        cls.outputs = outputs(COMMANDS + ("coro bt crasher",), core=core)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_same_text(self):
        for command, (lldb_output, gdb_output) in self.outputs.items():
            with self.subTest(command=command):
                self.assertTrue(lldb_output.strip(), command)
                self.assertEqual(lldb_output, gdb_output)


class OnALiveProcess(unittest.TestCase):
    def test_same_text_but_addresses(self):
        for command, (lldb_output, gdb_output) in outputs(COMMANDS).items():
            with self.subTest(command=command):
                mask = lambda text: re.sub(r"0x[0-9a-f]{6,}", "0xADDR", text)  # noqa: E731
                self.assertEqual(mask(lldb_output), mask(gdb_output))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + UNITTEST_ARGS)
