// fault_handler.cpp — naming (and optionally containing) crashed coroutines.
//
// Traps:
//  - A stack overflow leaves no stack to run a handler on: the handler runs
//    on a per-thread alternate signal stack (sigaltstack + SA_ONSTACK).
//  - Only async-signal-safe calls in the handler: the report is formatted by
//    hand into a buffer and written with write(2).
//  - Containment never switches contexts inside the handler (that would leave
//    macOS believing the thread is still on its alternate stack, and the
//    signal mask changed). It rewrites the interrupted context so that the
//    kernel's sigreturn lands in fault_landing on a small per-thread landing
//    stack, which then switches back to the coroutine's resumer.
//  - Faults that are not ours (no coroutine running) go to whatever handler
//    was installed before, or kill the process as they would have.
#include <corosh/fault.hpp>

#include "fault_handler.hpp"
#include "machine_context.hpp"
#include "sanitizer.hpp"
#include "thread_state.hpp"

#include <corosh/coroutine.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace corosh::detail {
namespace {

constexpr std::size_t signal_stack_size = 64 * 1024;
constexpr std::size_t landing_stack_size = 64 * 1024;

std::atomic<bool> containment{false};
struct sigaction previous_segv, previous_bus;

// Both per-thread stacks live in one mapping: [signal stack][landing stack].
thread_local std::byte* thread_stacks __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local ContextRecord landing_record __attribute__((tls_model("initial-exec")));
thread_local unsigned landing_valgrind_id __attribute__((tls_model("initial-exec"))) = 0;

// A fixed buffer formatter that is safe inside a signal handler.
class Report {
 public:
  Report& text(const char* s) {
    while (*s && length_ < sizeof buffer_) buffer_[length_++] = *s++;
    return *this;
  }
  Report& decimal(std::uint64_t v) {
    char digits[24];
    int n = 0;
    do digits[n++] = char('0' + v % 10); while ((v /= 10) != 0);
    while (n > 0 && length_ < sizeof buffer_) buffer_[length_++] = digits[--n];
    return *this;
  }
  Report& hex(std::uint64_t v) {
    text("0x");
    char digits[16];
    int n = 0;
    do digits[n++] = "0123456789abcdef"[v & 15]; while ((v >>= 4) != 0);
    while (n > 0 && length_ < sizeof buffer_) buffer_[length_++] = digits[--n];
    return *this;
  }
  void write_to(int fd) const {
    std::size_t done = 0;
    while (done < length_) {
      ssize_t n = ::write(fd, buffer_ + done, length_ - done);
      if (n <= 0) return;
      done += std::size_t(n);
    }
  }
  const char* data() const { return buffer_; }
  std::size_t size() const { return length_; }

 private:
  char buffer_[512];
  std::size_t length_ = 0;
};

bool in_guard_page(const Control& c, std::uintptr_t address) {
  const auto guard_low = reinterpret_cast<std::uintptr_t>(c.stack.mapping);
  const auto guard_high = reinterpret_cast<std::uintptr_t>(c.stack.base);
  return c.stack.guarded && address >= guard_low && address < guard_high;
}

void describe_fault(Report& r, const Control& c, int signal, std::uintptr_t address) {
  r.text("corosh: ");
  if (in_guard_page(c, address)) r.text("stack overflow in ");
  else r.text(signal == SIGBUS ? "SIGBUS in " : "SIGSEGV in ");
  r.text("coroutine ").decimal(c.id);
  if (c.name[0] != '\0') r.text(" '").text(c.name).text("'");
  r.text(" (").decimal(c.stack.size / 1024).text(" KiB stack");
  if (in_guard_page(c, address)) r.text(", guard page hit at ");
  else r.text(", bad access at ");
  r.hex(address).text(")");
}

// Whether the coroutine's frames reached below its own stack: its sp lies
// under the stack (or under the guard page a large frame jumped over), or an
// unguarded stack's canary word, its lowest, was overwritten. The memory down
// there may be another coroutine's stack and control record, already
// overwritten: such a fault cannot be contained.
bool ran_off_its_stack(const Control& c, std::uintptr_t sp) {
  const auto lowest = reinterpret_cast<std::uintptr_t>(c.stack.guarded ? c.stack.mapping : c.stack.base);
  if (sp < lowest || sp > reinterpret_cast<std::uintptr_t>(c.stack.top())) return true;
  return !c.stack.guarded && *c.canary != stack_canary;
}

void describe_runaway(Report& r, const Control& c, std::uintptr_t sp) {
  r.text("corosh: coroutine ").decimal(c.id);
  if (c.name[0] != '\0') r.text(" '").text(c.name).text("'");
  r.text(" ran off the end of its ").decimal(c.stack.size / 1024).text(" KiB stack");
  r.text(c.stack.guarded ? " (past its guard page" : " (unguarded");
  r.text(", sp ").hex(sp).text(", stack at ").hex(reinterpret_cast<std::uintptr_t>(c.stack.base));
  r.text("): the memory below it, perhaps other coroutines' stacks and records, may be overwritten, so this "
         "fault is not contained; stopping");
}

// Runs on the landing stack after sigreturn; never returns.
void fault_landing(void* argument) {
  auto* c = static_cast<Control*>(argument);
  c->state = State::dead;
  c->ending = Ending::faulted;
  c->body = nullptr;  // its frames (and the body) are abandoned, not destroyed
  // Those frames never return, so ASan would keep their redzones poisoned
  // (the unwinder still reads their frame records, which are not redzones).
  unpoison_stack(c->stack.base, c->stack.size);
  ThreadState& thread = this_thread;
  // It stopped running as surely as one that returned: an observer (a trace)
  // must not see it run on forever.
  thread.current = c->resumer;
  if (!plain_switch(thread)) [[unlikely]]
    switch_slow_path(SwitchEvent::finish, c, c->resumer);
  // The coroutine is dead: ASan may free its fake stack.
  switch_away_for_good(&landing_record, &c->resumer->context);
}

void pass_on(int signal, siginfo_t* info, void* uc) {
  const struct sigaction& previous = signal == SIGBUS ? previous_bus : previous_segv;
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(signal, info, uc);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signal);
    return;
  }
  // Returning re-executes the faulting instruction, which now kills the
  // process with the signal, as if we had never been here.
  ::signal(signal, SIG_DFL);
}

