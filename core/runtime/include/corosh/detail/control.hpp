// corosh/detail/control.hpp — the control record behind every coroutine.
//
// Internal: included by the public headers because Coroutine's constructor is
// a template. Nothing here is part of the stable API.
//
// Each coroutine's control record lives at the top of its own stack, next to
// the stored function and its arguments, so creating a coroutine costs one
// pooled stack and no heap allocation. The debugger scripts read these structs by
// field name through debug information: rename a field, update debugger/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <tuple>
#include <utility>

#include <corosh/detail/context_layout.h>
#include <corosh/state.hpp>

namespace corosh {
class Coroutine;
}  // namespace corosh

namespace corosh::detail {

// The callee-saved registers of a suspended context, one member per slot of
// COROSH_SAVED_REGISTERS (asm/context_layout.h), at the offsets the assembly
// uses: the static_asserts below check every one.
template <int bytes>
using SlotWord = std::conditional_t<bytes == 8, std::uint64_t,
                                    std::conditional_t<bytes == 4, std::uint32_t, std::uint16_t>>;

struct SavedContext {
#define COROSH_SLOT(field, offset, bytes, dwarf, show, role) SlotWord<bytes> field;
  COROSH_SAVED_REGISTERS(COROSH_SLOT)
#undef COROSH_SLOT
};

#define COROSH_SLOT(field, offset, bytes, dwarf, show, role) \
  static_assert(offsetof(SavedContext, field) == (offset) && sizeof(SavedContext::field) == (bytes));
COROSH_SAVED_REGISTERS(COROSH_SLOT)
#undef COROSH_SLOT
static_assert(sizeof(SavedContext) == COROSH_CTX_SIZE);

// The C++ runtime's per-thread exception bookkeeping (__cxa_eh_globals:
// caught-exception stack and uncaught count). Each context keeps its own, so
// a coroutine suspended inside a catch block cannot corrupt another's
// exception state: a context switched away from with something caught or in
// flight parks it in its ContextRecord (exception_state.cpp); otherwise, as
// almost always, the switch copies nothing.
//
// Both runtimes' struct is 16 bytes on LP64 (a pointer, an unsigned and
// padding), moved as one 16-byte block.
struct ExceptionState {
  void* caught = nullptr;
  unsigned int uncaught = 0;
};
static_assert(sizeof(ExceptionState) == 16, "a switch copies the exception state as one 16-byte block");

// Everything a context leaves behind when it switches away.
//
// The last three fields serve AddressSanitizer's fiber annotations (see
// switch_context) and stay unused in other builds; they are always present so
// that the layout, which the debugger scripts read, does not depend on the build.
struct ContextRecord {
  SavedContext registers{};
  ExceptionState exceptions{};  // parked here while switched away, else empty
  // ASan's fake stack (the frames it moved to the heap to catch
  // use-after-return) of this context while it is switched away.
  void* asan_fake_stack = nullptr;
  // This context's stack, as ASan must be told when switching to it: the
  // coroutine's usable stack, or the thread's own stack, learned from ASan
  // when the thread first switches to a coroutine.
  const void* stack_bottom = nullptr;
  std::size_t stack_size = 0;
};

// One mmap'd stack: [mapping, mapping + guard) is PROT_NONE when guarded,
// [base, base + size) is usable and grows down from base + size.
struct Stack {
  std::byte* mapping = nullptr;
  std::size_t mapping_size = 0;
  std::byte* base = nullptr;
  std::size_t size = 0;
  bool guarded = false;
  // Valgrind's id for this stack (VALGRIND_STACK_REGISTER) while it is
  // mapped; 0 unless built with COROSH_VALGRIND.
  unsigned valgrind_id = 0;

