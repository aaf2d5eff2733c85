// corosh/fault.hpp — what happens when a coroutine crashes.
//
// corosh handles SIGSEGV and SIGBUS on an alternate signal stack, so even a
// coroutine that ran off the end of its stack into the guard page is named:
//
//   corosh: stack overflow in coroutine 7 'deep' (256 KiB stack, guard page hit at 0x7f...)
//
// By default the process then dies of the signal, as it would have anyway.
// With containment on (the shell turns it on), the faulting coroutine becomes
// dead/faulted instead and resume() throws corosh::Fault; the rest of the
// program goes on:
//
//   corosh::set_fault_containment(true);
//   try { co.resume(); } catch (const corosh::Fault& f) { ... }
//
// A contained coroutine's stack cannot be unwound: destructors of objects on
// it never run. Containment is for tools and teaching, not for servers.
// A fault is never contained when the coroutine's sp is below its own stack
// (an unguarded stack overflowed, or a large frame jumped the guard page):
// what lies below may be other coroutines' stacks, already overwritten, so
// the process is stopped with "ran off the end of its ... stack".
#pragma once

namespace corosh {

// Turns fault containment on or off for the whole process.
void set_fault_containment(bool on) noexcept;
// Whether faults in coroutines are contained.
bool fault_containment() noexcept;

}  // namespace corosh
