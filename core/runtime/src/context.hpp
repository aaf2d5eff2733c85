// context.hpp — the architecture seam of the C++ side: laying out a new
// context (one implementation per architecture: context_x86_64.cpp,
// context_arm64.cpp) and reading the slots of a saved one.
#pragma once

#include <corosh/detail/control.hpp>

#include <cstddef>
#include <cstdint>

namespace corosh::detail {

// Makes `regs` a context that, when switched to, runs entry(argument) on the
// stack whose highest usable address is `top` (16-byte aligned, with 16
// zeroed bytes at top - 16 that become the terminating frame record).
void prepare_context(SavedContext& regs, std::byte* top, void (*entry)(void*),
                     void* argument) noexcept;

inline std::uintptr_t saved_stack_pointer(const SavedContext& r) noexcept { return r.COROSH_SP_FIELD; }
inline std::uintptr_t saved_frame_pointer(const SavedContext& r) noexcept { return r.COROSH_FP_FIELD; }
inline std::uintptr_t saved_resume_address(const SavedContext& r) noexcept { return r.COROSH_PC_FIELD; }

}  // namespace corosh::detail
