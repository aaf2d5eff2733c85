// context_arm64.cpp — a new context on arm64 (AAPCS64): what the first switch
// to a coroutine loads.
#if defined(__aarch64__)

#include "context.hpp"
#include "thread_state.hpp"

#include <cstddef>

namespace corosh::detail {

void prepare_context(SavedContext& regs, std::byte* top, void (*entry)(void*),
                     void* argument) noexcept {
  regs = SavedContext{};
  const auto frame_record = reinterpret_cast<std::uint64_t>(top - 16);
  regs.x19 = reinterpret_cast<std::uint64_t>(argument);
  regs.x20 = reinterpret_cast<std::uint64_t>(entry);
  regs.fp = frame_record;  // -> { saved fp = 0, saved lr = 0 }
  regs.sp = frame_record;
  regs.lr = reinterpret_cast<std::uint64_t>(&corosh_trampoline);
}

}  // namespace corosh::detail

#endif
