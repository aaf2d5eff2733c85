// context_x86_64.cpp — a new context on x86_64 (System V): what the first
// switch to a coroutine loads.
#if defined(__x86_64__)

#include "context.hpp"
#include "thread_state.hpp"

#include <cstddef>

namespace corosh::detail {

void prepare_context(SavedContext& regs, std::byte* top, void (*entry)(void*),
                     void* argument) noexcept {
  regs = SavedContext{};
  const auto frame_record = reinterpret_cast<std::uint64_t>(top - 16);
  regs.rbx = reinterpret_cast<std::uint64_t>(argument);
  regs.r12 = reinterpret_cast<std::uint64_t>(entry);
  regs.rbp = frame_record;  // -> { saved rbp = 0, return address = 0 }
  regs.rsp = frame_record;  // 16-aligned: the trampoline's call realigns for the body
  regs.rip = reinterpret_cast<std::uint64_t>(&corosh_trampoline);
  // A new coroutine starts with the creator's floating-point control state.
  asm volatile("stmxcsr %0" : "=m"(regs.mxcsr));
  asm volatile("fnstcw %0" : "=m"(regs.fpucw));
}

}  // namespace corosh::detail

#endif
