#include "shell.hpp"

#include "commands.hpp"
#include "frames.hpp"
#include "stack_view.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <vector>

namespace corosh::shell {

Shell::Shell(Target& local, Loop& loop_, Output& out_) : loop(loop_), out(out_), local_(local), target_(&local) {
  // A coroutine the loop resumed (after a sleep, say) died: say so the same
  // way `step` does.
  local_.on_death([this](const inspect::Death& death) { report_death(death); });
}

Shell::~Shell() {
  shutdown();
  local_.on_death(nullptr);
}

void Shell::shutdown() {
  detach();
  local_.shutdown();
  selected = 0;
}

void Shell::attach(std::unique_ptr<Target> remote) {
  detach();
  local_selected_ = selected;
  selected = 0;
  lost_reported_ = false;
  remote_ = std::move(remote);
  remote_->on_death([this](const inspect::Death& death) { report_death(death); });
  target_ = remote_.get();
}

bool Shell::detach() {
  if (detach_timer_) loop.remove(detach_timer_);
  detach_timer_ = TimerId();
  if (!remote_) return false;
  target_ = &local_;
  remote_->shutdown();  // gives back what it held there
  remote_.reset();
  selected = local_selected_;
  return true;
}

void Shell::lost(const std::string& why) {
  if (!remote_) return;
  if (!lost_reported_) out.error(fmt::format("{}; back to {}", why, local_.describe()));
  lost_reported_ = true;
  // Not now: this may be called from inside the remote target.
  if (!detach_timer_) detach_timer_ = loop.add_timer(Duration{0}, [this] {
    detach_timer_ = TimerId();
    detach();
  });
}

std::string Shell::prompt() const {
  return remote_ ? fmt::format("corosh[{}]> ", remote_->describe()) : std::string("corosh> ");
}

void Shell::reject_long_line(std::size_t length) {
  out.error(fmt::format("line too long: {} bytes (the limit is {}); ignored", length, max_line));
}

bool Shell::execute(std::string_view line) {
  const int before = out.errors();
  if (line.size() > max_line) {
    reject_long_line(line.size());
  } else if (std::string why = reject_binary(line); !why.empty()) {
    out.error(why);
  } else if (const std::size_t first = line.find_first_not_of(" \t");
             first != std::string_view::npos && line[first] == '#') {
    // A comment is not split into words: its quotes need not pair ("list's").
  } else {
    try {
      return run(split_words(line));
    } catch (const CommandError& e) {
      out.error(e.what());
    }
  }
  return out.errors() == before;
}

bool Shell::run(const Words& words) {
  const int before = out.errors();
  if (words.empty() || words[0][0] == '#') return true;
  const std::string& name = words[0];
  const Command* command = command_table().find(name);
  if (command == nullptr) {
    out.error(fmt::format("unknown command '{}' {}", printable(name), command_table().hint_for(name)));
    return false;
  }
  Words args(words.begin() + 1, words.end());
  json_now_ = json;
  if (command->json) {
    const auto flag = std::find(args.begin(), args.end(), "--json");
    if (flag != args.end()) {
      json_now_ = true;
      args.erase(flag);
    }
  }
  const auto usage = [&] {
    std::string synopsis = command->synopsis();
    return fmt::format("usage: {}{}{}", command->name, synopsis.empty() ? "" : " ", synopsis);
  };
  if (args.size() < command->min_words()) {
    out.error(fmt::format("{}: missing argument ({})", command->name, usage()));
  } else if (args.size() > command->max_words()) {
    out.error(fmt::format("{}: too many arguments ({})", command->name, usage()));
  } else {
    try {
      command->run(*this, args);
    } catch (const TargetLost& e) {
      if (!lost_reported_) out.error(fmt::format("{}: {}; back to {}", command->name, e.what(), local_.describe()));
      lost_reported_ = true;
      detach();
    } catch (const std::exception& e) {
      out.error(fmt::format("{}: {}", command->name, e.what()));
    }
  }
  return out.errors() == before;
}

// --- finding coroutines --------------------------------------------------------

CoroutineView Shell::resolve(const std::string* word) { return resolve(word, false); }
CoroutineView Shell::resolve_yours(const std::string* word) { return resolve(word, true); }

CoroutineView Shell::resolve(const std::string* word, bool yours_only) {
  const auto not_yours = [](const CoroutineView& v) {
    return CommandError(fmt::format("{} was not spawned by the shell (the loop or a demo drives it)", label(v.info)));
  };
  if (word == nullptr) {
    std::optional<CoroutineView> v = selected ? target().find(selected) : std::nullopt;
    if (!v || (yours_only && !v->yours))
      throw CommandError("no coroutine selected (spawn one, or give an id or a name)");
    return *v;
  }
  if (is_number(*word)) {
    std::uint64_t id = parse_number(*word, "id", 1, UINT64_MAX);
    std::optional<CoroutineView> v = target().find(id);
    if (!v) throw CommandError(fmt::format("no coroutine with id {} (`list` shows them)", printable(*word)));
    if (yours_only && !v->yours) throw not_yours(*v);
    return *v;
  }
  // By name: the shell's own coroutines first (a demo may name its helpers
  // like the demo), then any other.
  std::vector<CoroutineView> mine, others;
  for (CoroutineView& v : target().list())
    if (v.info.name == *word) (v.yours ? mine : others).push_back(std::move(v));
  const std::vector<CoroutineView>& matches = mine.empty() ? others : mine;
  if (matches.empty())
    throw CommandError(fmt::format("no coroutine named '{}' (`list` shows them)", printable(*word)));
  if (matches.size() > 1) {
    std::string ids;
    for (const CoroutineView& v : matches) ids += (ids.empty() ? "" : ", ") + std::to_string(v.info.id);
    throw CommandError(fmt::format("the name '{}' is ambiguous: coroutines {} (use an id)", *word, ids));
  }
  if (yours_only && !matches[0].yours) throw not_yours(matches[0]);
  std::optional<CoroutineView> v = target().find(matches[0].info.id);
  if (!v) throw CommandError(fmt::format("{} is gone", label(matches[0].info)));
  return *v;
}

std::string Shell::label(std::uint64_t id, std::string_view name) {
  if (name.empty()) return fmt::format("coroutine {}", id);
  return fmt::format("coroutine {} '{}'", id, name);
}

std::string Shell::state_text(State state, Ending ending, std::string_view wait_reason) {
  std::string text(to_string(state));
  if (state == State::dead) text += fmt::format(" ({})", to_string(ending));
  if (!wait_reason.empty()) text += fmt::format(", waiting for {}", wait_reason);
  return text;
}

namespace {

Tone tone_of(State state, Ending ending) {
  return state != State::dead            ? Tone::good
         : ending == Ending::returned    ? Tone::plain
         : ending == Ending::cancelled   ? Tone::warn
                                         : Tone::bad;
}

std::string signal_name(int signo) {
  switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    default: return fmt::format("signal {}", signo);
  }
}

}  // namespace

