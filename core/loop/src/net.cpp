// net.cpp — sockets that suspend the calling coroutine (see net.hpp).
//
// Every call tries the system call first and waits only on EAGAIN: most
// reads and writes on a busy connection complete at once, and the loop keeps
// the fd registered between waits (see loop.cpp), so the common path is one
// system call.
#include <corosh/net.hpp>

#include "loop_internal.hpp"
#include "net_platform.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace corosh {

namespace {

std::string errno_text(int code) { return std::strerror(code); }

Endpoint endpoint_of(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  Endpoint e;
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    e.port = ntohs(in.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    e.port = ntohs(in6.sin6_port);
  }
  e.host = text;
  return e;
}

// One address for host:port (the first getaddrinfo returns).
sockaddr_storage resolve(std::string_view host, std::uint16_t port, bool passive, socklen_t* length) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* list = nullptr;
  const std::string h(host);
  const std::string p = std::to_string(port);
  if (int rc = getaddrinfo(h.empty() ? nullptr : h.c_str(), p.c_str(), &hints, &list); rc != 0)
    throw SocketError("corosh: cannot resolve '" + h + "': " + gai_strerror(rc), EINVAL);
  sockaddr_storage address{};
  std::memcpy(&address, list->ai_addr, list->ai_addrlen);
  *length = list->ai_addrlen;
  freeaddrinfo(list);
  return address;
}

[[noreturn]] void fail(const std::string& what, int code) {
  const std::string message = "corosh: " + what + ": " + errno_text(code);
  if (code == ECONNRESET || code == EPIPE) throw ConnectionReset(message, code);
  throw SocketError(message, code);
}

// Waits for `fd`; turns "closed while waiting" into an error the caller can
// tell apart from readiness. Returns the errno the poller reported with an
// error condition (0 if none, or if it did not say: then the next system
// call, or SO_ERROR, reports it). kqueue hands the error over in the event,
// and the socket need not hold it any more: libkqueue reads SO_ERROR to fill
// the event, which clears it.
int await(Loop& loop, int fd, Interest interest, const char* what, std::optional<Duration> timeout = std::nullopt) {
  int error = 0;
  switch (loop.wait(fd, interest, timeout, &error)) {
    case Wait::ready: return 0;
    case Wait::error: return error;
    case Wait::timed_out: fail(std::string(what) + " timed out", ETIMEDOUT);
    case Wait::closed: fail(std::string(what) + ": the socket was closed while waiting", EBADF);
  }
  return 0;
}

Loop& loop_of(Loop* loop) {
  if (loop == nullptr) throw SocketError("corosh: operation on a closed socket", EBADF);
  return *loop;
}

}  // namespace

std::string detail::address_text(int fd, bool peer) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  auto* a = reinterpret_cast<sockaddr*>(&address);
  if ((peer ? ::getpeername(fd, a, &length) : ::getsockname(fd, a, &length)) != 0) return "";
  if (address.ss_family == AF_UNIX) {
    const auto& un = reinterpret_cast<const sockaddr_un&>(address);
    const std::size_t offset = offsetof(sockaddr_un, sun_path);
    std::string path = length > offset ? std::string(un.sun_path, strnlen(un.sun_path, length - offset)) : "";
    return "unix:" + (path.empty() ? std::string("(unnamed)") : path);
  }
  if (address.ss_family != AF_INET && address.ss_family != AF_INET6) return "";
  return endpoint_of(address).to_string();
}

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// --- Socket ------------------------------------------------------------------

Socket::Socket(Socket&& other) noexcept
    : loop_(other.loop_), fd_(other.fd_), wait_before_read_(other.wait_before_read_) {
  other.fd_ = -1;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    loop_ = other.loop_;
    fd_ = other.fd_;
    wait_before_read_ = other.wait_before_read_;
    other.fd_ = -1;
  }
  return *this;
}

void Socket::close() noexcept {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  // The loop may be gone already (a socket outliving it): then nothing is
  // registered any more and a plain close is right.
  if (loop_ != nullptr && Loop::current_or_null() == loop_)
    loop_->close_fd(fd);
  else
    ::close(fd);
}

int Socket::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

// Request/response peers (an echo client, most protocols) send nothing until
// they got an answer, so a recv right after answering nearly always fails
// with EAGAIN: a wasted system call per message. Once a read found nothing,
// the next waits for readiness first (free while the fd stays registered);
// a read that fills the whole buffer suggests more is queued, and the one
// after it tries straight away again.
std::size_t Socket::read_some(void* buffer, std::size_t size) {
  if (fd_ < 0) fail("read on a closed socket", EBADF);
  for (;;) {
    int reported = 0;
    if (wait_before_read_) {
      reported = await(loop_of(loop_), fd_, Interest::readable, "read");
      if (fd_ < 0) fail("read: the socket was closed while waiting", EBADF);
    }
    ssize_t n = ::recv(fd_, buffer, size, 0);
    // A reset the poller reported, where the socket no longer says so: a
    // zero-byte read then is not the peer's end of stream.
    if (n == 0 && reported != 0) fail("read from fd " + std::to_string(fd_), reported);
    if (n >= 0) {
      wait_before_read_ = static_cast<std::size_t>(n) < size;
      return static_cast<std::size_t>(n);
    }
    const int code = errno;
    if (code == EINTR) continue;
    if (code == EAGAIN || code == EWOULDBLOCK) {
      wait_before_read_ = true;
      continue;
    }
    fail("read from fd " + std::to_string(fd_), code);
  }
}

