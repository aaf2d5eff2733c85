// shell/frames.hpp — printing a walked stack: "#N function at file:line".
#pragma once

#include "output.hpp"

#include <corosh/unwind.hpp>

#include <cstddef>
#include <vector>

namespace corosh::shell {

// Prints at most `limit` frames (inlined calls count as frames, as in a
// debugger), then how many more there were.
void print_frames(Output& out, const std::vector<Frame>& frames, std::size_t limit);

}  // namespace corosh::shell
