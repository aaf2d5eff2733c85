// loop.cpp — the event loop's iteration: waits and sleeps, the dispatch of
// the poller's events, and resuming what they woke. (Owned coroutines, timers,
// watches and signals each have their own file: see loop_internal.hpp.)
//
// One iteration (run_once):
//   1. start newly spawned coroutines, resume woken ones (the ready queue);
//   2. poll — for 0 ms if something is already runnable, else until the
//      next timer or the caller's timeout;
//   3. dispatch the fired[] batch: waiters move to the ready queue, watch
//      callbacks run; then always-ready watches and due timers;
//   4. resume the ready queue.
// Coroutines never run in the middle of a batch: dispatch only queues them.
// Watch and timer callbacks do run there and may close and reuse fd numbers,
// which is why events carry a token with the fd's generation and a stale one
// is dropped instead of waking whoever uses that number now.
//
// Interest is dropped lazily: a waiter that is woken leaves the fd
// registered, because the coroutine usually waits on it again right away;
// only an event nobody wants narrows the registration. That saves two
// epoll_ctl calls per read in a busy connection.
#include "loop_internal.hpp"

#include <corosh/error.hpp>

#include <corosh/detail/coroutine_internal.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace corosh {

namespace {
thread_local Loop* this_loop = nullptr;
}  // namespace

std::string_view to_string(Wait result) noexcept {
  switch (result) {
    case Wait::ready: return "ready";
    case Wait::timed_out: return "timed_out";
    case Wait::closed: return "closed";
    case Wait::error: return "error";
  }
  return "?";
}

namespace detail {
std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace detail

using detail::Control;
using detail::FdEntry;
using detail::Waiter;

// --- bookkeeping -------------------------------------------------------------

FdEntry& Loop::Impl::entry(int fd) {
  if (static_cast<std::size_t>(fd) >= fds.size()) fds.resize(static_cast<std::size_t>(fd) + 64);
  return fds[static_cast<std::size_t>(fd)];
}

unsigned Loop::Impl::wanted(const FdEntry& e) noexcept {
  unsigned mask = 0;
  for (const Waiter* w = e.waiters.front(); w; w = detail::FdWaiters::next(w)) mask |= w->interest;
  if (e.watch && !e.watch->always_ready) mask |= e.watch->interest;
  return mask;
}

void Loop::Impl::set_registered(int fd, unsigned mask) noexcept {
  FdEntry& e = fds[static_cast<std::size_t>(fd)];
  if (e.registered == mask) return;
  if (mask == 0) {
    detail::poller_remove(poller, fd, e.registered);
    --registered_count;
  } else {
    if (detail::poller_set(poller, fd, token_of(fd, e), e.registered, mask) != 0) return;
    if (e.registered == 0) ++registered_count;
  }
  e.registered = mask;
}

int Loop::Impl::widen(int fd) {
  FdEntry& e = entry(fd);
  const unsigned want = wanted(e) | e.registered;
  if (want == e.registered) return 0;
  int error = detail::poller_set(poller, fd, token_of(fd, e), e.registered, want);
  if (error != 0) return error;
  if (e.registered == 0) ++registered_count;
  e.registered = want;
  return 0;
}

// Takes `w` out of its fd's waiter list, if it is in one.
static void leave_fd(Loop::Impl& L, Waiter* w) noexcept {
  if (detail::FdWaiters::contains(w)) L.fds[static_cast<std::size_t>(w->fd)].waiters.erase(w);
}

void Loop::Impl::wake(Waiter* w, Wait result) noexcept {
  leave_fd(*this, w);
  timers.remove(&w->timer);
  w->result = result;
  ready.push_back(w);
}

void Loop::Impl::withdraw(Waiter* w) noexcept {
  leave_fd(*this, w);
  ready.erase(w);
  timers.remove(&w->timer);
  all_waiters.erase(w);
}

bool Loop::Impl::alive() const noexcept {
  return !owned.empty() || !all_waiters.empty() || !callback_timers.empty() ||
         watches.size() > internal_watches || !signal_handlers.empty() || !ready.empty();
}

void Loop::Impl::report(std::uint64_t id, std::string_view name, std::exception_ptr error) {
  if (error_handler) {
    error_handler(id, name, error);
    return;
  }
  std::string what = "an exception not derived from std::exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  std::fprintf(stderr, "corosh: coroutine %llu%s%.*s%s ended with an exception: %s\n",
               static_cast<unsigned long long>(id), name.empty() ? "" : " '",
               static_cast<int>(name.size()), name.data(), name.empty() ? "" : "'", what.c_str());
}

