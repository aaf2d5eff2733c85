// shell/stack_groups.hpp — many coroutines, few distinct stacks: identical
// stacks grouped, with how many share each and which ones.
//
//   for (const StackGroup& g : group_stacks(all))
//     std::printf("%zu coroutines: %s\n", g.ids.size(), id_ranges(g.ids, 10).c_str());
#pragma once

#include "frames.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace corosh::shell {

struct CoroutineFrames {
  std::uint64_t id = 0;
  std::vector<FrameLine> frames;
};

struct StackGroup {
  std::vector<std::uint64_t> ids;  // ascending
  std::vector<FrameLine> frames;   // the stack they share
};

// Stacks that show the same frames (function, file, line) are one group.
// Largest group first; groups of the same size in the order of their
// lowest id.
std::vector<StackGroup> group_stacks(const std::vector<CoroutineFrames>& stacks);

// "1–1200, 1305, 1307–1309, 2–3000 every 3": ascending ids with runs
// written as ranges (of consecutive ids, or of every k-th); past
// `max_pieces` pieces, "and N more".
std::string id_ranges(const std::vector<std::uint64_t>& ids, std::size_t max_pieces);

}  // namespace corosh::shell
