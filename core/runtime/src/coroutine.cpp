// coroutine.cpp — creating, ending and cancelling coroutines, and the cold
// halves of resume() and yield() (their hot paths are inline, in
// corosh/detail/switch.hpp).
//
// The life of a coroutine, as seen from its control record:
//   created --resume--> running --yield--> suspended --resume--> running ...
//   running --resume(other)--> normal --(other yields or dies)--> running
//   running --return/throw--> dead;  suspended --cancel--> (unwinds) dead
//
// A coroutine always switches back to the context that resumed it
// (asymmetric), through that context's ContextRecord; exception state
// travels with the registers.
#include <corosh/coroutine.hpp>
#include <corosh/registry.hpp>

#include "context.hpp"
#include <corosh/detail/coroutine_internal.hpp>
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

std::string_view to_string(Creator creator) noexcept {
  switch (creator) {
    case Creator::thread: return "thread";
    case Creator::coroutine: return "coroutine";
    case Creator::loop: return "loop";
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

// Ids are handed to each thread in blocks, so creating a coroutine needs no
// atomic operation; within a thread they still count up 1, 2, 3, ...
constexpr std::uint64_t id_block = 1024;
std::atomic<std::uint64_t> next_id_block{1};
thread_local constinit std::uint64_t next_id __attribute__((tls_model("initial-exec"))) = 0;
thread_local constinit std::uint64_t id_limit __attribute__((tls_model("initial-exec"))) = 0;

std::uint64_t new_id() noexcept {
  if (next_id == id_limit) [[unlikely]] {
    next_id = next_id_block.fetch_add(id_block, std::memory_order_relaxed);
    id_limit = next_id + id_block;
  }
  return next_id++;
}

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
  arrive_on_new_stack(&c->resumer->context);
  try {
    c->body->run();
    c->ending = (c->attention & attention_cancel) ? Ending::cancelled : Ending::returned;
  } catch (const Unwind&) {
    c->ending = Ending::cancelled;
  } catch (...) {
    escaped_exception() = std::current_exception();
    c->ending = Ending::threw;
  }
  destroy_body(c);
  c->state = State::dead;
  ThreadState& thread = this_thread;
  thread.current = c->resumer;
  if (!plain_switch(thread)) [[unlikely]]
    switch_slow_path(SwitchEvent::finish, c, c->resumer);
  switch_away_for_good(&c->context, &c->resumer->context);
}

}  // namespace

void refuse_resume(const Control* c) {
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

[[noreturn]] void canary_overwritten(const Control* c);

// Where yield() goes when its one test fails: refuses (throws, or aborts on
// an overwritten canary), or returns for a coroutine being cancelled, which
// still switches back so that cancel() counts the attempt: throwing Unwind
// before the switch would never leave a coroutine that swallows it.
void check_yield(const Control* c) {
  if (is_thread_root(c)) throw Error("corosh: yield() called outside any coroutine (on the thread's own stack)");
  if (!c->stack.guarded && *reinterpret_cast<const std::uint64_t*>(c->stack.base) != stack_canary)
    canary_overwritten(c);
  if (c->attention & attention_cancel) return;  // Unwind comes after the switch back
  canary_overwritten(c);  // unreachable: the canary pointer is one of the above
}

void unwind_now() { throw Unwind{}; }

[[noreturn]] void canary_overwritten(const Control* c) {
  std::fprintf(stderr,
               "corosh: %s overflowed its unguarded %zu KiB stack (canary at %p "
               "overwritten); memory below it is corrupt, aborting\n",
               describe_for_error(c).c_str(), c->stack.size / 1024, static_cast<void*>(c->stack.base));
  std::abort();
}

void report_death(Control* c) {
  if (c->ending == Ending::threw && escaped_exception()) {
    std::exception_ptr e = std::move(escaped_exception());
    escaped_exception() = nullptr;
    std::rethrow_exception(e);
  }
  if (c->ending == Ending::faulted) throw Fault(fault_message(*c), c->fault_signal, c->fault_address);
}

void notify_switch(SwitchEvent::Kind kind, const Control* from, const Control* to) noexcept {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  // A thread's root record has id 0: "the thread's own stack" in the event.
  SwitchEvent event{kind, from->id, to->id, now, from->name, to->name};
  if (this_thread.hooks & hook_observer) this_thread.observer(event, this_thread.observer_context);
}

void resume_control(Control* c) { resume_now<true>(c); }

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
  c->attention |= attention_cancel;
  c->canary = &not_a_canary;  // yield() leaves its fast path: see check_yield
  // yield() throws Unwind as soon as the coroutine runs again. Code that
  // swallows Unwind and yields anyway gets it again; give up after a while
  // rather than loop forever.
  for (int attempt = 0; attempt < 64 && c->state != State::dead; ++attempt) resume_now<true>(c);
  if (c->state != State::dead)
    refuse(c, "cancel", "it keeps catching corosh::Unwind without rethrowing it");
}

