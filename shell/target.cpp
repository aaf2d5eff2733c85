// target.cpp — what a Target does by default: stacks one by one, and no
// driving at all.
#include "target.hpp"

#include <fmt/format.h>

namespace corosh::shell {

void Target::unsupported(std::string_view what) const {
  throw NotSupported(fmt::format("{} is not supported on {}", what, describe()));
}

inspect::StackSet Target::stacks(std::size_t max_frames) {
  inspect::StackSet all;
  for (const CoroutineView& v : list()) {
    const CoroutineInfo& c = v.info;
    const bool faulted = c.state == State::dead && c.ending == Ending::faulted;
    if ((c.state == State::dead && !faulted) || c.state == State::running) continue;
    all.add(c.id, stack(c, max_frames));
  }
  return all;
}

std::uint64_t Target::spawn(const SpawnRequest&) { unsupported("spawn"); }
StepResult Target::step(const CoroutineView&) { unsupported("resuming a coroutine"); }
StepResult Target::cancel(const CoroutineView&) { unsupported("cancelling a coroutine"); }
void Target::forget(const CoroutineView&) { unsupported("forgetting a coroutine"); }
Endpoint Target::listen(const ListenRequest&) { unsupported("listen"); }
ListenerView Target::unlisten(std::uint16_t) { unsupported("unlisten"); }
PluginInfo Target::load(const std::string&) { unsupported("loading a plugin"); }
PluginInfo Target::unload(const std::string&) { unsupported("unloading a plugin"); }
std::vector<inspect::FdView> Target::loop_fds() { unsupported("listing the loop's descriptors"); }
std::vector<inspect::TimerView> Target::loop_timers() { unsupported("listing the loop's timers"); }
inspect::MemoryView Target::memory() { unsupported("mem"); }
std::vector<inspect::Warning> Target::warnings(const inspect::WarningLimits&) { unsupported("warnings"); }

}  // namespace corosh::shell
