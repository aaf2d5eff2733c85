// echo_callback_server: the baseline for the echo benchmark.
//
// The classic hand-written callback server: one thread, one level-triggered
// epoll set, non-blocking sockets, a table of connections indexed by fd. It is
// what corosh's coroutine echo server is measured against: the same work with
// no coroutines, so the ratio between the two is the cost of writing the
// server as straight-line code.
//
//   echo_callback_server [--port P] [--host H]
//
// prints exactly one line, "listening on HOST:PORT", when it accepts
// connections (port 0 picks a free port), and runs until SIGINT or SIGTERM.
//
// Traps handled here, each a classic way for such a server to go wrong:
//  - partial writes: send() may take only part of the data; the rest is kept
//    per connection and sent when EPOLLOUT says there is room. While it waits,
//    the connection is not read: a client that does not read its echoes must
//    not make the server buffer without bound.
//  - EAGAIN: level-triggered, so one read per wakeup is enough; anything left
//    wakes us again, and other connections get their turn in between.
//  - SIGPIPE: send(..., MSG_NOSIGNAL), so a peer that has gone away is an
//    EPIPE on one connection, not the death of the server.
//  - EMFILE: a level-triggered listener with a pending connection it cannot
//    accept would wake forever. A spare descriptor is closed to accept and
//    immediately close that connection, then reopened (the libuv trick).
//  - close order: remove a descriptor from epoll before closing it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: echo_callback_server [--port P] [--host H]\n"
    "  --port P   port to listen on (default 0: pick a free one)\n"
    "  --host H   address to bind (default 127.0.0.1)\n"
    "Prints \"listening on HOST:PORT\" when ready; stops on SIGINT or SIGTERM.\n";

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "echo_callback_server: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "echo_callback_server: %s\n\n%s", msg.c_str(), kUsage);
  std::exit(2);
}

// Bytes read but not yet written back. Empty almost always: on loopback the
// echo is written in full by the send() right after the recv().
struct Connection {
  std::vector<char> pending;
  size_t offset = 0;  // first unsent byte of pending
};

class Server {
 public:
  Server(const std::string& host, const std::string& port);
  void run();

 private:
  void accept_all();
  void on_readable(int fd);
  void on_writable(int fd);
  void flush(int fd, const char* data, size_t size);
  void set_events(int fd, uint32_t events);
  void close_connection(int fd);

  int epfd_ = -1;
  int listen_fd_ = -1;
  int signal_fd_ = -1;
  int spare_fd_ = -1;
  // Indexed by fd: descriptors are small integers, so the lookup is one load.
  std::vector<std::unique_ptr<Connection>> conns_;
  // One read buffer for all connections: data is written back before the next
  // read, so only what a partial write leaves behind needs a per-connection copy.
  std::vector<char> buffer_ = std::vector<char>(64 * 1024);
};

Server::Server(const std::string& host, const std::string& port) {
  // A server for 1,000 connections needs more descriptors than the usual soft
  // limit of 1,024; take what the hard limit allows.
  if (rlimit rl{}; ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    std::fprintf(stderr, "echo_callback_server: cannot resolve %s: %s\n", host.c_str(),
                 ::gai_strerror(rc));
    std::exit(1);
  }
  listen_fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) die("socket");
  const int one = 1;
  // Restarting the benchmark must not fail on the previous run's TIME_WAIT.
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, res->ai_addr, res->ai_addrlen) != 0)
    die(("bind " + host + ":" + port).c_str());
  ::freeaddrinfo(res);
  // SOMAXCONN (4096 on current kernels): 1,000 clients connect at once.
  if (::listen(listen_fd_, SOMAXCONN) != 0) die("listen");

  // Signals arrive as a readable descriptor, so shutdown is just another event
  // and there is no race between checking a flag and blocking in epoll_wait.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) die("signalfd");

  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) die("epoll_create1");
  for (int fd : {listen_fd_, signal_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  }

  // Report the address actually bound: with port 0 the kernel chose the port.
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) die("getsockname");
  char text[INET6_ADDRSTRLEN] = "?";
  unsigned bound_port = 0;
  if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
    bound_port = ntohs(a6->sin6_port);
    std::printf("listening on [%s]:%u\n", text, bound_port);
  } else {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a4->sin_addr, text, sizeof text);
    bound_port = ntohs(a4->sin_port);
    std::printf("listening on %s:%u\n", text, bound_port);
  }
  // The benchmark script waits for this line through a pipe or file: flush it
  // now, not when a full stdio buffer or exit() would.
  std::fflush(stdout);
}

