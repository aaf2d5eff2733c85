// run_shell (corosh/shell.hpp): one session, from its options to its exit
// status. A session reads its commands in phases: plugins, the startup file
// (on a terminal), the commands or the script, then (interactive) the
// terminal or stdin, each phase through an Input fed by the loop.
#include <corosh/shell.hpp>

#include "commands.hpp"
#include "completion.hpp"
#include "input.hpp"
#include "local_target.hpp"
#include "output.hpp"
#include "shell.hpp"
#include "terminal_input.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

namespace corosh {
namespace {

bool is_file(const std::string& path) {
  struct stat s {};
  return ::stat(path.c_str(), &s) == 0 && S_ISREG(s.st_mode);
}

// ~/.coroshrc if there is one, else $XDG_CONFIG_HOME/corosh/init (by
// default ~/.config/corosh/init); empty if neither exists.
std::string startup_file() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0' && is_file(std::string(home) + "/.coroshrc"))
    return std::string(home) + "/.coroshrc";
  const char* config = std::getenv("XDG_CONFIG_HOME");
  std::string dir = config != nullptr && *config == '/' ? std::string(config)
                    : home != nullptr && *home != '\0'  ? std::string(home) + "/.config"
                                                        : std::string();
  if (!dir.empty() && is_file(dir + "/corosh/init")) return dir + "/corosh/init";
  return {};
}

// Runs the lines of `input` until it ends or the shell quits; false if
// `stop_on_error` ended it at a failing command. At a terminal the loop wakes
// at least once a second, so that a new warning shows up above the prompt
// while nobody types.
bool run_input(shell::Shell& shell, shell::Input& input, Loop& loop, bool echo, bool stop_on_error,
               bool at_terminal = false) {
  while (!shell.quitting()) {
    if (std::optional<shell::Line> line = input.next()) {
      if (echo) shell.out.line("> " + (line->too_long ? std::string("(a line too long to show)") : line->text));
      bool ok = true;
      if (line->too_long) {
        shell.reject_long_line(line->length);
        ok = false;
      } else {
        ok = shell.execute(line->text);
      }
      if (!ok && stop_on_error) return false;
      continue;
    }
    if (input.finished()) break;
    input.ready();
    loop.run_once(at_terminal ? std::optional<Duration>(std::chrono::seconds(1)) : std::nullopt);
    if (at_terminal) shell.report_new_warnings();
  }
  return true;
}

}  // namespace

int run_shell(Loop& loop, const ShellOptions& options) {
  using namespace corosh::shell;
  const bool has_commands = options.commands.has_value() || !options.script.empty();
  int file_fd = -1;
  if (!options.script.empty() && options.script != "-") {
    file_fd = ::open(options.script.c_str(), O_RDONLY | O_CLOEXEC);
    if (file_fd < 0) {
      std::fprintf(stderr, "corosh: cannot open %s: %s\n", options.script.c_str(), std::strerror(errno));
      return 2;
    }
    // open() takes a directory; reading it would fail at once and look like
    // an empty script.
    struct stat info {};
    if (::fstat(file_fd, &info) == 0 && S_ISDIR(info.st_mode)) {
      std::fprintf(stderr, "corosh: %s is a directory, not a file of commands\n", options.script.c_str());
      ::close(file_fd);
      return 2;
    }
  }
  const bool interactive = !has_commands || options.interactive;
  const bool terminal = interactive && ::isatty(STDIN_FILENO) == 1 && options.script != "-";

  Output out(terminal && wants_colour(STDOUT_FILENO), wants_colour(STDERR_FILENO));
  int status = 0;
  {
    LocalTarget target(loop, [&out](std::string_view line) { out.line(line); });
    Shell shell(target, loop, out);
    // Nobody reads our output any more: stop, as a pipeline expects.
    out.set_on_closed([&shell] {
      shell.request_quit();
      shell.interrupt();
    });
    shell.json = options.json;
    shell.stop_on_error = options.stop_on_error;
    std::unique_ptr<Input> input;
    // Ctrl-C stops a running `continue` or `wait`; at the prompt it drops the
    // line being typed; with no prompt and nothing running it ends the shell.
    SignalId sigint = loop.add_signal(SIGINT, [&](int) {
      if (shell.busy()) {
        shell.interrupt();
      } else if (terminal && input != nullptr) {
        input->interrupt();
      } else {
        shell.request_quit();
      }
    });
    bool going = true;
    const auto step = [&](const std::vector<std::string>& words) {
      if (going && !shell.quitting() && !shell.run(words) && options.stop_on_error) going = false;
    };
    for (const std::string& plugin : options.plugins) step({"load", plugin});
    if (!options.attach.empty()) {
      try {
        attach_shell(shell, options.attach);
      } catch (const CommandError& e) {
        out.error(fmt::format("cannot attach to {}: {}", printable(options.attach), e.what()));
        going = false;
      }
    }
    if (terminal && options.startup_file)
      if (std::string rc = startup_file(); !rc.empty()) step({"source", rc});
    if (going && has_commands) {
      if (options.commands)
        input = std::make_unique<TextInput>(*options.commands);
      else
        input = std::make_unique<BatchInput>(loop, file_fd >= 0 ? file_fd : STDIN_FILENO);
      going = run_input(shell, *input, loop, options.echo, options.stop_on_error);
      input.reset();
    }
    const int script_errors = out.errors();
    if (going && interactive && !shell.quitting()) {
      if (terminal) {
        input = std::make_unique<TerminalInput>(
            loop, out, [&shell](const std::vector<std::string>& before) { return completions(shell, before); },
            [&shell] { return shell.prompt(); });
        if (!options.greeting.empty()) out.line(options.greeting);
      } else {
        input = std::make_unique<BatchInput>(loop, STDIN_FILENO);
      }
      run_input(shell, *input, loop, options.echo, false, terminal);
      input.reset();
    }
    loop.remove(sigint);
    shell.shutdown();
    // What counts: the commands given. What is typed at a terminal is the
    // user's business, so a terminal session without commands is a success.
    const int errors = !terminal ? out.errors() : has_commands ? script_errors : 0;
    if (errors > 0 || (!going && !(terminal && !has_commands))) status = 1;
    // As a process killed by SIGPIPE would report it (128 + 13).
    if (out.closed()) status = 128 + SIGPIPE;
  }
  if (file_fd >= 0) ::close(file_fd);
  return status;
}

}  // namespace corosh
