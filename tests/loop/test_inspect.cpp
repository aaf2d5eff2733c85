// test_inspect.cpp — what tools see of the loop and of memory
// (corosh/inspect.hpp): the loop's descriptor and timer tables against a
// program whose descriptors and timers are known, and `mem`'s figures
// against the coroutines and stacks the test creates.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/inspect.hpp>
#include <corosh/loop.hpp>
#include <corosh/net.hpp>
#include <corosh/stack.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corosh::Interest;
using corosh::Loop;
namespace inspect = corosh::inspect;

namespace {

std::optional<inspect::FdView> fd_entry(const Loop& loop, int fd) {
  for (const inspect::FdView& f : inspect::loop_fds(loop))
    if (f.fd == fd) return f;
  return std::nullopt;
}

struct PipeReader {
  void operator()(Interest) const {}
};
void timer_callback() {}

// The symbolizer keeps the process's ELF files open between calls; drop them
// so that the leak check sees the descriptors the test opened.
struct ForgetSymbols {
  ~ForgetSymbols() { corosh::forget_symbols(); }
};

}  // namespace

TEST_CASE("the loop's table names each descriptor, its kind, address and who is behind it", "[loop][inspect]") {
  ForgetSymbols forget;
  Loop loop;
  int p[2];
  REQUIRE(::pipe(p) == 0);
  corosh::WatchId watch = loop.add_watch(p[0], Interest::readable, PipeReader{});

  corosh::Listener listener = corosh::listen(0);
  const int listen_fd = listener.fd();
  std::uint64_t acceptor = loop.spawn({.name = "acceptor"}, [&] {
    corosh::Socket s = listener.accept();
    char byte;
    s.read_some(&byte, 1);  // parks on the accepted connection until the test ends
  });
  std::optional<corosh::Socket> client;
  std::uint64_t connector = loop.spawn({.name = "connector"}, [&] { client = corosh::connect("127.0.0.1", listener.local().port); });
  const auto server_side_of = [](const std::vector<inspect::FdView>& fds) {
    return std::find_if(fds.begin(), fds.end(),
                        [](const inspect::FdView& f) { return f.kind == "connection" && !f.waiters.empty(); });
  };
  for (int i = 0; i < 1000 && !(client && server_side_of(inspect::loop_fds(loop)) != inspect::loop_fds(loop).end()); ++i)
    loop.run_once(10ms);

  const std::vector<inspect::FdView> fds = inspect::loop_fds(loop);
  std::optional<inspect::FdView> pipe_fd = fd_entry(loop, p[0]);
  REQUIRE(pipe_fd);
  CHECK(pipe_fd->kind == "pipe");
  CHECK(pipe_fd->watch == watch.value());
  CHECK(pipe_fd->watch_kind == "watch");
  CHECK(pipe_fd->registered == "readable");
  CHECK(pipe_fd->callback.find("PipeReader") != std::string::npos);
  CHECK(pipe_fd->waiters.empty());
  CHECK(inspect::memory(loop).loop_bytes > 0);

  std::optional<inspect::FdView> l = fd_entry(loop, listen_fd);
  REQUIRE(l);
  CHECK(l->kind == "listener");
  CHECK(l->local == listener.local().to_string());
  CHECK(l->listening);
  CHECK(l->accepted == 1);
  CHECK(l->dropped == 0);

  // The accepted side: a connection whose peer is the client's address, with
  // the acceptor parked on it.
  auto server_side = server_side_of(fds);
  REQUIRE(server_side != fds.end());
  CHECK(server_side->peer == client->local().to_string());
  CHECK(server_side->local == listener.local().to_string());
  REQUIRE(server_side->waiters.size() == 1);
  CHECK(server_side->waiters[0].coroutine == acceptor);
  CHECK(server_side->waiters[0].name == "acceptor");
  CHECK(server_side->waiters[0].interest == "readable");
  CHECK(server_side->waiters[0].timeout_in_ns == -1);
  CHECK(connector != 0);

  // Where the acceptor is parked: in the test's lambda, not in the runtime.
  std::optional<corosh::CoroutineInfo> info = inspect::coroutine(acceptor);
  REQUIRE(info);
  corosh::Symbol at = inspect::parked_at(inspect::stack(*info, 64));
  CHECK(at.function.find("corosh::Socket") == std::string::npos);
  CHECK(at.function.find("corosh::Loop") == std::string::npos);
  CHECK(at.file.find("test_inspect.cpp") != std::string::npos);

  // Closed through the loop: gone from the table.
  loop.remove(watch);
  loop.close_fd(p[0]);
  ::close(p[1]);
  CHECK_FALSE(fd_entry(loop, p[0]));
  loop.cancel(acceptor);
}

