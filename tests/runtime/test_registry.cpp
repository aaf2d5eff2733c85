// test_registry.cpp — the registry of live coroutines.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/registry.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

TEST_CASE("the registry lists live coroutines oldest first, until destroyed", "[core]") {
  CHECK(corosh::live_coroutines().empty());
  auto a = std::make_unique<corosh::Coroutine>(corosh::Options{.name = "first"}, [] { corosh::yield(); });
  corosh::Coroutine b({.name = "second"}, [] {});
  auto all = corosh::live_coroutines();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "first");
  CHECK(all[1].name == "second");
  a.reset();
  all = corosh::live_coroutines();
  REQUIRE(all.size() == 1);
  CHECK(all[0].name == "second");
}

TEST_CASE("a snapshot shows state, switches, site, stack and registers", "[core]") {
  corosh::Coroutine co({.name = "probe"}, [] {
    for (int i = 0; i < 3; ++i) corosh::yield();
  });
  const int creation_line = __LINE__ - 3;
  co.resume();
  co.resume();
  corosh::CoroutineInfo info = corosh::describe(co);
  CHECK(info.id == co.id());
  CHECK(info.state == corosh::State::suspended);
  CHECK(info.switches == 2);
  // Compilers place the site at the start or the end of the statement.
  CHECK(info.site_line >= std::uint32_t(creation_line));
  CHECK(info.site_line <= std::uint32_t(creation_line) + 2);
  CHECK(info.site_file.find("test_registry.cpp") != std::string::npos);
  CHECK(info.stack_size == corosh::default_stack_size);
  CHECK(info.stack_in_use > 0);
  CHECK(info.stack_in_use < info.stack_size);
  REQUIRE(!info.registers.empty());
  auto sp = std::find_if(info.registers.begin(), info.registers.end(), [](const corosh::Register& r) {
    return r.name == "sp" || r.name == "rsp";
  });
  REQUIRE(sp != info.registers.end());
  CHECK(sp->value > info.stack_base);
  CHECK(sp->value < info.stack_base + info.stack_size);
  CHECK(corosh::find_coroutine(co.id()).has_value());
  CHECK_FALSE(corosh::find_coroutine(0).has_value());
  while (!co.done()) co.resume();
  info = corosh::describe(co);
  CHECK(info.ending == corosh::Ending::returned);
  CHECK(info.registers.empty());
}

TEST_CASE("a coroutine sees itself as running in the registry", "[core]") {
  corosh::State seen = corosh::State::dead;
  corosh::Coroutine co([&] { seen = corosh::find_coroutine(corosh::Coroutine::current()->id())->state; });
  co.resume();
  CHECK(seen == corosh::State::running);
}

TEST_CASE("find_coroutine finds every live coroutine by id among thousands, none of the destroyed", "[core]") {
  // Enough to grow the id table several times; destroying every third one,
  // then every other one, leaves holes all through its probe runs.
  std::vector<std::unique_ptr<corosh::Coroutine>> all;
  for (int i = 0; i < 3000; ++i)
    all.push_back(std::make_unique<corosh::Coroutine>(corosh::Options{.stack_size = 16 * 1024}, [] {}));
  std::vector<std::uint64_t> destroyed;
  for (std::size_t i = 0; i < all.size(); i += 3) {
    destroyed.push_back(all[i]->id());
    all[i].reset();
  }
  for (std::size_t i = 1; i < all.size(); i += 2) {
    if (!all[i]) continue;
    destroyed.push_back(all[i]->id());
    all[i].reset();
  }
  std::size_t alive = 0;
  for (const auto& co : all) {
    if (!co) continue;
    ++alive;
    std::optional<corosh::CoroutineInfo> info = corosh::find_coroutine(co->id());
    REQUIRE(info.has_value());
    CHECK(info->id == co->id());
  }
  CHECK(alive == corosh::live_coroutines().size());
  for (std::uint64_t id : destroyed) CHECK_FALSE(corosh::find_coroutine(id).has_value());
}

TEST_CASE("a quick snapshot leaves out only the pages touched", "[core]") {
  corosh::Coroutine co({.name = "quick"}, [] { corosh::yield(); });
  co.resume();
  const corosh::CoroutineInfo full = *corosh::find_coroutine(co.id());
  const corosh::CoroutineInfo quick = *corosh::find_coroutine(co.id(), corosh::Snapshot::quick);
  CHECK(full.stack_touched > 0);
  CHECK(quick.stack_touched == 0);
  CHECK(quick.name == "quick");
  CHECK(quick.state == corosh::State::suspended);
  CHECK(quick.stack_in_use == full.stack_in_use);
  CHECK(quick.registers.size() == full.registers.size());
  const std::vector<corosh::CoroutineInfo> listed = corosh::live_coroutines(corosh::Snapshot::quick);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].stack_touched == 0);
  CHECK(listed[0].id == co.id());
}
