// corosh/detail/switch.hpp — the hot path of resume() and yield(), inline.
//
// Internal. Why inline: corosh_switch leaves by an indirect jump, so after a
// switch the CPU's return-stack predictor holds the *other* context's return
// addresses, and every `ret` on the way out of an out-of-line resume() or
// yield() would be mispredicted (measured: about 15 ns per round trip).
// Inlined, the switch sits in the caller's own frame and nothing returns
// through the stale predictions. Everything rare (errors, cancellation,
// tracing, reporting a death) stays out of line.
#pragma once

#include <corosh/detail/control.hpp>
#include <corosh/error.hpp>
#include <corosh/trace.hpp>

extern "C" void corosh_switch(corosh::detail::SavedContext* from,
                              const corosh::detail::SavedContext* to);
extern "C" void corosh_trampoline();

namespace corosh::detail {

struct ThreadRegistry;

// What each thread knows about its coroutines. Constant-initialised and
// trivially destructible on purpose: reaching a thread_local like this costs
// no guard check. What needs cleaning up at thread exit hangs off `registry`.
struct ThreadState {
  Control* current = nullptr;          // running coroutine; null on the thread's stack
  ContextRecord thread_context;        // the thread's own stack while a coroutine runs
  ExceptionState* live_exceptions = nullptr;  // this thread's __cxa_eh_globals
  ThreadRegistry* registry = nullptr;  // this thread's coroutines (registry.cpp)
  SwitchObserver observer = nullptr;   // trace.hpp; null almost always
  void* observer_context = nullptr;
};

// initial-exec: every switch reads it, and the general-dynamic model would
// make that a __tls_get_addr call. constinit: no dynamic initialiser, so no
// TLS-init check before each access.
extern thread_local constinit ThreadState this_thread __attribute__((tls_model("initial-exec")));

// The value the canary word at the base of an unguarded stack must keep.
inline constexpr std::uint64_t stack_canary = 0xC0205CA7A11E5EEDull;

// Out-of-line, cold halves of resume() and yield().
[[noreturn, gnu::cold]] void refuse_resume(const Control* c);
[[noreturn, gnu::cold]] void refuse_yield_outside();
[[noreturn, gnu::cold]] void unwind_now();
[[noreturn, gnu::cold]] void canary_overwritten(const Control* c);
[[gnu::cold]] void report_death(Control* c);
[[gnu::cold]] void notify_switch(SwitchEvent::Kind kind, const Control* from, const Control* to) noexcept;

// Makes `to` the running context: exception state, then registers.
inline void switch_context(ContextRecord* from, ContextRecord* to) noexcept {
  ExceptionState* live = this_thread.live_exceptions;
  from->exceptions = *live;
  *live = to->exceptions;
  corosh_switch(&from->registers, &to->registers);
}

// resume(); `by_loop` lets the event loop wake a coroutine parked on it.
template <bool by_loop>
inline void resume_now(Control* c) {
  ThreadState& thread = this_thread;
  if ((c->state != State::created && c->state != State::suspended) || c->thread != &thread ||
      (!by_loop && c->waiting)) [[unlikely]]
    refuse_resume(c);
  Control* from = thread.current;
  ContextRecord* save = from ? &from->context : &thread.thread_context;
  if (from) from->state = State::normal;
  c->resumer = from;
  c->resumer_context = save;
  c->state = State::running;
  ++c->switches;
  thread.current = c;
  if (thread.observer) [[unlikely]]
    notify_switch(SwitchEvent::resume, from, c);
  switch_context(save, &c->context);
  // Back when c yielded, returned, threw or faulted; whoever switched here
  // already made `from` current again.
  if (from) from->state = State::running;
  if (c->state == State::dead) [[unlikely]]
    report_death(c);
}

inline void yield_now() {
  ThreadState& thread = this_thread;
  Control* c = thread.current;
  if (c == nullptr) [[unlikely]]
    refuse_yield_outside();
  if (c->cancel_requested) [[unlikely]]
    unwind_now();
  if (c->canary != nullptr && *c->canary != stack_canary) [[unlikely]]
    canary_overwritten(c);
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (sp < c->lowest_sp) [[unlikely]]
    c->lowest_sp = sp;
  c->state = State::suspended;
  thread.current = c->resumer;
  if (thread.observer) [[unlikely]]
    notify_switch(SwitchEvent::yield, c, c->resumer);
  switch_context(&c->context, c->resumer_context);
  if (c->cancel_requested) [[unlikely]]
    unwind_now();
}

}  // namespace corosh::detail
