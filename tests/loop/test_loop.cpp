// test_loop.cpp — the event loop: timers, sleeps, waits on descriptors,
// closing and reusing descriptors, spawned coroutines, signals, and the
// input source on every kind of stdin.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/loop.hpp>
#include <corosh/registry.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <type_traits>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corosh::Interest;
using corosh::Loop;
using corosh::Wait;

namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    r = fds[0];
    w = fds[1];
    fcntl(r, F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
  }
};

std::string wait_reason_of(std::uint64_t id) {
  auto info = corosh::find_coroutine(id);
  return info ? info->wait_reason : std::string("<gone>");
}

}  // namespace

TEST_CASE("timers fire in deadline order, ties in start order", "[loop]") {
  Loop loop;
  std::vector<int> order;
  loop.add_timer(2ms, [&] { order.push_back(4); });
  for (int i = 1; i <= 3; ++i) loop.add_timer(0ms, [&, i] { order.push_back(i); });
  loop.add_timer(2ms, [&] { order.push_back(5); });
  loop.run();
  CHECK(order == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(loop.stats().timers == 0);
}

TEST_CASE("a cancelled timer never fires; a repeating one repeats until cancelled", "[loop]") {
  Loop loop;
  bool fired = false;
  corosh::TimerId doomed = loop.add_timer(0ms, [&] { fired = true; });
  CHECK(loop.remove(doomed));
  CHECK_FALSE(loop.remove(doomed));
  int ticks = 0;
  corosh::TimerId ticker;
  ticker = loop.add_timer(0ms, [&] { if (++ticks == 3) loop.remove(ticker); }, 1ms);
  loop.run();
  CHECK_FALSE(fired);
  CHECK(ticks == 3);
}

TEST_CASE("a timer started from a timer callback waits for the next iteration", "[loop]") {
  Loop loop;
  int runs = 0;
  std::function<void()> again = [&] {
    if (++runs < 5) loop.add_timer(0ms, again);
  };
  loop.add_timer(0ms, again);
  while (loop.run_once()) {
  }
  CHECK(runs == 5);
  CHECK(loop.stats().iterations >= 5);
}

TEST_CASE("spawned coroutines sleep and show their wait reason", "[loop]") {
  Loop loop;
  std::vector<std::string> trace;
  std::uint64_t id = loop.spawn({.name = "sleeper"}, [&] {
    trace.push_back("before");
    loop.sleep(50ms);
    trace.push_back("after");
  });
  loop.run_once(0ms);  // starts it; it parks in sleep
  CHECK(trace == std::vector<std::string>{"before"});
  std::string reason = wait_reason_of(id);
  CHECK(reason.rfind("sleep 50 ms", 0) == 0);
  CHECK(reason.find("ms left") != std::string::npos);
  CHECK(loop.stats().waiting == 1);
  loop.run();
  CHECK(trace == std::vector<std::string>{"before", "after"});
  CHECK(loop.stats().spawned == 0);  // the loop destroyed it when it ended
  CHECK_FALSE(corosh::find_coroutine(id));
}

TEST_CASE("the loop is the creator of what the thread hands it; a coroutine stays the parent of what it spawns", "[loop]") {
  Loop loop;
  std::uint64_t child = 0;
  const std::uint64_t outer = loop.spawn({.name = "outer"}, [&] {
    child = loop.spawn({.name = "child"}, [&] { loop.sleep(1ms); });
    loop.sleep(1ms);
  });
  loop.run_once(0ms);  // starts outer, which spawns child
  loop.run_once(0ms);  // starts child
  const std::optional<corosh::CoroutineInfo> o = corosh::find_coroutine(outer);
  const std::optional<corosh::CoroutineInfo> c = corosh::find_coroutine(child);
  REQUIRE(o);
  REQUIRE(c);
  CHECK(o->creator == corosh::Creator::loop);
  CHECK(o->parent == 0);
  CHECK(c->creator == corosh::Creator::coroutine);
  CHECK(c->parent == outer);
  loop.run();
}

TEST_CASE("a waiting coroutine cannot be resumed by hand", "[loop]") {
  Loop loop;
  Pipe p;
  corosh::Coroutine co([&] { loop.wait(p.r, Interest::readable); });
  co.resume();
  CHECK(corosh::describe(co).wait_reason == "fd " + std::to_string(p.r) + " readable");
  CHECK_THROWS_AS(co.resume(), corosh::Error);
  REQUIRE(::write(p.w, "x", 1) == 1);
  loop.run();
  CHECK(co.done());
  CHECK(corosh::describe(co).wait_reason.empty());
}

TEST_CASE("wait returns ready when the fd is ready and timed_out when it is not", "[loop]") {
  Loop loop;
  Pipe p;
  std::vector<Wait> results;
  loop.spawn([&] {
    results.push_back(loop.wait(p.r, Interest::readable, 10ms));
    REQUIRE(::write(p.w, "x", 1) == 1);
    results.push_back(loop.wait(p.r, Interest::readable, 10s));
    results.push_back(loop.wait(p.w, Interest::writable));
  });
  loop.run();
  CHECK(results == std::vector<Wait>{Wait::timed_out, Wait::ready, Wait::ready});
  CHECK(loop.stats().timers == 0);  // the 10 s timeout left nothing behind
}

TEST_CASE("closing an fd wakes its waiters with closed", "[loop]") {
  Loop loop;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::vector<Wait> results;
  for (int i = 0; i < 2; ++i)
    loop.spawn([&] { results.push_back(loop.wait(fds[0], Interest::readable)); });
  loop.spawn([&] {
    loop.sleep(1ms);
    loop.close_fd(fds[0]);
  });
  loop.run();
  CHECK(results == std::vector<Wait>{Wait::closed, Wait::closed});
  ::close(fds[1]);
  CHECK(loop.stats().registered_fds == 0);
}

TEST_CASE("a waiter made ready and then closed before it runs learns closed", "[loop]") {
  // Dispatch queues the waiter as ready; a timer callback in the same
  // iteration closes the fd before the coroutine runs. "ready" would send it
  // to a closed (or reused) descriptor.
  Loop loop;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  Wait result = Wait::ready;
  loop.spawn([&] { result = loop.wait(fds[0], Interest::readable, 10s); });
  loop.run_once(0ms);
  REQUIRE(::write(fds[1], "x", 1) == 1);
  loop.add_timer(0ms, [&] { loop.close_fd(fds[0]); });
  loop.run_once();
  CHECK(result == Wait::closed);
  ::close(fds[1]);
}

TEST_CASE("a stale event for a reused fd number in the same batch is dropped", "[loop]") {
  // Two readable pipes in one poll batch. Whichever callback runs first
  // closes the other pipe's read end and puts a new, empty pipe on the same
  // fd number with a watch of its own. The batch still holds the old fd's
  // event: delivering it would call the new watch although nothing can be
  // read from the new pipe.
  Loop loop;
  Pipe a, b;
  REQUIRE(::write(a.w, "a", 1) == 1);
  REQUIRE(::write(b.w, "b", 1) == 1);
  int fresh_calls = 0, first_calls = 0;
  int fresh_write = -1, reused = -1;
  auto first = [&](int other) {
    ++first_calls;
    if (reused >= 0) return;
    reused = other;
    loop.close_fd(other);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    if (fds[0] != other) {
      REQUIRE(::dup2(fds[0], other) == other);
      ::close(fds[0]);
    }
    fresh_write = fds[1];
    loop.add_watch(other, Interest::readable, [&](Interest) { ++fresh_calls; });
  };
  corosh::WatchId wa = loop.add_watch(a.r, Interest::readable, [&](Interest) { first(b.r); });
  corosh::WatchId wb = loop.add_watch(b.r, Interest::readable, [&](Interest) { first(a.r); });
  loop.run_once(0ms);
  CHECK(loop.stats().polls == 1);
  CHECK(first_calls == 1);
  CHECK(fresh_calls == 0);
  // The new pipe works: data on it reaches the new watch.
  REQUIRE(::write(fresh_write, "z", 1) == 1);
  loop.run_once(0ms);
  CHECK(fresh_calls == 1);
  // Tidy up: the survivor is a or b; `reused` now names the fresh pipe.
  loop.remove(wa);
  loop.remove(wb);
  loop.close_fd(reused);
  ::close(fresh_write);
  if (reused == a.r) a.r = -1; else b.r = -1;
  CHECK(loop.stats().registered_fds == 0);
}

TEST_CASE("cancelling a waiting coroutine withdraws its wait", "[loop]") {
  Loop loop;
  Pipe p;
  bool unwound = false;
  {
    corosh::Coroutine co([&] {
      struct Mark {
        bool& flag;
        ~Mark() { flag = true; }
      } mark{unwound};
      loop.wait(p.r, Interest::readable, 10s);
    });
    co.resume();
    CHECK(loop.stats().waiting == 1);
    CHECK(loop.stats().timers == 1);
  }  // destroyed while waiting
  CHECK(unwound);
  CHECK(loop.stats().waiting == 0);
  CHECK(loop.stats().timers == 0);
  std::uint64_t id = loop.spawn([&] { loop.sleep(10s); });
  loop.run_once(0ms);
  CHECK(loop.cancel(id));
  CHECK_FALSE(loop.alive());
  // Data arriving now wakes nobody (and nothing crashes).
  REQUIRE(::write(p.w, "x", 1) == 1);
  loop.run_once(0ms);
}

TEST_CASE("an exception escaping a spawned coroutine goes to the error handler", "[loop]") {
  Loop loop;
  std::vector<std::string> errors;
  loop.set_error_handler([&](std::uint64_t, std::string_view name, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      errors.push_back(std::string(name) + ": " + x.what());
    }
  });
  loop.spawn({.name = "thrower"}, [&] {
    loop.sleep(0ms);
    throw std::runtime_error("boom");
  });
  loop.spawn({.name = "early"}, [] { throw std::runtime_error("at once"); });
  loop.run();
  CHECK(errors == std::vector<std::string>{"early: at once", "thrower: boom"});
  CHECK(loop.stats().spawned == 0);
}

