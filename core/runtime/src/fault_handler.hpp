// fault_handler.hpp — SIGSEGV/SIGBUS inside coroutines.
#pragma once

#include <corosh/detail/control.hpp>

#include <string>

namespace corosh::detail {

// Installs the process's fault handler (once) and this thread's alternate
// signal stack and landing stack.
void prepare_fault_handling();
// Frees this thread's signal stacks (at thread exit).
void release_fault_handling() noexcept;
// The one-line report of a contained fault, for corosh::Fault.
std::string fault_message(const Control& c);

}  // namespace corosh::detail
