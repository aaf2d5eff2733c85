// coroutine.cpp — creating, resuming, yielding and ending coroutines.
//
// The life of a coroutine, as seen from its control record:
//   created --resume--> running --yield--> suspended --resume--> running ...
//   running --resume(other)--> normal --(other yields or dies)--> running
//   running --return/throw--> dead;  suspended --cancel--> (unwinds) dead
//
// A coroutine always switches back to the context that resumed it
// (asymmetric), through that context's ContextRecord; exception state
// travels with the registers (see thread_state.hpp).
#include <corosh/coroutine.hpp>

#include "context.hpp"
#include "coroutine_internal.hpp"
#include "fault_handler.hpp"
#include "registry_internal.hpp"
#include "stack_pool.hpp"
#include "thread_state.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace corosh {

std::string_view to_string(State state) noexcept {
  switch (state) {
    case State::created: return "created";
    case State::suspended: return "suspended";
    case State::running: return "running";
    case State::normal: return "normal";
    case State::dead: return "dead";
  }
  return "?";
}

std::string_view to_string(Ending ending) noexcept {
  switch (ending) {
    case Ending::none: return "none";
    case Ending::returned: return "returned";
    case Ending::threw: return "threw";
    case Ending::cancelled: return "cancelled";
    case Ending::faulted: return "faulted";
  }
  return "?";
}

