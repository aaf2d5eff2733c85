// A plugin declaring one function called TEST_FUNCTION, for the tests of
// names: another plugin's (probe_walk), a built-in demo's (fib), or a fresh
// one (other_walk, whose frames must not be named after what was mapped at
// the same address before).
#include <corosh/spawnable.hpp>

namespace {

[[gnu::noinline]] void climb(int step, corosh::Sink<int>& out) {
  out(step);
  if (step < 3) climb(step + 1, out);
  asm volatile("");
}

const corosh::spawnable::Declaration declaration{{
    .name = TEST_FUNCTION,
    .usage = "",
    .description = "climbs three steps",
    .create = [](const corosh::spawnable::Arguments&, const corosh::spawnable::Spec& spec) {
      return corosh::spawnable::task(corosh::Generator<int>(corosh::spawnable::options_for(spec), climb, 1));
    }}};

}  // namespace
