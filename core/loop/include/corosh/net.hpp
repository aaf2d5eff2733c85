// corosh/net.hpp — TCP sockets that suspend the calling coroutine.
//
// Every call that would block (accept, connect, read, write) parks the
// running coroutine on this thread's corosh::Loop until the socket is ready,
// so a connection handler reads as plain sequential code:
//
//   corosh::Loop loop;
//   corosh::Listener listener = corosh::listen(0);   // 127.0.0.1, a free port
//   std::printf("listening on %s\n", listener.local().to_string().c_str());
//   loop.spawn([&] {
//     for (;;) {
//       corosh::Socket client = listener.accept();
//       char buf[4096];
//       while (std::size_t n = client.read_some(buf, sizeof buf)) client.write_all(buf, n);
//     }
//   });
//   loop.run();
//
// End of stream and a reset are different: read_some() returns 0 at end of
// stream and throws corosh::ConnectionReset when the peer reset the
// connection. Writing to a vanished peer throws ConnectionReset as well;
// SIGPIPE is never raised. Sockets are non-blocking and close-on-exec, and
// closing one goes through the loop (deregister, close, wake waiters).
//
// Running out of descriptors while accepting (EMFILE, ENFILE) does not spin:
// the listener keeps one spare descriptor, frees it to accept and close the
// pending connection (the client sees it closed), and takes it back; accept
// works normally again as soon as descriptors are available.
//
// Host names are resolved with getaddrinfo, which blocks: pass numeric
// addresses ("127.0.0.1", "::1") where the loop must not stall.
#pragma once

#include <corosh/error.hpp>
#include <corosh/loop.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh {

// A numeric address and port.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  // "127.0.0.1:7000" or "[::1]:7000".
  std::string to_string() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A failed socket call; code() is the errno value.
class SocketError : public Error {
 public:
  // Builds an error for `code` whose what() is `message`.
  SocketError(const std::string& message, int code) : Error(message), code_(code) {}
  // The errno value (ECONNREFUSED, EADDRINUSE, ...).
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// The peer reset the connection or is gone (ECONNRESET, EPIPE).
class ConnectionReset : public SocketError {
 public:
  using SocketError::SocketError;
};

// A connected (or listening) socket registered with a loop. Move-only;
// closes itself through the loop when destroyed.
class Socket {
 public:
  Socket() = default;
  // Takes ownership of `fd`, which must be non-blocking.
  Socket(Loop& loop, int fd) noexcept : loop_(&loop), fd_(fd) {}
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  // Closes the socket.
  ~Socket() { close(); }

  // The descriptor, or -1 once closed.
  int fd() const noexcept { return fd_; }
  // True while the socket is open.
  explicit operator bool() const noexcept { return fd_ >= 0; }

  // Reads what is available (waiting until something is): 0 at end of
  // stream. Throws ConnectionReset on a reset, SocketError otherwise.
  std::size_t read_some(void* buffer, std::size_t size);
  // Writes everything, waiting whenever the socket buffer is full. Throws
  // ConnectionReset if the peer is gone, SocketError otherwise.
  void write_all(const void* data, std::size_t size);
  // The same for text.
  void write_all(std::string_view data) { write_all(data.data(), data.size()); }
  // Sends end of stream (FIN) but keeps reading possible.
  void shutdown_write();
  // Closes now (deregisters from the loop first). Safe to call twice.
  void close() noexcept;
  // Gives the descriptor up without closing it.
  int release() noexcept;

  // The local address (getsockname).
  Endpoint local() const;
  // The peer's address (getpeername).
  Endpoint peer() const;

 private:
  Loop* loop_ = nullptr;
  int fd_ = -1;
  // The last read found nothing waiting: the next one waits for readiness
  // first instead of trying (and failing) a recv (see read_some).
  bool wait_before_read_ = false;
};

// A listening socket.
class Listener {
 public:
  Listener() = default;
  Listener(Listener&&) noexcept;
  Listener& operator=(Listener&&) noexcept;
  // Closes the socket and the spare descriptor.
  ~Listener();

  // Waits for the next connection; fills `peer` if given. Throws SocketError
  // if the listener is closed meanwhile.
  Socket accept(Endpoint* peer = nullptr);
  // The address it listens on (with the real port when 0 was asked for).
  const Endpoint& local() const noexcept { return local_; }
  // Connections closed unserved because the process was out of descriptors.
  std::uint64_t dropped() const noexcept { return dropped_; }
  // The listening descriptor, or -1.
  int fd() const noexcept { return socket_.fd(); }
  // Stops listening; a coroutine waiting in accept() gets a SocketError.
  void close() noexcept;

 private:
  friend Listener listen(std::uint16_t port, std::string_view host, int backlog);
  Socket socket_;
  Endpoint local_;
  int spare_fd_ = -1;
  std::uint64_t dropped_ = 0;
};

// Listens on `host`:`port` (port 0: a free one, see Listener::local()),
// with this thread's loop. Throws SocketError (e.g. EADDRINUSE, or EINVAL
// for an empty host: say 0.0.0.0 to listen on every interface).
Listener listen(std::uint16_t port, std::string_view host = "127.0.0.1", int backlog = 1024);
// Connects to `host`:`port`, waiting at most `timeout` if given. Throws
// SocketError (ECONNREFUSED, ETIMEDOUT, ...).
Socket connect(std::string_view host, std::uint16_t port,
               std::optional<Duration> timeout = std::nullopt);

}  // namespace corosh
