"""corosh_frames — standing in a parked coroutine's frames in gdb (`coro frame ID [N]`).

gdb has no way for a script to add threads, so a parked coroutine cannot become one as it
does in LLDB's OS plugin. Instead a frame unwinder, while a coroutine is chosen, says that
the caller of the thread's innermost real frame is the coroutine's saved context: gdb then
unwinds the coroutine's stack with its own DWARF unwinder, from the registers the switch
saved, and `bt`, `up`, `down`, `info locals`, `print` and `info frame` work in its frames.
Nothing in the program changes (no register is written), so it works on core files too.

The thread's own innermost frame stays frame #0, without its CFA-relative locals while a
coroutine is chosen (see CoroutineUnwinder); the coroutine's frames follow from #1. The
choice is dropped when the program resumes, or with `coro frame` alone.
"""

import gdb
import gdb.unwinder


class FrameId(object):
    """What gdb identifies a frame by (gdb 13 has no class of its own for it): gdb.Values."""

    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def gdb_register_name(arch, register):
    """gdb's name for a register of the saved context."""
    if arch == "arm64":
        return {31: "sp", 32: "pc"}.get(register.dwarf, "x%d" % register.dwarf)
    return register.name


class CoroutineUnwinder(gdb.unwinder.Unwinder):
    """Unwinds the chosen thread's innermost real frame into a parked coroutine."""

    def __init__(self):
        super().__init__("corosh")
        self.chosen = None  # (thread ptid, level of the frame to unwind, {gdb register: value})

    def choose(self, thread, level, values):
        self.chosen = (thread.ptid, level, values)
        gdb.invalidate_cached_frames()

    def drop(self, *_):
        if self.chosen is not None:
            self.chosen = None
            gdb.invalidate_cached_frames()

    def __call__(self, pending_frame):
        if self.chosen is None:
            return None
        ptid, level, values = self.chosen
        thread = gdb.selected_thread()
        if thread is None or thread.ptid != ptid or pending_frame.level() != level:
            return None
        pc_name = "pc" if "pc" in values else "rip"
        sp_name = "sp" if "sp" in values else "rsp"
        # gdb stops a backtrace at a frame whose stack address is below (inner to) the
        # frame before it, and a coroutine's stack may well lie below the thread's. So this
        # frame is identified by stack address 0, below every other. gdb also takes that
        # address for the frame's CFA: this frame's CFA-relative locals (GCC's) cannot be
        # read while a coroutine is chosen (they read as errors, not as wrong values).
        sp = pending_frame.read_register(sp_name)
        info = pending_frame.create_unwind_info(
            FrameId(gdb.Value(0).cast(sp.type), pending_frame.read_register(pc_name)))
        for name, value in values.items():
            register_type = pending_frame.read_register(name).type
            info.add_saved_register(name, gdb.Value(value).cast(register_type))
        return info


UNWINDER = CoroutineUnwinder()


def install():
    gdb.unwinder.register_unwinder(None, UNWINDER, replace=True)
    gdb.events.cont.connect(UNWINDER.drop)
    gdb.events.exited.connect(UNWINDER.drop)


def _innermost_real_level():
    """Level of the thread's innermost frame that is not an inlined one."""
    frame, level = gdb.newest_frame(), 0
    while frame is not None and frame.type() == gdb.INLINE_FRAME:
        frame, level = frame.older(), level + 1
    return level


def stand_in(runtime, c):
    """Chooses coroutine `c`: from now on the thread's frames continue into its stack.
    Returns the gdb frame of its innermost physical frame."""
    arch = runtime.arch
    # arm64's d8-d15 are halves of gdb's v8-v15, which an unwinder cannot supply in part.
    values = {gdb_register_name(arch, r): c.registers[r.field] for r in runtime.machine_registers() if r.dwarf < 64}
    UNWINDER.drop()
    level = _innermost_real_level()
    UNWINDER.choose(gdb.selected_thread(), level, values)
    frame = gdb.newest_frame()
    for _ in range(level + 1):
        frame = frame.older()
    return frame


def physical_frames(first):
    """[[gdb.Frame]] from `first` on, grouped by physical frame (inlined frames first, the
    real one last)."""
    groups, group, frame = [], [], first
    while frame is not None:
        group.append(frame)
        if frame.type() != gdb.INLINE_FRAME:
            groups.append(group)
            group = []
        frame = frame.older()
    return groups
