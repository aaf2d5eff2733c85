// stack_pool.hpp — mapping, guarding, pooling and measuring stacks.
#pragma once

#include <corosh/detail/switch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace corosh::detail {

// A stack of at least `size` usable bytes: from this thread's pool when one
// of that size is free, otherwise freshly mapped. Throws corosh::Error when
// the system has no memory or mappings left. With `guard_reserve`, only a
// guarded stack, and only while that many guard slots stay free under the
// cap afterwards; else throws corosh::NoGuardedStack.
Stack acquire_stack(std::size_t size, std::optional<std::size_t> guard_reserve = std::nullopt);

// Gives a stack back to this thread's pool (or unmaps it when the pool is
// full). `lowest_sp` is the deepest stack pointer seen on it: pages below it
// are returned to the kernel so the next owner starts clean.
void release_stack(const Stack& stack, std::uintptr_t lowest_sp) noexcept;

// Unmaps a stack at once, bypassing the pool (a thread whose runtime is
// already gone has no pool to give it to).
void unmap_stack(const Stack& stack) noexcept;

// Bytes of the stack's pages that are resident, counted from the top down to
// the lowest resident page, without touching any of them (mincore).
std::size_t touched_bytes(const Stack& stack) noexcept;

// The system page size.
std::size_t page_size() noexcept;

// Unmaps every stack pooled by this thread (thread exit, trim_stack_pool).
void drain_stack_pool() noexcept;

}  // namespace corosh::detail
