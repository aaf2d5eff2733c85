// overflow — unbounded recursion: what a stack overflow looks like.
//
// Every coroutine stack has a PROT_NONE guard page below it. `dive` calls
// itself forever, each call taking a frame (and a little array, so the stack
// goes down fast); eventually a frame lands in the guard page and the CPU
// faults. In the shell the runtime contains the fault: the coroutine becomes
// dead/faulted, `step` shows the address inside the guard page and the
// backtrace at the fault (a long column of `dive`), and the shell goes on.
//
// In the shell: `spawn overflow --stack 64K` (a small stack: the guard comes
// sooner), `step`, then `info`: the fault address lies just below the
// stack's lowest usable address, in the guard page. Standalone there is no
// containment: the handler (on its own signal stack, since this one is used
// up) prints "stack overflow in coroutine 1 'overflow'" and the process dies.
#include <corosh/spawnable.hpp>

#include <cstdint>

namespace {

// volatile: the array must really be written, and the call must not become a
// loop (the optimizer may turn tail recursion into a jump and never overflow).
[[gnu::noinline]] std::uint64_t dive(std::uint64_t depth) {
  volatile std::uint64_t frame[32];
  if (depth == UINT64_MAX) return 0;  // never: the guard page comes first
  frame[depth % 32] = depth;
  return dive(depth + 1) + frame[depth % 32];
}

const corosh::spawnable::Declaration declaration{{
    .name = "overflow",
    .usage = "",
    .description = "recurses until it runs into its stack's guard page (a contained fault)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 0);
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), [] { dive(0); }));
    }}};

}  // namespace
