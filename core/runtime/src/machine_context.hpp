// machine_context.hpp — the seam between the fault handler and each
// platform's ucontext_t (one block per OS and architecture in
// machine_context.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace corosh::detail {

struct InterruptedRegisters {
  std::uintptr_t pc, sp, fp;
};

// The registers of the code a signal interrupted.
InterruptedRegisters interrupted_registers(const void* ucontext) noexcept;

// Makes the signal return into function(argument), running on the stack
// whose (16-byte aligned) top is `stack_top`, as if freshly called.
void redirect_after_signal(void* ucontext, void (*function)(void*), void* argument,
                           std::byte* stack_top) noexcept;

}  // namespace corosh::detail
