// loop_internal.hpp — the state behind corosh::Loop, shared by loop.cpp (the
// core: waits, timers, dispatch), loop_watch.cpp (callback sources: fd
// watches and readers) and loop_signal.cpp (signals through a self-pipe).
#pragma once

#include <corosh/loop.hpp>

#include "poller.hpp"
#include "timer_heap.hpp"

#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace corosh {

namespace detail {

struct Control;

// A coroutine's wait request. It lives in the waiting coroutine's frame
// (inside Loop::wait), so it costs no allocation; the RAII guard there takes
// it out of every list when the wait ends in any way, cancellation included.
struct Waiter {
  Control* control = nullptr;
  int fd = -1;                 // -1: a sleep
  std::uint64_t token = 0;     // fd | generation << 32 when it started waiting
  unsigned interest = 0;
  Wait result = Wait::ready;
  bool in_fd_list = false, in_ready = false;
  Waiter* fd_prev = nullptr;   // the fd's waiters
  Waiter* fd_next = nullptr;
  Waiter* ready_prev = nullptr;  // woken, to be resumed by the loop
  Waiter* ready_next = nullptr;
  Waiter* all_prev = nullptr;  // every waiter of the loop (for ~Loop)
  Waiter* all_next = nullptr;
  TimerNode timer;
};

struct WatchRecord {
  std::uint64_t id = 0;
  int fd = -1;
  unsigned interest = 0;
  bool always_ready = false;  // the poller refused the fd: call every iteration
  bool internal = false;      // the loop's own (signal pipe): does not keep run() alive
  std::function<void(Interest)> callback;
};

struct CallbackTimer {
  TimerNode node;
  std::uint64_t id = 0;
  Duration interval{0};
  std::function<void()> callback;
};

// What the loop knows about one descriptor number.
struct FdEntry {
  std::uint32_t generation = 1;  // bumped by close_fd: older tokens are stale
  unsigned registered = 0;       // interest the poller currently has
  Waiter* waiters = nullptr;
  std::shared_ptr<WatchRecord> watch;
};

struct SignalHandler {
  int signo = 0;
  std::function<void(int)> callback;
};

}  // namespace detail

struct Loop::Impl {
  detail::Poller* poller = nullptr;
  std::vector<detail::FdEntry> fds;
  std::size_t registered_count = 0;
  detail::TimerHeap timers;
  std::uint64_t next_sequence = 1;
  std::uint64_t next_id = 1;  // timers, watches, signal handlers: one sequence
  std::unordered_map<std::uint64_t, std::unique_ptr<detail::CallbackTimer>> callback_timers;
  std::unordered_map<std::uint64_t, std::shared_ptr<detail::WatchRecord>> watches;
  std::size_t internal_watches = 0;
  std::size_t always_ready_watches = 0;
  std::unordered_map<std::uint64_t, std::unique_ptr<Coroutine>> spawned;
  std::vector<std::uint64_t> starting;  // spawned, not resumed yet
  detail::Waiter* ready_head = nullptr;
  detail::Waiter* ready_tail = nullptr;
  detail::Waiter* all_waiters = nullptr;
  std::size_t waiting = 0;
  std::uint64_t iterations = 0;
  std::uint64_t polls = 0;
  bool stop_requested = false;
  bool dispatching = false;
  Loop::ErrorHandler error_handler;

  // Signals (loop_signal.cpp).
  int signal_pipe[2] = {-1, -1};
  std::uint64_t signal_watch = 0;
  std::unordered_map<std::uint64_t, detail::SignalHandler> signal_handlers;
  std::unordered_map<int, struct sigaction> previous_actions;

  detail::FdEntry& entry(int fd);
  static std::uint64_t token_of(int fd, const detail::FdEntry& e) noexcept {
    return static_cast<std::uint32_t>(fd) | (std::uint64_t(e.generation) << 32);
  }
  // The interest someone still has in `fd`.
  static unsigned wanted(const detail::FdEntry& e) noexcept;
  // Makes the poller watch at least what `fd`'s waiters and watch want.
  // Returns 0 or an errno value (EPERM: the file cannot be polled).
  int widen(int fd);
  void set_registered(int fd, unsigned mask) noexcept;

  void link_fd(detail::Waiter* w);
  void unlink_fd(detail::Waiter* w) noexcept;
  void push_ready(detail::Waiter* w) noexcept;
  void unlink_ready(detail::Waiter* w) noexcept;
  // Wakes `w` (already out of its fd list) with `result` on the next resume pass.
  void wake(detail::Waiter* w, Wait result) noexcept;
  // Takes `w` out of everything: used when a wait ends for whatever reason.
  void withdraw(detail::Waiter* w) noexcept;

  void dispatch(const detail::Fired& fired);
  void run_always_ready();
  void expire_timers();
  void resume_ready();
  void start_spawned();
  // Resumes `c`, reports what escaped it, destroys it if it is ours and dead.
  void resume(detail::Control* c);
  void report(std::uint64_t id, std::string_view name, std::exception_ptr error);
  bool alive() const noexcept;

  // Watches (loop_watch.cpp).
  std::uint64_t add_watch(int fd, unsigned interest, std::function<void(Interest)> callback, bool internal);
  bool remove_watch(std::uint64_t id) noexcept;
  // Signals (loop_signal.cpp).
  void drain_signals();
  void remove_all_signals() noexcept;
};

namespace detail {
// Steady-clock nanoseconds, the loop's only time base.
std::int64_t now_ns() noexcept;
}  // namespace detail

}  // namespace corosh
