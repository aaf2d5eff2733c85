#include "remote_target.hpp"

#include "words.hpp"

#include <corosh/inspect_json.hpp>
#include <corosh/monitor.hpp>

#include <fmt/format.h>

#include <signal.h>

#include <cerrno>

namespace corosh::shell {

namespace {

using nlohmann::json;

// How long a program may stay silent before it counts as gone.
constexpr std::chrono::seconds patience{10};
// ... and how long `attach` alone waits for each program in its listing.
constexpr std::chrono::milliseconds listing_patience{1000};

template <class T>
T field(const json& object, const char* key, T fallback) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

std::string label_of(const json& hello) {
  return fmt::format("pid {} ({})", field<long long>(hello, "pid", 0), field<std::string>(hello, "program", "?"));
}

}  // namespace

RemoteTarget::RemoteTarget(Loop& loop, std::unique_ptr<MonitorConnection> connection)
    : loop_(loop), connection_(std::move(connection)) {
  label_ = label_of(connection_->hello());
  driving_ = field<bool>(connection_->hello(), "driving", false);
  watch_ = loop_.add_watch(connection_->fd(), Interest::readable, [this](Interest) {
    try {
      connection_->poll_idle();
    } catch (const TargetLost& e) {
      loop_.remove(watch_);
      watch_ = WatchId();
      if (lost_handler_) lost_handler_(e.what());  // may end this target: nothing after it
    }
  });
}

std::string RemoteTarget::greeting() const {
  const json& hello = connection_->hello();
  return fmt::format("{}: {} coroutines, corosh {} on {}{}", label_, field<std::uint64_t>(hello, "coroutines", 0),
                     field<std::string>(hello, "corosh", "?"), field<std::string>(hello, "architecture", "?"),
                     driving_ ? "" : " (inspection only)");
}

RemoteTarget::~RemoteTarget() {
  if (watch_) loop_.remove(watch_);
}

json RemoteTarget::call(const std::string& op, json fields) {
  try {
    return connection_->call(op, std::move(fields));
  } catch (const TargetLost&) {
    if (watch_) loop_.remove(watch_);
    watch_ = WatchId();
    throw;
  } catch (const RemoteError& e) {
    if (e.kind() == monitor::kind::inspect_only) throw NotSupported(e.what());
    throw;
  }
}

template <class T>
T RemoteTarget::decode(const json& value, std::string_view what) {
  try {
    return value.get<T>();
  } catch (const json::exception& e) {
    throw CommandError(fmt::format("{} sent {} this shell cannot read: {}", label_, what, e.what()));
  }
}

CoroutineView RemoteTarget::view(CoroutineInfo info) const {
  CoroutineView v;
  v.origin = info.loop_owned                ? "by the loop"
             : !info.wait_reason.empty()    ? "by the program (it waits on the loop)"
                                            : "by the program's own code";
  v.info = std::move(info);
  return v;
}

std::vector<CoroutineView> RemoteTarget::list() {
  std::vector<CoroutineView> all;
  for (CoroutineInfo& info : decode<std::vector<CoroutineInfo>>(call("list"), "a listing"))
    all.push_back(view(std::move(info)));
  return all;
}

std::optional<CoroutineView> RemoteTarget::find(std::uint64_t id) {
  try {
    const json found = call("find", {{"coroutine", id}});
    if (!found.is_object() || !found.contains("coroutine"))
      throw CommandError(fmt::format("{} sent a coroutine this shell cannot read", label_));
    return view(decode<CoroutineInfo>(found["coroutine"], "a coroutine"));
  } catch (const RemoteError& e) {
    if (e.kind() == monitor::kind::not_found) return std::nullopt;
    throw;
  }
}

std::vector<inspect::NamedFrame> RemoteTarget::stack(const CoroutineInfo& coroutine, std::size_t max_frames) {
  try {
    return decode<std::vector<inspect::NamedFrame>>(
        call("stack", {{"coroutine", coroutine.id}, {"max_frames", max_frames}}), "a stack");
  } catch (const RemoteError& e) {
    if (e.kind() == monitor::kind::not_found) return {};  // it ended meanwhile
    throw;
  }
}

Symbol RemoteTarget::symbol(std::uintptr_t pc) { return decode<Symbol>(call("symbol", {{"pc", pc}}), "a symbol"); }

inspect::ContextMemory RemoteTarget::context(const CoroutineInfo& coroutine) {
  try {
    return decode<inspect::ContextMemory>(call("context", {{"coroutine", coroutine.id}}), "a saved context");
  } catch (const RemoteError& e) {
    if (e.kind() == monitor::kind::not_found) return {};
    throw;
  }
}

RegisterLayout RemoteTarget::register_layout() {
  if (!layout_) layout_ = decode<RegisterLayout>(call("layout"), "a register layout");
  return *layout_;
}

inspect::LoopState RemoteTarget::loop() { return decode<inspect::LoopState>(call("loop"), "loop figures"); }

std::vector<ListenerView> RemoteTarget::listeners() {
  return decode<std::vector<ListenerView>>(call("listeners"), "its listeners");
}

StepResult RemoteTarget::cancel(const CoroutineView& coroutine) {
  return decode<StepResult>(call("cancel", {{"coroutine", coroutine.info.id}}), "a cancelled coroutine");
}

std::vector<inspect::FdView> RemoteTarget::loop_fds() {
  return decode<std::vector<inspect::FdView>>(call("fds"), "the loop's descriptors");
}

std::vector<inspect::TimerView> RemoteTarget::loop_timers() {
  return decode<std::vector<inspect::TimerView>>(call("timers"), "the loop's timers");
}

inspect::MemoryView RemoteTarget::memory() { return decode<inspect::MemoryView>(call("memory"), "its memory"); }

std::vector<inspect::Warning> RemoteTarget::warnings(const inspect::WarningLimits& limits) {
  return decode<std::vector<inspect::Warning>>(call("warnings", {{"limits", limits}}), "its warnings");
}

void RemoteTarget::trace_start() {
  call("trace_start");
  tracing_ = true;
}

std::size_t RemoteTarget::trace_stop() {
  const json stopped = call("trace_stop");
  tracing_ = false;
  return field<std::size_t>(stopped, "events", 0);
}

TraceRecording RemoteTarget::trace_recording() {
  // The summary first, then the events in parts: a whole recording can be
  // larger than one frame.
  TraceRecording r = decode<TraceRecording>(call("trace_summary"), "a trace recording");
  r.events = decode<std::vector<SwitchEvent>>(call("trace_events"), "a trace recording's events");
  return r;
}

std::vector<Attachable> attachable_programs() {
  std::vector<Attachable> all;
  for (const std::string& socket : monitor_sockets()) {
    Attachable a;
    a.socket = socket;
    try {
      MonitorConnection connection(socket, listing_patience);
      const json& hello = connection.hello();
      a.pid = field<long long>(hello, "pid", 0);
      a.program = field<std::string>(hello, "program", "?");
      a.coroutines = field<std::uint64_t>(hello, "coroutines", 0);
      a.uptime_ms = field<std::int64_t>(hello, "uptime_ms", 0);
      a.driving = field<bool>(hello, "driving", false);
    } catch (const CommandError& e) {
      a.problem = e.what();
    }
    all.push_back(std::move(a));
  }
  return all;
}

std::unique_ptr<RemoteTarget> attach_to(Loop& loop, std::string_view where) {
  std::string socket(where);
  if (is_number(where)) {
    const auto pid = static_cast<long>(parse_number(where, "PID", 1, 0x7fffffff));
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      throw CommandError(fmt::format("no process with pid {}", pid));
    socket = monitor_socket_of(pid);
  }
  return std::make_unique<RemoteTarget>(loop, std::make_unique<MonitorConnection>(socket, patience));
}

}  // namespace corosh::shell