void Server::run() {
  std::vector<epoll_event> events(1024);
  for (;;) {
    const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      const uint32_t ev = events[i].events;
      if (fd == signal_fd_) return;
      if (fd == listen_fd_) {
        accept_all();
        continue;
      }
      // Each descriptor appears at most once per batch, and a connection is
      // only closed while its own event is handled, so conns_[fd] is still
      // the connection this event was reported for. (A connection accepted in
      // this batch can reuse a closed fd number, but has no event in it.)
      if (fd >= static_cast<int>(conns_.size()) || !conns_[fd]) continue;
      // With echoes pending, only write: reading now would send new bytes
      // ahead of older ones. (EPOLLHUP and EPOLLERR come without being asked
      // for; the send or recv that follows reports them.)
      if (!conns_[fd]->pending.empty()) {
        if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) on_writable(fd);
      } else if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        on_readable(fd);
      }
    }
  }
}

void Server::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: refuse one connection explicitly instead of
        // leaving it queued and being woken for it again and again. Note that
        // accept4 fails with EMFILE even when the queue is empty (the kernel
        // reserves the descriptor first), so stop once nothing was waiting.
        ::close(spare_fd_);
        const int victim = ::accept(listen_fd_, nullptr, nullptr);
        if (victim >= 0) ::close(victim);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (victim >= 0) continue;
      }
      return;  // EAGAIN: the accept queue is empty
    }
    // Echo replies are small and must leave at once: no Nagle delay.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd >= static_cast<int>(conns_.size())) conns_.resize(fd + 1);
    conns_[fd] = std::make_unique<Connection>();
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      conns_[fd].reset();
      ::close(fd);
    }
  }
}

void Server::on_readable(int fd) {
  const ssize_t n = ::recv(fd, buffer_.data(), buffer_.size(), 0);
  if (n > 0) {
    flush(fd, buffer_.data(), static_cast<size_t>(n));
  } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close_connection(fd);  // EOF, or reset by the peer
  }
}

void Server::on_writable(int fd) {
  Connection& c = *conns_[fd];
  while (c.offset < c.pending.size()) {
    const ssize_t n =
        ::send(fd, c.pending.data() + c.offset, c.pending.size() - c.offset, MSG_NOSIGNAL);
    if (n > 0) {
      c.offset += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;  // still full: wait for the next EPOLLOUT
    } else if (errno != EINTR) {
      close_connection(fd);
      return;
    }
  }
  c.pending.clear();
  c.offset = 0;
  set_events(fd, EPOLLIN);  // all caught up: read again
}

// Sends data; keeps what the socket would not take and waits for EPOLLOUT.
void Server::flush(int fd, const char* data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      Connection& c = *conns_[fd];
      c.pending.assign(data + sent, data + size);
      c.offset = 0;
      set_events(fd, EPOLLOUT);  // stop reading until the peer catches up
      return;
    } else if (errno != EINTR) {
      close_connection(fd);  // EPIPE or ECONNRESET: the peer is gone
      return;
    }
  }
}

void Server::set_events(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void Server::close_connection(int fd) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  conns_[fd].reset();
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "0";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (arg == "--port" || arg == "--host") {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      value = argv[++i];
    }
    if (arg == "--port") {
      char* end = nullptr;
      const long p = value.empty() || value[0] < '0' || value[0] > '9'
                         ? -1
                         : std::strtol(value.c_str(), &end, 10);
      if (p < 0 || p > 65535 || *end != '\0')
        usage_error("--port: expected 0..65535, got '" + value + "'");
      port = std::to_string(p);
    } else if (arg == "--host") {
      if (value.empty()) usage_error("--host: empty");
      host = value;
    } else {
      usage_error("unknown option '" + std::string(argv[i]) + "'");
    }
  }
  Server server(host, port);
  server.run();
  return 0;
}
