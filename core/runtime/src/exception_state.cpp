// exception_state.cpp — finding the C++ runtime's per-thread exception state.
//
// Both libstdc++ (libsupc++) and libc++abi keep, per thread, a struct that
// begins { caughtExceptions, uncaughtExceptions } and hand it out through
// __cxa_get_globals(). A coroutine that yields inside a catch block leaves its
// exception on that per-thread stack; if another context then throws and
// catches, the stack is corrupted. Swapping these two words on every switch
// gives each context its own, so yielding inside a catch block is safe.
#include "thread_state.hpp"

#include <cxxabi.h>

namespace corosh::detail {

ExceptionState* exception_globals() noexcept {
  return reinterpret_cast<ExceptionState*>(abi::__cxa_get_globals());
}

}  // namespace corosh::detail
