// poller_kqueue.cpp — the macOS/BSD backend of the poller seam (see
// poller.hpp); on Linux it builds against libkqueue (COROSH_POLLER=kqueue).
//
// Traps, all handled here so the loop sees epoll-like behaviour:
// - kqueue has one filter per direction, so one fd can come back as two
//   events in the same batch; they are merged into one Fired entry (Redis
//   had to learn the same, PR #9416), otherwise the loop would dispatch the
//   fd twice and the second dispatch could hit a reused descriptor.
// - EV_EOF arrives while unread data may still be buffered: it is reported
//   as plain readability and only a zero-byte read means end of file.
// - kqueue refuses some files (an explicitly opened /dev/tty, /dev/null)
//   with EINVAL; the loop treats such files as always ready.
// - kqueue accepts regular files, but EVFILT_READ on a vnode fires only while
//   the offset is before the end of the file: at EOF it goes silent, so a
//   reader waiting for the zero-byte read that ends the input would wait
//   forever. epoll refuses regular files (EPERM) and the loop then treats
//   them as always ready, which is exact (reading a file never blocks); this
//   backend says EPERM for regular files, directories and block devices too.
// - A change list stops at its first failing change: a failed EV_DELETE
//   (ENOENT, the kernel already dropped the filter when the fd was closed)
//   must not swallow the EV_ADD after it.
#include "poller.hpp"

#include <corosh/error.hpp>

#include <sys/types.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#if defined(__linux__)
// libkqueue (the Linux emulation of kqueue) only. Real kqueue frees
// everything inside close(kq). libkqueue frees a kqueue asynchronously:
// the kqueue fd is the write end of a pipe, and a monitoring thread notices
// the hang-up later and only then closes the epoll fd, eventfds, pipe and
// socketpair behind it (6 descriptors). libkqueue_drain_pending_close()
// (a Linux-only libkqueue entry point, not in its header) waits for that, so
// the descriptors are gone when poller_destroy returns, as on a real kqueue.
// Weak, because older libkqueue versions lack it.
extern "C" __attribute__((weak)) void libkqueue_drain_pending_close(void);

namespace {
// libkqueue also opens two process-wide descriptors (the monitoring
// thread's epoll fd and an eventfd) with the first kqueue() and keeps them
// until the process exits. Open them at load time, before any Loop exists,
// so that creating and destroying a loop leaves the descriptor count as it
// found it (the test runner checks that around every test case).
const bool libkqueue_globals_opened = [] {
  int kq = kqueue();
  if (kq >= 0) {
    ::close(kq);
    if (libkqueue_drain_pending_close != nullptr) libkqueue_drain_pending_close();
  }
  return true;
}();
}  // namespace
#endif