TEST_CASE("the loop's timer table lists callback timers and coroutine timeouts, soonest first", "[loop][inspect]") {
  Loop loop;
  corosh::TimerId repeating = loop.add_timer(5s, timer_callback, 2s);
  corosh::TimerId once = loop.add_timer(10s, timer_callback);
  std::uint64_t sleeper = loop.spawn({.name = "sleeper"}, [&] { loop.sleep(1s); });
  loop.run_once(0ms);  // the sleeper starts and parks

  std::vector<inspect::TimerView> timers = inspect::loop_timers(loop);
  REQUIRE(timers.size() == 3);
  CHECK(timers[0].coroutine == sleeper);
  CHECK(timers[0].name == "sleeper");
  CHECK(timers[0].waiting_for == "sleep 1000 ms");
  CHECK(timers[0].due_in_ns > 0);
  CHECK(timers[0].due_in_ns <= std::chrono::nanoseconds(1s).count());
  CHECK(timers[1].timer == repeating.value());
  CHECK(timers[1].repeat_ns == std::chrono::nanoseconds(2s).count());
  CHECK(timers[1].callback.find("void (*)()") != std::string::npos);
  CHECK(timers[2].timer == once.value());
  CHECK(timers[2].repeat_ns == 0);
  CHECK(timers[0].due_in_ns < timers[1].due_in_ns);
  CHECK(timers[1].due_in_ns < timers[2].due_in_ns);

  loop.cancel(sleeper);
  loop.remove(repeating);
  loop.remove(once);
  CHECK(inspect::loop_timers(loop).empty());
}

TEST_CASE("mem counts the stacks by size, the pooled ones and the control records", "[loop][inspect]") {
  Loop loop;
  corosh::trim_stack_pool();
  const auto counts = [&](std::size_t size) {
    for (const corosh::StackClass& c : inspect::memory(loop).stacks)
      if (c.size == size) return c;
    return corosh::StackClass{.size = size};
  };
  const std::size_t small = 64 * 1024, large = 192 * 1024;
  const inspect::MemoryView before = inspect::memory(loop);
  std::vector<corosh::Coroutine> coroutines;
  for (int i = 0; i < 3; ++i) coroutines.emplace_back(corosh::Options{.stack_size = small}, [] { corosh::yield(); });
  for (int i = 0; i < 2; ++i) coroutines.emplace_back(corosh::Options{.stack_size = large}, [] { corosh::yield(); });
  for (corosh::Coroutine& c : coroutines) c.resume();

  corosh::StackClass s = counts(small), l = counts(large);
  CHECK(s.live == 3);
  CHECK(s.pooled == 0);
  CHECK(l.live == 2);
  CHECK(s.reserved >= 3 * small);
  CHECK(s.touched > 0);  // each ran a little
  CHECK(s.touched <= 3 * small);
  const inspect::MemoryView during = inspect::memory(loop);
  CHECK(during.control_records == before.control_records + 5);
  CHECK(during.control_record_bytes > 0);
  CHECK(during.stacks_mapped == before.stacks_mapped + 5);
  CHECK(during.resident_bytes > 0);

  coroutines.pop_back();  // its stack goes to the pool
  l = counts(large);
  CHECK(l.live == 1);
  CHECK(l.pooled == 1);
  CHECK(inspect::memory(loop).control_records == before.control_records + 4);
  coroutines.clear();
  corosh::trim_stack_pool();
  CHECK(counts(small).live == 0);
  CHECK(counts(small).pooled == 0);
}

