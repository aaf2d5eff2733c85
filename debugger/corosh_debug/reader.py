"""What the model needs from a debugger: read memory, read a struct's layout, name an address.

An adapter (lldb/corosh_lldb_reader.py, gdb/corosh_gdb_reader.py, or the fake in
tests/debuggers/test_model.py) subclasses Reader. Everything the model knows about the
runtime's structs comes through `layout` and `enumerators`, read from debug information, so
no offset or size is written in the model.
"""

from dataclasses import dataclass, field


class ModelError(Exception):
    """A problem to report to the user as a command error."""


@dataclass(frozen=True)
class Field:
    """One member of a struct: where it is and how many bytes it takes."""
    offset: int
    size: int


@dataclass(frozen=True)
class SourceFrame:
    """One function at a code address: its name, and the file:line inside it.

    A code address gives several when the compiler inlined calls there: the inlined
    functions first (innermost first), the real function last. Each one's line is the line
    inside that function (for an outer one, the line of the inlined call)."""
    function: str
    file: str = ""      # the file's name, without directories
    line: int = 0
    mangled: str = ""
    path: str = ""      # the file with its directories, as the debug information has it


@dataclass
class Layout:
    """A struct's members by name, in declaration order, and its size."""
    size: int
    fields: dict = field(default_factory=dict)

    def __getitem__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise ModelError("the debug information has no field `%s`: is this a matching corosh build?" % name)


class Reader:
    """The debugger side of the model. Every method may raise ModelError."""

    def pointer_size(self):
        """Bytes in a pointer of the program (8 on both supported targets)."""
        raise NotImplementedError

    def global_value(self, name):
        """The value of the global integer or pointer variable `name`, or None if the program
        has none with debug info."""
        raise NotImplementedError

    def layout(self, type_name):
        """Layout of the struct `type_name`, from debug information (ModelError if absent)."""
        raise NotImplementedError

    def enumerators(self, type_name):
        """{value: name} of the enum `type_name`, from debug information."""
        raise NotImplementedError

    def read(self, address, size):
        """`size` bytes of the program's memory at `address` (ModelError if unreadable)."""
        raise NotImplementedError

    def source_frames(self, pc, after_call):
        """[SourceFrame] at a code address, innermost first; [] if nothing is known there.
        `after_call`: pc is a return address (look up the call just before it)."""
        raise NotImplementedError
