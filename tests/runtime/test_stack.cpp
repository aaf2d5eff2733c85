// test_stack.cpp — stacks: guard pages, the mapping cap, pooling, measuring.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/registry.hpp>
#include <corosh/stack.hpp>

#include <cstring>
#include <memory>
#include <vector>

namespace {

[[gnu::noinline]] void touch_stack(std::size_t bytes) {
  volatile char buffer[1024];
  std::memset(const_cast<char*>(buffer), 1, sizeof buffer);
  if (bytes > sizeof buffer) touch_stack(bytes - sizeof buffer);
  asm volatile("" ::: "memory");
}

// Restores the default guard limit at the end of a test.
struct GuardLimit {
  std::size_t saved = corosh::stack_stats().guard_limit;
  explicit GuardLimit(std::size_t limit) { corosh::set_guard_limit(limit); }
  ~GuardLimit() { corosh::set_guard_limit(saved); }
};

}  // namespace

TEST_CASE("stacks are guarded by default and reused from the pool", "[core]") {
  corosh::trim_stack_pool();
  const corosh::StackStats before = corosh::stack_stats();
  std::uintptr_t first_base = 0, second_base = 0;
  {
    corosh::Coroutine co([] {});
    corosh::CoroutineInfo info = corosh::describe(co);
    CHECK(info.stack_guarded);
    first_base = info.stack_base;
    CHECK(corosh::stack_stats().mapped == before.mapped + 1);
  }
  CHECK(corosh::stack_stats().pooled == 1);
  {
    corosh::Coroutine co([] {});
    second_base = corosh::describe(co).stack_base;
  }
  CHECK(second_base == first_base);  // the same stack, from the pool
  CHECK(corosh::stack_stats().mapped == before.mapped + 1);
  corosh::trim_stack_pool();
  CHECK(corosh::stack_stats().mapped == before.mapped);
}

TEST_CASE("stack use is measured without touching pages", "[core]") {
  corosh::trim_stack_pool();  // fresh stacks: no pages from earlier owners
  corosh::Coroutine shallow([] { corosh::yield(); });
  corosh::Coroutine deep([] {
    touch_stack(96 * 1024);
    corosh::yield();
  });
  shallow.resume();
  deep.resume();
  corosh::CoroutineInfo s = corosh::describe(shallow), d = corosh::describe(deep);
  CHECK(s.stack_touched <= 3 * 4096 * 4);  // a page or two (64 KiB pages on some arm64)
  CHECK(d.stack_touched >= 96 * 1024);
  CHECK(d.stack_touched <= d.stack_size);
  CHECK(s.stack_in_use > 0);
  CHECK(s.stack_in_use < 4096);
  // Measuring did not touch anything: the numbers are stable.
  CHECK(corosh::describe(shallow).stack_touched == s.stack_touched);
  shallow.resume();
  deep.resume();
}

namespace {
[[gnu::noinline]] void yield_deep(std::size_t bytes) {
  volatile char buffer[1024];
  std::memset(const_cast<char*>(buffer), 1, sizeof buffer);
  if (bytes > sizeof buffer) yield_deep(bytes - sizeof buffer);
  else corosh::yield();
  asm volatile("" ::: "memory");
}
}  // namespace

TEST_CASE("a coroutine seen deep gives its pages back before its stack is reused", "[core]") {
  corosh::trim_stack_pool();
  {
    corosh::Coroutine deep([] { yield_deep(128 * 1024); });
    deep.resume();
    CHECK(corosh::describe(deep).stack_touched >= 128 * 1024);
  }
  corosh::Coroutine next([] { corosh::yield(); });
  next.resume();
  CHECK(corosh::describe(next).stack_touched < 64 * 1024);
  next.resume();
  corosh::trim_stack_pool();
}

TEST_CASE("past the guard limit, stacks come unguarded and still work", "[core]") {
  corosh::trim_stack_pool();
  GuardLimit limit(corosh::stack_stats().guarded + 2);
  std::vector<corosh::Coroutine> alive;
  int ran = 0;
  for (int i = 0; i < 5; ++i) {
    alive.emplace_back(corosh::Options{.stack_size = 32 * 1024}, [&ran] {
      ++ran;
      corosh::yield();
      ++ran;
    });
  }
  int guarded = 0;
  for (auto& c : alive) {
    c.resume();
    guarded += corosh::describe(c).stack_guarded;
  }
  CHECK(guarded == 2);
  for (auto& c : alive) c.resume();
  CHECK(ran == 10);
  alive.clear();
  corosh::trim_stack_pool();
}

