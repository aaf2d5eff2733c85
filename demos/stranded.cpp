// stranded — a coroutine the loop owns that nothing will ever resume.
//
// Loop::spawn hands a coroutine to the loop: the loop starts it on its next
// iteration and from then on resumes it only when something it waits for
// happens (an fd is ready, a sleep or timeout is due). The helper here calls
// corosh::yield() instead of a loop wait: it gives control back to the loop
// but registers nothing, so no event will ever be for it. It is suspended
// for good: a lost wake-up, the coroutine form of a forgotten callback.
// `warnings` (and the ! in `list`) point it out with where it is parked;
// the only way out is to cancel it, which the demo's second step does.
//
// In the shell: `spawn stranded`, `step` (the helper is spawned), `wait
// 0.1` (the loop starts it; it yields and is stranded), `warnings`, `list`,
// then `step` (cancelled, its stack unwound).
#include <corosh/spawnable.hpp>

#include <corosh/loop.hpp>

#include <memory>
#include <string>

namespace {

void wait_for_nothing() {
  corosh::spawnable::print("helper: yielding without waiting on anything");
  corosh::yield();  // the loop will never come back here
  corosh::spawnable::print("helper: resumed (this never prints)");
}

void strand() {
  corosh::Loop& loop = corosh::Loop::current();
  const std::uint64_t helper = loop.spawn({.name = "stranded_helper", .stack_size = 64 * 1024}, wait_for_nothing);
  corosh::spawnable::print("spawned coroutine " + std::to_string(helper) + " on the loop");
  corosh::yield();  // back to the shell; `step` continues here
  loop.cancel(helper);
  corosh::spawnable::print("cancelled coroutine " + std::to_string(helper));
}

const corosh::spawnable::Declaration declaration{{
    .name = "stranded",
    .usage = "",
    .description = "a loop-owned coroutine that yields without waiting: nothing will ever resume it",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 0);
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), strand));
    }}};

}  // namespace
