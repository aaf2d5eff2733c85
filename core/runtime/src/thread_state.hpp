// thread_state.hpp — per-thread runtime state (see corosh/detail/switch.hpp)
// and its set-up.
#pragma once

#include <corosh/detail/switch.hpp>

namespace corosh::detail {

// The C++ runtime's exception globals for this thread (exception_state.cpp).
ExceptionState* exception_globals() noexcept;

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
