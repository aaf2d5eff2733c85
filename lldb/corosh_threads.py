"""corosh_threads.py — an LLDB OS plugin: every parked coroutine is a thread.

Turn it on with `coro threads on` (after `command script import corosh.py`),
or directly:

    settings set target.process.python-os-plugin-path /abs/path/lldb/corosh_threads.py

Then `thread list`, `bt all`, `thread backtrace unique`, `thread select N`,
`frame select` and `frame variable` work inside suspended coroutines. LLDB
unwinds each one itself from the registers the coroutine saved when it
switched away; the register layout is read from debug information.

Only parked coroutines (created, suspended, normal) are listed: a running
coroutine's frames are on the real thread that runs it. Each coroutine keeps
one thread id for its whole life (LLDB caches names per id).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corosh_lldb_reader as reader  # noqa: E402
from corosh_debug import ModelError  # noqa: E402
from corosh_debug.model import SAVED_CONTEXT  # noqa: E402

# Far above any real thread id, so coroutine threads never collide with them.
TID_BASE = 0xC0000000


class OperatingSystemPlugIn(object):
    def __init__(self, process):
        self.process = process
        self.target = process.GetTarget()
        self.register_info = None

    def _runtime(self):
        return reader.runtime(self.target, self.process)

    def _parked(self):
        try:
            return [c for c in self._runtime().coroutines() if c.parked]
        except ModelError:
            return []

    def _registers(self):
        """LLDB's description of a saved context, or None if the program gives none: LLDB
        crashes on an exception here, so a program that cannot be read gets no threads."""
        if self.register_info is None:
            try:
                registers = self._runtime().machine_registers()
            except ModelError:
                return None
            entries = []
            for r in registers:
                entry = {
                    "name": r.name,
                    "bitsize": 8 * r.size,
                    "offset": r.offset,
                    "encoding": "uint",
                    "format": "hex",
                    "set": 0,
                    "gcc": r.dwarf,
                    "dwarf": r.dwarf,
                }
                if r.role:
                    entry["generic"] = r.role
                entries.append(entry)
            self.register_info = {"sets": ["Saved by corosh_switch"], "registers": entries}
        return self.register_info

    def get_thread_info(self):
        if self._registers() is None:
            return []
        threads = []
        for c in self._parked():
            threads.append({
                "tid": TID_BASE + c.id,
                "name": c.label(),
                "queue": c.wait_reason or c.state,
                "state": "stopped",
                "stop_reason": "none",
                "register_data_addr": c.registers_address,
            })
        return threads

    def get_register_info(self):
        return self._registers() or {"sets": ["Saved by corosh_switch"], "registers": []}

    def get_register_data(self, tid):
        # LLDB reads registers from register_data_addr; this is the fallback, and must
        # return bytes (None crashed LLDB 16).
        runtime = self._runtime()
        try:
            size = runtime.layout(SAVED_CONTEXT).size
        except ModelError:
            return b"\0" * 8
        for c in self._parked():
            if TID_BASE + c.id == tid:
                try:
                    return runtime.reader.read(c.registers_address, size)
                except ModelError:
                    break
        return b"\0" * size