namespace corosh::detail {

// The token travels in udata, a pointer: it must hold all 64 bits (the
// generation lives in the high half).
static_assert(sizeof(void*) >= sizeof(std::uint64_t), "the poller token needs 64-bit udata");

struct Poller {
  int kq;
  // At most one kevent per Fired entry is asked for: read and write of one
  // fd may then arrive as two and merge into one entry, but `capacity`
  // distinct fds never overflow fired[].
  struct kevent events[max_fired];
};

namespace {

// Applies `n` changes. One call when all succeed; if one fails the kernel
// has stopped at it, so the rest are applied one by one. Deleting a filter
// that is already gone (ENOENT: its fd was closed behind the loop's back,
// which drops all its filters) is not an error. If an addition fails, the
// additions that went through are undone, so that a failed poller_set
// leaves no filter the loop does not know about. Returns 0 or an errno.
int apply_changes(int kq, struct kevent* changes, int n) noexcept {
  if (n == 0 || kevent(kq, changes, n, nullptr, 0, nullptr) == 0) return 0;
  int result = 0;
  bool added[2] = {false, false};
  for (int i = 0; i < n; ++i) {
    if (n > 1 && kevent(kq, &changes[i], 1, nullptr, 0, nullptr) == 0) {
      added[i] = (changes[i].flags & EV_ADD) != 0;
      continue;
    }
    if (errno == ENOENT && (changes[i].flags & EV_DELETE)) continue;
    if (result == 0) result = errno;
  }
  if (result != 0) {
    for (int i = 0; i < n; ++i) {
      if (!added[i]) continue;
      struct kevent undo;
      EV_SET(&undo, changes[i].ident, changes[i].filter, EV_DELETE, 0, 0, nullptr);
      kevent(kq, &undo, 1, nullptr, 0, nullptr);
    }
  }
  return result;
}

}  // namespace

Poller* poller_create() {
  int kq = kqueue();
  if (kq < 0) throw Error(std::string("corosh: kqueue failed: ") + std::strerror(errno));
  fcntl(kq, F_SETFD, FD_CLOEXEC);
  return new Poller{kq, {}};
}

void poller_destroy(Poller* poller) noexcept {
  if (poller == nullptr) return;
  ::close(poller->kq);
#if defined(__linux__)
  if (libkqueue_drain_pending_close != nullptr) libkqueue_drain_pending_close();
#endif
  delete poller;
}

int poller_set(Poller* poller, int fd, std::uint64_t token, unsigned old_mask,
               unsigned new_mask) noexcept {
  if (old_mask == 0) {
    // Files whose readiness kqueue reports by file offset (see the top of
    // this file): "not pollable", like epoll. Checked once, on first
    // registration; fifos, sockets, ttys and character devices go on.
    struct stat st;
    if (::fstat(fd, &st) != 0) return errno;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) return EPERM;
  }
  struct kevent changes[2];
  int n = 0;
  // Explicit types: FreeBSD's EV_SET is a braced initializer, where an int
  // fd would be a narrowing conversion (an error with clang in C++).
  const auto ident = static_cast<std::uintptr_t>(fd);
  void* udata = reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
  // Only the difference is sent: filters newly wanted are added, filters
  // no longer wanted are deleted, filters in both masks are left alone
  // (their udata is already this token: the loop changes the token only
  // after removing every filter). On BSD and macOS a repeated EV_ADD would
  // merely modify the filter, but libkqueue (Linux) fails a repeated EV_ADD
  // on a socket's read or write filter unless EV_CLEAR is set (its
  // evfilt_{read,write}_knote_modify return -1 with a stale errno), so
  // re-adding would break "wait readable while registered for writable".
  const unsigned added = new_mask & ~old_mask;
  const unsigned dropped = old_mask & ~new_mask;
  if (added & poll_readable) EV_SET(&changes[n++], ident, EVFILT_READ, EV_ADD, 0, 0, udata);
  if (dropped & poll_readable) EV_SET(&changes[n++], ident, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  if (added & poll_writable) EV_SET(&changes[n++], ident, EVFILT_WRITE, EV_ADD, 0, 0, udata);
  if (dropped & poll_writable) EV_SET(&changes[n++], ident, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  const int error = apply_changes(poller->kq, changes, n);
  // EINVAL: a file kqueue cannot watch (/dev/null, an opened /dev/tty on
  // macOS); ENODEV/EOPNOTSUPP: a device without kqueue support (BSDs). The
  // seam's word for all of them is EPERM.
  if (error == EINVAL || error == ENODEV || error == EOPNOTSUPP) return EPERM;
  return error;
}

void poller_remove(Poller* poller, int fd, unsigned old_mask) noexcept {
  struct kevent changes[2];
  int n = 0;
  const auto ident = static_cast<std::uintptr_t>(fd);
  if (old_mask & poll_readable) EV_SET(&changes[n++], ident, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  if (old_mask & poll_writable) EV_SET(&changes[n++], ident, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  apply_changes(poller->kq, changes, n);
}

int poller_poll(Poller* poller, Fired* fired, int capacity, int timeout_ms) {
  if (capacity > max_fired) capacity = max_fired;
  timespec ts{};
  timespec* wait = nullptr;
  if (timeout_ms >= 0) {
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1000000L;
    wait = &ts;
  }
  int n = kevent(poller->kq, nullptr, 0, poller->events, capacity, wait);
  if (n < 0) {
    if (errno == EINTR) return 0;
    throw Error(std::string("corosh: kevent failed: ") + std::strerror(errno));
  }
  // Bring both filters of one fd next to each other, then merge them.
  std::sort(poller->events, poller->events + n,
            [](const struct kevent& a, const struct kevent& b) { return a.ident < b.ident; });
  int out = 0;
  for (int i = 0; i < n; ++i) {
    const struct kevent& e = poller->events[i];
    unsigned events = 0;
    int error = 0;
    if (e.flags & EV_ERROR) {
      events = poll_error | poll_readable | poll_writable;
      error = static_cast<int>(e.data);
    } else if ((e.flags & EV_EOF) && e.fflags != 0) {
      // A socket error (fflags is so_error: a refused connect, a reset):
      // epoll says EPOLLERR, which makes both directions ready. The errno
      // travels up with the event: the socket may not hold it any more
      // (libkqueue reads SO_ERROR to fill fflags, which clears it).
      events = poll_error | poll_readable | poll_writable;
      error = static_cast<int>(e.fflags);
    } else if (e.filter == EVFILT_READ) {
      // EV_EOF without an error: the peer shut down its side, but data may
      // still be buffered; readable, and the zero-byte read says EOF.
      events = poll_readable;
    } else if (e.filter == EVFILT_WRITE) {
      // EV_EOF on the write filter: the peer is gone; the next write fails
      // and tells the waiter why.
      events = poll_writable;
    }
    const int fd = static_cast<int>(e.ident);
    if (out > 0 && fired[out - 1].fd == fd) {
      fired[out - 1].events |= events;
      if (fired[out - 1].error == 0) fired[out - 1].error = error;
    } else {
      fired[out++] = Fired{fd, static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(e.udata)),
                           events, error};
    }
  }
  return out;
}

const char* poller_name() noexcept { return "kqueue"; }

}  // namespace corosh::detail
