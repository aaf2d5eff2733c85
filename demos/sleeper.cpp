// sleeper — a coroutine that waits on the event loop.
//
// `Loop::sleep` parks the coroutine with a timer; the loop, not the shell,
// resumes it when the timer fires. While it waits, `list` shows what it waits
// for and `step` refuses (only the loop may resume it); `wait` lets the loop
// run, and the coroutine wakes, counts one round and sleeps again.
#include <corosh/spawnable.hpp>

#include <corosh/loop.hpp>

#include <chrono>

namespace {

void doze(long ms, long rounds) {
  for (long i = 0; i < rounds; ++i) corosh::Loop::current().sleep(std::chrono::milliseconds(ms));
}

const corosh::spawnable::Declaration declaration{{
    .name = "sleeper",
    .usage = "[MS] [ROUNDS]",
    .description = "one coroutine sleeping MS ms (default 100) on the loop, ROUNDS times (default 3)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 2);
      long ms = corosh::spawnable::count_argument(args, 0, "MS", 100, 0, 3600000);
      long rounds = corosh::spawnable::count_argument(args, 1, "ROUNDS", 3, 1, 1000000);
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), doze, ms, rounds));
    }}};

}  // namespace
