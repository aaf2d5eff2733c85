// fuzz_command_line.cpp — libFuzzer target: arbitrary bytes as shell commands.
//
// Each input is cut into lines and every line is run through the same
// Shell::execute the REPL uses, on a fresh shell (coroutines spawned by one
// input do not pile up into the next). The property checked is the shell's
// promise: bad input gets an error line, never a crash, a hang or undefined
// behaviour. Commands whose table entry declares effects (they run the loop
// for a while, reach outside the process, or end the session: wait,
// continue, listen, trace, quit) are skipped: they would turn the fuzzer
// into a timer or a port scanner; the shell's own tests cover them.
#include "commands.hpp"
#include "local_target.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

// Whether `line` would run one of the skipped commands, decided the way the
// shell decides it (its own word splitting and command table), so that
// quoting ("c", ''''c) and aliases (c for continue) cannot slip one past.
// Found by fuzzing: ''''c ran `continue` on an endless generator.
bool skipped(std::string_view line) {
  corosh::shell::Words words;
  try {
    words = corosh::shell::split_words(line);
  } catch (const corosh::shell::CommandError&) {
    return false;  // the shell answers with an error line
  }
  if (words.empty()) return false;
  const corosh::shell::Command* command = corosh::shell::command_table().find(words[0]);
  return command != nullptr && command->effects != corosh::shell::pure;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As in the shell's main(): the local target contains faults, so a
  // crashing demo (overflow, null_deref) dies as a faulted coroutine
  // instead of taking the process with it.
  static corosh::Loop loop;
  static corosh::shell::Output out(false, false);
  corosh::shell::LocalTarget target(loop, [](std::string_view line) { out.line(line); });
  corosh::shell::Shell shell(target, loop, out);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int lines = 0;
  while (!input.empty() && lines++ < 16) {
    std::size_t newline = input.find('\n');
    std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    if (line.size() > corosh::shell::max_line) {
      shell.reject_long_line(line.size());
      continue;
    }
    if (!skipped(line)) shell.execute(line);
  }
  return 0;
}
