// shell/stack_view.hpp — how `stack` shows a walked stack: folded, bounded,
// and never silently cut.
//
// By default the runtime's own frames (frames.hpp: runtime_frame) fold into
// one line each run ("… 9 corosh frames") and direct recursion folds into
// one line with a count ("#5–#153  descend(...) at deep.cpp:33  ×149"). At
// most `limit` lines are shown from the top; what is left out is said, with
// the command that shows it, and the bottom of the stack (the outermost
// frame of the program's own code and everything below it) is always shown.
//
//   print_stack(out, frame_lines(target.stack(c, 4096)), {.limit = 32, .full_command = "stack 3 --full"});
#pragma once

#include "frames.hpp"
#include "output.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace corosh::shell {

struct StackView {
  bool fold_runtime = true;    // runs of runtime frames become one line (if any frame is not the runtime's)
  bool fold_recursion = true;  // runs of the same frame become one line
  std::optional<std::size_t> limit;  // lines shown from the top (the bottom is extra)
  std::string full_command;    // what shows everything, for the "left out" line
};

// One printed line of a stack.
struct StackRow {
  enum class Kind { frame, recursion, runtime, omitted };
  Kind kind = Kind::frame;
  std::size_t first = 0;  // frame numbers covered, #first to #last
  std::size_t last = 0;
  FrameLine frame;        // frame, recursion: the frame (each of the run)
  std::size_t count() const { return last - first + 1; }
};

// A run of at least this many identical consecutive frames is folded.
inline constexpr std::size_t recursion_fold_minimum = 3;
// Lines of the bottom of a stack shown after what was left out, at most.
inline constexpr std::size_t bottom_lines = 12;

// The rows `view` shows of `frames` (innermost first).
std::vector<StackRow> fold(const std::vector<FrameLine>& frames, const StackView& view);

// The rows as text, painted for `out`.
std::vector<std::string> render(const std::vector<StackRow>& rows, const StackView& view, const Output& out);

// Prints `frames` as `view` says, each line after `indent`.
void print_stack(Output& out, const std::vector<FrameLine>& frames, const StackView& view,
                 std::string_view indent = {});

}  // namespace corosh::shell
