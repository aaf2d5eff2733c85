"""The corosh runtime's coroutines, read out of a stopped process or a core file.

Debugger-neutral: everything comes through a Reader (reader.py). The coroutines are found
from the global list `corosh_registry_threads` (core/runtime/src/registry_internal.hpp): each
thread's corosh::detail::ThreadRegistry links the corosh::detail::Control records of its
coroutines. Each record is read in one piece and decoded field by field with the layout
from debug information; no offset, size or capacity is written here.
"""

import signal
from dataclasses import dataclass

from . import names, registers
from .reader import ModelError
from .registers import COUNT_SYMBOL, FRAME_POINTER_FIELD, REGISTER_SLOT, RESUME_FIELD, SLOTS_SYMBOL, architecture

REGISTRY_SYMBOL = "corosh_registry_threads"
THREAD_REGISTRY = "corosh::detail::ThreadRegistry"
CONTROL = "corosh::detail::Control"
CONTEXT_RECORD = "corosh::detail::ContextRecord"
SAVED_CONTEXT = "corosh::detail::SavedContext"
STACK = "corosh::detail::Stack"
STATE = "corosh::State"
ENDING = "corosh::Ending"

# States whose saved registers describe where the coroutine is parked.
PARKED_STATES = ("created", "suspended", "normal")
# A damaged process must not send the walks round in circles.
MAX_COROUTINES = 1 << 20
MAX_FRAMES = 256


def _unsigned(data, f):
    # Both supported targets are little-endian.
    return int.from_bytes(data[f.offset:f.offset + f.size], "little")


def _signed(data, f):
    return int.from_bytes(data[f.offset:f.offset + f.size], "little", signed=True)


def _text(data, f):
    raw = data[f.offset:f.offset + f.size]
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


@dataclass
class Fault:
    """What the runtime's fault handler recorded about a SIGSEGV/SIGBUS in a coroutine."""
    signal: int
    address: int
    pc: int
    sp: int
    fp: int

    def text(self):
        return "%s at 0x%x" % (signal_name(self.signal), self.address)


@dataclass
class Coroutine:
    """One coroutine, as found in the program's memory."""
    control_address: int
    id: int
    name: str
    state: str
    ending: str
    wait_reason: str
    switches: int
    stack_base: int
    stack_size: int
    registers_address: int
    registers: dict        # SavedContext field -> value, in declaration order
    fault: Fault = None    # set while a fault is being handled, or after a contained one

    @property
    def parked(self):
        return self.state in PARKED_STATES

    @property
    def faulted(self):
        """Whether its frames are the ones at a fault (it died of one, or the process did)."""
        return self.fault is not None and self.state in ("running", "dead")

    def label(self):
        return "coro %d %s" % (self.id, self.name) if self.name else "coro %d" % self.id


@dataclass(frozen=True)
class Described:
    """A frame as the user sees it: function, 'file:line' (or ''), whether it is the runtime's."""
    function: str
    where: str
    runtime: bool

    def text(self):
        return "%s at %s" % (self.function, self.where) if self.where else self.function


@dataclass(frozen=True)
class StackFrame:
    """One frame of a coroutine's stack: its code address, and whether that follows a call."""
    pc: int
    after_call: bool


