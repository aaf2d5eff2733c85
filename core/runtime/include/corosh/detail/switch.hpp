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

#include <bit>
#include <cstddef>
#include <cstring>

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

// Features that want to see every switch, as bits of ThreadState::hooks,
// set and cleared through set_switch_hook. The hot path never tests them one
// by one: any bit set sends every switch through switch_slow_path (see
// ThreadState::gate), so each feature costs nothing while it is off, however
// many there are; a new one (per-coroutine time accounting, say) adds a bit
// here and its work in notify_switch, never a test of its own.
enum SwitchHook : std::uint32_t {
  hook_observer = 1,  // add_switch_observer (trace.hpp): the fan-out in switch_observers.cpp
};

// The root record of a thread that has not created a coroutine yet: it only
// makes yield() refuse (its attention says "thread root"); resuming is refused
// before it could be written (the coroutine belongs to another thread).
extern constinit Control unprepared_thread_root;

// What ThreadState::gate points at while a switch has more to do than the
// registers: never empty, so the hot path's one test fails.
extern constinit const ExceptionState busy_gate;

// What each thread knows about its coroutines. Constant-initialised and
// trivially destructible on purpose: reaching a thread_local like this costs
// no guard check. What needs cleaning up at thread exit hangs off `registry`.
struct ThreadState {
  // The running coroutine, or the thread's root record on its own stack;
  // never null.
  Control* current = &unprepared_thread_root;
  ThreadState* self = nullptr;         // &this_thread once prepared (cheaper to compare)
  // What the hot path tests, once per switch, to know that the registers are
  // all there is to switch: this thread's live exception state while no hook
  // is on and no suspended context holds exception state of its own, else
  // busy_gate. So a switch with nothing caught and nothing in flight, the
  // case of almost every switch, neither copies exception state nor tests
  // the hooks: it reads two words and branches once (update_gate keeps it).
  const ExceptionState* gate = &busy_gate;
  ExceptionState* live_exceptions = nullptr;  // this thread's __cxa_eh_globals
  std::uint32_t hooks = 0;             // SwitchHook bits; 0 almost always
  // How many suspended contexts of this thread keep exception state (they
  // were switched away from inside a catch block or during unwinding).
  std::uint32_t parked_exception_states = 0;
  ThreadRegistry* registry = nullptr;  // this thread's coroutines (registry.cpp)
  SwitchObserver observer = nullptr;   // switch_observers.cpp's fan-out (hook_observer)
  void* observer_context = nullptr;
};

// initial-exec: every switch reads it, and the general-dynamic model would
// make that a __tls_get_addr call. constinit: no dynamic initialiser, so no
// TLS-init check before each access.
extern thread_local constinit ThreadState this_thread __attribute__((tls_model("initial-exec")));

// True for a thread's root record (the thread's own stack), not a coroutine.
inline bool is_thread_root(const Control* c) noexcept { return c->attention & attention_thread_root; }

// Out-of-line, cold halves of resume() and yield().
[[noreturn, gnu::cold]] void refuse_resume(const Control* c);
[[gnu::cold]] void check_yield(const Control* c);  // refuses, or lets a cancelled one switch back
[[noreturn, gnu::cold]] void unwind_now();
[[gnu::cold]] void report_death(Control* c);
[[gnu::cold]] void notify_switch(SwitchEvent::Kind kind, const Control* from, const Control* to) noexcept;

// Everything a switch from `from` to `to` does besides the registers, when
// there is more than nothing: the hooks, then the exception state (`from`'s
// kept with it, `to`'s made live). For `finish` the dying context's state is
// dropped instead of kept.
[[gnu::cold]] void switch_slow_path(SwitchEvent::Kind kind, Control* from, Control* to) noexcept;

// Whether the coming switch is registers only (see ThreadState::gate).
COROSH_HOT_INLINE inline bool plain_switch(const ThreadState& thread) noexcept {
  const ExceptionState* gate = thread.gate;
  return (reinterpret_cast<std::uintptr_t>(gate->caught) | gate->uncaught) == 0;
}

// Makes `to` the running context's registers (the exception state already
// went through switch_slow_path if it had to). Returns when some context
// switches back to `from`. Under ASan, `from` keeps its fake stack across the
// switch (only a context that never runs again may drop it: see
// switch_away_for_good).
COROSH_HOT_INLINE inline void switch_context(ContextRecord* from, ContextRecord* to) noexcept {
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

// Whether resume() must refuse on the state alone: not created or suspended
// (0 and 1), or, unless the loop resumes it, waiting. Both bytes in one test.
template <bool by_loop>
COROSH_HOT_INLINE inline bool refuses_resume(const Control* c) noexcept {
  static_assert(offsetof(Control, waiting) == offsetof(Control, state) + 1 && sizeof(State) == 1);
  static_assert(std::endian::native == std::endian::little, "state is the low byte");
  std::uint16_t state_and_waiting;
  std::memcpy(&state_and_waiting, &c->state, sizeof state_and_waiting);
  return state_and_waiting & (by_loop ? 0x00FE : 0xFFFE);
}

// resume(); `by_loop` lets the event loop wake a coroutine parked on it.
//
// Only what the registry, the debugger and the guarantees need happens here:
// the checks, the state of both sides, one switch count, `current`, one test
// of the gate (hooks and exception state) and the registers. `from` is never
// null (a thread's own stack is its root record), so nothing branches on it.
template <bool by_loop>
COROSH_HOT_INLINE inline void resume_now(Control* c) {
  ThreadState& thread = this_thread;
  if (refuses_resume<by_loop>(c) || c->thread != thread.self) [[unlikely]]
    refuse_resume(c);
  Control* from = thread.current;
  from->state = State::normal;
  c->resumer = from;
  c->state = State::running;
  ++c->switches;  // counted here only: every yield pairs with the resume before it
  thread.current = c;
  if (!plain_switch(thread)) [[unlikely]]
    switch_slow_path(SwitchEvent::resume, from, c);
  switch_context(&from->context, &c->context);
  // Back when c yielded, returned, threw or faulted; whoever switched here
  // already made `from` current again.
  from->state = State::running;
  if (c->state == State::dead) [[unlikely]]
    report_death(c);
}

COROSH_HOT_INLINE inline void yield_now() {
  ThreadState& thread = this_thread;
  Control* c = thread.current;
  // One test for all that stops a yield: an overwritten canary, the thread's
  // own stack, a coroutine being cancelled (the last two point it at not_a_canary).
  if (*c->canary != stack_canary) [[unlikely]]
    check_yield(c);
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (sp < c->lowest_sp) [[unlikely]]
    c->lowest_sp = sp;
  c->state = State::suspended;
  Control* to = c->resumer;
  thread.current = to;
  if (!plain_switch(thread)) [[unlikely]]
    switch_slow_path(SwitchEvent::yield, c, to);
  switch_context(&c->context, &to->context);
  if (c->attention) [[unlikely]]
    unwind_now();
}

}  // namespace corosh::detail
