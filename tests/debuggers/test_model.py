#!/usr/bin/env python3
"""The debugger-neutral model (debugger/corosh_debug) against a fake debugger.

The fake holds a made-up program in memory: the registry, control records, saved registers
and stacks with frame-pointer chains, laid out by struct layouts of the fake's own choosing
(other offsets, sizes and capacities than the real runtime's), so that a number written into
the model instead of read from the layout makes these tests fail.

usage: test_model.py [unittest options]
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "debugger"))
from corosh_debug import Field, Layout, ModelError, Reader, Runtime, SourceFrame, registers, views  # noqa: E402
from corosh_debug import names  # noqa: E402

POINTER = 8
STATES = {0: "corosh::State::created", 1: "corosh::State::suspended", 2: "corosh::State::running",
          3: "corosh::State::normal", 4: "corosh::State::dead"}
ENDINGS = {0: "none", 1: "returned", 2: "threw", 3: "cancelled", 4: "faulted"}
SAVED_FIELDS = {
    "x86_64": [(r, 8) for r in ("rbx", "rbp", "r12", "r13", "r14", "r15", "rsp", "rip")] +
              [("mxcsr", 4), ("fpucw", 2), ("pad", 2)],
    "arm64": [("x%d" % n, 8) for n in range(19, 29)] + [("fp", 8), ("lr", 8), ("sp", 8)] +
             [("d%d" % n, 8) for n in range(8, 16)],
}


def struct(members, lead=0):
    """A Layout of (name, size) members, each aligned to its size (at most 8), after
    `lead` bytes of padding (so that no offset is the one the real runtime uses)."""
    offset, fields = lead, {}
    for name, size in members:
        align = min(size, 8)
        offset = (offset + align - 1) // align * align
        fields[name] = Field(offset, size)
        offset += size
    return Layout((offset + 7) // 8 * 8, fields)


class FakeProgram(Reader):
    """A stopped program made of byte regions, with made-up layouts and symbols."""

    def __init__(self, arch="x86_64", name_capacity=20, wait_capacity=40):
        self.arch = arch
        self.regions = []  # [(start, bytearray)]
        self.symbols = []  # [(low, high, [SourceFrame])]
        self.reads = 0
        saved = struct(SAVED_FIELDS[arch])
        self.layouts = {
            "corosh::detail::SavedContext": saved,
            "corosh::detail::ContextRecord": struct([("exceptions", 16), ("registers", saved.size)], lead=8),
            "corosh::detail::Stack": struct([("mapping", 8), ("size", 8), ("guarded", 1), ("base", 8)]),
            "corosh::detail::ThreadRegistry": struct([("count", 8), ("next_thread", 8), ("first", 8), ("last", 8)]),
        }
        context = self.layouts["corosh::detail::ContextRecord"]
        stack = self.layouts["corosh::detail::Stack"]
        self.layouts["corosh::detail::Control"] = struct([
            ("registry_next", 8), ("name", name_capacity), ("state", 1), ("ending", 1), ("id", 8),
            ("fault_signal", 4), ("fault_address", 8), ("fault_pc", 8), ("fault_fp", 8), ("fault_sp", 8),
            ("switches", 8), ("wait_reason", wait_capacity), ("stack", stack.size), ("context", context.size),
        ], lead=24)
        self.next_free = 0x10000
        self.head_address = None
        self.globals = {}
        self.register_table()

    # -- building the program ------------------------------------------------------------
    def register_table(self):
        """The runtime's saved-register table, with made-up DWARF numbers (200 + slot,
        none for the last slot) so that a number the model knew itself would show."""
        slot = self.layouts["corosh::RegisterSlot"] = struct(
            [("name", 16), ("offset", 8), ("size", 8), ("dwarf", 4), ("show", 4), ("role", 16)], lead=8)
        saved = self.layouts["corosh::detail::SavedContext"]
        members = list(saved.fields.items())
        table = self.allocate(slot.size * len(members))
        for i, (name, f) in enumerate(members):
            self.field("corosh::RegisterSlot", table + i * slot.size, "offset", f.offset)
            self.field("corosh::RegisterSlot", table + i * slot.size, "size", f.size)
            dwarf = 200 + i if i < len(members) - 1 else -1
            self.field("corosh::RegisterSlot", table + i * slot.size, "dwarf", dwarf & 0xFFFFFFFF)
        self.globals["corosh_saved_register_slots"] = table
        self.globals["corosh_saved_register_count"] = len(members)

    def allocate(self, size):
        start = self.next_free
        self.regions.append((start, bytearray(size)))
        self.next_free += (size + 0xFFF) // 0x1000 * 0x1000 + 0x1000  # a hole after each
        return start

    def poke(self, address, value, size=POINTER):
        for start, data in self.regions:
            if start <= address and address + size <= start + len(data):
                data[address - start:address - start + size] = (
                    value if isinstance(value, bytes) else value.to_bytes(size, "little"))
                return
        raise AssertionError("poke outside the fake program's memory at 0x%x" % address)

    def field(self, type_name, base, member, value):
        f = self.layouts[type_name].fields[member]
        if isinstance(value, bytes):
            value = value[:f.size].ljust(f.size, b"\0")
        self.poke(base + f.offset, value, f.size)

    def registry(self, threads):
        """Links `threads` (lists of control addresses) into the registry."""
        self.head_address = self.allocate(POINTER)
        previous = None
        for controls in threads:
            thread = self.allocate(self.layouts["corosh::detail::ThreadRegistry"].size)
            if controls:
                self.field("corosh::detail::ThreadRegistry", thread, "first", controls[0])
            for a, b in zip(controls, controls[1:]):
                self.field("corosh::detail::Control", a, "registry_next", b)
            if previous is None:
                self.poke(self.head_address, thread)
            else:
                self.field("corosh::detail::ThreadRegistry", previous, "next_thread", thread)
            previous = thread

    def coroutine(self, id, name=b"", state=1, ending=0, wait=b"", depth=0, pcs=(), fault=None, stack_size=0x4000):
        """A control record with a stack whose frame-pointer chain returns to `pcs`."""
        control = self.allocate(self.layouts["corosh::detail::Control"].size)
        stack = self.allocate(stack_size)
        put = lambda member, value: self.field("corosh::detail::Control", control, member, value)  # noqa: E731
        put("id", id)
        put("name", name)
        put("state", state)
        put("ending", ending)
        put("wait_reason", wait)
        put("switches", 7)
        stack_at = control + self.layouts["corosh::detail::Control"].fields["stack"].offset
        self.field("corosh::detail::Stack", stack_at, "base", stack)
        self.field("corosh::detail::Stack", stack_at, "size", stack_size)
        # Frame records from the top of the stack down: [next fp][return address].
        fp, records = 0, []
        for pc in reversed(list(pcs[1:]) + [0]):
            at = stack + stack_size - 64 * (len(records) + 1)
            self.poke(at, fp)
            self.poke(at + POINTER, pc)
            records.append(at)
            fp = at
        saved = control + self.layouts["corosh::detail::Control"].fields["context"].offset + \
            self.layouts["corosh::detail::ContextRecord"].fields["registers"].offset
        resume = registers.RESUME_FIELD[self.arch]
        frame = registers.FRAME_POINTER_FIELD[self.arch]
        if pcs:
            self.field("corosh::detail::SavedContext", saved, resume, pcs[0])
        self.field("corosh::detail::SavedContext", saved, frame, fp)
        self.field("corosh::detail::SavedContext", saved, registers.STACK_POINTER_FIELD[self.arch], fp - 16)
        if fault:
            signal, address, fault_pc = fault
            put("fault_signal", signal)
            put("fault_address", address)
            put("fault_pc", fault_pc)
            put("fault_fp", fp)
        return control

    def function(self, low, high, *frames):
        self.symbols.append((low, high, list(frames)))

    # -- the Reader ----------------------------------------------------------------------
    def pointer_size(self):
        return POINTER

    def global_value(self, name):
        if name == "corosh_registry_threads":
            return None if self.head_address is None else int.from_bytes(self.read(self.head_address, POINTER), "little")
        return self.globals.get(name)

    def layout(self, type_name):
        if type_name not in self.layouts:
            raise ModelError("no debug info for %s" % type_name)
        return self.layouts[type_name]

    def enumerators(self, type_name):
        return STATES if type_name == "corosh::State" else ENDINGS

    def read(self, address, size):
        self.reads += 1
        for start, data in self.regions:
            if start <= address and address + size <= start + len(data):
                return bytes(data[address - start:address - start + size])
        raise ModelError("cannot read %d bytes at 0x%x" % (size, address))

    def source_frames(self, pc, after_call):
        lookup = pc - 1 if after_call else pc
        for low, high, frames in self.symbols:
            if low <= lookup < high:
                return frames
        return []


RUNTIME_SWITCH = SourceFrame("corosh::detail::switch_context(corosh::detail::ContextRecord*)", "switch.hpp", 92,
                             path="/src/core/include/corosh/detail/switch.hpp")


def user(function, line, file="walk.cpp"):
    return SourceFrame(function, file, line, path="/home/me/app/" + file)


def program_with_a_recursion(arch="x86_64"):
    """One thread: a coroutine parked three calls deep, one never started, one dead; a
    second thread with a generator whose yield was inlined into the user's function."""
    p = FakeProgram(arch)
    p.function(0x1000, 0x1100, RUNTIME_SWITCH, SourceFrame("corosh::yield()", "coroutine.hpp", 119),
               user("walk(int)", 14))
    p.function(0x1100, 0x1200, user("walk(int)", 16))
    p.function(0x1200, 0x1300, SourceFrame("corosh::detail::entry(void*)", "coroutine.cpp", 98))
    p.function(0x1300, 0x1400, SourceFrame("corosh_trampoline", "switch_x86_64.S", 119))
    # LLDB names inlined std functions without their namespace: known by their header.
    p.function(0x2000, 0x2100, RUNTIME_SWITCH,
               SourceFrame("operator()<int>", "invoke.h", 61, path="/usr/include/c++/12/bits/invoke.h"),
               SourceFrame("corosh::detail::Body<F>::run()", "control.hpp", 95, mangled="_ZN6corosh6detail4Body3runEv"))
    p.function(0x3000, 0x3100, RUNTIME_SWITCH, user("produce(corosh::Sink<int> &)", 23, "gen.cpp"))
    deep = p.coroutine(1, b"deep", pcs=[0x1010, 0x1110, 0x1110, 0x1210, 0x1310])
    fresh = p.coroutine(2, b"fresh", state=0, pcs=[0x1300])
    dead = p.coroutine(3, b"done", state=4, ending=1)
    plumbing = p.coroutine(4, b"", state=3, pcs=[0x2010, 0x1210, 0x1310])
    generator = p.coroutine(5, b"gen", wait=b"fd 7 readable", pcs=[0x3010, 0x1210, 0x1310])
    p.registry([[deep, fresh, dead, plumbing], [generator]])
    return p


