// thread_state.hpp — per-thread runtime state (see corosh/detail/switch.hpp)
// and its set-up.
#pragma once

#include <corosh/detail/switch.hpp>

#include <exception>

namespace corosh::detail {

// The C++ runtime's exception globals for this thread (exception_state.cpp).
ExceptionState* exception_globals() noexcept;

// Points thread.gate where it must: at the live exception state when a
// switch may skip everything but the registers, at busy_gate otherwise.
// Call it after every change to the hooks or the parked count.
void update_gate(ThreadState& thread) noexcept;

// Turns one SwitchHook of this thread on or off.
void set_switch_hook(ThreadState& thread, SwitchHook hook, bool on) noexcept;

// What escaped a coroutine's body, handed from its last moment (entry) to its
// resumer, which rethrows it right after the switch back. One per thread,
// not one per coroutine: nothing runs on the thread in between.
std::exception_ptr& escaped_exception() noexcept;

// First coroutine on this thread: finds its exception globals, registers it
// with the registry and the fault handler.
void prepare_thread(ThreadState& thread);

inline ThreadState& prepared_thread() {
  ThreadState& thread = this_thread;
  if (thread.registry == nullptr) [[unlikely]]
    prepare_thread(thread);
  return thread;
}

}  // namespace corosh::detail