namespace {

bool has_warning(const std::vector<inspect::Warning>& found, std::string_view kind, std::uint64_t id) {
  return std::any_of(found.begin(), found.end(),
                     [&](const inspect::Warning& w) { return w.kind == kind && w.coroutine == id; });
}

// Recurses `depth` frames of about 1 KiB each, then yields at the bottom.
[[gnu::noinline]] void descend(int depth) {
  volatile char frame[1024];
  frame[0] = char(depth);
  if (depth > 0)
    descend(depth - 1);
  else
    corosh::yield();
  frame[1] = frame[0];
}

}  // namespace

TEST_CASE("warnings: a loop-owned coroutine suspended without waiting will never be resumed", "[loop][inspect]") {
  ForgetSymbols forget;
  Loop loop;
  std::uint64_t lost = loop.spawn({.name = "lost"}, [] { corosh::yield(); });
  std::uint64_t sleeping = loop.spawn({.name = "sleeping"}, [&] { loop.sleep(10s); });
  loop.run_once(0ms);
  std::vector<inspect::Warning> found = inspect::warnings(loop);
  CHECK(has_warning(found, "never_woken", lost));
  CHECK_FALSE(has_warning(found, "never_woken", sleeping));  // its timer will wake it
  for (const inspect::Warning& w : found)
    if (w.coroutine == lost) CHECK(w.name == "lost");
  // Not the loop's: its owner may resume it, so nothing to say.
  corosh::Coroutine mine([] { corosh::yield(); });
  mine.resume();
  CHECK_FALSE(has_warning(inspect::warnings(loop), "never_woken", mine.id()));
  loop.cancel(lost);
  loop.cancel(sleeping);
  CHECK(inspect::warnings(loop).empty());
}

TEST_CASE("warnings: a never-woken coroutine's warning says where it is parked", "[loop][inspect]") {
  ForgetSymbols forget;
  Loop loop;
  std::uint64_t lost = loop.spawn({.name = "lost"}, [] { corosh::yield(); });
  loop.run_once(0ms);
  std::vector<inspect::Warning> found = inspect::warnings(loop);
  REQUIRE(has_warning(found, "never_woken", lost));
  for (const inspect::Warning& w : found)
    if (w.coroutine == lost) {
      INFO("parked at " << w.parked_at.function << " in " << w.parked_at.file);
      CHECK(w.parked_at.file.find("test_inspect.cpp") != std::string::npos);
    }
  loop.cancel(lost);
}

TEST_CASE("warnings: a stack without a guard page, and a stack mostly used", "[loop][inspect]") {
  ForgetSymbols forget;
  Loop loop;
  corosh::trim_stack_pool();
  const corosh::StackStats stats = corosh::stack_stats();
  corosh::set_guard_limit(stats.guarded);
  corosh::Coroutine unguarded([] { corosh::yield(); });
  corosh::set_guard_limit(stats.guard_limit);
  unguarded.resume();
  corosh::Coroutine shallow(corosh::Options{.stack_size = 64 * 1024}, [] { descend(4); });
  corosh::Coroutine deep(corosh::Options{.stack_size = 64 * 1024}, [] { descend(52); });
  shallow.resume();
  deep.resume();
  std::vector<inspect::Warning> found = inspect::warnings(loop);
  CHECK(has_warning(found, "unguarded_stack", unguarded.id()));
  CHECK_FALSE(has_warning(found, "unguarded_stack", deep.id()));
  CHECK(has_warning(found, "stack_use", deep.id()));
  CHECK_FALSE(has_warning(found, "stack_use", shallow.id()));
  CHECK_FALSE(has_warning(found, "stack_use", unguarded.id()));  // its canary page is not use
  CHECK_FALSE(has_warning(inspect::warnings(loop, {.stack_use = 0.95}), "stack_use", deep.id()));
}