void Loop::Impl::resume(Control* c) {
  const std::uint64_t id = c->id;
  try {
    detail::resume_control(c);
  } catch (...) {
    // The coroutine is dead now; its control record is still valid until
    // its owner destroys it.
    report(id, c->name, std::current_exception());
  }
  // Ours and dead: destroy it. Not ours: its owner's handle keeps it.
  if (c->state == State::dead) owned.bury_if_dead(id);
}

void Loop::Impl::resume_ready() {
  while (Waiter* w = ready.pop_front()) {
    // Made ready, then the fd was closed before the coroutine got to run:
    // "ready" would send it to a closed (or reused) descriptor.
    if (w->fd >= 0 && (w->result == Wait::ready || w->result == Wait::error) &&
        token_of(w->fd, fds[static_cast<std::size_t>(w->fd)]) != w->token)
      w->result = Wait::closed;
    ++work;
    resume(w->control);  // `w` lives on that coroutine's stack: do not touch it after
  }
}

// --- dispatch ----------------------------------------------------------------

void Loop::Impl::dispatch(const detail::Fired& fired) {
  const int fd = fired.fd;
  if (fd < 0 || static_cast<std::size_t>(fd) >= fds.size()) return;
  FdEntry* e = &fds[static_cast<std::size_t>(fd)];
  // Stale: the fd was closed (generation bumped) after the kernel queued
  // this event, possibly earlier in this very batch.
  if (e->registered == 0 || fired.token != token_of(fd, *e)) return;
  const unsigned events = fired.events;
  const unsigned directions = events & (detail::poll_readable | detail::poll_writable);
  // Before the waiters below leave: a woken waiter keeps its interest
  // registered (it usually waits again at once).
  const unsigned wanted_before = wanted(*e);
  const Wait result = (events & detail::poll_error) ? Wait::error : Wait::ready;
  for (Waiter* w = e->waiters.front(); w;) {
    Waiter* next = detail::FdWaiters::next(w);
    if (w->interest & events) {
      w->error = fired.error;
      wake(w, result);
    }
    w = next;
  }
  if (e->watch && !e->watch->always_ready && (e->watch->interest & directions)) {
    std::shared_ptr<detail::WatchRecord> watch = e->watch;  // may remove itself
    watch->callback(static_cast<Interest>(watch->interest & directions));
    // The callback may have grown `fds` or closed this fd.
    e = &fds[static_cast<std::size_t>(fd)];
    if (fired.token != token_of(fd, *e)) return;
  }
  // And what the callback may have asked for since (a watch replaced by one
  // with more interest).
  const unsigned unwanted = directions & ~(wanted_before | wanted(*e));
  if (unwanted & e->registered) set_registered(fd, e->registered & ~unwanted);
}

void Loop::Impl::run_always_ready() {
  if (always_ready_watches == 0) return;
  std::vector<std::shared_ptr<detail::WatchRecord>> due;
  for (auto& [id, watch] : watches)
    if (watch->always_ready) due.push_back(watch);
  for (auto& watch : due) {
    if (!watches.count(watch->id)) continue;  // removed by an earlier callback
    watch->callback(static_cast<Interest>(watch->interest));
  }
}

// --- Loop --------------------------------------------------------------------

Loop::Loop() : impl_(std::make_unique<Impl>()) {
  if (this_loop != nullptr) throw Error("corosh: this thread already has a Loop (one per thread)");
  impl_->poller = detail::poller_create();
  this_loop = this;
  impl_->monitor = detail::monitor_from_environment(*this);
}