TEST_CASE("stop makes run return; one loop per thread; waits need a coroutine", "[loop]") {
  Loop loop;
  CHECK(&Loop::current() == &loop);
  CHECK_THROWS_AS(Loop(), corosh::Error);
  CHECK_THROWS_AS(loop.wait(0, Interest::readable), corosh::Error);
  CHECK_THROWS_AS(loop.sleep(1ms), corosh::Error);
  int ticks = 0;
  loop.add_timer(0ms, [&] { if (++ticks == 2) loop.stop(); }, 1ms);
  loop.run();
  CHECK(ticks == 2);
  CHECK(loop.alive());  // the repeating timer is still there
}

TEST_CASE("destroying the loop cancels coroutines still waiting on it", "[loop]") {
  Pipe p;
  corosh::Coroutine outsider([&] { Loop::current().wait(p.r, Interest::readable); });
  {
    Loop loop;
    loop.spawn([&] { loop.sleep(10s); });
    loop.run_once(0ms);
    outsider.resume();
  }
  CHECK(outsider.ending() == corosh::Ending::cancelled);
}

TEST_CASE("signals arrive as loop events", "[loop]") {
  Loop loop;
  std::vector<int> seen;
  corosh::SignalId a = loop.add_signal(SIGTERM, [&](int s) { seen.push_back(s); });
  corosh::SignalId b = loop.add_signal(SIGINT, [&](int s) {
    seen.push_back(s);
    loop.stop();
  });
  ::raise(SIGTERM);
  ::raise(SIGINT);
  loop.run();
  CHECK(seen == std::vector<int>{SIGTERM, SIGINT});
  CHECK(loop.remove(a));
  CHECK(loop.remove(b));
  CHECK_FALSE(loop.alive());
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  CHECK(now.sa_handler == SIG_DFL);  // the previous disposition is back
}

