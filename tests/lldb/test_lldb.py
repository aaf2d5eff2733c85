#!/usr/bin/env python3
"""LLDB batch sessions against a program with parked coroutines.

Usage: test_lldb.py LLDB PROGRAM NO_RUNTIME_PROGRAM LLDB_SCRIPTS_DIR [EMULATOR]
Each test runs `lldb -b -x` with a list of commands and checks what it printed
(and its exit status: a failing command must make lldb exit non-zero).

With EMULATOR (e.g. qemu-aarch64, for the arm64 build), the program runs
under the emulator's gdb stub and LLDB attaches with gdb-remote.
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from free_port import free_port  # noqa: E402

LLDB, PROGRAM, NO_RUNTIME, SCRIPTS = sys.argv[1:5]
EMULATOR = sys.argv[5] if len(sys.argv) > 5 else None
IMPORT = "command script import %s" % os.path.join(SCRIPTS, "corosh.py")
# LLDB 16 crashes in `thread list` when an OS plugin describes threads of a
# process behind qemu's gdb stub; the plugin is checked natively only.
OS_PLUGIN_TESTABLE = EMULATOR is None


def session(*commands, program=PROGRAM, stop_at="corosh_lldb_checkpoint", run=True, program_args=()):
    args = [LLDB, "-b", "-x", "-o", IMPORT]
    emulated = None
    if run and EMULATOR:
        port = free_port()
        emulated = subprocess.Popen([EMULATOR, "-g", str(port), program],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        args += ["-o", "target create %s" % program, "-o", "gdb-remote %d" % port,
                 "-o", "b %s" % stop_at, "-o", "continue"]
    elif run:
        args += ["-o", "b %s" % stop_at, "-o", "run"]
    for c in commands:
        args += ["-o", c]
    if emulated is None:
        args.append(program)
        if program_args:
            args += ["--"] + list(program_args)
    try:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    finally:
        if emulated is not None:
            emulated.kill()
            emulated.wait()
    return done.returncode, done.stdout


def output_of(command, text):
    """The lines printed by one command of a batch session."""
    marker = "(lldb) %s\n" % command
    start = text.rindex(marker) + len(marker)
    end = text.find("(lldb) ", start)
    return text[start:end if end >= 0 else len(text)]


class CoroCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.status, cls.text = session("coro list", "coro bt deeper", "coro bt 5", "coro regs 1", "up",
                                       "frame variable shallow finished counter")

    def test_session_succeeds(self):
        self.assertEqual(self.status, 0, self.text)

    def test_list_rows(self):
        rows = {}
        for line in output_of("coro list", self.text).splitlines()[1:]:
            fields = re.split(r"\s{2,}", line.strip())
            rows[int(fields[0])] = fields[1:]
        self.assertEqual(sorted(rows), [1, 2, 3, 4, 5])
        self.assertEqual(rows[1][:2], ["shallow", "suspended"])
        self.assertEqual(rows[2][:2], ["deeper", "suspended"])
        self.assertEqual(rows[3][:2], ["fresh", "created"])
        self.assertEqual(rows[4][:2], ["finished", "dead (returned)"])
        self.assertEqual(rows[5][:2], ["counter", "suspended"])
        self.assertRegex(rows[1][-1], r"^descend\(int, int\) at coroutines_at_rest\.cpp:14$")
        self.assertRegex(rows[2][-1], r"^descend\(int, int\) at coroutines_at_rest\.cpp:14$")
        self.assertEqual(rows[3][-1], "not started")
        self.assertRegex(rows[5][-1], r"^count_up\(int, corosh::Sink<int>&\) at coroutines_at_rest\.cpp:\d+$")

    def test_backtrace_frames_in_order(self):
        frames = re.findall(r"frame #(\d+): 0x[0-9a-f]+ (.*)$", output_of("coro bt deeper", self.text), re.M)
        names = [rest.split("(")[0].split(" at ")[0] for _, rest in frames]
        self.assertEqual([int(n) for n, _ in frames], list(range(len(frames))))
        # Innermost: the runtime's yield (inlined or not, depending on the
        # optimisation level), then the recursion, depth 4 down to depth 0.
        first_user = next(i for i, name in enumerate(names) if not name.startswith("corosh::"))
        self.assertGreater(first_user, 0)
        self.assertEqual(names[first_user:first_user + 5], ["descend"] * 5)
        self.assertNotEqual(names[first_user + 5], "descend")
        self.assertEqual(names[-1], "corosh_trampoline")

    def test_generator_backtrace(self):
        text = output_of("coro bt 5", self.text)
        self.assertIn("corosh::Sink<int>::operator()", text)
        self.assertIn("count_up(int, corosh::Sink<int>&)", text)

    def test_registers(self):
        text = output_of("coro regs 1", self.text)
        names = re.findall(r"^\s+(\w+)\s+= 0x[0-9a-f]{16}$", text, re.M)
        self.assertTrue({"rsp", "rip", "rbp"} <= set(names) or {"sp", "lr", "fp"} <= set(names), text)

    def test_summaries(self):
        text = output_of("frame variable shallow finished counter", self.text)
        self.assertIn("shallow = id=1 name='shallow' state=suspended", text)
        self.assertIn("finished = id=4 name='finished' state=dead (returned)", text)
        self.assertIn("counter = id=5 name='counter' state=suspended", text)


@unittest.skipUnless(OS_PLUGIN_TESTABLE, "LLDB 16 crashes with OS plugins over qemu's gdb stub")
class CoroutineThreads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # `bt` before `thread backtrace unique`: LLDB 16 keeps printing frames
        # without arguments after the latter.
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

    def test_one_thread_per_parked_coroutine(self):
        names = re.findall(r"thread #\d+: tid = \d+, .*?name = '([^']*)'", output_of("thread list", self.text))
        self.assertEqual(names[1:], ["coro 1 shallow", "coro 2 deeper", "coro 3 fresh", "coro 5 counter"])

    def test_bt_all_walks_coroutine_stacks(self):
        text = output_of("bt all", self.text)
        deeper = text[text.index("name = 'coro 2 deeper'"):text.index("name = 'coro 3 fresh'")]
        self.assertEqual(len(re.findall(r"`descend\(depth=\d, target=4\)", deeper)), 5)
        self.assertIn("corosh_trampoline", deeper)

    def test_unique_backtraces(self):
        self.assertGreaterEqual(output_of("thread backtrace unique", self.text).count("thread(s)"), 4)

    def test_frame_variable_inside_a_coroutine_frame(self):
        self.assertEqual(self.frame_status, 0, self.frame_text)
        text = output_of("frame variable local_depth depth", self.frame_text)
        self.assertIn("(int) local_depth = 20", text)
        self.assertIn("(int) depth = 2", text)


@unittest.skipUnless(os.environ.get("COROSH_SHELL") and EMULATOR is None, "needs the native corosh binary")
class TheShell(unittest.TestCase):
    """The same commands on the corosh shell itself, stopped inside `list`."""

    def test_tree_preorder_after_four_steps(self):
        status, text = session("coro list", "coro bt 1", program=os.environ["COROSH_SHELL"],
                               stop_at="corosh::live_coroutines",
                               program_args=("-c", "spawn tree_preorder; step 4; list"))
        self.assertEqual(status, 0, text)
        rows = output_of("coro list", text).splitlines()
        self.assertRegex(rows[1], r"^\s*1\s+tree_preorder\s+suspended\s+-\s+.*preorder\(")
        self.assertEqual(len(re.findall(r"\bpreorder\(", output_of("coro bt 1", text))), 4)


class Errors(unittest.TestCase):
    def test_bad_id_fails_the_session(self):
        status, text = session("coro bt 99")
        self.assertNotEqual(status, 0)
        self.assertIn("no coroutine with id 99", text)

    def test_dead_coroutine_has_no_stack(self):
        status, text = session("coro bt finished")
        self.assertNotEqual(status, 0)
        self.assertIn("it is dead (returned)", text)

    def test_bad_arguments(self):
        status, text = session("coro threads maybe")
        self.assertNotEqual(status, 0)
        self.assertIn("usage: coro threads on|off", text)

    def test_process_not_running(self):
        status, text = session("coro list", run=False)
        self.assertNotEqual(status, 0)
        self.assertIn("no process", text)

    def test_program_without_runtime(self):
        status, text = session("coro list", program=NO_RUNTIME, stop_at="main")
        self.assertNotEqual(status, 0)
        self.assertIn("does not use the corosh runtime", text)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
