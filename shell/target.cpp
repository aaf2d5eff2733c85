// target.cpp — what a Target does when it cannot drive anything.
#include "target.hpp"

#include <fmt/format.h>

namespace corosh::shell {

void Target::unsupported(std::string_view what) const {
  throw NotSupported(fmt::format("{} is not supported on {}", what, describe()));
}

std::uint64_t Target::spawn(const SpawnRequest&) { unsupported("spawn"); }
StepResult Target::step(const CoroutineView&) { unsupported("resuming a coroutine"); }
StepResult Target::cancel(const CoroutineView&) { unsupported("cancelling a coroutine"); }
Endpoint Target::listen(std::uint16_t, const std::string&) { unsupported("listen"); }
ListenerView Target::unlisten(std::uint16_t) { unsupported("unlisten"); }
PluginInfo Target::load(const std::string&) { unsupported("loading a plugin"); }
PluginInfo Target::unload(const std::string&) { unsupported("unloading a plugin"); }

}  // namespace corosh::shell
