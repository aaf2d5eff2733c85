// test_registry.cpp — the registry of live coroutines.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/registry.hpp>

#include <algorithm>

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
