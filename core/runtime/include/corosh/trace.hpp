// corosh/trace.hpp — observing every context switch.
//
// An observer sees each switch as it happens: which coroutine starts running
// and which stops, and why. The shell records these as Chrome trace events
// (`trace on`); a test can count them. One observer per thread; with none set
// a switch pays one predictable branch.
//
//   corosh::set_switch_observer([](const corosh::SwitchEvent& e, void*) {
//     std::printf("%llu -> %llu\n", (unsigned long long)e.from, (unsigned long long)e.to);
//   }, nullptr);
#pragma once

#include <cstdint>

namespace corosh {

struct SwitchEvent {
  enum Kind : std::uint8_t { resume, yield, finish };
  Kind kind;             // resume: `to` starts running; yield/finish: `from` stops
  std::uint64_t from;    // coroutine id that stops running (0: the thread's own stack)
  std::uint64_t to;      // coroutine id that runs next (0: the thread's own stack)
  std::int64_t time_ns;  // steady clock, nanoseconds
};

using SwitchObserver = void (*)(const SwitchEvent& event, void* context);

// Sets this thread's observer (nullptr turns observing off).
void set_switch_observer(SwitchObserver observer, void* context) noexcept;

}  // namespace corosh
