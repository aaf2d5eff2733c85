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

TEST_CASE("each coroutine records who created it: a coroutine, the thread's own code", "[core]") {
  std::unique_ptr<corosh::Coroutine> child;
  corosh::Coroutine parent({.name = "parent"}, [&] {
    child = std::make_unique<corosh::Coroutine>(corosh::Options{.name = "child"}, [] { corosh::yield(); });
    child->resume();
    corosh::yield();
  });
  parent.resume();
  const corosh::CoroutineInfo p = corosh::describe(parent);
  CHECK(p.parent == 0);
  CHECK(p.creator == corosh::Creator::thread);
  const corosh::CoroutineInfo c = corosh::describe(*child);
  CHECK(c.parent == parent.id());
  CHECK(c.creator == corosh::Creator::coroutine);
  CHECK(corosh::to_string(c.creator) == "coroutine");
  // It stays the parent's even after the parent is gone.
  parent.cancel();
  CHECK(corosh::describe(*child).parent == p.id);
}

TEST_CASE("forget_coroutine drops a dead coroutine and leaves its handle empty", "[core]") {
  auto co = std::make_unique<corosh::Coroutine>(corosh::Options{.name = "done"}, [] {});
  corosh::Coroutine alive({.name = "alive"}, [] { corosh::yield(); });
  const std::uint64_t id = co->id();
  // Not dead, not there: refused.
  CHECK_FALSE(corosh::forget_coroutine(alive.id()));
  CHECK_FALSE(corosh::forget_coroutine(0));
  co->resume();
  REQUIRE(co->done());
  REQUIRE(corosh::find_coroutine(id).has_value());
  CHECK(corosh::forget_coroutine(id));
  CHECK_FALSE(corosh::find_coroutine(id).has_value());
  CHECK_FALSE(corosh::forget_coroutine(id));  // once
  // The handle now reads as a moved-from one, and goes quietly.
  CHECK(co->done());
  CHECK(co->id() == 0);
  CHECK(co->ending() == corosh::Ending::none);
  CHECK_THROWS_AS(co->resume(), corosh::Error);
  co.reset();
  auto all = corosh::live_coroutines();
  REQUIRE(all.size() == 1);
  CHECK(all[0].name == "alive");
}

TEST_CASE("a dead coroutine another coroutine holds can be forgotten, and its holder goes on", "[core]") {
  std::uint64_t inner_id = 0;
  corosh::Coroutine holder({.name = "holder"}, [&] {
    corosh::Coroutine inner({.name = "inner"}, [] {});
    inner_id = inner.id();
    inner.resume();  // dies at once; its handle lives in this frame
    corosh::yield();
    CHECK(inner.done());  // forgotten meanwhile: empty, still done
  });
  holder.resume();
  REQUIRE(corosh::find_coroutine(inner_id)->state == corosh::State::dead);
  CHECK(corosh::forget_coroutine(inner_id));
  holder.resume();  // the holder's frame ends: the empty handle is destroyed
  CHECK(holder.done());
  CHECK(holder.ending() == corosh::Ending::returned);
}

TEST_CASE("a walk skips coroutines destroyed under it and leaves out those made after it began", "[core]") {
  std::vector<std::unique_ptr<corosh::Coroutine>> all;
  for (int i = 0; i < 6; ++i)
    all.push_back(std::make_unique<corosh::Coroutine>(corosh::Options{.stack_size = 16 * 1024}, [] {}));
  std::vector<std::uint64_t> seen;
  {
    corosh::CoroutineWalk walk, other;
    seen.push_back(walk.next(corosh::Snapshot::quick)->id);  // 0
    CHECK(other.next()->id == all[0]->id());
    all[1].reset();  // the one both walks would visit next
    all[2].reset();
    corosh::Coroutine newer([] {});
    while (std::optional<corosh::CoroutineInfo> c = walk.next(corosh::Snapshot::quick)) seen.push_back(c->id);
    CHECK(other.next()->id == all[3]->id());
    CHECK_FALSE(walk.next().has_value());  // over for good
  }
  CHECK(seen == std::vector<std::uint64_t>{all[0]->id(), all[3]->id(), all[4]->id(), all[5]->id()});
  corosh::CoroutineWalk walk_of_the_gone;
  all.clear();
  CHECK_FALSE(walk_of_the_gone.next().has_value());
  CHECK(corosh::live_coroutine_count() == 0);
}

TEST_CASE("a walk's quick snapshots differ from full ones only in the pages touched", "[core]") {
  corosh::Coroutine co({.name = "quick"}, [] { corosh::yield(); });
  co.resume();
  corosh::CoroutineWalk full_walk, quick_walk;
  const corosh::CoroutineInfo full = *full_walk.next();
  const corosh::CoroutineInfo quick = *quick_walk.next(corosh::Snapshot::quick);
  CHECK(full.stack_touched > 0);
  CHECK(quick.stack_touched == 0);
  corosh::CoroutineInfo same = full;
  same.stack_touched = 0;
  CHECK(quick == same);
}
