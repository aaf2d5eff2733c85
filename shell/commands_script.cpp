// source: running a file of commands inside a session.
#include "commands.hpp"
#include "input.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>

namespace corosh::shell {
namespace {

// Nesting beyond this is a loop of files sourcing each other in disguise.
constexpr std::size_t max_depth = 16;
// A command file is small; this guards against `source` on a huge file.
constexpr std::size_t max_file = 16 * 1024 * 1024;

// The lines of `path`, read at once: a command file is a regular file, so
// reading it cannot block the loop for long.
std::deque<Line> read_lines(const std::string& path) {
  struct stat s {};
  if (::stat(path.c_str(), &s) != 0)
    throw CommandError(fmt::format("cannot open {}: {}", printable(path, 200), std::strerror(errno)));
  if (!S_ISREG(s.st_mode)) throw CommandError(fmt::format("{} is not a regular file", printable(path, 200)));
  if (std::size_t(s.st_size) > max_file)
    throw CommandError(fmt::format("{} is {}, more than a command file has (at most {})", printable(path, 200),
                                   human_bytes(std::size_t(s.st_size)), human_bytes(max_file)));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw CommandError(fmt::format("cannot open {}: {}", printable(path, 200), std::strerror(errno)));
  LineSplitter splitter(max_line);
  std::deque<Line> lines;
  char buffer[8192];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) splitter.feed({buffer, n}, lines);
  if (std::ferror(file.get())) throw CommandError(fmt::format("cannot read {}", printable(path, 200)));
  splitter.finish(lines);
  return lines;
}

void source(Shell& shell, const Words& args) {
  const std::string& path = args[0];
  if (std::find(shell.sourcing.begin(), shell.sourcing.end(), path) != shell.sourcing.end())
    throw CommandError(fmt::format("{} is already being sourced (a file that sources itself never ends)",
                                   printable(path, 200)));
  if (shell.sourcing.size() >= max_depth)
    throw CommandError(fmt::format("files sourced {} deep: stopping at {}", max_depth, printable(path, 200)));
  std::deque<Line> lines = read_lines(path);
  shell.sourcing.push_back(path);
  struct Pop {
    std::vector<std::string>& stack;
    ~Pop() { stack.pop_back(); }
  } pop{shell.sourcing};
  std::size_t number = 0;
  for (const Line& line : lines) {
    ++number;
    if (shell.quitting()) break;
    bool ok = true;
    if (line.too_long) {
      shell.reject_long_line(line.length);
      ok = false;
    } else {
      ok = shell.execute(line.text);
    }
    if (!ok && shell.stop_on_error)
      throw CommandError(fmt::format("{}:{} failed; stopped there (--stop-on-error)", printable(path, 200), number));
  }
}

}  // namespace

void add_script_commands(CommandTable& table) {
  table.add({.name = "source",
             .arguments = {{"FILE", ArgKind::file}},
             .effects = reaches_out,
             .summary = "run the commands in FILE, one a line, as if typed here",
             .help = "Lines run in order in this session (what they spawn stays, the selection\n"
                     "moves); a failing line prints its error and the next one runs, unless\n"
                     "corosh was started with --stop-on-error. Blank lines and # comments do\n"
                     "nothing. The startup file (~/.coroshrc) is sourced this way.\n"
                     "Example: source setup.corosh",
             .run = source});
}

}  // namespace corosh::shell
