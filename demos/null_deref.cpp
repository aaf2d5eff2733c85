// null_deref — reading through a null pointer inside a coroutine.
//
// The first step yields once (so `stack` can show the coroutine parked in
// `follow`); the second reads through a null pointer. With the shell's fault
// containment the coroutine dies as dead/faulted with fault address 0 (plus
// the field's offset: `value` sits 8 bytes into a Link) and a backtrace,
// instead of taking the process down.
//
// In the shell: `spawn null_deref`, `step`, `stack`, `step` (SIGSEGV at 0x8),
// `info` (signal, address, pc and sp at the fault). Standalone there is no
// containment: the fault handler names the coroutine, then the process dies
// of SIGSEGV as any program would.
#include <corosh/spawnable.hpp>

#include <corosh/coroutine.hpp>

namespace {

struct Link {
  Link* next;
  int value;
};

// volatile: the load must happen; without it the compiler may conclude that
// dereferencing null is unreachable, or that the value is unused, and drop it.
[[gnu::noinline]] int follow(Link* link) {
  corosh::yield();
  const volatile Link* volatile target = link;
  return target->value;
}

const corosh::spawnable::Declaration declaration{{
    .name = "null_deref",
    .usage = "",
    .description = "yields once, then reads through a null pointer (a contained fault)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 0);
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), [] { follow(nullptr); }));
    }}};

}  // namespace
