// fuzz_command_line.cpp — libFuzzer target: arbitrary bytes as shell commands.
//
// Each input is cut into lines and every line is run through the same
// Shell::execute the REPL uses, on a fresh shell (coroutines spawned by one
// input do not pile up into the next). The property checked is the shell's
// promise: bad input gets an error line, never a crash, a hang or undefined
// behaviour. Commands that run the loop for a while or reach outside the
// process (wait, continue, listen, trace save, quit) are skipped: they would
// turn the fuzzer into a timer or a port scanner; the shell's own tests
// cover them.
#include "shell.hpp"

#include <corosh/fault.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool skipped(std::string_view line) {
  std::size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  std::size_t end = line.find_first_of(" \t", start);
  std::string word(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* w : {"wait", "continue", "c", "listen", "unlisten", "trace", "quit", "exit"})
    if (word == w) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As in the shell's main(): a crashing demo (overflow, null_deref) dies
  // as a faulted coroutine instead of taking the process with it.
  static const bool contained = (corosh::set_fault_containment(true), true);
  (void)contained;
  static corosh::Loop loop;
  static corosh::shell::Output out(false, false);
  corosh::shell::Shell shell(loop, out);
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
