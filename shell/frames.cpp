#include "frames.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace corosh::shell {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// Where the bracket that opens at `at` closes (`open` and `close` nest), or
// the end of `text` if it never does.
std::size_t matching(std::string_view text, std::size_t at, char open, char close) {
  int depth = 0;
  for (std::size_t i = at; i < text.size(); ++i) {
    if (text[i] == open) ++depth;
    else if (text[i] == close && --depth == 0) return i;
  }
  return text.size();
}

FrameLine line_of(const Symbol& s, bool inlined, std::uintptr_t pc) {
  FrameLine f{readable_name(s.function), s.file, s.line, s.module, inlined, false, pc};
  f.runtime = runtime_frame(f.function);
  return f;
}

// A symbol's lines: the calls inlined at its address, then its frame.
void append_lines(const Symbol& symbol, std::uintptr_t pc, std::vector<FrameLine>& lines) {
  for (const Symbol& call : symbol.inlined) lines.push_back(line_of(call, true, pc));
  lines.push_back(line_of(symbol, false, pc));
}

}  // namespace

std::string FrameLine::where() const {
  if (!file.empty() && line > 0) return fmt::format(" at {}:{}", file, line);
  if (!file.empty()) return fmt::format(" at {}", file);
  if (!module.empty()) return fmt::format(" in {}", module);
  return {};
}

std::vector<FrameLine> frame_lines(const std::vector<inspect::NamedFrame>& frames) {
  std::vector<FrameLine> lines;
  for (const inspect::NamedFrame& f : frames) append_lines(f.symbol, f.frame.pc, lines);
  return lines;
}

StackLines::StackLines(const inspect::StackSet& set) {
  per_symbol_.reserve(set.symbols.size());
  for (const Symbol& s : set.symbols) {
    per_symbol_.emplace_back();
    append_lines(s, 0, per_symbol_.back());
  }
}

std::vector<FrameLine> StackLines::lines(const inspect::StackSet::Stack& stack) const {
  std::vector<FrameLine> all;
  for (std::size_t i = 0; i < stack.frames.size(); ++i)
    for (const FrameLine& f : per_symbol_.at(stack.symbols[i])) {
      all.push_back(f);
      all.back().pc = stack.frames[i].pc;
    }
  return all;
}

std::optional<FrameLine> StackLines::parked_at(const inspect::StackSet::Stack& stack) const {
  for (std::size_t i = 0; i < stack.frames.size(); ++i)
    for (const FrameLine& f : per_symbol_.at(stack.symbols[i]))
      if (!f.runtime) {
        FrameLine found = f;
        found.pc = stack.frames[i].pc;
        return found;
      }
  return std::nullopt;
}

std::string scope_path(std::string_view name) {
  static constexpr std::string_view anonymous = "(anonymous namespace)";
  static constexpr std::string_view operator_word = "operator";
  std::string path;
  std::size_t i = 0;
  while (i < name.size()) {
    const char c = name[i];
    if (name.substr(i).starts_with(anonymous)) {
      path += anonymous;
      i += anonymous.size();
    } else if (name.substr(i).starts_with(operator_word) && (path.empty() || path.back() == ':')) {
      // operator(), operator<<, operator==: the symbol is part of the name.
      path += operator_word;
      i += operator_word.size();
      if (name.substr(i).starts_with("()")) {
        path += "()";
        i += 2;
      } else {
        while (i < name.size() && std::string_view("<>=!+-*/%&|^~[],").find(name[i]) != std::string_view::npos)
          path += name[i++];
      }
    } else if (c == '<') {
      i = matching(name, i, '<', '>') + 1;  // template arguments
    } else if (c == '{') {
      // The demangler's "{lambda(int)#1}"; scoped DWARF names say "{lambda}".
      const std::size_t end = matching(name, i, '{', '}');
      path += name.substr(i).starts_with("{lambda") ? "{lambda}" : std::string(name.substr(i, end + 1 - i));
      i = end + 1;
    } else if (c == '(') {
      if (!path.ends_with("decltype")) break;  // the parameters
      i = matching(name, i, '(', ')') + 1;     // decltype(auto), part of a return type
    } else if (c == ' ') {
      if (name.substr(i + 1).starts_with("[clone")) break;
      path.clear();  // what came before was the return type
      ++i;
    } else if (c == '[') {
      break;
    } else {
      path += c;
      ++i;
    }
  }
  // After the parameters: "f(int)::{lambda()#1}::operator()() const". The
  // function that the lambda lives in already says whose code this is.
  return path;
}

bool runtime_frame(std::string_view function) {
  const std::string path = scope_path(readable_name(function));
  if (path == "corosh_trampoline") return true;
  if (path.starts_with("corosh::"))
    return !path.starts_with("corosh::demos::") && !path.starts_with("corosh::shell::");
  // How the runtime calls a coroutine's body (std::apply over the stored
  // arguments), and how the loop calls a std::function it was given.
  static constexpr std::array<std::string_view, 10> forwarding{
      "std::apply",        "std::__apply_impl",       "std::__apply_tuple_impl", "std::invoke",
      "std::__invoke",     "std::__invoke_impl",      "std::__invoke_r",         "std::__invoke_void_return_wrapper::__call",
      "std::function::operator()", "std::_Function_handler::_M_invoke"};
  return std::find(forwarding.begin(), forwarding.end(), path) != forwarding.end();
}

std::optional<FrameLine> parked_at(const std::vector<FrameLine>& frames) {
  for (const FrameLine& f : frames)
    if (!f.runtime) return f;
  return std::nullopt;
}

std::string short_location(const FrameLine& frame) {
  std::string path = scope_path(frame.function);
  replace_all(path, "(anonymous namespace)::", "");
  if (path.empty()) path = frame.function;
  return path + frame.where();
}

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
  // GCC's specialised copies of a function (" [clone .isra.0]", possibly
  // several) are the same function to whoever reads the stack.
  for (std::size_t at = name.find(" [clone "); at != std::string::npos; at = name.find(" [clone ", at)) {
    const std::size_t end = name.find(']', at);
    name.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
  }
  return name;
}

}  // namespace corosh::shell
