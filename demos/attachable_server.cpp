// attachable_server — a small real server to attach corosh to.
//
// Nothing in it knows about corosh's shell: started with COROSH_MONITOR=1 in
// its environment, its Loop serves a monitor socket, and `corosh --attach
// PID` sees inside it — an echo listener and its connections, a worker
// sleeping on a timer, one waiting on a pipe, one parked deep in a
// recursion, and a generator the program itself pulls from a timer (the
// loop does not drive that one, so it cannot be held from the shell).
//
//   COROSH_MONITOR=1 attachable_server [PORT] &
//   corosh --attach $!          # then: list, stack recursive, loop, conns, ...
//
// It prints one line when it is ready ("attachable_server: pid N, echo on
// 127.0.0.1:PORT") and serves until SIGINT or SIGTERM.
#include "echo_server.hpp"

#include <corosh/generator.hpp>
#include <corosh/loop.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace {

using namespace std::chrono_literals;

// Wakes every 200 ms, counting.
void ticker(corosh::Loop& loop, long* ticks) {
  for (;;) {
    loop.sleep(200ms);
    ++*ticks;
  }
}

// Waits for bytes on a pipe that nobody writes to: parked on an fd.
void pipe_reader(corosh::Loop& loop, int fd) {
  char byte;
  while (loop.wait(fd, corosh::Interest::readable) == corosh::Wait::ready && ::read(fd, &byte, 1) == 1) {
  }
}

// Recurses `depth` levels, then sleeps at the bottom until the server
// stops: `stack recursive` shows one frame per level, each with its line.
void descend(corosh::Loop& loop, int depth, const bool* stopping) {
  if (depth > 0) {
    descend(loop, depth - 1, stopping);
    return;
  }
  while (!*stopping) loop.sleep(1h);
}

// Hands out 1, 2, 3, ... to whoever asks: the program's own timer.
void numbers(corosh::Sink<long>& out) {
  for (long n = 1;; ++n) out(n);
}

}  // namespace

int main(int argc, char** argv) {
  const long port = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 0;
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "usage: attachable_server [PORT]\n");
    return 2;
  }
  corosh::Loop loop;  // with COROSH_MONITOR=1 the monitor starts here
  corosh::demos::EchoServer echo({.port = static_cast<std::uint16_t>(port)});
  long ticks = 0;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return 1;
  loop.spawn({.name = "ticker", .stack_size = 64 * 1024}, ticker, std::ref(loop), &ticks);
  loop.spawn({.name = "pipe_reader", .stack_size = 64 * 1024}, pipe_reader, std::ref(loop), pipe_fds[0]);
  bool stopping = false;
  loop.spawn({.name = "recursive", .stack_size = 64 * 1024}, descend, std::ref(loop), 5, &stopping);
  corosh::Generator<long> counter({.name = "numbers", .stack_size = 64 * 1024}, numbers);
  long pulled = counter.next().value_or(0);  // started: suspended from now on
  loop.add_timer(100ms, [&] { pulled = counter.next().value_or(0); }, 100ms);

  auto quit = [&](int) {
    stopping = true;
    echo.stop();
    loop.stop();
  };
  loop.add_signal(SIGINT, quit);
  loop.add_signal(SIGTERM, quit);
  std::printf("attachable_server: pid %d, echo on %s\n", static_cast<int>(::getpid()), echo.local().to_string().c_str());
  std::fflush(stdout);
  loop.run();
  std::printf("attachable_server: %ld ticks, pulled %ld numbers\n", ticks, pulled);
  loop.close_fd(pipe_fds[0]);
  ::close(pipe_fds[1]);
  return 0;
}