def rows(lines):
    """`coro list` lines as lists of cells (split at the column gap)."""
    import re
    return [re.split(r"\s{2,}", line.strip()) for line in lines]


class Listing(unittest.TestCase):
    def setUp(self):
        self.runtime = Runtime(program_with_a_recursion())

    def test_every_thread_every_coroutine_in_order(self):
        self.assertEqual([c.id for c in self.runtime.coroutines()], [1, 2, 3, 4, 5])

    def test_rows(self):
        table = rows(views.list_lines(self.runtime))
        self.assertEqual(table[0], ["ID", "NAME", "STATE", "WAITING FOR", "PARKED AT"])
        self.assertEqual(table[1], ["1", "deep", "suspended", "-", "walk(int) at walk.cpp:14"])
        self.assertEqual(table[2], ["2", "fresh", "created", "-", "not started"])
        self.assertEqual(table[3], ["3", "done", "dead (returned)", "-", "-"])
        # Every function here is the runtime's: the real one is named, by its mangled name.
        self.assertEqual(table[4], ["4", "-", "normal", "-", "corosh::detail::Body::run() at control.hpp:95"])
        self.assertEqual(table[5], ["5", "gen", "suspended", "fd 7 readable", "produce(corosh::Sink<int>&) at gen.cpp:23"])

    def test_columns_line_up(self):
        lines = views.list_lines(self.runtime)
        starts = {line.index(cell) for line, cell in zip(lines, ["STATE", "suspended", "created", "dead (returned)"])}
        self.assertEqual(len(starts), 1, lines)
        ids_end = {len(line.split("  ")[0]) for line in lines}
        self.assertEqual(len(ids_end), 1, lines)  # right-aligned

    def test_no_coroutines(self):
        p = FakeProgram()
        p.registry([])
        self.assertEqual(views.list_lines(Runtime(p)), ["no coroutines"])

    def test_program_without_the_runtime(self):
        with self.assertRaisesRegex(ModelError, "does not use the corosh runtime"):
            Runtime(FakeProgram()).coroutines()

    def test_one_read_per_control_record(self):
        p = program_with_a_recursion()
        Runtime(p).coroutines()
        # The head, two thread registries, five records and their five links.
        self.assertEqual(p.reads, 1 + 2 + 5 + 5)


