#!/usr/bin/env python3
"""gdb batch sessions against a program with parked coroutines, live and from core files.

usage: test_gdb.py GDB PROGRAM NO_RUNTIME_PROGRAM GDB_SCRIPTS_DIR [--emulator EMULATOR]

Each test runs `gdb -batch` with a list of commands and checks what they printed; a
failing command last in the list must make gdb exit non-zero. With an emulator
(qemu-aarch64, for the arm64 build; GDB is then gdb-multiarch) the program runs under the
emulator's gdb stub and gdb attaches with `target remote`.
"""

import os
import re
import sys
import unittest

import checks
import cores
import sessions

ARGS, UNITTEST_ARGS = sessions.arguments("gdb")
ARGS.gdb = ARGS.debugger  # the same gdb writes the core files the kernel does not
session = sessions.bind(sessions.gdb, ARGS)
output_of = sessions.output_of


class CoroCommands(checks.CoroCommandChecks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.status, cls.text = session("coro list", "coro bt deeper", "coro bt 5", "coro regs 1", "up",
                                       "print shallow", "print finished", "print counter", "print *shallow.control_",
                                       "print fresh.control_->name")

    def test_pretty_printers(self):
        self.assertRegex(output_of("print shallow", self.text), r"^\$\d+ = id=1 name='shallow' state=suspended$")
        self.assertRegex(output_of("print finished", self.text), r"^\$\d+ = id=4 name='finished' state=dead \(returned\)$")
        self.assertRegex(output_of("print counter", self.text), r"^\$\d+ = id=5 name='counter' state=suspended$")
        # The control record itself.
        self.assertRegex(output_of("print *shallow.control_", self.text), r"^\$\d+ = id=1 name='shallow' state=suspended$")
        # Its fields are still there to print one by one.
        self.assertIn('"fresh"', output_of("print fresh.control_->name", self.text))


def frame_numbers():
    """{what: its `coro bt` frame number} of the frames the tests stand in: how many frames
    the runtime's code adds above the user's depends on the build."""
    status, text = session("coro bt deeper", "coro bt counter", "coro bt shallow")
    assert status == 0, text

    def first(command, function):
        return next(n for n, name, _ in checks.frame_names(output_of(command, text)) if name == function)

    # deeper yields at depth 4, so depth 2 is two frames out; shallow yields at depth 1.
    return {"deeper depth 2": first("coro bt deeper", "descend") + 2,
            "count_up": first("coro bt counter", "count_up"),
            "shallow depth 1": first("coro bt shallow", "descend")}


class StandingInACoroutine(unittest.TestCase):
    """`coro frame ID N`: gdb's own commands inside a parked coroutine's frames."""

    @classmethod
    def setUpClass(cls):
        cls.numbers = frame_numbers()
        cls.deeper = "coro frame deeper %d" % cls.numbers["deeper depth 2"]
        cls.counter = "coro frame counter %d" % cls.numbers["count_up"]
        cls.status, cls.text = session(cls.deeper, "info locals", "info args", "up", "info locals", "bt",
                                       cls.counter, "print limit", "coro frame", "bt")

    def test_session_succeeds(self):
        self.assertEqual(self.status, 0, self.text)

    def test_the_frame_coro_bt_numbers(self):
        self.assertRegex(output_of(self.deeper, self.text), r"in descend \(depth=2, target=4\) at .*coroutines_at_rest\.cpp:%d"
                         % checks.RECURSION_LINE)
        self.assertIn("local_depth = 20", output_of("info locals", self.text.split("(gdb) up\n")[0]))
        self.assertEqual(output_of("info args", self.text).split(), ["depth", "=", "2", "target", "=", "4"])

    def test_up_goes_to_the_caller_inside_the_coroutine(self):
        after_up = self.text.split("(gdb) up\n", 1)[1]
        self.assertRegex(after_up, r"in descend \(depth=1, target=4\)")
        self.assertIn("local_depth = 10", output_of("info locals", after_up))

    def test_bt_goes_on_into_the_coroutine_after_the_threads_frame(self):
        bt = output_of("bt", self.text.split("(gdb) coro frame\n")[0])
        lines = bt.splitlines()
        self.assertRegex(lines[0], r"^#0 .*corosh_debugger_checkpoint")
        self.assertEqual(len(re.findall(r"in descend \(depth=\d, target=4\)", bt)), 5, bt)
        self.assertRegex(lines[-1], r"corosh_trampoline")

    def test_a_generator_frame(self):
        self.assertRegex(output_of(self.counter, self.text), r"in count_up \(limit=3, out=")
        self.assertRegex(output_of("print limit", self.text), r"^\$\d+ = 3$")

    def test_coro_frame_alone_goes_back(self):
        bt = output_of("bt", self.text)
        self.assertRegex(bt, r"in main \(")
        self.assertNotIn("descend", bt)


class StandingInACoroutineFromAnother(unittest.TestCase):
    """Stopped inside `deeper` while it runs (depth 3), standing in `shallow`."""

    @classmethod
    def setUpClass(cls):
        shallow = "coro frame shallow %d" % frame_numbers()["shallow depth 1"]
        cls.status, cls.text = session(shallow, "frame 0", "info locals", "coro frame", "frame 0", "info locals",
                                       shallow, "break corosh_debugger_checkpoint", "continue", "bt",
                                       stop_at="descend if depth == 3")

    def test_session_succeeds(self):
        self.assertEqual(self.status, 0, self.text)

    def test_the_threads_own_frame_never_shows_wrong_locals(self):
        chosen, back = self.text.split("(gdb) coro frame\n")
        self.assertRegex(output_of("frame 0", back), r"^#0  descend \(depth=3, target=4\)")
        value = output_of("info locals", back)
        self.assertRegex(value, r"^local_depth = -?\d+$")
        # Locals the compiler places relative to the frame's CFA (GCC does) cannot be
        # read while a coroutine is chosen; those relative to a register (clang's frame
        # base) still read right.
        while_chosen = output_of("info locals", chosen)
        if "error reading variable" not in while_chosen:
            self.assertEqual(while_chosen, value)

    def test_resuming_drops_the_choice(self):
        bt = output_of("bt", self.text)
        self.assertRegex(bt, r"^#0  corosh_debugger_checkpoint \(\)")
        self.assertNotIn("descend", bt)


@unittest.skipUnless(os.environ.get("COROSH_SHELL") and ARGS.emulator is None, "needs the native corosh binary")
class TheDefaultBuild(unittest.TestCase):
    """The corosh shell as the README builds it (RelWithDebInfo, GCC -O2): parked after
    `spawn tree_preorder; step 4`, four nested preorder() frames at the keys 1, 2, 4, 8."""

    def test_locals_of_every_parked_frame(self):
        commands = ["coro list", "coro bt 1"]
        for n in range(4):
            commands += ["coro frame 1 %d" % n, "print node->key"]
        status, text = session(*commands, program=os.environ["COROSH_SHELL"], stop_at="corosh::live_coroutines",
                               program_args=("-c", "'spawn tree_preorder; step 4; list'"))
        self.assertEqual(status, 0, text)
        rows = checks.list_rows(output_of("coro list", text))
        self.assertRegex(rows[1][3], r"^\(anonymous namespace\)::preorder\(.*\) at tree_preorder\.cpp:\d+$")
        self.assertEqual(re.findall(r"^\$\d+ = (\d+)$", text, re.M), ["1", "2", "4", "8"], text)


class CoreFiles(checks.CoreFileChecks, unittest.TestCase):
    """`coro list`, `coro bt` and `coro frame` on core files: of a crash outside any
    coroutine, of a crash inside one, and of a program stopped with coroutines parked."""

    args = ARGS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deeper = "coro frame deeper %d" % frame_numbers()["deeper depth 2"]

    def look(self, core, *extra):
        status, text = session("coro list", "coro bt deeper", *extra, self.deeper, "info locals",
                               core=self.cores[core])
        self.assertEqual(status, 0, text)
        checks.check_list(self, output_of("coro list", text), crashed_inside=core in ("crash-inside", "fallback"))
        checks.check_deeper_backtrace(self, output_of("coro bt deeper", text))
        self.assertIn("local_depth = 20", output_of("info locals", text))
        return text

    after_the_crash = ("bt",)

    def check_after_the_crash(self, text):
        # The thread died in the coroutine: gdb's own backtrace starts at the fault too.
        self.assertRegex(output_of("bt", text).splitlines()[0], r"^#0 .*write_through")

    def test_a_core_written_by_gdb_where_the_kernel_writes_none(self):
        # The fallback of machines whose kernel pipes cores away (cores.py).
        if ARGS.emulator or cores.gcore_unusable():
            self.skipTest(cores.GCORE_OVER_QEMU if ARGS.emulator else cores.gcore_unusable())
        path = os.path.join(self.scratch.name, "fallback.core")
        cores.gdb_core(ARGS.debugger, ARGS.program, ["crash-inside"], path, stops=2, emulator=ARGS.emulator,
                        free_port=sessions.free_port)
        self.cores["fallback"] = path
        text = self.look("fallback", "coro bt crasher")
        checks.check_crasher_backtrace(self, output_of("coro bt crasher", text))


class Errors(checks.ErrorChecks, unittest.TestCase):
    session = staticmethod(session)
    no_runtime = ARGS.no_runtime

    def test_frames_of_coroutines_without_any(self):
        for command, message in (("coro frame fresh", "coroutine 3 has not started"),
                                 ("coro frame finished", "coroutine 4 is dead"),
                                 ("coro frame deeper 99", r"coroutine 2 has \d+ frames \(0 to \d+\)"),
                                 ("coro frame deeper top", r"usage: coro frame ID\|NAME \[N\]")):
            status, text = session(command)
            self.assertNotEqual(status, 0, command)
            self.assertRegex(text, message)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + UNITTEST_ARGS)
