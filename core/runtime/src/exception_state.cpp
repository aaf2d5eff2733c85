// exception_state.cpp — the C++ runtime's per-thread exception state, and
// how a switch carries it.
//
// Both libstdc++ (libsupc++) and libc++abi keep, per thread, a struct that
// begins { caughtExceptions, uncaughtExceptions } and hand it out through
// __cxa_get_globals(). A coroutine that yields inside a catch block leaves its
// exception on that per-thread stack; if another context then throws and
// catches, the stack is corrupted. So each context keeps its own: a context
// switched away from with something caught or in flight parks that state in
// its ContextRecord, and gets it back when it is switched to again.
//
// Almost no switch has anything to carry, and the hot path knows that from
// one test of ThreadState::gate: while no context has state parked, a switch
// with an empty live state has nothing to copy in either direction. Only
// when the gate says otherwise does a switch come here.
#include "thread_state.hpp"

#include <cxxabi.h>

#include <cstring>

namespace corosh::detail {

namespace {

bool holds_something(const ExceptionState& s) noexcept { return s.caught != nullptr || s.uncaught != 0; }

}  // namespace

ExceptionState* exception_globals() noexcept {
  return reinterpret_cast<ExceptionState*>(abi::__cxa_get_globals());
}

void switch_slow_path(SwitchEvent::Kind kind, Control* from, Control* to) noexcept {
  ThreadState& thread = this_thread;
  if (thread.hooks) notify_switch(kind, from, to);
  // Whole 16-byte blocks, padding included, as the runtime laid them out.
  ExceptionState* live = thread.live_exceptions;
  ExceptionState incoming{};
  if (holds_something(to->context.exceptions)) {
    std::memcpy(&incoming, &to->context.exceptions, sizeof incoming);
    to->context.exceptions = ExceptionState{};  // a running context parks nothing
    --thread.parked_exception_states;
  }
  // A dying context's state goes with it (a fault inside a catch block
  // leaves its exception caught forever, as a crashed thread would).
  if (kind != SwitchEvent::finish && holds_something(*live)) {
    std::memcpy(&from->context.exceptions, live, sizeof *live);
    ++thread.parked_exception_states;
  }
  std::memcpy(live, &incoming, sizeof incoming);
  update_gate(thread);
}

}  // namespace corosh::detail
