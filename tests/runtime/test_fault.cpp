// test_fault.cpp — crashes inside coroutines are named, and can be contained.
#include "catch.hpp"
#include "support/child_process.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/fault.hpp>
#include <corosh/registry.hpp>
#include <corosh/stack.hpp>

#include <signal.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

using corosh_test::ChildResult;
using corosh_test::run_in_child;

namespace {

[[gnu::noinline]] int recurse_forever(int depth) {
  volatile char frame[256];
  frame[0] = char(depth);
  if (depth < 0) return 0;  // never: keeps the compiler from calling it a loop
  int below = recurse_forever(depth + 1);
  return below + frame[0];
}

[[gnu::noinline]] int read_through(volatile int* p) { return *p; }

struct Containment {
  Containment() { corosh::set_fault_containment(true); }
  ~Containment() { corosh::set_fault_containment(false); }
};

}  // namespace

TEST_CASE("a stack overflow into the guard page names the coroutine", "[core]") {
  std::uint64_t id = 0;
  ChildResult child = run_in_child([&] {
    corosh::Coroutine co({.name = "deep", .stack_size = 64 * 1024}, [] { recurse_forever(0); });
    co.resume();
  });
  CHECK(child.signalled(SIGSEGV));
  using Catch::Matchers::Contains;
  CHECK_THAT(child.stderr_text, Contains("corosh: stack overflow in coroutine ") &&
                                    Contains(" 'deep' (64 KiB stack, guard page hit at 0x"));
  (void)id;
}

TEST_CASE("a bad pointer in a coroutine is reported with its address", "[core]") {
  ChildResult child = run_in_child([] {
    corosh::Coroutine co({.name = "wild"}, [] { read_through(reinterpret_cast<volatile int*>(16)); });
    co.resume();
  });
  CHECK(child.signalled(SIGSEGV));
  CHECK_THAT(child.stderr_text, Catch::Matchers::Contains("SIGSEGV in coroutine") &&
                                    Catch::Matchers::Contains("'wild'") &&
                                    Catch::Matchers::Contains("bad access at 0x10)"));
}

TEST_CASE("a fault outside any coroutine is left to the default action", "[core]") {
  ChildResult child = run_in_child([] {
    corosh::Coroutine co([] {});  // installs the handler
    co.resume();
    read_through(reinterpret_cast<volatile int*>(8));
  });
  CHECK(child.signalled(SIGSEGV));
  CHECK(child.stderr_text.find("corosh:") == std::string::npos);
}

TEST_CASE("an overwritten canary on an unguarded stack aborts with the coroutine named", "[core]") {
  ChildResult child = run_in_child([] {
    corosh::trim_stack_pool();
    corosh::set_guard_limit(0);
    corosh::Coroutine co({.name = "scribbler"}, [] {
      auto base = corosh::find_coroutine(corosh::Coroutine::current()->id())->stack_base;
      *reinterpret_cast<volatile std::uint64_t*>(base) = 0;  // what an overflow would do
      corosh::yield();
    });
    co.resume();
  });
  CHECK(child.signalled(SIGABRT));
  CHECK_THAT(child.stderr_text, Catch::Matchers::Contains("'scribbler' overflowed its unguarded"));
}

TEST_CASE("an overflow that runs off an unguarded stack stops the program, even with containment", "[core]") {
  // Past the guard-page cap stacks lie next to each other: an overflow
  // writes through whatever is below (a neighbour's stack and control
  // record) until something faults. "Containing" that fault would leave the
  // neighbours corrupt for the next `list`; it stops the program instead.
  ChildResult child = run_in_child([] {
    Containment on;
    corosh::trim_stack_pool();
    corosh::set_guard_limit(0);
    corosh::Coroutine neighbour({.name = "neighbour", .stack_size = 64 * 1024}, [] { corosh::yield(); });
    neighbour.resume();
    corosh::Coroutine runaway({.name = "runaway", .stack_size = 64 * 1024}, [] { recurse_forever(0); });
    try {
      runaway.resume();
    } catch (const corosh::Fault&) {
      std::fputs("caught as a contained Fault\n", stderr);
    }
  });
  CHECK(child.signalled(SIGSEGV));
  CHECK(child.stderr_text.find("caught as a contained Fault") == std::string::npos);
  CHECK_THAT(child.stderr_text, Catch::Matchers::Contains("coroutine 2 'runaway' ran off the end of its 64 KiB "
                                                          "stack (unguarded, sp 0x") &&
                                    Catch::Matchers::Contains("this fault is not contained; stopping"));
}

TEST_CASE("with containment, a faulting coroutine dies and the program goes on", "[core]") {
  Containment on;
  corosh::Coroutine overflow({.name = "deep", .stack_size = 64 * 1024}, [] { recurse_forever(0); });
  try {
    overflow.resume();
    FAIL("resume() should have thrown corosh::Fault");
  } catch (const corosh::Fault& f) {
    CHECK(f.signal() == SIGSEGV);
    CHECK_THAT(f.what(), Catch::Matchers::Contains("stack overflow in coroutine"));
  }
  CHECK(overflow.state() == corosh::State::dead);
  CHECK(overflow.ending() == corosh::Ending::faulted);
  CHECK_THROWS_WITH(overflow.resume(), Catch::Matchers::Contains("dead (faulted)"));

  corosh::Coroutine null_deref({.name = "wild"}, [] { read_through(nullptr); });
  CHECK_THROWS_AS(null_deref.resume(), corosh::Fault);
  CHECK(corosh::describe(null_deref).fault_address == 0);

  // Twice in a row works (the signal mask and alternate stack were restored),
  // and ordinary coroutines still run.
  corosh::Coroutine again([] { recurse_forever(0); });
  CHECK_THROWS_AS(again.resume(), corosh::Fault);
  int ran = 0;
  corosh::Coroutine fine([&] {
    ++ran;
    corosh::yield();
    ++ran;
  });
  fine.resume();
  fine.resume();
  CHECK(ran == 2);
}

TEST_CASE("a fault inside a catch block leaves the resumer's exception state as it was", "[core]") {
  // The dead coroutine's caught exception is never destroyed (its frames are
  // abandoned), so this runs in a child that exits without a leak check.
  ChildResult child = run_in_child([] {
    Containment on;
    corosh::Coroutine faulty([] {
      try {
        throw std::runtime_error("inside");
      } catch (const std::runtime_error&) {
        read_through(nullptr);  // dies with "inside" caught
      }
    });
    std::string seen;
    try {
      throw std::logic_error("outside");
    } catch (const std::logic_error&) {
      try {
        faulty.resume();
      } catch (const corosh::Fault&) {
        seen += "fault;";
      }
      try {
        throw;  // must still be this thread's own exception
      } catch (const std::logic_error& e) {
        seen += e.what();
      }
    }
    if (std::current_exception() == nullptr && std::uncaught_exceptions() == 0 &&
        corosh::detail::plain_switch(corosh::detail::this_thread))
      seen += ";clean";
    std::fprintf(stderr, "%s\n", seen.c_str());
  });
  CHECK(WIFEXITED(child.status));
  CHECK(child.stderr_text == "fault;outside;clean\n");
}

TEST_CASE("a fault in a nested coroutine returns to its resumer, not the thread", "[core]") {
  Containment on;
  bool outer_caught = false;
  corosh::Coroutine inner([] { read_through(nullptr); });
  corosh::Coroutine outer([&] {
    try {
      inner.resume();
    } catch (const corosh::Fault&) {
      outer_caught = true;
    }
  });
  outer.resume();
  CHECK(outer_caught);
  CHECK(outer.ending() == corosh::Ending::returned);
}