class Capacities(unittest.TestCase):
    def test_names_are_read_up_to_their_capacity_in_the_layout(self):
        for capacity in (20, 48, 5):
            p = FakeProgram(name_capacity=capacity, wait_capacity=capacity + 3)
            long_name = b"n" * capacity       # no terminating zero: fills the field
            control = p.coroutine(1, long_name, wait=b"w" * (capacity + 3))
            p.registry([[control]])
            c = Runtime(p).coroutines()[0]
            self.assertEqual(c.name, "n" * capacity)
            self.assertEqual(c.wait_reason, "w" * (capacity + 3))
            self.assertEqual(c.id, 1)  # the field after the name was not overrun

    def test_a_missing_field_is_a_clear_error(self):
        p = program_with_a_recursion()
        del p.layouts["corosh::detail::Control"].fields["switches"]
        with self.assertRaisesRegex(ModelError, "no field `switches`"):
            Runtime(p).coroutines()


class DamagedPrograms(unittest.TestCase):
    def test_a_loop_in_the_coroutine_list_ends(self):
        p = FakeProgram()
        a, b = p.coroutine(1, b"a"), p.coroutine(2, b"b")
        p.registry([[a, b]])
        p.field("corosh::detail::Control", b, "registry_next", a)  # b -> a -> b ...
        self.assertEqual([c.id for c in Runtime(p).coroutines()], [1, 2])

    def test_a_loop_in_the_thread_list_ends(self):
        p = FakeProgram()
        p.registry([[p.coroutine(1)], [p.coroutine(2)]])
        first = int.from_bytes(p.read(p.head_address, 8), "little")
        second = int.from_bytes(p.read(first + p.layouts["corosh::detail::ThreadRegistry"].fields["next_thread"].offset,
                                       8), "little")
        p.field("corosh::detail::ThreadRegistry", second, "next_thread", first)
        self.assertEqual([c.id for c in Runtime(p).coroutines()], [1, 2])

    def test_a_frame_chain_leaving_the_stack_stops(self):
        p = program_with_a_recursion()
        runtime = Runtime(p)
        deep = runtime.find("deep")
        top = runtime.frames(deep)
        self.assertEqual([f.pc for f in top], [0x1010, 0x1110, 0x1110, 0x1210, 0x1310])
        # Point the second record outside the stack: the walk stops there.
        fp = deep.registers["rbp"]
        p.poke(fp, 0x99990000)
        self.assertEqual([f.pc for f in runtime.frames(runtime.find("deep"))], [0x1010, 0x1110])

    def test_a_frame_chain_going_down_the_stack_stops(self):
        p = program_with_a_recursion()
        runtime = Runtime(p)
        fp = runtime.find("deep").registers["rbp"]
        p.poke(fp, fp - 64)  # a "caller" below its callee
        self.assertEqual(len(runtime.frames(runtime.find("deep"))), 2)

    def test_unreadable_memory_ends_the_walk(self):
        p = program_with_a_recursion()
        runtime = Runtime(p)
        deep = runtime.find("deep")
        deep.stack_size += 0x100000  # bounds that take in unmapped memory
        p.poke(deep.registers["rbp"], deep.stack_base + deep.stack_size - 8)
        self.assertEqual(len(runtime.frames(deep)), 2)


