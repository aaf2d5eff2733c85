// net_platform.cpp — see net_platform.hpp.
//
// SIGPIPE: Linux has MSG_NOSIGNAL per send(); macOS has no such flag but a
// socket option, SO_NOSIGPIPE, which must be set on every socket, accepted
// ones included (they do not inherit it from the listener). Linux creates
// and accepts sockets non-blocking and close-on-exec in one call (no window
// for a concurrent fork/exec to leak them); macOS needs fcntl afterwards.
#include "net_platform.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace corosh::detail {

#if defined(__linux__)

int open_stream_socket(int family) noexcept {
  return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int accept_stream(int listen_fd, sockaddr* address, socklen_t* length) noexcept {
  return ::accept4(listen_fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t send_stream(int fd, const void* data, std::size_t size) noexcept {
  return ::send(fd, data, size, MSG_NOSIGNAL);
}

#else

namespace {

int prepare(int fd) noexcept {
  if (fd < 0) return fd;
  int one = 1;
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) < 0) {
    int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

}  // namespace

int open_stream_socket(int family) noexcept { return prepare(::socket(family, SOCK_STREAM, 0)); }

int accept_stream(int listen_fd, sockaddr* address, socklen_t* length) noexcept {
  return prepare(::accept(listen_fd, address, length));
}

ssize_t send_stream(int fd, const void* data, std::size_t size) noexcept {
  return ::send(fd, data, size, 0);  // SO_NOSIGPIPE is set on every socket
}

#endif

}  // namespace corosh::detail
