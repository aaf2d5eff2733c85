"""Function names as both debuggers show them, and which of them are the runtime's.

LLDB and gdb spell the same function differently (one demangler writes `tuple<int>>`, the
other `tuple<int> >`; names built from DWARF write `void *`, demangled ones `void*`). Where a
debugger gives the mangled name, it is demangled here with the C++ runtime's own
__cxa_demangle, the same in both; other names are brought to the same spelling.
"""

import ctypes
import ctypes.util
import re

# Frames of these are the runtime's (and the standard library's call plumbing between
# the runtime and the user's function): `coro list` looks past them for the user's frame.
RUNTIME_PREFIXES = ("corosh::", "corosh_", "std::")
# Code in these directories is too: the runtime's public headers (inlined into the user's
# code) and the C++ standard library's (libstdc++ .../c++/12/, libc++ .../c++/v1/). This
# catches inlined functions that a debugger names without their namespace.
RUNTIME_DIRECTORIES = ("/include/corosh/", "/c++/")


def _load_cxa_demangle():
    candidates = [None]  # the debugger itself links a C++ runtime
    for library in ("stdc++", "c++abi", "c++"):
        path = ctypes.util.find_library(library)
        if path:
            candidates.append(path)
    for path in candidates:
        try:
            function = ctypes.CDLL(path).__cxa_demangle
        except (OSError, AttributeError):
            continue
        function.restype = ctypes.c_void_p
        function.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
        return function
    return None


_cxa_demangle = _load_cxa_demangle()
_libc_free = ctypes.CDLL(None).free
_libc_free.argtypes = [ctypes.c_void_p]


def demangle(mangled):
    """The demangled C++ name, or None if it is not one (or no demangler is at hand)."""
    if _cxa_demangle is None or not mangled.startswith("_Z"):
        return None
    status = ctypes.c_int(0)
    pointer = _cxa_demangle(mangled.encode(), None, None, ctypes.byref(status))
    if status.value != 0 or not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8", "replace")
    finally:
        _libc_free(pointer)


_SPACE_BEFORE_DECLARATOR = re.compile(r"(?<=[\w>)\]]) +(?=[*&]+(?:[,)>\]]| const\b|$))")


# What the compiler appends to the functions it clones (`f.constprop.0.isra.0`, `f.cold`),
# as the demanglers and the debuggers spell it.
_CLONE_SUFFIX = re.compile(r"(?: \[clone [^\]]*\])+| \(\.[\w.]+\)$")


def canonical(function, mangled=""):
    """One spelling of a function name for both debuggers; a clone the compiler made of a
    function is named as the function."""
    name = (demangle(mangled.split(".", 1)[0]) if mangled else None) or function
    name = _CLONE_SUFFIX.sub("", name)
    name = _SPACE_BEFORE_DECLARATOR.sub("", name)  # `void *` -> `void*`
    while "> >" in name:
        name = name.replace("> >", ">>")
    return name


def _without_return_type(name):
    """`int std::__invoke_impl<...>(...)` -> `std::__invoke_impl<...>(...)`."""
    depth, last_space = 0, -1
    for i, ch in enumerate(name):
        if ch in "<([":
            if ch == "(" and depth == 0 and i > 0 and name[i - 1] not in " (" and not name[:i].endswith("decltype"):
                break  # the parameter list
            depth += 1
        elif ch in ">)]":
            depth -= 1
        elif ch == " " and depth == 0:
            last_space = i
    return name[last_space + 1:]


def is_runtime(function, path=""):
    """Whether a frame of `function`, at a line of the file `path`, belongs to the runtime
    (or the std plumbing it calls through)."""
    return function.startswith(RUNTIME_PREFIXES) or _without_return_type(function).startswith(RUNTIME_PREFIXES) \
        or any(directory in path for directory in RUNTIME_DIRECTORIES)
