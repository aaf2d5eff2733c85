// fuzz_line_splitter.cpp — libFuzzer target: the shell's line reader.
//
// The input's first byte sets the line limit, the second seeds how the rest
// is cut into chunks (as reads from a pipe would cut it). Whatever the
// chunking, LineSplitter must produce exactly the lines a straightforward
// split of the whole text produces: same text (or "too long" with the right
// length), same count, nothing held back or lost.
#include "input.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Expected {
  std::string text;
  std::size_t length;
  bool too_long;
};

std::vector<Expected> reference(std::string_view text, std::size_t limit) {
  std::vector<Expected> lines;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool too_long = line.size() > limit;
    lines.push_back({too_long ? std::string() : std::string(line), line.size(), too_long});
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = 1 + data[0] % 64;
  unsigned seed = data[1];
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  corosh::shell::LineSplitter splitter(limit);
  std::deque<corosh::shell::Line> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    seed = seed * 1103515245u + 12345u;
    std::size_t chunk = 1 + (seed >> 16) % 17;
    if (chunk > rest.size()) chunk = rest.size();
    splitter.feed(rest.substr(0, chunk), lines);
    rest.remove_prefix(chunk);
  }
  splitter.finish(lines);

  std::vector<Expected> expected = reference(text, limit);
  if (lines.size() != expected.size()) std::abort();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const corosh::shell::Line& got = lines[i];
    if (got.too_long != expected[i].too_long || got.length != expected[i].length ||
        got.text != expected[i].text)
      std::abort();
  }
  return 0;
}
