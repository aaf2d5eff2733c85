// test_coroutine.cpp — the Coroutine API: states, arguments, exceptions,
// unwinding and misuse.
#include "catch.hpp"
#include "support/child_process.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/error.hpp>
#include <corosh/registry.hpp>
#include <corosh/stack.hpp>
#include <corosh/trace.hpp>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using corosh::Coroutine;
using corosh::Ending;
using corosh::State;

TEST_CASE("a coroutine runs until it yields and continues where it left off", "[core]") {
  std::vector<int> trace;
  Coroutine co([&] {
    trace.push_back(1);
    corosh::yield();
    trace.push_back(2);
    corosh::yield();
    trace.push_back(3);
  });
  CHECK(co.state() == State::created);
  CHECK(trace.empty());  // nothing runs before the first resume
  co.resume();
  CHECK(trace == std::vector<int>{1});
  CHECK(co.state() == State::suspended);
  co.resume();
  CHECK(trace == std::vector<int>{1, 2});
  co.resume();
  CHECK(trace == std::vector<int>{1, 2, 3});
  CHECK(co.state() == State::dead);
  CHECK(co.ending() == Ending::returned);
}

TEST_CASE("arguments are stored until the first resume", "[core]") {
  std::string seen;
  auto body = [&seen](std::string word, int times, std::unique_ptr<int> owned) {
    for (int i = 0; i < times; ++i) seen += word;
    seen += std::to_string(*owned);
  };
  std::string word = "ab";
  Coroutine co(body, word, 3, std::make_unique<int>(7));
  word = "changed";  // copied at creation: later changes do not reach it
  co.resume();
  CHECK(seen == "ababab7");
}

TEST_CASE("options name the coroutine and size its stack", "[core]") {
  Coroutine co({.name = "walker", .stack_size = 64 * 1024}, [] {});
  CHECK(co.name() == "walker");
  CHECK(co.id() > 0);
  corosh::CoroutineInfo info = corosh::describe(co);
  CHECK(info.stack_size == 64 * 1024);
  CHECK(info.site_line > 0);
  CHECK(info.site_file.find("test_coroutine.cpp") != std::string::npos);
}

TEST_CASE("ids are unique and increasing", "[core]") {
  Coroutine a([] {}), b([] {});
  CHECK(b.id() > a.id());
}

TEST_CASE("a coroutine that resumes another is in state normal", "[core]") {
  State outer_seen_from_inner = State::dead;
  State inner_seen_from_inner = State::dead;
  Coroutine* outer_ptr = nullptr;
  Coroutine inner([&] {
    outer_seen_from_inner = outer_ptr->state();
    inner_seen_from_inner = Coroutine::current()->state();
    corosh::yield();
  });
  Coroutine outer([&] {
    CHECK(Coroutine::current() == outer_ptr);
    inner.resume();
    CHECK(Coroutine::current() == outer_ptr);  // inner yielded back to outer
    CHECK(inner.state() == State::suspended);
  });
  outer_ptr = &outer;
  CHECK(Coroutine::current() == nullptr);
  outer.resume();
  CHECK(outer_seen_from_inner == State::normal);
  CHECK(inner_seen_from_inner == State::running);
  CHECK(outer.done());
  CHECK(inner.state() == State::suspended);
}

TEST_CASE("an exception escaping the body is rethrown by resume", "[core]") {
  Coroutine co([] {
    corosh::yield();
    throw std::runtime_error("broken tree");
  });
  co.resume();
  CHECK_THROWS_WITH(co.resume(), "broken tree");
  CHECK(co.state() == State::dead);
  CHECK(co.ending() == Ending::threw);
  // Rethrown once; afterwards it is just dead.
  CHECK_THROWS_WITH(co.resume(), Catch::Matchers::Contains("it is dead (threw)"));
}

TEST_CASE("exceptions thrown and caught inside a coroutine stay inside", "[core]") {
  int caught = 0;
  Coroutine co([&] {
    for (int i = 0; i < 3; ++i) {
      try {
        throw i;
      } catch (int) {
        ++caught;
      }
      corosh::yield();
    }
  });
  while (!co.done()) co.resume();
  CHECK(caught == 3);
  CHECK(co.ending() == Ending::returned);
}

namespace {
struct Tracker {
  std::vector<std::string>* log;
  std::string name;
  ~Tracker() { log->push_back(name); }
};
}  // namespace

TEST_CASE("destroying a suspended coroutine unwinds its stack", "[core]") {
  std::vector<std::string> log;
  {
    Coroutine co([&] {
      Tracker outer{&log, "outer"};
      [&] {
        Tracker inner{&log, "inner"};
        corosh::yield();
        log.push_back("never");
      }();
    });
    co.resume();
    CHECK(log.empty());
  }
  CHECK(log == std::vector<std::string>{"inner", "outer"});
}

