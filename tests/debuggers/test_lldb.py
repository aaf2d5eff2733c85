#!/usr/bin/env python3
"""LLDB batch sessions against a program with parked coroutines, live and from core files.

usage: test_lldb.py LLDB PROGRAM NO_RUNTIME_PROGRAM LLDB_SCRIPTS_DIR [--gdb GDB] [--emulator EMULATOR]

Each test runs `lldb -b -x` with a list of commands and checks what it printed (and its
exit status: a failing command must make lldb exit non-zero). With an emulator (qemu-aarch64,
for the arm64 build) the program runs under the emulator's gdb stub and LLDB attaches with
gdb-remote. gdb, if given, writes the core files the kernel does not (cores.py).
"""

import os
import re
import sys
import unittest

import checks
import sessions

ARGS, UNITTEST_ARGS = sessions.arguments("lldb")
session = sessions.bind(sessions.lldb, ARGS)
output_of = sessions.output_of


class CoroCommands(checks.CoroCommandChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.status, cls.text = session("coro list", "coro bt deeper", "coro bt 5", "coro regs 1", "up",
                                       "frame variable shallow finished counter")

    def test_summaries(self):
        text = output_of("frame variable shallow finished counter", self.text)
        self.assertIn("shallow = id=1 name='shallow' state=suspended", text)
        self.assertIn("finished = id=4 name='finished' state=dead (returned)", text)
        self.assertIn("counter = id=5 name='counter' state=suspended", text)


def check_threads(test, text):
    names = re.findall(r"thread #\d+: tid = (\d+), .*?name = '(coro [^']*)'", output_of("thread list", text))
    test.assertEqual([name for _, name in names], ["coro 1 shallow", "coro 2 deeper", "coro 3 fresh", "coro 5 counter"],
                     text)
    test.assertEqual([int(tid) for tid, _ in names], [0xC0000000 + n for n in (1, 2, 3, 5)])
    bt = output_of("bt all", text)
    deeper = bt[bt.index("name = 'coro 2 deeper'"):bt.index("name = 'coro 3 fresh'")]
    test.assertEqual(len(re.findall(r"`descend\(depth=\d, target=4\)", deeper)), 5, deeper)
    test.assertIn("corosh_trampoline", deeper)


class CoroutineThreads(unittest.TestCase):
    """The OS plugin: every parked coroutine is a thread (natively and over qemu's stub)."""

    @classmethod
    def setUpClass(cls):
        # `bt` before `thread backtrace unique`: LLDB keeps printing frames without
        # arguments after the latter.
        cls.status, cls.text = session("coro threads on", "thread list", "bt all", "thread select 3", "bt",
                                       "thread backtrace unique")
        # The frame of descend(depth=2) in the 'deeper' coroutine's thread.
        bt = output_of("bt", cls.text)
        cls.depth2_frame = int(re.search(r"frame #(\d+): .*`descend\(depth=2,", bt).group(1))
        cls.frame_status, cls.frame_text = session("coro threads on", "thread select 3",
                                                   "frame select %d" % cls.depth2_frame,
                                                   "frame variable local_depth depth")

    def test_session_succeeds(self):
        self.assertEqual(self.status, 0, self.text)

    def test_one_thread_per_parked_coroutine_and_their_stacks(self):
        check_threads(self, self.text)

    def test_unique_backtraces(self):
        self.assertGreaterEqual(output_of("thread backtrace unique", self.text).count("thread(s)"), 4)

    def test_frame_variable_inside_a_coroutine_frame(self):
        self.assertEqual(self.frame_status, 0, self.frame_text)
        text = output_of("frame variable local_depth depth", self.frame_text)
        self.assertIn("(int) local_depth = 20", text)
        self.assertIn("(int) depth = 2", text)


@unittest.skipUnless(os.environ.get("COROSH_SHELL") and ARGS.emulator is None, "needs the native corosh binary")
class TheDefaultBuild(unittest.TestCase):
    """The corosh shell as the README builds it (RelWithDebInfo, GCC -O2): parked after
    `spawn tree_preorder; step 4`, four nested preorder() frames at the keys 1, 2, 4, 8."""

    @classmethod
    def setUpClass(cls):
        bt_status, bt_text = session("coro threads on", "thread select 2", "bt", program=os.environ["COROSH_SHELL"],
                                     stop_at="corosh::live_coroutines",
                                     program_args=("-c", "'spawn tree_preorder; step 4; list'"))
        assert bt_status == 0, bt_text
        cls.frames = [int(n) for n in re.findall(r"frame #(\d+): .*`\(anonymous namespace\)::preorder\(node=",
                                                 output_of("bt", bt_text))]
        commands = ["coro list", "coro bt 1", "coro threads on", "thread select 2"]
        for n in cls.frames:
            commands += ["frame select %d" % n, "frame variable node->key"]
        cls.status, cls.text = session(*commands, program=os.environ["COROSH_SHELL"],
                                       stop_at="corosh::live_coroutines",
                                       program_args=("-c", "'spawn tree_preorder; step 4; list'"))

    def test_coro_commands(self):
        self.assertEqual(self.status, 0, self.text)
        rows = checks.list_rows(output_of("coro list", self.text))
        self.assertEqual(rows[1][:3], ["tree_preorder", "suspended", "-"])
        self.assertRegex(rows[1][3], r"^\(anonymous namespace\)::preorder\(.*\) at tree_preorder\.cpp:\d+$")
        self.assertEqual(len(re.findall(r"\bpreorder\(", output_of("coro bt 1", self.text))), 4)

    def test_locals_of_every_parked_frame(self):
        self.assertEqual(len(self.frames), 4)
        keys = re.findall(r"^\((?:const )?int\) node->key = (\d+)$", self.text, re.M)
        self.assertEqual(keys, ["1", "2", "4", "8"], self.text)


class CoreFiles(checks.CoreFileChecks, unittest.TestCase):
    """`coro list`, `coro bt` and the OS plugin on core files: of a crash outside any
    coroutine, of a crash inside one, and of a program stopped with coroutines parked."""

    args = ARGS

    def look(self, core, *extra):
        status, text = session("coro list", "coro bt deeper", *extra, "coro threads on", "thread list", "bt all",
                               core=self.cores[core])
        self.assertEqual(status, 0, text)
        checks.check_list(self, output_of("coro list", text), crashed_inside=core == "crash-inside")
        checks.check_deeper_backtrace(self, output_of("coro bt deeper", text))
        check_threads(self, text)
        return text


class Errors(checks.ErrorChecks, unittest.TestCase):
    session = staticmethod(session)
    no_runtime = ARGS.no_runtime

    def test_bad_arguments(self):
        status, text = session("coro threads maybe")
        self.assertNotEqual(status, 0)
        self.assertIn("usage: coro threads on|off", text)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + UNITTEST_ARGS)
