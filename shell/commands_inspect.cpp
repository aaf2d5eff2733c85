// stack, regs, ctx: looking inside a parked coroutine.
#include "commands.hpp"
#include "frames.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <corosh/register.hpp>
#include <corosh/unwind.hpp>

#include <fmt/format.h>

#include <cstring>

namespace corosh::shell {
namespace {

CoroutineInfo target(Shell& shell, const Words& args) {
  return *find_coroutine(shell.resolve(args.empty() ? nullptr : &args[0], false));
}

std::string stack_summary(const CoroutineInfo& c) {
  return fmt::format("stack: {}, {} bytes in use, {}", human_bytes(c.stack_size), c.stack_in_use,
                     c.stack_guarded ? "guard page below" : "no guard page (canary checked at each yield)");
}

void stack(Shell& shell, const Words& args) {
  CoroutineInfo c = target(shell, args);
  std::vector<Frame> frames;
  if (c.state == State::dead && c.ending == Ending::faulted) {
    frames = fault_frames(c.id, 4096);
  } else if (c.state == State::dead) {
    throw CommandError(fmt::format("{} is {}: it has no stack left to walk", Shell::label(c), Shell::state_text(c)));
  } else {
    frames = parked_frames(c.id);
  }
  shell.out.line(shell.status_line(c.id) + (c.ending == Ending::faulted ? " (frames at the fault)" : ""));
  if (frames.empty()) shell.out.line("(no frames: the frame-pointer chain could not be followed)");
  print_frames(shell.out, frames, 32);
  shell.out.line(stack_summary(c));
}

void regs(Shell& shell, const Words& args) {
  CoroutineInfo c = target(shell, args);
  if (c.registers.empty())
    throw CommandError(fmt::format("{} is {}: it has no saved registers", Shell::label(c), Shell::state_text(c)));
  shell.out.line(fmt::format("{} ({})", shell.status_line(c.id), architecture()));
  for (const Register& r : c.registers) {
    std::string note;
    if (r.name == resume_register() && r.value != 0) note = "  " + symbolize(Frame{.pc = r.value}).function;
    shell.out.line(fmt::format("  {:<6} 0x{:016x}{}", r.name, r.value, note));
  }
}

void ctx(Shell& shell, const Words& args) {
  CoroutineInfo c = target(shell, args);
  if (c.state == State::dead || c.state == State::running || c.context_address == 0)
    throw CommandError(fmt::format("{} is {}: no context is saved for it", Shell::label(c), Shell::state_text(c)));
  shell.out.line(fmt::format("{}: saved context at 0x{:x}, {} bytes ({}, layout from asm/context_layout.h)",
                             shell.status_line(c.id), c.context_address, saved_context_size(), architecture()));
  // In-process: the record is ordinary memory inside the coroutine's control
  // block, read slot by slot exactly as the switch wrote it.
  const auto* base = reinterpret_cast<const unsigned char*>(c.context_address);
  for (const RegisterSlot& slot : saved_register_slots()) {
    std::uint64_t value = 0;
    std::memcpy(&value, base + slot.offset, slot.size);  // little-endian on both targets
    shell.out.line(fmt::format("  0x{:x}  +{:<3} {:<6} 0x{:0{}x}  {}", c.context_address + slot.offset, slot.offset,
                               slot.name, value, int(slot.size * 2), slot.role));
  }
}

}  // namespace

void add_inspect_commands(CommandTable& table) {
  table.add({.name = "stack",
             .alias = "bt",
             .synopsis = "[ID]",
             .summary = "backtrace of a parked coroutine, then its stack use",
             .help = "Walks the frame-pointer chain from the saved frame pointer down to the\n"
                     "zeroed record at the bottom of the coroutine's stack, and names each\n"
                     "frame: #N function at file:line. For a faulted coroutine, the frames at\n"
                     "the fault. Then the stack size, the bytes in use and the guard page.",
             .max_args = 1,
             .run = stack});
  table.add({.name = "regs",
             .synopsis = "[ID]",
             .summary = "the saved registers of a parked coroutine",
             .help = "The callee-saved registers the context switch stored when the coroutine\n"
                     "last stopped, for this machine's architecture, with the function that\n"
                     "the resume address lies in.",
             .max_args = 1,
             .run = regs});
  table.add({.name = "ctx",
             .synopsis = "[ID]",
             .summary = "the saved context as it lies in memory, slot by slot",
             .help = "The teaching view of a switch: the address of each saved slot in the\n"
                     "coroutine's control record, its offset (as in asm/context_layout.h), the\n"
                     "register it holds, its value and its role.",
             .max_args = 1,
             .run = ctx});
}

}  // namespace corosh::shell
