// thread_state.hpp — what each thread knows about its coroutines.
#pragma once

#include <corosh/detail/control.hpp>
#include <corosh/trace.hpp>

namespace corosh::detail {

struct ThreadRegistry;

// Trivially constructible and destructible on purpose: reaching a
// thread_local like this costs no guard check. Whatever needs cleaning up at
// thread exit hangs off `registry`, set up by prepare_thread().
struct ThreadState {
  Control* current = nullptr;          // running coroutine; null on the thread's stack
  ContextRecord thread_context;        // the thread's own stack while a coroutine runs
  ExceptionState* live_exceptions = nullptr;  // this thread's __cxa_eh_globals
  ThreadRegistry* registry = nullptr;  // this thread's coroutines (registry.cpp)
  SwitchObserver observer = nullptr;   // trace.hpp; null almost always
  void* observer_context = nullptr;
};

// Tells the observer about a switch (out of line: only tracing pays for it).
[[gnu::cold, gnu::noinline]] void notify_switch(SwitchEvent::Kind kind, const Control* from,
                                                const Control* to) noexcept;

// initial-exec: the runtime is linked into the program, and the default
// (general-dynamic) model would turn every switch into a __tls_get_addr call.
// constinit: tells the compiler there is no dynamic initialiser to run, so
// no TLS-init check precedes every access.
extern thread_local constinit ThreadState this_thread __attribute__((tls_model("initial-exec")));

// The C++ runtime's exception globals for this thread (exception_state.cpp).
ExceptionState* exception_globals() noexcept;

// First coroutine on this thread: finds its exception globals, registers it
// with the registry and the fault handler. Cheap to call again.
inline ThreadState& prepared_thread();
void prepare_thread(ThreadState& thread);

// Makes `to` the running context: exception state and registers.
inline void switch_context(ContextRecord* from, ContextRecord* to) noexcept;

}  // namespace corosh::detail

extern "C" void corosh_switch(corosh::detail::SavedContext* from,
                              const corosh::detail::SavedContext* to);
extern "C" void corosh_trampoline();

namespace corosh::detail {

inline ThreadState& prepared_thread() {
  ThreadState& thread = this_thread;
  if (thread.registry == nullptr) [[unlikely]]
    prepare_thread(thread);
  return thread;
}

inline void switch_context(ContextRecord* from, ContextRecord* to) noexcept {
  ExceptionState* live = this_thread.live_exceptions;
  from->exceptions = *live;
  *live = to->exceptions;
  corosh_switch(&from->registers, &to->registers);
}

}  // namespace corosh::detail
