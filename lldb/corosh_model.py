"""corosh_model — reading the corosh runtime's coroutines out of a stopped process.

Shared by the `coro` commands (corosh.py) and the OS plugin (corosh_threads.py).
Everything is found through debug information: the global registry list
`corosh_registry_threads`, the `corosh::detail::Control` records it links, and
the saved registers in `corosh::detail::SavedContext`, read field by field. No
offset is written in this file; when the C++ structs change, this follows.
"""

import lldb

REGISTRY_SYMBOL = "corosh_registry_threads"
RUNTIME_PREFIXES = ("corosh::", "corosh_")

# Registers of a suspended context: (field in SavedContext, register name,
# DWARF number, generic role). Offsets come from debug info at run time.
X86_64_REGISTERS = [
    ("rbx", "rbx", 3, None),
    ("rbp", "rbp", 6, "fp"),
    ("rsp", "rsp", 7, "sp"),
    ("r12", "r12", 12, None),
    ("r13", "r13", 13, None),
    ("r14", "r14", 14, None),
    ("r15", "r15", 15, None),
    ("rip", "rip", 16, "pc"),
]
ARM64_REGISTERS = [("x%d" % n, "x%d" % n, n, None) for n in range(19, 29)] + [
    ("fp", "fp", 29, "fp"),
    ("lr", "lr", 30, "ra"),
    ("sp", "sp", 31, "sp"),
    ("lr", "pc", 32, "pc"),  # a suspended context resumes at its saved lr
] + [("d%d" % n, "d%d" % n, 64 + n, None) for n in range(8, 16)]

# States whose saved registers describe where the coroutine is parked.
PARKED_STATES = ("created", "suspended", "normal")


class ModelError(Exception):
    """A problem to report to the user as a command error."""


def check_stopped(process):
    if process is None or not process.IsValid():
        raise ModelError("no process: run the program first (corosh reads a live process)")
    if process.GetState() != lldb.eStateStopped:
        raise ModelError("the process is not stopped (interrupt it first, e.g. with Ctrl-C or `process interrupt`)")


def registry_head(target):
    head = target.FindFirstGlobalVariable(REGISTRY_SYMBOL)
    if not head.IsValid():
        raise ModelError("this program does not use the corosh runtime (no `%s` symbol with debug info)" % REGISTRY_SYMBOL)
    return head


def _unsigned(value, field):
    return value.GetChildMemberWithName(field).GetValueAsUnsigned()


def _c_string(process, value, field, capacity):
    member = value.GetChildMemberWithName(field)
    error = lldb.SBError()
    text = process.ReadCStringFromMemory(member.GetLoadAddress(), capacity, error)
    return text if error.Success() else ""


def _pointer_string(process, value, field):
    address = _unsigned(value, field)
    if address == 0:
        return ""
    error = lldb.SBError()
    text = process.ReadCStringFromMemory(address, 4096, error)
    return text if error.Success() else ""


class Coroutine:
    """One coroutine, as found in the process."""

    def __init__(self, process, control):
        self.process = process
        self.control = control  # SBValue of corosh::detail::Control (not a pointer)
        self.id = _unsigned(control, "id")
        self.name = _c_string(process, control, "name", 48)
        self.state = control.GetChildMemberWithName("state").GetValue() or "?"
        self.ending = control.GetChildMemberWithName("ending").GetValue() or "?"
        self.wait_reason = _c_string(process, control, "wait_reason", 64)
        self.switches = _unsigned(control, "switches")
        self.site_file = _pointer_string(process, control, "site_file")
        self.site_line = _unsigned(control, "site_line")
        stack = control.GetChildMemberWithName("stack")
        self.stack_base = _unsigned(stack, "base")
        self.stack_size = _unsigned(stack, "size")
        self.registers_value = control.GetChildMemberWithName("context").GetChildMemberWithName("registers")

    @property
    def parked(self):
        return self.state in PARKED_STATES

    @property
    def registers_address(self):
        return self.registers_value.GetLoadAddress()

    def register(self, field):
        return _unsigned(self.registers_value, field)

    def label(self):
        return "coro %d %s" % (self.id, self.name) if self.name else "coro %d" % self.id


def coroutines(target, process):
    """Every coroutine of every thread, oldest first per thread."""
    check_stopped(process)
    found = []
    thread_registry = registry_head(target)
    seen = set()
    while thread_registry.GetValueAsUnsigned() != 0:
        registry = thread_registry.Dereference()
        control = registry.GetChildMemberWithName("first")
        while control.GetValueAsUnsigned() != 0:
            address = control.GetValueAsUnsigned()
            if address in seen:  # a torn list in a damaged process: stop, don't loop
                break
            seen.add(address)
            record = control.Dereference()
            found.append(Coroutine(process, record))
            control = record.GetChildMemberWithName("registry_next")
        thread_registry = registry.GetChildMemberWithName("next_thread")
    return found