TEST_CASE("cancel unwinds now; a created coroutine never runs", "[core]") {
  std::vector<std::string> log;
  Coroutine started([&] {
    Tracker t{&log, "started"};
    corosh::yield();
  });
  started.resume();
  started.cancel();
  CHECK(log == std::vector<std::string>{"started"});
  CHECK(started.ending() == Ending::cancelled);

  bool ran = false;
  Coroutine fresh([&] { ran = true; });
  fresh.cancel();
  CHECK_FALSE(ran);
  CHECK(fresh.ending() == Ending::cancelled);
  fresh.cancel();  // cancelling a dead coroutine is harmless
}

namespace {
// Catches corosh::Unwind and yields again, up to `limit` times (a bound so
// that a runtime that never gives up cannot hang the test; it is far above
// the attempts cancel makes). `stubborn` false: it lets the unwinding go on.
struct UnwindSwallower {
  int caught = 0;
  int limit = 100000;
  bool stubborn = true;
  void operator()() {
    for (;;) {
      try {
        corosh::yield();
      } catch (const corosh::Unwind&) {
        ++caught;
        if (!stubborn || caught >= limit) throw;
      }
    }
  }
};
}  // namespace

TEST_CASE("cancelling a coroutine that swallows Unwind gives up with a clear error", "[core]") {
  UnwindSwallower swallower;
  Coroutine co({.name = "stubborn"}, [&] { swallower(); });
  co.resume();
  CHECK_THROWS_WITH(co.cancel(), Catch::Matchers::Contains("cannot cancel coroutine") &&
                                     Catch::Matchers::Contains("'stubborn'") &&
                                     Catch::Matchers::Contains("keeps catching corosh::Unwind"));
  CHECK(swallower.caught > 0);
  CHECK(swallower.caught <= 64);  // bounded attempts, not a spin
  CHECK(co.state() == State::suspended);
  swallower.stubborn = false;
  co.cancel();
  CHECK(co.ending() == Ending::cancelled);
}

TEST_CASE("destroying a coroutine that swallows Unwind gives up and says so", "[core]") {
  // It cannot be unwound, so its stack is leaked on purpose: in a child.
  corosh_test::ChildResult child = corosh_test::run_in_child([] {
    UnwindSwallower swallower;
    {
      Coroutine co({.name = "stubborn"}, [&] { swallower(); });
      co.resume();
    }
    _exit(swallower.caught <= 64 ? 0 : 1);
  });
  CHECK(child.exited(0));
  CHECK_THAT(child.stderr_text, Catch::Matchers::Contains("while destroying coroutine") &&
                                    Catch::Matchers::Contains("keeps catching corosh::Unwind"));
}

TEST_CASE("the captured arguments are destroyed when the coroutine ends", "[core]") {
  auto shared = std::make_shared<int>(1);
  {
    Coroutine co([](std::shared_ptr<int> p) { corosh::yield(); (void)p; }, shared);
    CHECK(shared.use_count() == 2);
    co.resume();
    co.resume();
    CHECK(shared.use_count() == 1);
  }
  {
    Coroutine never([](std::shared_ptr<int>) {}, shared);
    CHECK(shared.use_count() == 2);
  }
  CHECK(shared.use_count() == 1);
}

TEST_CASE("a moved coroutine keeps running, and current() follows the move", "[core]") {
  Coroutine* seen = nullptr;
  Coroutine a([&] {
    corosh::yield();
    seen = Coroutine::current();
  });
  a.resume();
  Coroutine b(std::move(a));
  b.resume();
  CHECK(seen == &b);
  CHECK(a.state() == State::dead);  // moved-from reads as dead
  CHECK_THROWS_WITH(a.resume(), Catch::Matchers::Contains("moved-from"));
}

