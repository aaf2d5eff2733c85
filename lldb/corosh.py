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
import corosh_lldb_reader as reader  # noqa: E402
from corosh_debug import ModelError, views  # noqa: E402

PLUGIN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corosh_threads.py")


def _runtime(exe_ctx, debugger):
    target = exe_ctx.GetTarget() if exe_ctx and exe_ctx.GetTarget().IsValid() else debugger.GetSelectedTarget()
    if not target or not target.IsValid():
        raise ModelError("no target: load a program first (`file PROGRAM`)")
    return reader.runtime(target, target.GetProcess())


def _one_coroutine(debugger, command, exe_ctx, usage):
    """(runtime, coroutine) for commands that take one ID|NAME."""
    args = shlex.split(command)
    if len(args) != 1:
        raise ModelError("usage: " + usage)
    runtime = _runtime(exe_ctx, debugger)
    return runtime, runtime.find(args[0])


def _command(function):
    """Prints the lines a command returns; turns ModelError into result.SetError so that
    batch runs fail properly."""

    def run(debugger, command, exe_ctx, result, internal_dict):
        try:
            for line in function(debugger, command, exe_ctx):
                result.AppendMessage(line)
        except ModelError as error:
            result.SetError(str(error))
        except Exception as error:  # a bug here must fail the command, not pass silently
            result.SetError("corosh.py: %s: %s" % (type(error).__name__, error))

    run.__doc__ = function.__doc__
    run.__name__ = function.__name__
    return run


@_command
def coro_list(debugger, command, exe_ctx):
    """List every coroutine: id, name, state, wait reason and where it is parked."""
    if command.strip():
        raise ModelError("coro list takes no arguments")
    return views.list_lines(_runtime(exe_ctx, debugger))


@_command
def coro_bt(debugger, command, exe_ctx):
    """Show the stack of a parked coroutine: coro bt ID|NAME"""
    runtime, c = _one_coroutine(debugger, command, exe_ctx, "coro bt ID|NAME")
    return views.backtrace_lines(runtime, c)


@_command
def coro_regs(debugger, command, exe_ctx):
    """Show the saved registers of a parked coroutine: coro regs ID|NAME"""
    _, c = _one_coroutine(debugger, command, exe_ctx, "coro regs ID|NAME")
    return views.registers_lines(c)


@_command
def coro_threads(debugger, command, exe_ctx):
    """Show parked coroutines as threads: coro threads on|off"""
    args = shlex.split(command)
    if args not in (["on"], ["off"]):
        raise ModelError("usage: coro threads on|off")
    interpreter = debugger.GetCommandInterpreter()
    value = PLUGIN_PATH if args[0] == "on" else '""'
    reply = lldb.SBCommandReturnObject()
    interpreter.HandleCommand("settings set target.process.python-os-plugin-path %s" % value, reply)
    if not reply.Succeeded():
        raise ModelError(reply.GetError() or "could not set the OS plugin path")
    return ["coroutine threads %s" % ("on (%s)" % PLUGIN_PATH if args[0] == "on" else "off")]


def _summary_of_control(control):
    address = control.GetLoadAddress() if control.IsValid() else lldb.LLDB_INVALID_ADDRESS
    if address == lldb.LLDB_INVALID_ADDRESS:
        return "<unavailable>"
    try:
        target = control.GetTarget()
        return views.summary(reader.runtime(target, target.GetProcess()).coroutine_at(address))
    except ModelError as error:
        return "<%s>" % error


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