Loop::~Loop() {
  Impl& L = *impl_;
  // The monitor first: its clients may hold coroutines the loop is about to end.
  L.monitor.reset();
  // Our coroutines first: unwinding them closes their sockets through us.
  L.owned.destroy_all();
  // Then coroutines owned by others that still wait on us: their waits
  // point into this loop, so they cannot outlive it suspended.
  while (Waiter* w = L.all_waiters.front()) {
    Control* c = w->control;
    try {
      detail::cancel_control(c);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "corosh: destroying the loop: %s\n", e.what());
      L.withdraw(w);  // leave it suspended, but never pointing at us
    }
  }
  L.remove_all_signals();
  for (std::size_t fd = 0; fd < L.fds.size(); ++fd)
    if (L.fds[fd].registered) detail::poller_remove(L.poller, static_cast<int>(fd), L.fds[fd].registered);
  detail::poller_destroy(L.poller);
  if (this_loop == this) this_loop = nullptr;
}

Loop& Loop::current() {
  if (this_loop == nullptr) throw Error("corosh: this thread has no Loop (create a corosh::Loop first)");
  return *this_loop;
}

Loop* Loop::current_or_null() noexcept { return this_loop; }

void Loop::run() {
  while (!impl_->stop_requested && run_once()) {
  }
  impl_->stop_requested = false;
}

bool Loop::run_once(std::optional<Duration> timeout) {
  Impl& L = *impl_;
  if (L.dispatching) throw Error("corosh: Loop::run_once() called from inside the loop's own dispatch");
  L.dispatching = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{L.dispatching};
  ++L.iterations;
  L.owned.start_new(L);
  L.resume_ready();

  int timeout_ms = -1;
  if (timeout) {
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    timeout_ms = ms < 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
  }
  if (L.stop_requested || L.owned.starting() || !L.ready.empty() || L.always_ready_watches > 0) {
    timeout_ms = 0;
  } else if (detail::TimerNode* next = L.timers.top()) {
    // Round up: waking a little early would find nothing due and poll again.
    std::int64_t left = next->deadline_ns - detail::now_ns();
    std::int64_t ms = left <= 0 ? 0 : (left + 999999) / 1000000;
    if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = static_cast<int>(ms > 0x7fffffff ? 0x7fffffff : ms);
  } else if (!timeout && !L.alive()) {
    return false;  // nothing could ever wake a poll without timeout
  }

  detail::Fired fired[detail::max_fired];
  const int n = detail::poller_poll(L.poller, fired, detail::max_fired, timeout_ms);
  ++L.polls;
  L.work += static_cast<unsigned>(n);
  for (int i = 0; i < n; ++i) L.dispatch(fired[i]);
  L.run_always_ready();
  L.expire_timers();
  L.resume_ready();
  return L.alive();
}

void Loop::stop() noexcept { impl_->stop_requested = true; }

bool Loop::alive() const noexcept { return impl_->alive(); }

std::uint64_t Loop::adopt(std::unique_ptr<Coroutine> coroutine) {
  detail::handed_to_loop(coroutine->id());
  return impl_->owned.adopt(std::move(coroutine));
}

bool Loop::cancel(std::uint64_t id) { return impl_->owned.cancel(id); }

bool Loop::owns(std::uint64_t id) const noexcept { return impl_->owned.owns(id); }

void Loop::set_error_handler(ErrorHandler handler) { impl_->error_handler = std::move(handler); }

