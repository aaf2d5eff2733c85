// step, continue: running a coroutine by hand.
#include "commands.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace corosh::shell {
namespace {

constexpr std::uint64_t max_steps = 1'000'000;

// A dead or waiting coroutine cannot be stepped: the reason, or nothing.
std::optional<std::string> unsteppable(const CoroutineInfo& who, State state, Ending ending,
                                       const std::string& wait_reason) {
  if (state == State::dead)
    return fmt::format("{} is {}", Shell::label(who), Shell::state_text(state, ending, wait_reason));
  if (!wait_reason.empty())
    return fmt::format("{} waits for {}: only the loop resumes it (`wait` lets the loop run)", Shell::label(who),
                       wait_reason);
  return std::nullopt;
}
std::optional<std::string> unsteppable(const CoroutineInfo& who, const StepResult& now) {
  return unsteppable(who, now.state, now.ending, now.wait_reason);
}

// Refuses (or, for one that waits, just says so) before the first resume.
bool refuse_unsteppable(Shell& shell, const CoroutineView& v) {
  const CoroutineInfo& c = v.info;
  std::optional<std::string> why = unsteppable(c, c.state, c.ending, c.wait_reason);
  if (!why) return false;
  if (c.state == State::dead) throw CommandError(*why);
  shell.out.line(*why);
  return true;
}

// One resume; a death is reported. The result says where it is now.
StepResult resume_once(Shell& shell, const CoroutineView& v) {
  StepResult now = shell.target().step(v);
  if (now.death) shell.report_death(*now.death);
  return now;
}

void step(Shell& shell, const Words& args) {
  CoroutineView v;
  std::uint64_t count = 1;
  if (args.size() == 2) {
    v = shell.resolve_yours(&args[0]);
    count = parse_number(args[1], "count", 1, max_steps);
  } else if (args.size() == 1) {
    // One argument: a number is a count (as in a debugger), anything else
    // names the coroutine. `step ID N` steps another coroutine by id.
    if (is_number(args[0])) {
      v = shell.resolve_yours(nullptr);
      count = parse_number(args[0], "count", 1, max_steps);
    } else {
      v = shell.resolve_yours(&args[0]);
    }
  } else {
    v = shell.resolve_yours(nullptr);
  }
  if (refuse_unsteppable(shell, v)) return;
  Shell::Busy busy(shell);
  // Progress for a long step at a terminal, once a second after the first.
  const bool show_progress = count > 1 && shell.out.to_terminal();
  auto next_progress = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  StepResult now;
  std::uint64_t done = 0;
  bool interrupted = false;
  while (done < count) {
    if (done > 0 && unsteppable(v.info, now)) break;
    if (shell.quitting()) break;  // the output went away
    now = resume_once(shell, v);
    ++done;
    if (now.yielded) shell.out.line(fmt::format("yielded {}", shell.out.paint(*now.yielded, Tone::value)));
    if (now.death) break;
    if (done % 64 != 0 || done == count) continue;
    // As `continue` does: let the loop breathe (echo connections stay
    // served) and notice Ctrl-C, which arrives through the loop.
    shell.loop.run_once(Duration{0});
    if (busy.interrupted()) {
      interrupted = true;
      break;
    }
    if (show_progress && std::chrono::steady_clock::now() >= next_progress) {
      shell.out.line(fmt::format("... {} of {} steps (Ctrl-C stops)", done, count));
      next_progress += std::chrono::seconds(1);
    }
  }
  if (interrupted) shell.out.line(fmt::format("stepped {} of {} times; interrupted (Ctrl-C)", done, count));
  shell.out.line(shell.status_line(v.info, now));
}

void continue_(Shell& shell, const Words& args) {
  const ParsedWords words = parse_words("continue", args);
  // The shell counted the options' words among the arguments.
  if (words.arguments.size() > 1)
    throw CommandError(
        fmt::format("too many arguments (usage: continue {})", command_table().find("continue")->synopsis()));
  const bool every_value = words.has("--all");
  CoroutineView v = shell.resolve_yours(words.arguments.empty() ? nullptr : &words.arguments[0]);
  if (refuse_unsteppable(shell, v)) return;
  Shell::Busy busy(shell);
  std::uint64_t resumes = 0;
  std::optional<std::string> last;
  bool interrupted = false;
  StepResult now;
  do {
    now = resume_once(shell, v);
    ++resumes;
    if (now.yielded && every_value)
      shell.out.line(fmt::format("yielded {}", shell.out.paint(*now.yielded, Tone::value)));
    if (now.yielded) last = std::move(now.yielded);
    if (shell.quitting()) break;  // the output went away
    if (now.death) break;
    // Let the loop breathe now and then: echo connections stay served, and
    // Ctrl-C (delivered through the loop) gets noticed.
    if (resumes % 64 == 0) shell.loop.run_once(Duration{0});
    if (busy.interrupted()) {
      interrupted = true;
      break;
    }
  } while (!unsteppable(v.info, now));
  shell.out.line(fmt::format("resumed {} time{}{}{}", resumes, resumes == 1 ? "" : "s",
                             last ? fmt::format(", last yielded {}", *last) : std::string(),
                             interrupted ? "; interrupted (Ctrl-C)" : ""));
  shell.out.line(shell.status_line(v.info, now));
}

// What `until` waits for, and whether `now` is it.
struct Until {
  std::string kind;   // dead, waiting, suspended, yields
  std::string value;  // for yields: the value's text
  std::string text() const { return kind == "yields" ? "yields " + value : kind; }
  bool holds(const StepResult& now) const {
    if (kind == "dead") return now.state == State::dead;
    if (kind == "waiting") return now.state != State::dead && !now.wait_reason.empty();
    if (kind == "suspended") return now.state == State::suspended && now.wait_reason.empty();
    return now.yielded && *now.yielded == value;
  }
};

bool is_condition(const std::string& word) {
  return word == "dead" || word == "waiting" || word == "suspended" || word == "yields";
}

// until [ID] dead|waiting|suspended|yields VALUE: resumes the coroutine (and
// lets the loop run while it waits on it) until the condition holds, it
// dies, Ctrl-C, or max_steps resumes.
void until(Shell& shell, const Words& args) {
  const bool named = !args.empty() && !is_condition(args[0]);
  const std::size_t at = named ? 1 : 0;
  if (at >= args.size() || !is_condition(args[at]))
    throw CommandError("say what to wait for: dead, waiting, suspended or yields VALUE (`help until`)");
  Until goal{args[at], {}};
  if (goal.kind == "yields") {
    if (at + 1 >= args.size()) throw CommandError("yields needs the value to wait for (until yields 8)");
    goal.value = args[at + 1];
  }
  if (args.size() > at + (goal.kind == "yields" ? 2 : 1))
    throw CommandError(
        fmt::format("too many arguments (usage: until {})", command_table().find("until")->synopsis()));
  CoroutineView v = shell.resolve_yours(named ? &args[0] : nullptr);
  StepResult now{.state = v.info.state, .ending = v.info.ending, .wait_reason = v.info.wait_reason};
  if (now.state == State::dead)
    throw CommandError(fmt::format("{} is {}", Shell::label(v.info), Shell::state_text(v.info)));
  if (goal.holds(now)) {
    shell.out.line(fmt::format("{} is {} already", Shell::label(v.info), goal.text()));
    return;
  }
  Shell::Busy busy(shell);
  std::uint64_t resumes = 0;
  bool reached = false;
  bool interrupted = false;
  while (now.state != State::dead && resumes < max_steps && !shell.quitting()) {
    const bool waiting = !now.wait_reason.empty();
    if (waiting) {
      // Only the loop resumes it now: let the loop run until it wakes.
      shell.loop.run_once(Duration{std::chrono::milliseconds(50)});
      std::optional<CoroutineView> seen = shell.target().find(v.info.id);
      if (!seen) break;  // gone (its owner let go of it)
      now = StepResult{.state = seen->info.state, .ending = seen->info.ending, .wait_reason = seen->info.wait_reason};
    } else {
      now = resume_once(shell, v);
      ++resumes;
      if (now.death) break;
    }
    if (goal.holds(now)) {
      reached = true;
      break;
    }
    if (!waiting && resumes % 64 == 0) shell.loop.run_once(Duration{0});  // Ctrl-C arrives through the loop
    if (busy.interrupted()) {
      interrupted = true;
      break;
    }
  }
  // The loop's wakes show in the switch count: every switch to it that
  // was not one of these resumes.
  std::uint64_t wakes = 0;
  if (std::optional<CoroutineView> seen = shell.target().find(v.info.id))
    wakes = seen->info.switches - v.info.switches - std::min(resumes, seen->info.switches - v.info.switches);
  std::string after = fmt::format("after {} resume{}", resumes, resumes == 1 ? "" : "s");
  if (wakes > 0) after += fmt::format(" and {} wake{} by the loop", wakes, wakes == 1 ? "" : "s");
  if (reached) shell.out.line(fmt::format("until {}: reached {}", goal.text(), after));
  else if (interrupted) shell.out.line(fmt::format("until {}: interrupted (Ctrl-C) {}", goal.text(), after));
  else if (now.state == State::dead) shell.out.line(fmt::format("until {}: it ended first, {}", goal.text(), after));
  else shell.out.line(fmt::format("until {}: not reached {} (the most one until makes)", goal.text(), after));
  shell.out.line(shell.status_line(v.info, now));
}

}  // namespace