namespace {

// Feeds `fd` to an input source and collects everything until its end.
std::string read_all_input(Loop& loop, int fd, bool* ended) {
  std::string got;
  *ended = false;
  loop.add_reader(fd, [&](std::string_view chunk) { got += chunk; }, [&] { *ended = true; });
  loop.run();
  return got;
}

}  // namespace

TEST_CASE("input source: a pipe", "[loop]") {
  Loop loop;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  loop.add_timer(0ms, [&] {
    REQUIRE(::write(fds[1], "hello\n", 6) == 6);
    ::close(fds[1]);
  });
  bool ended = false;
  CHECK(read_all_input(loop, fds[0], &ended) == "hello\n");
  CHECK(ended);
  ::close(fds[0]);
}

TEST_CASE("input source: a regular file and /dev/null (not pollable)", "[loop]") {
  Loop loop;
  char path[] = "/tmp/corosh_input_XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  std::string content(10000, 'x');
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::lseek(fd, 0, SEEK_SET);
  bool ended = false;
  CHECK(read_all_input(loop, fd, &ended) == content);
  CHECK(ended);
  ::close(fd);

  int null = ::open("/dev/null", O_RDONLY);
  REQUIRE(null >= 0);
  CHECK(read_all_input(loop, null, &ended).empty());
  CHECK(ended);
  ::close(null);
  CHECK(loop.stats().registered_fds == 0);
}

