// context_arm64.cpp — new and saved contexts on arm64 (AAPCS64).
#if defined(__aarch64__)

#include "context.hpp"
#include "context_layout.h"
#include "thread_state.hpp"

#include <cstddef>

namespace corosh::detail {

// The layout the assembly uses is the layout the C++ side and the debugger see.
static_assert(offsetof(SavedContext, x19) == COROSH_CTX_X19);
static_assert(offsetof(SavedContext, x21) == COROSH_CTX_X21);
static_assert(offsetof(SavedContext, x23) == COROSH_CTX_X23);
static_assert(offsetof(SavedContext, x25) == COROSH_CTX_X25);
static_assert(offsetof(SavedContext, x27) == COROSH_CTX_X27);
static_assert(offsetof(SavedContext, fp) == COROSH_CTX_FP);
static_assert(offsetof(SavedContext, lr) == COROSH_CTX_LR);
static_assert(offsetof(SavedContext, sp) == COROSH_CTX_SP);
static_assert(offsetof(SavedContext, d8) == COROSH_CTX_D8);
static_assert(offsetof(SavedContext, d10) == COROSH_CTX_D10);
static_assert(offsetof(SavedContext, d12) == COROSH_CTX_D12);
static_assert(offsetof(SavedContext, d14) == COROSH_CTX_D14);
static_assert(sizeof(SavedContext) == COROSH_CTX_SIZE);

void prepare_context(SavedContext& regs, std::byte* top, void (*entry)(void*),
                     void* argument) noexcept {
  regs = SavedContext{};
  const auto frame_record = reinterpret_cast<std::uint64_t>(top - 16);
  regs.x19 = reinterpret_cast<std::uint64_t>(argument);
  regs.x20 = reinterpret_cast<std::uint64_t>(entry);
  regs.fp = frame_record;  // -> { saved fp = 0, saved lr = 0 }
  regs.sp = frame_record;
  regs.lr = reinterpret_cast<std::uint64_t>(&corosh_trampoline);
}

std::vector<Register> saved_registers(const SavedContext& r) {
  return {{"pc", r.lr},   {"sp", r.sp},   {"fp", r.fp},   {"lr", r.lr},   {"x19", r.x19},
          {"x20", r.x20}, {"x21", r.x21}, {"x22", r.x22}, {"x23", r.x23}, {"x24", r.x24},
          {"x25", r.x25}, {"x26", r.x26}, {"x27", r.x27}, {"x28", r.x28}, {"d8", r.d8},
          {"d9", r.d9},   {"d10", r.d10}, {"d11", r.d11}, {"d12", r.d12}, {"d13", r.d13},
          {"d14", r.d14}, {"d15", r.d15}};
}

std::uintptr_t saved_stack_pointer(const SavedContext& r) noexcept { return r.sp; }
std::uintptr_t saved_frame_pointer(const SavedContext& r) noexcept { return r.fp; }
std::uintptr_t saved_resume_address(const SavedContext& r) noexcept { return r.lr; }

}  // namespace corosh::detail

#endif
