// context_x86_64.cpp — new and saved contexts on x86_64 (System V).
#if defined(__x86_64__)

#include "context.hpp"
#include "context_layout.h"
#include "thread_state.hpp"

#include <cstddef>

namespace corosh::detail {

// The layout the assembly uses is the layout the C++ side and the debugger see.
static_assert(offsetof(SavedContext, rbx) == COROSH_CTX_RBX);
static_assert(offsetof(SavedContext, rbp) == COROSH_CTX_RBP);
static_assert(offsetof(SavedContext, r12) == COROSH_CTX_R12);
static_assert(offsetof(SavedContext, r13) == COROSH_CTX_R13);
static_assert(offsetof(SavedContext, r14) == COROSH_CTX_R14);
static_assert(offsetof(SavedContext, r15) == COROSH_CTX_R15);
static_assert(offsetof(SavedContext, rsp) == COROSH_CTX_RSP);
static_assert(offsetof(SavedContext, rip) == COROSH_CTX_RIP);
static_assert(offsetof(SavedContext, mxcsr) == COROSH_CTX_MXCSR);
static_assert(offsetof(SavedContext, fpucw) == COROSH_CTX_FPUCW);
static_assert(sizeof(SavedContext) == COROSH_CTX_SIZE);

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

std::vector<Register> saved_registers(const SavedContext& r) {
  return {{"rip", r.rip}, {"rsp", r.rsp}, {"rbp", r.rbp}, {"rbx", r.rbx},
          {"r12", r.r12}, {"r13", r.r13}, {"r14", r.r14}, {"r15", r.r15},
          {"mxcsr", r.mxcsr}, {"fpucw", r.fpucw}};
}

std::uintptr_t saved_stack_pointer(const SavedContext& r) noexcept { return r.rsp; }
std::uintptr_t saved_frame_pointer(const SavedContext& r) noexcept { return r.rbp; }
std::uintptr_t saved_resume_address(const SavedContext& r) noexcept { return r.rip; }

}  // namespace corosh::detail

#endif
