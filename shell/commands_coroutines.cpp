// spawn, list, select, cancel, info: making coroutines and looking them up.
#include "commands.hpp"
#include "shell.hpp"
#include "target_json.hpp"
#include "words.hpp"

#include <corosh/coroutine.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

namespace corosh::shell {
namespace {

std::string base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

void spawn(Shell& shell, const Words& args) {
  SpawnRequest request{.demo = args[0]};
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--name" || a == "--stack") {
      if (i + 1 == args.size()) throw CommandError(fmt::format("{} needs a value", a));
      const std::string& value = args[++i];
      if (a == "--stack") {
        request.stack_size = parse_size(value, "stack size");
      } else {
        if (value.empty() || value.size() > max_name_length)
          throw CommandError(fmt::format("a name has 1 to {} characters", max_name_length));
        if (is_number(value))
          throw CommandError(fmt::format("'{}' would read as an id; give a name with a letter in it", value));
        if (!reject_binary(value).empty() || value.find_first_of(" \t") != std::string::npos)
          throw CommandError("a name has no blanks or control characters");
        request.name = value;
      }
    } else if (a.starts_with("--")) {
      throw CommandError(fmt::format("unknown option '{}' (--name N and --stack SIZE are known)", printable(a)));
    } else {
      request.arguments.push_back(a);
    }
  }
  const std::uint64_t id = shell.target.spawn(request);
  shell.selected = id;
  std::optional<CoroutineView> v = shell.target.find(id);
  if (!v) throw CommandError(fmt::format("coroutine {} vanished as it was spawned", id));
  // Past the guard-page cap a stack comes without one: say so at once, an
  // overflow there is caught by a canary at the next yield at best.
  shell.out.line(fmt::format("spawned {} ({} stack{}), selected", Shell::label(v->info), human_bytes(v->info.stack_size),
                             v->info.stack_guarded ? "" : ", NO guard page: an overflow on it stops the program"));
}

void list(Shell& shell, const Words&) {
  std::vector<CoroutineView> all = shell.target.list();
  if (shell.json_output())
    return shell.out.line(json_text({{"coroutines", all}, {"selected", shell.selected}}));
  if (all.empty()) {
    shell.out.line("no coroutines (`spawn NAME` starts one; `demos` lists the names)");
    return;
  }
  shell.out.line(shell.out.paint(fmt::format("  {:>4}  {:<20} {:<34} {:>8}  {}", "ID", "NAME", "STATE", "SWITCHES",
                                             "STACK USED/SIZE"),
                                 Tone::heading));
  for (const CoroutineView& v : all) {
    const CoroutineInfo& c = v.info;
    // Not spawned by the shell: the loop's (echo listeners) or one a demo
    // made for itself (pipeline's stages). Only their owner resumes them.
    std::string owner = v.yours ? "" : " (inspect only)";
    shell.out.line(fmt::format("{} {:>4}  {:<20} {:<34} {:>8}  {}/{}{}", c.id == shell.selected ? '*' : ' ', c.id,
                               c.name.empty() ? "-" : c.name, Shell::state_text(c), c.switches, c.stack_in_use,
                               human_bytes(c.stack_size), owner));
  }
}

void select(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve_yours(&args[0]);
  shell.selected = v.info.id;
  shell.out.line(fmt::format("selected {}", shell.status_line(v.info)));
}

void cancel(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve_yours(args.empty() ? nullptr : &args[0]);
  if (v.info.state == State::dead)
    throw CommandError(fmt::format("{} is already {}", Shell::label(v.info), Shell::state_text(v.info)));
  StepResult now = shell.target.cancel(v);
  shell.out.line(shell.status_line(v.info, now));
}

void info(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve(args.empty() ? nullptr : &args[0]);
  if (shell.json_output())
    return shell.out.line(json_text({{"coroutine", v}, {"selected", v.info.id == shell.selected}}));
  const CoroutineInfo& c = v.info;
  Output& out = shell.out;
  out.line(out.paint(Shell::label(c), Tone::heading) + (c.id == shell.selected ? " (selected)" : ""));
  out.line(fmt::format("  spawned   {}", v.origin));
  out.line(fmt::format("  state     {}", Shell::state_text(c)));
  if (!c.site_file.empty())
    out.line(fmt::format("  created   {}:{} in {}", base_name(c.site_file), c.site_line, c.site_function));
  out.line(fmt::format("  switches  {}", c.switches));
  out.line(fmt::format("  stack     {} at 0x{:x}, {} bytes in use, {} touched, {}", human_bytes(c.stack_size),
                       c.stack_base, c.stack_in_use, human_bytes(c.stack_touched),
                       c.stack_guarded ? "guard page below" : "no guard page (an overflow stops the program)"));
  if (c.ending == Ending::faulted)
    out.line(fmt::format("  fault     signal {} at 0x{:x} (pc 0x{:x}, sp 0x{:x})", c.fault_signal, c.fault_address,
                         c.fault_pc, c.fault_sp));
}

}  // namespace

void add_coroutine_commands(CommandTable& table) {
  table.add({.name = "spawn",
             .arguments = {{"DEMO", ArgKind::demo}, {"ARGS", ArgKind::text, Argument::Presence::repeated}},
             .options = {{"--name", "N", ArgKind::text}, {"--stack", "SIZE", ArgKind::size}},
             .summary = "start a demo as a new coroutine and select it",
             .help = "Creates the demo's coroutine without running it (state created); `step`\n"
                     "runs it. --name gives it a name to use instead of its id (default: the\n"
                     "demo's name); --stack sets its stack size (65536, 64K, 1M; default 256K).\n"
                     "Example: spawn tree_preorder 7 --name small",
             .run = spawn});
  table.add({.name = "list",
             .aliases = {"ps"},
             .summary = "show every coroutine: id, name, state, switches, stack use",
             .help = "One line per live coroutine of the shell's thread, the selected one\n"
                     "marked with *. STATE says what a waiting coroutine waits for, and how a\n"
                     "dead one ended. Coroutines marked (inspect only) were not spawned by\n"
                     "you: the event loop's (echo listeners' acceptors and connections) and\n"
                     "those a demo starts for itself (pipeline's stages). Only their owner\n"
                     "resumes them.",
             .json = true,
             .run = list});
  table.add({.name = "select",
             .arguments = {{"ID", ArgKind::coroutine}},
             .summary = "make a coroutine the default target of commands",
             .help = "ID is a coroutine id or name. Commands that take an optional ID use the\n"
                     "selected coroutine when none is given. `spawn` selects what it spawns.",
             .run = select});
  table.add({.name = "cancel",
             .aliases = {"kill"},
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "cancel a coroutine: unwind its stack so destructors run",
             .help = "A suspended coroutine is resumed with a corosh::Unwind exception thrown\n"
                     "from its pending yield, which unwinds every frame; it ends as dead\n"
                     "(cancelled). A created one simply never runs; one waiting on the loop has\n"
                     "its wait withdrawn first.",
             .run = cancel});
  table.add({.name = "info",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "everything the registry knows about a coroutine",
             .help = "State, where it was created, how often it was switched to, its stack\n"
                     "(size, address, bytes in use, pages touched, guard page) and, for a\n"
                     "faulted one, the fault.",
             .json = true,
             .run = info});
}

}  // namespace corosh::shell
