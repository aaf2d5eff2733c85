// The host's half of corosh/spawnable.hpp: argument helpers and the printer.
// Plugins link none of this: they call the copy in the program that loads
// them (the corosh executable exports it), so print() reaches the one
// printer the shell set.
#include <corosh/spawnable.hpp>

#include <charconv>
#include <cstdio>
#include <string>

namespace corosh::spawnable {
namespace {

std::function<void(std::string_view)>& printer() {
  static std::function<void(std::string_view)> current;
  return current;
}

}  // namespace

long count_argument(const Arguments& args, std::size_t index, std::string_view what, long fallback, long min,
                    long max) {
  if (args.size() <= index) return fallback;
  const std::string& text = args[index];
  long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string range = std::to_string(min) + " to " + std::to_string(max);
  if (error == std::errc::result_out_of_range ||
      (error == std::errc() && end == text.data() + text.size() && (value < min || value > max)))
    throw BadArguments(std::string(what) + " must be from " + range + ", not " + text);
  if (error != std::errc() || end != text.data() + text.size())
    throw BadArguments(std::string(what) + " must be a whole number from " + range + ", not '" + text + "'");
  return value;
}

void at_most(const Arguments& args, std::size_t most) {
  if (args.size() <= most) return;
  if (most == 0) throw BadArguments("it takes no arguments");
  throw BadArguments("too many arguments (" + std::to_string(args.size()) + " given, at most " +
                     std::to_string(most) + ")");
}

void print(std::string_view line) {
  if (printer()) return printer()(line);
  // Flushed at once: a standalone demo is often read through a pipe by a
  // test that waits for this very line (the echo server's port).
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void set_printer(std::function<void(std::string_view)> printer_) { printer() = std::move(printer_); }

}  // namespace corosh::spawnable
