// tree, forget: the coroutines as a whole — who created whom, and letting
// the dead go.
#include "commands.hpp"
#include "shell.hpp"
#include "spawn_tree.hpp"
#include "words.hpp"

#include <fmt/format.h>

namespace corosh::shell {
namespace {

void tree(Shell& shell, const Words& args) {
  const std::vector<CoroutineView> all = shell.target().list();
  if (all.empty()) {
    shell.out.line("no coroutines (`spawn NAME` starts one; `demos` lists the names)");
    return;
  }
  std::uint64_t root = 0;
  if (!args.empty()) root = shell.resolve(&args[0]).info.id;
  for (const std::string& line : tree_lines(all, root)) shell.out.line(line);
}

void forget(Shell& shell, const Words& args) {
  const ParsedWords words = parse_words("forget", args);
  std::vector<CoroutineView> doomed;
  if (words.has("--dead")) {
    if (!words.arguments.empty()) throw CommandError("give an ID or --dead, not both");
    for (CoroutineView& v : shell.target().list())
      if (v.info.state == State::dead) doomed.push_back(std::move(v));
    if (doomed.empty()) {
      shell.out.line("no dead coroutines to forget");
      return;
    }
  } else {
    if (words.arguments.size() > 1) throw CommandError("one ID at a time (or --dead for every dead one)");
    CoroutineView v = shell.resolve(words.arguments.empty() ? nullptr : &words.arguments[0]);
    if (v.info.state != State::dead)
      throw CommandError(fmt::format("{} is {}: only a dead coroutine can be forgotten (`cancel` ends it first)",
                                     Shell::label(v.info), Shell::state_text(v.info)));
    doomed.push_back(std::move(v));
  }
  std::size_t bytes = 0;
  for (const CoroutineView& v : doomed) {
    shell.target().forget(v);
    bytes += v.info.stack_size;
    if (shell.selected == v.info.id) shell.selected = 0;
  }
  const std::string what =
      doomed.size() == 1 ? Shell::label(doomed[0].info) : fmt::format("{} dead coroutines", doomed.size());
  shell.out.line(fmt::format("forgot {}; {} of stack{} given back", what, human_bytes(bytes),
                             doomed.size() == 1 ? "" : "s"));
}

}  // namespace

void add_registry_commands(CommandTable& table) {
  table.add({.name = "tree",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .summary = "who created whom: every coroutine under its creator",
             .help = "Each coroutine is drawn under the coroutine that created it (pipeline's\n"
                     "stages under pipeline, an echo listener's connections under its\n"
                     "acceptor); those no coroutine created hang under the shell (what you\n"
                     "spawned), the loop (what was handed to it, such as an echo listener)\n"
                     "or the thread's own code. With ID, only that coroutine and what it\n"
                     "created, however deep.",
             .run = tree});
  table.add({.name = "forget",
             .arguments = {{"ID", ArgKind::coroutine, Argument::Presence::optional}},
             .options = {{"--dead", ""}},
             .summary = "drop dead coroutines from the list and free their stacks",
             .help = "A dead coroutine stays listed, its stack kept, until whoever holds it\n"
                     "lets go; forget lets go now: the coroutine leaves the registry and its\n"
                     "stack goes back to the pool (its touched pages to the system). --dead\n"
                     "forgets every dead coroutine. A live one must be cancelled first.\n"
                     "Example: forget --dead",
             .run = forget});
}

}  // namespace corosh::shell
