// stack, stacks, regs, ctx: looking inside parked coroutines.
#include "commands.hpp"
#include "coroutine_filter.hpp"
#include "frames.hpp"
#include "stack_groups.hpp"
#include "stack_view.hpp"
#include "shell.hpp"
#include "target_json.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace corosh::shell {
namespace {

CoroutineView chosen(Shell& shell, const Words& args) { return shell.resolve(args.empty() ? nullptr : &args[0]); }

std::string stack_summary(const CoroutineInfo& c) {
  return fmt::format("stack: {}, {} bytes in use, {}", human_bytes(c.stack_size), c.stack_in_use,
                     c.stack_guarded ? "guard page below" : "no guard page (an overflow stops the program)");
}

// Frames walked at most: deeper than any stack that fits in memory the
// runtime hands out, so a walk that stops here says so.
constexpr std::size_t walk_limit = 65536;
// Lines `stack` shows from the top unless told otherwise.
constexpr std::size_t default_stack_lines = 32;

// How --all, --full and N ask to see a stack; `command` repeats the
// command for the "left out" line.
StackView view_of(const ParsedWords& words, const std::string* count, std::string full_command) {
  StackView view;
  view.fold_runtime = view.fold_recursion = !words.has("--all");
  if (!words.has("--full"))
    view.limit = count ? parse_number(*count, "N", 1, walk_limit) : default_stack_lines;
  view.full_command = std::move(full_command);
  if (words.has("--all")) view.full_command += " --all";
  return view;
}

void walk_stopped(Output& out, std::size_t frames) {
  if (frames >= walk_limit) out.line(fmt::format("(the walk stopped after {} frames)", walk_limit));
}

void stack_groups(Shell& shell, const ParsedWords& words);

void stack(Shell& shell, const Words& args) {
  const ParsedWords words = parse_words("stack", args);
  if (words.has("--group")) {
    if (!words.arguments.empty())
      throw CommandError("--group shows every coroutine: give no ID (`stacks` is the same)");
    return stack_groups(shell, words);
  }
  if (words.arguments.size() > 2) throw CommandError("at most an ID and a number of lines (usage: stack [ID] [N])");
  const CoroutineInfo c = shell.resolve(words.arguments.empty() ? nullptr : &words.arguments[0]).info;
  const bool faulted = c.state == State::dead && c.ending == Ending::faulted;
  if (c.state == State::dead && !faulted)
    throw CommandError(fmt::format("{} is {}: it has no stack left to walk", Shell::label(c), Shell::state_text(c)));
  const StackView view = view_of(words, words.arguments.size() > 1 ? &words.arguments[1] : nullptr,
                                 fmt::format("stack {} --full", c.id));
  const std::vector<inspect::NamedFrame> frames = shell.target().stack(c, walk_limit);
  if (shell.json_output())
    return shell.out.line(json_text({{"coroutine", c}, {"at_fault", faulted}, {"frames", frames}}));
  shell.out.line(shell.status_line(c) + (faulted ? " (frames at the fault)" : ""));
  if (frames.empty()) shell.out.line("(no frames: the frame-pointer chain could not be followed)");
  print_stack(shell.out, frame_lines(frames), view);
  walk_stopped(shell.out, frames.size());
  shell.out.line(stack_summary(c));
}

void stack_groups(Shell& shell, const ParsedWords& words) {
  if (words.arguments.size() > 1) throw CommandError("at most a number of lines (usage: stacks [N])");
  const CoroutineFilter filter = filter_of(words);
  std::map<std::uint64_t, std::string> names;  // those the filter lets through; groups of one are named
  for (const CoroutineView& v : shell.target().list())
    if (filter.matches(v.info)) names.emplace(v.info.id, v.info.name);
  std::vector<CoroutineFrames> all;
  std::size_t deepest = 0;
  const inspect::StackSet set = shell.target().stacks(walk_limit);
  const StackLines lines(set);
  for (const inspect::StackSet::Stack& s : set.stacks) {
    if (!names.contains(s.id)) continue;
    deepest = std::max(deepest, s.frames.size());
    all.push_back({s.id, lines.lines(s)});
  }
  if (all.empty()) {
    shell.out.line(filter.empty() ? "no coroutine has a stack to show (none is parked)"
                                  : fmt::format("no coroutine with a stack matches {}", filter.text()));
    return;
  }
  const std::vector<StackGroup> groups = group_stacks(all);
  shell.out.line(fmt::format("{} coroutine{} with a stack{}, {} distinct stack{}, largest group first", all.size(),
                             all.size() == 1 ? "" : "s", filter.empty() ? "" : " (" + filter.text() + ")",
                             groups.size(), groups.size() == 1 ? "" : "s"));
  const StackView view =
      view_of(words, words.arguments.empty() ? nullptr : &words.arguments[0], "stacks --full");
  for (const StackGroup& g : groups) {
    const std::string who = g.ids.size() == 1 ? Shell::label(g.ids[0], names[g.ids[0]])
                                              : fmt::format("{} coroutines: {}", g.ids.size(), id_ranges(g.ids, 12));
    shell.out.line(shell.out.paint(who, Tone::heading));
    print_stack(shell.out, g.frames, view, "  ");
  }
  walk_stopped(shell.out, deepest);
}

std::vector<Option> stacks_options() {
  std::vector<Option> options{{"--all", ""}, {"--full", ""}};
  for (Option& o : filter_options()) options.push_back(o);
  return options;
}

void stacks(Shell& shell, const Words& args) { stack_groups(shell, parse_words("stacks", args)); }

void regs(Shell& shell, const Words& args) {
  const CoroutineInfo c = chosen(shell, args).info;
  if (c.registers.empty())
    throw CommandError(fmt::format("{} is {}: it has no saved registers", Shell::label(c), Shell::state_text(c)));
  const RegisterLayout layout = shell.target().register_layout();
  shell.out.line(fmt::format("{} ({})", shell.status_line(c), layout.architecture));
  for (const Register& r : c.registers) {
    std::string note;
    if (r.name == layout.resume_register && r.value != 0) note = "  " + shell.target().symbol(r.value).function;
    shell.out.line(fmt::format("  {:<6} 0x{:016x}{}", r.name, r.value, note));
  }
}

void ctx(Shell& shell, const Words& args) {
  const CoroutineInfo c = chosen(shell, args).info;
  inspect::ContextMemory memory;
  if (c.state != State::dead && c.state != State::running) memory = shell.target().context(c);
  const RegisterLayout layout = shell.target().register_layout();
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
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional},
                           {"N", ArgKind::count, Argument::Presence::optional}},
             .options = {{"--all", ""}, {"--full", ""}, {"--group", ""}},
             .summary = "backtrace of a parked coroutine, then its stack use",
             .help = "Walks the frame-pointer chain from the saved frame pointer down to the\n"
                     "zeroed record at the bottom of the coroutine's stack, and names each\n"
                     "frame: #N function at file:line. For a faulted coroutine, the frames at\n"
                     "the fault. Then the stack size, the bytes in use and the guard page.\n"
                     "The runtime's own frames fold into one line (`... 9 corosh frames`) and\n"
                     "a function calling itself from the same line into one line with a\n"
                     "count; --all shows every frame as it is. At most N lines (default 32)\n"
                     "from the top, then how many were left out, then the bottom of the\n"
                     "stack; --full shows them all. --group is `stacks`.\n"
                     "Example: stack deep 10",
             .json = true,
             .run = stack});
  table.add({.name = "stacks",
             .arguments = {{"N", ArgKind::count, Argument::Presence::optional}},
             .options = stacks_options(),
             .summary = "every parked coroutine's stack, identical stacks grouped",
             .help = "Walks every coroutine that has a stack (parked, or faulted) and groups\n"
                     "those whose frames are the same: each group says how many coroutines\n"
                     "share it and which (ids, runs as ranges), largest group first, then\n"
                     "the stack folded as `stack` folds it (N, --all and --full as there).\n"
                     "A thousand connections waiting in the same read show as one group.\n"
                     "The filters of `list` pick the coroutines (stacks --waiting).",
             .run = stacks});
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
