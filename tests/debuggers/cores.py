"""Core files of coroutines_at_rest for the core-file tests of both debuggers.

A crash (`crash-outside`, `crash-inside`) is dumped the way it would be for a user: core
dumps allowed (RLIMIT_CORE) and the program run in a scratch directory, where the kernel
writes `core` when its core_pattern is a plain file name, and where qemu-user writes the
guest's own `qemu_*.core` (whatever the kernel's pattern). Where neither appears (a
core_pattern that pipes cores to systemd-coredump or apport, say), gdb runs the program
instead and writes the core with `gcore` at the moment the process would have died: the
second SIGSEGV, after the runtime's fault handler has seen the first and let it through.

A core of parked coroutines in a live program is made with gdb's `gcore` at the checkpoint.
"""

import glob
import os
import resource
import subprocess


GCORE_OVER_QEMU = ("gcore over qemu-user's gdb stub dumps only the executable's sections (the stub reports "
                   "no memory map), not the coroutines' stacks")


class NoCore(Exception):
    """No way to make this core here; the message says why."""


def _allow_core_dumps():
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _core_files(directory):
    return glob.glob(os.path.join(directory, "core*")) + glob.glob(os.path.join(directory, "qemu_*.core"))


def crash_core(program, mode, scratch, emulator=None, gdb=None, free_port=None):
    """(path of the core of `program mode`, how it was made): the kernel's or qemu's if
    they write one in `scratch`, else one gdb writes where the process dies."""
    os.makedirs(scratch, exist_ok=True)
    command = ([emulator] if emulator else []) + [program, mode]
    subprocess.run(command, cwd=scratch, preexec_fn=_allow_core_dumps, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    found = _core_files(scratch)
    if emulator:
        # qemu dies of the signal too after writing the guest's core; the kernel's core of
        # qemu itself is of no use here.
        found = [f for f in found if os.path.basename(f).startswith("qemu_")] or found
    if found:
        return max(found, key=os.path.getmtime), "written by %s" % ("qemu" if emulator else "the kernel")
    if gdb is None:
        raise NoCore("no core file appeared (kernel core_pattern %s) and no gdb to write one" % _core_pattern())
    if emulator:
        raise NoCore("qemu wrote no core file, and " + GCORE_OVER_QEMU)
    if gcore_unusable():
        raise NoCore("the kernel wrote no core file, and " + gcore_unusable())
    path = os.path.join(scratch, "gdb-%s.core" % mode)
    gdb_core(gdb, program, [mode], path, stops=2, emulator=emulator, free_port=free_port)
    return path, "written by gdb's gcore (kernel core_pattern %s)" % _core_pattern()


def gcore_unusable():
    """Why gcore cannot dump this build's programs, or None (set by tests/debuggers/CMakeLists.txt)."""
    return os.environ.get("COROSH_GCORE_UNUSABLE")


def parked_core(program, scratch, gdb, emulator=None, free_port=None):
    """Path of a core gdb's `gcore` writes while `program` is stopped at its checkpoint."""
    if gdb is None:
        raise NoCore("gcore needs gdb")
    if gcore_unusable():
        raise NoCore(gcore_unusable())
    if emulator:
        raise NoCore(GCORE_OVER_QEMU + "; the crash cores cover arm64")
    os.makedirs(scratch, exist_ok=True)
    path = os.path.join(scratch, "gcore-parked.core")
    gdb_core(gdb, program, [], path, stops=1, breakpoint="corosh_debugger_checkpoint")
    return path


def every_kind(program, scratch, gdb, emulator=None, free_port=None):
    """({'crash-outside': path, 'crash-inside': path, 'gcore': path}, why there is no gcore
    one or None): the three kinds of core the tests look at, made in `scratch`."""
    made = {mode: crash_core(program, mode, os.path.join(scratch, mode), emulator, gdb, free_port)[0]
            for mode in ("crash-outside", "crash-inside")}
    try:
        made["gcore"] = parked_core(program, os.path.join(scratch, "gcore"), gdb, emulator, free_port)
    except NoCore as why:
        return made, str(why)
    return made, None


def gdb_core(gdb, program, arguments, path, stops, breakpoint=None, emulator=None, free_port=None):
    """Runs `program` under gdb to its `stops`-th stop (breakpoint or signal) and dumps it
    to `path` with gcore (the crash cores stop twice: see the top of this file)."""
    commands = ["set pagination off", "set confirm off"]
    emulated = None
    if emulator:
        port = free_port()
        emulated = subprocess.Popen([emulator, "-g", str(port), program] + arguments,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands += ["file %s" % program, "target remote :%d" % port]
        start = "continue"  # qemu waits at the program's entry
    else:
        commands += ["file %s" % program, "set args %s" % " ".join(arguments)]
        start = "run"
    if breakpoint:
        commands.append("break %s" % breakpoint)
    commands += [start] + ["continue"] * (stops - 1) + ["gcore %s" % path, "kill"]
    try:
        done = subprocess.run([gdb, "-batch", "-nx"] + [a for c in commands for a in ("-ex", c)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    finally:
        if emulated is not None:
            emulated.kill()
            emulated.wait()
    if not os.path.exists(path):
        raise NoCore("gdb wrote no core:\n" + done.stdout)


def _core_pattern():
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            return "'%s'" % f.read().strip()
    except OSError:
        return "unknown"
