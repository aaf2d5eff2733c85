// inspect_loop.cpp — the loop's tables as tools see them (inspect.hpp): every
// descriptor it knows, with who waits on it or watches it, every timer, and
// what the runtime and the loop hold in memory.
//
// What kind of file a descriptor is comes from the descriptor itself (fstat,
// SO_ACCEPTCONN, getpeername), not from bookkeeping: the loop is also handed
// fds it never opened. Only corosh::Listener's counts are the loop's own.
#include <corosh/inspect.hpp>

#include "loop_internal.hpp"
#include "resident_memory.hpp"

#include <corosh/detail/control.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace corosh::inspect {
namespace {

std::string interest_text(unsigned mask) {
  const bool r = mask & detail::poll_readable, w = mask & detail::poll_writable;
  return r && w ? "readable|writable" : r ? "readable" : w ? "writable" : "";
}

std::string type_text(const std::type_info* type) {
  if (type == nullptr || *type == typeid(void)) return "";
  return demangle(type->name());
}

// What `fd` is, and for a socket where it is connected.
void classify(int fd, int signal_fd, FdView& view) {
  if (fd == signal_fd) {
    view.kind = "signals";
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    view.kind = "closed";
    return;
  }
  if (S_ISSOCK(st.st_mode)) {
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0) listening = 0;
    view.local = detail::address_text(fd, false);
    view.peer = listening ? "" : detail::address_text(fd, true);
    view.kind = listening ? "listener" : view.peer.empty() ? "socket" : "connection";
  } else if (fd == STDIN_FILENO) {
    view.kind = "stdin";
  } else if (::isatty(fd)) {
    view.kind = "terminal";
  } else if (S_ISFIFO(st.st_mode)) {
    view.kind = "pipe";
  } else if (S_ISREG(st.st_mode)) {
    view.kind = "file";
  } else {
    view.kind = "other";
  }
}

}  // namespace

std::vector<FdView> loop_fds(const Loop& loop) {
  const Loop::Impl& L = detail::LoopAccess::of(loop);
  const std::int64_t now = detail::now_ns();
  std::vector<FdView> all;
  for (std::size_t i = 0; i < L.fds.size(); ++i) {
    const detail::FdEntry& e = L.fds[i];
    if (e.registered == 0 && e.waiters.empty() && !e.watch) continue;
    FdView v;
    v.fd = static_cast<int>(i);
    classify(v.fd, L.signal_pipe[0], v);
    v.registered = interest_text(e.registered);
    for (const detail::Waiter* w = e.waiters.front(); w; w = detail::FdWaiters::next(w)) {
      FdWaiter waiter{w->control->id, w->control->name, interest_text(w->interest), -1};
      if (w->timer.queued()) waiter.timeout_in_ns = w->timer.deadline_ns - now;
      v.waiters.push_back(std::move(waiter));
    }
    if (e.watch) {
      v.watch = e.watch->id;
      v.always_ready = e.watch->always_ready;
      v.watch_kind = e.watch->kind;
      v.watch_interest = interest_text(e.watch->interest);
      v.callback = type_text(e.watch->callback_type);
    }
    if (auto it = L.listeners.find(v.fd); it != L.listeners.end()) {
      v.listening = true;
      v.accepted = it->second.accepted;
      v.dropped = it->second.dropped;
    }
    all.push_back(std::move(v));
  }
  return all;
}

std::vector<TimerView> loop_timers(const Loop& loop) {
  const Loop::Impl& L = detail::LoopAccess::of(loop);
  std::vector<const detail::TimerNode*> nodes(L.timers.nodes().begin(), L.timers.nodes().end());
  std::sort(nodes.begin(), nodes.end(), [](const detail::TimerNode* a, const detail::TimerNode* b) {
    return a->deadline_ns != b->deadline_ns ? a->deadline_ns < b->deadline_ns : a->sequence < b->sequence;
  });
  const std::int64_t now = detail::now_ns();
  std::vector<TimerView> all;
  all.reserve(nodes.size());
  for (const detail::TimerNode* node : nodes) {
    TimerView t;
    t.due_in_ns = node->deadline_ns - now;
    if (node->for_waiter) {
      const auto* w = static_cast<const detail::Waiter*>(node->owner);
      t.coroutine = w->control->id;
      t.name = w->control->name;
      t.waiting_for = w->control->wait_reason;
    } else {
      const auto* timer = static_cast<const detail::CallbackTimer*>(node->owner);
      t.timer = timer->id;
      t.repeat_ns = timer->interval.count();
      t.callback = type_text(&timer->callback.target_type());
    }
    all.push_back(std::move(t));
  }
  return all;
}

MemoryView memory(const Loop& loop) {
  const Loop::Impl& L = detail::LoopAccess::of(loop);
  MemoryView m;
  m.stacks = stack_classes();
  const StackStats s = stack_stats();
  m.stacks_mapped = s.mapped;
  m.stacks_guarded = s.guarded;
  m.guard_limit = s.guard_limit;
  for (const StackClass& c : m.stacks) m.control_records += c.live;
  m.control_record_bytes = sizeof(detail::Control);
  // The tables the loop allocates; hash-map nodes are counted by their
  // payload (the bucket arrays add a pointer or so per entry).
  m.loop_bytes = L.fds.capacity() * sizeof(detail::FdEntry) + L.timers.allocated_bytes() +
                 L.callback_timers.size() * sizeof(detail::CallbackTimer) +
                 L.watches.size() * sizeof(detail::WatchRecord) +
                 L.listeners.size() * sizeof(detail::ListenerCounts);
  m.resident_bytes = detail::resident_bytes();
  return m;
}

}  // namespace corosh::inspect
