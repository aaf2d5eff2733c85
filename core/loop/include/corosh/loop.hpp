// corosh/loop.hpp — the event loop: coroutines that wait for file descriptors,
// timers and sleeps, plus callback sources (timers, fd watches, readers,
// signals).
//
// One Loop per thread. A coroutine that calls wait() or sleep() registers
// what it waits for and suspends; the loop polls the operating system
// (epoll on Linux, kqueue on macOS/BSD), and resumes it with the outcome, so
// I/O code reads as straight-line calls:
//
//   corosh::Loop loop;
//   loop.spawn({.name = "ticker"}, [&] {
//     for (int i = 0; i < 3; ++i) {
//       loop.sleep(std::chrono::milliseconds(100));
//       std::puts("tick");
//     }
//   });
//   loop.add_timer(std::chrono::seconds(1), [] { std::puts("one second"); });
//   loop.run();   // returns when nothing is left to wait for (or stop())
//
// Coroutines spawned on the loop belong to it: it destroys them when they
// end, and reports an exception that escapes one through the error handler.
// Other coroutines may wait too; their owner must destroy them before the
// loop (destroying the loop cancels whatever still waits on it).
//
// A waiting coroutine shows what it waits for in the registry ("fd 7
// readable", "sleep 500 ms", ...) and cannot be resumed by hand: only the
// loop resumes it. Destroying or cancelling it withdraws its wait.
//
// Close descriptors the loop knows about with close_fd(): it deregisters the
// fd first and wakes its waiters with Wait::closed.
#pragma once

#include <corosh/coroutine.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace corosh {

namespace detail {
struct LoopAccess;
}  // namespace detail

