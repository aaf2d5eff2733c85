#include "frames.hpp"

#include <fmt/format.h>

namespace corosh::shell {
namespace {

std::string where(const Symbol& s) {
  if (!s.file.empty() && s.line > 0) return fmt::format(" at {}:{}", s.file, s.line);
  if (!s.file.empty()) return fmt::format(" at {}", s.file);
  if (!s.module.empty()) return fmt::format(" in {}", s.module);
  return {};
}

}  // namespace

void print_frames(Output& out, const std::vector<Frame>& frames, std::size_t limit) {
  std::size_t index = 0;     // frame numbers, inlined calls included
  std::size_t consumed = 0;  // entries of `frames` printed in full
  for (const Frame& frame : frames) {
    Symbol symbol = symbolize(frame);
    if (index + symbol.inlined.size() + 1 > limit && index > 0) break;
    for (const Symbol& call : symbol.inlined)
      out.line(fmt::format("#{:<3} {}{} (inlined)", index++, out.paint(call.function, Tone::value), where(call)));
    out.line(fmt::format("#{:<3} {}{}", index++, out.paint(symbol.function, Tone::value), where(symbol)));
    ++consumed;
  }
  if (consumed < frames.size()) out.line(fmt::format("... {} more frames", frames.size() - consumed));
}

}  // namespace corosh::shell