void Socket::write_all(const void* data, std::size_t size) {
  if (fd_ < 0) fail("write on a closed socket", EBADF);
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = detail::send_stream(fd_, p, size);
    if (n >= 0) {
      p += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    const int code = errno;
    if (code == EINTR) continue;
    if (code == EAGAIN || code == EWOULDBLOCK) {
      const int reported = await(loop_of(loop_), fd_, Interest::writable, "write");
      if (fd_ < 0) fail("write: the socket was closed while waiting", EBADF);
      if (reported != 0) fail("write to fd " + std::to_string(fd_), reported);
      continue;
    }
    fail("write to fd " + std::to_string(fd_), code);
  }
}

void Socket::shutdown_write() {
  if (fd_ < 0) fail("shutdown on a closed socket", EBADF);
  // ENOTCONN: the peer already reset or closed the connection; there is
  // nothing left to end.
  if (::shutdown(fd_, SHUT_WR) != 0 && errno != ENOTCONN) fail("shutdown fd " + std::to_string(fd_), errno);
}

Endpoint Socket::local() const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    fail("getsockname", errno);
  return endpoint_of(address);
}

Endpoint Socket::peer() const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    fail("getpeername", errno);
  return endpoint_of(address);
}

// --- Listener ----------------------------------------------------------------

Listener::Listener(Listener&& other) noexcept
    : socket_(std::move(other.socket_)),
      local_(std::move(other.local_)),
      spare_fd_(other.spare_fd_),
      dropped_(other.dropped_) {
  other.spare_fd_ = -1;
}

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    close();
    socket_ = std::move(other.socket_);
    local_ = std::move(other.local_);
    spare_fd_ = other.spare_fd_;
    dropped_ = other.dropped_;
    other.spare_fd_ = -1;
  }
  return *this;
}

Listener::~Listener() { close(); }

void Listener::close() noexcept {
  socket_.close();
  if (spare_fd_ >= 0) ::close(spare_fd_);
  spare_fd_ = -1;
}

Listener listen(std::uint16_t port, std::string_view host, int backlog) {
  // The resolver takes an empty host to mean every interface: never by
  // accident.
  if (host.empty())
    throw SocketError("corosh: listen() needs a host: 127.0.0.1 for this machine only, 0.0.0.0 for every interface",
                      EINVAL);
  Loop& loop = Loop::current();
  socklen_t length = 0;
  sockaddr_storage address = resolve(host, port, true, &length);
  const std::string where = std::string(host) + ":" + std::to_string(port);
  Listener listener;
  int fd = detail::open_stream_socket(address.ss_family);
  if (fd < 0) fail("socket for " + where, errno);
  listener.socket_ = Socket(loop, fd);
  int one = 1;
  // Restarting a server must not wait out TIME_WAIT of its old connections.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) fail("bind " + where, errno);
  if (::listen(fd, backlog) != 0) fail("listen on " + where, errno);
  listener.local_ = listener.socket_.local();
  detail::listener_counts(loop, fd);  // the loop's table now calls it a listener
  // The spare descriptor for running out of them in accept (see accept()).
  listener.spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return listener;
}

Socket Listener::accept(Endpoint* peer) {
  Loop& loop = Loop::current();
  auto backoff = std::chrono::milliseconds(10);
  for (;;) {
    if (!socket_) fail("accept on a closed listener", EBADF);
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = detail::accept_stream(socket_.fd(), reinterpret_cast<sockaddr*>(&address), &length);
    if (fd >= 0) {
      if (peer) *peer = endpoint_of(address);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++detail::listener_counts(loop, socket_.fd()).accepted;
      return Socket(loop, fd);
    }
    const int code = errno;
    switch (code) {
      case EAGAIN:
#if EWOULDBLOCK != EAGAIN
      case EWOULDBLOCK:
#endif
        await(loop, socket_.fd(), Interest::readable, "accept");
        continue;
      case EINTR:
      case ECONNABORTED:  // the client gave up before we got to it
      case EPROTO:
        continue;
      case EMFILE:
      case ENFILE:
        // Out of descriptors. The pending connection stays queued and the
        // listener stays readable, so waiting again would return at once,
        // forever: a busy spin. Free the spare, take the connection and
        // close it (the client sees it closed), then take the spare back.
        if (spare_fd_ >= 0) {
          ::close(spare_fd_);
          spare_fd_ = -1;
          int victim = ::accept(socket_.fd(), nullptr, nullptr);
          const int victim_error = errno;
          if (victim >= 0) {
            ::close(victim);
            ++dropped_;
            ++detail::listener_counts(loop, socket_.fd()).dropped;
          }
          spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          // Linux reserves the descriptor before it looks at the queue, so
          // EMFILE comes back even when nobody is waiting to connect: then
          // wait for a connection like any other time.
          if (victim < 0 && (victim_error == EAGAIN || victim_error == EWOULDBLOCK))
            await(loop, socket_.fd(), Interest::readable, "accept");
          continue;
        }
        // Someone else took the spare's slot: back off on a timer instead,
        // and try to get the spare back each time.
        loop.sleep(backoff);
        if (backoff < std::chrono::seconds(1)) backoff *= 2;
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      default: fail("accept on " + local_.to_string(), code);
    }
  }
}

Socket connect(std::string_view host, std::uint16_t port, std::optional<Duration> timeout) {
  Loop& loop = Loop::current();
  socklen_t length = 0;
  sockaddr_storage address = resolve(host, port, false, &length);
  const std::string where = std::string(host) + ":" + std::to_string(port);
  int fd = detail::open_stream_socket(address.ss_family);
  if (fd < 0) fail("socket for " + where, errno);
  Socket socket(loop, fd);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) fail("connect to " + where, errno);
    const int reported = await(loop, fd, Interest::writable, ("connect to " + where).c_str(), timeout);
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    if (error == 0) error = reported;
    if (error != 0) fail("connect to " + where, error);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return socket;
}

}  // namespace corosh
