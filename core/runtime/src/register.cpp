// register.cpp — the saved-register table of asm/context_layout.h, as data.
#include <corosh/register.hpp>

#include <corosh/detail/control.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

namespace corosh {
namespace {

#define COROSH_SLOT(field, offset, bytes, dwarf, show, role) RegisterSlot{#field, offset, bytes, dwarf, show, role},
constexpr RegisterSlot slots[] = {COROSH_SAVED_REGISTERS(COROSH_SLOT)};
#undef COROSH_SLOT

constexpr std::size_t slot_count = sizeof slots / sizeof slots[0];

// Listing order, worked out once.
constexpr std::array<const RegisterSlot*, slot_count> in_listing_order() {
  std::array<const RegisterSlot*, slot_count> order{};
  for (std::size_t i = 0; i < slot_count; ++i) order[i] = &slots[i];
  std::sort(order.begin(), order.end(), [](const RegisterSlot* a, const RegisterSlot* b) { return a->show < b->show; });
  return order;
}
constexpr auto listing = in_listing_order();

std::uint64_t read_slot(std::span<const std::uint8_t> block, const RegisterSlot& slot) {
  std::uint64_t value = 0;
  std::memcpy(&value, block.data() + slot.offset, slot.size);  // little-endian on both targets
  return value;
}

}  // namespace

std::span<const RegisterSlot> saved_register_slots() noexcept { return slots; }
std::size_t saved_context_size() noexcept { return sizeof(detail::SavedContext); }
std::string_view architecture() noexcept { return COROSH_ARCH_NAME; }
#define COROSH_NAME_OF(field) #field
#define COROSH_NAME(field) COROSH_NAME_OF(field)
std::string_view resume_register() noexcept { return COROSH_NAME(COROSH_PC_FIELD); }

std::vector<Register> read_registers(std::span<const std::uint8_t> block) {
  if (block.size() < sizeof(detail::SavedContext))
    throw std::invalid_argument("corosh: a saved context is " + std::to_string(sizeof(detail::SavedContext)) +
                                " bytes, not " + std::to_string(block.size()));
  constexpr std::size_t pc_offset = offsetof(detail::SavedContext, COROSH_PC_FIELD);
  std::vector<Register> out;
  out.reserve(slot_count + 1);
  for (const RegisterSlot& slot : slots)
    if (slot.offset == pc_offset) out.push_back({std::string(COROSH_PC_NAME), read_slot(block, slot)});
  for (const RegisterSlot* slot : listing)
    if (slot->show > 0 && slot->name != COROSH_PC_NAME) out.push_back({std::string(slot->name), read_slot(block, *slot)});
  return out;
}

}  // namespace corosh

// The same table for debuggers (debugger/corosh_debug/registers.py), under C
// names they find without knowing C++ scopes: LLDB's OS plugin and gdb's frame
// unwinder need each saved register's DWARF number. registry.cpp calls
// read_registers(), so every program with coroutines links these.
extern "C" [[gnu::used]] const corosh::RegisterSlot* const corosh_saved_register_slots = corosh::slots;
extern "C" [[gnu::used]] const std::size_t corosh_saved_register_count = corosh::slot_count;
