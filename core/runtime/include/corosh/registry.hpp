// corosh/registry.hpp — looking at the live coroutines of this thread.
//
// Every coroutine is registered from creation until its handle is destroyed,
// with what a shell or a debugger wants to show about it:
//
//   for (const corosh::CoroutineInfo& c : corosh::live_coroutines())
//     std::printf("%llu %s %s\n", (unsigned long long)c.id, c.name.c_str(),
//                 std::string(corosh::to_string(c.state)).c_str());
//
// The same records are reachable from a debugger without running code: the
// global `corosh_registry_threads` lists every thread's coroutines (debugger/).
#pragma once

#include <corosh/coroutine.hpp>
#include <corosh/register.hpp>
#include <corosh/state.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh {

struct CoroutineInfo {
  std::uint64_t id = 0;
  std::string name;
  State state = State::created;
  Ending ending = Ending::none;
  std::string wait_reason;           // empty unless it waits on something
  bool loop_owned = false;           // spawned by this thread's Loop (filled in by corosh/inspect.hpp)
  std::string site_file;             // where it was created (empty if unknown)
  std::string site_function;
  std::uint32_t site_line = 0;
  // Where the text of site_file lies in memory: inside the program or the
  // plugin whose code created the coroutine (a plugin must not be unloaded
  // while a coroutine it made is registered).
  std::uintptr_t site_address = 0;
  std::uint64_t parent = 0;          // the coroutine that created it (0: none, see creator)
  Creator creator = Creator::thread; // who created it
  std::uint64_t switches = 0;        // times it was switched to (its resumes)
  // Time accounting (corosh/accounting.hpp), counted while it is on:
  std::int64_t run_ns = 0;           // time spent running (its own code, not what it resumed)
  std::int64_t longest_run_ns = 0;   // the longest single resume, until it yielded
  std::int64_t last_ran_ns = 0;      // steady clock when it last stopped running; 0 if not seen
  std::size_t stack_size = 0;        // usable bytes
  std::size_t stack_in_use = 0;      // bytes above its saved stack pointer
  std::size_t stack_touched = 0;     // bytes of pages ever touched (mincore)
  std::size_t stack_deepest = 0;     // bytes above the deepest stack pointer seen at a yield
  bool stack_guarded = false;        // a PROT_NONE page lies below the stack
  std::uintptr_t stack_base = 0;     // lowest usable address
  int fault_signal = 0;              // Ending::faulted: the signal and address
  std::uintptr_t fault_address = 0;
  std::uintptr_t fault_pc = 0;       // Ending::faulted: registers at the fault
  std::uintptr_t fault_sp = 0;
  std::uintptr_t fault_fp = 0;
  std::uintptr_t context_address = 0;  // where its saved registers (SavedContext) live
  std::vector<Register> registers;   // saved registers; empty unless suspended/normal
  friend bool operator==(const CoroutineInfo&, const CoroutineInfo&) = default;
};

// How much a snapshot measures. `stack_touched` comes from the kernel (one
// mincore() call per coroutine), which dominates listing many coroutines;
// `quick` leaves it 0 and fills every other field.
enum class Snapshot : std::uint8_t { full, quick };

namespace detail {
// Where a CoroutineWalk is: the registry moves it past a coroutine that is
// destroyed under it (registry_internal.hpp).
struct WalkCursor {
  Control* next = nullptr;
  WalkCursor* prev_walk = nullptr;
  WalkCursor* next_walk = nullptr;
};
}  // namespace detail

// Walks this thread's live coroutines oldest first, a few at a time, with
// other work in between (the monitor lists 100,000 coroutines a slice per
// loop iteration). A coroutine destroyed meanwhile is skipped, never read
// after it is gone; those created after the walk began are left out, so it
// ends. Use it on the thread it was made on.
//
//   corosh::CoroutineWalk walk;
//   while (std::optional<corosh::CoroutineInfo> c = walk.next(corosh::Snapshot::quick)) ...
class CoroutineWalk {
 public:
  // Starts at this thread's oldest coroutine.
  CoroutineWalk();
  ~CoroutineWalk();
  CoroutineWalk(const CoroutineWalk&) = delete;
  CoroutineWalk& operator=(const CoroutineWalk&) = delete;

  // The next coroutine's snapshot, or nothing once the walk is over.
  std::optional<CoroutineInfo> next(Snapshot what = Snapshot::full);

 private:
  void finish() noexcept;
  detail::WalkCursor cursor_;
  std::uint64_t newest_ = 0;  // the newest id when the walk began
  bool linked_ = false;
};

// Every live coroutine of the calling thread, oldest first.
std::vector<CoroutineInfo> live_coroutines(Snapshot what = Snapshot::full);
// How many coroutines the calling thread has, without looking at them.
std::size_t live_coroutine_count() noexcept;
// The live coroutine of this thread with that id, if any (constant time).
std::optional<CoroutineInfo> find_coroutine(std::uint64_t id, Snapshot what = Snapshot::full);
// A snapshot of one coroutine.
CoroutineInfo describe(const Coroutine& coroutine);

// Drops a dead coroutine of this thread from the registry and frees its
// stack now, rather than when its handle is destroyed: for tools that show
// thousands of coroutines (the shell's `forget`). The handle, wherever it
// is, becomes empty, as if moved from: done() stays true, id() reads 0 and
// ending() none. False if there is no such coroutine or it is not dead.
bool forget_coroutine(std::uint64_t id);

}  // namespace corosh
