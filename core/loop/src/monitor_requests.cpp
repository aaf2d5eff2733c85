// monitor_requests.cpp — what each request does (docs/attach.md lists them).
//
// Every answer comes from the same corosh/inspect.hpp functions the shell
// uses on itself, so a remote `list` or `stack` prints what a local one
// would. Coroutines are looked up by id here, in the program: a request
// carries ids and counts, never an address to read. Answers that can be
// long (a listing, a stack to name) are Jobs that work a slice at a time.
#include "monitor_internal.hpp"

#include <corosh/inspect.hpp>
#include <corosh/inspect_json.hpp>
#include <corosh/registry.hpp>

#include "monitor_platform.hpp"

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#ifndef COROSH_VERSION
#define COROSH_VERSION "unknown"
#endif

namespace corosh::detail {
namespace {

using nlohmann::json;

// An answer known at once.
class Ready final : public Job {
 public:
  explicit Ready(json value) : value_(std::move(value)) {}
  bool run(Replies& out, MonitorClock::time_point) override {
    out.result(std::move(value_));
    return true;
  }

 private:
  json value_;
};

// Every coroutine, as summaries, one part per slice.
class ListJob final : public Job {
 public:
  bool run(Replies& out, MonitorClock::time_point until) override {
    std::vector<CoroutineInfo> some;
    const bool done = listing_.next(some, until);
    if (done)
      out.result(json(some));
    else if (!some.empty())
      out.part(json(some));
    return done;
  }

 private:
  inspect::Listing listing_;
};

// A stack: walked at once (quick, and the coroutine may move on), named a
// slice at a time (each name is a debug-information lookup).
class StackJob final : public Job {
 public:
  explicit StackJob(std::vector<Frame> frames) : frames_(std::move(frames)) {}
  bool run(Replies& out, MonitorClock::time_point until) override {
    json named = json::array();
    while (next_ < frames_.size()) {
      named.push_back(inspect::named(frames_[next_++]));
      if (MonitorClock::now() >= until) break;
    }
    if (next_ < frames_.size()) {
      out.part(std::move(named));
      return false;
    }
    out.result(std::move(named));
    return true;
  }

 private:
  std::vector<Frame> frames_;
  std::size_t next_ = 0;
};

std::unique_ptr<Job> ready(json value) { return std::make_unique<Ready>(std::move(value)); }

// A recording's events, a part at a time (a million events would not fit
// one frame). Copied when asked: the recording may go on meanwhile.
class EventsJob final : public Job {
 public:
  explicit EventsJob(std::vector<SwitchEvent> events) : events_(std::move(events)) {}
  bool run(Replies& out, MonitorClock::time_point until) override {
    constexpr std::size_t per_part = 20000;  // about 1.5 MB of JSON
    json part = json::array();
    while (next_ < events_.size()) {
      part.push_back(events_[next_++]);
      if (part.size() == per_part || MonitorClock::now() >= until) break;
    }
    if (next_ < events_.size()) {
      out.part(std::move(part));
      return false;
    }
    out.result(std::move(part));
    return true;
  }