class Finding(unittest.TestCase):
    def setUp(self):
        p = program_with_a_recursion()
        self.twin = p.coroutine(6, b"gen", state=0)
        self.runtime = Runtime(p)

    def test_by_id_and_by_name(self):
        self.assertEqual(self.runtime.find("5").name, "gen")
        self.assertEqual(self.runtime.find(" deep ").id, 1)

    def test_errors(self):
        with self.assertRaisesRegex(ModelError, "no coroutine with id 99"):
            self.runtime.find("99")
        with self.assertRaisesRegex(ModelError, "no coroutine named 'nobody'"):
            self.runtime.find("nobody")
        with self.assertRaisesRegex(ModelError, "which coroutine"):
            self.runtime.find("")

    def test_an_ambiguous_name_asks_for_an_id(self):
        p = FakeProgram()
        p.registry([[p.coroutine(1, b"twin"), p.coroutine(2, b"twin")]])
        with self.assertRaisesRegex(ModelError, "2 coroutines are named 'twin': use an id"):
            Runtime(p).find("twin")


class Backtraces(unittest.TestCase):
    def setUp(self):
        self.runtime = Runtime(program_with_a_recursion())

    def test_frames_named_by_the_users_function_at_its_own_line(self):
        lines = views.backtrace_lines(self.runtime, self.runtime.find("deep"))
        self.assertEqual(lines[0], "coro 1 deep (suspended, 16 KiB stack)")
        self.assertEqual(lines[1:], [
            "  frame #0: 0x0000000000001010 walk(int) at walk.cpp:14",
            "  frame #1: 0x0000000000001110 walk(int) at walk.cpp:16",
            "  frame #2: 0x0000000000001110 walk(int) at walk.cpp:16",
            "  frame #3: 0x0000000000001210 corosh::detail::entry(void*) at coroutine.cpp:98",
            "  frame #4: 0x0000000000001310 corosh_trampoline at switch_x86_64.S:119",
        ])

    def test_only_frame_zero_of_a_created_coroutine_is_no_return_address(self):
        frames = self.runtime.frames(self.runtime.find("fresh"))
        self.assertEqual([(f.pc, f.after_call) for f in frames], [(0x1300, False)])
        self.assertTrue(all(f.after_call for f in self.runtime.frames(self.runtime.find("deep"))))

    def test_dead_and_running_coroutines_have_no_parked_stack(self):
        with self.assertRaisesRegex(ModelError, r"coroutine 3 has no parked stack: it is dead \(returned\)"):
            views.backtrace_lines(self.runtime, self.runtime.find("done"))

    def test_unknown_code_is_named_by_its_address(self):
        p = FakeProgram()
        p.registry([[p.coroutine(1, pcs=[0xdead0])]])
        runtime = Runtime(p)
        self.assertEqual(views.backtrace_lines(runtime, runtime.find("1"))[1],
                         "  frame #0: 0x00000000000dead0 0xdead0")


