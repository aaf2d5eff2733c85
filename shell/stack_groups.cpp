#include "stack_groups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace corosh::shell {
namespace {

// What makes two stacks the same to whoever reads them: the frames as
// printed, not their addresses (inlined copies of one line differ there).
std::string identity(const std::vector<FrameLine>& frames) {
  std::string key;
  for (const FrameLine& f : frames) {
    key += fmt::format("{}\x1f{}\x1f{}\x1f{}\n", f.function, f.file, f.line, f.inlined ? 1 : 0);
  }
  return key;
}

}  // namespace

std::vector<StackGroup> group_stacks(const std::vector<CoroutineFrames>& stacks) {
  std::vector<StackGroup> groups;
  std::unordered_map<std::string, std::size_t> index;
  for (const CoroutineFrames& s : stacks) {
    auto [at, fresh] = index.try_emplace(identity(s.frames), groups.size());
    if (fresh) groups.push_back({{}, s.frames});
    groups[at->second].ids.push_back(s.id);
  }
  for (StackGroup& g : groups) std::sort(g.ids.begin(), g.ids.end());
  std::stable_sort(groups.begin(), groups.end(), [](const StackGroup& a, const StackGroup& b) {
    if (a.ids.size() != b.ids.size()) return a.ids.size() > b.ids.size();
    return a.ids.front() < b.ids.front();
  });
  return groups;
}

std::string id_ranges(const std::vector<std::uint64_t>& ids, std::size_t max_pieces) {
  std::string text;
  std::size_t pieces = 0;
  for (std::size_t i = 0; i < ids.size();) {
    // The longest run from i with one step between ids: consecutive ids, or
    // every k-th (coroutines made in turns).
    std::size_t end = i + 1;
    const std::uint64_t step = i + 1 < ids.size() ? ids[i + 1] - ids[i] : 1;
    while (end < ids.size() && ids[end] - ids[end - 1] == step) ++end;
    const bool run = step == 1 ? end - i >= 2 : end - i >= 4;
    if (!run) end = i + 1;
    if (pieces == max_pieces) {
      text += fmt::format(" and {} more", ids.size() - i);
      break;
    }
    if (!text.empty()) text += ", ";
    if (!run) text += fmt::format("{}", ids[i]);
    else if (step == 1) text += fmt::format("{}\u2013{}", ids[i], ids[end - 1]);
    else text += fmt::format("{}\u2013{} every {}", ids[i], ids[end - 1], step);
    ++pieces;
    i = end;
  }
  return text;
}

}  // namespace corosh::shell
