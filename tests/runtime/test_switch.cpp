// test_switch.cpp — the context switch keeps everything the ABI promises.
#include "catch.hpp"

#include <corosh/coroutine.hpp>
#include <corosh/register.hpp>
#include <corosh/registry.hpp>

#include <cfenv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <execinfo.h>

extern "C" std::uint64_t corosh_test_callee_saved(void (*fn)(void*), void* arg, std::uint64_t seed);
extern "C" void corosh_trampoline();

namespace {

void yield_from_asm(void*) { corosh::yield(); }
void resume_from_asm(void* co) { static_cast<corosh::Coroutine*>(co)->resume(); }

}  // namespace

TEST_CASE("callee-saved registers survive switches in both directions", "[asm]") {
  std::uint64_t inside = ~0ull;
  // The coroutine fills every callee-saved register with its own pattern and
  // yields; the thread's side has a different pattern live across resume().
  corosh::Coroutine co([&] {
    inside = corosh_test_callee_saved(&yield_from_asm, nullptr, 0xC0C0C0C000000000ull);
  });
  const std::uint64_t outside = corosh_test_callee_saved(&resume_from_asm, &co, 0x7171717100000000ull);
  CHECK(outside == 0);
  REQUIRE(co.state() == corosh::State::suspended);
  co.resume();  // back into the coroutine, which checks its pattern
  CHECK(inside == 0);
  CHECK(co.done());
}

TEST_CASE("callee-saved registers survive a switch between two coroutines", "[asm]") {
  std::uint64_t outer_mask = ~0ull, inner_mask = ~0ull;
  corosh::Coroutine inner([&] {
    inner_mask = corosh_test_callee_saved(&yield_from_asm, nullptr, 0x1111000000000000ull);
  });
  corosh::Coroutine outer([&] {
    outer_mask = corosh_test_callee_saved(&resume_from_asm, &inner, 0x2222000000000000ull);
  });
  outer.resume();  // outer resumes inner, inner yields back to outer, outer ends
  CHECK(outer_mask == 0);
  CHECK(outer.done());
  inner.resume();
  CHECK(inner_mask == 0);
}

namespace {

// A noinline function's frame address is 16-aligned iff the stack pointer
// was aligned as the ABI demands at its call.
[[gnu::noinline]] bool frame_is_aligned() {
  auto fp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  asm volatile("" ::: "memory");
  return fp % 16 == 0;
}

[[gnu::noinline]] std::string format_double(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f %.3e", d, d * 1e10);
  return buf;
}

struct alignas(16) Vec {
  double x, y;
};

[[gnu::noinline]] Vec add(Vec a, Vec b) {
  volatile Vec local{a.x + b.x, a.y + b.y};  // spills through the stack
  return Vec{local.x, local.y};
}

}  // namespace

TEST_CASE("the stack is 16-byte aligned at entry and after every yield", "[asm]") {
  std::vector<bool> aligned;
  std::vector<std::string> formatted;
  corosh::Coroutine co([&] {
    for (int i = 0; i < 3; ++i) {
      aligned.push_back(frame_is_aligned());
      formatted.push_back(format_double(i + 0.5));
      Vec v = add(Vec{1.0 * i, 2.0}, Vec{0.25, 0.5});
      formatted.push_back(std::to_string(v.x) + "," + std::to_string(v.y));
      corosh::yield();
    }
  });
  while (!co.done()) co.resume();
  REQUIRE(aligned.size() == 3);
  for (bool a : aligned) CHECK(a);
  CHECK(formatted[0] == "0.500000 5.000e+09");
  CHECK(formatted[2] == "1.500000 1.500e+10");
  CHECK(formatted[5] == "2.250000,2.500000");
}

TEST_CASE("floating-point rounding mode belongs to each coroutine", "[asm]") {
#if defined(__x86_64__)
  // MXCSR's control bits (and the x87 control word) are callee-saved in the
  // System V ABI: a coroutine's rounding mode must not leak out of it.
  REQUIRE(std::fegetround() == FE_TONEAREST);
  int seen_inside_after_yield = -1;
  corosh::Coroutine co([&] {
    std::fesetround(FE_UPWARD);
    corosh::yield();
    seen_inside_after_yield = std::fegetround();
  });
  co.resume();
  CHECK(std::fegetround() == FE_TONEAREST);
  volatile float third = 1.0f;
  third = third / 3.0f;
  co.resume();
  CHECK(seen_inside_after_yield == FE_UPWARD);
  CHECK(std::fegetround() == FE_TONEAREST);
#else
  // AAPCS64 makes FPCR a process-wide setting, not per call: nothing to keep.
  SUCCEED("FPCR is not callee-saved on arm64");
#endif
}

#if defined(__x86_64__)
namespace {
std::uint16_t x87_control_word() {
  std::uint16_t cw;
  asm volatile("fnstcw %0" : "=m"(cw));
  return cw;
}
void set_x87_control_word(std::uint16_t cw) { asm volatile("fldcw %0" ::"m"(cw)); }
std::uint32_t mxcsr() {
  std::uint32_t v;
  asm volatile("stmxcsr %0" : "=m"(v));
  return v;
}
}  // namespace

