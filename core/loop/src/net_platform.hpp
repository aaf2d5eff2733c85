// net_platform.hpp — the socket calls that differ between Linux and macOS,
// in one place (net_platform.cpp), so the rest of net is platform-free.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>

namespace corosh::detail {

// A non-blocking, close-on-exec stream socket that never raises SIGPIPE.
// Returns -1 with errno set on failure.
int open_stream_socket(int family) noexcept;
// accept() with the same three properties for the new socket.
int accept_stream(int listen_fd, sockaddr* address, socklen_t* length) noexcept;
// send() that reports EPIPE instead of raising SIGPIPE.
ssize_t send_stream(int fd, const void* data, std::size_t size) noexcept;

}  // namespace corosh::detail
