// spawn, list, select, cancel, info: making coroutines and looking them up.
#include "commands.hpp"
#include "coroutine_filter.hpp"
#include "frames.hpp"
#include "shell.hpp"
#include "spawn_tree.hpp"
#include "target_json.hpp"
#include "table.hpp"
#include "words.hpp"

#include <corosh/coroutine.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <csignal>
#include <unordered_map>

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
  const std::uint64_t id = shell.target().spawn(request);
  shell.selected = id;
  std::optional<CoroutineView> v = shell.target().find(id);
  if (!v) throw CommandError(fmt::format("coroutine {} vanished as it was spawned", id));
  // Past the guard-page cap a stack comes without one: say so at once, an
  // overflow there is caught by a canary at the next yield at best.
  shell.out.line(fmt::format("spawned {} ({} stack{}), selected", Shell::label(v->info), human_bytes(v->info.stack_size),
                             v->info.stack_guarded ? "" : ", NO guard page: an overflow on it stops the program"));
}

// Frames walked per coroutine for PARKED AT: the runtime's frames above the
// first of the program's are few, and list must stay cheap at thousands.
constexpr std::size_t parked_at_depth = 64;

// What PARKED AT says for `c`, whose first frame of the program's own code
// is `at` (if one was found).
std::string parked_text(const CoroutineInfo& c, const std::optional<FrameLine>& at) {
  if (c.state == State::running) return "(running)";
  if (c.state == State::dead && c.ending != Ending::faulted) return "";
  if (at) return short_location(*at) + (c.state == State::dead ? " (the fault)" : "");
  return c.state == State::created ? "(not started)" : "?";
}

void list(Shell& shell, const Words& args) {
  const ParsedWords words = parse_words("list", args);
  if (!words.arguments.empty())
    throw CommandError(fmt::format("'{}': list takes only options (`help list`)", printable(words.arguments[0])));
  const CoroutineFilter filter = filter_of(words);
  const std::vector<CoroutineView> all = shell.target().list();
  if (shell.json_output()) {
    std::vector<CoroutineView> matching;
    for (const CoroutineView& v : all)
      if (filter.matches(v.info)) matching.push_back(v);
    return shell.out.line(json_text({{"coroutines", matching}, {"selected", shell.selected}}));
  }
  if (all.empty()) {
    shell.out.line("no coroutines (`spawn NAME` starts one; `demos` lists the names)");
    return;
  }
  std::vector<const CoroutineView*> shown;
  for (const CoroutineView& v : all)
    if (filter.matches(v.info)) shown.push_back(&v);
  if (shown.empty()) {
    shell.out.line(fmt::format("no coroutine matches {} ({})", filter.text(), totals(all)));
    return;
  }
  const inspect::StackSet stacks = shell.target().stacks(parked_at_depth);
  const StackLines lines(stacks);
  std::unordered_map<std::uint64_t, std::optional<FrameLine>> parked;
  for (const inspect::StackSet::Stack& s : stacks.stacks) parked.emplace(s.id, lines.parked_at(s));

  // `!` marks a coroutine with a warning (`warnings` says which).
  std::set<std::uint64_t> warned;
  try {
    inspect::WarningLimits limits = shell.warning_limits;
    limits.locate = false;  // only which coroutines: no stack walks
    for (const inspect::Warning& w : shell.target().warnings(limits)) warned.insert(w.coroutine);
  } catch (const NotSupported&) {
  }
  Table table({{" "}, {"ID", Table::right}, {"NAME"}, {"STATE"}, {"SWITCHES", Table::right}, {"STACK USED/SIZE"},
               {"PARKED AT"}, {""}});
  for (const CoroutineView* v : shown) {
    const CoroutineInfo& c = v->info;
    auto at = parked.find(c.id);
    // Not spawned by the shell: the loop's (echo listeners) or one a demo
    // made for itself (pipeline's stages). Only their owner resumes them.
    table.add({std::string(c.id == shell.selected ? "*" : "") + (warned.contains(c.id) ? "!" : ""), std::to_string(c.id), c.name.empty() ? "-" : c.name,
               Shell::state_text(c), std::to_string(c.switches),
               fmt::format("{}/{}", c.stack_in_use, human_bytes(c.stack_size)),
               parked_text(c, at == parked.end() ? std::nullopt : at->second), v->yours ? "" : "(inspect only)"});
  }
  std::vector<std::string> text = table.lines();
  shell.out.line(shell.out.paint(text[0], Tone::heading));
  for (std::size_t i = 1; i < text.size(); ++i) shell.out.line(text[i]);
  shell.out.line(filter.empty() ? totals(all) : fmt::format("{} shown ({}) of {}", shown.size(), filter.text(), totals(all)));
}

