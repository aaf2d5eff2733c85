// fib — an endless generator: the Fibonacci numbers, one per step.
//
// A generator need not end. The consumer decides how many values it wants;
// the producer's state (two numbers) simply waits on its stack in between.
// Stopping is the consumer's business: destroying (or killing) a suspended
// generator unwinds its stack, so an endless loop is a fine thing to write.
// The numbers are unsigned 64-bit: F93 is the last that fits, so after it
// the sequence starts again at F0 rather than yield wrapped-around nonsense.
//
// In the shell: `spawn fib`, `step 10` (0 1 1 2 3 5 8 13 21 34), `stack`
// (one frame of `fibonacci`: a loop, not a recursion), `continue` (runs until
// you press Ctrl-C), `kill fib`. Standalone: `fib --take 20`.
#include <corosh/spawnable.hpp>

#include <cstdint>

namespace {

void fibonacci(corosh::Sink<std::uint64_t>& out) {
  for (;;) {
    std::uint64_t a = 0, b = 1;
    for (;;) {
      out(a);
      if (b < a) break;  // a + b wrapped: F(n+1) would not fit
      std::uint64_t next = a + b;
      a = b;
      b = next;
    }
  }
}

const corosh::spawnable::Declaration declaration{{
    .name = "fib",
    .usage = "",
    .description = "yields the Fibonacci numbers forever, F0 to F93 and again (Ctrl-C stops a `continue`)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 0);
      return std::make_unique<corosh::spawnable::GeneratorTask<std::uint64_t>>(
          nullptr, corosh::Generator<std::uint64_t>(corosh::spawnable::options_for(spec), fibonacci));
    }}};

}  // namespace
