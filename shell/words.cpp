#include "words.hpp"

#include "output.hpp"

#include <corosh/stack.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>

namespace corosh::shell {

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i == line.size()) break;
    std::string word;
    while (i < line.size() && !blank(line[i])) {
      char c = line[i];
      if (c == '\'' || c == '"') {
        std::size_t close = line.find(c, i + 1);
        if (close == std::string_view::npos)
          throw CommandError(fmt::format("unterminated {} quote", c == '"' ? "double" : "single"));
        word.append(line.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        word += c;
        ++i;
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

std::string reject_binary(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return fmt::format("not a command: the line holds binary data (byte 0x{:02x} at column {})", c,
                         i + 1);
  }
  return {};
}

bool is_number(std::string_view word) noexcept {
  if (word.starts_with('-')) word.remove_prefix(1);
  return !word.empty() && word.find_first_not_of("0123456789") == std::string_view::npos;
}

std::uint64_t parse_number(std::string_view text, std::string_view what, std::uint64_t min,
                           std::uint64_t max) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool whole = !text.empty() && end == text.data() + text.size();
  const bool negative = text.size() > 1 && text[0] == '-' && is_number(text);
  if (negative || error == std::errc::result_out_of_range ||
      (error == std::errc() && whole && (value < min || value > max)))
    throw CommandError(fmt::format("{} out of range: {} (allowed: {} to {})", what, printable(text), min, max));
  if (error != std::errc() || !whole)
    throw CommandError(fmt::format("bad {}: '{}' is not a whole number", what, printable(text)));
  return value;
}

std::size_t parse_size(std::string_view text, std::string_view what) {
  std::size_t unit = 1;
  std::string_view digits = text;
  if (!digits.empty()) {
    char last = digits.back();
    if (last == 'K' || last == 'k') unit = 1024;
    if (last == 'M' || last == 'm') unit = 1024 * 1024;
    if (last == 'G' || last == 'g') unit = 1024 * 1024 * 1024;
    if (unit != 1) digits.remove_suffix(1);
  }
  std::uint64_t n;
  try {
    n = parse_number(digits, what, 1, max_stack_size / unit);
  } catch (const CommandError&) {
    throw CommandError(fmt::format("bad {}: '{}' (a size like 65536, 64K or 1M, at most 1G)", what,
                                   printable(text)));
  }
  return std::size_t(n * unit);
}

double parse_seconds(std::string_view text, double max) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0 ||
      value > max)
    throw CommandError(
        fmt::format("bad SECONDS: '{}' (a number of seconds from 0 to {:g}, like 2 or 0.5)", printable(text), max));
  return value;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: a swap of two neighbours ("stpe") costs one,
  // as it does for the fingers that made it.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string human_bytes(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

std::string human_duration(std::int64_t milliseconds) {
  const std::int64_t s = milliseconds < 0 ? 0 : milliseconds / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min", s / 60);
  if (s < 86400) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {} h", s / 86400, s % 86400 / 3600);
}

std::string rounded_bytes(std::size_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = double(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  if (value >= 100 || value == double(std::size_t(value))) return fmt::format("{:.0f} {}", value, units[unit]);
  return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace corosh::shell
