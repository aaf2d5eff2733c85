// loop_owned.cpp — the coroutines a loop owns (Loop::spawn).
//
// The loop is their only owner: it starts them on its next iteration,
// resumes them as their waits complete, and destroys each as soon as it is
// dead. Destroying a coroutine may run arbitrary code (a suspended one is
// unwound, and its destructors may spawn or cancel others), so an entry
// always leaves the map before its coroutine is destroyed.
#include "loop_internal.hpp"

#include <exception>
#include <utility>

namespace corosh::detail {

std::uint64_t OwnedCoroutines::adopt(std::unique_ptr<Coroutine> coroutine) {
  const std::uint64_t id = coroutine->id();
  coroutines_.emplace(id, std::move(coroutine));
  starting_.push_back(id);
  return id;
}

void OwnedCoroutines::start_new(Loop::Impl& loop) {
  if (starting_.empty()) return;
  std::vector<std::uint64_t> now;
  now.swap(starting_);
  for (std::uint64_t id : now) {
    auto it = coroutines_.find(id);
    if (it == coroutines_.end()) continue;  // cancelled before it ever ran
    // References into the map survive other spawns (it is node-based), and
    // nobody can erase a running coroutine (cancel refuses).
    Coroutine& co = *it->second;
    if (co.state() != State::created) continue;
    try {
      co.resume();
    } catch (...) {
      loop.report(id, co.name(), std::current_exception());
    }
    bury_if_dead(id);
  }
}

void OwnedCoroutines::bury_if_dead(std::uint64_t id) noexcept {
  auto it = coroutines_.find(id);
  if (it != coroutines_.end() && it->second->done()) destroy(id);
}

bool OwnedCoroutines::cancel(std::uint64_t id) {
  auto it = coroutines_.find(id);
  if (it == coroutines_.end()) return false;
  it->second->cancel();  // throws if it is running; it stays ours then
  destroy(id);
  return true;
}

void OwnedCoroutines::destroy_all() noexcept {
  while (!coroutines_.empty()) destroy(coroutines_.begin()->first);
  starting_.clear();
}

void OwnedCoroutines::destroy(std::uint64_t id) noexcept {
  auto it = coroutines_.find(id);
  if (it == coroutines_.end()) return;
  std::unique_ptr<Coroutine> doomed = std::move(it->second);
  coroutines_.erase(it);
  doomed.reset();  // a suspended one is unwound here
}

}  // namespace corosh::detail
