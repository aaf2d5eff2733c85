// sleepers — coroutines sleeping on the loop's timers, waking in order.
//
// The demo's coroutine starts one coroutine per duration (default 300, 100
// and 200 ms). Each calls Loop::sleep, which files a timer in the loop's
// min-heap and suspends; control comes straight back to the starter, so all
// of them are asleep within microseconds of each other. Nobody resumes a
// sleeper by hand: the loop pops the earliest deadline off its heap, resumes
// that sleeper, and goes back to polling with the next deadline as its
// timeout. So they wake shortest first, whatever order they went to sleep in.
// The starter sleeps as long as the longest, after all the others, so it
// wakes last and reports the order.
//
// In the shell: `spawn sleepers`, `step` (all parked), `list` (each one
// "waiting for sleep N ms, M ms left"), `loop` (their timers), `step` again
// (refused: only the loop may resume a waiting coroutine), then `wait 1`.
// `spawn sleepers 50 10 30 20` picks your own durations.
#include <corosh/spawnable.hpp>

#include <corosh/loop.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

void nap(long ms, std::vector<long>* woken) {
  corosh::Loop::current().sleep(std::chrono::milliseconds(ms));
  woken->push_back(ms);
  corosh::spawnable::print("sleeper " + std::to_string(ms) + " ms woke (" + std::to_string(woken->size()) +
                       (woken->size() == 1 ? "st" : woken->size() == 2 ? "nd" : woken->size() == 3 ? "rd" : "th") +
                       ")");
}

void start_sleepers(std::vector<long> durations) {
  std::vector<long> woken;
  std::vector<corosh::Coroutine> sleepers;
  sleepers.reserve(durations.size());
  for (long ms : durations) {
    std::string name = "sleep_" + std::to_string(ms);
    sleepers.emplace_back(corosh::Options{.name = name, .stack_size = 64 * 1024}, nap, ms, &woken);
    sleepers.back().resume();  // runs until its sleep parks it, then comes back here
  }
  corosh::spawnable::print(std::to_string(durations.size()) + " sleepers parked on the loop");
  corosh::Loop::current().sleep(std::chrono::milliseconds(*std::max_element(durations.begin(), durations.end())));
  std::string order;
  for (long ms : woken) order += " " + std::to_string(ms);
  corosh::spawnable::print("woke in order:" + order);
}

const corosh::spawnable::Declaration declaration{{
    .name = "sleepers",
    .usage = "[MS...]",
    .description = "coroutines sleeping MS milliseconds each (default 300 100 200) on loop timers",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 16);
      std::vector<long> durations;
      for (std::size_t i = 0; i < args.size(); ++i)
        durations.push_back(corosh::spawnable::count_argument(args, i, "MS", 0, 0, 60000));
      if (durations.empty()) durations = {300, 100, 200};
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), start_sleepers, durations));
    }}};

}  // namespace
