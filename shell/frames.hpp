// shell/frames.hpp — printing a walked stack: "#N function at file:line".
#pragma once

#include "output.hpp"

#include <corosh/inspect.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

// Prints at most `limit` frames (inlined calls count as frames, as in a
// debugger), then how many more there were.
void print_frames(Output& out, const std::vector<inspect::NamedFrame>& frames, std::size_t limit);

// A demangled name as people write it: the standard library's inline
// namespaces (libstdc++'s __cxx11, libc++'s __1) dropped, and std::string
// and std::string_view instead of their template spellings, which would
// otherwise fill a line each time a frame takes a string.
std::string readable_name(std::string_view demangled);

}  // namespace corosh::shell