// What to wait for on a file descriptor (combine with |).
enum class Interest : unsigned { readable = 1, writable = 2 };
// Both directions.
constexpr Interest operator|(Interest a, Interest b) noexcept {
  return static_cast<Interest>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
// True when `a` and `b` share a direction.
constexpr bool operator&(Interest a, Interest b) noexcept {
  return (static_cast<unsigned>(a) & static_cast<unsigned>(b)) != 0;
}

// How a wait ended.
enum class Wait : std::uint8_t {
  ready,      // the fd is ready (or has a pending error the next call reports)
  timed_out,  // the timeout passed first
  closed,     // close_fd() closed the fd while it was waited on
  error,      // the poller reported an error condition on the fd
};
// "ready", "timed_out", "closed" or "error".
std::string_view to_string(Wait result) noexcept;

using Duration = std::chrono::nanoseconds;

// The handle of a callback source, returned by add_* and taken by remove().
// Each kind of source has its own type, so a timer's id cannot be passed
// where a watch's is expected. A default-constructed id names nothing.
template <class Kind>
class SourceId {
 public:
  constexpr SourceId() noexcept = default;
  constexpr explicit SourceId(std::uint64_t value) noexcept : value_(value) {}
  // The number behind the id (unique per loop across all kinds).
  constexpr std::uint64_t value() const noexcept { return value_; }
  // True unless default-constructed.
  constexpr explicit operator bool() const noexcept { return value_ != 0; }
  // Ids compare by value.
  friend constexpr bool operator==(SourceId, SourceId) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};
using TimerId = SourceId<struct TimerKind>;
using WatchId = SourceId<struct WatchKind>;
using SignalId = SourceId<struct SignalKind>;

namespace detail {
struct LoopAccess;  // loop_internal.hpp: how the loop's own files and inspect.cpp reach Impl
}  // namespace detail

// What the loop is doing, for the shell's `loop` command.
struct LoopStats {
  std::string_view backend;        // "epoll" or "kqueue"
  std::size_t registered_fds = 0;  // fds known to the poller
  std::size_t timers = 0;          // queued timers (callbacks and timeouts)
  std::size_t waiting = 0;         // coroutines waiting on this loop
  std::size_t spawned = 0;         // live coroutines owned by the loop
  std::uint64_t iterations = 0;    // run_once() calls
  std::uint64_t polls = 0;         // calls into the poller
};

class Loop {
 public:
  // Called with the id and name of a loop-owned coroutine that an exception
  // escaped, and the exception. The default prints one line to stderr.
  using ErrorHandler =
      std::function<void(std::uint64_t id, std::string_view name, std::exception_ptr error)>;

  // Creates this thread's loop; throws corosh::Error if it already has one.
  Loop();
  // Cancels the loop's coroutines and anything still waiting on it.
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // This thread's loop; throws corosh::Error if there is none.
  static Loop& current();
  // This thread's loop, or null.
  static Loop* current_or_null() noexcept;

  // --- running ---------------------------------------------------------------

  // Runs until stop() or until nothing is left (no coroutines, waits, timers,
  // watches or signal handlers).
  void run();
  // One iteration: runs what is ready, polls for at most `timeout` (default:
  // until the next event), dispatches. Returns false if nothing is left.
  bool run_once(std::optional<Duration> timeout = std::nullopt);
  // Makes run() return after the current iteration. Safe from any callback.
  void stop() noexcept;
  // True if anything would keep run() going.
  bool alive() const noexcept;

  // --- coroutines --------------------------------------------------------------

  // Starts f(args...) as a coroutine owned by the loop, first resumed on the
  // next iteration. Returns its id (see corosh::find_coroutine).
  template <class F, class... Args>
  std::uint64_t spawn(const Options& options, F&& f, Args&&... args) {
    return adopt(std::make_unique<Coroutine>(options, std::forward<F>(f), std::forward<Args>(args)...));
  }
  // The same with default options.
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  std::uint64_t spawn(F&& f, Args&&... args) {
    return adopt(std::make_unique<Coroutine>(std::forward<F>(f), std::forward<Args>(args)...));
  }
  // Cancels a loop-owned coroutine (unwinding its stack) and destroys it.
  // Returns false if there is no such coroutine; throws if it is running.
  bool cancel(std::uint64_t id);
  // True if coroutine `id` was spawned on this loop and is still alive.
  bool owns(std::uint64_t id) const noexcept;
  // Replaces the handler for exceptions escaping loop-owned coroutines.
  void set_error_handler(ErrorHandler handler);

  // --- waiting (inside a coroutine) --------------------------------------------

  // Suspends the running coroutine until `fd` is ready for `interest`, the
  // timeout passes, or the fd is closed with close_fd(). Files that cannot be
  // polled (regular files, /dev/null) are always ready. With Wait::error,
  // `*error` (if given) gets the errno that came with the event when the
  // operating system said which (kqueue does; with epoll it is 0 and the
  // socket's SO_ERROR holds it), else 0.
  Wait wait(int fd, Interest interest, std::optional<Duration> timeout = std::nullopt, int* error = nullptr);
  // Suspends the running coroutine for `duration`.
  void sleep(Duration duration);

  // --- callbacks ---------------------------------------------------------------

  // Each add_* starts a source and returns its id; remove(id) stops it.

  // Calls `callback` once after `delay` (then every `interval` if non-zero).
  // Timers due at the same time fire in the order they were added.
  TimerId add_timer(Duration delay, std::function<void()> callback, Duration interval = Duration{0});
  // Stops a timer; false if it already fired (one-shot) or never existed.
  bool remove(TimerId id) noexcept;

  // Calls `callback(fired)` whenever `fd` is ready for `interest` (level-
  // triggered: again and again while it stays ready). One watch per fd.
  WatchId add_watch(int fd, Interest interest, std::function<void(Interest fired)> callback);
  // Reads whatever arrives on `fd` as it arrives and hands it over in chunks:
  // on_data per chunk, on_end once at end of input (or when the fd becomes
  // unreadable), after which the source is gone. Works for terminals, pipes,
  // sockets, regular files and /dev/null; never sets O_NONBLOCK on the fd
  // (it may be shared, like stdin) and never closes it.
  WatchId add_reader(int fd, std::function<void(std::string_view chunk)> on_data,
                     std::function<void()> on_end);
  // Stops a watch or a reader; false if there is none with that id.
  bool remove(WatchId id) noexcept;

  // Calls `callback(signo)` from the loop (not from the signal handler) when
  // `signo` arrives, e.g. SIGINT or SIGTERM. One loop per signal per process.
  SignalId add_signal(int signo, std::function<void(int signo)> callback);
  // Stops a signal callback; the previous disposition comes back with the last.
  bool remove(SignalId id) noexcept;

  // --- descriptors -------------------------------------------------------------

  // Deregisters `fd`, closes it and wakes its waiters with Wait::closed.
  void close_fd(int fd) noexcept;

  // Counters and sizes (see LoopStats).
  LoopStats stats() const noexcept;

  struct Impl;

 private:
  friend struct detail::LoopAccess;
  std::uint64_t adopt(std::unique_ptr<Coroutine> coroutine);
  std::unique_ptr<Impl> impl_;
};

}  // namespace corosh