def find(target, process, text):
    """The coroutine named by an id (or a unique name)."""
    text = text.strip()
    if not text:
        raise ModelError("which coroutine? give an id (see `coro list`)")
    all_coroutines = coroutines(target, process)
    if text.isdigit():
        for c in all_coroutines:
            if c.id == int(text):
                return c
        raise ModelError("no coroutine with id %s (`coro list` shows the live ones)" % text)
    named = [c for c in all_coroutines if c.name == text]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ModelError("no coroutine named '%s' (`coro list` shows the live ones)" % text)
    raise ModelError("%d coroutines are named '%s': use an id" % (len(named), text))


def register_layout(target):
    """[(name, offset, dwarf, generic)] for this target's SavedContext."""
    saved = target.FindFirstType("corosh::detail::SavedContext")
    if not saved.IsValid():
        raise ModelError("no debug info for corosh::detail::SavedContext")
    offsets = {f.GetName(): f.GetOffsetInBytes() for f in saved.get_fields_array()}
    table = X86_64_REGISTERS if "rip" in offsets else ARM64_REGISTERS
    return [(name, offsets[field], dwarf, generic) for field, name, dwarf, generic in table]


def is_arm64(target):
    return "rip" not in {f.GetName() for f in target.FindFirstType("corosh::detail::SavedContext").get_fields_array()}


def resume_address(target, coroutine):
    return coroutine.register("lr" if is_arm64(target) else "rip")


def frame_pointer(target, coroutine):
    return coroutine.register("fp" if is_arm64(target) else "rbp")


def walk_frames(target, process, coroutine, limit=256):
    """[pc, ...] of a parked coroutine: its resume address, then the return
    addresses along the frame-pointer chain, down to the zeroed frame record."""
    pcs = [resume_address(target, coroutine)]
    fp = frame_pointer(target, coroutine)
    size = target.GetAddressByteSize()
    low, high = coroutine.stack_base, coroutine.stack_base + coroutine.stack_size
    error = lldb.SBError()
    while fp != 0 and len(pcs) < limit:
        if not (low <= fp < high):
            break  # left the coroutine's stack: the chain is damaged
        next_fp = process.ReadPointerFromMemory(fp, error)
        if not error.Success():
            break
        ret = process.ReadPointerFromMemory(fp + size, error)
        if not error.Success() or ret == 0:
            break
        pcs.append(ret)
        if next_fp <= fp:
            break  # frames must go up the stack; anything else is a loop
        fp = next_fp
    return pcs


def describe_pc(target, pc, is_return_address):
    """(function, 'file:line' or '') for a code address."""
    # A return address points after the call; look up the call itself.
    lookup = pc - 1 if is_return_address else pc
    address = target.ResolveLoadAddress(lookup)
    context = target.ResolveSymbolContextForAddress(
        address, lldb.eSymbolContextFunction | lldb.eSymbolContextSymbol | lldb.eSymbolContextLineEntry |
        lldb.eSymbolContextBlock)
    function = ""
    if context.GetFunction().IsValid():
        function = context.GetFunction().GetDisplayName() or context.GetFunction().GetName()
    elif context.GetSymbol().IsValid():
        function = context.GetSymbol().GetDisplayName() or context.GetSymbol().GetName()
    line = context.GetLineEntry()
    where = ""
    if line.IsValid() and line.GetFileSpec().IsValid():
        where = "%s:%d" % (line.GetFileSpec().GetFilename(), line.GetLine())
    # resume() and yield() are inlined, so the line entry of a parked
    # coroutine's pc is inside the runtime's header; the outermost inlined
    # call site is the line of the function we name.
    block = context.GetBlock().GetContainingInlinedBlock() if context.GetBlock().IsValid() else None
    while block is not None and block.IsValid():
        site = block.GetInlinedCallSiteFile()
        if site.IsValid() and block.GetInlinedCallSiteLine() > 0:
            where = "%s:%d" % (site.GetFilename(), block.GetInlinedCallSiteLine())
        block = block.GetParent().GetContainingInlinedBlock() if block.GetParent().IsValid() else None
    return (function or "0x%x" % pc), where


def is_return_address(coroutine, index):
    """Whether frame `index` of a parked coroutine holds a return address.
    Frame 0 does too: the saved resume address follows the call into the
    switch. Only a coroutine that never ran starts exactly at its entry."""
    return index > 0 or coroutine.state != "created"


def parked_at(target, process, coroutine):
    """Where a parked coroutine's own code stopped: the first frame outside
    the runtime, as 'function at file:line'."""
    if not coroutine.parked:
        return ""
    pcs = walk_frames(target, process, coroutine)
    for index, pc in enumerate(pcs):
        function, where = describe_pc(target, pc, is_return_address(coroutine, index))
        if not function.startswith(RUNTIME_PREFIXES) and not function.startswith("std::"):
            return "%s at %s" % (function, where) if where else function
    if coroutine.state == "created":
        return "not started"
    function, where = describe_pc(target, pcs[0], False)
    return "%s at %s" % (function, where) if where else function
