// context.hpp — the architecture seam of the C++ side: laying out a new
// context and reading a saved one. One implementation per architecture
// (context_x86_64.cpp, context_arm64.cpp).
#pragma once

#include <corosh/detail/control.hpp>
#include <corosh/registry.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace corosh::detail {

// Makes `regs` a context that, when switched to, runs entry(argument) on the
// stack whose highest usable address is `top` (16-byte aligned, with 16
// zeroed bytes at top - 16 that become the terminating frame record).
void prepare_context(SavedContext& regs, std::byte* top, void (*entry)(void*),
                     void* argument) noexcept;

// The saved registers in the architecture's usual display order.
std::vector<Register> saved_registers(const SavedContext& regs);

std::uintptr_t saved_stack_pointer(const SavedContext& regs) noexcept;
std::uintptr_t saved_frame_pointer(const SavedContext& regs) noexcept;
std::uintptr_t saved_resume_address(const SavedContext& regs) noexcept;

}  // namespace corosh::detail