void select(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve_yours(&args[0]);
  shell.selected = v.info.id;
  shell.out.line(fmt::format("selected {}", shell.status_line(v.info)));
}

void cancel(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve(args.empty() ? nullptr : &args[0]);
  if (v.info.state == State::dead)
    throw CommandError(fmt::format("{} is already {}", Shell::label(v.info), Shell::state_text(v.info)));
  // The loop's coroutines (an echo connection, a worker the program handed
  // to its loop) can be cancelled; one the program's own code resumes cannot.
  if (!v.yours && !v.info.loop_owned)
    throw CommandError(fmt::format("{} belongs to the code that created it (which holds its handle: "
                                   "a demo's stage, a generator the program pulls), not to the loop: only that code can cancel it",
                                   Shell::label(v.info)));
  StepResult now = shell.target().cancel(v);
  shell.out.line(shell.status_line(v.info, now));
}

void info(Shell& shell, const Words& args) {
  CoroutineView v = shell.resolve(args.empty() ? nullptr : &args[0]);
  if (shell.json_output())
    return shell.out.line(json_text({{"coroutine", v}, {"selected", v.info.id == shell.selected}}));
  const CoroutineInfo& c = v.info;
  Output& out = shell.out;
  out.line(out.paint(Shell::label(c), Tone::heading) + (c.id == shell.selected ? " (selected)" : ""));
  const std::vector<CoroutineView> all = shell.target().list();
  out.line(fmt::format("  spawned   {}", creator_text(v, all)));
  if (std::vector<const CoroutineView*> kids = children_of(all, c.id); !kids.empty()) {
    std::string names;
    for (std::size_t i = 0; i < kids.size() && i < 8; ++i)
      names += (i ? ", " : "") + id_and_name(kids[i]->info);
    if (kids.size() > 8) names += fmt::format(" and {} more", kids.size() - 8);
    out.line(fmt::format("  children  {}", names));
  }
  out.line(fmt::format("  state     {}", Shell::state_text(c)));
  if (!c.site_file.empty())
    out.line(fmt::format("  created   {}:{} in {}", base_name(c.site_file), c.site_line, c.site_function));
  if (c.state != State::dead || c.ending == Ending::faulted)
    out.line(fmt::format("  parked at {}", parked_text(c, parked_at(frame_lines(shell.target().stack(c, parked_at_depth))))));
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
             .options = filter_options(),
             .summary = "show coroutines: id, name, state, switches, stack use, where parked",
             .help = "One line per live coroutine of the shell's thread, the selected one\n"
                     "marked with *, then how many there are in each state. STATE says what\n"
                     "a waiting coroutine waits for, and how a dead one ended. PARKED AT is\n"
                     "the first frame of the program's own code on its stack (as `stack`\n"
                     "shows it, the runtime's frames skipped). Coroutines marked (inspect\n"
                     "only) were not spawned by you: the event loop's (echo listeners'\n"
                     "acceptors and connections) and those a demo starts for itself\n"
                     "(pipeline's stages). Only their owner resumes them. A ! after the\n"
                     "selection mark flags a coroutine with a warning (`warnings` explains it).\n"
                     "Filters, all of them at once: --state S (created, suspended, running,\n"
                     "normal, dead, waiting, or returned, threw, cancelled, faulted; given\n"
                     "twice, either), --name GLOB ('read-*'), --waiting, --dead, --site\n"
                     "FILE[:LINE] (where it was created).\n"
                     "Example: list --state suspended --name 'idle-*'",
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
                     "its wait withdrawn first. Besides yours, the loop's own coroutines (an\n"
                     "echo listener's acceptor and connections, a worker a program handed to\n"
                     "its loop) can be cancelled, here and attached; one whose handle the code\n"
                     "that created it holds (a pipeline's stage, a generator a program pulls)\n"
                     "cannot: that code would be left holding a coroutine that is gone.",
             .run = cancel});
  table.add({.name = "info",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "everything the registry knows about a coroutine",
             .help = "Who created it (the shell, the loop or another coroutine) and the\n"
                     "coroutines it created, its state, where it was created and where it is\n"
                     "parked, how often it was switched to, its stack (size, address, bytes\n"
                     "in use, pages touched, guard page) and, for a faulted one, the fault.",
             .json = true,
             .run = info});
}

}  // namespace corosh::shell
