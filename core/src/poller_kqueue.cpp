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
#include "poller.hpp"

#include <corosh/error.hpp>

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace corosh::detail {

struct Poller {
  int kq;
  struct kevent events[512];  // two filters per fd: twice the fired capacity
};

Poller* poller_create() {
  int kq = kqueue();
  if (kq < 0) throw Error(std::string("corosh: kqueue failed: ") + std::strerror(errno));
  fcntl(kq, F_SETFD, FD_CLOEXEC);
  return new Poller{kq, {}};
}

void poller_destroy(Poller* poller) noexcept {
  if (poller == nullptr) return;
  ::close(poller->kq);
  delete poller;
}

int poller_set(Poller* poller, int fd, std::uint64_t token, unsigned old_mask,
               unsigned new_mask) noexcept {
  struct kevent changes[2];
  int n = 0;
  void* udata = reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
  // EV_ADD on an existing filter modifies it (and refreshes udata), so
  // adding is always safe; only filters that are no longer wanted go.
  if (new_mask & poll_readable)
    EV_SET(&changes[n++], fd, EVFILT_READ, EV_ADD | EV_ENABLE, 0, 0, udata);
  else if (old_mask & poll_readable)
    EV_SET(&changes[n++], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  if (new_mask & poll_writable)
    EV_SET(&changes[n++], fd, EVFILT_WRITE, EV_ADD | EV_ENABLE, 0, 0, udata);
  else if (old_mask & poll_writable)
    EV_SET(&changes[n++], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  if (kevent(poller->kq, changes, n, nullptr, 0, nullptr) < 0) {
    int error = errno;
    // ENOENT: deleting a filter the kernel already dropped (the fd was
    // closed behind the loop's back); the additions went through.
    if (error == ENOENT) return 0;
    return error == EINVAL ? EPERM : error;
  }
  return 0;
}

void poller_remove(Poller* poller, int fd, unsigned old_mask) noexcept {
  struct kevent changes[2];
  int n = 0;
  if (old_mask & poll_readable) EV_SET(&changes[n++], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  if (old_mask & poll_writable) EV_SET(&changes[n++], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  // One call per filter: if the first delete fails (ENOENT), kevent stops
  // processing the change list and the second would be left behind.
  for (int i = 0; i < n; ++i) kevent(poller->kq, &changes[i], 1, nullptr, 0, nullptr);
}

int poller_poll(Poller* poller, Fired* fired, int capacity, int timeout_ms) {
  if (capacity > 256) capacity = 256;
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
    if (e.flags & EV_ERROR) {
      events = poll_error | poll_readable | poll_writable;
    } else if (e.filter == EVFILT_READ) {
      events = poll_readable;
    } else if (e.filter == EVFILT_WRITE) {
      // EV_EOF on the write filter: the peer is gone; the next write fails
      // and tells the waiter why.
      events = poll_writable;
    }
    const int fd = static_cast<int>(e.ident);
    if (out > 0 && fired[out - 1].fd == fd) {
      fired[out - 1].events |= events;
    } else {
      fired[out++] = Fired{fd, static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(e.udata)),
                           events};
    }
  }
  return out;
}

const char* poller_name() noexcept { return "kqueue"; }

}  // namespace corosh::detail
