// shell/target.hpp — what the shell's commands inspect and drive.
//
// Commands never call the runtime: they ask a Target. LocalTarget answers
// for the shell's own process (its demos, its echo listeners, its loop); a
// target for another program answers the same questions about that program,
// so every command works unchanged on either. A Target that cannot do
// something (spawn a demo inside a program that has none) throws
// NotSupported, which the command reports as its one error line.
//
// Everything crosses this seam by value: snapshots (corosh/inspect.hpp),
// never addresses to dereference.
#pragma once

#include "words.hpp"

#include <corosh/inspect.hpp>
#include <corosh/net.hpp>
#include <corosh/registry.hpp>
#include <corosh/trace.hpp>
#include <corosh/unwind.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace corosh::shell {

// The target cannot do this at all (as opposed to: not now, not that one).
class NotSupported : public CommandError {
 public:
  using CommandError::CommandError;
};

// The target went away (exited, crashed, closed the connection, stopped
// answering): the shell reports it in one line and goes back to its own process.
class TargetLost : public CommandError {
 public:
  using CommandError::CommandError;
};

// A coroutine as the shell sees it: the registry's snapshot, and whether
// this shell drives it.
struct CoroutineView {
  CoroutineInfo info;
  // Spawned through this target: step, continue and cancel may drive it.
  // Any other coroutine is driven by its owner (the loop, a demo, the
  // program) and is only inspected.
  bool yours = false;
  // How it came to be, for `info`: the spawn command's demo and arguments
  // for yours, otherwise who drives it ("by the loop").
  std::string origin;
};

// A demo (a spawnable function) that spawn can start.
struct DemoInfo {
  std::string name;
  std::string synopsis;
  std::string description;
  std::string plugin;  // the plugin that declared it; empty: the program itself
};

// A plugin the target has loaded.
struct PluginInfo {
  std::string name;                    // what `unload` takes: "maze" for maze.so
  std::string path;                    // as it was loaded
  std::string version;                 // the corosh it was built against
  std::vector<std::string> functions;  // what it declares, in declaration order
};

// How to spawn a demo.
struct SpawnRequest {
  std::string demo;
  std::vector<std::string> arguments;
  std::optional<std::string> name;        // default: the demo's name
  std::optional<std::size_t> stack_size;  // default: the runtime's
};

// How to start an echo listener.
struct ListenRequest {
  std::uint16_t port = 0;                       // 0: any free port
  std::string host = "127.0.0.1";
  std::optional<std::size_t> max_connections;   // at once (0: no limit); default: the listener's
  std::optional<Duration> idle_timeout;         // default: none
};

// The snapshot types commands see, shared with every other tool (and, in
// JSON, with the attach protocol).
using inspect::ConnectionView;
using inspect::ListenerView;
using inspect::RegisterLayout;
using inspect::StepResult;
using inspect::TraceRecording;

class Target {
 public:
  virtual ~Target() = default;

  // What is inspected, for messages: "this process", "pid 4242 (server)".
  virtual std::string describe() const = 0;

  // --- coroutines ---------------------------------------------------------------
  // Every live coroutine, oldest first, as summaries (inspect::summary).
  virtual std::vector<CoroutineView> list() = 0;
  // One coroutine in full (saved registers included), if it is alive.
  virtual std::optional<CoroutineView> find(std::uint64_t id) = 0;
  // Its stack, named (where it is parked, or the frames at its fault).
  virtual std::vector<inspect::NamedFrame> stack(const CoroutineInfo& coroutine, std::size_t max_frames) = 0;
  // The stacks of every coroutine stack() can walk (parked, or faulted),
  // oldest first, at most max_frames each, in one go. By default one
  // stack() per coroutine of list(); a target that can do better does.
  virtual inspect::StackSet stacks(std::size_t max_frames);
  // Names a code address of the target.
  virtual Symbol symbol(std::uintptr_t pc) = 0;
  // A copy of its saved-context block, and how to read one.
  virtual inspect::ContextMemory context(const CoroutineInfo& coroutine) = 0;
  virtual RegisterLayout register_layout() = 0;

  // --- the loop -------------------------------------------------------------------
  virtual inspect::LoopState loop() = 0;
  virtual std::vector<ListenerView> listeners() = 0;
  // Every descriptor the loop knows (who waits on it, what watches it).
  virtual std::vector<inspect::FdView> loop_fds();
  // Every queued timer, soonest first.
  virtual std::vector<inspect::TimerView> loop_timers();

  // --- resources and warnings -----------------------------------------------------
  // Stacks, control records, the loop's tables, resident memory.
  virtual inspect::MemoryView memory();
  // What is probably wrong now (inspect::Warning), judged by `limits`.
  virtual std::vector<inspect::Warning> warnings(const inspect::WarningLimits& limits);

  // --- tracing --------------------------------------------------------------------
  // Starts recording switches (forgetting an earlier recording).
  virtual void trace_start() = 0;
  // Stops; returns how many events were recorded.
  virtual std::size_t trace_stop() = 0;
  virtual bool tracing() const = 0;
  // What was recorded so far.
  virtual TraceRecording trace_recording() = 0;

  // --- driving (each throws NotSupported where the target cannot) ------------------
  virtual std::vector<DemoInfo> demos() { return {}; }
  // Spawns a demo as a new coroutine, created and not yet run; returns its id.
  virtual std::uint64_t spawn(const SpawnRequest& request);
  // Resumes one of yours once.
  virtual StepResult step(const CoroutineView& coroutine);
  // Cancels one of yours (unwinds it); returns where it is now.
  virtual StepResult cancel(const CoroutineView& coroutine);
  // Drops a dead coroutine from the registry and frees its stack now (its
  // handle, wherever it is, becomes empty).
  virtual void forget(const CoroutineView& coroutine);
  // Starts an echo listener; returns where it listens.
  virtual Endpoint listen(const ListenRequest& request);
  // Stops the echo listener on `port`; returns its last figures.
  virtual ListenerView unlisten(std::uint16_t port);
  // Opens a plugin (a shared library with corosh/spawnable.hpp
  // declarations) and adds its functions to demos().
  virtual PluginInfo load(const std::string& path);
  // Closes the plugin called `name`; refuses while its code still runs.
  virtual PluginInfo unload(const std::string& name);
  virtual std::vector<PluginInfo> plugins() { return {}; }
  // Closes the listeners and ends the coroutines this target spawned.
  virtual void shutdown() {}

  // Called for a coroutine that died where no command was driving it (the
  // loop resumed it).
  void on_death(std::function<void(const inspect::Death&)> handler) { death_handler_ = std::move(handler); }

 protected:
  // Reports a death to whoever listens (see on_death).
  void report(const inspect::Death& death) const {
    if (death_handler_) death_handler_(death);
  }
  // Throws NotSupported for `what` ("spawn") on this target.
  [[noreturn]] void unsupported(std::string_view what) const;

 private:
  std::function<void(const inspect::Death&)> death_handler_;
};

}  // namespace corosh::shell
