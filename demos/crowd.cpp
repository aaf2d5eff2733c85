// crowd — many coroutines, few stacks: what `stacks` and `list`'s filters
// are for.
//
// The demo's coroutine starts N workers (default 30) and leaves them parked
// in three places, a third each:
//   sleep-K  asleep on a loop timer for an hour        (waiting for sleep)
//   read-K   waiting for a pipe nobody writes to       (waiting for fd N readable)
//   idle-K   suspended in a plain yield, resumed by nobody
// A server with thousands of connections looks like this: nearly every
// coroutine waits, in very few distinct places. `list` shows them all, one
// line each; `stacks` shows three groups (and the crowd's own stack);
// `list --name 'read-*'`, `list --waiting` and `list --state suspended` pick
// them out, and `tree` shows the crowd as their parent. The next step
// dismisses them: leaving the scope destroys each worker's handle, which
// unwinds its stack (a waiting worker's wait is withdrawn from the loop first).
//
// In the shell: `spawn crowd 2000`, `step`, `stacks`, `list --name 'idle-*'`,
// `step`.
#include <corosh/loop.hpp>
#include <corosh/spawnable.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

[[gnu::noinline]] void doze() { corosh::Loop::current().sleep(std::chrono::hours(1)); }

[[gnu::noinline]] void await_pipe(int fd) { corosh::Loop::current().wait(fd, corosh::Interest::readable); }

[[gnu::noinline]] void idle() { corosh::yield(); }

// A pipe whose ends the loop forgets before they are closed.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (::pipe(fds) != 0) throw std::runtime_error("crowd: cannot make a pipe");
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    for (int fd : fds) corosh::Loop::current().close_fd(fd);
  }
};

void gather(long n, corosh::Sink<std::string>& out) {
  Pipe pipe;  // declared first: closed after every reader has stopped waiting on it
  {
    std::vector<corosh::Coroutine> crowd;
    crowd.reserve(std::size_t(n));
    for (long k = 0; k < n; ++k) {
      const std::string name = (k % 3 == 0 ? "sleep-" : k % 3 == 1 ? "read-" : "idle-") + std::to_string(k);
      const corosh::Options options{.name = name, .stack_size = 64 * 1024};  // the name is copied here
      if (k % 3 == 0) crowd.emplace_back(options, doze);
      else if (k % 3 == 1) crowd.emplace_back(options, await_pipe, pipe.fds[0]);
      else crowd.emplace_back(options, idle);
      crowd.back().resume();  // runs until it parks, then comes back here
    }
    out(std::to_string(n) + " workers parked: asleep, reading a pipe, or idle");
  }  // each handle destroyed: each worker unwound
  out("dismissed " + std::to_string(n) + " workers");
}

const corosh::spawnable::Declaration declaration{{
    .name = "crowd",
    .usage = "[N]",
    .description = "N workers (default 30) parked in three places: asleep, reading a pipe, idle",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long n = corosh::spawnable::count_argument(args, 0, "N", 30, 1, 20000);
      return std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          nullptr, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), gather, n));
    }}};

}  // namespace
