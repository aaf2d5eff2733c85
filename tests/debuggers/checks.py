"""What `coro list`, `coro bt` and `coro regs` must show for coroutines_at_rest, in either
debugger, live or from a core file: checks and test cases shared by test_lldb.py and
test_gdb.py."""

import os
import re
import tempfile

import cores
import sessions

# The line `descend` parks at (corosh::yield()) and the line of its recursive call.
SOURCE = "coroutines_at_rest.cpp"


def source_line(text):
    """The line number of the first line of coroutines_at_rest.cpp that contains `text`."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), SOURCE)) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    raise AssertionError("no line with %r in %s" % (text, SOURCE))


YIELD_LINE = source_line("corosh::yield();")
RECURSION_LINE = source_line("local_depth += descend(")
SINK_LINE = source_line("out(i);")
CRASH_LINE = source_line("*target = 42;")


def list_rows(output):
    """{id: [name, state, waiting for, parked at]} from the output of `coro list`."""
    lines = output.splitlines()
    assert lines and lines[0].split() == ["ID", "NAME", "STATE", "WAITING", "FOR", "PARKED", "AT"], output
    rows = {}
    for line in lines[1:]:
        fields = re.split(r"\s{2,}", line.strip())
        rows[int(fields[0])] = fields[1:]
    return rows


def check_list(test, output, crashed_inside=False):
    rows = list_rows(output)
    test.assertEqual(sorted(rows), [1, 2, 3, 4, 5, 6] if crashed_inside else [1, 2, 3, 4, 5], output)
    test.assertEqual(rows[1][:2], ["shallow", "suspended"])
    test.assertEqual(rows[2][:2], ["deeper", "suspended"])
    test.assertEqual(rows[3][:2], ["fresh", "created"])
    test.assertEqual(rows[4][:2], ["finished", "dead (returned)"])
    test.assertEqual(rows[5][:2], ["counter", "suspended"])
    test.assertEqual(rows[1][-1], "descend(int, int) at %s:%d" % (SOURCE, YIELD_LINE))
    test.assertEqual(rows[2][-1], "descend(int, int) at %s:%d" % (SOURCE, YIELD_LINE))
    test.assertEqual(rows[3][-1], "not started")
    test.assertEqual(rows[4][-1], "-")
    # A generator: the user's own line, not the runtime's yield inside Sink<T>::operator().
    test.assertEqual(rows[5][-1], "count_up(int, corosh::Sink<int>&) at %s:%d" % (SOURCE, SINK_LINE))
    if crashed_inside:
        # What the fault handler recorded before the process died of the signal.
        test.assertEqual(rows[6][:2], ["crasher", "running (SIGSEGV at 0x0)"])
        test.assertEqual(rows[6][-1], "write_through(int*) at %s:%d" % (SOURCE, CRASH_LINE))


def without_parameters(function):
    """`f(int, g(x))` -> `f`; `S<int>::operator()(int) const` -> `S<int>::operator()`."""
    function = re.sub(r" const$", "", function)
    if not function.endswith(")"):
        return function
    depth = 0
    for i in range(len(function) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(function[i], 0)
        if depth == 0:
            return function[:i]
    return function


def frame_names(output):
    """[(number, function without parameters, 'file:line' or '')] of `coro bt` output."""
    found = []
    for number, rest in re.findall(r"^  frame #(\d+): 0x[0-9a-f]{16} (.*)$", output, re.M):
        function, _, where = rest.rpartition(" at ") if " at " in rest else (rest, "", "")
        found.append((int(number), without_parameters(function), where))
    return found


def check_deeper_backtrace(test, output):
    """`coro bt deeper`: parked at depth 4 of a recursion from depth 0."""
    test.assertRegex(output.splitlines()[0], r"^coro 2 deeper \(suspended, \d+ KiB stack\)$")
    frames = frame_names(output)
    test.assertEqual([n for n, _, _ in frames], list(range(len(frames))))
    names = [name for _, name, _ in frames]
    # Innermost: the runtime's yield (inlined or not, depending on the optimisation
    # level), then the recursion, depth 4 down to depth 0.
    first_user = names.index("descend")
    test.assertEqual(names[first_user:first_user + 5], ["descend"] * 5)
    test.assertEqual(frames[first_user][2], "%s:%d" % (SOURCE, YIELD_LINE))
    test.assertEqual({where for _, _, where in frames[first_user + 1:first_user + 5]}, {"%s:%d" % (SOURCE, RECURSION_LINE)})
    test.assertNotEqual(names[first_user + 5], "descend")
    test.assertEqual(names[-1], "corosh_trampoline")


def check_generator_backtrace(test, output):
    names = [name for _, name, _ in frame_names(output)]
    test.assertIn("corosh::Sink<int>::operator()", names)
    test.assertIn("count_up", names)


def check_crasher_backtrace(test, output):
    """`coro bt crasher`: the frames at the fault, from the registers the handler saved."""
    test.assertRegex(output.splitlines()[0],
                     r"^coro 6 crasher \(running \(SIGSEGV at 0x0\), \d+ KiB stack\), frames at the fault$")
    frames = frame_names(output)
    test.assertEqual(frames[0][1:], ("write_through", "%s:%d" % (SOURCE, CRASH_LINE)))
    test.assertEqual(frames[-1][1], "corosh_trampoline")


def check_registers(test, output):
    names = re.findall(r"^\s+(\w+)\s+= 0x[0-9a-f]{16}$", output, re.M)
    test.assertTrue({"rsp", "rip", "rbp"} <= set(names) or {"sp", "lr", "fp"} <= set(names), output)


class CoroCommandChecks:
    """For a TestCase whose setUpClass ran `coro list`, `coro bt deeper`, `coro bt 5` and
    `coro regs 1` in one session (cls.status, cls.text)."""

    def test_session_succeeds(self):
        self.assertEqual(self.status, 0, self.text)

    def test_list_rows(self):
        check_list(self, sessions.output_of("coro list", self.text))

    def test_backtrace_frames_in_order(self):
        check_deeper_backtrace(self, sessions.output_of("coro bt deeper", self.text))

    def test_generator_backtrace(self):
        check_generator_backtrace(self, sessions.output_of("coro bt 5", self.text))

    def test_registers(self):
        check_registers(self, sessions.output_of("coro regs 1", self.text))


class CoreFileChecks:
    """For a TestCase on the three kinds of core (cores.every_kind): cls.cores, cls.no_gcore.
    The test module sets cls.args (sessions.arguments) and `look(core, *commands)`: a
    session on that core running `coro list`, `coro bt deeper` and the commands, which
    checks what its debugger shows beyond them and returns the session's text."""

    # More to run on the core of the crash inside a coroutine, and to check after.
    after_the_crash = ()

    def check_after_the_crash(self, text):
        pass

    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix="corosh-cores-")
        cls.cores, cls.no_gcore = cores.every_kind(cls.args.program, cls.scratch.name, cls.args.gdb,
                                                   cls.args.emulator, sessions.free_port)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_crash_outside_any_coroutine(self):
        self.look("crash-outside")

    def test_crash_inside_a_coroutine(self):
        text = self.look("crash-inside", "coro bt crasher", *self.after_the_crash)
        check_crasher_backtrace(self, sessions.output_of("coro bt crasher", text))
        self.check_after_the_crash(text)

    def test_gcore_while_parked(self):
        if self.no_gcore:
            self.skipTest(self.no_gcore)
        self.look("gcore")


class ErrorChecks:
    """Every error fails the session (the failing command is the last): for a TestCase with
    `session` (sessions.bind) and `no_runtime` set by the test module."""

    def test_bad_id_fails_the_session(self):
        status, text = self.session("coro bt 99")
        self.assertNotEqual(status, 0)
        self.assertIn("no coroutine with id 99", text)

    def test_dead_coroutine_has_no_stack(self):
        status, text = self.session("coro bt finished")
        self.assertNotEqual(status, 0)
        self.assertIn("it is dead (returned)", text)

    def test_process_not_running(self):
        status, text = self.session("coro list", run=False)
        self.assertNotEqual(status, 0)
        self.assertIn("no process", text)

    def test_program_without_runtime(self):
        status, text = self.session("coro list", program=self.no_runtime, stop_at="main")
        self.assertNotEqual(status, 0)
        self.assertIn("does not use the corosh runtime", text)

