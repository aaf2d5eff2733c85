// stack, regs, ctx: looking inside a parked coroutine.
#include "commands.hpp"
#include "frames.hpp"
#include "shell.hpp"
#include "target_json.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <cstring>

namespace corosh::shell {
namespace {

CoroutineView chosen(Shell& shell, const Words& args) { return shell.resolve(args.empty() ? nullptr : &args[0]); }

std::string stack_summary(const CoroutineInfo& c) {
  return fmt::format("stack: {}, {} bytes in use, {}", human_bytes(c.stack_size), c.stack_in_use,
                     c.stack_guarded ? "guard page below" : "no guard page (an overflow stops the program)");
}

void stack(Shell& shell, const Words& args) {
  const CoroutineInfo c = chosen(shell, args).info;
  const bool faulted = c.state == State::dead && c.ending == Ending::faulted;
  if (c.state == State::dead && !faulted)
    throw CommandError(fmt::format("{} is {}: it has no stack left to walk", Shell::label(c), Shell::state_text(c)));
  std::vector<inspect::NamedFrame> frames = shell.target.stack(c, faulted ? 4096 : 256);
  if (shell.json_output())
    return shell.out.line(json_text({{"coroutine", c}, {"at_fault", faulted}, {"frames", frames}}));
  shell.out.line(shell.status_line(c) + (faulted ? " (frames at the fault)" : ""));
  if (frames.empty()) shell.out.line("(no frames: the frame-pointer chain could not be followed)");
  print_frames(shell.out, frames, 32);
  shell.out.line(stack_summary(c));
}

void regs(Shell& shell, const Words& args) {
  const CoroutineInfo c = chosen(shell, args).info;
  if (c.registers.empty())
    throw CommandError(fmt::format("{} is {}: it has no saved registers", Shell::label(c), Shell::state_text(c)));
  const RegisterLayout layout = shell.target.register_layout();
  shell.out.line(fmt::format("{} ({})", shell.status_line(c), layout.architecture));
  for (const Register& r : c.registers) {
    std::string note;
    if (r.name == layout.resume_register && r.value != 0) note = "  " + shell.target.symbol(r.value).function;
    shell.out.line(fmt::format("  {:<6} 0x{:016x}{}", r.name, r.value, note));
  }
}

void ctx(Shell& shell, const Words& args) {
  const CoroutineInfo c = chosen(shell, args).info;
  inspect::ContextMemory memory;
  if (c.state != State::dead && c.state != State::running) memory = shell.target.context(c);
  const RegisterLayout layout = shell.target.register_layout();
  if (memory.bytes.size() < layout.size)
    throw CommandError(fmt::format("{} is {}: no context is saved for it", Shell::label(c), Shell::state_text(c)));
  shell.out.line(fmt::format("{}: saved context at 0x{:x}, {} bytes ({}, layout from asm/context_layout.h)",
                             shell.status_line(c), memory.address, layout.size, layout.architecture));
  for (const RegisterLayout::Slot& slot : layout.slots) {
    std::uint64_t value = 0;
    std::memcpy(&value, memory.bytes.data() + slot.offset, slot.size);  // little-endian on both targets
    shell.out.line(fmt::format("  0x{:x}  +{:<3} {:<6} 0x{:0{}x}  {}", memory.address + slot.offset, slot.offset,
                               slot.name, value, int(slot.size * 2), slot.role));
  }
}

}  // namespace

void add_inspect_commands(CommandTable& table) {
  table.add({.name = "stack",
             .aliases = {"bt"},
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "backtrace of a parked coroutine, then its stack use",
             .help = "Walks the frame-pointer chain from the saved frame pointer down to the\n"
                     "zeroed record at the bottom of the coroutine's stack, and names each\n"
                     "frame: #N function at file:line. For a faulted coroutine, the frames at\n"
                     "the fault. Then the stack size, the bytes in use and the guard page.",
             .json = true,
             .run = stack});
  table.add({.name = "regs",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "the saved registers of a parked coroutine",
             .help = "The callee-saved registers the context switch stored when the coroutine\n"
                     "last stopped, for this machine's architecture, with the function that\n"
                     "the resume address lies in.",
             .run = regs});
  table.add({.name = "ctx",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "the saved context as it lies in memory, slot by slot",
             .help = "The teaching view of a switch: the address of each saved slot in the\n"
                     "coroutine's control record, its offset (as in asm/context_layout.h), the\n"
                     "register it holds, its value and its role.",
             .run = ctx});
}

}  // namespace corosh::shell
