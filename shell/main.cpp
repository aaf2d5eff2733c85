// corosh — an interactive shell for stackful coroutines and the event loop
// that drives them.
//
//   corosh                 interactive on a terminal; commands from stdin otherwise
//   corosh FILE            run the commands in FILE
//   corosh -c 'cmd; cmd'   run these commands
//
// In batch use every error is still one line ("error: ...") and the shell
// goes on; the exit status is 1 if any command failed.
#include "completion.hpp"
#include "input.hpp"
#include "local_target.hpp"
#include "output.hpp"
#include "shell.hpp"
#include "terminal_input.hpp"

#include <corosh/loop.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#ifndef COROSH_VERSION
#define COROSH_VERSION "unknown"
#endif

namespace {

constexpr const char* usage_text =
    "usage: corosh [--echo] [-c 'COMMAND; COMMAND' | FILE]\n"
    "       corosh --help | --version\n"
    "\n"
    "An interactive shell for stackful coroutines and the event loop that drives them.\n"
    "On a terminal: line editing, history (~/.corosh_history) and Tab completion.\n"
    "From a pipe or FILE: one command a line, no prompt, no colour. -c runs the\n"
    "commands given (separated by ';'). --echo prints each command before its output.\n"
    "Type `help` inside for the commands. NO_COLOR turns colour off.\n";

struct Arguments {
  bool echo = false;
  std::string command_text;
  bool have_command_text = false;
  std::string file;
};

// Returns an exit status, or -1 to go on.
int parse_arguments(int argc, char** argv, Arguments& args) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage_text, stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("corosh %s\n", COROSH_VERSION);
      return 0;
    }
    if (a == "--echo") {
      args.echo = true;
    } else if (a == "-c") {
      if (i + 1 == argc) {
        std::fprintf(stderr, "corosh: -c needs a command\n%s", usage_text);
        return 2;
      }
      args.command_text = argv[++i];
      args.have_command_text = true;
    } else if (a.starts_with("-") && a != "-") {
      std::fprintf(stderr, "corosh: unknown option '%s'\n%s", argv[i], usage_text);
      return 2;
    } else if (args.file.empty()) {
      args.file = argv[i];
    } else {
      std::fprintf(stderr, "corosh: more than one FILE given\n%s", usage_text);
      return 2;
    }
  }
  if (args.have_command_text && !args.file.empty()) {
    std::fprintf(stderr, "corosh: give -c or FILE, not both\n%s", usage_text);
    return 2;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace corosh::shell;
  Arguments args;
  if (int status = parse_arguments(argc, argv, args); status >= 0) return status;

  int file_fd = -1;
  if (!args.file.empty() && args.file != "-") {
    file_fd = ::open(args.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (file_fd < 0) {
      std::fprintf(stderr, "corosh: cannot open %s: %s\n", args.file.c_str(), std::strerror(errno));
      return 2;
    }
    // open() takes a directory; reading it would fail at once and look like
    // an empty script.
    struct stat info {};
    if (::fstat(file_fd, &info) == 0 && S_ISDIR(info.st_mode)) {
      std::fprintf(stderr, "corosh: %s is a directory, not a file of commands\n", args.file.c_str());
      ::close(file_fd);
      return 2;
    }
  }
  const bool interactive = !args.have_command_text && file_fd < 0 && ::isatty(STDIN_FILENO) == 1;

  // Writing to a vanished terminal or pipe must end us through EPIPE, not kill
  // us in the middle of unwinding coroutines.
  std::signal(SIGPIPE, SIG_IGN);

  corosh::Loop loop;
  Output out(interactive && wants_colour(STDOUT_FILENO), wants_colour(STDERR_FILENO));
  int status = 0;
  {
    LocalTarget target(loop, [&out](std::string_view line) { out.line(line); });
    Shell shell(target, loop, out);
    // Nobody reads our output any more: stop, as a pipeline expects.
    out.set_on_closed([&shell] {
      shell.request_quit();
      shell.interrupt();
    });
    std::unique_ptr<Input> input;
    if (args.have_command_text) {
      input = std::make_unique<TextInput>(args.command_text);
    } else if (file_fd >= 0) {
      input = std::make_unique<BatchInput>(loop, file_fd);
    } else if (interactive) {
      input = std::make_unique<TerminalInput>(
          loop, out, [&shell](const std::vector<std::string>& before) { return completions(shell, before); });
    } else {
      input = std::make_unique<BatchInput>(loop, STDIN_FILENO);
    }
    // Ctrl-C stops a running `continue` or `wait`; at the prompt it drops the
    // line being typed; with no prompt and nothing running it ends the shell.
    corosh::SignalId sigint = loop.add_signal(SIGINT, [&](int) {
      if (shell.busy()) {
        shell.interrupt();
      } else if (interactive) {
        input->interrupt();
      } else {
        shell.request_quit();
      }
    });
    if (interactive)
      out.line("corosh " COROSH_VERSION ": coroutines and an event loop you can poke at. `help` lists the commands.");
    while (!shell.quitting()) {
      if (std::optional<Line> line = input->next()) {
        if (args.echo) out.line("> " + (line->too_long ? std::string("(a line too long to show)") : line->text));
        if (line->too_long)
          shell.reject_long_line(line->length);
        else
          shell.execute(line->text);
        continue;
      }
      if (input->finished()) break;
      input->ready();
      loop.run_once();
    }
    loop.remove(sigint);
    input.reset();
    shell.shutdown();
    if (!interactive && out.errors() > 0) status = 1;
    // As a process killed by SIGPIPE would report it (128 + 13).
    if (out.closed()) status = 128 + SIGPIPE;
  }
  if (file_fd >= 0) ::close(file_fd);
  return status;
}
