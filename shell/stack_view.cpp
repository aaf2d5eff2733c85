#include "stack_view.hpp"

#include "table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace corosh::shell {
namespace {

using Kind = StackRow::Kind;

bool same_frame(const FrameLine& a, const FrameLine& b) {
  return a.function == b.function && a.file == b.file && a.line == b.line && a.inlined == b.inlined;
}

std::string label(const StackRow& row) {
  if (row.first == row.last) return fmt::format("#{}", row.first);
  return fmt::format("#{}\u2013#{}", row.first, row.last);
}

// A line of the program's own code (not the runtime's, folded or not).
bool shows_program_code(const StackRow& row) {
  return (row.kind == Kind::frame || row.kind == Kind::recursion) && !row.frame.runtime;
}

}  // namespace

std::vector<StackRow> fold(const std::vector<FrameLine>& frames, const StackView& view) {
  // A stack of nothing but the runtime's frames (a coroutine not started
  // yet) is shown as it is: folded, it would say nothing at all.
  const bool fold_runtime =
      view.fold_runtime && std::any_of(frames.begin(), frames.end(), [](const FrameLine& f) { return !f.runtime; });
  std::vector<StackRow> rows;
  for (std::size_t i = 0; i < frames.size();) {
    std::size_t end = i + 1;
    Kind kind = Kind::frame;
    if (fold_runtime && frames[i].runtime) {
      while (end < frames.size() && frames[end].runtime) ++end;
      kind = Kind::runtime;
    } else if (view.fold_recursion) {
      while (end < frames.size() && same_frame(frames[end], frames[i])) ++end;
      if (end - i >= recursion_fold_minimum) kind = Kind::recursion;
      else end = i + 1;
    }
    rows.push_back({kind, i, end - 1, frames[i]});
    i = end;
  }
  if (!view.limit || rows.size() <= *view.limit) return rows;

  // The bottom: from the outermost line of the program's own code down, at
  // most bottom_lines of it, and never overlapping the top.
  std::size_t bottom = rows.size() - 1;
  for (std::size_t i = rows.size(); i-- > 0;)
    if (shows_program_code(rows[i])) {
      bottom = i;
      break;
    }
  bottom = std::max({bottom, rows.size() - std::min(rows.size(), bottom_lines), *view.limit});
  if (bottom == *view.limit) return rows;  // nothing between the two to leave out
  std::vector<StackRow> shown(rows.begin(), rows.begin() + std::ptrdiff_t(*view.limit));
  StackRow omitted{Kind::omitted, rows[*view.limit].first, rows[bottom - 1].last, {}};
  shown.push_back(omitted);
  shown.insert(shown.end(), rows.begin() + std::ptrdiff_t(bottom), rows.end());
  return shown;
}

std::vector<std::string> render(const std::vector<StackRow>& rows, const StackView& view, const Output& out) {
  std::size_t width = 4;  // "#14 ", as unfolded stacks have always been numbered
  for (const StackRow& row : rows) width = std::max(width, display_width(label(row)));
  std::vector<std::string> lines;
  for (const StackRow& row : rows) {
    std::string text = label(row);
    text += std::string(width - display_width(text) + 1, ' ');
    const std::size_t n = row.count();
    switch (row.kind) {
      case Kind::frame:
      case Kind::recursion:
        text += out.paint(row.frame.function, Tone::value) + row.frame.where();
        if (row.frame.inlined) text += " (inlined)";
        if (row.kind == Kind::recursion) text += fmt::format("  \u00d7{}", n);
        break;
      case Kind::runtime:
        text += out.paint(fmt::format("\u2026 {} corosh frame{}", n, n == 1 ? "" : "s"), Tone::dim);
        break;
      case Kind::omitted:
        text += fmt::format("\u2026 {} frame{} left out", n, n == 1 ? "" : "s");
        if (!view.full_command.empty()) text += fmt::format(" (`{}` shows them)", view.full_command);
        break;
    }
    lines.push_back(std::move(text));
  }
  return lines;
}

}  // namespace corosh::shell

namespace corosh::shell {

void print_stack(Output& out, const std::vector<FrameLine>& frames, const StackView& view, std::string_view indent) {
  for (const std::string& line : render(fold(frames, view), view, out)) out.line(std::string(indent) + line);
}

}  // namespace corosh::shell
