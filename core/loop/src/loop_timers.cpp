// loop_timers.cpp — callback timers, and the expiry of every timer.
//
// One min-heap (timer_heap.hpp) holds both kinds: callback timers and the
// timeouts of waiting coroutines (a sleep is a wait with only a timeout).
// Ties fire in the order the timers were added.
#include "loop_internal.hpp"

namespace corosh {

void Loop::Impl::expire_timers() {
  const std::int64_t now = detail::now_ns();
  // Timers added by these callbacks wait for the next iteration, even with a
  // zero delay: otherwise a callback that re-arms itself would keep this
  // loop from ever polling.
  const std::uint64_t limit = next_sequence;
  while (detail::TimerNode* node = timers.top()) {
    if (node->deadline_ns > now || node->sequence >= limit) break;
    timers.remove(node);
    ++work;
    if (node->for_waiter) {
      wake(static_cast<detail::Waiter*>(node->owner), Wait::timed_out);
      continue;
    }
    auto* timer = static_cast<detail::CallbackTimer*>(node->owner);
    const std::uint64_t id = timer->id;
    std::function<void()> callback = std::move(timer->callback);
    callback();
    // The callback may have removed this timer (it is gone then).
    auto it = callback_timers.find(id);
    if (it == callback_timers.end()) continue;
    if (it->second->interval.count() > 0 && !it->second->node.queued()) {
      it->second->callback = std::move(callback);
      it->second->node.deadline_ns = now + it->second->interval.count();
      it->second->node.sequence = next_sequence++;
      timers.push(&it->second->node);
    } else {
      callback_timers.erase(it);
    }
  }
}

TimerId Loop::add_timer(Duration delay, std::function<void()> callback, Duration interval) {
  Impl& L = *impl_;
  auto timer = std::make_unique<detail::CallbackTimer>();
  timer->id = L.next_id++;
  timer->interval = interval;
  timer->callback = std::move(callback);
  timer->node.deadline_ns = detail::now_ns() + (delay.count() > 0 ? delay.count() : 0);
  timer->node.sequence = L.next_sequence++;
  timer->node.owner = timer.get();
  L.timers.push(&timer->node);
  const std::uint64_t id = timer->id;
  L.callback_timers.emplace(id, std::move(timer));
  return TimerId(id);
}

bool Loop::remove(TimerId id) noexcept {
  Impl& L = *impl_;
  auto it = L.callback_timers.find(id.value());
  if (it == L.callback_timers.end()) return false;
  L.timers.remove(&it->second->node);
  L.callback_timers.erase(it);
  return true;
}

}  // namespace corosh