namespace detail {

std::string describe_for_error(const Control* c) {
  std::string s = "coroutine " + std::to_string(c->id);
  if (c->name[0] != '\0') s += std::string(" '") + c->name + "'";
  return s;
}

[[noreturn]] void refuse(const Control* c, const char* action, const std::string& why) {
  throw Error(std::string("corosh: cannot ") + action + " " + describe_for_error(c) + ": " + why);
}

namespace {

std::atomic<std::uint64_t> next_id{1};

// Control records and bodies sit at the top of the stack; frames need at
// least this much below them to be worth starting.
constexpr std::size_t minimum_frame_space = 8192;



void destroy_body(Control* c) noexcept {
  if (c->body == nullptr) return;
  BodyBase* body = c->body;
  c->body = nullptr;
  body->~BodyBase();
}

// Where every coroutine begins (called from corosh_trampoline) and ends.
void entry(void* argument) {
  auto* c = static_cast<Control*>(argument);
  try {
    c->body->run();
    c->ending = c->cancel_requested ? Ending::cancelled : Ending::returned;
  } catch (const Unwind&) {
    c->ending = Ending::cancelled;
  } catch (...) {
    c->exception = std::current_exception();
    c->ending = Ending::threw;
  }
  destroy_body(c);
  c->state = State::dead;
  ThreadState& thread = this_thread;
  if (thread.observer) [[unlikely]]
    notify_switch(SwitchEvent::finish, c, c->resumer);
  thread.current = c->resumer;
  switch_context(&c->context, c->resumer_context);
  // Nobody switches to a dead coroutine (resume refuses), so this is unreachable.
  std::abort();
}

void check_stack(Control* c) {
  if (c->canary != nullptr && *c->canary != stack_canary) [[unlikely]] {
    std::fprintf(stderr,
                 "corosh: %s overflowed its unguarded %zu KiB stack (canary at %p "
                 "overwritten); memory below it is corrupt, aborting\n",
                 describe_for_error(c).c_str(), c->stack.size / 1024,
                 static_cast<void*>(c->canary));
    std::abort();
  }
}

// After resume() got control back from a coroutine that is now dead.
void report_death(Control* c) {
  if (c->ending == Ending::threw && c->exception) {
    std::exception_ptr e = std::move(c->exception);
    c->exception = nullptr;
    std::rethrow_exception(e);
  }
  if (c->ending == Ending::faulted) {
    throw Fault(fault_message(*c), c->fault_signal, c->fault_address);
  }
}

}  // namespace

namespace {

// Out of line and cold, so that building the message costs the hot path
// neither code nor a larger stack frame.
[[noreturn, gnu::cold, gnu::noinline]] void refuse_resume(const Control* c) {
  switch (c->state) {
    case State::running: refuse(c, "resume", "it is running (a coroutine cannot resume itself)");
    case State::normal: refuse(c, "resume", "it is waiting for a coroutine it resumed (state normal)");
    case State::dead:
      refuse(c, "resume", std::string("it is dead (") + std::string(to_string(c->ending)) + ")");
    case State::created:
    case State::suspended: break;
  }
  if (c->waiting)
    refuse(c, "resume", std::string("it is waiting (") + c->wait_reason + "); the event loop resumes it");
  refuse(c, "resume", "it belongs to another thread");
}

[[noreturn, gnu::cold, gnu::noinline]] void refuse_yield_outside() {
  throw Error("corosh: yield() called outside any coroutine (on the thread's own stack)");
}

}  // namespace

void resume_control(Control* c) {
  ThreadState& thread = this_thread;
  if ((c->state != State::created && c->state != State::suspended) || c->thread != &thread) [[unlikely]]
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
  // Back here when c yielded, returned, threw, or faulted; whoever left
  // already made `from` current again.
  if (from) from->state = State::running;
  if (c->state == State::dead) report_death(c);
}

void cancel_control(Control* c) {
  switch (c->state) {
    case State::dead: return;
    case State::created:
      destroy_body(c);
      c->state = State::dead;
      c->ending = Ending::cancelled;
      return;
    case State::running: refuse(c, "cancel", "it is running (return or throw from it instead)");
    case State::normal: refuse(c, "cancel", "it is waiting for a coroutine it resumed (state normal)");
    case State::suspended: break;
  }
  c->cancel_requested = true;
  // yield() throws Unwind as soon as the coroutine runs again. Code that
  // swallows Unwind and yields anyway gets it again; give up after a while
  // rather than loop forever.
  for (int attempt = 0; attempt < 64 && c->state != State::dead; ++attempt) resume_control(c);
  if (c->state != State::dead)
    refuse(c, "cancel", "it keeps catching corosh::Unwind without rethrowing it");
}

Control* current_control() noexcept { return this_thread.current; }

void notify_switch(SwitchEvent::Kind kind, const Control* from, const Control* to) noexcept {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  SwitchEvent event{kind, from ? from->id : 0, to ? to->id : 0, now};
  this_thread.observer(event, this_thread.observer_context);
}

Control* create_control(const CreateRequest& request, void** body_storage) {
  ThreadState& thread = prepared_thread();
  Stack stack = acquire_stack(request.stack_size);

  // From the top of the stack down: control record, body, frame record.
  auto top = reinterpret_cast<std::uintptr_t>(stack.top());
  std::uintptr_t at = (top - sizeof(Control)) & ~std::uintptr_t(63);
  auto* c = ::new (reinterpret_cast<void*>(at)) Control{};
  const std::size_t align = request.body_align < 16 ? 16 : request.body_align;
  std::uintptr_t body = (at - request.body_size) & ~std::uintptr_t(align - 1);
  if (body < reinterpret_cast<std::uintptr_t>(stack.base) + minimum_frame_space) {
    c->~Control();
    release_stack(stack, top);
    throw Error("corosh: a " + std::to_string(stack.size / 1024) +
                " KiB stack cannot hold this coroutine's function and arguments (" +
                std::to_string(request.body_size) + " bytes)");
  }
  *body_storage = reinterpret_cast<void*>(body);

  c->id = next_id.fetch_add(1, std::memory_order_relaxed);
  c->state = State::created;
  c->ending = Ending::none;
  c->thread = &thread;
  c->stack = stack;
  c->lowest_sp = body;
  c->site_file = request.site_file;
  c->site_function = request.site_function;
  c->site_line = request.site_line;
  const std::size_t n = request.name_length < name_capacity - 1 ? request.name_length : name_capacity - 1;
  if (n) std::memcpy(c->name, request.name, n);
  c->name[n] = '\0';
  if (!stack.guarded) {
    c->canary = reinterpret_cast<std::uint64_t*>(stack.base);
    *c->canary = stack_canary;
  }
  register_coroutine(*thread.registry, c);
  return c;
}

void start(Control* c, BodyBase* body) noexcept {
  c->body = body;
  auto* frame_top = reinterpret_cast<std::byte*>(reinterpret_cast<std::uintptr_t>(body) & ~std::uintptr_t(15));
  std::memset(frame_top - 16, 0, 16);  // the terminating frame record
  prepare_context(c->context.registers, frame_top, &entry, c);
}

void abandon(Control* c) noexcept {
  unregister_coroutine(*this_thread.registry, c);
  Stack stack = c->stack;
  c->~Control();
  release_stack(stack, reinterpret_cast<std::uintptr_t>(stack.top()));
}

}  // namespace detail

