"""The text of the `coro` commands and of the type summaries, the same in every debugger.

Each function takes a model.Runtime and returns the lines to print (or raises ModelError).
The `coro list` table (its columns, their order and alignment, the label of a coroutine)
is defined here and nowhere else.
"""

from .model import ModelError

# `coro list`: (heading, alignment) of each column; the last one is not padded.
LIST_COLUMNS = (("ID", ">"), ("NAME", "<"), ("STATE", "<"), ("WAITING FOR", "<"), ("PARKED AT", "<"))
COLUMN_GAP = "  "


def state_text(c):
    """`suspended`, `dead (returned)`, `running (SIGSEGV at 0x0)` for one dying of a fault."""
    text = c.state
    if c.state == "dead":
        text += " (%s)" % c.ending
    elif c.faulted:
        text += " (%s)" % c.fault.text()
    return text


def _table(rows, columns):
    widths = [max(len(row[i]) for row in rows + [[heading for heading, _ in columns]])
              for i in range(len(columns))]
    lines = []
    for row in [[heading for heading, _ in columns]] + rows:
        cells = [("{:%s%d}" % (align, widths[i])).format(row[i]) if i < len(columns) - 1 else row[i]
                 for i, (_, align) in enumerate(columns)]
        lines.append(COLUMN_GAP.join(cells))
    return lines


def list_lines(runtime):
    """`coro list`: every coroutine with its state, what it waits for, where it is parked."""
    rows = [[str(c.id), c.name or "-", state_text(c), c.wait_reason or "-", runtime.parked_at(c) or "-"]
            for c in runtime.coroutines()]
    return _table(rows, LIST_COLUMNS) if rows else ["no coroutines"]


def backtrace_lines(runtime, c):
    """`coro bt`: the frames of a parked coroutine (or of one at its fault)."""
    if not (c.parked or c.faulted):
        why = ("it is running: its frames are on the thread (use `bt`)" if c.state == "running"
               else "it is dead (%s): it has no stack" % c.ending)
        raise ModelError("coroutine %d has no parked stack: %s" % (c.id, why))
    heading = "%s (%s, %d KiB stack)" % (c.label(), state_text(c), c.stack_size // 1024)
    if c.faulted:
        heading += ", frames at the fault"
    lines = [heading]
    for index, frame in enumerate(runtime.frames(c)):
        lines.append("  frame #%d: 0x%016x %s" % (index, frame.pc, runtime.describe(frame).text()))
    return lines


def registers_lines(c):
    """`coro regs`: the registers a parked coroutine saved, in SavedContext order."""
    if not c.parked:
        raise ModelError("coroutine %d is %s: only a parked coroutine has saved registers" % (c.id, c.state))
    lines = ["%s saved registers at 0x%x:" % (c.label(), c.registers_address)]
    lines += ["  %-6s = 0x%016x" % (name, value) for name, value in c.registers.items()]
    return lines


def summary(c):
    """The one-line summary of a corosh::Coroutine, Generator<T> or control record."""
    text = "id=%d" % c.id
    if c.name:
        text += " name='%s'" % c.name
    text += " state=%s" % c.state
    if c.state == "dead":
        text += " (%s)" % c.ending
    if c.wait_reason:
        text += " waiting for %s" % c.wait_reason
    return text
