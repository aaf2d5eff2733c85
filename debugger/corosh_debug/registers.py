"""The registers of a suspended context, as a debugger needs them.

Which registers corosh_switch saves, in what order, at which offsets and in how many bytes
is read from the debug information of corosh::detail::SavedContext (asm/context_layout.h
defines it). This file only adds what the ABIs define and debug information does not say:
each register's DWARF number and its generic role (pc, sp, fp, return address).
"""

from dataclasses import dataclass

from .reader import ModelError

# DWARF numbers of the callee-saved registers, by SavedContext field name (System V x86_64
# psABI, AAPCS64 DWARF). Fields not named here (mxcsr, fpucw, pad) are shown by `coro regs`
# but are not registers a debugger unwinds with.
DWARF_NUMBERS = {
    "x86_64": {"rbx": 3, "rbp": 6, "rsp": 7, "r12": 12, "r13": 13, "r14": 14, "r15": 15, "rip": 16},
    "arm64": dict({"x%d" % n: n for n in range(19, 29)}, fp=29, lr=30, sp=31,
                  **{"d%d" % n: 64 + n for n in range(8, 16)}),
}
# The fields holding the program counter a suspended context resumes at, its frame
# pointer and its stack pointer. On arm64 the switch returns through lr, so lr is the pc.
RESUME_FIELD = {"x86_64": "rip", "arm64": "lr"}
FRAME_POINTER_FIELD = {"x86_64": "rbp", "arm64": "fp"}
STACK_POINTER_FIELD = {"x86_64": "rsp", "arm64": "sp"}
PC_DWARF_NUMBER = {"x86_64": 16, "arm64": 32}


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


def machine_registers(saved_layout):
    """[Register] a debugger can unwind a suspended context with, in SavedContext order."""
    arch = architecture(saved_layout)
    roles = {FRAME_POINTER_FIELD[arch]: "fp", STACK_POINTER_FIELD[arch]: "sp"}
    roles[RESUME_FIELD[arch]] = "pc" if RESUME_FIELD[arch] == "rip" else "ra"
    registers = [Register(name, name, f.offset, f.size, DWARF_NUMBERS[arch][name], roles.get(name))
                 for name, f in saved_layout.fields.items() if name in DWARF_NUMBERS[arch]]
    if not any(r.role == "pc" for r in registers):
        # arm64: no pc field; the pc of a suspended context is its saved lr.
        resume = saved_layout[RESUME_FIELD[arch]]
        registers.append(Register("pc", RESUME_FIELD[arch], resume.offset, resume.size, PC_DWARF_NUMBER[arch], "pc"))
    return registers