class Faults(unittest.TestCase):
    """A coroutine the fault handler recorded: running (the process died of it, as a core
    file shows it) or dead (faulted, contained)."""

    def program(self, state, ending):
        p = FakeProgram()
        p.function(0x4000, 0x4100, user("crash(int*)", 30, "crash.cpp"))
        p.function(0x1200, 0x1300, SourceFrame("corosh::detail::entry(void*)", "coroutine.cpp", 98))
        crashed = p.coroutine(1, b"crasher", state=state, ending=ending, pcs=[0x9999, 0x1210],
                              fault=(11, 0x10, 0x4010))
        p.registry([[crashed]])
        return Runtime(p)

    def test_dying_of_a_fault(self):
        runtime = self.program(state=2, ending=0)
        table = rows(views.list_lines(runtime))
        self.assertEqual(table[1], ["1", "crasher", "running (SIGSEGV at 0x10)", "-", "crash(int*) at crash.cpp:30"])
        lines = views.backtrace_lines(runtime, runtime.find("crasher"))
        self.assertEqual(lines[0], "coro 1 crasher (running (SIGSEGV at 0x10), 16 KiB stack), frames at the fault")
        # Frame 0 is the faulting instruction itself, not a return address.
        self.assertEqual(lines[1], "  frame #0: 0x0000000000004010 crash(int*) at crash.cpp:30")
        self.assertEqual(lines[2], "  frame #1: 0x0000000000001210 corosh::detail::entry(void*) at coroutine.cpp:98")

    def test_a_contained_fault(self):
        runtime = self.program(state=4, ending=4)
        self.assertEqual(rows(views.list_lines(runtime))[1][2], "dead (faulted)")
        self.assertIn("frames at the fault", views.backtrace_lines(runtime, runtime.find("1"))[0])
        with self.assertRaisesRegex(ModelError, "only a parked coroutine has saved registers"):
            views.registers_lines(runtime.find("1"))


