// test_unwind.cpp — walking and symbolizing the frames of parked and faulted
// coroutines.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/fault.hpp>
#include <corosh/registry.hpp>
#include <corosh/unwind.hpp>

#include <string>
#include <vector>

namespace {

// The symbolizer keeps the process's ELF files open between calls; drop them
// at the end of every test so the runner's descriptor leak check holds.
struct ForgetSymbols {
  ~ForgetSymbols() { corosh::forget_symbols(); }
};

volatile int sink;

// The empty asm after the recursive call is work the compiler cannot move:
// the calls stay real calls (no tail call, no recursion turned into a loop).
[[gnu::noinline]] int walk_down(int depth) {
  if (depth == 0) {
    corosh::yield();
    return 0;
  }
  int below = walk_down(depth - 1);
  asm volatile("" : "+r"(below));
  return below + depth;
}

// Reads through a pointer the compiler cannot see is null.
[[gnu::noinline]] int crash_here(volatile int* p) { return *p + 1; }

std::vector<corosh::Symbol> symbolize_all(const std::vector<corosh::Frame>& frames) {
  std::vector<corosh::Symbol> symbols;
  for (const corosh::Frame& f : frames) symbols.push_back(corosh::symbolize(f));
  return symbols;
}

bool names(const corosh::Symbol& s, const std::string& function) {
  return s.function.find(function) != std::string::npos;
}

}  // namespace

TEST_CASE("a coroutine parked deep in recursion shows every frame down to the trampoline", "[core]") {
  ForgetSymbols forget;
  corosh::Coroutine co({.name = "walker"}, [] { sink = walk_down(4); });
  co.resume();
  REQUIRE(co.state() == corosh::State::suspended);

  const std::vector<corosh::Frame> frames = corosh::parked_frames(co.id());
  REQUIRE(frames.size() >= 7);  // switch/yield, 5 x walk_down, body, trampoline
  CHECK(frames.front().return_address);
  for (std::size_t i = 1; i < frames.size(); ++i) {
    CHECK(frames[i].return_address);
    if (i + 1 < frames.size()) CHECK(frames[i].fp > frames[i - 1].fp);
  }

  const std::vector<corosh::Symbol> symbols = symbolize_all(frames);
  std::string listing;
  for (const corosh::Symbol& s : symbols) {
    listing += s.function + " at " + s.file + ":" + std::to_string(s.line) + " in " + s.module + "\n";
    for (const corosh::Symbol& i : s.inlined) {
      listing += "  inlined: " + i.function + " at " + i.file + ":" + std::to_string(i.line) + "\n";
    }
  }
  INFO(listing);

  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (names(symbols[i], "walk_down")) at.push_back(i);
  }
  REQUIRE(at.size() == 5);
  for (std::size_t k = 1; k < at.size(); ++k) CHECK(at[k] == at[k - 1] + 1);  // consecutive
  CHECK(names(symbols.back(), "corosh_trampoline"));

  // The innermost walk_down is at the (inlined) yield, the other four at the
  // recursive call a few lines below it.
  const corosh::Symbol& innermost = symbols[at.front()];
  CHECK(innermost.file == "test_unwind.cpp");
  CHECK(innermost.line > 0);
  for (std::size_t k = 1; k < at.size(); ++k) {
    const corosh::Symbol& s = symbols[at[k]];
    CHECK(s.file == "test_unwind.cpp");
    CHECK(s.line > innermost.line);
    CHECK(s.line <= innermost.line + 4);
    CHECK(s.line == symbols[at[1]].line);
    CHECK(s.module == innermost.module);
  }
  // Below walk_down: the coroutine's body and the runtime's entry.
  CHECK(at.back() + 2 < symbols.size());

  co.resume();
  CHECK(co.state() == corosh::State::dead);
}

