// shell/remote_target.hpp — another program as a Target, through its
// Monitor (corosh/monitor.hpp): what `attach PID` switches the shell to.
//
// Every question goes over the connection and is answered in the program
// by the same corosh/inspect.hpp functions LocalTarget uses here, so the
// commands print the same either way. Coroutines the program's loop drives
// (it owns them, or they wait on it) are the ones the shell may drive, if
// the program allows it; the rest are inspected only.
#pragma once

#include "monitor_connection.hpp"
#include "target.hpp"

#include <corosh/loop.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

class RemoteTarget final : public Target {
 public:
  // Talks over `connection`; watches it on `loop` while the shell is idle,
  // so that a program that exits is noticed at the prompt.
  RemoteTarget(Loop& loop, std::unique_ptr<MonitorConnection> connection);
  ~RemoteTarget() override;

  // "pid 4242 (server)".
  std::string describe() const override { return label_; }
  // What the program said when the shell attached: "pid 4242 (server): 12
  // coroutines, corosh 0.1.0 on x86_64[ (inspection only)]".
  std::string greeting() const;
  // Called (once) when the connection ends while the shell is idle.
  void on_lost(std::function<void(const std::string& why)> handler) { lost_handler_ = std::move(handler); }

  std::vector<CoroutineView> list() override;
  std::optional<CoroutineView> find(std::uint64_t id) override;
  std::vector<inspect::NamedFrame> stack(const CoroutineInfo& coroutine, std::size_t max_frames) override;
  Symbol symbol(std::uintptr_t pc) override;
  inspect::ContextMemory context(const CoroutineInfo& coroutine) override;
  RegisterLayout register_layout() override;

  inspect::LoopState loop() override;
  std::vector<ListenerView> listeners() override;
  StepResult cancel(const CoroutineView& coroutine) override;
  std::vector<inspect::FdView> loop_fds() override;
  std::vector<inspect::TimerView> loop_timers() override;
  inspect::MemoryView memory() override;
  std::vector<inspect::Warning> warnings(const inspect::WarningLimits& limits) override;

  void trace_start() override;
  std::size_t trace_stop() override;
  bool tracing() const override { return tracing_; }
  TraceRecording trace_recording() override;

 private:
  nlohmann::json call(const std::string& op, nlohmann::json fields = nlohmann::json::object());
  template <class T>
  T decode(const nlohmann::json& value, std::string_view what);
  CoroutineView view(CoroutineInfo info) const;
  Loop& loop_;
  std::unique_ptr<MonitorConnection> connection_;
  std::string label_;
  bool driving_ = false;
  std::optional<RegisterLayout> layout_;
  bool tracing_ = false;  // this shell's recording in the program is running
  WatchId watch_;
  std::function<void(const std::string&)> lost_handler_;
};

// A program this shell could attach to, as `attach` lists them.
struct Attachable {
  std::string socket;
  long long pid = 0;
  std::string program;
  std::uint64_t coroutines = 0;
  std::int64_t uptime_ms = 0;
  bool driving = false;
  std::string problem;  // why it did not answer, if it did not
};

// The programs of this user with a monitor (monitor_sockets()), each asked
// for its hello.
std::vector<Attachable> attachable_programs();

// Connects to the program `where` names: a pid, or the path of a monitor
// socket. Throws CommandError saying why it cannot.
std::unique_ptr<RemoteTarget> attach_to(Loop& loop, std::string_view where);

}  // namespace corosh::shell
