// corosh/inspect.hpp — what tools see of this thread's coroutines and loop.
//
// The shell's commands, and anything else that shows a running program's
// coroutines, work from these values: snapshots, taken on the thread that
// owns the coroutines and handed over by value (no pointer into the runtime
// survives the call), so they can be printed, compared or sent elsewhere.
//
//   for (const corosh::CoroutineInfo& c : corosh::inspect::coroutines())
//     for (const corosh::inspect::NamedFrame& f : corosh::inspect::stack(c, 64))
//       std::printf("%s\n", f.symbol.function.c_str());
//
// Listing many coroutines can be spread over loop iterations (Listing), and
// a program's listeners describe themselves for `conns` (ListenerReport).
#pragma once

#include <corosh/loop.hpp>
#include <corosh/net.hpp>
#include <corosh/registry.hpp>
#include <corosh/trace.hpp>
#include <corosh/stack.hpp>
#include <corosh/unwind.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corosh::inspect {

// A frame of a walked stack, named.
struct NamedFrame {
  Frame frame;
  Symbol symbol;
  friend bool operator==(const NamedFrame&, const NamedFrame&) = default;
};

// The walked stacks of many coroutines, each distinct code address named
// once however many stacks it appears in (see stacks()): thousands of
// coroutines parked in a few places share a few dozen symbols.
struct StackSet {
  struct Stack {
    std::uint64_t id = 0;
    std::vector<Frame> frames;           // innermost first
    std::vector<std::uint32_t> symbols;  // frames[i] is named symbols[stack.symbols[i]]
  };
  std::vector<Stack> stacks;
  std::vector<Symbol> symbols;

  // One stack's frames with their names.
  std::vector<NamedFrame> named(const Stack& stack) const;
  // Adds a stack of named frames (its symbols appended as they are).
  void add(std::uint64_t id, const std::vector<NamedFrame>& frames);
};

// A coroutine's saved-context block as it lies in memory (see register.hpp).
struct ContextMemory {
  std::uintptr_t address = 0;        // where the block is, in the coroutine's control record
  std::vector<std::uint8_t> bytes;   // saved_context_size() bytes
  friend bool operator==(const ContextMemory&, const ContextMemory&) = default;
};

// The loop at a glance.
struct LoopState {
  std::string backend;               // "epoll" or "kqueue"
  std::size_t registered_fds = 0;
  std::size_t timers = 0;
  std::size_t waiting = 0;
  std::size_t spawned = 0;           // coroutines the loop owns
  std::uint64_t iterations = 0;
  std::uint64_t polls = 0;
  friend bool operator==(const LoopState&, const LoopState&) = default;
};

// A coroutine waiting on a descriptor.
struct FdWaiter {
  std::uint64_t coroutine = 0;
  std::string name;
  std::string interest;              // "readable", "writable" or "readable|writable"
  std::int64_t timeout_in_ns = -1;   // left before the wait times out; -1: no timeout
  friend bool operator==(const FdWaiter&, const FdWaiter&) = default;
};

// A descriptor the loop knows about: registered with the poller, waited on
// or watched.
struct FdView {
  int fd = -1;
  // "listener", "connection", "socket", "stdin", "terminal", "pipe", "file",
  // "signals" (the loop's own signal pipe) or "other".
  std::string kind;
  std::string local;                 // sockets: "127.0.0.1:7000", "unix:/path"
  std::string peer;                  // connected sockets: the other end
  std::string registered;            // the poller's interest ("" when none)
  bool always_ready = false;         // the poller refused it: handled every iteration
  std::vector<FdWaiter> waiters;     // oldest first
  std::uint64_t watch = 0;           // the watch or reader on it (its WatchId), 0 if none
  std::string watch_kind;            // "watch", "reader" or "signals"
  std::string watch_interest;
  std::string callback;              // the watch's callback, by its (demangled) type
  bool listening = false;            // a corosh::Listener: then its counts
  std::uint64_t accepted = 0;
  std::uint64_t dropped = 0;         // closed unserved for want of descriptors
  friend bool operator==(const FdView&, const FdView&) = default;
};

// A queued timer: a callback timer, or the timeout of a waiting coroutine.
struct TimerView {
  std::int64_t due_in_ns = 0;        // from when the snapshot was taken; negative when overdue
  std::int64_t repeat_ns = 0;        // callback timers: the interval (0: once)
  std::uint64_t timer = 0;           // callback timers: the TimerId
  std::string callback;              // ... and the callback's type
  std::uint64_t coroutine = 0;       // timeouts: the waiting coroutine
  std::string name;                  // ... its name
  std::string waiting_for;           // ... and what it waits for
  friend bool operator==(const TimerView&, const TimerView&) = default;
};

