// poller_epoll.cpp — the Linux backend of the poller seam (see poller.hpp).
//
// Level-triggered on purpose: the loop may leave readiness unconsumed (a
// listener out of descriptors, a coroutine that has not run yet) and must be
// told again, where edge-triggered epoll would stay silent forever.
#include "poller.hpp"

#include <corosh/error.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace corosh::detail {

struct Poller {
  int epfd;
  epoll_event events[max_fired];
};

namespace {

std::uint32_t to_epoll(unsigned mask) {
  std::uint32_t e = 0;
  if (mask & poll_readable) e |= EPOLLIN | EPOLLRDHUP;
  if (mask & poll_writable) e |= EPOLLOUT;
  return e;
}

}  // namespace

Poller* poller_create() {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw Error(std::string("corosh: epoll_create1 failed: ") + std::strerror(errno));
  return new Poller{fd, {}};
}

void poller_destroy(Poller* poller) noexcept {
  if (poller == nullptr) return;
  ::close(poller->epfd);
  delete poller;
}

int poller_set(Poller* poller, int fd, std::uint64_t token, unsigned old_mask,
               unsigned new_mask) noexcept {
  epoll_event ev{};
  ev.events = to_epoll(new_mask);
  ev.data.u64 = token;
  int op = old_mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl(poller->epfd, op, fd, &ev) == 0) return 0;
  // The loop's idea of what is registered can be out of date when someone
  // closed an fd behind its back (epoll then forgot it) or reused a number:
  // fall back to the other operation before giving up.
  if (errno == ENOENT && op == EPOLL_CTL_MOD && epoll_ctl(poller->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
    return 0;
  if (errno == EEXIST && op == EPOLL_CTL_ADD && epoll_ctl(poller->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
    return 0;
  return errno;
}

void poller_remove(Poller* poller, int fd, unsigned old_mask) noexcept {
  if (old_mask == 0) return;
  epoll_event ev{};  // ignored, but kernels before 2.6.9 required it
  epoll_ctl(poller->epfd, EPOLL_CTL_DEL, fd, &ev);
}

int poller_poll(Poller* poller, Fired* fired, int capacity, int timeout_ms) {
  if (capacity > max_fired) capacity = max_fired;
  int n = epoll_wait(poller->epfd, poller->events, capacity, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return 0;
    throw Error(std::string("corosh: epoll_wait failed: ") + std::strerror(errno));
  }
  for (int i = 0; i < n; ++i) {
    const epoll_event& e = poller->events[i];
    unsigned events = 0;
    // A hang-up makes both directions "ready": the next read returns 0 or
    // the error, the next write fails, and whoever waits learns which.
    if (e.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) events |= poll_readable;
    if (e.events & (EPOLLOUT | EPOLLHUP)) events |= poll_writable;
    if (e.events & EPOLLERR) events |= poll_error | poll_readable | poll_writable;
    // epoll does not say which error: SO_ERROR still holds it.
    fired[i] = Fired{static_cast<int>(e.data.u64 & 0xffffffffu), e.data.u64, events, 0};
  }
  return n;
}

const char* poller_name() noexcept { return "epoll"; }

}  // namespace corosh::detail
