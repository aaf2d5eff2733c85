// corosh/register.hpp — the registers a parked coroutine left behind, by name.
//
// When a coroutine stops, the context switch saves its callee-saved
// registers in a small block inside its control record. These describe that
// block for tools, from the one table in asm/context_layout.h:
//
//   for (const corosh::RegisterSlot& slot : corosh::saved_register_slots())
//     std::printf("+%zu %s: %s\n", slot.offset, std::string(slot.name).c_str(),
//                 std::string(slot.role).c_str());
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace corosh {

// One saved register and its value.
struct Register {
  std::string name;
  std::uint64_t value = 0;
  friend bool operator==(const Register&, const Register&) = default;
};

// One slot of the saved-context block.
struct RegisterSlot {
  std::string_view name;   // "rbx", "x19", ...
  std::size_t offset = 0;  // from the start of the block
  std::size_t size = 0;    // bytes: 8, 4 or 2
  int dwarf = -1;          // DWARF register number, -1 if none
  int show = 0;            // place in register listings (1 first); 0: not listed
  std::string_view role;   // what it holds while the context is suspended
};

// Every slot of the block, in memory order.
std::span<const RegisterSlot> saved_register_slots() noexcept;
// The block's size in bytes.
std::size_t saved_context_size() noexcept;
// "x86_64" or "arm64": the architecture the slots describe.
std::string_view architecture() noexcept;
// The slot that holds where a parked context resumes: "rip" or "lr".
std::string_view resume_register() noexcept;

// The registers held by a saved-context block (saved_context_size() bytes as
// they lie in memory): the resume address first, as the architecture names
// the program counter ("rip", "pc"), then in listing order.
std::vector<Register> read_registers(std::span<const std::uint8_t> block);

}  // namespace corosh