void yield() {
  detail::ThreadState& thread = detail::this_thread;
  detail::Control* c = thread.current;
  if (c == nullptr) [[unlikely]]
    detail::refuse_yield_outside();
  if (c->cancel_requested) throw Unwind{};
  detail::check_stack(c);
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (sp < c->lowest_sp) c->lowest_sp = sp;
  c->state = State::suspended;
  thread.current = c->resumer;
  if (thread.observer) [[unlikely]]
    detail::notify_switch(SwitchEvent::yield, c, c->resumer);
  detail::switch_context(&c->context, c->resumer_context);
  if (c->cancel_requested) throw Unwind{};
}

void set_switch_observer(SwitchObserver observer, void* context) noexcept {
  detail::this_thread.observer = observer;
  detail::this_thread.observer_context = context;
}

Coroutine::Coroutine(Coroutine&& other) noexcept : control_(other.control_) {
  other.control_ = nullptr;
  if (control_) control_->owner = this;
}

Coroutine& Coroutine::operator=(Coroutine&& other) noexcept {
  if (this != &other) {
    release();
    control_ = other.control_;
    other.control_ = nullptr;
    if (control_) control_->owner = this;
  }
  return *this;
}

Coroutine::~Coroutine() { release(); }

void Coroutine::release() noexcept {
  detail::Control* c = control_;
  if (c == nullptr) return;
  control_ = nullptr;
  if (c->state == State::running || c->state == State::normal) {
    std::fprintf(stderr, "corosh: %s destroyed while %s; aborting\n",
                 detail::describe_for_error(c).c_str(), std::string(to_string(c->state)).c_str());
    std::abort();
  }
  try {
    detail::cancel_control(c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corosh: while destroying %s: %s\n", detail::describe_for_error(c).c_str(), e.what());
  } catch (...) {
    std::fprintf(stderr, "corosh: while destroying %s: an exception escaped its unwinding\n",
                 detail::describe_for_error(c).c_str());
  }
  if (c->state != State::dead) {
    // It refused to unwind; its frames still reference the stack, so the
    // stack cannot be reused. Leak it rather than corrupt it.
    return;
  }
  detail::unregister_coroutine(*detail::this_thread.registry, c);
  detail::Stack stack = c->stack;
  std::uintptr_t lowest = c->lowest_sp;
  c->~Control();
  detail::release_stack(stack, lowest);
}

void Coroutine::resume() {
  if (control_ == nullptr) [[unlikely]]
    throw Error("corosh: resume() on an empty (moved-from) coroutine");
  if (control_->waiting) [[unlikely]]
    detail::refuse_resume(control_);
  detail::resume_control(control_);
}

void Coroutine::cancel() {
  if (control_ == nullptr) return;
  detail::cancel_control(control_);
}

State Coroutine::state() const noexcept { return control_ ? control_->state : State::dead; }
Ending Coroutine::ending() const noexcept { return control_ ? control_->ending : Ending::none; }
std::uint64_t Coroutine::id() const noexcept { return control_ ? control_->id : 0; }
std::string_view Coroutine::name() const noexcept { return control_ ? control_->name : ""; }

Coroutine* Coroutine::current() noexcept {
  detail::Control* c = detail::this_thread.current;
  return c ? c->owner : nullptr;
}

}  // namespace corosh
