"""corosh.py — LLDB commands for programs that use the corosh runtime.

Load it with one line (or put the line in ~/.lldbinit):

    command script import /path/to/corosh/lldb/corosh.py

Commands:
    coro list            every coroutine: id, name, state, wait reason, where it is parked
    coro bt ID|NAME      the suspended stack of a coroutine, from its saved registers
    coro regs ID|NAME    its saved registers
    coro threads on|off  show every parked coroutine as a thread (bt all, thread select,
                         frame variable inside coroutine frames), via corosh_threads.py
Summaries are added for corosh::Coroutine, corosh::Generator<T> and the
runtime's control record.
"""

import os
import shlex
import sys

import lldb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corosh_model as model  # noqa: E402

PLUGIN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corosh_threads.py")


def _context(exe_ctx, debugger):
    target = exe_ctx.GetTarget() if exe_ctx and exe_ctx.GetTarget().IsValid() else debugger.GetSelectedTarget()
    if not target or not target.IsValid():
        raise model.ModelError("no target: load a program first (`file PROGRAM`)")
    return target, target.GetProcess()


def _one_coroutine(debugger, command, exe_ctx, usage):
    """(target, process, coroutine) for commands that take one ID|NAME."""
    args = shlex.split(command)
    if len(args) != 1:
        raise model.ModelError("usage: " + usage)
    target, process = _context(exe_ctx, debugger)
    return target, process, model.find(target, process, args[0])


def _command(function):
    """Turns ModelError into result.SetError so that batch runs fail properly."""

    def run(debugger, command, exe_ctx, result, internal_dict):
        try:
            function(debugger, command, exe_ctx, result)
        except model.ModelError as error:
            result.SetError(str(error))
        except Exception as error:  # a bug here must fail the command, not pass silently
            result.SetError("corosh.py: %s: %s" % (type(error).__name__, error))

    run.__doc__ = function.__doc__
    run.__name__ = function.__name__
    return run


@_command
def coro_list(debugger, command, exe_ctx, result):
    """List every coroutine: id, name, state, wait reason and where it is parked."""
    if command.strip():
        raise model.ModelError("coro list takes no arguments")
    target, process = _context(exe_ctx, debugger)
    rows = []
    for c in model.coroutines(target, process):
        state = c.state if c.state != "dead" else "dead (%s)" % c.ending
        rows.append((str(c.id), c.name or "-", state, c.wait_reason or "-",
                     model.parked_at(target, process, c) or "-"))
    if not rows:
        result.AppendMessage("no coroutines")
        return
    header = ("ID", "NAME", "STATE", "WAITING FOR", "PARKED AT")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    line = "%*s  %-*s  %-*s  %-*s  %s"
    result.AppendMessage(line % (widths[0], header[0], widths[1], header[1], widths[2], header[2],
                                 widths[3], header[3], header[4]))
    for r in rows:
        result.AppendMessage(line % (widths[0], r[0], widths[1], r[1], widths[2], r[2], widths[3], r[3], r[4]))


@_command
def coro_bt(debugger, command, exe_ctx, result):
    """Show the stack of a parked coroutine: coro bt ID|NAME"""
    target, process, c = _one_coroutine(debugger, command, exe_ctx, "coro bt ID|NAME")
    if not c.parked:
        why = "it is running: its frames are on the thread (use `bt`)" if c.state == "running" else \
              "it is dead (%s): it has no stack" % c.ending
        raise model.ModelError("coroutine %d has no parked stack: %s" % (c.id, why))
    result.AppendMessage("%s (%s, %d KiB stack)" % (c.label(), c.state, c.stack_size // 1024))
    for index, pc in enumerate(model.walk_frames(target, process, c)):
        function, where = model.describe_pc(target, pc, model.is_return_address(c, index))
        result.AppendMessage("  frame #%d: 0x%016x %s%s" % (index, pc, function, " at " + where if where else ""))


@_command
def coro_regs(debugger, command, exe_ctx, result):
    """Show the saved registers of a parked coroutine: coro regs ID|NAME"""
    target, process, c = _one_coroutine(debugger, command, exe_ctx, "coro regs ID|NAME")
    if not c.parked:
        raise model.ModelError("coroutine %d is %s: only a parked coroutine has saved registers" % (c.id, c.state))
    result.AppendMessage("%s saved registers at 0x%x:" % (c.label(), c.registers_address))
    for field in c.registers_value:
        result.AppendMessage("  %-6s = 0x%016x" % (field.GetName(), field.GetValueAsUnsigned()))


@_command
def coro_threads(debugger, command, exe_ctx, result):
    """Show parked coroutines as threads: coro threads on|off"""
    args = shlex.split(command)
    if args not in (["on"], ["off"]):
        raise model.ModelError("usage: coro threads on|off")
    interpreter = debugger.GetCommandInterpreter()
    value = PLUGIN_PATH if args[0] == "on" else '""'
    reply = lldb.SBCommandReturnObject()
    interpreter.HandleCommand("settings set target.process.python-os-plugin-path %s" % value, reply)
    if not reply.Succeeded():
        raise model.ModelError(reply.GetError() or "could not set the OS plugin path")
    result.AppendMessage("coroutine threads %s" % ("on (%s)" % PLUGIN_PATH if args[0] == "on" else "off"))


def _summary_of_control(control, internal_dict=None):
    if not control.IsValid() or control.GetLoadAddress() == lldb.LLDB_INVALID_ADDRESS:
        return "<unavailable>"
    process = control.GetProcess()
    c = model.Coroutine(process, control)
    text = "id=%d" % c.id
    if c.name:
        text += " name='%s'" % c.name
    text += " state=%s" % c.state
    if c.state == "dead":
        text += " (%s)" % c.ending
    if c.wait_reason:
        text += " waiting for %s" % c.wait_reason
    return text


def summarize_control(value, internal_dict):
    return _summary_of_control(value.GetNonSyntheticValue())


def summarize_coroutine(value, internal_dict):
    pointer = value.GetNonSyntheticValue().GetChildMemberWithName("control_")
    if pointer.GetValueAsUnsigned() == 0:
        return "empty (moved-from)"
    return _summary_of_control(pointer.Dereference())


def summarize_generator(value, internal_dict):
    # The regex also matches nested types such as Generator<T>::iterator.
    coroutine = value.GetNonSyntheticValue().GetChildMemberWithName("coroutine_")
    if not coroutine.IsValid():
        return None
    return summarize_coroutine(coroutine, internal_dict)


def __lldb_init_module(debugger, internal_dict):
    run = debugger.HandleCommand
    run('command container add -h "Inspect corosh coroutines." coro')
    for name, function, help_text in (
        ("list", "coro_list", "List coroutines: id, name, state, wait reason, where parked."),
        ("bt", "coro_bt", "Show a parked coroutine's stack: coro bt ID|NAME"),
        ("regs", "coro_regs", "Show a parked coroutine's saved registers: coro regs ID|NAME"),
        ("threads", "coro_threads", "Show parked coroutines as threads: coro threads on|off"),
    ):
        run('command script add -h "%s" -f %s.%s coro %s' % (help_text, __name__, function, name))
    run('type summary add -F %s.summarize_coroutine corosh::Coroutine' % __name__)
    run('type summary add -F %s.summarize_control corosh::detail::Control' % __name__)
    run('type summary add -F %s.summarize_generator -x "^corosh::Generator<.+>$"' % __name__)
