// unguarded — a coroutine stack without a guard page.
//
// A guard page below each stack turns an overflow into a fault that names
// the coroutine. But each guard splits a memory mapping in two, and Linux
// allows a process 65,530 mappings (vm.max_map_count), so past a limit
// stacks come without one. Then an overflow is noticed only by a canary, a
// known word at the bottom of the stack checked every time the coroutine
// yields, or by a fault with the stack pointer below the stack: after it may
// have overwritten whatever lay below, so it stops the program.
//
// The demo arranges for that limit to be reached for its own coroutine: it
// lets go of this thread's pooled stacks (a pooled stack keeps its guard),
// lowers the limit to the guarded stacks in use (set_guard_limit), creates
// the coroutine and puts the limit back. `info` then says "no guard page",
// `mem` counts an unguarded stack, and `warnings` names the coroutine.
//
// In the shell: `spawn unguarded`, `step`, `info`, `mem`, `warnings`.
#include <corosh/spawnable.hpp>

#include <corosh/stack.hpp>

#include <memory>
#include <string>

namespace {

void count_up(long steps, corosh::Sink<std::string>& out) {
  for (long i = 1; i <= steps; ++i) out("step " + std::to_string(i) + " on a stack with no guard page");
}

const corosh::spawnable::Declaration declaration{{
    .name = "unguarded",
    .usage = "[STEPS]",
    .description = "a coroutine whose stack has no guard page (as past the mapping limit), STEPS yields",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long steps = corosh::spawnable::count_argument(args, 0, "STEPS", 3, 1, 1000);
      corosh::trim_stack_pool();
      const corosh::StackStats before = corosh::stack_stats();
      corosh::set_guard_limit(before.guarded);
      auto task = std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          nullptr, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), count_up, steps));
      corosh::set_guard_limit(before.guard_limit);
      return task;
    }}};

}  // namespace