Control* current_control() noexcept {
  Control* c = this_thread.current;
  return is_thread_root(c) ? nullptr : c;
}

Control* create_control(const CreateRequest& request, void** body_storage) {
  ThreadState& thread = prepared_thread();
  if (thread.registry->has_handed_back.load(std::memory_order_acquire)) [[unlikely]]
    free_handed_back(take_handed_back(*thread.registry));
  thread.registry->by_id.reserve_one();  // the only step that may fail; before the stack
  Stack stack = request.guard_required ? acquire_stack(request.stack_size, request.guard_reserve)
                                       : acquire_stack(request.stack_size);

  // From the top of the stack down: control record, body, frame record.
  auto top = reinterpret_cast<std::uintptr_t>(stack.top());
  std::uintptr_t at = (top - sizeof(Control)) & ~std::uintptr_t(63);
  const std::size_t align = request.body_align < 16 ? 16 : request.body_align;
  std::uintptr_t body = (at - request.body_size) & ~std::uintptr_t(align - 1);
  if (body < reinterpret_cast<std::uintptr_t>(stack.base) + minimum_frame_space) [[unlikely]] {
    release_stack(stack, top);
    throw Error("corosh: a " + std::to_string(stack.size / 1024) +
                " KiB stack cannot hold this coroutine's function and arguments (" +
                std::to_string(request.body_size) + " bytes)");
  }
  *body_storage = reinterpret_cast<void*>(body);

  // Default-initialised, then every scalar set here: zeroing the whole
  // record (name and wait-reason buffers included) would dominate creation.
  auto* c = ::new (reinterpret_cast<void*>(at)) Control;
  c->resumer = nullptr;
  c->body = nullptr;
  c->owner = nullptr;
  c->thread = &thread;
  c->yielded = nullptr;
  c->format_yielded = nullptr;
  c->canary = &guarded_stack_canary;
  c->id = new_id();
  // The thread's root record has id 0: created on the thread's own stack.
  c->parent = thread.current->id;
  c->creator = c->parent != 0 ? Creator::coroutine : Creator::thread;
  c->switches = 0;
  c->lowest_sp = body;
  c->state = State::created;
  c->ending = Ending::none;
  c->attention = 0;
  c->waiting = false;
  c->wait_deadline_ns = 0;
  c->fault_signal = 0;
  c->fault_address = c->fault_pc = c->fault_fp = c->fault_sp = 0;
  c->site_file = request.site_file;
  c->site_function = request.site_function;
  c->site_line = request.site_line;
  const std::size_t n = request.name_length < name_capacity - 1 ? request.name_length : name_capacity - 1;
  if (n) std::memcpy(c->name, request.name, n);
  c->name[n] = '\0';
  c->wait_reason[0] = '\0';
  c->stack = stack;
  c->context.stack_bottom = stack.base;
  c->context.stack_size = stack.size;
  if (!stack.guarded) {
    auto* canary = reinterpret_cast<std::uint64_t*>(stack.base);
    *canary = stack_canary;
    c->canary = canary;
  }
  auto* frame_top = reinterpret_cast<std::byte*>(body & ~std::uintptr_t(15));
  std::memset(frame_top - 16, 0, 16);  // the terminating frame record
  prepare_context(c->context.registers, frame_top, &entry, c);
  register_coroutine(*thread.registry, c);
  return c;
}

void handed_to_loop(std::uint64_t id) noexcept {
  ThreadRegistry* r = this_thread.registry;
  Control* c = r != nullptr && id != 0 ? r->by_id.find(id) : nullptr;
  if (c != nullptr && c->creator == Creator::thread) c->creator = Creator::loop;
}

void abandon(Control* c) noexcept {
  unregister_coroutine(*this_thread.registry, c);
  Stack stack = c->stack;
  c->~Control();
  release_stack(stack, reinterpret_cast<std::uintptr_t>(stack.top()));
}

}  // namespace detail

