// shell/spawn_tree.hpp — who created whom: each coroutine under the
// coroutine that created it, and those nobody's coroutine created under
// the shell, the loop or the thread's own code.
//
//   spawned by the shell
//   └─ 2 'pipeline'  suspended
//      ├─ 3 'producer'  suspended
//      └─ 4 'filter'  suspended
//   the loop
//   └─ 5 'echo 7000 accept'  suspended, waiting for fd 6 readable
#pragma once

#include "target.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace corosh::shell {

// The lines of the tree of every coroutine of `all`, or (with `root`) of
// the subtree under that coroutine only. Children in the order they were
// made; a coroutine whose creator is gone is listed under it by id.
std::vector<std::string> tree_lines(const std::vector<CoroutineView>& all, std::uint64_t root = 0);

// The coroutines of `all` that `id` created, oldest first.
std::vector<const CoroutineView*> children_of(const std::vector<CoroutineView>& all, std::uint64_t id);

// "3 'producer'", or "3" for one without a name.
std::string id_and_name(const CoroutineInfo& c);

// "by coroutine 3 'pipeline'", "by the loop", "by the shell (spawn fib)",
// "by the thread's own code": who created `v`, for `info`.
std::string creator_text(const CoroutineView& v, const std::vector<CoroutineView>& all);

}  // namespace corosh::shell
