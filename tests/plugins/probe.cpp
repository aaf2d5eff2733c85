// probe — the test plugin: what test_plugins.py loads, spawns, steps, walks
// and faults, each function showing one thing about plugins.
#include <corosh/loop.hpp>
#include <corosh/registry.hpp>
#include <corosh/spawnable.hpp>

#include <chrono>
#include <string>

namespace {

using corosh::spawnable::Arguments;
using corosh::spawnable::Spec;

// A recursion that yields its depth on the way down: `stack` must show one
// `descend` frame per level, named from this file's debug information.
[[gnu::noinline]] void descend(int depth, int limit, corosh::Sink<int>& out) {
  out(depth);
  if (depth < limit) descend(depth + 1, limit, out);
  asm volatile("");  // keeps the recursive call from becoming a jump
}

// Faults in plugin code: the shell must contain it.
[[gnu::noinline]] void write_through(int* where) {
  volatile int* volatile target = where;  // neither the pointer nor the store may be assumed away
  *target = 42;
}
void fault() { write_through(nullptr); }

// What the plugin's own code sees of the registry: the ids of every live
// coroutine. One runtime means the same list the shell's `list` shows.
void registry_ids(corosh::Sink<std::string>& out) {
  std::string ids;
  for (const corosh::CoroutineInfo& c : corosh::live_coroutines())
    ids += (ids.empty() ? "" : ",") + std::to_string(c.id);
  out(ids);
}

// A coroutine the plugin starts on the loop by itself, parked in its code.
[[gnu::noinline]] void nap() { corosh::Loop::current().sleep(std::chrono::hours(1)); }
void spawn_helper() { corosh::Loop::current().spawn({.name = "probe_helper", .stack_size = 64 * 1024}, nap); }

const corosh::spawnable::Declaration walk{{
    .name = "probe_walk",
    .usage = "[DEPTH]",
    .description = "yields 1..DEPTH (default 3), one recursive call deeper each time",
    .create = [](const Arguments& args, const Spec& spec) {
      corosh::spawnable::at_most(args, 1);
      int limit = int(corosh::spawnable::count_argument(args, 0, "DEPTH", 3, 1, 100));
      return corosh::spawnable::task(
          corosh::Generator<int>(corosh::spawnable::options_for(spec), descend, 1, limit));
    }}};

const corosh::spawnable::Declaration faulting{{
    .name = "probe_fault",
    .usage = "",
    .description = "writes through a null pointer in plugin code",
    .create = [](const Arguments& args, const Spec& spec) {
      corosh::spawnable::at_most(args, 0);
      return corosh::spawnable::task(corosh::Coroutine(corosh::spawnable::options_for(spec), fault));
    }}};

const corosh::spawnable::Declaration registry{{
    .name = "probe_registry",
    .usage = "",
    .description = "yields the ids of the live coroutines, as the plugin's code sees them",
    .create = [](const Arguments& args, const Spec& spec) {
      corosh::spawnable::at_most(args, 0);
      return corosh::spawnable::task(
          corosh::Generator<std::string>(corosh::spawnable::options_for(spec), registry_ids));
    }}};

const corosh::spawnable::Declaration spawner{{
    .name = "probe_spawner",
    .usage = "",
    .description = "starts probe_helper on the loop, which sleeps an hour in plugin code",
    .create = [](const Arguments& args, const Spec& spec) {
      corosh::spawnable::at_most(args, 0);
      return corosh::spawnable::task(corosh::Coroutine(corosh::spawnable::options_for(spec), spawn_helper));
    }}};

}  // namespace
