// shell/commands.hpp — the command table: name, synopsis, help, handler.
//
// Each group of commands lives in its own file and adds itself through one
// add_*_commands function; the order of those calls is the order `help`
// lists them in.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

class Shell;
using Words = std::vector<std::string>;

struct Command {
  std::string_view name;
  std::string_view alias;        // a second name (ps for list), or empty
  std::string_view synopsis;     // arguments, e.g. "[ID] [N]"
  std::string_view summary;      // one line for `help`
  std::string_view help;         // the long text for `help NAME`
  std::size_t min_args = 0;      // checked before the handler runs
  std::size_t max_args = 0;
  std::function<void(Shell&, const Words& args)> run;
};

class CommandTable {
 public:
  void add(Command command) { commands_.push_back(std::move(command)); }
  // The command called `name` (or aliased so), or null.
  const Command* find(std::string_view name) const;
  // The closest command name, if one is close enough to be a likely typo.
  std::string_view nearest(std::string_view name) const;
  const std::vector<Command>& all() const noexcept { return commands_; }

 private:
  std::vector<Command> commands_;
};

// The groups, each in its own commands_*.cpp.
void add_help_commands(CommandTable& table);
void add_coroutine_commands(CommandTable& table);
void add_run_commands(CommandTable& table);
void add_inspect_commands(CommandTable& table);
void add_loop_commands(CommandTable& table);
void add_trace_commands(CommandTable& table);

// The whole table, built once.
const CommandTable& command_table();

}  // namespace corosh::shell
