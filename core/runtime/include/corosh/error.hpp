// corosh/error.hpp — what the runtime throws.
//
//   try { co.resume(); }
//   catch (const corosh::Fault& f) { /* the coroutine crashed: f.signal(), f.address() */ }
//   catch (const corosh::Error& e) { /* misuse: e.what() says what and why */ }
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace corosh {

// Misuse of the runtime (resuming a dead coroutine, yielding outside one, ...).
class Error : public std::runtime_error {
 public:
  // Builds an error whose what() is `message`.
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown by resume() when the coroutine died from a hardware fault that the
// runtime contained (see corosh::set_fault_containment).
class Fault : public Error {
 public:
  // Builds a fault report for `signal` at `address`.
  Fault(const std::string& message, int signal, std::uintptr_t address)
      : Error(message), signal_(signal), address_(address) {}
  // The signal that killed the coroutine (SIGSEGV, SIGBUS, ...).
  int signal() const noexcept { return signal_; }
  // The faulting data address the kernel reported.
  std::uintptr_t address() const noexcept { return address_; }

 private:
  int signal_;
  std::uintptr_t address_;
};

// A coroutine that asked for a guarded stack (Options::guard_reserve) cannot
// have one without eating into the guarded stacks kept for others.
class NoGuardedStack : public Error {
 public:
  using Error::Error;
};

// Thrown inside a coroutine that is being cancelled, to unwind its stack so
// destructors run. It deliberately does not derive from std::exception; code
// that catches (...) inside a coroutine must rethrow it.
struct Unwind {};

}  // namespace corosh
