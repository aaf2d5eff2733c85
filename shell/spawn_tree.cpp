#include "spawn_tree.hpp"

#include "shell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace corosh::shell {
namespace {

// Where a coroutine hangs when no coroutine of `all` created it.
std::string root_heading(const CoroutineView& v, const std::set<std::uint64_t>& alive) {
  const CoroutineInfo& c = v.info;
  if (c.parent != 0 && !alive.contains(c.parent)) return fmt::format("coroutine {} (gone)", c.parent);
  if (c.creator == Creator::loop) return "the loop";
  return v.yours ? "spawned by the shell" : "the thread's own code";
}

std::string node_text(const CoroutineView& v) {
  return fmt::format("{}  {}", id_and_name(v.info), Shell::state_text(v.info));
}

struct Forest {
  std::map<std::uint64_t, std::vector<const CoroutineView*>> children;  // by parent id
  std::set<std::uint64_t> alive;

  explicit Forest(const std::vector<CoroutineView>& all) {
    for (const CoroutineView& v : all) alive.insert(v.info.id);
    for (const CoroutineView& v : all)
      if (v.info.parent != 0 && alive.contains(v.info.parent)) children[v.info.parent].push_back(&v);
  }

  void draw(const CoroutineView& v, const std::string& indent, bool last, std::vector<std::string>& out) const {
    out.push_back(indent + (last ? "\u2514\u2500 " : "\u251c\u2500 ") + node_text(v));
    auto it = children.find(v.info.id);
    if (it == children.end()) return;
    const std::string deeper = indent + (last ? "   " : "\u2502  ");
    for (std::size_t i = 0; i < it->second.size(); ++i)
      draw(*it->second[i], deeper, i + 1 == it->second.size(), out);
  }
};

}  // namespace

std::string id_and_name(const CoroutineInfo& c) {
  return c.name.empty() ? std::to_string(c.id) : fmt::format("{} '{}'", c.id, c.name);
}

std::vector<std::string> tree_lines(const std::vector<CoroutineView>& all, std::uint64_t root) {
  const Forest forest(all);
  std::vector<std::string> out;
  if (root != 0) {
    for (const CoroutineView& v : all)
      if (v.info.id == root) {
        out.push_back(node_text(v));
        auto it = forest.children.find(root);
        if (it != forest.children.end())
          for (std::size_t i = 0; i < it->second.size(); ++i)
            forest.draw(*it->second[i], "", i + 1 == it->second.size(), out);
      }
    return out;
  }
  // The roots, grouped under who made them, groups in order of their oldest.
  std::vector<std::pair<std::string, std::vector<const CoroutineView*>>> groups;
  for (const CoroutineView& v : all) {
    if (v.info.parent != 0 && forest.alive.contains(v.info.parent)) continue;
    const std::string heading = root_heading(v, forest.alive);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == heading; });
    if (it == groups.end()) it = groups.insert(groups.end(), {heading, {}});
    it->second.push_back(&v);
  }
  for (const auto& [heading, roots] : groups) {
    out.push_back(heading);
    for (std::size_t i = 0; i < roots.size(); ++i) forest.draw(*roots[i], "", i + 1 == roots.size(), out);
  }
  return out;
}

std::vector<const CoroutineView*> children_of(const std::vector<CoroutineView>& all, std::uint64_t id) {
  std::vector<const CoroutineView*> found;
  for (const CoroutineView& v : all)
    if (v.info.parent == id && id != 0) found.push_back(&v);
  return found;
}

std::string creator_text(const CoroutineView& v, const std::vector<CoroutineView>& all) {
  const CoroutineInfo& c = v.info;
  if (c.parent != 0) {
    for (const CoroutineView& p : all)
      if (p.info.id == c.parent) return "by " + Shell::label(p.info);
    return fmt::format("by coroutine {} (gone)", c.parent);
  }
  if (c.creator == Creator::loop) return "by the loop";
  if (v.yours) return v.origin.empty() ? "by the shell" : "by the shell: spawn " + v.origin;
  return "by the thread's own code";
}

}  // namespace corosh::shell