void on_fault(int signal, siginfo_t* info, void* uc) {
  Control* c = this_thread.current;
  if (is_thread_root(c) || thread_stacks == nullptr) {
    pass_on(signal, info, uc);
    return;
  }
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  const InterruptedRegisters at = interrupted_registers(uc);
  c->fault_signal = signal;
  c->fault_address = address;
  c->fault_pc = at.pc;
  c->fault_sp = at.sp;
  c->fault_fp = at.fp;
  if (ran_off_its_stack(*c, at.sp)) [[unlikely]] {
    Report report;
    describe_runaway(report, *c, at.sp);
    report.text("\n").write_to(STDERR_FILENO);
    ::signal(signal, SIG_DFL);  // returning re-executes the access, now fatal
    return;
  }
  if (containment.load(std::memory_order_relaxed)) {
    redirect_after_signal(uc, &fault_landing, c,
                          thread_stacks + signal_stack_size + landing_stack_size);
    return;
  }
  Report report;
  describe_fault(report, *c, signal, address);
  report.text("\n").write_to(STDERR_FILENO);
  ::signal(signal, SIG_DFL);
}

void install_handler() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = &on_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &previous_segv);
  sigaction(SIGBUS, &action, &previous_bus);
}

}  // namespace

void prepare_fault_handling() {
  static std::once_flag installed;
  std::call_once(installed, install_handler);
  if (thread_stacks != nullptr) return;
  void* p = ::mmap(nullptr, signal_stack_size + landing_stack_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;  // faults will be reported by the default action
  thread_stacks = static_cast<std::byte*>(p);
  landing_valgrind_id = register_stack(thread_stacks + signal_stack_size, landing_stack_size);
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;  // keep the program's own
  stack_t stack;
  stack.ss_sp = thread_stacks;
  stack.ss_size = signal_stack_size;
  stack.ss_flags = 0;
  sigaltstack(&stack, nullptr);
}

void release_fault_handling() noexcept {
  if (thread_stacks == nullptr) return;
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == thread_stacks) {
    stack_t off;
    std::memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
  deregister_stack(landing_valgrind_id);
  // Landing frames never return; do not leave their poison to the next mapping.
  unpoison_stack(thread_stacks, signal_stack_size + landing_stack_size);
  ::munmap(thread_stacks, signal_stack_size + landing_stack_size);
  thread_stacks = nullptr;
}

std::string fault_message(const Control& c) {
  Report report;
  describe_fault(report, c, c.fault_signal, c.fault_address);
  return std::string(report.data(), report.size());
}

}  // namespace corosh::detail

namespace corosh {

void set_fault_containment(bool on) noexcept { detail::containment.store(on); }
bool fault_containment() noexcept { return detail::containment.load(); }

}  // namespace corosh