TEST_CASE("misuse is a clear corosh::Error, never undefined behaviour", "[core]") {
  using Catch::Matchers::Contains;
  SECTION("yield outside any coroutine") {
    CHECK_THROWS_AS(corosh::yield(), corosh::Error);
    CHECK_THROWS_WITH(corosh::yield(), Contains("outside any coroutine"));
  }
  SECTION("resuming a dead coroutine") {
    Coroutine co({.name = "done"}, [] {});
    co.resume();
    CHECK_THROWS_WITH(co.resume(), Contains("'done'") && Contains("it is dead (returned)"));
  }
  SECTION("a coroutine resuming itself") {
    std::string message;
    Coroutine* self = nullptr;
    Coroutine co([&] {
      try {
        self->resume();
      } catch (const corosh::Error& e) {
        message = e.what();
      }
    });
    self = &co;
    co.resume();
    CHECK_THAT(message, Contains("it is running"));
  }
  SECTION("resuming a coroutine that is in state normal") {
    std::string message;
    Coroutine* outer_ptr = nullptr;
    Coroutine inner([&] {
      try {
        outer_ptr->resume();
      } catch (const corosh::Error& e) {
        message = e.what();
      }
    });
    Coroutine outer([&] { inner.resume(); });
    outer_ptr = &outer;
    outer.resume();
    CHECK_THAT(message, Contains("state normal"));
  }
  SECTION("cancelling the running coroutine") {
    std::string message;
    Coroutine* self = nullptr;
    Coroutine co([&] {
      try {
        self->cancel();
      } catch (const corosh::Error& e) {
        message = e.what();
      }
    });
    self = &co;
    co.resume();
    CHECK_THAT(message, Contains("cannot cancel") && Contains("running"));
  }
  SECTION("a stack too small for the arguments") {
    struct Big {
      char bytes[200000];
    };
    auto big = std::make_unique<Big>();
    CHECK_THROWS_WITH((Coroutine({.stack_size = 64 * 1024}, [](const Big&) {}, *big)),
                      Contains("cannot hold"));
  }
}

TEST_CASE("yielding inside a catch block while another coroutine throws", "[core]") {
  // The C++ runtime keeps the stack of caught exceptions per thread. Each
  // coroutine must have its own, or the inner catch below would pop the
  // outer coroutine's exception and `throw;` would rethrow the wrong one.
  std::string rethrown;
  Coroutine holder([&] {
    try {
      throw std::runtime_error("held");
    } catch (const std::runtime_error&) {
      corosh::yield();  // suspended with "held" being handled
      try {
        throw;  // must still be "held"
      } catch (const std::runtime_error& e) {
        rethrown = e.what();
      }
    }
  });
  holder.resume();
  CHECK(std::uncaught_exceptions() == 0);
  Coroutine other([] {
    try {
      throw std::logic_error("other");
    } catch (const std::logic_error&) {
      corosh::yield();
    }
  });
  other.resume();
  try {
    throw 42;
  } catch (int) {
    holder.resume();  // switch while this thread is itself inside a catch
    CHECK(std::current_exception() != nullptr);
  }
  other.resume();
  CHECK(rethrown == "held");
  CHECK(std::current_exception() == nullptr);
}

// Whether the next switch on this thread may skip the exception state
// entirely (the hot path's one test; corosh/detail/switch.hpp).
bool switches_are_plain() { return corosh::detail::plain_switch(corosh::detail::this_thread); }

TEST_CASE("a coroutine suspended during unwinding keeps its exception in flight", "[core]") {
  // std::uncaught_exceptions() is the other half of the per-thread state: a
  // coroutine that yields from a destructor run by unwinding has one in
  // flight; its resumer has none, and the coroutine has it again afterwards.
  struct YieldsWhileUnwinding {
    int* in_flight_after_yield;
    ~YieldsWhileUnwinding() {
      corosh::yield();
      *in_flight_after_yield = std::uncaught_exceptions();
    }
  };
  int in_flight_inside = -1, in_flight_after_yield = -1;
  std::string caught;
  Coroutine co([&] {
    try {
      YieldsWhileUnwinding guard{&in_flight_after_yield};
      throw std::runtime_error("unwinding");
    } catch (const std::runtime_error& e) {
      caught = e.what();
      in_flight_inside = std::uncaught_exceptions();
    }
  });
  co.resume();  // suspended inside the destructor, the exception in flight
  CHECK(std::uncaught_exceptions() == 0);
  CHECK(std::current_exception() == nullptr);
  CHECK_FALSE(switches_are_plain());  // a suspended context holds exception state
  co.resume();
  CHECK(in_flight_after_yield == 1);
  CHECK(caught == "unwinding");
  CHECK(in_flight_inside == 0);
  CHECK(co.done());
  CHECK(switches_are_plain());
}

