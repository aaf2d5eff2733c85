// switch_observers.cpp — several observers of one thread's switches (trace.hpp).
//
// The hot path knows a single observer per thread (ThreadState::observer,
// behind the hook_observer bit of the one gate word it tests per switch).
// While a thread has any observers, that one is fan_out, which calls each of
// them in turn; with none the bit is clear again, so observers cost a switch
// nothing until the first is added.
#include <corosh/trace.hpp>

#include "thread_state.hpp"

#include <algorithm>

namespace corosh {
namespace {

struct Entry {
  SwitchObserver observer;
  void* context;
  bool operator==(const Entry&) const = default;
};

// Constant-initialised: no TLS guard on the way to it.
struct Observers {
  Entry entries[max_switch_observers];
  std::size_t count;
};
thread_local constinit Observers observers = {};

void fan_out(const SwitchEvent& event, void*) {
  // A copy: an observer may add or remove observers (itself included).
  const Observers now = observers;
  for (std::size_t i = 0; i < now.count; ++i) now.entries[i].observer(event, now.entries[i].context);
}

void install(bool any) noexcept {
  detail::ThreadState& thread = detail::this_thread;
  thread.observer = &fan_out;
  thread.observer_context = nullptr;
  detail::set_switch_hook(thread, detail::hook_observer, any);
}

}  // namespace

bool add_switch_observer(SwitchObserver observer, void* context) noexcept {
  if (observer == nullptr) return false;
  Entry* end = observers.entries + observers.count;
  if (std::find(observers.entries, end, Entry{observer, context}) != end) return true;
  if (observers.count == max_switch_observers) return false;
  observers.entries[observers.count++] = Entry{observer, context};
  install(true);
  return true;
}

bool remove_switch_observer(SwitchObserver observer, void* context) noexcept {
  Entry* end = observers.entries + observers.count;
  Entry* found = std::find(observers.entries, end, Entry{observer, context});
  if (found == end) return false;
  std::copy(found + 1, end, found);  // keep the others in the order they came
  --observers.count;
  install(observers.count > 0);
  return true;
}

}  // namespace corosh
