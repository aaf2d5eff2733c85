// poller.hpp — the seam between the loop and the operating system's readiness
// API, in the style of Redis's ae: a handful of functions, one file per
// backend (poller_epoll.cpp on Linux, poller_kqueue.cpp on macOS and the
// BSDs), chosen at build time. A backend only translates: it never calls user
// code and keeps no waiters; it fills a fired[] array and the loop dispatches.
//
// The contract every backend keeps (tests/loop/test_poller.cpp checks it
// against whichever backend is built):
//  - Level-triggered: an fd that is still ready is reported again by the
//    next poll, however often; readiness the loop left unconsumed is never
//    lost.
//  - One entry per fd per poll, with every direction merged (kqueue delivers
//    read and write as two events: the backend merges them), and at most
//    `capacity` entries; what did not fit comes in the next poll.
//  - Every registration carries a 64-bit token that comes back, whole, with
//    its events. The loop puts a generation number into it, so an event
//    queued for an fd that has since been closed and reused is recognised as
//    stale. The low 32 bits of a token must be the fd itself (epoll hands
//    back only the token, so that is where its backend finds the fd).
//  - An error condition (a refused connect, a reset) is reported as
//    poll_error with both directions ready, and with its errno when the
//    backend learns it with the event (kqueue does, in the event itself;
//    epoll does not: the socket's SO_ERROR still holds it then).
//  - Files that cannot be polled are refused with EPERM, always that errno:
//    the loop then treats them as always ready (reading them never blocks).
//  - poller_remove receives the interest the fd is registered with (the
//    loop's own record, never 0 for a registered fd) and must be called
//    while the fd is still open: epoll tracks the open file, not the number.
#pragma once

#include <cstdint>

namespace corosh::detail {

// Readiness bits, shared by interest masks and fired events.
inline constexpr unsigned poll_readable = 1;
inline constexpr unsigned poll_writable = 2;
inline constexpr unsigned poll_error = 4;  // only ever reported, never asked for

// The most entries one poll fills: the size of the loop's fired[] array and
// of each backend's own event buffer.
inline constexpr int max_fired = 256;

// One fd that became ready.
struct Fired {
  int fd;
  std::uint64_t token;
  unsigned events;
  int error = 0;  // with poll_error: the errno, if the backend knows it (else 0)
};

struct Poller;

// A new poller; throws corosh::Error with the errno text on failure.
Poller* poller_create();
// Closes the poller's own descriptor.
void poller_destroy(Poller* poller) noexcept;
// Changes the interest of `fd` from `old_mask` (0: not registered) to
// `new_mask` (non-zero). Returns 0 or an errno value; EPERM always means
// "this kind of file cannot be polled" (epoll says EPERM for regular files
// and /dev/null, kqueue says EINVAL for /dev/null and an opened /dev/tty).
int poller_set(Poller* poller, int fd, std::uint64_t token, unsigned old_mask, unsigned new_mask) noexcept;
// Drops every interest in `fd` (registered with `old_mask`). Call it before
// the fd is closed: epoll tracks the open file, not the number.
void poller_remove(Poller* poller, int fd, unsigned old_mask) noexcept;
// Waits up to `timeout_ms` (-1: forever, 0: just look) and fills at most
// `capacity` (≤ max_fired) entries of `fired`. Returns how many; 0 on
// timeout or EINTR.
int poller_poll(Poller* poller, Fired* fired, int capacity, int timeout_ms);
// "epoll" or "kqueue".
const char* poller_name() noexcept;

}  // namespace corosh::detail
