// shell/context_layout.hpp — the saved context's slots, named, for `ctx`.
//
// The one architecture-specific file of the shell: the field names, offsets
// and sizes of corosh::detail::SavedContext (whose layout asm/context_layout.h
// fixes), with what each slot means to someone learning how a switch works.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace corosh::shell {

struct ContextSlot {
  std::string_view name;
  std::size_t offset;
  std::size_t size;      // 8, 4 or 2 bytes
  std::string_view role;
};

// The slots of this architecture's saved context, in memory order.
std::span<const ContextSlot> context_slots();
// Its size in bytes and the name of the architecture.
std::size_t context_size();
std::string_view architecture();
// The name of the register holding where a parked context resumes.
std::string_view resume_register();

}  // namespace corosh::shell