TEST_CASE("input source: a terminal (pty)", "[loop]") {
  Loop loop;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(slave >= 0);
  REQUIRE(::isatty(slave));
  std::string got;
  bool ended = false;
  loop.add_reader(slave, [&](std::string_view chunk) {
    got += chunk;
    if (got.find('\n') != std::string::npos) loop.stop();
  }, [&] { ended = true; });
  loop.add_timer(0ms, [&] { REQUIRE(::write(master, "typed\n", 6) == 6); });
  loop.run();  // stops after the line arrives; the terminal never ends by itself
  CHECK(got == "typed\n");
  CHECK_FALSE(ended);
  // Closing the master hangs the terminal up: the source ends.
  ::close(master);
  loop.run();
  CHECK(ended);
  ::close(slave);
}

TEST_CASE("watch calls back while the fd stays ready", "[loop]") {
  Loop loop;
  Pipe p;
  REQUIRE(::write(p.w, "abc", 3) == 3);
  std::string got;
  corosh::WatchId id = loop.add_watch(p.r, Interest::readable, [&](Interest fired) {
    CHECK(fired & Interest::readable);
    char c;
    if (::read(p.r, &c, 1) == 1) got += c;
    if (got.size() == 3) loop.stop();
  });
  CHECK_THROWS_AS(loop.add_watch(p.r, Interest::readable, [](Interest) {}), corosh::Error);
  loop.run();
  CHECK(got == "abc");
  CHECK(loop.remove(id));
  CHECK_FALSE(loop.remove(id));
  CHECK(loop.stats().registered_fds == 0);
  CHECK(loop.stats().backend.size() > 0);
}

TEST_CASE("source ids are distinct types: one kind cannot stand for another", "[loop]") {
  static_assert(!std::is_convertible_v<corosh::TimerId, corosh::WatchId>);
  static_assert(!std::is_convertible_v<corosh::WatchId, corosh::SignalId>);
  static_assert(!std::is_convertible_v<std::uint64_t, corosh::TimerId>);
  static_assert(!std::is_invocable_v<bool (Loop::*)(corosh::WatchId) noexcept, Loop&, corosh::TimerId>);
  Loop loop;
  corosh::TimerId timer = loop.add_timer(1h, [] {});
  CHECK(timer);
  CHECK_FALSE(corosh::TimerId());
  CHECK(loop.remove(timer));
}
