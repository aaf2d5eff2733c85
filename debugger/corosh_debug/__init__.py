"""corosh_debug — corosh's coroutines as a debugger sees them, for any debugger.

The model (model.py) finds every coroutine of a stopped program or a core file through the
runtime's registry, decodes its control record and saved registers with layouts read from
debug information, walks its stack and names its frames. It reads the program only through
a Reader (reader.py) that each debugger implements in a few lines: lldb/corosh_lldb_reader.py
and gdb/corosh_gdb_reader.py. views.py writes the text of the `coro` commands, so that LLDB
and gdb print the same thing.

    runtime = Runtime(MyDebuggerReader(...))
    for line in views.list_lines(runtime):
        print(line)
"""

from .model import Coroutine, Runtime, StackFrame  # noqa: F401
from .reader import Field, Layout, ModelError, Reader, SourceFrame  # noqa: F401
from . import registers, views  # noqa: F401
