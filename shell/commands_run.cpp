// step, continue: running a coroutine by hand.
#include "commands.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <optional>

namespace corosh::shell {
namespace {

constexpr std::uint64_t max_steps = 1'000'000;

// A dead or waiting coroutine cannot be stepped: the reason, or nothing.
std::optional<std::string> unsteppable(const Shell& shell, std::uint64_t id) {
  CoroutineInfo info = *find_coroutine(id);
  if (info.state == State::dead) return fmt::format("{} is {}", shell.label(id), Shell::state_text(info));
  if (!info.wait_reason.empty())
    return fmt::format("{} waits for {}: only the loop resumes it (`wait` lets the loop run)", shell.label(id),
                       info.wait_reason);
  return std::nullopt;
}

// One resume. False if the coroutine died of a fault or an exception (which
// has been reported).
bool resume_once(Shell& shell, std::uint64_t id, std::optional<std::string>& value) {
  try {
    value = shell.owned(id).task->step();
    return true;
  } catch (...) {
    shell.report_death(id, std::current_exception());
    return false;
  }
}

void step(Shell& shell, const Words& args) {
  std::uint64_t id;
  std::uint64_t count = 1;
  if (args.size() == 2) {
    id = shell.resolve(&args[0], true);
    count = parse_number(args[1], "count", 1, max_steps);
  } else if (args.size() == 1) {
    // One argument: a number is a count (as in a debugger), anything else
    // names the coroutine. `step ID N` steps another coroutine by id.
    const std::string& a = args[0];
    if (!a.empty() && a.find_first_not_of("0123456789") == std::string::npos) {
      id = shell.resolve(nullptr, true);
      count = parse_number(a, "count", 1, max_steps);
    } else {
      id = shell.resolve(&a, true);
    }
  } else {
    id = shell.resolve(nullptr, true);
  }
  if (auto why = unsteppable(shell, id)) {
    if (find_coroutine(id)->state == State::dead) throw CommandError(*why);
    shell.out.line(*why);
    return;
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    if (i > 0 && unsteppable(shell, id)) break;
    std::optional<std::string> value;
    if (!resume_once(shell, id, value)) break;
    if (value) shell.out.line(fmt::format("yielded {}", shell.out.paint(*value, Tone::value)));
  }
  shell.out.line(shell.status_line(id));
}

void continue_(Shell& shell, const Words& args) {
  std::uint64_t id = shell.resolve(args.empty() ? nullptr : &args[0], true);
  if (auto why = unsteppable(shell, id)) {
    if (find_coroutine(id)->state == State::dead) throw CommandError(*why);
    shell.out.line(*why);
    return;
  }
  Shell::Busy busy(shell);
  std::uint64_t resumes = 0;
  std::optional<std::string> last;
  bool interrupted = false;
  while (!unsteppable(shell, id)) {
    std::optional<std::string> value;
    bool alive = resume_once(shell, id, value);
    ++resumes;
    if (value) last = std::move(value);
    if (!alive) break;
    // Let the loop breathe now and then: echo connections stay served, and
    // Ctrl-C (delivered through the loop) gets noticed.
    if (resumes % 64 == 0) shell.loop.run_once(Duration{0});
    if (busy.interrupted()) {
      interrupted = true;
      break;
    }
  }
  shell.out.line(fmt::format("resumed {} time{}{}{}", resumes, resumes == 1 ? "" : "s",
                             last ? fmt::format(", last yielded {}", *last) : std::string(),
                             interrupted ? "; interrupted (Ctrl-C)" : ""));
  shell.out.line(shell.status_line(id));
}

}  // namespace

void add_run_commands(CommandTable& table) {
  table.add({.name = "step",
             .synopsis = "[ID] [N]",
             .summary = "resume a coroutine N times (default 1), showing what it yields",
             .help = "Each resume runs the coroutine until it yields or ends; a generator's\n"
                     "value is printed as `yielded V`, then the new state. With one argument,\n"
                     "a number is N and a name picks the coroutine; `step ID N` for an id.\n"
                     "A coroutine waiting on the loop (a sleep, a socket) cannot be stepped:\n"
                     "only the loop resumes it. A fault or an escaping exception is reported\n"
                     "and the coroutine is dead. Example: step 4",
             .max_args = 2,
             .run = step});
  table.add({.name = "continue",
             .alias = "c",
             .synopsis = "[ID]",
             .summary = "resume until the coroutine ends or waits (Ctrl-C stops it)",
             .help = "Resumes again and again, letting the loop run in between, until the\n"
                     "coroutine is dead or waits on the loop, or you press Ctrl-C. Then says\n"
                     "how many resumes it took and the last value yielded.",
             .max_args = 1,
             .run = continue_});
}

}  // namespace corosh::shell
