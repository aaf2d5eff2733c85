"""The registers of a suspended context, as a debugger needs them.

Which registers corosh_switch saves, at which offsets, in how many bytes and with which
DWARF numbers is read from the program: the layout of corosh::detail::SavedContext from its
debug information, and the runtime's own table of it (corosh_saved_register_slots, made
from asm/context_layout.h). This file only adds the ABIs' generic roles: which field holds
the pc a context resumes at, its frame pointer and its stack pointer.
"""

from dataclasses import dataclass

from .reader import ModelError

SLOTS_SYMBOL = "corosh_saved_register_slots"
COUNT_SYMBOL = "corosh_saved_register_count"
REGISTER_SLOT = "corosh::RegisterSlot"

# The fields holding the program counter a suspended context resumes at, its frame
# pointer and its stack pointer. On arm64 the switch returns through lr, so lr is the pc.
RESUME_FIELD = {"x86_64": "rip", "arm64": "lr"}
FRAME_POINTER_FIELD = {"x86_64": "rbp", "arm64": "fp"}
STACK_POINTER_FIELD = {"x86_64": "rsp", "arm64": "sp"}
# arm64's pc has a DWARF number of its own but no slot: a suspended context resumes at lr.
PC_DWARF_NUMBER = {"arm64": 32}


@dataclass(frozen=True)
class Register:
    """One register of a suspended context: where it is in SavedContext and what it is."""
    name: str
    field: str  # the SavedContext field that holds it
    offset: int
    size: int
    dwarf: int
    role: str = None  # "pc", "sp", "fp", "ra" or None


def architecture(saved_layout):
    """'x86_64' or 'arm64', from the fields SavedContext has."""
    for arch, resume in RESUME_FIELD.items():
        if resume in saved_layout.fields and FRAME_POINTER_FIELD[arch] in saved_layout.fields:
            return arch
    raise ModelError("corosh::detail::SavedContext has neither x86_64 nor arm64 registers")


def machine_registers(saved_layout, slots):
    """[Register] a debugger can unwind a suspended context with, in SavedContext order:
    the full-width slots of the runtime's table `slots` [(offset, size, dwarf)] that have
    a DWARF number."""
    arch = architecture(saved_layout)
    roles = {FRAME_POINTER_FIELD[arch]: "fp", STACK_POINTER_FIELD[arch]: "sp"}
    roles[RESUME_FIELD[arch]] = "pc" if arch not in PC_DWARF_NUMBER else "ra"
    dwarf_at = {offset: dwarf for offset, size, dwarf in slots if dwarf >= 0 and size == 8}
    registers = [Register(name, name, f.offset, f.size, dwarf_at[f.offset], roles.get(name))
                 for name, f in saved_layout.fields.items() if f.offset in dwarf_at and f.size == 8]
    if not any(r.name == RESUME_FIELD[arch] for r in registers):
        raise ModelError("the runtime's register table has no DWARF number for %s" % RESUME_FIELD[arch])
    if arch in PC_DWARF_NUMBER:
        resume = saved_layout[RESUME_FIELD[arch]]
        registers.append(Register("pc", RESUME_FIELD[arch], resume.offset, resume.size, PC_DWARF_NUMBER[arch], "pc"))
    return registers
