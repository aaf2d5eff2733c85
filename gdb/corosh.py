"""corosh.py — gdb commands and pretty printers for programs that use the corosh runtime.

Load it with one line (or put the line in ~/.gdbinit):

    source /path/to/corosh/gdb/corosh.py

Commands:
    coro list            every coroutine: id, name, state, wait reason, where it is parked
    coro bt ID|NAME      the suspended stack of a coroutine, from its saved registers
    coro regs ID|NAME    its saved registers
    coro frame ID|NAME [N]
                         stand in the coroutine's frame N (default 0): `info locals`, `up`,
                         `down`, `print` then work in its frames; `coro frame` alone goes back
Pretty printers are added for corosh::Coroutine, corosh::Generator<T> and the runtime's
control record (corosh::detail::Control). The output is the same as the LLDB scripts'
(lldb/corosh.py): both print what the debugger-neutral model (debugger/corosh_debug) says.
"""

import os
import shlex
import sys

import gdb
import gdb.printing
import gdb.types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corosh_gdb_reader as reader  # noqa: E402
import corosh_frames as frames  # noqa: E402
from corosh_debug import ModelError, names, views  # noqa: E402


def _one_coroutine(argument, usage, extra=0):
    """(runtime, coroutine, [further arguments]) for commands that take ID|NAME first."""
    args = shlex.split(argument)
    if not 1 <= len(args) <= 1 + extra:
        raise ModelError("usage: " + usage)
    runtime = reader.runtime()
    return runtime, runtime.find(args[0]), args[1:]


class _Subcommand(gdb.Command):
    """A `coro` subcommand: prints the lines `run` returns; a ModelError fails the command."""

    def __init__(self, name):
        super().__init__("coro " + name, gdb.COMMAND_STACK)

    def invoke(self, argument, from_tty):
        try:
            lines = self.run(argument)
        except ModelError as error:
            raise gdb.GdbError(str(error))
        except gdb.GdbError:
            raise
        except Exception as error:  # a bug here must fail the command, not pass silently
            raise gdb.GdbError("corosh.py: %s: %s" % (type(error).__name__, error))
        for line in lines:
            gdb.write(line + "\n")


class Coro(gdb.Command):
    """Inspect corosh coroutines: coro list, coro bt, coro regs, coro frame."""

    def __init__(self):
        super().__init__("coro", gdb.COMMAND_STACK, gdb.COMPLETE_NONE, True)


class CoroList(_Subcommand):
    """List coroutines: id, name, state, wait reason, where parked."""

    def __init__(self):
        super().__init__("list")

    def run(self, argument):
        if argument.strip():
            raise ModelError("coro list takes no arguments")
        return views.list_lines(reader.runtime())


class CoroBacktrace(_Subcommand):
    """Show a parked coroutine's stack: coro bt ID|NAME"""

    def __init__(self):
        super().__init__("bt")

    def run(self, argument):
        runtime, c, _ = _one_coroutine(argument, "coro bt ID|NAME")
        return views.backtrace_lines(runtime, c)


class CoroRegisters(_Subcommand):
    """Show a parked coroutine's saved registers: coro regs ID|NAME"""

    def __init__(self):
        super().__init__("regs")

    def run(self, argument):
        _, c, _ = _one_coroutine(argument, "coro regs ID|NAME")
        return views.registers_lines(c)


class CoroFrame(_Subcommand):
    """Stand in a parked coroutine's frame: coro frame ID|NAME [N]; `coro frame` alone goes back.

N counts frames as `coro bt` does. While a coroutine is chosen, the thread's frames go on
into the coroutine's stack after the thread's own frame #0: `bt`, `up`, `down`, `frame`,
`info locals` and `print` work there. Resuming the program drops the choice."""

    def __init__(self):
        super().__init__("frame")

    def run(self, argument):
        if not argument.strip():
            frames.UNWINDER.drop()
            gdb.execute("frame 0")
            return []
        runtime, c, rest = _one_coroutine(argument, "coro frame ID|NAME [N]", extra=1)
        if not c.parked:
            raise ModelError("coroutine %d is %s: only a parked coroutine has frames to stand in" % (c.id, c.state))
        if c.state == "created":
            raise ModelError("coroutine %d has not started: it has no frames of its own yet" % c.id)
        if rest and not rest[0].isdigit():
            raise ModelError("usage: coro frame ID|NAME [N] (N: a frame number from `coro bt`)")
        wanted = int(rest[0]) if rest else 0
        groups = frames.physical_frames(frames.stand_in(runtime, c))
        if wanted >= len(groups):
            frames.UNWINDER.drop()
            raise ModelError("coroutine %d has %d frames (0 to %d)" % (c.id, len(groups), len(groups) - 1))
        # The frame `coro bt` names: the outermost that is not the runtime's, else the real one.
        group = groups[wanted]
        users = [f for f in group if f.name() and not names.is_runtime(names.canonical(f.name()))]
        (users[-1] if users else group[-1]).select()
        gdb.execute("frame")
        return []


def _summary(address):
    try:
        return views.summary(reader.runtime().coroutine_at(address))
    except ModelError as error:
        return "<%s>" % error


class ControlPrinter(object):
    """corosh::detail::Control: the coroutine it describes."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        address = self.value.address
        return _summary(int(address)) if address is not None else "<not in memory>"


class CoroutinePrinter(object):
    """corosh::Coroutine: its coroutine, or that it is empty."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        control = int(self.value["control_"])
        return _summary(control) if control else "empty (moved-from)"


class GeneratorPrinter(CoroutinePrinter):
    """corosh::Generator<T>: the coroutine that runs it."""

    def __init__(self, value):
        super().__init__(value["coroutine_"])


class Printers(gdb.printing.PrettyPrinter):
    """The printers of the runtime's types (each can be turned off with `disable
    pretty-printer global corosh;NAME`). A regular expression cannot tell Generator<T>
    from a class nested in it (Generator<int>::Run<F> ends in `>` too): a generator is
    known by its `coroutine_`."""

    def __init__(self):
        super().__init__("corosh", [gdb.printing.SubPrettyPrinter(name) for name in
                                    ("Coroutine", "Generator", "Control")])

    def _enabled(self, name):
        return self.enabled and any(p.name == name and p.enabled for p in self.subprinters)

    def __call__(self, value):
        struct = gdb.types.get_basic_type(value.type)
        tag = struct.tag or ""
        if tag == "corosh::Coroutine" and self._enabled("Coroutine"):
            return CoroutinePrinter(value)
        if tag == "corosh::detail::Control" and self._enabled("Control"):
            return ControlPrinter(value)
        if tag.startswith("corosh::Generator<") and self._enabled("Generator") \
                and any(f.name == "coroutine_" for f in struct.fields()):
            return GeneratorPrinter(value)
        return None


Coro()
CoroList()
CoroBacktrace()
CoroRegisters()
CoroFrame()
frames.install()
gdb.printing.register_pretty_printer(None, Printers(), replace=True)