TEST_CASE("x87 control word and MXCSR control bits are per coroutine", "[asm]") {
  const std::uint16_t outer_cw = x87_control_word();
  const std::uint32_t outer_mxcsr = mxcsr() & 0xffc0;
  const std::uint16_t inner_cw = outer_cw ^ 0x0300;  // other precision control
  const std::uint32_t inner_mxcsr = outer_mxcsr ^ 0x8040;  // flush-to-zero + DAZ
  std::uint16_t inner_seen_cw = 0;
  std::uint32_t inner_seen_mxcsr = 0;
  corosh::Coroutine co([&] {
    set_x87_control_word(inner_cw);
    std::uint32_t m = inner_mxcsr;
    asm volatile("ldmxcsr %0" ::"m"(m));
    corosh::yield();
    inner_seen_cw = x87_control_word();
    inner_seen_mxcsr = mxcsr() & 0xffc0;
  });
  co.resume();
  CHECK(x87_control_word() == outer_cw);
  CHECK((mxcsr() & 0xffc0) == outer_mxcsr);
  co.resume();
  CHECK(inner_seen_cw == inner_cw);
  CHECK(inner_seen_mxcsr == inner_mxcsr);
  CHECK(x87_control_word() == outer_cw);
}

TEST_CASE("MXCSR exception flags stay with the context that raised them", "[asm]") {
  // The switch loads the whole saved MXCSR (asm/switch_x86_64.S says why),
  // so sticky SSE exception flags are per context, as they are per thread.
  std::feclearexcept(FE_ALL_EXCEPT);
  bool inside_after_yield = false;
  corosh::Coroutine co([&] {
    volatile double zero = 0.0;
    volatile double infinite = 1.0 / zero;  // raises FE_DIVBYZERO here
    (void)infinite;
    corosh::yield();
    inside_after_yield = std::fetestexcept(FE_DIVBYZERO) != 0;
  });
  co.resume();
  CHECK(std::fetestexcept(FE_DIVBYZERO) == 0);
  volatile double big = 1e308;
  volatile double overflowed = big * 10.0;  // FE_OVERFLOW, on this side only
  (void)overflowed;
  co.resume();
  CHECK(inside_after_yield);
  CHECK(std::fetestexcept(FE_OVERFLOW) != 0);
  CHECK(std::fetestexcept(FE_DIVBYZERO) == 0);
  std::feclearexcept(FE_ALL_EXCEPT);
}
#endif

namespace {

[[gnu::noinline]] int capture_backtrace(void** frames, int capacity) {
  int n = backtrace(frames, capacity);
  asm volatile("" ::: "memory");
  return n;
}

[[gnu::noinline]] int nested_backtrace(void** frames, int capacity, int depth) {
  if (depth == 0) return capture_backtrace(frames, capacity);
  int n = nested_backtrace(frames, capacity, depth - 1);
  asm volatile("" ::: "memory");
  return n;
}

bool in_trampoline(std::uintptr_t pc) {
  const auto start = reinterpret_cast<std::uintptr_t>(&corosh_trampoline);
  return pc > start && pc <= start + 16;
}

}  // namespace

TEST_CASE("backtrace() inside a coroutine stops at the coroutine's bottom", "[asm]") {
  void* frames[128] = {};
  int n = 0;
  corosh::Coroutine co([&] { n = nested_backtrace(frames, 128, 5); });
  co.resume();
  // The DWARF unwinder stops at the trampoline (return address undefined):
  // capture + 6 nested + lambda + body + entry + trampoline, well under 128.
  REQUIRE(n > 8);
  REQUIRE(n < 40);
  CHECK(in_trampoline(reinterpret_cast<std::uintptr_t>(frames[n - 1])));
}

TEST_CASE("the frame-pointer chain of a coroutine ends in a zeroed frame record", "[asm]") {
  std::vector<std::uintptr_t> return_addresses;
  bool ended_on_zero_record = false;
  corosh::Coroutine co([&] {
    auto* fp = static_cast<std::uintptr_t*>(__builtin_frame_address(0));
    for (int i = 0; i < 64 && fp != nullptr; ++i) {
      std::uintptr_t next = fp[0], ret = fp[1];
      if (next == 0 && ret == 0) {
        ended_on_zero_record = true;
        break;
      }
      return_addresses.push_back(ret);
      fp = reinterpret_cast<std::uintptr_t*>(next);
    }
  });
  co.resume();
  CHECK(ended_on_zero_record);
  REQUIRE(!return_addresses.empty());
  CHECK(in_trampoline(return_addresses.back()));
}

TEST_CASE("the register table names each saved slot where the switch stores it", "[asm]") {
  // A created coroutine's context was written by prepare_context: its stack
  // pointer and frame pointer point into its own stack and it resumes at the
  // trampoline. Read back through the table, by name, they must say so.
  corosh::Coroutine co([] {});
  corosh::CoroutineInfo info = corosh::describe(co);
  REQUIRE(!info.registers.empty());
  auto value = [&](std::string_view name) -> std::uint64_t {
    for (const corosh::Register& r : info.registers)
      if (r.name == name) return r.value;
    FAIL("no register " << name);
    return 0;
  };
  const std::uint64_t top = info.stack_base + info.stack_size;
#if defined(__x86_64__)
  const std::uint64_t sp = value("rsp"), fp = value("rbp");
#else
  const std::uint64_t sp = value("sp"), fp = value("fp");
  CHECK(value("lr") == value("pc"));
#endif
  // First the program counter, which is where it resumes.
  CHECK((info.registers.front().name == "rip" || info.registers.front().name == "pc"));
  CHECK(info.registers.front().value == reinterpret_cast<std::uint64_t>(&corosh_trampoline));
  CHECK(value(corosh::resume_register()) == info.registers.front().value);
  CHECK(sp > info.stack_base);
  CHECK(sp < top);
  CHECK(fp == sp);  // the zeroed frame record the first frame links to
  // Every slot lies inside the block, in memory order, without overlap.
  std::size_t end = 0;
  for (const corosh::RegisterSlot& slot : corosh::saved_register_slots()) {
    CHECK(slot.offset == end);
    end = slot.offset + slot.size;
  }
  CHECK(end == corosh::saved_context_size());
}
