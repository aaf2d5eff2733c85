// thread_state.cpp — per-thread runtime state and its set-up and tear-down.
#include "thread_state.hpp"

#include "fault_handler.hpp"
#include "registry_internal.hpp"
#include "stack_pool.hpp"

namespace corosh::detail {

thread_local constinit ThreadState this_thread __attribute__((tls_model("initial-exec")));
constinit Control unprepared_thread_root{Control::ThreadRoot{}};
const std::uint64_t guarded_stack_canary = stack_canary;
const std::uint64_t not_a_canary = ~stack_canary;
// "Something caught": the address is only ever tested against null.
constinit const ExceptionState busy_gate{const_cast<ExceptionState*>(&busy_gate), 0};

namespace {

// Owns what a thread must give back when it exits. Kept apart from
// ThreadState so that only the first coroutine of a thread pays for the
// thread_local destructor registration.
struct ThreadResources {
  ThreadRegistry registry;
  // The thread's own stack as a context: its registers and exception state
  // while one of its coroutines runs. Id 0, state running, never registered.
  Control root{Control::ThreadRoot{}};
  ~ThreadResources() {
    // Coroutines other threads destroyed the handles of are freed here, on
    // their own thread, while its runtime still works (they may unwind).
    free_handed_back(unlink_thread(registry));
    this_thread.current = &unprepared_thread_root;
    this_thread.self = nullptr;
    drain_stack_pool();
    release_fault_handling();
    this_thread.registry = nullptr;
  }
};

}  // namespace

std::exception_ptr& escaped_exception() noexcept {
  static thread_local std::exception_ptr escaped;
  return escaped;
}

void prepare_thread(ThreadState& thread) {
  static thread_local ThreadResources resources;
  thread.live_exceptions = exception_globals();
  update_gate(thread);
  thread.registry = &resources.registry;
  resources.registry.owner = &thread;
  thread.current = &resources.root;
  thread.self = &thread;
  link_thread(resources.registry);
  prepare_fault_handling();
}

void update_gate(ThreadState& thread) noexcept {
  const bool plain = thread.hooks == 0 && thread.parked_exception_states == 0 && thread.live_exceptions;
  thread.gate = plain ? thread.live_exceptions : &busy_gate;
}

void set_switch_hook(ThreadState& thread, SwitchHook hook, bool on) noexcept {
  if (on) thread.hooks |= hook;
  else thread.hooks &= ~std::uint32_t(hook);
  update_gate(thread);
}

}  // namespace corosh::detail