class Registers(unittest.TestCase):
    def test_saved_registers_in_layout_order(self):
        runtime = Runtime(program_with_a_recursion())
        lines = views.registers_lines(runtime.find("deep"))
        self.assertRegex(lines[0], r"^coro 1 deep saved registers at 0x[0-9a-f]+:$")
        self.assertEqual([line.split()[0] for line in lines[1:]],
                         [name for name, _ in SAVED_FIELDS["x86_64"]])
        self.assertIn("  rip    = 0x0000000000001010", lines)

    def test_x86_64_machine_registers(self):
        p = FakeProgram("x86_64")
        found = {r.name: r for r in Runtime(p).machine_registers()}
        # The full-width slots with a DWARF number (not mxcsr, fpucw, pad), numbered as
        # the program's table says.
        self.assertEqual(list(found), ["rbx", "rbp", "r12", "r13", "r14", "r15", "rsp", "rip"])
        self.assertEqual([r.dwarf for r in found.values()], list(range(200, 208)))
        self.assertEqual((found["rip"].role, found["rsp"].role, found["rbp"].role, found["rbx"].role),
                         ("pc", "sp", "fp", None))
        self.assertEqual(found["rsp"].offset, p.layouts["corosh::detail::SavedContext"].fields["rsp"].offset)

    def test_arm64_resumes_at_lr(self):
        p = FakeProgram("arm64")
        p.function(0x1000, 0x1100, user("walk(int)", 14))
        p.registry([[p.coroutine(1, b"a", pcs=[0x1010])]])
        runtime = Runtime(p)
        self.assertEqual(runtime.arch, "arm64")
        self.assertEqual(runtime.parked_at(runtime.find("a")), "walk(int) at walk.cpp:14")
        found = {r.name: r for r in runtime.machine_registers()}
        self.assertEqual((found["pc"].field, found["pc"].dwarf, found["pc"].role), ("lr", 32, "pc"))
        self.assertEqual((found["lr"].dwarf, found["lr"].role), (211, "ra"))
        self.assertEqual((found["fp"].dwarf, found["sp"].dwarf, found["d8"].dwarf), (210, 212, 213))
        self.assertNotIn("d15", found)  # the last slot has no DWARF number in this table

    def test_a_program_without_the_table(self):
        p = FakeProgram()
        del p.globals["corosh_saved_register_count"]
        with self.assertRaisesRegex(ModelError, "no `corosh_saved_register_slots`"):
            Runtime(p).machine_registers()


class Summaries(unittest.TestCase):
    def test_summary_of_a_record(self):
        p = program_with_a_recursion()
        runtime = Runtime(p)
        generator = runtime.find("gen")
        again = runtime.coroutine_at(generator.control_address)
        self.assertEqual(views.summary(again), "id=5 name='gen' state=suspended waiting for fd 7 readable")
        self.assertEqual(views.summary(runtime.find("done")), "id=3 name='done' state=dead (returned)")


class Names(unittest.TestCase):
    def test_both_debuggers_spellings_agree(self):
        self.assertEqual(names.canonical("f(std::tuple<int> >, void *, char const &)"),
                         "f(std::tuple<int>>, void*, char const&)")
        self.assertEqual(names.canonical("g(int (*&)(int, int))"), "g(int (*&)(int, int))")

    def test_clones_are_named_as_their_function(self):
        self.assertEqual(names.canonical("x", "_Z7descendii.constprop.0.isra.0"), "descend(int, int)")
        self.assertEqual(names.canonical("f(int) [clone .cold]"), "f(int)")

    def test_runtime_frames(self):
        self.assertTrue(names.is_runtime("int std::__invoke_impl<int>(std::__invoke_other, int&&)"))
        self.assertTrue(names.is_runtime("decltype(auto) std::apply<F>(F&&)"))
        self.assertTrue(names.is_runtime("corosh_trampoline"))
        self.assertTrue(names.is_runtime("apply<F>", "/usr/include/c++/12/tuple"))
        self.assertFalse(names.is_runtime("(anonymous namespace)::preorder(Node const*)"))
        self.assertFalse(names.is_runtime("main::{lambda()#1}::operator()() const", "/home/me/corosh/demo.cpp"))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[1:])
