"""What `coro list`, `coro bt` and `coro regs` must show for coroutines_at_rest, in either
debugger, live or from a core file: checks shared by test_lldb.py and test_gdb.py."""

import re

# The line `descend` parks at (corosh::yield()) and the line of its recursive call.
SOURCE = "coroutines_at_rest.cpp"


def source_line(text):
    """The line number of the first line of coroutines_at_rest.cpp that contains `text`."""
    import os
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
