// registry_internal.hpp — the lists a debugger walks to find coroutines.
//
// corosh_registry_threads -> ThreadRegistry -> Control -> Control ...
// Each thread that creates a coroutine gets a ThreadRegistry, linked into
// the global list for as long as the thread lives. The debugger scripts walk
// these by field name; keep them plain.
#pragma once

#include <corosh/detail/control.hpp>
#include <corosh/registry.hpp>

#include "id_table.hpp"

#include <atomic>
#include <cstdint>
#include <vector>

namespace corosh::detail {

struct ThreadRegistry {
  Control* first = nullptr;          // oldest coroutine of this thread
  Control* last = nullptr;           // newest
  std::uint64_t count = 0;
  ThreadRegistry* next_thread = nullptr;
  ThreadRegistry* prev_thread = nullptr;
  IdTable by_id;                     // the same coroutines, by id (constant time)
  // The ThreadState of the thread this registry belongs to (what
  // Control::thread holds): other threads compare it, never follow it.
  const void* owner = nullptr;
  // Coroutines whose handles other threads destroyed, for this thread to
  // free (hand_back); guarded by the lock of the list of threads.
  std::vector<Control*> handed_back;
  std::atomic<bool> has_handed_back{false};
  WalkCursor* walks = nullptr;       // CoroutineWalks in progress on this thread
};

// Moves every walk that would visit `c` next on to the coroutine after it.
void skip_in_walks(ThreadRegistry& r, const Control* c) noexcept;

// Adds a new coroutine to its thread's list (newest last). The caller made
// room first: r.by_id.reserve_one().
inline void register_coroutine(ThreadRegistry& r, Control* c) noexcept {
  r.by_id.insert(c->id, c);
  c->registry_prev = r.last;
  c->registry_next = nullptr;
  if (r.last) r.last->registry_next = c; else r.first = c;
  r.last = c;
  ++r.count;
}

// Removes a coroutine whose handle is going away.
inline void unregister_coroutine(ThreadRegistry& r, Control* c) noexcept {
  r.by_id.erase(c->id);
  if (r.walks) [[unlikely]]
    skip_in_walks(r, c);
  if (c->registry_prev) c->registry_prev->registry_next = c->registry_next; else r.first = c->registry_next;
  if (c->registry_next) c->registry_next->registry_prev = c->registry_prev; else r.last = c->registry_prev;
  --r.count;
}

// Links a thread's registry into (and out of) the global list. Unlinking
// also takes what other threads handed back, which the caller frees.
void link_thread(ThreadRegistry& r) noexcept;
std::vector<Control*> unlink_thread(ThreadRegistry& r) noexcept;

// From a thread that does not own `c`: gives it back to the thread that
// does, which frees it (take_handed_back). False if that thread is gone.
bool hand_back(Control* c) noexcept;
// On the owning thread: the coroutines other threads handed back.
std::vector<Control*> take_handed_back(ThreadRegistry& r) noexcept;
// On the owning thread: frees what was handed back (coroutine.cpp).
void free_handed_back(std::vector<Control*> controls) noexcept;

}  // namespace corosh::detail

extern "C" {
// Head of the list of threads that have coroutines; read by debuggers.
extern corosh::detail::ThreadRegistry* corosh_registry_threads;
}
