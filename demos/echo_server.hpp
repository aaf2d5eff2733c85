// demos/echo_server.hpp — an echo listener built from corosh's sockets: the
// server behind the shell's `listen`, the echo demo and the echo benchmarks.
//
// Not part of the runtime: it is one program written on top of it, kept here
// beside its users.
//
//   corosh::Loop loop;
//   corosh::demos::EchoServer server({.port = 7000, .idle_timeout = std::chrono::seconds(30)});
//   loop.run();   // echoes until server.stop()
//
// What a flood of clients can cost is bounded: at most max_connections at
// once (the next ones are accepted and closed at once, so a client learns
// it at once instead of hanging in the backlog), each on a guarded stack
// taken only while guard_reserve guarded stacks stay free for the rest of
// the program (else that connection is closed unserved: a connection never
// runs on an unguarded stack), and, with an idle_timeout, none lingers
// silent for ever.
#pragma once

#include <corosh/inspect.hpp>
#include <corosh/net.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace corosh::demos {

// Connections an echo listener serves at once unless told otherwise: far
// below the guard-page cap (about 15,000 stacks at Linux's default
// vm.max_map_count), and the usual soft limit on descriptors.
inline constexpr std::size_t default_max_connections = 1024;
// Guarded stacks an echo listener leaves free for other coroutines unless
// told otherwise: a quarter of that cap.
inline constexpr std::size_t default_guard_reserve = 4096;

struct EchoOptions {
  std::string_view host = "127.0.0.1";
  std::uint16_t port = 0;            // 0: a free port
  std::size_t buffer_size = 16384;   // per connection: the most it ever holds
  std::size_t max_connections = default_max_connections;  // at once; 0: no limit
  // Closes a connection that receives nothing and finishes no echo for this
  // long; unset: never.
  std::optional<Duration> idle_timeout = std::nullopt;
  std::size_t guard_reserve = default_guard_reserve;  // see Options::guard_reserve
};

// One connection of an echo listener, for the shell's `conns` command.
struct EchoConnection {
  std::uint64_t id = 0;          // per listener, from 1
  std::uint64_t coroutine = 0;   // the coroutine serving it
  Endpoint peer;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::size_t buffered = 0;      // read, not yet written back
  std::string_view state;        // "reading", "writing" or "closing"
};

struct EchoStats {
  std::uint64_t accepted = 0;
  std::size_t active = 0;
  std::uint64_t resets = 0;      // connections that ended with a reset
  std::uint64_t errors = 0;      // ... with another socket error
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::size_t buffered = 0;      // across all connections
  std::uint64_t dropped = 0;     // refused while out of descriptors
  std::uint64_t over_limit = 0;  // closed unserved: max_connections were open
  std::uint64_t no_guard = 0;    // closed unserved: no guarded stack outside the reserve
  std::uint64_t idle_closed = 0; // closed after idle_timeout without traffic
};

// Echoes every byte back, one coroutine per connection plus an acceptor, on
// this thread's loop. Each connection holds at most buffer_size bytes: it
// stops reading while its writes are blocked (a peer that never reads costs
// a bounded amount of memory). At end of stream it finishes echoing, sends
// FIN and closes.
class EchoServer {
 public:
  // Starts listening; throws SocketError if it cannot, NoGuardedStack if
  // its acceptor would eat into the guard reserve.
  explicit EchoServer(const EchoOptions& options = {});
  // Stops it (see stop()).
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  // Where it listens.
  const Endpoint& local() const noexcept;
  // Closes the listener and every connection and ends their coroutines.
  // Call it from outside those coroutines (a callback or another coroutine).
  void stop();
  // False once stopped.
  bool running() const noexcept;
  // Live connections, oldest first.
  std::vector<EchoConnection> connections() const;
  // Totals since it started.
  EchoStats stats() const;
  // The same with its connections, as tools show listeners (`conns`). A
  // running server reports itself through corosh::inspect::listeners().
  inspect::ListenerView view() const;
  // Its connection limit (0: none).
  std::size_t max_connections() const noexcept;
  // Its idle timeout, if it has one.
  std::optional<Duration> idle_timeout() const noexcept;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace corosh::demos
