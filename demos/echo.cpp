// echo — an echo server on the event loop, one coroutine per connection.
//
// The demo's coroutine is the acceptor: it listens on 127.0.0.1:PORT (0: any
// free port, printed first) and loops on accept(). Each connection gets a
// coroutine of its own, spawned on the loop, that reads and writes back until
// the client closes. Both are straight-line code: accept(), read_some() and
// write_all() look blocking, but each one that would block parks its
// coroutine on the loop (epoll or kqueue) and the loop resumes it when the
// socket is ready. One thread serves every connection; an idle connection
// costs a parked stack, not a thread.
//
// Standalone: `echo 7000`, then `nc 127.0.0.1 7000` in another terminal;
// `echo 0 2` serves two connections and exits. In the shell: `spawn echo 7000`,
// `step` (it binds and parks in accept), `spawn echo_client 7000 hi there`,
// `step`, `list` (who waits for what), `wait 1` (both sides talk), `list`
// again (the acceptor waits for the next client; the client is done).
// The shell's own `listen` command runs corosh::demos::EchoServer
// (echo_server.cpp, beside this file): this same design, plus bounded buffers
// and the statistics `conns` shows.
#include <corosh/spawnable.hpp>

#include <corosh/net.hpp>

#include <memory>
#include <string>

namespace {

void serve(corosh::Socket client, std::string who) {
  char buffer[4096];
  std::size_t total = 0;
  try {
    while (std::size_t n = client.read_some(buffer, sizeof buffer)) {  // parks until data or EOF
      client.write_all(buffer, n);                                     // parks while the buffer is full
      total += n;
    }
    corosh::spawnable::print("echo: " + who + " closed after " + std::to_string(total) + " bytes");
  } catch (const corosh::SocketError& e) {
    corosh::spawnable::print("echo: " + who + " failed after " + std::to_string(total) + " bytes: " + e.what());
  }
}

void accept_loop(corosh::Listener* listener, long connections) {
  corosh::spawnable::print("echo: listening on " + listener->local().to_string());
  for (long n = 1; connections == 0 || n <= connections; ++n) {
    corosh::Endpoint peer;
    corosh::Socket client = listener->accept(&peer);  // parks until a client connects
    std::string who = "connection " + std::to_string(n);
    corosh::spawnable::print("echo: " + who + " from " + peer.host);
    corosh::Loop::current().spawn({.name = "echo_conn_" + std::to_string(n), .stack_size = 64 * 1024}, serve,
                                  std::move(client), who);
  }
  corosh::spawnable::print("echo: served " + std::to_string(connections) + " connections, no longer accepting");
}

const corosh::spawnable::Declaration declaration{{
    .name = "echo",
    .usage = "[PORT] [CONNECTIONS]",
    .description = "an echo server on 127.0.0.1:PORT (0: any free port) for CONNECTIONS clients (0: no limit)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 2);
      auto port = std::uint16_t(corosh::spawnable::count_argument(args, 0, "PORT", 0, 0, 65535));
      long connections = corosh::spawnable::count_argument(args, 1, "CONNECTIONS", 0, 0, 1000000);
      // The listener lives with the task (bound now, so a busy port fails the spawn).
      auto listener = std::make_shared<corosh::Listener>(corosh::listen(port));
      struct Task final : corosh::spawnable::Task {
        std::shared_ptr<corosh::Listener> listener;
        corosh::Coroutine acceptor;
        Task(std::shared_ptr<corosh::Listener> l, corosh::Coroutine c)
            : listener(std::move(l)), acceptor(std::move(c)) {}
        corosh::Coroutine& coroutine() noexcept override { return acceptor; }
        std::optional<std::string> step() override {
          acceptor.resume();
          return std::nullopt;
        }
      };
      return std::make_unique<Task>(
          listener, corosh::Coroutine(corosh::spawnable::options_for(spec), accept_loop, listener.get(), connections));
    }}};

}  // namespace