class Runtime:
    """The corosh runtime of one stopped program, read through `reader`."""

    def __init__(self, reader):
        self.reader = reader
        self._layouts = {}
        self._enums = {}

    def layout(self, type_name):
        if type_name not in self._layouts:
            self._layouts[type_name] = self.reader.layout(type_name)
        return self._layouts[type_name]

    def _enum_name(self, type_name, value):
        if type_name not in self._enums:
            self._enums[type_name] = {v: n.rsplit("::", 1)[-1] for v, n in self.reader.enumerators(type_name).items()}
        return self._enums[type_name].get(value, "?")

    def _pointer(self, address):
        size = self.reader.pointer_size()
        return int.from_bytes(self.reader.read(address, size), "little")

    @property
    def arch(self):
        return architecture(self.layout(SAVED_CONTEXT))

    def register_slots(self):
        """[(offset, size, DWARF number or -1)] of the runtime's saved-register table."""
        table, count = self.reader.global_value(SLOTS_SYMBOL), self.reader.global_value(COUNT_SYMBOL)
        if table is None or count is None:
            raise ModelError("the program has no `%s`: its corosh runtime is older than these scripts" % SLOTS_SYMBOL)
        if not 0 < count <= 64:
            raise ModelError("`%s` says %d saved registers: a damaged program?" % (COUNT_SYMBOL, count))
        slot = self.layout(REGISTER_SLOT)
        data = self.reader.read(table, slot.size * count)
        return [(_unsigned(d, slot["offset"]), _unsigned(d, slot["size"]), _signed(d, slot["dwarf"]))
                for d in (data[i * slot.size:(i + 1) * slot.size] for i in range(count))]

    def machine_registers(self):
        """[registers.Register] a debugger unwinds a suspended context with."""
        return registers.machine_registers(self.layout(SAVED_CONTEXT), self.register_slots())

    def _registry_head(self):
        head = self.reader.global_value(REGISTRY_SYMBOL)
        if head is None:
            raise ModelError("this program does not use the corosh runtime (no `%s` symbol with debug info)"
                             % REGISTRY_SYMBOL)
        return head

    def coroutine_at(self, address):
        """The coroutine whose control record is at `address`."""
        control = self.layout(CONTROL)
        data = self.reader.read(address, control.size)
        context = self.layout(CONTEXT_RECORD)
        saved = self.layout(SAVED_CONTEXT)
        stack = self.layout(STACK)
        registers_offset = control["context"].offset + context["registers"].offset
        saved_values = {name: _unsigned(data[registers_offset:], f) for name, f in saved.fields.items()}
        stack_data = data[control["stack"].offset:]
        fault = None
        if _unsigned(data, control["fault_signal"]) != 0:
            fault = Fault(*(_unsigned(data, control[f])
                            for f in ("fault_signal", "fault_address", "fault_pc", "fault_sp", "fault_fp")))
        return Coroutine(
            control_address=address,
            id=_unsigned(data, control["id"]),
            name=_text(data, control["name"]),
            state=self._enum_name(STATE, _unsigned(data, control["state"])),
            ending=self._enum_name(ENDING, _unsigned(data, control["ending"])),
            wait_reason=_text(data, control["wait_reason"]),
            switches=_unsigned(data, control["switches"]),
            stack_base=_unsigned(stack_data, stack["base"]),
            stack_size=_unsigned(stack_data, stack["size"]),
            registers_address=address + registers_offset,
            registers=saved_values,
            fault=fault,
        )

    def coroutines(self):
        """Every coroutine of every thread, oldest first per thread."""
        thread = self._registry_head()
        threads = self.layout(THREAD_REGISTRY)
        control = self.layout(CONTROL)
        found, seen = [], set()
        while thread != 0 and thread not in seen:
            seen.add(thread)
            data = self.reader.read(thread, threads.size)
            address = _unsigned(data, threads["first"])
            while address != 0 and address not in seen and len(found) < MAX_COROUTINES:
                seen.add(address)  # a torn list in a damaged process: stop, don't loop
                c = self.coroutine_at(address)
                found.append(c)
                address = self._pointer(address + control["registry_next"].offset)
            thread = _unsigned(data, threads["next_thread"])
        return found

    def find(self, text):
        """The coroutine named by an id (or a unique name)."""
        text = text.strip()
        if not text:
            raise ModelError("which coroutine? give an id (see `coro list`)")
        everyone = self.coroutines()
        if text.isdigit():
            for c in everyone:
                if c.id == int(text):
                    return c
            raise ModelError("no coroutine with id %s (`coro list` shows the live ones)" % text)
        named = [c for c in everyone if c.name == text]
        if len(named) == 1:
            return named[0]
        if not named:
            raise ModelError("no coroutine named '%s' (`coro list` shows the live ones)" % text)
        raise ModelError("%d coroutines are named '%s': use an id" % (len(named), text))

    def frames(self, c, limit=MAX_FRAMES):
        """[StackFrame] of a parked or faulted coroutine, innermost first: where it resumes
        (or faulted), then the return addresses along the frame-pointer chain, down to the
        zeroed frame record at the bottom of its stack."""
        if c.faulted:
            pc, fp, after_call = c.fault.pc, c.fault.fp, False
        elif c.parked:
            arch = self.arch
            pc, fp = c.registers[RESUME_FIELD[arch]], c.registers[FRAME_POINTER_FIELD[arch]]
            # The saved resume address follows the call into the switch; only a coroutine
            # that never ran starts exactly at its entry.
            after_call = c.state != "created"
        else:
            return []
        frames = [StackFrame(pc, after_call)]
        size = self.reader.pointer_size()
        low, high = c.stack_base, c.stack_base + c.stack_size
        while fp != 0 and len(frames) < limit:
            if not (low <= fp < high):
                break  # left the coroutine's stack: the chain is damaged
            try:
                record = self.reader.read(fp, 2 * size)
            except ModelError:
                break
            next_fp = int.from_bytes(record[:size], "little")
            ret = int.from_bytes(record[size:], "little")
            if ret == 0:
                break
            frames.append(StackFrame(ret, True))
            if next_fp <= fp:
                break  # frames must go up the stack; anything else is a loop
            fp = next_fp
        return frames

    def describe(self, frame):
        """Frame naming one frame of a stack: the outermost of the functions at its address
        that is not the runtime's (the user's code, where the runtime was inlined into it),
        else the real function; each at its own line."""
        found = self.reader.source_frames(frame.pc, frame.after_call)
        named = []
        for s in found:
            function = names.canonical(s.function, s.mangled)
            named.append(Described(function, "%s:%d" % (s.file, s.line) if s.file and s.line else "",
                                   names.is_runtime(function, s.path)))
        users = [d for d in named if not d.runtime]
        if users:
            return users[-1]
        return named[-1] if named else Described("0x%x" % frame.pc, "", False)

    def parked_at(self, c):
        """Where a parked (or faulted) coroutine's own code stopped: the first frame
        outside the runtime, as 'function at file:line'."""
        if not (c.parked or c.faulted):
            return ""
        first = None
        for frame in self.frames(c):
            described = self.describe(frame)
            first = first or described
            if not described.runtime:
                return described.text()
        if c.state == "created":
            return "not started"
        return first.text() if first else "?"
