#include "frames.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace corosh::shell {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::string where(const Symbol& s) {
  if (!s.file.empty() && s.line > 0) return fmt::format(" at {}:{}", s.file, s.line);
  if (!s.file.empty()) return fmt::format(" at {}", s.file);
  if (!s.module.empty()) return fmt::format(" in {}", s.module);
  return {};
}

}  // namespace

std::string readable_name(std::string_view demangled) {
  std::string name(demangled);
  // Inline namespaces first, so that both libraries' spellings below match.
  replace_all(name, "std::__cxx11::", "std::");
  replace_all(name, "std::__1::", "std::");
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> spelled_out{{
      {"std::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string"},
      {"std::basic_string_view<char, std::char_traits<char> >", "std::string_view"},
  }};
  for (auto [from, to] : spelled_out) {
    replace_all(name, from, to);
    // The demangler writes "> >" so as not to say ">>"; "Sink<std::string >"
    // no longer needs the blank.
    replace_all(name, std::string(to) + " >", std::string(to) + ">");
  }
  return name;
}

void print_frames(Output& out, const std::vector<inspect::NamedFrame>& frames, std::size_t limit) {
  std::size_t index = 0;     // frame numbers, inlined calls included
  std::size_t consumed = 0;  // entries of `frames` printed in full
  for (const inspect::NamedFrame& frame : frames) {
    const Symbol& symbol = frame.symbol;
    if (index + symbol.inlined.size() + 1 > limit && index > 0) break;
    for (const Symbol& call : symbol.inlined)
      out.line(fmt::format("#{:<3} {}{} (inlined)", index++, out.paint(readable_name(call.function), Tone::value),
                           where(call)));
    out.line(fmt::format("#{:<3} {}{}", index++, out.paint(readable_name(symbol.function), Tone::value),
                         where(symbol)));
    ++consumed;
  }
  if (consumed < frames.size()) out.line(fmt::format("... {} more frames", frames.size() - consumed));
}

}  // namespace corosh::shell
