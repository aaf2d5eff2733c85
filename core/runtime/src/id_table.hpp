// id_table.hpp — one thread's live coroutines by id, found in constant time.
//
// The registry's list keeps creation order (and is what debuggers walk); this
// table answers "which coroutine has id N" without walking that list, so a
// shell command that names a coroutine costs the same among 10 or 100,000.
//
// Open addressing with linear probing over a power-of-two array, indexed by a
// Fibonacci hash of the id (ids come in runs of consecutive numbers; the hash
// spreads any pattern of them). Id 0 is never handed out, so it marks an empty
// slot. Erasing shifts the rest of the probe run back instead of leaving a
// tombstone, so probe runs stay short however many coroutines come and go.
// The table doubles when it would become more than half full.
//
//   IdTable t;
//   t.reserve_one();          // may throw std::bad_alloc; nothing changes then
//   t.insert(7, control);     // never allocates after reserve_one()
//   t.find(7);                // control
//   t.erase(7);
#pragma once

#include <corosh/detail/control.hpp>

#include <cstddef>
#include <cstdint>

namespace corosh::detail {

class IdTable {
 public:
  IdTable() = default;
  IdTable(const IdTable&) = delete;
  IdTable& operator=(const IdTable&) = delete;
  ~IdTable();

  // Makes room for one more entry (grows first if that would pass half full).
  void reserve_one() {
    if ((count_ + 1) * 2 > capacity()) [[unlikely]]
      grow();
  }
  // Adds an id that is not in the table; reserve_one() must have made room.
  void insert(std::uint64_t id, Control* control) noexcept {
    std::size_t i = home(id);
    while (slots_[i].id != 0) i = (i + 1) & mask_;
    slots_[i] = {id, control};
    ++count_;
  }
  // The record with this id, or null.
  Control* find(std::uint64_t id) const noexcept {
    if (count_ == 0 || id == 0) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      if (slots_[i].id == id) return slots_[i].control;
      if (slots_[i].id == 0) return nullptr;
    }
  }
  // Removes an id that is in the table.
  void erase(std::uint64_t id) noexcept;
  // How many ids are in the table.
  std::size_t size() const noexcept { return count_; }

 private:
  struct Slot {
    std::uint64_t id;  // 0: empty
    Control* control;
  };
  std::size_t capacity() const noexcept { return slots_ ? mask_ + 1 : 0; }
  std::size_t home(std::uint64_t id) const noexcept {
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }
  void grow();

  Slot* slots_ = nullptr;
  std::size_t mask_ = 0;   // capacity - 1
  unsigned shift_ = 63;    // 64 - log2(capacity)
  std::size_t count_ = 0;
};

}  // namespace corosh::detail
