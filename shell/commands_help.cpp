// help, demos, quit: finding your way around.
#include "commands.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace corosh::shell {
namespace {

// Widest usage line `help` lists in full; wider ones say [OPTIONS].
constexpr std::size_t overview_width = 48;

// "step [ID] [N]".
std::string usage_line(const Command& c, bool options = true) {
  std::string synopsis = c.synopsis(options);
  return synopsis.empty() ? std::string(c.name) : fmt::format("{} {}", c.name, synopsis);
}

// The usage line in the overview: in full if it fits.
std::string overview_line(const Command& c) {
  std::string full = usage_line(c);
  return full.size() <= overview_width ? full : usage_line(c, false);
}

void help(Shell& shell, const Words& args) {
  const CommandTable& table = command_table();
  if (args.empty()) {
    std::size_t width = 0;
    for (const Command& c : table.all())
      width = std::max(width, overview_line(c).size());
    for (const Command& c : table.all()) {
      std::string head = overview_line(c);
      shell.out.line(fmt::format("  {:<{}}  {}", head, width, c.summary));
    }
    shell.out.line("`help COMMAND` tells more; ids or names pick a coroutine, the selected one is the default.");
    return;
  }
  const Command* c = table.find(args[0]);
  if (c == nullptr) {
    // A demo or a plugin's function: its usage and what it does.
    for (const DemoInfo& d : shell.target().demos()) {
      if (d.name != args[0]) continue;
      shell.out.line(shell.out.paint(fmt::format("spawn {}{}{}", d.name, d.synopsis.empty() ? "" : " ", d.synopsis),
                                     Tone::heading) +
                     (d.plugin.empty() ? std::string() : fmt::format("   (plugin {})", d.plugin)));
      shell.out.line(fmt::format("  {}", d.description));
      return;
    }
    throw CommandError(fmt::format("no command '{}' {}", printable(args[0]), table.hint_for(args[0])));
  }
  std::string also;
  for (std::string_view alias : c->aliases) also += (also.empty() ? "" : ", ") + std::string(alias);
  shell.out.line(shell.out.paint(usage_line(*c), Tone::heading) +
                 (also.empty() ? std::string() : fmt::format("   (also: {})", also)));
  shell.out.line(fmt::format("  {}", c->summary));
  std::string_view text = c->help;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    shell.out.line(fmt::format("  {}", text.substr(0, end)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

void demos(Shell& shell, const Words&) {
  std::vector<DemoInfo> all = shell.target().demos();
  if (all.empty()) {
    shell.out.line(fmt::format("no demos on {}", shell.target().describe()));
    return;
  }
  std::size_t width = 0;
  for (const DemoInfo& d : all)
    width = std::max(width, d.name.size() + (d.synopsis.empty() ? 0 : d.synopsis.size() + 1));
  for (const DemoInfo& d : all) {
    std::string head = fmt::format("{}{}{}", d.name, d.synopsis.empty() ? "" : " ", d.synopsis);
    shell.out.line(fmt::format("  {:<{}}  {}{}", head, width, d.description,
                               d.plugin.empty() ? std::string() : fmt::format(" (plugin {})", d.plugin)));
  }
}

}  // namespace

void add_help_commands(CommandTable& table) {
  table.add({.name = "help",
             .arguments = {{"COMMAND", ArgKind::command, Argument::Presence::optional}},
             .summary = "list the commands, or explain one",
             .help = "Without an argument, one line per command. With one, what the command\n"
                     "does, its arguments and an example; for a demo or a plugin's function,\n"
                     "its arguments and what it does.",
             .run = help});
  table.add({.name = "demos",
             .summary = "list the demos `spawn` can start",
             .help = "Each demo is a small teaching program under demos/, declared with\n"
                     "corosh/spawnable.hpp; the functions of loaded plugins (`load`) are\n"
                     "declared the same way and listed with them, marked with their plugin.\n"
                     "Shows each one's name, arguments and what it shows.",
             .run = demos});
  table.add({.name = "quit",
             .aliases = {"exit"},
             .effects = ends_session,
             .summary = "leave corosh (Ctrl-D does the same)",
             .help = "Closes the listeners and cancels every coroutine (their stacks are\n"
                     "unwound, so destructors run), then exits.",
             .run = [](Shell& shell, const Words&) { shell.request_quit(); }});
}

}  // namespace corosh::shell