// What the runtime and the loop hold in memory, for `mem`.
struct MemoryView {
  std::vector<StackClass> stacks;    // this thread's, by size (corosh/stack.hpp)
  std::size_t stacks_mapped = 0;     // in the whole process (live + pooled, every thread)
  std::size_t stacks_guarded = 0;    // ... of those with a guard page
  std::size_t guard_limit = 0;       // ... at most this many at once
  std::size_t control_records = 0;   // this thread's live coroutines
  std::size_t control_record_bytes = 0;  // the size of one (at the top of its stack)
  std::size_t loop_bytes = 0;        // the loop's own tables (fds, timers, watches)
  std::size_t resident_bytes = 0;    // the process's resident memory (0 if unknown)
  friend bool operator==(const MemoryView&, const MemoryView&) = default;
};

// Something about a coroutine (or a listener) that is probably a bug or
// about to be one.
struct Warning {
  // "long_resume": a resume ran longer than the limit without yielding
  //   (it blocked the loop; needs time accounting);
  // "never_woken": a loop-owned coroutine suspended without waiting on the
  //   loop, so nothing will ever resume it;
  // "stack_use": more of its stack used than the limit (its low-water
  //   mark: the deepest stack pointer seen at a yield);
  // "unguarded_stack": no guard page below its stack;
  // "dropped_connections": a listener closed connections unserved (out of
  //   descriptors); `coroutine` is the one accepting on it, if any.
  std::string kind;
  std::uint64_t coroutine = 0;
  std::string name;
  std::string message;               // what is wrong, as a sentence after the coroutine's label
  Symbol parked_at;                  // where that coroutine is parked (see parked_at())
  int fd = -1;                       // dropped_connections: the listener
  friend bool operator==(const Warning&, const Warning&) = default;
};

// When a warning is due.
struct WarningLimits {
  std::int64_t long_resume_ns = 100'000'000;  // longest acceptable resume
  double stack_use = 0.75;                    // of the stack's size
  bool locate = true;  // find where each warned coroutine is parked (walks its stack)
  friend bool operator==(const WarningLimits&, const WarningLimits&) = default;
};

// How a coroutine died, as tools report it: a contained fault, or an
// exception that escaped it.
struct Death {
  std::uint64_t id = 0;
  std::string name;
  bool faulted = false;
  int signal = 0;                    // faulted: the signal and the faulting address
  std::uintptr_t address = 0;
  std::string exception_type;        // otherwise: the exception's type, demangled
  std::string message;               // ... and its what(), if it has one
  friend bool operator==(const Death&, const Death&) = default;
};

// What one resume of a coroutine did, and where it is now.
struct StepResult {
  std::optional<std::string> yielded;  // a generator's value, as text
  State state = State::dead;           // where the coroutine is now
  Ending ending = Ending::none;
  std::string wait_reason;             // what it waits for now, if anything
  std::optional<Death> death;          // it died of a fault or an exception
  friend bool operator==(const StepResult&, const StepResult&) = default;
};

// One connection of a listener.
struct ConnectionView {
  std::uint64_t id = 0;
  Endpoint peer;
  std::string state;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::size_t buffered = 0;
  std::uint64_t coroutine = 0;
  friend bool operator==(const ConnectionView&, const ConnectionView&) = default;
};

// A listener and its connections.
struct ListenerView {
  Endpoint local;
  std::string kind;  // "echo"
  std::uint64_t accepted = 0;
  std::size_t active = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t refused = 0;  // closed unserved: the process was out of descriptors
  std::uint64_t resets = 0;   // connections that ended with a reset
  std::uint64_t errors = 0;   // ... with another socket error
  std::vector<ConnectionView> connections;
  // Its limits, and what they turned away.
  std::size_t max_connections = 0;    // at once; 0: no limit
  std::uint64_t idle_timeout_ns = 0;  // a silent connection is closed after it; 0: never
  std::uint64_t over_limit = 0;       // closed unserved: max_connections were open
  std::uint64_t no_guard = 0;         // closed unserved: no guarded stack outside the reserve
  std::uint64_t idle_closed = 0;      // closed by the idle timeout
  friend bool operator==(const ListenerView&, const ListenerView&) = default;
};

// A saved-context block (asm/context_layout.h): how to read ContextMemory,
// and what register listings call the resume address.
struct RegisterLayout {
  std::string architecture;     // "x86_64" or "arm64"
  std::string resume_register;  // the slot that holds the resume address: "rip" or "lr"
  std::size_t size = 0;         // bytes in the block
  struct Slot {
    std::string name;
    std::size_t offset = 0;
    std::size_t size = 0;
    std::string role;
    friend bool operator==(const Slot&, const Slot&) = default;
  };
  std::vector<Slot> slots;      // memory order
  friend bool operator==(const RegisterLayout&, const RegisterLayout&) = default;
};