  std::byte* top() const noexcept { return base + size; }
};

// Type-erased function + arguments, stored until the first resume.
struct BodyBase {
  virtual void run() = 0;
  virtual ~BodyBase() = default;
};

template <class F, class Tuple>
struct Body final : BodyBase {
  template <class FF, class TT>
  Body(FF&& f, TT&& args) : function(std::forward<FF>(f)), arguments(std::forward<TT>(args)) {}
  void run() override { std::apply(function, std::move(arguments)); }
  F function;
  Tuple arguments;
};

inline constexpr std::size_t name_capacity = 48;
inline constexpr std::size_t wait_reason_capacity = 64;

// Why yield() must leave its fast path, as bits of Control::attention: zero
// for a coroutine running normally, so yield() tests them all at once.
enum Attention : std::uint8_t {
  attention_cancel = 1,       // cancel() asked it to unwind: yield() throws Unwind
  attention_thread_root = 2,  // not a coroutine: a thread's own stack (yield() refuses)
};

// The value the canary word at the base of an unguarded stack must keep.
inline constexpr std::uint64_t stack_canary = 0xC0205CA7A11E5EEDull;
// Where a guarded stack's canary pointer points: it always holds the value.
extern const std::uint64_t guarded_stack_canary;
// Where the canary pointer of a record that must not yield points (a thread's
// root, a coroutine being cancelled): never the value, so yield()'s one canary
// test also sends those to its slow path.
extern const std::uint64_t not_a_canary;

// A coroutine's control record. Each thread also has one root record (see
// ThreadState) standing for the thread's own stack, so that the context a
// coroutine returns to is always a Control and the hot path never tests for
// "resumed from the thread": the root keeps only context, state and attention.
struct Control {
  struct ThreadRoot {};
  // Uninitialised on purpose: create_control sets every field it needs
  // (zeroing the name and wait-reason buffers would dominate creation).
  Control() = default;
  // A thread's root record: every field zero (id 0), running, marked as a root.
  constexpr explicit Control(ThreadRoot) noexcept
      : context{}, resumer{}, body{}, owner{}, thread{}, yielded{}, format_yielded{},
        canary{&not_a_canary}, id{}, parent{}, switches{}, lowest_sp{}, state{State::running}, waiting{},
        ending{}, attention{attention_thread_root}, creator{}, wait_deadline_ns{}, fault_signal{},
        fault_address{}, fault_pc{}, fault_fp{}, fault_sp{}, site_file{}, site_function{},
        site_line{}, name{}, wait_reason{}, stack{}, registry_prev{}, registry_next{} {}

  ContextRecord context;            // this coroutine, while it is not running
  Control* resumer;                 // whoever resumed it, while it runs (maybe a thread's root)
  BodyBase* body;                   // lives just below this record, on the stack
  Coroutine* owner;                 // the handle, kept up to date on moves
  void* thread;                     // the ThreadState of the thread it belongs to
  void* yielded;                    // Generator<T>: the value being handed out
  // Generator<T>: writes `yielded` as text (for the shell's `step`).
  void (*format_yielded)(const void* value, char* out, std::size_t size);
  // Lowest word of an unguarded stack, checked at yield; a guarded stack
  // points it at guarded_stack_canary, so the check needs no test first.
  const std::uint64_t* canary;
  std::uint64_t id;
  std::uint64_t parent;             // the coroutine running when it was created; 0: none
  std::uint64_t switches;
  std::uintptr_t lowest_sp;         // deepest saved sp seen (for stack hygiene)
  State state;
  bool waiting;                     // parked on the event loop: only the loop resumes it
  Ending ending;
  std::uint8_t attention;           // Attention bits; 0 almost always
  Creator creator;                  // who created it (the spawn tree); set once
  std::int64_t wait_deadline_ns;    // steady-clock deadline of that wait, 0 if none
  int fault_signal;
  std::uintptr_t fault_address;
  std::uintptr_t fault_pc, fault_fp, fault_sp;
  const char* site_file;
  const char* site_function;
  std::uint32_t site_line;
  char name[name_capacity];
  char wait_reason[wait_reason_capacity];
  Stack stack;
  Control* registry_prev;
  Control* registry_next;
};

struct CreateRequest {
  const char* name;
  std::size_t name_length;
  std::size_t stack_size;
  std::size_t body_size;
  std::size_t body_align;
  const char* site_file;
  const char* site_function;
  std::uint32_t site_line;
  bool guard_required;         // Options::guard_reserve was set
  std::size_t guard_reserve;   // ... to this
};

// Takes a stack, lays out a control record and the first context at its
// top and returns it; the caller constructs the body at `*body_storage` and
// stores it in control->body before the first resume.
Control* create_control(const CreateRequest& request, void** body_storage);
// Undoes create_control after a body constructor threw.
void abandon(Control* control) noexcept;
// The control record of the running coroutine, or null on a thread's own stack.
Control* current_control() noexcept;

}  // namespace corosh::detail
