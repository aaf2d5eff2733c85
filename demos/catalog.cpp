// The catalog itself. Demos register from static initializers in their own
// files, so the list is a function-local static (no initialization-order
// trap) and is sorted on first use rather than on every insertion.
#include "catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

namespace corosh::demos {
namespace {

std::vector<Demo>& entries() {
  static std::vector<Demo> list;
  return list;
}

bool sorted = false;

std::function<void(std::string_view)>& printer() {
  static std::function<void(std::string_view)> current;
  return current;
}

}  // namespace

Registration::Registration(Demo demo) {
  entries().push_back(std::move(demo));
  sorted = false;
}

const std::vector<Demo>& catalog() {
  if (!sorted) {
    std::sort(entries().begin(), entries().end(),
              [](const Demo& a, const Demo& b) { return a.name < b.name; });
    sorted = true;
  }
  return entries();
}

const Demo* find_demo(std::string_view name) {
  for (const Demo& d : catalog())
    if (d.name == name) return &d;
  return nullptr;
}

long count_argument(const Arguments& args, std::size_t index, std::string_view what, long fallback,
                    long min, long max) {
  if (args.size() <= index) return fallback;
  const std::string& text = args[index];
  long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string range = std::to_string(min) + " to " + std::to_string(max);
  if (error == std::errc::result_out_of_range || (error == std::errc() && end == text.data() + text.size() &&
                                                  (value < min || value > max)))
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

}  // namespace corosh::demos
