// thread_state.cpp — per-thread runtime state and its set-up and tear-down.
#include "thread_state.hpp"

#include "fault_handler.hpp"
#include "registry_internal.hpp"
#include "stack_pool.hpp"

namespace corosh::detail {

thread_local constinit ThreadState this_thread __attribute__((tls_model("initial-exec")));

namespace {

// Owns what a thread must give back when it exits. Kept apart from
// ThreadState so that only the first coroutine of a thread pays for the
// thread_local destructor registration.
struct ThreadResources {
  ThreadRegistry registry;
  ~ThreadResources() {
    unlink_thread(registry);
    drain_stack_pool();
    release_fault_handling();
    this_thread.registry = nullptr;
  }
};

}  // namespace

void prepare_thread(ThreadState& thread) {
  static thread_local ThreadResources resources;
  thread.live_exceptions = exception_globals();
  thread.registry = &resources.registry;
  link_thread(resources.registry);
  prepare_fault_handling();
}

}  // namespace corosh::detail
