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

// AddressSanitizer must be told about every stack switch: it keeps per-stack
// state (the stack's bounds, and with detect_stack_use_after_return a "fake
// stack" of heap-allocated frames), and without the annotations it reports
// false stack overflows, unpoisons the wrong memory on throw, or crashes.
// GCC defines __SANITIZE_ADDRESS__; Clang answers __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define COROSH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COROSH_ASAN 1
#endif
#endif
#if !defined(COROSH_ASAN)
#define COROSH_ASAN 0
#endif
#if COROSH_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

// The hot path below is inline for speed, and optimised builds inline it
// anyway. A sanitized build (-O1) would keep it out of line, which changes
// the frames every parked coroutine shows (the shell's `stack`, the
// unwinder): forced there, so that the tools check the shapes users see.
#if COROSH_ASAN
#define COROSH_HOT_INLINE [[gnu::always_inline]]
#else
#define COROSH_HOT_INLINE
#endif

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

// Makes `to` the running context: exception state, then registers. Returns
// when some context switches back to `from`. Under ASan, `from` keeps its
// fake stack across the switch (only a context that never runs again may
// drop it: see switch_away_for_good).
COROSH_HOT_INLINE inline void switch_context(ContextRecord* from, ContextRecord* to) noexcept {
  ExceptionState* live = this_thread.live_exceptions;
  from->exceptions = *live;
  *live = to->exceptions;
#if COROSH_ASAN
  __sanitizer_start_switch_fiber(&from->asan_fake_stack, to->stack_bottom, to->stack_size);
#endif
  corosh_switch(&from->registers, &to->registers);
#if COROSH_ASAN
  __sanitizer_finish_switch_fiber(from->asan_fake_stack, nullptr, nullptr);
#endif
}

// The last switch of a context that dies (a coroutine returning, or the
// landing stack of a faulted one): under ASan a null save slot tells it to
// free the dying context's fake stack. Never returns, but is deliberately
// not declared [[noreturn]]: Clang precedes every call to a noreturn function
// with __asan_handle_no_return, which unpoisons "the current stack" — on the
// fault landing stack that is still the dead coroutine's stack as far as ASan
// knows, and it warns of a bogus stack size instead.
inline void switch_away_for_good(ContextRecord* from, ContextRecord* to) noexcept {
  ExceptionState* live = this_thread.live_exceptions;
  from->exceptions = *live;
  *live = to->exceptions;
#if COROSH_ASAN
  __sanitizer_start_switch_fiber(nullptr, to->stack_bottom, to->stack_size);
#endif
  corosh_switch(&from->registers, &to->registers);
  // Nobody switches to a dead context (resume refuses), so this is unreachable.
  __builtin_trap();
}

// First thing on a new coroutine's stack: completes the switch that started
// it. The thread's own stack bounds are learned here, the first time a
// coroutine is resumed from it (ASan reports where the switch came from).
inline void arrive_on_new_stack([[maybe_unused]] ContextRecord* resumer) noexcept {
#if COROSH_ASAN
  const void* bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_finish_switch_fiber(nullptr, &bottom, &size);
  if (resumer->stack_bottom == nullptr) {
    resumer->stack_bottom = bottom;
    resumer->stack_size = size;
  }
#endif
}

// resume(); `by_loop` lets the event loop wake a coroutine parked on it.
template <bool by_loop>
COROSH_HOT_INLINE inline void resume_now(Control* c) {
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

COROSH_HOT_INLINE inline void yield_now() {
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
