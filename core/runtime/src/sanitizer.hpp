// sanitizer.hpp — telling AddressSanitizer and Valgrind about stacks.
//
// Both tools track memory per stack and cannot see our switches or our
// mappings for what they are. Each hook compiles to nothing unless the build
// asks for the tool: ASan is detected from the compiler (COROSH_ASAN, in
// corosh/detail/switch.hpp), Valgrind is opted into with -DCOROSH_VALGRIND=ON
// (its client requests are cheap, but the header is an extra dependency).
#pragma once

#include <corosh/detail/switch.hpp>

#include <cstddef>

#if COROSH_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if defined(COROSH_VALGRIND) && COROSH_VALGRIND
#include <valgrind/valgrind.h>
#define COROSH_VALGRIND_HOOKS 1
#else
#define COROSH_VALGRIND_HOOKS 0
#endif

namespace corosh::detail {

// Clears ASan's poison from a stack whose frames ended without returning: a
// coroutine's last frames (entry never returns), a faulted coroutine's whole
// chain, or a dead context's landing frame. Left poisoned, the redzones of
// those frames would be reported as overflows by the next user of the memory.
inline void unpoison_stack([[maybe_unused]] const void* low, [[maybe_unused]] std::size_t size) noexcept {
#if COROSH_ASAN
  __asan_unpoison_memory_region(low, size);
#endif
}

// Declares [low, low + size) to be a stack, so that Valgrind takes a jump of
// the stack pointer into it for a switch rather than a huge frame; returns the
// id to deregister it with (0 when not built for Valgrind).
inline unsigned register_stack([[maybe_unused]] const void* low, [[maybe_unused]] std::size_t size) noexcept {
#if COROSH_VALGRIND_HOOKS
  const char* start = static_cast<const char*>(low);
  return VALGRIND_STACK_REGISTER(start, start + size);
#else
  return 0;
#endif
}

// Before the stack is unmapped.
inline void deregister_stack([[maybe_unused]] unsigned id) noexcept {
#if COROSH_VALGRIND_HOOKS
  VALGRIND_STACK_DEREGISTER(id);
#endif
}

}  // namespace corosh::detail
