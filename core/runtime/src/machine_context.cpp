// machine_context.cpp — reading and rewriting a signal's ucontext_t.
// The only file that knows each platform's mcontext field names.
#include "machine_context.hpp"

#include <ucontext.h>

namespace corosh::detail {

#if defined(__linux__) && defined(__x86_64__)

InterruptedRegisters interrupted_registers(const void* uc) noexcept {
  const auto& g = static_cast<const ucontext_t*>(uc)->uc_mcontext.gregs;
  return {std::uintptr_t(g[REG_RIP]), std::uintptr_t(g[REG_RSP]), std::uintptr_t(g[REG_RBP])};
}

void redirect_after_signal(void* uc, void (*function)(void*), void* argument,
                           std::byte* stack_top) noexcept {
  auto& g = static_cast<ucontext_t*>(uc)->uc_mcontext.gregs;
  auto* sp = reinterpret_cast<std::uint64_t*>(stack_top) - 1;
  *sp = 0;  // a null return address: as if called, and unwinders stop here
  g[REG_RSP] = reinterpret_cast<greg_t>(sp);
  g[REG_RBP] = 0;
  g[REG_RIP] = reinterpret_cast<greg_t>(function);
  g[REG_RDI] = reinterpret_cast<greg_t>(argument);
}

#elif defined(__linux__) && defined(__aarch64__)

InterruptedRegisters interrupted_registers(const void* uc) noexcept {
  const auto& m = static_cast<const ucontext_t*>(uc)->uc_mcontext;
  return {std::uintptr_t(m.pc), std::uintptr_t(m.sp), std::uintptr_t(m.regs[29])};
}

void redirect_after_signal(void* uc, void (*function)(void*), void* argument,
                           std::byte* stack_top) noexcept {
  auto& m = static_cast<ucontext_t*>(uc)->uc_mcontext;
  m.sp = reinterpret_cast<std::uint64_t>(stack_top);
  m.regs[29] = 0;
  m.regs[30] = 0;
  m.pc = reinterpret_cast<std::uint64_t>(function);
  m.regs[0] = reinterpret_cast<std::uint64_t>(argument);
}

#elif defined(__APPLE__) && defined(__aarch64__)

InterruptedRegisters interrupted_registers(const void* uc) noexcept {
  const auto& s = static_cast<const ucontext_t*>(uc)->uc_mcontext->__ss;
  return {std::uintptr_t(s.__pc), std::uintptr_t(s.__sp), std::uintptr_t(s.__fp)};
}

void redirect_after_signal(void* uc, void (*function)(void*), void* argument,
                           std::byte* stack_top) noexcept {
  auto& s = static_cast<ucontext_t*>(uc)->uc_mcontext->__ss;
  s.__sp = reinterpret_cast<std::uint64_t>(stack_top);
  s.__fp = 0;
  s.__lr = 0;
  s.__pc = reinterpret_cast<std::uint64_t>(function);
  s.__x[0] = reinterpret_cast<std::uint64_t>(argument);
}

#elif defined(__APPLE__) && defined(__x86_64__)

InterruptedRegisters interrupted_registers(const void* uc) noexcept {
  const auto& s = static_cast<const ucontext_t*>(uc)->uc_mcontext->__ss;
  return {std::uintptr_t(s.__rip), std::uintptr_t(s.__rsp), std::uintptr_t(s.__rbp)};
}

void redirect_after_signal(void* uc, void (*function)(void*), void* argument,
                           std::byte* stack_top) noexcept {
  auto& s = static_cast<ucontext_t*>(uc)->uc_mcontext->__ss;
  auto* sp = reinterpret_cast<std::uint64_t*>(stack_top) - 1;
  *sp = 0;
  s.__rsp = reinterpret_cast<std::uint64_t>(sp);
  s.__rbp = 0;
  s.__rip = reinterpret_cast<std::uint64_t>(function);
  s.__rdi = reinterpret_cast<std::uint64_t>(argument);
}

#else
#error "corosh: no signal-context support for this platform"
#endif

}  // namespace corosh::detail