 private:
  std::vector<SwitchEvent> events_;
  std::size_t next_ = 0;
};

SwitchRecorder& recorder_of(ClientHoldings& holdings) {
  if (!holdings.recorder) holdings.recorder = std::make_unique<SwitchRecorder>();
  return *holdings.recorder;
}

// trace_start, trace_stop, trace_summary and trace_events: the client's
// own recording of the program's switches. Watching switches is
// inspection, allowed in either mode; it costs the program while it runs.
std::unique_ptr<Job> answer_trace(ClientHoldings& holdings, const std::string& op) {
  SwitchRecorder& recorder = recorder_of(holdings);
  if (op == "trace_start") {
    try {
      recorder.start();
    } catch (const Error& e) {
      throw RequestError(monitor::kind::refused, e.what());
    }
    return ready({{"recording", true}});
  }
  if (op == "trace_stop") {
    recorder.stop();
    return ready({{"events", recorder.events().size()}});
  }
  if (op == "trace_summary") {
    inspect::TraceRecording summary{{}, recorder.dropped(), recorder.started_ns(), {}};
    for (const auto& [id, name] : recorder.names()) summary.names.emplace_back(id, name);
    return ready(summary);
  }
  return std::make_unique<EventsJob>(recorder.events());
}

CoroutineInfo coroutine_of(const monitor::Request& request) {
  const std::uint64_t id = monitor::unsigned_field(request, "coroutine", UINT64_MAX);
  std::optional<CoroutineInfo> info = inspect::coroutine(id);
  if (!info) throw RequestError(monitor::kind::not_found, "no coroutine " + std::to_string(id));
  return std::move(*info);
}

// A warnings request's "limits" (the defaults for any left out).
inspect::WarningLimits warning_limits_of(const monitor::Request& request) {
  inspect::WarningLimits limits;
  const json* given = request.message.contains("limits") ? &request.message["limits"] : nullptr;
  if (given == nullptr) return limits;
  if (!given->is_object()) throw RequestError(monitor::kind::bad_request, "\"limits\" must be an object");
  try {
    json whole = limits;
    whole.update(*given);  // fields it leaves out keep their defaults
    limits = whole.get<inspect::WarningLimits>();
  } catch (const json::exception&) {
    throw RequestError(monitor::kind::bad_request, "\"limits\" holds a field of the wrong type");
  }
  if (limits.long_resume_ns <= 0 || !(limits.stack_use > 0 && limits.stack_use <= 1))
    throw RequestError(monitor::kind::bad_request, "\"limits\" out of range (long_resume_ns > 0, 0 < stack_use <= 1)");
  return limits;
}

// Cancels a coroutine the target's loop owns, if the program allows
// driving: its stack is unwound and it is gone. One the program's own code
// resumes (a generator it pulls) is refused: cancelling it under that code
// would pull the coroutine out from under whoever holds its handle.
inspect::StepResult cancel_for(MonitorShared& shared, const monitor::Request& request) {
  if (!shared.allow_driving)
    throw RequestError(monitor::kind::inspect_only, "this program allows inspection only (COROSH_MONITOR=inspect)");
  const CoroutineInfo c = coroutine_of(request);
  const std::string who = c.name.empty() ? "coroutine " + std::to_string(c.id)
                                         : "coroutine " + std::to_string(c.id) + " '" + c.name + "'";
  if (c.state == State::dead) throw RequestError(monitor::kind::refused, who + " is already dead");
  if (!shared.loop.owns(c.id))
    throw RequestError(monitor::kind::refused, who + " is resumed by the program's own code, not by its loop: only "
                                                     "that code can cancel it");
  try {
    shared.loop.cancel(c.id);
  } catch (const Error& e) {
    throw RequestError(monitor::kind::refused, who + ": " + e.what());
  }
  inspect::StepResult done;
  done.state = State::dead;
  done.ending = Ending::cancelled;
  return done;
}


}  // namespace

json hello_result(const MonitorShared& shared) {
  const auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(MonitorClock::now() - shared.started);
  return {{"protocol", monitor::protocol_version},
          {"pid", static_cast<long long>(::getpid())},
          {"program", program_name()},
          {"architecture", inspect::register_layout().architecture},
          {"corosh", COROSH_VERSION},
          {"driving", shared.allow_driving},
          {"uptime_ms", uptime.count()},
          {"coroutines", live_coroutine_count()}};
}

std::unique_ptr<Job> answer(MonitorShared& shared, ClientHoldings& holdings, const monitor::Request& request) {
  const std::string& op = request.op;
  if (op == "list") return std::make_unique<ListJob>();
  if (op == "find") return ready({{"coroutine", coroutine_of(request)}});
  if (op == "stack") {
    const std::size_t max_frames = monitor::unsigned_field(request, "max_frames", monitor::max_stack_frames, 256);
    return std::make_unique<StackJob>(inspect::frames(coroutine_of(request), max_frames));
  }
  if (op == "context") return ready(inspect::context(coroutine_of(request)));
  if (op == "symbol") return ready(inspect::symbol(monitor::unsigned_field(request, "pc", UINTPTR_MAX)));
  if (op == "layout") return ready(inspect::register_layout());
  if (op == "loop") return ready(inspect::loop_state(shared.loop));
  if (op == "listeners") return ready(inspect::listeners());
  if (op == "trace_start" || op == "trace_stop" || op == "trace_summary" || op == "trace_events")
    return answer_trace(holdings, op);
  if (op == "cancel") return ready(cancel_for(shared, request));
  if (op == "fds") return ready(inspect::loop_fds(shared.loop));
  if (op == "timers") return ready(inspect::loop_timers(shared.loop));
  if (op == "memory") return ready(inspect::memory(shared.loop));
  if (op == "warnings") return ready(inspect::warnings(shared.loop, warning_limits_of(request)));
  throw RequestError(monitor::kind::bad_request, "unknown request '" + op + "'");
}

}  // namespace corosh::detail
