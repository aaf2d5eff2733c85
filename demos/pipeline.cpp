// pipeline — producer → filter → consumer, each stage a coroutine.
//
// Three stages, as in a Unix pipeline, but pulled rather than pushed:
//
//   numbers 2..N  →  primes (drops every multiple of an earlier prime)  →  consumer
//
// The consumer (the demo's own coroutine) asks the filter for a value; the
// filter asks the producer for numbers until one passes, then hands it on.
// Nothing runs ahead of demand: when the consumer reports "got 7", the
// producer has made exactly the numbers 2..7 and is parked right after
// handing out 7. Each stage is plain sequential code — a for loop, a range-for
// over the stage before — and keeps its state (a counter, the primes so far)
// in ordinary locals on its own stack.
//
// In the shell: `spawn pipeline 30`, `step 4` (got 2 3 5 7), then `list`:
// the producer has been switched to more often than the filter, because it
// also made the numbers the filter dropped. `stack producer` shows it parked
// inside its for loop, `stack filter` inside its range-for; `continue`
// finishes with the count and the sum.
#include <corosh/spawnable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

[[gnu::noinline]] void produce(long last, long* made, corosh::Sink<long>& out) {
  for (long n = 2; n <= last; ++n) {
    *made = n;  // the consumer shows how far the producer has got
    out(n);
  }
}

[[gnu::noinline]] void keep_primes(corosh::Generator<long>* numbers, corosh::Sink<long>& out) {
  std::vector<long> primes;
  for (long n : *numbers) {
    bool composite = false;
    for (long p : primes) composite = composite || n % p == 0;
    if (composite) continue;
    primes.push_back(n);
    out(n);
  }
}

[[gnu::noinline]] void consume(long last, corosh::Sink<std::string>& out) {
  long made = 0;
  corosh::Generator<long> numbers({.name = "producer", .stack_size = 64 * 1024}, produce, last, &made);
  corosh::Generator<long> primes({.name = "filter", .stack_size = 64 * 1024}, keep_primes, &numbers);
  long count = 0, sum = 0;
  for (long p : primes) {
    ++count;
    sum += p;
    out("got " + std::to_string(p) + " (the producer has made 2.." + std::to_string(made) + ")");
  }
  out(std::to_string(count) + " primes up to " + std::to_string(last) + ", sum " + std::to_string(sum));
}

const corosh::spawnable::Declaration declaration{{
    .name = "pipeline",
    .usage = "[N]",
    .description = "numbers 2..N (default 30) through a prime filter to a consumer, three coroutines",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long last = corosh::spawnable::count_argument(args, 0, "N", 30, 2, 1000000);
      return std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          nullptr, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), consume, last));
    }}};

}  // namespace