namespace {

// Ends a wait however it ends: woken, timed out, or unwound by cancellation
// (corosh::Unwind thrown from yield()). Without it a cancelled coroutine
// would leave a waiter on its dead stack in the loop's lists.
struct WaitGuard {
  Loop::Impl& loop;
  Waiter& waiter;
  ~WaitGuard() {
    loop.withdraw(&waiter);
    Control* c = waiter.control;
    c->waiting = false;
    c->wait_reason[0] = '\0';
    c->wait_deadline_ns = 0;
  }
};

Control* waiting_coroutine(const char* what) {
  Control* c = detail::current_control();
  if (c == nullptr)
    throw Error(std::string("corosh: Loop::") + what +
                "() called outside a coroutine (spawn one, or use a timer or watch callback)");
  return c;
}

void format_duration(char* out, std::size_t size, const char* prefix, Duration d) {
  const long long ns = d.count();
  if (ns >= 1000000 || ns == 0)
    std::snprintf(out, size, "%s%lld ms", prefix, ns / 1000000);
  else
    std::snprintf(out, size, "%s%lld us", prefix, ns / 1000);
}

// Parks the running coroutine on `w` (already linked where it belongs) until
// the loop wakes it; returns how the wait ended.
Wait park(Loop::Impl& L, Waiter& w, std::optional<Duration> timeout) {
  Control* c = w.control;
  L.all_waiters.push_back(&w);
  c->waiting = true;
  c->wait_deadline_ns = 0;
  WaitGuard guard{L, w};
  if (timeout) {
    const std::int64_t deadline = detail::now_ns() + (timeout->count() > 0 ? timeout->count() : 0);
    w.timer.deadline_ns = deadline;
    w.timer.sequence = L.next_sequence++;
    w.timer.for_waiter = true;
    w.timer.owner = &w;
    L.timers.push(&w.timer);
    c->wait_deadline_ns = deadline;
  }
  corosh::yield();
  return w.result;
}

}  // namespace

Wait Loop::wait(int fd, Interest interest, std::optional<Duration> timeout, int* error) {
  if (error) *error = 0;
  Control* c = waiting_coroutine("wait");
  if (fd < 0) throw Error("corosh: Loop::wait() on a negative fd (" + std::to_string(fd) + ")");
  Impl& L = *impl_;
  Waiter w;
  w.control = c;
  w.fd = fd;
  w.interest = static_cast<unsigned>(interest);
  w.token = Impl::token_of(fd, L.entry(fd));
  L.entry(fd).waiters.push_back(&w);
  if (int refused = L.widen(fd); refused != 0) {
    L.fds[static_cast<std::size_t>(fd)].waiters.erase(&w);
    // Regular files and /dev/null: never "not ready", reading never blocks.
    if (refused == EPERM) return Wait::ready;
    throw Error("corosh: cannot wait on fd " + std::to_string(fd) + ": " + std::strerror(refused));
  }
  const unsigned mask = w.interest;
  std::snprintf(c->wait_reason, sizeof c->wait_reason, "fd %d %s", fd,
                mask == (detail::poll_readable | detail::poll_writable) ? "readable|writable"
                : mask == detail::poll_readable                          ? "readable"
                                                                         : "writable");
  const Wait result = park(L, w, timeout);
  if (error && result == Wait::error) *error = w.error;
  return result;
}

void Loop::sleep(Duration duration) {
  Control* c = waiting_coroutine("sleep");
  Waiter w;
  w.control = c;
  format_duration(c->wait_reason, sizeof c->wait_reason, "sleep ", duration);
  park(*impl_, w, duration);
}

void Loop::close_fd(int fd) noexcept {
  Impl& L = *impl_;
  if (fd >= 0 && static_cast<std::size_t>(fd) < L.fds.size()) {
    FdEntry& e = L.fds[static_cast<std::size_t>(fd)];
    // Deregister while the fd is still open: epoll tracks the open file, so
    // after close() (or with a dup elsewhere) it could never be removed.
    L.set_registered(fd, 0);
    ++e.generation;
    L.listeners.erase(fd);
    if (e.watch) L.remove_watch(e.watch->id);
    FdEntry& again = L.fds[static_cast<std::size_t>(fd)];
    while (Waiter* w = again.waiters.front()) L.wake(w, Wait::closed);
  }
  ::close(fd);
}

detail::ListenerCounts& detail::listener_counts(Loop& loop, int fd) {
  return LoopAccess::of(loop).listeners[fd];
}

LoopStats Loop::stats() const noexcept {
  const Impl& L = *impl_;
  LoopStats s;
  s.backend = detail::poller_name();
  s.registered_fds = L.registered_count;
  s.timers = L.timers.size();
  s.waiting = L.all_waiters.size();
  s.spawned = L.owned.size();
  s.iterations = L.iterations;
  s.polls = L.polls;
  return s;
}

}  // namespace corosh