TEST_CASE("a coroutine destroyed while suspended in a catch block leaves no exception behind", "[core]") {
  bool unwound = false;
  {
    Coroutine co([&] {
      try {
        throw std::runtime_error("held");
      } catch (const std::runtime_error&) {
        struct Flag {
          bool* set;
          ~Flag() { *set = true; }
        } flag{&unwound};
        corosh::yield();
      }
    });
    co.resume();
    CHECK_FALSE(switches_are_plain());
  }  // cancelled: unwinds out of the catch block, "held" is destroyed
  CHECK(unwound);
  CHECK(std::current_exception() == nullptr);
  CHECK(std::uncaught_exceptions() == 0);
  CHECK(switches_are_plain());
  // Exceptions on the thread itself still work as ever.
  try {
    throw std::logic_error("after");
  } catch (const std::logic_error& e) {
    CHECK(std::string(e.what()) == "after");
  }
  CHECK(std::current_exception() == nullptr);
}

TEST_CASE("exception state and a switch observer both travel with the slow path", "[core]") {
  int events = 0;
  const corosh::SwitchObserver count = [](const corosh::SwitchEvent&, void* n) { ++*static_cast<int*>(n); };
  REQUIRE(corosh::add_switch_observer(count, &events));
  CHECK_FALSE(switches_are_plain());
  std::string rethrown;
  Coroutine holder([&] {
    try {
      throw std::runtime_error("held");
    } catch (const std::runtime_error&) {
      corosh::yield();
      try {
        throw;
      } catch (const std::runtime_error& e) {
        rethrown = e.what();
      }
    }
  });
  holder.resume();
  CHECK(std::current_exception() == nullptr);
  REQUIRE(corosh::remove_switch_observer(count, &events));
  CHECK_FALSE(switches_are_plain());  // the observer is off, but "held" is parked
  holder.resume();
  CHECK(rethrown == "held");
  CHECK(events == 2);
  CHECK(switches_are_plain());
}

TEST_CASE("100,000 create/resume/destroy cycles leak nothing", "[core]") {
  const corosh::StackStats before = corosh::stack_stats();
  std::uint64_t sum = 0;
  for (int i = 0; i < 100000; ++i) {
    Coroutine co([&sum, i] {
      sum += i;
      corosh::yield();
      sum += 1;
    });
    co.resume();
    if (i % 2) co.resume();  // half end normally, half are unwound on destruction
  }
  CHECK(sum == 4999950000ull + 50000);
  const corosh::StackStats after = corosh::stack_stats();
  CHECK(after.mapped - after.pooled == before.mapped - before.pooled);
  CHECK(after.mapped <= before.mapped + 1);  // the pool recycles one stack
  CHECK(corosh::live_coroutines().empty());
}

namespace {

// Collects what it sees as "kind from->to" lines.
struct Seen {
  std::vector<std::string> events;
  static void observe(const corosh::SwitchEvent& e, void* context) {
    const char* kind = e.kind == corosh::SwitchEvent::resume  ? "resume"
                       : e.kind == corosh::SwitchEvent::yield ? "yield"
                                                              : "finish";
    static_cast<Seen*>(context)->events.push_back(std::string(kind) + " " + std::to_string(e.from) + "->" +
                                                  std::to_string(e.to));
  }
};

}  // namespace

TEST_CASE("a switch observer sees every resume, yield and finish", "[core]") {
  Seen seen;
  REQUIRE(corosh::add_switch_observer(&Seen::observe, &seen));
  Coroutine co([] { corosh::yield(); });
  const std::string id = std::to_string(co.id());
  co.resume();
  co.resume();
  CHECK(corosh::remove_switch_observer(&Seen::observe, &seen));
  CHECK(seen.events == std::vector<std::string>{"resume 0->" + id, "yield " + id + "->0",
                                                "resume 0->" + id, "finish " + id + "->0"});
}

TEST_CASE("a coroutine destroyed on another thread is handed back and freed (unwound) by its own", "[core]") {
  // Destroying a handle on a thread that does not own the coroutine used to
  // take it out of the destroying thread's registry: a null dereference, or
  // that thread's coroutines silently vanishing from its list.
  struct Mark {
    std::thread::id* where;
    ~Mark() { *where = std::this_thread::get_id(); }
  };
  std::unique_ptr<corosh::Coroutine> stray;
  std::thread::id unwound_on{}, owner_id{};
  std::vector<std::string> listed_before, listed_after_creating;
  std::mutex m;
  std::condition_variable cv;
  int stage = 0;
  std::thread owner([&] {
    owner_id = std::this_thread::get_id();
    stray = std::make_unique<corosh::Coroutine>(corosh::Options{.name = "stray"}, [&] {
      Mark mark{&unwound_on};
      corosh::yield();
    });
    stray->resume();  // suspended, with a destructor to run on its stack
    std::unique_lock lock(m);
    stage = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return stage == 2; });
    for (const auto& info : corosh::live_coroutines()) listed_before.push_back(info.name);
    corosh::Coroutine next({.name = "next"}, [] {});  // its next creation frees what came back
    for (const auto& info : corosh::live_coroutines()) listed_after_creating.push_back(info.name);
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return stage == 1; });
  }
  const std::size_t mine = corosh::live_coroutines().size();
  stray.reset();  // on this thread, which does not own it
  CHECK(corosh::live_coroutines().size() == mine);  // this thread's list untouched
  CHECK(unwound_on == std::thread::id{});           // not unwound here
  {
    std::lock_guard lock(m);
    stage = 2;
  }
  cv.notify_all();
  owner.join();
  CHECK(listed_before == std::vector<std::string>{"stray"});         // handed back, not yet freed
  CHECK(listed_after_creating == std::vector<std::string>{"next"});  // freed by the next creation
  CHECK(unwound_on == owner_id);      // its frames unwound on its own thread
}