TEST_CASE("more coroutines than the mapping limit allows guarded stacks", "[core]") {
  // Linux caps mappings at vm.max_map_count (65,530 by default) and each
  // guarded stack takes two; 40,000 guarded stacks would need 80,000. They
  // must all be created and run, the guarded ones capped, none failing.
  corosh::trim_stack_pool();
  const std::size_t count = 40000;
  std::vector<corosh::Coroutine> alive;
  alive.reserve(count);
  std::size_t ran = 0;
  for (std::size_t i = 0; i < count; ++i) {
    alive.emplace_back(corosh::Options{.stack_size = 16 * 1024}, [&ran] {
      corosh::yield();
      ++ran;
    });
    alive.back().resume();
  }
  const corosh::StackStats stats = corosh::stack_stats();
  CHECK(stats.mapped >= count);
  CHECK(stats.guarded <= stats.guard_limit);
  for (auto& c : alive) c.resume();
  CHECK(ran == count);
  alive.clear();
  corosh::trim_stack_pool();
}

TEST_CASE("a stack larger than the runtime allows is refused before its size is rounded", "[core]") {
  // SIZE_MAX once rounded up to a page wrapped to 0: "cannot map a 0 KiB stack".
  for (std::size_t size : {SIZE_MAX, SIZE_MAX - 4095, corosh::max_stack_size + 1}) {
    try {
      corosh::Coroutine co({.stack_size = size}, [] {});
      FAIL("a " << size << " byte stack was accepted");
    } catch (const corosh::Error& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains("more than the 1024 MiB"));
    }
  }
  corosh::Coroutine largest({.stack_size = corosh::max_stack_size}, [] {});
  CHECK(corosh::describe(largest).stack_size == corosh::max_stack_size);
}

TEST_CASE("an unguarded stack is not reported as touched all the way down for its canary", "[core]") {
  const std::size_t limit = corosh::stack_stats().guard_limit;
  corosh::trim_stack_pool();  // fresh stacks, mapped under the limit set here
  corosh::set_guard_limit(0);
  {
    corosh::Coroutine shallow({.stack_size = 1024 * 1024}, [] { corosh::yield(); });
    shallow.resume();
    corosh::CoroutineInfo info = corosh::describe(shallow);
    REQUIRE_FALSE(info.stack_guarded);
    CHECK(info.stack_touched < 64 * 1024);  // a few pages at the top, not 1 MiB
    CHECK(info.stack_touched > 0);
  }
  corosh::trim_stack_pool();
  corosh::set_guard_limit(limit);
}

TEST_CASE("a coroutine with a guard reserve runs only on a guarded stack, leaving the reserve to others", "[core]") {
  corosh::trim_stack_pool();  // only stacks mapped here are pooled below
  const std::size_t in_use = corosh::stack_stats().guarded;
  GuardLimit limit(in_use + 3);  // three free guard slots
  const auto guarded = [](const corosh::Coroutine& co) { return corosh::describe(co).stack_guarded; };

  auto reserving = std::make_unique<corosh::Coroutine>(corosh::Options{.guard_reserve = 2}, [] {});
  CHECK(guarded(*reserving));  // 3 free: it takes one and leaves 2
  CHECK_THROWS_AS(corosh::Coroutine(corosh::Options{.guard_reserve = 2}, [] {}), corosh::NoGuardedStack);
  CHECK(corosh::stack_stats().guarded == in_use + 1);  // the refused one took no slot

  // The reserve was kept for coroutines that ask for none.
  corosh::Coroutine mine_1([] {}), mine_2([] {});
  CHECK(guarded(mine_1));
  CHECK(guarded(mine_2));
  auto unguarded = std::make_unique<corosh::Coroutine>([] {});
  CHECK_FALSE(guarded(*unguarded));  // past the cap, as ever

  // The pool holds an unguarded stack of the size asked for, and the
  // reserving coroutine's guarded one: with no slot free, only the guarded
  // one may be taken, and only by a coroutine that asks for no reserve.
  unguarded.reset();
  reserving.reset();
  CHECK(corosh::stack_stats().pooled == 2);
  CHECK_THROWS_AS(corosh::Coroutine(corosh::Options{.guard_reserve = 1}, [] {}), corosh::NoGuardedStack);
  corosh::Coroutine no_reserve({.guard_reserve = 0}, [] {});
  CHECK(guarded(no_reserve));
  CHECK_THROWS_AS(corosh::Coroutine(corosh::Options{.guard_reserve = 0}, [] {}), corosh::NoGuardedStack);
  CHECK(corosh::stack_stats().pooled == 1);  // the unguarded stack, left alone
  try {
    corosh::Coroutine refused(corosh::Options{.guard_reserve = 5}, [] {});
    FAIL("a coroutine ate into the reserve");
  } catch (const corosh::NoGuardedStack& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("5 are kept for others"));
  }
}
