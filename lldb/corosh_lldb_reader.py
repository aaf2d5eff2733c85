"""corosh_lldb_reader — the corosh model's Reader over LLDB's SB API.

Shared by the `coro` commands (corosh.py) and the OS plugin (corosh_threads.py); works on
a live process and on a core file alike.
"""

import os
import sys

import lldb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "debugger"))
from corosh_debug import Field, Layout, ModelError, Reader, Runtime, SourceFrame  # noqa: E402


def check_stopped(process):
    if process is None or not process.IsValid():
        raise ModelError("no process: run the program first, or load a core file (`target create -c CORE`)")
    if process.GetState() != lldb.eStateStopped:
        raise ModelError("the process is not stopped (interrupt it first, e.g. with Ctrl-C or `process interrupt`)")


class LLDBReader(Reader):
    def __init__(self, target, process):
        self.target = target
        self.process = process

    def pointer_size(self):
        return self.target.GetAddressByteSize()

    def global_value(self, name):
        variable = self.target.FindFirstGlobalVariable(name)
        if not variable.IsValid():
            return None
        error = lldb.SBError()
        value = variable.GetValueAsUnsigned(error)
        if error.Success():
            return value
        # A constant in the program's read-only data, which a core file does not hold
        # (the kernel and gcore leave out what the executable has): read it there.
        for context in self.target.FindSymbols(name):
            address = context.GetSymbol().GetStartAddress()
            data = self.target.ReadMemory(address, variable.GetByteSize(), lldb.SBError())
            if data is not None and len(data) == variable.GetByteSize():
                return int.from_bytes(data, "little")
        return None

    def _type(self, type_name):
        found = self.target.FindFirstType(type_name)
        if not found.IsValid():
            raise ModelError("no debug info for %s" % type_name)
        return found

    def layout(self, type_name):
        struct = self._type(type_name)
        fields = {f.GetName(): Field(f.GetOffsetInBytes(), f.GetType().GetByteSize())
                  for f in struct.get_fields_array()}
        return Layout(struct.GetByteSize(), fields)

    def enumerators(self, type_name):
        return {e.GetValueAsUnsigned(): e.GetName() for e in self._type(type_name).get_enum_members_array()}

    def read(self, address, size):
        error = lldb.SBError()
        data = self.process.ReadMemory(address, size, error)
        if error.Success() and data is not None:
            return bytes(data)
        # Read-only data a core file does not hold: the program's own file has it.
        fallback = lldb.SBError()
        data = self.target.ReadMemory(self.target.ResolveLoadAddress(address), size, fallback)
        if fallback.Success() and data is not None and len(data) == size:
            return bytes(data)
        raise ModelError("cannot read %d bytes at 0x%x: %s" % (size, address, error.GetCString()))

    def source_frames(self, pc, after_call):
        address = self.target.ResolveLoadAddress(pc - 1 if after_call else pc)
        context = self.target.ResolveSymbolContextForAddress(
            address, lldb.eSymbolContextFunction | lldb.eSymbolContextSymbol | lldb.eSymbolContextLineEntry |
            lldb.eSymbolContextBlock)
        line = context.GetLineEntry()
        spec, number = (line.GetFileSpec(), line.GetLine()) if line.IsValid() else (None, 0)
        frames = []
        # Inlined calls, innermost first; each one's call site is the line in the next.
        block = context.GetBlock().GetContainingInlinedBlock() if context.GetBlock().IsValid() else None
        while block is not None and block.IsValid():
            file, at, path = _where(spec, number)
            frames.append(SourceFrame(block.GetInlinedName() or "?", file, at, path=path))
            spec, number = block.GetInlinedCallSiteFile(), block.GetInlinedCallSiteLine()
            parent = block.GetParent()
            block = parent.GetContainingInlinedBlock() if parent.IsValid() else None
        # The real function. The symbol table has the mangled name even where the debug
        # information gives none (functions with internal linkage).
        symbol, function = context.GetSymbol(), context.GetFunction()
        mangled = (symbol.GetMangledName() if symbol.IsValid() else None) or \
                  (function.GetMangledName() if function.IsValid() else None) or ""
        if function.IsValid():
            name = function.GetDisplayName() or function.GetName()
        elif symbol.IsValid():
            name = symbol.GetDisplayName() or symbol.GetName()
        else:
            return frames
        file, number, path = _where(spec, number)
        frames.append(SourceFrame(name, file, number, mangled=mangled, path=path))
        return frames


def _where(spec, line):
    """(file name, line, full path) of a file spec and a line, or ('', 0, '')."""
    if spec is None or not spec.IsValid() or not spec.GetFilename():
        return "", 0, ""
    return spec.GetFilename(), line, spec.fullpath or ""


def runtime(target, process):
    """The model of a stopped process (or core file) in LLDB."""
    check_stopped(process)
    return Runtime(LLDBReader(target, process))