void Coroutine::refuse_empty() { throw Error("corosh: resume() on an empty (moved-from) coroutine"); }

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

namespace detail {
namespace {

// Frees a coroutine whose thread's runtime is gone (the thread exited, or
// this is a static Coroutine destroyed after main() returned): there is no
// registry to leave and no pool to return to, and a suspended coroutine
// cannot be resumed there to unwind it. Its memory goes back; what was
// skipped is said.
void free_orphan(Control* c) noexcept {
  if (c->state == State::created) cancel_control(c);  // drops the stored function: no switch
  if (c->state != State::dead)
    std::fprintf(stderr,
                 "corosh: %s destroyed after its thread's runtime shut down (a static Coroutine outliving "
                 "main, or one whose thread has exited?); its stack is freed without unwinding it, so "
                 "destructors on it do not run\n",
                 describe_for_error(c).c_str());
  Stack stack = c->stack;
  c->~Control();
  unmap_stack(stack);
}

// Frees a coroutine on its own thread: unwinds a suspended one (so that its
// destructors run), takes it out of the registry, gives its stack back.
void destroy_control(Control* c) noexcept {
  if (c->state == State::running || c->state == State::normal) {
    std::fprintf(stderr, "corosh: %s destroyed while %s; aborting\n", describe_for_error(c).c_str(),
                 std::string(to_string(c->state)).c_str());
    std::abort();
  }
  if (c->state != State::dead) {
    try {
      cancel_control(c);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "corosh: while destroying %s: %s\n", describe_for_error(c).c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "corosh: while destroying %s: an exception escaped its unwinding\n",
                   describe_for_error(c).c_str());
    }
    if (c->state != State::dead) {
      // It refused to unwind; its frames still reference the stack, so the
      // stack cannot be reused. Leak it rather than corrupt it.
      return;
    }
  }
  unregister_coroutine(*this_thread.registry, c);
  Stack stack = c->stack;
  std::uintptr_t lowest = c->lowest_sp;
  c->~Control();
  release_stack(stack, lowest);
}

}  // namespace

void free_handed_back(std::vector<Control*> controls) noexcept {
  ThreadRegistry* registry = this_thread.registry;
  for (Control* c : controls) {
    // A thread whose state lies where an exited one's did would be handed
    // that one's coroutines: only what is in this registry is ours.
    if (registry == nullptr || registry->by_id.find(c->id) != c) {
      free_orphan(c);
    } else if (c->state == State::running || c->state == State::normal) {
      // Still on this thread's call stack: not now. Back in the queue.
      if (!hand_back(c)) free_orphan(c);
    } else {
      destroy_control(c);
    }
  }
}

}  // namespace detail

void Coroutine::release() noexcept {
  detail::Control* c = control_;
  if (c == nullptr) return;
  control_ = nullptr;
  detail::ThreadState& thread = detail::this_thread;
  // Another thread's coroutine: its registry and pool are that thread's,
  // used there without a lock, and only there can it be unwound. Hand it
  // back; its thread frees it at its next coroutine creation or its exit.
  if (c->thread != &thread) [[unlikely]] {
    if (!detail::hand_back(c)) detail::free_orphan(c);  // that thread is gone
    return;
  }
  // This thread's runtime has already been torn down: a Coroutine with
  // static storage duration destroyed after main() returned (thread_local
  // state goes first).
  if (thread.registry == nullptr) [[unlikely]] {
    detail::free_orphan(c);
    return;
  }
  detail::destroy_control(c);
}

bool forget_coroutine(std::uint64_t id) {
  detail::ThreadRegistry* r = detail::this_thread.registry;
  if (r == nullptr) return false;
  // Free first what other threads handed back: one of those is dead and
  // still registered, but its handle is gone and it is about to be freed.
  if (r->has_handed_back.load(std::memory_order_acquire)) detail::free_handed_back(detail::take_handed_back(*r));
  detail::Control* c = r->by_id.find(id);
  if (c == nullptr || c->state != State::dead || c->owner == nullptr) return false;
  // Emptied as a move empties it: whoever holds the handle holds a
  // moved-from Coroutine from now on, and this one frees it on leaving.
  Coroutine taken = std::move(*c->owner);
  return true;
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
  detail::Control* c = detail::current_control();
  return c ? c->owner : nullptr;
}

}  // namespace corosh
