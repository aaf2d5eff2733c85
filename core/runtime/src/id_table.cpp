// id_table.cpp — the rare halves of IdTable: growing and erasing.
#include "id_table.hpp"

#include <cstdlib>
#include <new>

namespace corosh::detail {

IdTable::~IdTable() { std::free(slots_); }

void IdTable::grow() {
  const std::size_t old_capacity = capacity();
  const std::size_t new_capacity = old_capacity ? old_capacity * 2 : 64;
  // calloc: a zero id is an empty slot.
  auto* fresh = static_cast<Slot*>(std::calloc(new_capacity, sizeof(Slot)));
  if (fresh == nullptr) throw std::bad_alloc();
  Slot* old = slots_;
  slots_ = fresh;
  mask_ = new_capacity - 1;
  shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(new_capacity));
  count_ = 0;
  for (std::size_t i = 0; i < old_capacity; ++i)
    if (old[i].id != 0) insert(old[i].id, old[i].control);
  std::free(old);
}

void IdTable::erase(std::uint64_t id) noexcept {
  std::size_t hole = home(id);
  while (slots_[hole].id != id) {
    if (slots_[hole].id == 0) return;  // not there
    hole = (hole + 1) & mask_;
  }
  // Backward-shift deletion: walk the rest of the probe run and move back
  // every entry whose home lies cyclically at or before the hole, so that no
  // lookup ever stops early at the emptied slot.
  for (std::size_t next = (hole + 1) & mask_; slots_[next].id != 0; next = (next + 1) & mask_) {
    const std::size_t want = home(slots_[next].id);
    const bool movable = hole <= next ? (want <= hole || want > next) : (want <= hole && want > next);
    if (movable) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = {0, nullptr};
  --count_;
}

}  // namespace corosh::detail