// A recording of context switches, with the names of the coroutines in it.
struct TraceRecording {
  std::vector<SwitchEvent> events;
  std::size_t dropped = 0;
  std::int64_t started_ns = 0;
  std::vector<std::pair<std::uint64_t, std::string>> names;  // id -> name, for those still known
  friend bool operator==(const TraceRecording&, const TraceRecording&) = default;
};

// Every live coroutine of the calling thread, oldest first; Snapshot::quick
// leaves stack_touched 0 (it costs a system call per coroutine).
std::vector<CoroutineInfo> coroutines(Snapshot what = Snapshot::full);
// The live coroutine with that id, if any.
std::optional<CoroutineInfo> coroutine(std::uint64_t id);

// What a listing carries of a coroutine: everything but the saved registers
// and stack_touched (a system call per coroutine), which are for one
// coroutine at a time (coroutine()).
CoroutineInfo summary(CoroutineInfo info);

// Every live coroutine as a summary, oldest first, a slice at a time: each
// next() appends what it can before `until`, so listing 100,000 coroutines
// can share the loop with the program's own work. Coroutines destroyed
// meanwhile are left out; those created after the listing began too.
class Listing {
 public:
  // Appends summaries to `out`; true once every coroutine is listed.
  bool next(std::vector<CoroutineInfo>& out, std::chrono::steady_clock::time_point until);

 private:
  CoroutineWalk walk_;
};
// Every live coroutine as a summary, at once.
std::vector<CoroutineInfo> summaries();

// Its stack, named, innermost first: where it is parked, or for a coroutine
// that died of a contained fault the frames at the fault; at most
// max_frames. Empty for a running or otherwise dead coroutine.
std::vector<NamedFrame> stack(const CoroutineInfo& coroutine, std::size_t max_frames);
// The stacks of every coroutine stack() can walk (parked, or dead of a
// contained fault), oldest first, at most max_frames each: far cheaper than
// stack() for each of thousands of coroutines.
StackSet stacks(std::size_t max_frames);
// The same frames, not yet named (walking is quick; naming reads debug
// information, so a long stack can be named a slice at a time).
std::vector<Frame> frames(const CoroutineInfo& coroutine, std::size_t max_frames);
// A frame and its name.
NamedFrame named(const Frame& frame);
// Where a coroutine with these frames (innermost first, as stack() returns
// them) is parked: the innermost call that is not the runtime's own (yield,
// Loop::wait, Socket::read_some, ...), inlined calls included. An empty
// function name when there is none (a coroutine that has not started).
Symbol parked_at(const std::vector<NamedFrame>& frames);
// Names a code address (a return address when `return_address`).
Symbol symbol(std::uintptr_t pc, bool return_address = false);
// A copy of its saved-context block; empty bytes if none is saved (running
// or dead).
ContextMemory context(const CoroutineInfo& coroutine);
// The loop's counters.
LoopState loop_state(const Loop& loop);
// Every descriptor the loop knows about, by number.
std::vector<FdView> loop_fds(const Loop& loop);
// Every queued timer, soonest first.
std::vector<TimerView> loop_timers(const Loop& loop);
// Stacks, control records, the loop's tables and the process's resident memory.
MemoryView memory(const Loop& loop);
// Every warning that holds now for this thread's coroutines and `loop`'s
// listeners, oldest coroutine first.
std::vector<Warning> warnings(const Loop& loop, const WarningLimits& limits = {});
// What `error` (an exception that ended coroutine `id`) says, as a Death.
Death death(std::uint64_t id, std::string_view name, std::exception_ptr error);
// This build's saved-context block.
RegisterLayout register_layout();
// What `recorder` holds, with the names of the coroutines still alive.
TraceRecording recording(const SwitchRecorder& recorder);

// Shows a listener of this thread to tools (`conns`) for as long as it
// lives: `describe` is called on this thread whenever one asks.
//
//   corosh::inspect::ListenerReport report([&] { return my_listener_view(); });
class ListenerReport {
 public:
  explicit ListenerReport(std::function<ListenerView()> describe);
  ~ListenerReport();
  ListenerReport(const ListenerReport&) = delete;
  ListenerReport& operator=(const ListenerReport&) = delete;

 private:
  std::function<ListenerView()> describe_;
  friend std::vector<ListenerView> listeners();
};
// This thread's reported listeners, by local port.
std::vector<ListenerView> listeners();

}  // namespace corosh::inspect
