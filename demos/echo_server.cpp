// echo_server.cpp — the echo listener (see echo_server.hpp).
//
// Backpressure falls out of the structure: a connection reads into its one
// bounded buffer, then writes all of it back before reading again. While a
// peer does not read, write_all() waits, nothing more is read, the kernel's
// receive buffer fills and TCP flow control stops the peer. Memory per
// connection is buffer_size whatever the peer does.
//
// Each connection's record belongs to the server; the coroutine serving it
// removes it when it ends in any way (end of stream, error, cancellation by
// stop() or the idle timer), which also closes the socket through the loop.
//
// The idle timeout costs one timer per connection and no timer operation
// per byte: traffic only moves the connection's last-active time, and the
// timer, when it fires early, re-arms itself for what is left.
#include "echo_server.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace corosh::demos {

struct EchoServer::State {
  using Clock = std::chrono::steady_clock;
  struct Connection {
    EchoConnection info;
    Socket socket;
    Clock::time_point last_active;
    TimerId idle_timer;
  };
  Loop* loop = nullptr;
  Listener listener;
  std::size_t buffer_size = 0;
  std::size_t max_connections = 0;
  std::optional<Duration> idle_timeout;
  std::size_t guard_reserve = 0;
  std::uint64_t acceptor = 0;
  bool running = false;
  std::uint64_t next_connection = 1;
  std::map<std::uint64_t, Connection> connections;  // by connection id: oldest first
  EchoStats totals;
  // Shows it to `conns` (here and through an attached shell) while it runs.
  std::optional<inspect::ListenerReport> report;

  void serve(std::uint64_t id);
  void accept_loop();
  void arm_idle_timer(std::uint64_t id, Duration after);
  void check_idle(std::uint64_t id);
};

void EchoServer::State::serve(std::uint64_t id) {
  struct Forget {
    State& server;
    std::uint64_t id;
    ~Forget() {
      auto it = server.connections.find(id);
      if (it == server.connections.end()) return;
      if (it->second.idle_timer) server.loop->remove(it->second.idle_timer);
      server.connections.erase(it);  // closes the socket
    }
  } forget{*this, id};
  Connection& c = connections.at(id);
  std::vector<char> buffer(buffer_size);
  try {
    for (;;) {
      c.info.state = "reading";
      const std::size_t n = c.socket.read_some(buffer.data(), buffer.size());
      if (n == 0) break;
      c.last_active = Clock::now();
      c.info.bytes_in += n;
      totals.bytes_in += n;
      c.info.buffered = n;
      totals.buffered += n;
      c.info.state = "writing";
      struct Drain {  // counted out even when the write throws or is cancelled
        State& server;
        Connection& c;
        ~Drain() {
          server.totals.buffered -= c.info.buffered;
          c.info.buffered = 0;
        }
      } drain{*this, c};
      c.socket.write_all(buffer.data(), n);
      c.last_active = Clock::now();
      c.info.bytes_out += n;
      totals.bytes_out += n;
    }
    c.info.state = "closing";
    c.socket.shutdown_write();
  } catch (const ConnectionReset&) {
    ++totals.resets;
  } catch (const SocketError&) {
    ++totals.errors;
  }
}

void EchoServer::State::accept_loop() {
  for (;;) {
    Endpoint peer;
    Socket socket = listener.accept(&peer);
    // Over the limit the connection is accepted and closed here (the socket
    // goes out of scope): the client sees the end of stream at once. Left
    // in the backlog it would wait unanswered, and a full backlog makes
    // the kernel drop handshakes, which clients retry for seconds.
    if (max_connections != 0 && connections.size() >= max_connections) {
      ++totals.over_limit;
      continue;
    }
    const std::uint64_t id = next_connection++;
    Connection& c = connections[id];
    c.info.id = id;
    c.info.peer = std::move(peer);
    c.info.state = "reading";
    c.socket = std::move(socket);
    c.last_active = Clock::now();
    const std::string name = "echo " + std::to_string(listener.local().port) + " conn " + std::to_string(id);
    try {
      c.info.coroutine = loop->spawn({.name = name, .stack_size = 64 * 1024, .guard_reserve = guard_reserve},
                                     [this, id] { serve(id); });
    } catch (const NoGuardedStack&) {
      connections.erase(id);  // refuse this one (never on an unguarded stack), keep accepting
      ++totals.no_guard;
      continue;
    } catch (...) {
      connections.erase(id);  // no stack for it: refuse this one, keep accepting
      ++totals.errors;
      continue;
    }
    ++totals.accepted;
    if (idle_timeout) arm_idle_timer(id, *idle_timeout);
  }
}

