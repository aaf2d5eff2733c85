// stack_pool.cpp — stacks: mmap'd, guarded up to a cap, pooled per thread.
//
// Traps handled here:
//  - A guard page splits one mapping into two, and vm.max_map_count (65,530
//    by default on Linux) caps mappings per process. Past our cap, or as soon
//    as mprotect refuses, stacks are mapped without a guard (adjacent
//    unguarded stacks can even merge into one mapping) instead of failing or,
//    worse, silently handing out a stack believed to be guarded.
//  - Pages are committed on first touch. MAP_NORESERVE keeps 100,000 mostly
//    untouched 256 KiB stacks from being charged against overcommit.
//  - A pooled stack keeps the pages its last owner touched; a deep owner's
//    pages are given back (MADV_DONTNEED) so stack use measured with mincore
//    stays meaningful and a burst of deep coroutines does not pin memory.
#include "stack_pool.hpp"

#include "registry_internal.hpp"
#include "sanitizer.hpp"

#include <corosh/error.hpp>
#include <corosh/stack.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace corosh::detail {
namespace {

constexpr std::size_t pool_capacity = 256;

std::atomic<std::size_t> mapped_stacks{0};
std::atomic<std::size_t> guarded_stacks{0};
constexpr std::size_t undecided = ~std::size_t(0);
std::atomic<std::size_t> guard_limit{undecided};

// Per-thread pool, constant-initialised so that reaching it costs no TLS
// guard check; the stacks it holds are unmapped by drain_stack_pool().
struct Pool {
  Stack free[pool_capacity];
  std::size_t count;
};
thread_local constinit Pool pool __attribute__((tls_model("initial-exec"))) = {};

// Read once: page_size() is on the creation path. Not a dynamic
// initializer: a coroutine with static storage duration may be created
// before this file's initializers have run (it used to see a page size of 0
// and fail to map "a 0 KiB stack").
std::atomic<std::size_t> system_page_size{0};

std::size_t default_guard_limit() noexcept {
  // Each guarded stack costs two mappings; leave half of the process's
  // mappings (and a reserve) to everything else it maps.
  std::FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r");
  if (f == nullptr) return std::size_t(1) << 30;  // no such limit here (macOS)
  long max_maps = 0;
  if (std::fscanf(f, "%ld", &max_maps) != 1) max_maps = 65530;
  std::fclose(f);
  long usable = (max_maps - 4096) / 4;
  return usable > 0 ? std::size_t(usable) : 0;
}

std::size_t current_guard_limit() noexcept {
  std::size_t limit = guard_limit.load(std::memory_order_relaxed);
  if (limit == undecided) {
    limit = default_guard_limit();
    std::size_t expected = undecided;
    if (!guard_limit.compare_exchange_strong(expected, limit)) limit = expected;
  }
  return limit;
}

// Takes a guard slot if `keep_free` slots stay free under the cap after it.
bool reserve_guard_slot(std::size_t keep_free) noexcept {
  std::size_t limit = current_guard_limit();
  std::size_t n = guarded_stacks.load(std::memory_order_relaxed);
  while (n < limit && limit - n - 1 >= keep_free) {
    if (guarded_stacks.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

// Guard slots not taken by any mapped stack (live or pooled).
std::size_t free_guard_slots() noexcept {
  std::size_t limit = current_guard_limit();
  std::size_t n = guarded_stacks.load(std::memory_order_relaxed);
  return n < limit ? limit - n : 0;
}

[[noreturn]] void refuse_unguarded(std::size_t keep_free) {
  throw NoGuardedStack("corosh: no guarded stack for this coroutine: " + std::to_string(free_guard_slots()) +
                       " of the " + std::to_string(current_guard_limit()) + " guarded stacks are free and " +
                       std::to_string(keep_free) + " are kept for others");
}

// `to` is a power of two (a page size).
std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) & ~(to - 1); }

// `guard_reserve`: see acquire_stack.
Stack map_stack(std::size_t size, std::optional<std::size_t> guard_reserve) {
  const std::size_t page = page_size();
  const bool want_guard = reserve_guard_slot(guard_reserve.value_or(0));
  if (guard_reserve && !want_guard) refuse_unguarded(*guard_reserve);
  Stack s;
  s.size = round_up(size, page);
  s.mapping_size = s.size + (want_guard ? page : 0);
  int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if defined(MAP_NORESERVE)
  flags |= MAP_NORESERVE;
#endif
  void* p = ::mmap(nullptr, s.mapping_size, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) {
    if (want_guard) guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
    throw Error("corosh: cannot map a " + std::to_string(s.size / 1024) +
                " KiB coroutine stack: " + std::strerror(errno));
  }
  s.mapping = static_cast<std::byte*>(p);
  s.base = s.mapping + (want_guard ? page : 0);
  if (want_guard) {
    if (::mprotect(s.mapping, page, PROT_NONE) == 0) {
      s.guarded = true;
    } else {
      // Out of mappings: stop guarding from here on, but keep the stack
      // (the page that would have been the guard simply stays usable),
      // unless only a guarded one would do.
      guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
      guard_limit.store(guarded_stacks.load(std::memory_order_relaxed));
      if (guard_reserve) {
        ::munmap(s.mapping, s.mapping_size);
        refuse_unguarded(*guard_reserve);
      }
      s.base = s.mapping;
      s.size = s.mapping_size;
    }
  }
  s.valgrind_id = register_stack(s.base, s.size);
  mapped_stacks.fetch_add(1, std::memory_order_relaxed);
  return s;
}


// mincore's vector is unsigned char* on Linux and char* on macOS.
template <class T>
struct third_parameter;
template <class R, class A, class B, class C>
struct third_parameter<R (*)(A, B, C)> {
  using type = std::remove_pointer_t<C>;
};
template <class R, class A, class B, class C>
struct third_parameter<R (*)(A, B, C) noexcept> {
  using type = std::remove_pointer_t<C>;
};
using MincoreByte = third_parameter<decltype(&::mincore)>::type;

}  // namespace

void unmap_stack(const Stack& s) noexcept {
  deregister_stack(s.valgrind_id);
  // ASan keeps shadow memory for the range after munmap: a later mapping at
  // the same address would inherit the dead frames' poison.
  unpoison_stack(s.base, s.size);
  ::munmap(s.mapping, s.mapping_size);
  mapped_stacks.fetch_sub(1, std::memory_order_relaxed);
  if (s.guarded) guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t page_size() noexcept {
  std::size_t page = system_page_size.load(std::memory_order_relaxed);
  if (page == 0) [[unlikely]] {
    page = std::size_t(::sysconf(_SC_PAGESIZE));
    system_page_size.store(page, std::memory_order_relaxed);
  }
  return page;
}

Stack acquire_stack(std::size_t size, std::optional<std::size_t> guard_reserve) {
  // Refused before rounding, which would wrap around for sizes near
  // SIZE_MAX (and once reported "a 0 KiB stack").
  if (size > max_stack_size)
    throw Error("corosh: a coroutine stack of " + std::to_string(size) + " bytes is more than the " +
                std::to_string(max_stack_size >> 20) + " MiB the runtime maps at most");
  const std::size_t wanted = round_up(size < 16384 ? 16384 : size, page_size());
  // A pooled guarded stack already holds its slot: taking it leaves the
  // free slots as they are, which must still cover the reserve.
  const bool guarded_only = guard_reserve.has_value();
  if (guarded_only && free_guard_slots() < *guard_reserve) refuse_unguarded(*guard_reserve);
  for (std::size_t i = pool.count; i-- > 0;) {
    if (pool.free[i].size == wanted && (pool.free[i].guarded || !guarded_only)) {
      Stack s = pool.free[i];
      pool.free[i] = pool.free[--pool.count];
      // The previous owner's last frames never returned (entry switches
      // away for good), so their redzones are still poisoned.
      unpoison_stack(s.base, s.size);
      return s;
    }
  }
  return map_stack(wanted, guard_reserve);
}

void release_stack(const Stack& s, std::uintptr_t lowest_sp) noexcept {
  if (pool.count == pool_capacity) {
    unmap_stack(s);
    return;
  }
  // Keep the top pages (control record and shallow frames) warm; give back
  // whatever a deep owner touched below them.
  const std::size_t page = page_size();
  const std::uintptr_t keep_from = reinterpret_cast<std::uintptr_t>(s.top()) - 4 * page;
  if (lowest_sp < keep_from) {
    const std::uintptr_t low = reinterpret_cast<std::uintptr_t>(s.base);
    ::madvise(s.base, keep_from - low, MADV_DONTNEED);
  }
  pool.free[pool.count++] = s;
}

void drain_stack_pool() noexcept {
  while (pool.count > 0) unmap_stack(pool.free[--pool.count]);
}

std::size_t touched_bytes(const Stack& s) noexcept {
  const std::size_t page = page_size();
  const std::size_t pages = s.size / page;
  std::vector<MincoreByte> resident(pages);
  if (::mincore(s.base, s.size, resident.data()) != 0) return 0;
  // An unguarded stack's lowest page holds its canary, written at creation:
  // resident from the start, it would make every such stack look touched
  // all the way down. Frames that really reached it reached the page above
  // too, which is counted.
  for (std::size_t i = s.guarded ? 0 : 1; i < pages; ++i) {
    if (resident[i] & 1) return (pages - i) * page;
  }
  return 0;
}

}  // namespace corosh::detail

namespace corosh {

StackStats stack_stats() noexcept {
  StackStats stats;
  stats.mapped = detail::mapped_stacks.load(std::memory_order_relaxed);
  stats.guarded = detail::guarded_stacks.load(std::memory_order_relaxed);
  stats.pooled = detail::pool.count;
  stats.guard_limit = detail::current_guard_limit();
  return stats;
}

std::vector<StackClass> stack_classes() {
  std::vector<StackClass> classes;
  const auto add = [&](const detail::Stack& s, bool pooled) {
    auto it = std::find_if(classes.begin(), classes.end(), [&](const StackClass& c) { return c.size == s.size; });
    if (it == classes.end()) it = classes.insert(classes.end(), StackClass{.size = s.size});
    (pooled ? it->pooled : it->live) += 1;
    it->guarded += s.guarded;
    it->reserved += s.mapping_size;
    it->touched += detail::touched_bytes(s);
  };
  if (const detail::ThreadRegistry* r = detail::this_thread.registry)
    for (const detail::Control* c = r->first; c; c = c->registry_next) add(c->stack, false);
  for (std::size_t i = 0; i < detail::pool.count; ++i) add(detail::pool.free[i], true);
  std::sort(classes.begin(), classes.end(), [](const StackClass& a, const StackClass& b) { return a.size < b.size; });
  return classes;
}

void set_guard_limit(std::size_t stacks) noexcept {
  detail::guard_limit.store(stacks == detail::undecided ? stacks - 1 : stacks);
}

void trim_stack_pool() noexcept { detail::drain_stack_pool(); }

}  // namespace corosh
