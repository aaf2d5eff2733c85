// corosh/stack.hpp — how coroutine stacks are allocated, and what they cost.
//
// Stacks are mmap'd with a PROT_NONE guard page below them, so running off
// the end faults (corosh then names the coroutine) instead of corrupting
// memory. A guard page splits a mapping in two, and Linux allows only
// vm.max_map_count (65,530 by default) mappings per process, so guarded
// stacks are capped below that; past the cap stacks come without a guard and
// carry a canary word that is checked every time the coroutine yields. Freed
// stacks are pooled per thread for reuse. An overflow off an unguarded stack
// (a changed canary, or a fault with the sp below the stack) may already have
// overwritten the stacks below it, so it stops the program even when faults
// are contained: that is never reported as a contained fault.
//
// Coroutines whose number others decide (a server's connection handlers: a
// flood of connections would use up the cap and leave every later stack
// unguarded) set Options::guard_reserve: they get a guarded stack only
// while that many guard slots stay free for everyone else, and creating
// one throws corosh::NoGuardedStack otherwise.
//
// Stack use is measured from page residency (mincore), so it never touches a
// page. It is a high-water mark: a pooled stack keeps the pages its earlier
// owners touched, except that a stack whose owner was seen deep at a switch
// is cleaned (madvise) before reuse; trim_stack_pool() starts afresh.
//
//   corosh::StackStats s = corosh::stack_stats();
//   std::printf("%zu stacks, %zu guarded\n", s.mapped, s.guarded);
#pragma once

#include <cstddef>
#include <vector>

namespace corosh {

// The largest stack a coroutine may ask for (1 GiB); more is refused.
inline constexpr std::size_t max_stack_size = std::size_t(1) << 30;

struct StackStats {
  std::size_t mapped = 0;         // stacks mapped in the process (live + pooled)
  std::size_t guarded = 0;        // of those, with a guard page
  std::size_t pooled = 0;         // free stacks kept by the calling thread
  std::size_t guard_limit = 0;    // at most this many guarded stacks at once
};

// The calling thread's stacks of one size: those its live coroutines hold
// and those in its pool.
struct StackClass {
  std::size_t size = 0;           // usable bytes of each
  std::size_t live = 0;           // held by live coroutines
  std::size_t pooled = 0;         // free, kept for reuse
  std::size_t guarded = 0;        // of live + pooled, with a guard page
  std::size_t reserved = 0;       // bytes of address space mapped for them (guards included)
  std::size_t touched = 0;        // bytes of their pages resident (mincore)
  friend bool operator==(const StackClass&, const StackClass&) = default;
};

// Counts of the stacks the runtime holds.
StackStats stack_stats() noexcept;
// The calling thread's stacks by size, smallest first.
std::vector<StackClass> stack_classes();

// Caps the number of guarded stacks (default: from vm.max_map_count on Linux,
// unlimited elsewhere). Lowering it only affects stacks mapped afterwards.
void set_guard_limit(std::size_t stacks) noexcept;

// Unmaps the calling thread's pooled stacks.
void trim_stack_pool() noexcept;

}  // namespace corosh
