// demos/echo_server.hpp — an echo listener built from corosh's sockets: the
// server behind the shell's `listen`, the echo demo and the echo benchmarks.
//
// Not part of the runtime: it is one program written on top of it, kept here
// beside its users.
//
//   corosh::Loop loop;
//   corosh::demos::EchoServer server({.port = 7000});
//   loop.run();   // echoes until server.stop()
#pragma once

#include <corosh/inspect.hpp>
#include <corosh/net.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace corosh::demos {

struct EchoOptions {
  std::string_view host = "127.0.0.1";
  std::uint16_t port = 0;            // 0: a free port
  std::size_t buffer_size = 16384;   // per connection: the most it ever holds
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
};

// Echoes every byte back, one coroutine per connection plus an acceptor, on
// this thread's loop. Each connection holds at most buffer_size bytes: it
// stops reading while its writes are blocked (a peer that never reads costs
// a bounded amount of memory). At end of stream it finishes echoing, sends
// FIN and closes.
class EchoServer {
 public:
  // Starts listening; throws SocketError if it cannot.
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

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace corosh::demos
