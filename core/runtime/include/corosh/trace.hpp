// corosh/trace.hpp — observing every context switch.
//
// An observer sees each switch as it happens: which coroutine starts running
// and which stops, and why. A thread has up to max_switch_observers at once
// (a trace recording, a `watch`, a tool of the program's own), each called in
// the order it was added; with none a switch pays one predictable branch.
//
//   auto print = [](const corosh::SwitchEvent& e, void*) {
//     std::printf("%llu -> %llu\n", (unsigned long long)e.from, (unsigned long long)e.to);
//   };
//   corosh::add_switch_observer(print, nullptr);
//   ...
//   corosh::remove_switch_observer(print, nullptr);
//
// A SwitchRecorder is an observer keeping every event (the shell's
// `trace on`, which writes them as Chrome trace events):
//
//   corosh::SwitchRecorder recorder;
//   recorder.start();
//   ... run coroutines ...
//   recorder.stop();
//   for (const corosh::SwitchEvent& e : recorder.events()) ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace corosh {

struct SwitchEvent {
  enum Kind : std::uint8_t { resume, yield, finish };
  Kind kind;             // resume: `to` starts running; yield/finish: `from` stops
                         // (finish: it died: returned, threw or faulted)
  std::uint64_t from;    // coroutine id that stops running (0: the thread's own stack)
  std::uint64_t to;      // coroutine id that runs next (0: the thread's own stack)
  std::int64_t time_ns;  // steady clock, nanoseconds
  // The two coroutines' names (empty for none or the thread's own stack);
  // valid only during the observer's call.
  const char* from_name = "";
  const char* to_name = "";
  // Events compare by what they record (the names are only borrowed).
  friend bool operator==(const SwitchEvent& a, const SwitchEvent& b) noexcept {
    return a.kind == b.kind && a.from == b.from && a.to == b.to && a.time_ns == b.time_ns;
  }
};

using SwitchObserver = void (*)(const SwitchEvent& event, void* context);

// How many observers a thread can have at once.
inline constexpr std::size_t max_switch_observers = 4;

// Adds an observer of this thread's switches, called with `context`; false
// if the thread already has max_switch_observers. The same pair may be added
// once: adding it again returns true and changes nothing.
bool add_switch_observer(SwitchObserver observer, void* context) noexcept;
// Removes the observer added with this pair; false if there is none. Safe
// from inside an observer (the switch being reported still reaches it).
bool remove_switch_observer(SwitchObserver observer, void* context) noexcept;

// Records this thread's switches while started (as one of its observers).
class SwitchRecorder {
 public:
  SwitchRecorder() = default;
  // Stops observing.
  ~SwitchRecorder();
  SwitchRecorder(const SwitchRecorder&) = delete;
  SwitchRecorder& operator=(const SwitchRecorder&) = delete;

  // Starts recording on the calling thread, forgetting an earlier recording.
  // Throws corosh::Error if the thread has no room for another observer.
  void start();
  // Stops recording; the events stay until the next start().
  void stop() noexcept;
  // True between start() and stop().
  bool recording() const noexcept { return recording_; }
  // What was recorded, oldest first.
  const std::vector<SwitchEvent>& events() const noexcept { return events_; }
  // Events not kept because `capacity` were already recorded.
  std::size_t dropped() const noexcept { return dropped_; }
  // Steady-clock nanoseconds when the recording started.
  std::int64_t started_ns() const noexcept { return started_ns_; }
  // The name of each coroutine seen in the recording that has one, as it
  // was then (the coroutine may be gone by now).
  const std::map<std::uint64_t, std::string>& names() const noexcept { return names_; }

  // At most this many events are kept.
  static constexpr std::size_t capacity = 1'000'000;

 private:
  static void observe(const SwitchEvent& event, void* self);
  std::vector<SwitchEvent> events_;  // names cleared: they do not outlive the call
  std::map<std::uint64_t, std::string> names_;
  std::size_t dropped_ = 0;
  std::int64_t started_ns_ = 0;
  bool recording_ = false;
};

}  // namespace corosh
