// loop_internal.hpp — the state behind corosh::Loop, one concern per file:
//   loop.cpp          the iteration: waits, dispatch of the poller's events
//   loop_owned.cpp    the coroutines the loop owns (spawn, start, bury, cancel)
//   loop_timers.cpp   callback timers and the expiry of every timer
//   loop_watch.cpp    callback sources on fds: watches and readers
//   loop_signal.cpp   signals through a self-pipe
//   inspect_loop.cpp  the tables tools see (fds, timers, memory)
#pragma once

#include <corosh/loop.hpp>
#include <corosh/monitor.hpp>

#include "intrusive_list.hpp"
#include "poller.hpp"
#include "timer_heap.hpp"

#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
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
  int error = 0;               // Wait::error: the errno the poller reported, if any
  ListHook<Waiter> fd_hook;    // its fd's waiters
  ListHook<Waiter> ready_hook; // woken, to be resumed by the loop
  ListHook<Waiter> all_hook;   // every waiter of the loop (for ~Loop)
  TimerNode timer;
};
using FdWaiters = IntrusiveList<Waiter, &Waiter::fd_hook>;
using ReadyQueue = IntrusiveList<Waiter, &Waiter::ready_hook>;
using AllWaiters = IntrusiveList<Waiter, &Waiter::all_hook>;

struct WatchRecord {
  std::uint64_t id = 0;
  int fd = -1;
  unsigned interest = 0;
  bool always_ready = false;  // the poller refused the fd: call every iteration
  bool internal = false;      // the loop's own (signal pipe): does not keep run() alive
  std::function<void(Interest)> callback;
  // For tools: "watch", "reader" or "signals", and the type of the callback
  // the user gave (a reader's on_data), which names where it was written.
  const char* kind = "watch";
  const std::type_info* callback_type = nullptr;
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
  FdWaiters waiters;             // oldest first: woken in the order they came
  std::shared_ptr<WatchRecord> watch;
};

// What a corosh::Listener on this fd has done, for `loop` and `warnings`.
struct ListenerCounts {
  std::uint64_t accepted = 0;
  std::uint64_t dropped = 0;  // closed unserved: out of descriptors
};

struct SignalHandler {
  int signo = 0;
  std::function<void(int)> callback;
};

// The coroutines a loop owns (Loop::spawn): kept until they die, started on
// the loop's next iteration, destroyed ("buried") as soon as they are dead.
class OwnedCoroutines {
 public:
  // Takes `coroutine` over; it starts on the next start_new().
  std::uint64_t adopt(std::unique_ptr<Coroutine> coroutine);
  // First resume of everything adopted since the last call; what escapes
  // one goes to the loop's error reporting.
  void start_new(Loop::Impl& loop);
  // Destroys coroutine `id` if the loop owns it and it is dead.
  void bury_if_dead(std::uint64_t id) noexcept;
  // Cancels (unwinds) and destroys `id`; false if the loop does not own it.
  // Throws (and keeps it) if it is running.
  bool cancel(std::uint64_t id);
  // Destroys them all, each unwound (the loop's destructor).
  void destroy_all() noexcept;
  bool owns(std::uint64_t id) const noexcept { return coroutines_.count(id) != 0; }
  std::size_t size() const noexcept { return coroutines_.size(); }
  bool empty() const noexcept { return coroutines_.empty(); }
  bool starting() const noexcept { return !starting_.empty(); }

 private:
  // Gives `id` up and destroys it (its destructor may unwind, so the map
  // entry goes first: unwinding may spawn or cancel others).
  void destroy(std::uint64_t id) noexcept;
  std::unordered_map<std::uint64_t, std::unique_ptr<Coroutine>> coroutines_;
  std::vector<std::uint64_t> starting_;  // adopted, not resumed yet
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
  std::unordered_map<int, detail::ListenerCounts> listeners;  // by fd, until close_fd
  std::size_t internal_watches = 0;
  std::size_t always_ready_watches = 0;
  detail::OwnedCoroutines owned;
  detail::ReadyQueue ready;
  detail::AllWaiters all_waiters;
  std::uint64_t iterations = 0;
  std::uint64_t polls = 0;
  // Events dispatched, timers fired and coroutines resumed: a monitor tells
  // from it whether the program had work of its own (monitor.cpp).
  std::uint64_t work = 0;
  // Started by COROSH_MONITOR in the environment (monitor.cpp), if at all.
  std::unique_ptr<Monitor> monitor;
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

  // Wakes `w` (already out of its fd list) with `result` on the next resume pass.
  void wake(detail::Waiter* w, Wait result) noexcept;
  // Takes `w` out of everything: used when a wait ends for whatever reason.
  void withdraw(detail::Waiter* w) noexcept;

  void dispatch(const detail::Fired& fired);
  void run_always_ready();
  void resume_ready();
  // Resumes `c`, reports what escaped it, destroys it if it is ours and dead.
  void resume(detail::Control* c);
  void report(std::uint64_t id, std::string_view name, std::exception_ptr error);
  bool alive() const noexcept;

  // Timers (loop_timers.cpp): fires what is due, waiters' timeouts included.
  void expire_timers();
  // Watches (loop_watch.cpp).
  std::uint64_t add_watch(int fd, unsigned interest, std::function<void(Interest)> callback, bool internal,
                          const char* kind = "watch", const std::type_info* callback_type = nullptr);
  bool remove_watch(std::uint64_t id) noexcept;
  // Signals (loop_signal.cpp).
  void drain_signals();
  void remove_all_signals() noexcept;
};

namespace detail {

// A Monitor if COROSH_MONITOR asks for one (1: with driving, inspect:
// inspection only), else null. Never throws: it logs why it cannot.
std::unique_ptr<Monitor> monitor_from_environment(Loop& loop);

// Steady-clock nanoseconds, the loop's only time base.
std::int64_t now_ns() noexcept;

// The state behind a Loop, for the parts of the loop library that are not
// its methods (inspect.cpp, inspect_loop.cpp, the monitor).
struct LoopAccess {
  static Loop::Impl& of(Loop& loop) noexcept { return *loop.impl_; }
  static const Loop::Impl& of(const Loop& loop) noexcept { return *loop.impl_; }
};

// net.cpp tells the loop what its listeners do (see ListenerCounts).
ListenerCounts& listener_counts(Loop& loop, int fd);
// A socket's own (or with `peer`, its peer's) address as text:
// "127.0.0.1:7000", "[::1]:7000", "unix:/path"; "" if it has none.
std::string address_text(int fd, bool peer);
}  // namespace detail

}  // namespace corosh