void EchoServer::State::arm_idle_timer(std::uint64_t id, Duration after) {
  connections.at(id).idle_timer = loop->add_timer(after, [this, id] { check_idle(id); });
}

void EchoServer::State::check_idle(std::uint64_t id) {
  auto it = connections.find(id);
  if (it == connections.end()) return;
  Connection& c = it->second;
  c.idle_timer = {};  // this one has fired
  const Duration quiet = std::chrono::duration_cast<Duration>(Clock::now() - c.last_active);
  if (quiet < *idle_timeout) {
    arm_idle_timer(id, *idle_timeout - quiet);
    return;
  }
  ++totals.idle_closed;
  loop->cancel(c.info.coroutine);  // unwinds serve(), which forgets the connection
  connections.erase(id);           // (one that never started has no serve() to do it)
}

EchoServer::EchoServer(const EchoOptions& options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.loop = &Loop::current();
  s.buffer_size = options.buffer_size > 0 ? options.buffer_size : 1;
  s.max_connections = options.max_connections;
  if (options.idle_timeout && options.idle_timeout->count() > 0) s.idle_timeout = options.idle_timeout;
  s.guard_reserve = options.guard_reserve;
  s.listener = listen(options.port, options.host);
  s.running = true;
  const std::string name = "echo " + std::to_string(s.listener.local().port) + " accept";
  State* state = state_.get();
  s.acceptor = s.loop->spawn({.name = name, .stack_size = 64 * 1024, .guard_reserve = s.guard_reserve},
                             [state] { state->accept_loop(); });
  s.report.emplace([this] { return view(); });
}

EchoServer::~EchoServer() {
  try {
    stop();
  } catch (...) {
    // stop() only throws when called from one of its own coroutines, which
    // cannot be destroying the server they run on.
  }
}

const Endpoint& EchoServer::local() const noexcept { return state_->listener.local(); }

bool EchoServer::running() const noexcept { return state_->running; }

void EchoServer::stop() {
  State& s = *state_;
  if (!s.running) return;
  s.running = false;
  s.report.reset();
  // A loop destroyed before us already cancelled our coroutines.
  if (Loop::current_or_null() == s.loop) {
    s.loop->cancel(s.acceptor);
    std::vector<std::uint64_t> coroutines;
    for (auto& [id, c] : s.connections) coroutines.push_back(c.info.coroutine);
    for (std::uint64_t co : coroutines) s.loop->cancel(co);  // each unwinds, closing its socket
    for (auto& [id, c] : s.connections)  // those that never started
      if (c.idle_timer) s.loop->remove(c.idle_timer);
  }
  s.connections.clear();
  s.listener.close();
}

std::vector<EchoConnection> EchoServer::connections() const {
  std::vector<EchoConnection> out;
  out.reserve(state_->connections.size());
  for (const auto& [id, c] : state_->connections) out.push_back(c.info);
  return out;
}

inspect::ListenerView EchoServer::view() const {
  const EchoStats s = stats();
  inspect::ListenerView l{local(), "echo", s.accepted, s.active, s.bytes_in, s.bytes_out, s.dropped, s.resets,
                          s.errors, {}};
  l.max_connections = max_connections();
  l.idle_timeout_ns = std::uint64_t(idle_timeout().value_or(Duration{0}).count());
  l.over_limit = s.over_limit;
  l.no_guard = s.no_guard;
  l.idle_closed = s.idle_closed;
  for (const EchoConnection& c : connections())
    l.connections.push_back({c.id, c.peer, std::string(c.state), c.bytes_in, c.bytes_out, c.buffered, c.coroutine});
  return l;
}

std::size_t EchoServer::max_connections() const noexcept { return state_->max_connections; }

std::optional<Duration> EchoServer::idle_timeout() const noexcept { return state_->idle_timeout; }

EchoStats EchoServer::stats() const {
  EchoStats s = state_->totals;
  s.active = state_->connections.size();
  s.dropped = state_->listener.dropped();
  return s;
}

}  // namespace corosh::demos
