#include "commands.hpp"

#include "words.hpp"

#include <algorithm>

namespace corosh::shell {

const Command* CommandTable::find(std::string_view name) const {
  for (const Command& c : commands_)
    if (c.name == name || (!c.alias.empty() && c.alias == name)) return &c;
  return nullptr;
}

std::string_view CommandTable::nearest(std::string_view name) const {
  if (name.size() > 32) return {};
  // A typo changes a letter or two; beyond a third of the word it is more
  // likely another word altogether, and a wrong suggestion is worse than none.
  std::size_t limit = std::max<std::size_t>(1, (name.size() + 1) / 3);
  std::size_t best = limit + 1;
  std::string_view found;
  for (const Command& c : commands_) {
    for (std::string_view candidate : {c.name, c.alias}) {
      if (candidate.empty()) continue;
      std::size_t d = edit_distance(name, candidate);
      if (d < best) {
        best = d;
        found = c.name;
      }
    }
  }
  return found;
}

const CommandTable& command_table() {
  static const CommandTable table = [] {
    CommandTable t;
    add_help_commands(t);
    add_coroutine_commands(t);
    add_run_commands(t);
    add_inspect_commands(t);
    add_loop_commands(t);
    add_trace_commands(t);
    return t;
  }();
  return table;
}

}  // namespace corosh::shell