TEST_CASE("a coroutine handed back to a thread that exits is freed at its exit", "[core]") {
  const std::size_t mapped_before = corosh::stack_stats().mapped;
  std::unique_ptr<corosh::Coroutine> stray;
  std::mutex m;
  std::condition_variable cv;
  int stage = 0;
  std::thread owner([&] {
    stray = std::make_unique<corosh::Coroutine>(corosh::Options{.name = "stray"}, [] {});
    std::unique_lock lock(m);
    stage = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return stage == 2; });
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return stage == 1; });
  }
  stray.reset();
  CHECK(corosh::stack_stats().mapped > mapped_before);  // handed back, not freed here
  {
    std::lock_guard lock(m);
    stage = 2;
  }
  cv.notify_all();
  owner.join();
  CHECK(corosh::stack_stats().mapped == mapped_before);  // freed as its thread exited
}

TEST_CASE("switch observers coexist, each seeing the switches made while it is added", "[core]") {
  Seen first, second;
  REQUIRE(corosh::add_switch_observer(&Seen::observe, &first));
  CHECK(corosh::add_switch_observer(&Seen::observe, &first));  // once only
  Coroutine co([] {
    corosh::yield();
    corosh::yield();
  });
  co.resume();
  REQUIRE(corosh::add_switch_observer(&Seen::observe, &second));
  co.resume();
  CHECK(corosh::remove_switch_observer(&Seen::observe, &first));
  CHECK_FALSE(corosh::remove_switch_observer(&Seen::observe, &first));
  co.resume();
  CHECK(corosh::remove_switch_observer(&Seen::observe, &second));
  CHECK(first.events.size() == 4);   // two resumes, two yields
  CHECK(second.events.size() == 4);  // one resume and yield, then the resume and finish
  CHECK(second.events.back().starts_with("finish"));

  // A recorder is one more observer: it and another run side by side.
  corosh::SwitchRecorder recorder;
  Seen third;
  REQUIRE(corosh::add_switch_observer(&Seen::observe, &third));
  recorder.start();
  Coroutine again([] { corosh::yield(); });
  again.resume();
  recorder.stop();
  CHECK(corosh::remove_switch_observer(&Seen::observe, &third));
  CHECK(recorder.events().size() == 2);
  CHECK(third.events.size() == 2);
}

TEST_CASE("a thread has room for max_switch_observers and refuses one more", "[core]") {
  Seen seen[corosh::max_switch_observers + 1];
  for (std::size_t i = 0; i < corosh::max_switch_observers; ++i) CHECK(corosh::add_switch_observer(&Seen::observe, &seen[i]));
  CHECK_FALSE(corosh::add_switch_observer(&Seen::observe, &seen[corosh::max_switch_observers]));
  corosh::SwitchRecorder recorder;
  CHECK_THROWS_AS(recorder.start(), corosh::Error);
  CHECK_FALSE(recorder.recording());
  for (std::size_t i = 0; i < corosh::max_switch_observers; ++i) CHECK(corosh::remove_switch_observer(&Seen::observe, &seen[i]));
}

TEST_CASE("an observer may remove itself while it is being called", "[core]") {
  struct Once {
    int calls = 0;
    static void observe(const corosh::SwitchEvent&, void* context) {
      auto* self = static_cast<Once*>(context);
      ++self->calls;
      corosh::remove_switch_observer(&Once::observe, self);
    }
  } once;
  Seen after;
  REQUIRE(corosh::add_switch_observer(&Once::observe, &once));
  REQUIRE(corosh::add_switch_observer(&Seen::observe, &after));
  Coroutine co([] { corosh::yield(); });
  co.resume();
  CHECK(corosh::remove_switch_observer(&Seen::observe, &after));
  CHECK(once.calls == 1);
  CHECK(after.events.size() == 2);  // still called for the switch that removed the first
}
