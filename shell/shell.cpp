#include "shell.hpp"

#include "commands.hpp"
#include "frames.hpp"
#include "words.hpp"

#include <corosh/error.hpp>
#include <corosh/unwind.hpp>

#include <cxxabi.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <typeinfo>
#include <vector>

namespace corosh::shell {

Shell::Shell(Loop& loop_, Output& out_) : loop(loop_), out(out_) {
  // Coroutines the loop resumes (after a sleep, say) can die there too; say
  // so the same way `step` does.
  loop.set_error_handler([this](std::uint64_t id, std::string_view, std::exception_ptr error) {
    report_death(id, error);
  });
  // What demos say (a sleeper waking) goes through the same output, so it
  // lands in order with the commands' results and not over the prompt.
  demos::set_printer([this](std::string_view line) { out.line(line); });
}

Shell::~Shell() {
  shutdown();
  demos::set_printer(nullptr);
}

void Shell::shutdown() {
  trace.stop();
  for (auto& [port, server] : servers) server->stop();
  servers.clear();
  // Newest first, like locals going out of scope; destroying a handle
  // cancels a suspended coroutine, unwinding its stack.
  while (!coroutines.empty()) coroutines.erase(std::prev(coroutines.end()));
  selected = 0;
}

void Shell::reject_long_line(std::size_t length) {
  out.error(fmt::format("line too long: {} bytes (the limit is {}); ignored", length, max_line));
}

void Shell::execute(std::string_view line) {
  if (line.size() > max_line) return reject_long_line(line.size());
  if (std::string why = reject_binary(line); !why.empty()) return out.error(why);
  Words words;
  try {
    words = split_words(line);
  } catch (const CommandError& e) {
    return out.error(e.what());
  }
  if (words.empty() || words[0][0] == '#') return;
  const std::string& name = words[0];
  const Command* command = command_table().find(name);
  if (command == nullptr) {
    std::string_view guess = command_table().nearest(name);
    if (!guess.empty())
      return out.error(fmt::format("unknown command '{}' (did you mean '{}'?)", printable(name), guess));
    return out.error(fmt::format("unknown command '{}' (`help` lists the commands)", printable(name)));
  }
  Words args(words.begin() + 1, words.end());
  const auto usage = [&] {
    return fmt::format("usage: {}{}{}", command->name, command->synopsis.empty() ? "" : " ", command->synopsis);
  };
  if (args.size() < command->min_args)
    return out.error(fmt::format("{}: missing argument ({})", command->name, usage()));
  if (args.size() > command->max_args)
    return out.error(fmt::format("{}: too many arguments ({})", command->name, usage()));
  try {
    command->run(*this, args);
  } catch (const CommandError& e) {
    out.error(fmt::format("{}: {}", command->name, e.what()));
  } catch (const std::exception& e) {
    out.error(fmt::format("{}: {}", command->name, e.what()));
  }
}

// --- finding coroutines --------------------------------------------------------

std::uint64_t Shell::resolve(const std::string* word, bool owned_only) const {
  if (word == nullptr) {
    if (selected == 0 || !coroutines.contains(selected))
      throw CommandError("no coroutine selected (spawn one, or give an id or a name)");
    return selected;
  }
  const bool digits = !word->empty() && word->find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    std::uint64_t id = parse_number(*word, "id", 1, UINT64_MAX);
    if (coroutines.contains(id)) return id;
    if (find_coroutine(id)) {
      if (!owned_only) return id;
      throw CommandError(fmt::format("{} was not spawned by the shell (the loop or a demo drives it)", label(id)));
    }
    throw CommandError(fmt::format("no coroutine with id {} (`list` shows them)", printable(*word)));
  }
  std::vector<std::uint64_t> matches;
  for (const auto& [id, o] : coroutines)
    if (o.task->coroutine().name() == *word) matches.push_back(id);
  if (matches.empty() && !owned_only)
    for (const CoroutineInfo& info : live_coroutines())
      if (info.name == *word) matches.push_back(info.id);
  if (matches.empty())
    throw CommandError(fmt::format("no coroutine named '{}' (`list` shows them)", printable(*word)));
  if (matches.size() > 1) {
    std::string ids;
    for (std::uint64_t id : matches) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    throw CommandError(fmt::format("the name '{}' is ambiguous: coroutines {} (use an id)", *word, ids));
  }
  return matches[0];
}

std::string Shell::label(const CoroutineInfo& info) {
  if (info.name.empty()) return fmt::format("coroutine {}", info.id);
  return fmt::format("coroutine {} '{}'", info.id, info.name);
}

std::string Shell::label(std::uint64_t id) const {
  if (auto info = find_coroutine(id)) return label(*info);
  return fmt::format("coroutine {}", id);
}

std::string Shell::state_text(const CoroutineInfo& info) {
  std::string text(to_string(info.state));
  if (info.state == State::dead) text += fmt::format(" ({})", to_string(info.ending));
  if (!info.wait_reason.empty()) text += ", waiting for " + info.wait_reason;
  return text;
}

std::string Shell::status_line(std::uint64_t id) const {
  auto info = find_coroutine(id);
  if (!info) return fmt::format("coroutine {}: gone", id);
  Tone tone = info->state != State::dead                ? Tone::good
              : info->ending == Ending::returned        ? Tone::plain
              : info->ending == Ending::cancelled       ? Tone::warn
                                                        : Tone::bad;
  return fmt::format("{}: {}", label(*info), out.paint(state_text(*info), tone));
}

namespace {

std::string signal_name(int signo) {
  switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    default: return fmt::format("signal {}", signo);
  }
}

// The dynamic type of the exception being handled, demangled.
std::string current_exception_type() {
  std::type_info* type = abi::__cxa_current_exception_type();
  if (type == nullptr) return "unknown exception";
  return demangle(type->name());
}

}  // namespace

void Shell::report_death(std::uint64_t id, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Fault& f) {
    auto info = find_coroutine(id);
    std::string what = fmt::format("{} at 0x{:x}", signal_name(f.signal()), f.address());
    if (info && info->stack_guarded && f.address() < info->stack_base &&
        f.address() + 65536 >= info->stack_base)
      what += fmt::format(": stack overflow (the guard page below its {} stack)", human_bytes(info->stack_size));
    else if (f.address() < 4096)
      what += ": null pointer dereference";
    out.line(fmt::format("{} {}: {}", label(id), out.paint("faulted", Tone::bad), what));
    out.line("backtrace at the fault:");
    print_frames(out, fault_frames(id, 4096), 12);
  } catch (const std::exception& e) {
    out.line(fmt::format("{} {}: {}: {}", label(id), out.paint("failed", Tone::bad), current_exception_type(),
                         e.what()));
  } catch (...) {
    out.line(fmt::format("{} {}: {}", label(id), out.paint("failed", Tone::bad), current_exception_type()));
  }
}

}  // namespace corosh::shell
