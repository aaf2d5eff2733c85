#!/usr/bin/env python3
"""Loads plugins into corosh and checks what the shell does with them.

The plugins are built beside this file (CMakeLists.txt): probe (four
functions: a recursive walk, a fault, a look at the registry from plugin
code, a coroutine the plugin starts on the loop), other (a different walk),
and one plugin for each way a load must fail. Each check runs a fresh
`corosh --echo -c '...'` and looks at values: what was yielded, which frames
`stack` names and from which file, the exact error line of a refused load,
and that a refused load leaves `demos` and `plugins` as they were.

usage: test_plugins.py COROSH PLUGIN_DIR [EMULATOR ARGS...]
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from transcript import section, sections  # noqa: E402

COROSH = PLUGINS = None
EMULATOR = []


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def equal(actual, expected, what):
    check(actual == expected, f"{what}:\n  expected {expected!r}\n  actual   {actual!r}")


def plugin(name):
    return os.path.join(PLUGINS, name + ".so")


def shell(commands, *options, files=None):
    """corosh [OPTIONS] -c COMMANDS in a scratch directory (holding `files`):
    the exit status and the output lines (stderr merged, in order)."""
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in (files or {}).items():
            with open(os.path.join(scratch, name), "w", encoding="utf-8") as f:
                f.write(text)
        env = dict(os.environ, NO_COLOR="1", HOME=scratch)
        proc = subprocess.run(EMULATOR + [COROSH, "--echo", *options, "-c", commands], cwd=scratch, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    check(proc.returncode in (0, 1), f"corosh exited with {proc.returncode}\n" + "\n".join(lines))
    return proc.returncode, lines


def yielded(lines):
    return [l[len("yielded "):] for l in lines if l.startswith("yielded ")]


def frames(lines, function):
    """The `stack` frames in `function`, as (file, line)."""
    found = []
    for l in lines:
        m = re.match(r"#\d+\s+(?:\(anonymous namespace\)::)?(\w+)\(.* at (\S+):(\d+)$", l)
        if m and m.group(1) == function:
            found.append((m.group(2), int(m.group(3))))
    return found


def list_ids(lines):
    return [int(m.group(1)) for l in lines for m in [re.match(r"[ *]\s+(\d+)\s", l)] if m]


# --- the checks ---------------------------------------------------------------

def test_spawn_step_stack():
    status, lines = shell(f"load {plugin('probe')}; demos; help probe_walk; spawn probe_walk 4; step 3; stack; info")
    equal(status, 0, "exit status")
    equal(section(lines, f"load {plugin('probe')}"),
          [f"loaded plugin probe ({plugin('probe')}, built against corosh {VERSION}): "
           "probe_walk, probe_fault, probe_registry, probe_spawner"], "what load says")
    demos = section(lines, "demos")
    for name in ("probe_walk", "probe_fault", "probe_registry", "probe_spawner"):
        check(any(l.split()[0] == name and l.endswith("(plugin probe)") for l in demos), f"{name} in demos: {demos}")
    check(any(l.split()[0] == "tree_preorder" and "plugin" not in l for l in demos), "the built-in demos stay")
    equal(section(lines, "help probe_walk"),
          ["spawn probe_walk [DEPTH]   (plugin probe)",
           "  yields 1..DEPTH (default 3), one recursive call deeper each time"], "help for a plugin's function")
    equal(yielded(lines), ["1", "2", "3"], "three steps")
    walk = frames(section(lines, "stack"), "descend")
    equal(len(walk), 3, "descend frames after three steps (one per level)")
    check(all(f == "probe.cpp" and n > 0 for f, n in walk), f"named from the plugin's debug info: {walk}")
    check(walk[0][1] != walk[1][1] and walk[1] == walk[2], f"the innermost frame yields, the others recurse: {walk}")
    info = section(lines, "info")
    check("  spawned   by the shell: spawn probe_walk 4 (plugin probe)" in info, f"info says where it came from: {info}")
    check(any(l.startswith("  created   probe.cpp:") for l in info), f"created in the plugin's file: {info}")


def test_one_registry():
    # The plugin's own code lists the live coroutines: one runtime, so the
    # very ids the shell lists, its own included.
    _, lines = shell(f"load {plugin('probe')}; spawn probe_walk; spawn fib; spawn probe_registry; step; list")
    seen = [int(i) for i in yielded(lines)[0].split(",")]
    equal(seen, list_ids(section(lines, "list")), "the ids plugin code sees vs. the shell's list")
    equal(len(seen), 3, "three coroutines")


def test_fault_is_contained():
    _, lines = shell(f"load {plugin('probe')}; spawn probe_fault; step; list; spawn probe_walk; step")
    step = section(lines, "step")
    equal(step[0], "coroutine 1 'probe_fault' faulted: SIGSEGV at 0x0: null pointer dereference", "the fault")
    check(frames(step, "write_through") and frames(step, "write_through")[0][0] == "probe.cpp",
          f"the backtrace at the fault names the plugin's frame: {step}")
    check(any("probe_fault" in l and "dead (faulted)" in l for l in section(lines, "list")), "faulted in list")
    equal(yielded(section(lines, "step", 1)), ["1"], "the shell goes on")


def test_load_at_startup():
    status, lines = shell("plugins; spawn other_walk; step 3", "--load", plugin("probe"), "--load", plugin("other"))
    equal(status, 0, "exit status")
    equal(section(lines, "plugins"),
          [f"  probe  {plugin('probe')} (corosh {VERSION}): probe_walk, probe_fault, probe_registry, probe_spawner",
           f"  other  {plugin('other')} (corosh {VERSION}): other_walk"], "both plugins loaded")
    equal(yielded(lines), ["1", "2", "3"], "other_walk")


def test_unload():
    status, lines = shell(f"load {plugin('probe')}; spawn probe_walk; spawn probe_walk --name second; step; "
                          "unload probe; cancel 1; unload probe; cancel 2; unload probe; list; demos; plugins; "
                          f"spawn probe_walk; load {plugin('probe')}; spawn probe_walk; step")
    equal(status, 1, "exit status (the refused unloads and spawn)")
    equal(section(lines, "unload probe", 0),
          ["error: unload: plugin 'probe' still has coroutines 1 'probe_walk' (created), 2 'second' (suspended): "
           "they must end first (`cancel ID` ends one you spawned)"], "refused, naming both")
    equal(section(lines, "unload probe", 1),
          ["error: unload: plugin 'probe' still has coroutine 2 'second' (suspended): it must end first "
           "(`cancel ID` ends one you spawned)"],
          "refused, naming the one left")
    equal(section(lines, "unload probe", 2),
          ["unloaded plugin probe (probe_walk, probe_fault, probe_registry, probe_spawner)"], "unloaded")
    equal(section(lines, "list"), ["no coroutines (`spawn NAME` starts one; `demos` lists the names)"],
          "its dead coroutines went with it")
    check(not any("probe" in l for l in section(lines, "demos")), "its functions are gone from demos")
    equal(section(lines, "plugins"), ["no plugins loaded (`load FILE.so` loads one)"], "no plugins")
    equal(section(lines, "spawn probe_walk", 1), ["error: spawn: no demo called 'probe_walk' (`demos` lists them)"],
          "spawn after unload")
    equal(yielded(lines), ["1", "1"], "the first step, and one once loaded again")


def test_unload_refused_for_code_parked_in_it():
    # probe_spawner starts probe_helper on the loop and returns; the helper
    # sleeps in the plugin's code, so the plugin must stay. The shell then
    # ends with the plugin still mapped, and the loop ends the helper.
    status, lines = shell(f"load {plugin('probe')}; spawn probe_spawner; step; list; unload probe; wait 0.1; "
                          "unload probe")
    equal(status, 1, "exit status")
    check(any("probe_helper" in l for l in section(lines, "list")), "the helper is on the loop")
    unload = section(lines, "unload probe")
    check(len(unload) == 1 and re.fullmatch(r"error: unload: plugin 'probe' still has coroutine \d+ "
                                            r"'probe_helper' \((created|suspended)\): it must end first "
                                            r"\(`cancel ID` ends one you spawned\)", unload[0]),
          f"refused, naming the helper: {unload}")
    unload = section(lines, "unload probe", 1)
    check(len(unload) == 1 and re.fullmatch(r"error: unload: plugin 'probe' still has coroutine \d+ "
                                            r"'probe_helper' \(suspended\): it must end first "
                                            r"\(`cancel ID` ends one you spawned\)", unload[0]),
          f"once it sleeps in the plugin's code, refused too: {unload}")


def test_new_code_at_an_old_address():
    # After an unload, the next library is likely mapped where the last one
    # was: its frames must be named from its own debug info.
    _, lines = shell(f"load {plugin('probe')}; spawn probe_walk; step 2; stack; cancel; unload probe; "
                     f"load {plugin('other')}; spawn other_walk; step 2; stack")
    first, second = section(lines, "stack", 0), section(lines, "stack", 1)
    equal(len(frames(first, "descend")), 2, "probe's walk")
    climb = frames(second, "climb")
    equal(len(climb), 2, f"other's walk: {second}")
    check(all(f == "named.cpp" for f, _ in climb), f"named from other's debug info: {climb}")
    check(not frames(second, "descend"), "nothing named after the unloaded plugin")


def test_bad_plugins():
    bad = [
        ("notes.so", "error: load: notes.so is not a shared library (neither ELF nor Mach-O)"),
        ("missing.so", "error: load: cannot open missing.so: No such file or directory"),
        (plugin("plain"), f"error: load: {plugin('plain')} declares no corosh functions "
                          "(it has no corosh/spawnable.hpp declarations)"),
        (plugin("foreign_stamp"), f"error: load: {plugin('foreign_stamp')} was built against corosh 9.9.0 (plugin "
                                  f"ABI 999, libstdc++); this is corosh {VERSION} (plugin ABI 1, libstdc++): rebuild "
                                  "it against this corosh"),
        (plugin("newer"), f"error: load: {plugin('newer')} needs corosh::spawnable::only_in_a_newer_corosh(), which "
                          "this program does not have: it was built against another corosh (rebuild it), or this "
                          "program does not export its runtime"),
        (plugin("own_runtime"), f"error: load: cannot load {plugin('own_runtime')}: "),
        (plugin("twin"), f"error: load: {plugin('twin')} declares 'probe_walk', which plugin 'probe' already declares"),
        (plugin("fib_again"), f"error: load: {plugin('fib_again')} declares 'fib', which this program already declares"),
        (plugin("probe"), f"error: load: a plugin called 'probe' is already loaded from {plugin('probe')} "
                          "(`unload probe` first)"),
    ]
    commands = [f"load {plugin('probe')}", "demos", "plugins"]
    for path, _ in bad:
        commands += [f"load {path}", "demos", "plugins"]
    commands += ["unload nothing", "spawn probe_walk", "step"]
    status, lines = shell("; ".join(commands), files={"notes.so": "not a library\n"})
    equal(status, 1, "exit status")
    steps = sections(lines)
    demos, plugins = steps[1][1], steps[2][1]
    for i, (path, error) in enumerate(bad):
        (command, output), after_demos, after_plugins = steps[3 + 3 * i], steps[4 + 3 * i], steps[5 + 3 * i]
        equal(command, f"load {path}", "the command")
        check(len(output) == 1 and output[0].startswith(error), f"`load {path}`:\n  expected {error!r}...\n"
                                                                 f"  actual   {output!r}")
        equal(after_demos[1], demos, f"demos after `load {path}`")
        equal(after_plugins[1], plugins, f"plugins after `load {path}`")
    own = [o for c, o in steps if c == f"load {plugin('own_runtime')}"][0][0]
    check("corosh runtime of its own" in own, f"the runtime linked in is named as the cause: {own}")
    equal(section(lines, "unload nothing"), ["error: unload: no plugin called 'nothing' is loaded (loaded: probe)"],
          "unloading what is not loaded")
    equal(yielded(lines), ["1"], "the session goes on as it was")


VERSION = None


def main():
    global COROSH, PLUGINS, EMULATOR, VERSION
    COROSH, PLUGINS, EMULATOR = sys.argv[1], sys.argv[2], sys.argv[3:]
    VERSION = subprocess.run(EMULATOR + [COROSH, "--version"], stdout=subprocess.PIPE, check=True,
                             text=True).stdout.split()[1]
    failures = 0
    for name, test in [(n, f) for n, f in globals().items() if n.startswith("test_")]:
        started = time.monotonic()
        try:
            test()
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
        except (AssertionError, subprocess.TimeoutExpired, ValueError, IndexError) as e:
            print(f"FAIL {name}: {e}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
