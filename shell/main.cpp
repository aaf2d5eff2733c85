// corosh — an interactive shell for stackful coroutines and the event loop
// that drives them.
//
//   corosh                 interactive on a terminal; commands from stdin otherwise
//   corosh FILE            run the commands in FILE
//   corosh -c 'cmd; cmd'   run these commands
//   corosh --attach PID    any of these, looking inside another program (its monitor)
//   corosh --attach        list the programs that can be attached to
//
// In batch use every error is still one line ("error: ...") and the shell
// goes on (unless --stop-on-error); the exit status is 1 if any command
// failed. The session itself is run_shell (corosh/shell.hpp), which programs
// embedding the shell call too; this file only reads the command line.
#include <corosh/shell.hpp>
#include <corosh/version.hpp>

#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>

namespace {

constexpr const char* usage_text =
    "usage: corosh [OPTIONS] [-c 'COMMAND; COMMAND' | FILE]\n"
    "       corosh --attach\n"
    "       corosh --help | --version\n"
    "\n"
    "An interactive shell for stackful coroutines and the event loop that drives them.\n"
    "On a terminal: line editing, history (~/.corosh_history) and Tab completion, after\n"
    "the startup file (~/.coroshrc, or $XDG_CONFIG_HOME/corosh/init).\n"
    "From a pipe or FILE: one command a line, no prompt, no colour. -c runs the\n"
    "commands given (separated by ';'). The exit status is 1 if a command failed.\n"
    "\n"
    "  --load PLUGIN.so   load a plugin first, as `load` does (repeatable)\n"
    "  --attach PID|SOCKET  look inside that running program (started with\n"
    "                     COROSH_MONITOR=1) instead of this one; alone: list them\n"
    "  -i                 after -c or FILE, stay interactive\n"
    "  --norc             do not read the startup file\n"
    "  --json             commands that have one print a JSON document (docs/json.md)\n"
    "  --stop-on-error    stop at the first command that fails\n"
    "  --echo             print each command before its output\n"
    "\n"
    "Type `help` inside for the commands. NO_COLOR turns colour off.\n";

// Returns an exit status, or -1 to go on.
int parse_arguments(int argc, char** argv, corosh::ShellOptions& options) {
  bool list_attachable = false;
  const auto fail = [](const std::string& why) {
    std::fprintf(stderr, "corosh: %s\n%s", why.c_str(), usage_text);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage_text, stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("corosh %s\n", COROSH_VERSION_STRING);
      return 0;
    }
    if (a == "--echo") {
      options.echo = true;
    } else if (a == "-i") {
      options.interactive = true;
    } else if (a == "--norc") {
      options.startup_file = false;
    } else if (a == "--json") {
      options.json = true;
    } else if (a == "--stop-on-error") {
      options.stop_on_error = true;
    } else if (a == "--attach") {
      // Alone (or before another option): list what can be attached to.
      if (i + 1 < argc && argv[i + 1][0] != '-')
        options.attach = argv[++i];
      else
        list_attachable = true;
    } else if (a == "-c" || a == "--load") {
      if (i + 1 == argc) return fail(a == "-c" ? "-c needs a command" : "--load needs a plugin file");
      if (a == "-c")
        options.commands = argv[++i];
      else
        options.plugins.emplace_back(argv[++i]);
    } else if (a.starts_with("-") && a != "-") {
      return fail("unknown option '" + std::string(a) + "'");
    } else if (options.script.empty()) {
      options.script = argv[i];
    } else {
      return fail("more than one FILE given");
    }
  }
  if (options.commands && !options.script.empty()) return fail("give -c or FILE, not both");
  if (list_attachable) {
    if (options.commands || !options.script.empty() || options.interactive)
      return fail("--attach without a pid or socket lists the programs; give one to attach to it");
    options.commands = "attach";
    options.startup_file = false;
  }
  if (options.interactive && !options.commands && options.script.empty())
    return fail("-i goes with -c or FILE (without them corosh is interactive anyway)");
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  corosh::ShellOptions options;
  options.greeting = "corosh " COROSH_VERSION_STRING
                     ": coroutines and an event loop you can poke at. `help` lists the commands.";
  if (int status = parse_arguments(argc, argv, options); status >= 0) return status;
  // Writing to a vanished terminal or pipe must end us through EPIPE, not kill
  // us in the middle of unwinding coroutines.
  std::signal(SIGPIPE, SIG_IGN);
  corosh::Loop loop;
  return corosh::run_shell(loop, options);
}
