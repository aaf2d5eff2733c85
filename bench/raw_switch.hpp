// raw_switch.hpp — the bare switch with no runtime around it, to compare its
// two return styles (indirect jmp vs push + ret) at the assembly level.
//
// runtime.cmake assembles asm/switch_x86_64.S a second time with
// COROSH_SWITCH_VARIANTS and renames its symbols, so this copy of the switch
// (bench_switch_jmp, bench_switch_ret) lives beside the runtime's own.
// A ping-pong needs a second context; the runtime does not expose its
// context preparation, so RawPingPong lays one out by hand, the way
// core/runtime/src/context_x86_64.cpp does.
#pragma once

#if defined(__x86_64__) && defined(COROSH_BENCH_SWITCH_VARIANTS)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

// Layout of asm/context_layout.h (x86_64): 8 registers, mxcsr, fpucw, pad.
struct RawContext {
  std::uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
  std::uint32_t mxcsr;
  std::uint16_t fpucw;
  std::uint16_t pad;
};
static_assert(sizeof(RawContext) == 72 && offsetof(RawContext, mxcsr) == 64);

using RawSwitch = void (*)(RawContext* from, const RawContext* to);
extern "C" void bench_switch_jmp(RawContext* from, const RawContext* to);
extern "C" void bench_switch_ret(RawContext* from, const RawContext* to);

// Main side calls round_trip(); the other side is a loop that switches
// straight back. Both sides use the same switch, so each round trip is two
// switches of the variant under test. One at a time per process.
class RawPingPong {
 public:
  explicit RawPingPong(RawSwitch s) : stack_(static_cast<std::byte*>(std::aligned_alloc(64, stack_size))) {
    active_ = this;
    switch_ = s;
    std::memset(&side_, 0, sizeof side_);
    // At a function's first instruction rsp + 8 is 16-aligned: leave a zero
    // "return address" under the entry, above it a zero frame record.
    std::byte* top = stack_ + stack_size;
    std::memset(top - 32, 0, 32);
    side_.rsp = reinterpret_cast<std::uint64_t>(top - 24);
    side_.rip = reinterpret_cast<std::uint64_t>(&side_loop);
    // Same FP control words as this thread, so the switch never loads them.
    asm volatile("stmxcsr %0" : "=m"(side_.mxcsr));
    asm volatile("fnstcw %0" : "=m"(side_.fpucw));
  }
  ~RawPingPong() { std::free(stack_); }  // the side loop is simply abandoned
  RawPingPong(const RawPingPong&) = delete;
  RawPingPong& operator=(const RawPingPong&) = delete;

  void round_trip() { switch_(&main_, &side_); }

 private:
  [[noreturn]] static void side_loop() {
    for (;;) active_->switch_(&active_->side_, &active_->main_);
  }

  static constexpr std::size_t stack_size = 64 * 1024;
  static inline RawPingPong* active_ = nullptr;
  RawSwitch switch_;
  RawContext main_{}, side_{};
  std::byte* stack_;
};

#endif
