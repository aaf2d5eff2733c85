// shell/local_target.hpp — the shell's own process as a Target.
//
// The one place in the shell that calls the runtime: it spawns the functions
// this program declared and those of loaded plugins (functions.hpp) and owns
// them, runs echo listeners on the shell's loop, records switches on this
// thread, and answers every question from the registry, the unwinder and the
// loop through corosh/inspect.hpp.
#pragma once

#include "target.hpp"

#include "echo_server.hpp"
#include "functions.hpp"

#include <corosh/loop.hpp>
#include <corosh/trace.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace corosh::shell {

class LocalTarget final : public Target {
 public:
  // Contains faults in coroutines (a crashing demo becomes dead/faulted and
  // the shell goes on), reports deaths of coroutines `loop` resumes, and
  // sends what demos print to `print`.
  LocalTarget(Loop& loop, std::function<void(std::string_view)> print);
  // Shuts down (see shutdown()).
  ~LocalTarget() override;

  std::string describe() const override { return "this process"; }

  std::vector<CoroutineView> list() override;
  std::optional<CoroutineView> find(std::uint64_t id) override;
  std::vector<inspect::NamedFrame> stack(const CoroutineInfo& coroutine, std::size_t max_frames) override;
  inspect::StackSet stacks(std::size_t max_frames) override;
  Symbol symbol(std::uintptr_t pc) override;
  inspect::ContextMemory context(const CoroutineInfo& coroutine) override;
  RegisterLayout register_layout() override;

  inspect::LoopState loop() override;
  std::vector<ListenerView> listeners() override;
  std::vector<inspect::FdView> loop_fds() override { return inspect::loop_fds(loop_); }
  std::vector<inspect::TimerView> loop_timers() override { return inspect::loop_timers(loop_); }
  inspect::MemoryView memory() override { return inspect::memory(loop_); }
  std::vector<inspect::Warning> warnings(const inspect::WarningLimits& limits) override {
    return inspect::warnings(loop_, limits);
  }

  void trace_start() override;
  std::size_t trace_stop() override;
  bool tracing() const override { return recorder_.recording(); }
  TraceRecording trace_recording() override;

  std::vector<DemoInfo> demos() override;
  std::uint64_t spawn(const SpawnRequest& request) override;
  StepResult step(const CoroutineView& coroutine) override;
  StepResult cancel(const CoroutineView& coroutine) override;
  // One the shell spawned is destroyed with its task; any other is
  // forgotten by the registry (corosh::forget_coroutine).
  void forget(const CoroutineView& coroutine) override;
  Endpoint listen(const ListenRequest& request) override;
  ListenerView unlisten(std::uint16_t port) override;
  PluginInfo load(const std::string& path) override;
  PluginInfo unload(const std::string& name) override;
  std::vector<PluginInfo> plugins() override;
  // Closes the listeners and cancels (unwinds) every spawned coroutine,
  // newest first, like locals going out of scope.
  void shutdown() override;

 private:
  struct Spawned {
    std::unique_ptr<spawnable::Task> task;
    std::string origin;             // the function and its arguments, for `info`
    const Plugin* plugin = nullptr;  // whose code it runs; null: this program's
  };
  CoroutineView view(CoroutineInfo info) const;
  spawnable::Task& task(const CoroutineView& coroutine);
  // The coroutines still running code of `plugin`, as "3 'maze' (suspended)".
  std::vector<std::string> running_code_of(const Plugin& plugin);

  Loop& loop_;
  // Before spawned_: a plugin's code must outlive the tasks made by it.
  Functions functions_;
  std::map<std::uint64_t, Spawned> spawned_;
  std::map<std::uint16_t, std::unique_ptr<demos::EchoServer>> servers_;
  SwitchRecorder recorder_;
};

}  // namespace corosh::shell
