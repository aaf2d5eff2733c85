"""corosh_gdb_reader — the corosh model's Reader over gdb's Python API.

Shared by the `coro` commands, the pretty printers and the frame unwinder (gdb/corosh.py);
works on a live process, a remote one (gdbserver, qemu's gdb stub) and a core file alike.
"""

import os
import re
import sys

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "debugger"))
from corosh_debug import Field, Layout, ModelError, Reader, Runtime, SourceFrame  # noqa: E402

# `info symbol ADDR` for code without debug information: "NAME[ + OFFSET] in section S[ of FILE]".
_INFO_SYMBOL = re.compile(r"^(.*?)(?: \+ \d+)? in section \S+")


def check_stopped():
    thread = gdb.selected_thread()
    if thread is None:
        raise ModelError("no process: run the program first, or load a core file (`gdb PROGRAM CORE`)")
    if thread.is_running():
        raise ModelError("the process is not stopped (interrupt it first, e.g. with Ctrl-C or `interrupt`)")


def _where(symtab, line):
    """(file name, line, full path) of a symbol table and a line, or ('', 0, '')."""
    if symtab is None:
        return "", 0, ""
    return os.path.basename(symtab.filename), line, symtab.fullname()


class GDBReader(Reader):
    def pointer_size(self):
        return gdb.lookup_type("void").pointer().sizeof

    def global_value(self, name):
        symbol = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
        if symbol is None or not (symbol.is_variable or symbol.is_constant):
            return None
        try:
            return int(symbol.value())
        except gdb.error:
            return None

    def _type(self, type_name):
        try:
            return gdb.lookup_type(type_name).strip_typedefs()
        except gdb.error:
            raise ModelError("no debug info for %s" % type_name)

    def layout(self, type_name):
        struct = self._type(type_name)
        fields = {f.name: Field(f.bitpos // 8, f.type.sizeof) for f in struct.fields() if not f.is_base_class}
        return Layout(struct.sizeof, fields)

    def enumerators(self, type_name):
        return {f.enumval: f.name for f in self._type(type_name).fields()}

    def read(self, address, size):
        try:
            return bytes(gdb.selected_inferior().read_memory(address, size))
        except gdb.MemoryError as error:
            raise ModelError("cannot read %d bytes at 0x%x: %s" % (size, address, error))

    def source_frames(self, pc, after_call):
        lookup = pc - 1 if after_call else pc
        line = gdb.find_pc_line(lookup)
        symtab, number = line.symtab, line.line
        try:
            block = gdb.block_for_pc(lookup)
        except RuntimeError:
            block = None
        functions = []  # innermost first: the inlined ones, then the real function
        inner = None
        while block is not None and not (block.is_global or block.is_static):
            if block.function is not None:
                # A lambda's block sits inside the block of the function that defines it,
                # but its code does not: the function whose code holds the inner one's
                # inlined it, any other encloses it only in the source.
                if inner is not None and not (block.start <= inner.start and inner.end <= block.end):
                    break
                functions.append(block.function)
                inner = block
            block = block.superblock
        frames = []
        for index, function in enumerate(functions):
            file, at, path = _where(symtab, number)
            mangled = function.linkage_name or ""
            if index == len(functions) - 1 and not mangled.startswith("_Z"):
                # The debug information names this one without a mangled name (internal
                # linkage, a clone the compiler made); the symbol table has it.
                mangled = self._symbol_table_name(lookup, mangled=True) or mangled
            frames.append(SourceFrame(function.print_name, file, at, mangled=mangled, path=path))
            # gdb gives an inlined function's symbol the file and line of its call site,
            # which is the line in the function it was inlined into.
            symtab, number = function.symtab, function.line
        if frames:
            return frames
        # No debug information for a function here (assembly, stripped code): the symbol table.
        name = self._symbol_table_name(lookup)
        if not name:
            return []
        file, at, path = _where(symtab, number)
        return [SourceFrame(name, file, at, path=path)]

    @staticmethod
    def _symbol_table_name(address, mangled=False):
        """The name of the symbol-table entry at `address` (mangled if asked), or None."""
        demangling = gdb.parameter("print demangle")
        try:
            if mangled:
                gdb.execute("set print demangle off", to_string=True)
            text = gdb.execute("info symbol 0x%x" % address, to_string=True).strip()
        finally:
            if mangled and demangling:
                gdb.execute("set print demangle on", to_string=True)
        match = _INFO_SYMBOL.match(text)
        return match.group(1) if match else None


def runtime():
    """The model of the stopped program (or core file) gdb has selected."""
    check_stopped()
    return Runtime(GDBReader())