void add_run_commands(CommandTable& table) {
  table.add({.name = "step",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional},
                           {"N", ArgKind::count, Argument::Presence::optional}},
             .summary = "resume a coroutine N times (default 1), showing what it yields",
             .help = "Each resume runs the coroutine until it yields or ends; a generator's\n"
                     "value is printed as `yielded V`, then the new state. With one argument,\n"
                     "a number is N and a name picks the coroutine; `step ID N` for an id.\n"
                     "A coroutine waiting on the loop (a sleep, a socket) cannot be stepped:\n"
                     "only the loop resumes it. A fault or an escaping exception is reported\n"
                     "and the coroutine is dead. Ctrl-C stops a long step (the loop keeps\n"
                     "serving meanwhile); at a terminal it shows its progress every second.\n"
                     "Example: step 4",
             .run = step});
  table.add({.name = "continue",
             .aliases = {"c"},
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .options = {{"--all", ""}},
             .effects = runs_loop,
             .summary = "resume until the coroutine ends or waits (Ctrl-C stops it)",
             .help = "Resumes again and again, letting the loop run in between, until the\n"
                     "coroutine is dead or waits on the loop, or you press Ctrl-C. Then says\n"
                     "how many resumes it took and the last value yielded; with --all, every\n"
                     "value yielded on the way is printed as it comes (`yielded V`).\n"
                     "Example: continue pipeline --all",
             .run = continue_});
  table.add({.name = "until",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional},
                           {"CONDITION", ArgKind::choice, Argument::Presence::required,
                            {"dead", "waiting", "suspended", "yields"}},
                           {"VALUE", ArgKind::text, Argument::Presence::optional}},
             .effects = runs_loop,
             .summary = "resume until a coroutine is dead, waiting, suspended or yields VALUE",
             .help = "Resumes the coroutine again and again; while it waits on the loop (a\n"
                     "sleep, a socket) the loop runs until it wakes. Stops when the condition\n"
                     "holds: dead, waiting (on the loop), suspended (and not waiting), or\n"
                     "yields VALUE (the value as `step` prints it). Also stops if it ends\n"
                     "first, at Ctrl-C, or after 1000000 resumes, and says which.\n"
                     "Example: until fib yields 144",
             .run = until});
}

}  // namespace corosh::shell