std::string Shell::status_line(const CoroutineInfo& info) const {
  return fmt::format("{}: {}", label(info), out.paint(state_text(info), tone_of(info.state, info.ending)));
}

std::string Shell::status_line(const CoroutineInfo& who, const StepResult& now) const {
  return fmt::format("{}: {}", label(who),
                     out.paint(state_text(now.state, now.ending, now.wait_reason), tone_of(now.state, now.ending)));
}

void Shell::report_death(const inspect::Death& death) {
  const std::string who = label(death.id, death.name);
  if (!death.faulted) {
    out.line(death.message.empty()
                 ? fmt::format("{} {}: {}", who, out.paint("failed", Tone::bad), death.exception_type)
                 : fmt::format("{} {}: {}: {}", who, out.paint("failed", Tone::bad), death.exception_type,
                               death.message));
    return;
  }
  std::optional<CoroutineView> view = target().find(death.id);
  std::string what = fmt::format("{} at 0x{:x}", signal_name(death.signal), death.address);
  if (view && view->info.stack_guarded && death.address < view->info.stack_base &&
      death.address + 65536 >= view->info.stack_base)
    what += fmt::format(": stack overflow (the guard page below its {} stack)", human_bytes(view->info.stack_size));
  else if (death.address < 4096)
    what += ": null pointer dereference";
  out.line(fmt::format("{} {}: {}", who, out.paint("faulted", Tone::bad), what));
  out.line("backtrace at the fault:");
  if (view)
    print_stack(out, frame_lines(target().stack(view->info, 65536)),
                {.limit = 12, .full_command = fmt::format("stack {} --full", death.id)});
}

// --- warnings ------------------------------------------------------------------

namespace {

std::string warning_key(const inspect::Warning& w) {
  return fmt::format("{}/{}/{}", w.kind, w.coroutine, w.fd);
}

}  // namespace

std::vector<inspect::Warning> Shell::current_warnings(bool locate) {
  inspect::WarningLimits limits = warning_limits;
  limits.locate = locate;
  std::vector<inspect::Warning> found = target().warnings(limits);
  warned_.clear();
  for (const inspect::Warning& w : found) warned_.insert(warning_key(w));
  return found;
}

std::vector<std::string> Shell::warning_lines(const inspect::Warning& w) {
  std::vector<std::string> lines{w.coroutine ? fmt::format("{} {}", label(w.coroutine, w.name), w.message) : w.message};
  const Symbol& at = w.parked_at;
  if (!at.function.empty())
    lines.push_back(fmt::format("  parked in {}{}", readable_name(at.function),
                                at.file.empty() ? "" : fmt::format(" at {}:{}", at.file, at.line)));
  return lines;
}

void Shell::report_new_warnings() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_warning_check_) return;
  next_warning_check_ = now + std::chrono::seconds(1);
  const std::set<std::string> before = warned_;
  std::vector<inspect::Warning> found;
  constexpr std::size_t shown = 5;
  std::size_t fresh = 0;
  try {
    // Unlocated: walking the stacks of every warned coroutine each second
    // would cost more than the few new ones need.
    found = current_warnings(false);
  } catch (const std::exception&) {
    return;  // a target that cannot tell (NotSupported) or is gone: nothing to report
  }
  for (inspect::Warning& w : found) {
    if (before.contains(warning_key(w)) || ++fresh > shown) continue;
    if (w.coroutine != 0)
      if (std::optional<CoroutineView> v = target().find(w.coroutine)) w.parked_at = inspect::parked_at(target().stack(v->info, 64));
    std::vector<std::string> lines = warning_lines(w);
    out.line(out.paint("warning: ", Tone::warn) + lines[0]);
    for (std::size_t i = 1; i < lines.size(); ++i) out.line("  " + lines[i]);
  }
  if (fresh > shown) out.line(fmt::format("warning: ... and {} more (`warnings` lists them)", fresh - shown));
}

}  // namespace corosh::shell
