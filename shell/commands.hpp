// shell/commands.hpp — the command table: the single description of every
// command the shell knows.
//
// A command declares its names, its arguments (each with a kind), its
// options, what it may do besides printing, and its help. From that one
// declaration come the synopsis and the argument-count checks (`help`,
// usage errors), what Tab offers at each position (completion.cpp), and the
// fuzzer's dictionary and skip list (tests/fuzz). Each group of commands
// lives in its own file and adds itself through one add_*_commands
// function; the order of those calls is the order `help` lists them in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

class Shell;
class Output;
using Words = std::vector<std::string>;

// What kind of word an argument is.
enum class ArgKind : std::uint8_t {
  coroutine,  // an id or a name
  demo,       // a demo's name
  command,    // a command's name
  plugin,     // a loaded plugin's name
  choice,     // one of Argument::choices
  count,      // a whole number
  port,       // 0 to 65535
  host,       // a numeric address
  seconds,    // with an optional fraction
  size,       // bytes: 65536, 64K, 1M
  file,       // a path
  text,       // anything
};

struct Argument {
  enum class Presence : std::uint8_t { required, optional, repeated };
  std::string_view name;                      // as the synopsis shows it: "ID", "N"
  ArgKind kind = ArgKind::text;
  Presence presence = Presence::required;
  std::vector<std::string_view> choices = {};  // ArgKind::choice
};

// An option, anywhere among the arguments: `--name N`, or a flag: `--all`.
struct Option {
  std::string_view flag;   // "--name"
  std::string_view value;  // "N"; empty for a flag (--all, --json)
  ArgKind kind = ArgKind::text;
  bool repeated = false;   // may be given more than once (--state S --state T)
  bool takes_value() const noexcept { return !value.empty(); }
};

// What running a command may do besides printing and inspecting.
enum Effect : unsigned {
  pure = 0,
  runs_loop = 1,     // lets time pass (the loop runs, connections are served)
  reaches_out = 2,   // opens sockets or writes files
  ends_session = 4,  // the shell stops reading commands
};

struct Command {
  std::string_view name;
  std::vector<std::string_view> aliases = {};  // other names (ps for list)
  std::vector<Argument> arguments = {};
  std::vector<Option> options = {};
  unsigned effects = pure;
  std::string_view summary;                    // one line for `help`
  std::string_view help;                       // the long text for `help NAME`
  // It has a JSON form: with --json (added to its options by the table) or
  // `corosh --json` it prints one JSON document (docs/json.md) instead of
  // text; `run` asks Shell::json_output() which one to print.
  bool json = false;
  std::function<void(Shell&, const Words& args)> run;

  // "[ID] [N]", "DEMO [ARGS...] [--name N] [--stack SIZE]"; the options
  // left out, "[OPTIONS]" instead, when `options` is false.
  std::string synopsis(bool options = true) const;
  // How many words may follow the name (options count with their values;
  // --json not at all: the shell takes it out first).
  std::size_t min_words() const;
  std::size_t max_words() const;
  // True if `word` is one of its names.
  bool called(std::string_view word) const;
};

// Words a repeated argument takes at most.
inline constexpr std::size_t max_repeated = 64;

// A command's words, its options taken out.
struct ParsedWords {
  Words arguments;
  std::vector<std::pair<std::string, std::string>> options;  // flag and value ("" for a flag), in order

  // Whether `flag` was given.
  bool has(std::string_view flag) const;
  // Every value given for `flag`, in order.
  std::vector<std::string> values(std::string_view flag) const;
};

// Separates `words` into the arguments and the options `command` declares.
// Throws CommandError for an option it does not know, one without its value,
// or one given twice that is not `repeated`.
ParsedWords parse_words(const Command& command, const Words& words);
// The same for the command called `name`.
ParsedWords parse_words(std::string_view name, const Words& words);

class CommandTable {
 public:
  void add(Command command);
  // The command called `name` (or aliased so), else the one command whose
  // name starts with `name` (`q` for quit, as in a debugger), or null.
  const Command* find(std::string_view name) const;
  // For a word find() did not take: the commands it is a prefix of, if
  // several ("s": select, spawn, stack, step), else the closest name if it
  // is close enough to be a likely typo.
  std::vector<std::string_view> suggestions(std::string_view name) const;
  // What to say of a word find() did not take, in parentheses: "(did you
  // mean 'step'?)", "(it could be select, spawn, stack or step)" or
  // "(`help` lists the commands)".
  std::string hint_for(std::string_view name) const;
  const std::vector<Command>& all() const noexcept { return commands_; }

 private:
  std::vector<Command> commands_;
};

// The groups, each in its own commands_*.cpp.
void add_help_commands(CommandTable& table);
void add_coroutine_commands(CommandTable& table);
void add_run_commands(CommandTable& table);
void add_inspect_commands(CommandTable& table);
void add_registry_commands(CommandTable& table);
void add_loop_commands(CommandTable& table);
void add_trace_commands(CommandTable& table);
void add_plugin_commands(CommandTable& table);
void add_script_commands(CommandTable& table);
void add_attach_commands(CommandTable& table);

// `attach` alone: this user's programs that can be attached to.
void print_attachable(Output& out);
// `attach WHERE` (a pid or a socket path): the shell looks at that program
// from now on. Throws CommandError saying why it cannot.
void attach_shell(Shell& shell, std::string_view where);
void add_observe_commands(CommandTable& table);

// The whole table, built once.
const CommandTable& command_table();

}  // namespace corosh::shell
