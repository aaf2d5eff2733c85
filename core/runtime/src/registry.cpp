// registry.cpp — the live coroutines, for people (snapshots) and debuggers
// (the corosh_registry_threads list).
#include <corosh/registry.hpp>

#include "context.hpp"
#include "registry_internal.hpp"
#include "stack_pool.hpp"
#include "thread_state.hpp"

#include <chrono>
#include <mutex>

corosh::detail::ThreadRegistry* corosh_registry_threads = nullptr;

namespace corosh::detail {
namespace {
std::mutex threads_mutex;
}

void link_thread(ThreadRegistry& r) noexcept {
  std::lock_guard lock(threads_mutex);
  r.next_thread = corosh_registry_threads;
  r.prev_thread = nullptr;
  if (corosh_registry_threads) corosh_registry_threads->prev_thread = &r;
  corosh_registry_threads = &r;
}

std::vector<Control*> unlink_thread(ThreadRegistry& r) noexcept {
  std::lock_guard lock(threads_mutex);
  if (r.prev_thread) r.prev_thread->next_thread = r.next_thread;
  else corosh_registry_threads = r.next_thread;
  if (r.next_thread) r.next_thread->prev_thread = r.prev_thread;
  // In the same breath: once unlinked nobody can hand anything back.
  r.has_handed_back.store(false, std::memory_order_relaxed);
  return std::move(r.handed_back);
}

bool hand_back(Control* c) noexcept {
  std::lock_guard lock(threads_mutex);
  for (ThreadRegistry* r = corosh_registry_threads; r; r = r->next_thread) {
    if (r->owner != c->thread) continue;
    try {
      r->handed_back.push_back(c);
    } catch (...) {
      return false;  // out of memory: the caller frees it as an orphan
    }
    r->has_handed_back.store(true, std::memory_order_release);
    return true;
  }
  return false;
}

std::vector<Control*> take_handed_back(ThreadRegistry& r) noexcept {
  std::lock_guard lock(threads_mutex);
  r.has_handed_back.store(false, std::memory_order_relaxed);
  return std::move(r.handed_back);
}

void skip_in_walks(ThreadRegistry& r, const Control* c) noexcept {
  for (WalkCursor* w = r.walks; w; w = w->next_walk)
    if (w->next == c) w->next = c->registry_next;
}

namespace {

CoroutineInfo snapshot(const Control& c, Snapshot what) {
  CoroutineInfo info;
  info.id = c.id;
  info.name = c.name;
  info.state = c.state;
  info.ending = c.ending;
  info.wait_reason = c.wait_reason;
  if (c.waiting && c.wait_deadline_ns != 0) {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    const std::int64_t left_ms = c.wait_deadline_ns > now ? (c.wait_deadline_ns - now) / 1000000 : 0;
    info.wait_reason += ", " + std::to_string(left_ms) + " ms left";
  }
  if (c.site_file) info.site_file = c.site_file;
  if (c.site_function) info.site_function = c.site_function;
  info.site_line = c.site_line;
  info.site_address = reinterpret_cast<std::uintptr_t>(c.site_file);
  info.parent = c.parent;
  info.creator = c.creator;
  info.switches = c.switches;
  info.stack_size = c.stack.size;
  info.stack_guarded = c.stack.guarded;
  info.stack_base = reinterpret_cast<std::uintptr_t>(c.stack.base);
  if (what == Snapshot::full) info.stack_touched = touched_bytes(c.stack);
  const auto stack_top = reinterpret_cast<std::uintptr_t>(c.stack.top());
  if (c.lowest_sp >= info.stack_base && c.lowest_sp < stack_top) info.stack_deepest = stack_top - c.lowest_sp;
  info.fault_signal = c.fault_signal;
  info.fault_address = c.fault_address;
  info.fault_pc = c.fault_pc;
  info.fault_sp = c.fault_sp;
  info.fault_fp = c.fault_fp;
  info.context_address = reinterpret_cast<std::uintptr_t>(&c.context.registers);
  // Only a context that is not running has meaningful saved registers (a
  // running coroutine's live state is in the CPU; a dead one has none).
  if (c.state == State::created || c.state == State::suspended || c.state == State::normal) {
    const std::uintptr_t top = reinterpret_cast<std::uintptr_t>(c.stack.top());
    info.stack_in_use = top - saved_stack_pointer(c.context.registers);
    info.registers = read_registers(
        {reinterpret_cast<const std::uint8_t*>(&c.context.registers), sizeof c.context.registers});
  } else if (c.state == State::running) {
    const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    const std::uintptr_t top = reinterpret_cast<std::uintptr_t>(c.stack.top());
    if (sp < top && sp >= info.stack_base) info.stack_in_use = top - sp;
  }
  return info;
}

}  // namespace
}  // namespace corosh::detail

namespace corosh {

std::vector<CoroutineInfo> live_coroutines(Snapshot what) {
  std::vector<CoroutineInfo> all;
  detail::ThreadRegistry* r = detail::this_thread.registry;
  if (r == nullptr) return all;
  all.reserve(r->count);
  for (detail::Control* c = r->first; c; c = c->registry_next) all.push_back(detail::snapshot(*c, what));
  return all;
}

std::size_t live_coroutine_count() noexcept {
  const detail::ThreadRegistry* r = detail::this_thread.registry;
  return r ? r->count : 0;
}

CoroutineWalk::CoroutineWalk() {
  detail::ThreadRegistry* r = detail::this_thread.registry;
  if (r == nullptr || r->first == nullptr) return;
  cursor_.next = r->first;
  newest_ = r->last->id;
  cursor_.next_walk = r->walks;
  if (r->walks) r->walks->prev_walk = &cursor_;
  r->walks = &cursor_;
  linked_ = true;
}

CoroutineWalk::~CoroutineWalk() { finish(); }

void CoroutineWalk::finish() noexcept {
  if (!linked_) return;
  detail::ThreadRegistry* r = detail::this_thread.registry;
  if (cursor_.prev_walk) cursor_.prev_walk->next_walk = cursor_.next_walk;
  else r->walks = cursor_.next_walk;
  if (cursor_.next_walk) cursor_.next_walk->prev_walk = cursor_.prev_walk;
  cursor_ = {};
  linked_ = false;
}

std::optional<CoroutineInfo> CoroutineWalk::next(Snapshot what) {
  // Ids grow within a thread, so the first one past `newest_` was created
  // after the walk began, and so is everything after it.
  detail::Control* c = cursor_.next;
  if (c == nullptr || c->id > newest_) {
    finish();
    return std::nullopt;
  }
  cursor_.next = c->registry_next;
  return detail::snapshot(*c, what);
}

std::optional<CoroutineInfo> find_coroutine(std::uint64_t id, Snapshot what) {
  detail::ThreadRegistry* r = detail::this_thread.registry;
  if (r == nullptr) return std::nullopt;
  if (const detail::Control* c = r->by_id.find(id)) return detail::snapshot(*c, what);
  return std::nullopt;
}

CoroutineInfo describe(const Coroutine& coroutine) {
  std::optional<CoroutineInfo> info = find_coroutine(coroutine.id());
  if (!info) throw Error("corosh: describe() on an empty (moved-from) coroutine");
  return *info;
}

}  // namespace corosh
