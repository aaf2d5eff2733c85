// shell/coroutine_filter.hpp — which coroutines `list` and `stacks` show:
// by state, name, what they wait for, how they died, where they were made.
//
//   list --state suspended --name 'read-*'
//   list --waiting
//   list --dead --site crowd.cpp:58
//
// The options are declared once here for every command that filters;
// several --state options mean any of them, different options all at once.
#pragma once

#include "commands.hpp"
#include "target.hpp"

#include <corosh/registry.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace corosh::shell {

struct CoroutineFilter {
  std::vector<std::string> states;  // --state: a state (created, suspended, ...) or how it died (faulted, ...)
  std::optional<std::string> name;  // --name: a glob, as the shell's own (* ? [...])
  bool waiting = false;             // --waiting: waits on the loop (a sleep, an fd)
  bool dead = false;                // --dead
  std::optional<std::string> site_file;  // --site FILE[:LINE]: created in FILE (its name, or a path's end)
  std::optional<std::uint32_t> site_line;

  // True if no option was given.
  bool empty() const noexcept;
  // True if `c` passes every option given.
  bool matches(const CoroutineInfo& c) const;
  // The options as they were given, for messages: "--state dead --name 'read-*'".
  std::string text() const;
};

// The filter options, for a command's declaration.
std::vector<Option> filter_options();

// The filter `words` ask for. Throws CommandError for a state that is none,
// or a site whose line is not a number.
CoroutineFilter filter_of(const ParsedWords& words);

// "2001 coroutines: 1 created, 2000 suspended (1334 waiting), 3 dead (2 returned, 1 faulted)".
std::string totals(const std::vector<CoroutineView>& all);

}  // namespace corosh::shell