TEST_CASE("a coroutine that has not started has only its trampoline frame", "[core]") {
  ForgetSymbols forget;
  corosh::Coroutine co([] {});
  const std::vector<corosh::Frame> frames = corosh::parked_frames(co.id());
  REQUIRE(frames.size() == 1);
  CHECK_FALSE(frames[0].return_address);
  CHECK(corosh::symbolize(frames[0]).function == "corosh_trampoline");
  CHECK(corosh::parked_frames(co.id(), 0).empty());
  co.resume();
}

TEST_CASE("max_frames bounds the walk", "[core]") {
  corosh::Coroutine co([] { sink = walk_down(10); });
  co.resume();
  CHECK(corosh::parked_frames(co.id(), 3).size() == 3);
  CHECK(corosh::parked_frames(co.id()).size() > 12);
  co.resume();
}

TEST_CASE("unknown, running and dead coroutines have no parked frames", "[core]") {
  CHECK(corosh::parked_frames(0).empty());
  CHECK(corosh::parked_frames(~std::uint64_t(0)).empty());
  CHECK(corosh::fault_frames(~std::uint64_t(0)).empty());

  corosh::Coroutine* self = nullptr;
  std::size_t while_running = 99;
  corosh::Coroutine co([&] { while_running = corosh::parked_frames(self->id()).size(); });
  self = &co;
  co.resume();
  CHECK(while_running == 0);
  REQUIRE(co.state() == corosh::State::dead);
  CHECK(corosh::parked_frames(co.id()).empty());
  CHECK(corosh::fault_frames(co.id()).empty());  // dead, but did not fault
}

TEST_CASE("a contained fault keeps the frames at the fault", "[core]") {
  ForgetSymbols forget;
  corosh::set_fault_containment(true);
  corosh::Coroutine co({.name = "crasher"}, [] { sink = crash_here(nullptr); });
  CHECK_THROWS(co.resume());
  corosh::set_fault_containment(false);
  REQUIRE(co.state() == corosh::State::dead);
  REQUIRE(co.ending() == corosh::Ending::faulted);

  CHECK(corosh::parked_frames(co.id()).empty());
  const std::vector<corosh::Frame> frames = corosh::fault_frames(co.id());
  REQUIRE(frames.size() >= 2);
  CHECK_FALSE(frames[0].return_address);
  const corosh::CoroutineInfo info = corosh::describe(co);
  CHECK(frames[0].pc == info.fault_pc);
  CHECK(frames[0].fp == info.fault_fp);
  CHECK(info.fault_sp != 0);

  const corosh::Symbol at_fault = corosh::symbolize(frames[0]);
  INFO(at_fault.function << " at " << at_fault.file << ":" << at_fault.line);
  CHECK(names(at_fault, "crash_here"));
  CHECK(at_fault.file == "test_unwind.cpp");
  CHECK(names(corosh::symbolize(frames.back()), "corosh_trampoline"));
}

TEST_CASE("symbolizing a garbage address gives the address", "[core]") {
  ForgetSymbols forget;
  for (std::uintptr_t pc : {std::uintptr_t(0), std::uintptr_t(1), std::uintptr_t(0x10),
                            std::uintptr_t(0xdead0000beefull), ~std::uintptr_t(0)}) {
    for (bool return_address : {false, true}) {
      corosh::Symbol s = corosh::symbolize({pc, 0, return_address});
      CHECK(s.function.rfind("0x", 0) == 0);
      CHECK(s.file.empty());
      CHECK(s.line == 0);
    }
  }
  CHECK(corosh::symbolize({0xdead0000beefull, 0, false}).function == "0xdead0000beef");
}

TEST_CASE("a snapshot carries the saved context's address and the fault registers", "[core]") {
  corosh::Coroutine co([] { corosh::yield(); });
  co.resume();
  const corosh::CoroutineInfo info = corosh::describe(co);
  CHECK(info.context_address != 0);
  CHECK(info.fault_pc == 0);
  // The saved context lives in the control record at the top of the stack.
  CHECK(info.context_address > info.stack_base);
  CHECK(info.context_address < info.stack_base + info.stack_size);
  co.resume();
}
