#include "trace_recorder.hpp"

#include "words.hpp"

#include <corosh/registry.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace corosh::shell {

TraceRecorder::~TraceRecorder() { stop(); }

void TraceRecorder::start() {
  events_.clear();
  dropped_ = 0;
  start_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now().time_since_epoch())
                  .count();
  recording_ = true;
  set_switch_observer(&TraceRecorder::observe, this);
}

void TraceRecorder::stop() noexcept {
  if (!recording_) return;
  set_switch_observer(nullptr, nullptr);
  recording_ = false;
}

// Runs inside every switch: no formatting, no lookups, just a push.
void TraceRecorder::observe(const SwitchEvent& event, void* self) {
  auto* recorder = static_cast<TraceRecorder*>(self);
  if (recorder->events_.size() >= capacity) {
    ++recorder->dropped_;
    return;
  }
  recorder->events_.push_back(event);
}

namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

}  // namespace

void TraceRecorder::save(const std::string& path) const {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr)
    throw CommandError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  std::string json = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  std::set<std::uint64_t> tids{0};
  bool first = true;
  auto add = [&](const std::string& event) {
    if (!first) json += ",\n";
    json += event;
    first = false;
  };
  for (const SwitchEvent& e : events_) {
    // Microseconds with a fraction: Chrome's unit, nanosecond resolution kept.
    double ts = double(e.time_ns - start_ns_) / 1000.0;
    std::uint64_t tid = e.kind == SwitchEvent::resume ? e.to : e.from;
    tids.insert(tid);
    const char* phase = e.kind == SwitchEvent::resume ? "B" : "E";
    const char* why = e.kind == SwitchEvent::resume ? "resume" : e.kind == SwitchEvent::yield ? "yield" : "finish";
    add(fmt::format(R"({{"name":"running","cat":"switch","ph":"{}","pid":1,"tid":{},"ts":{:.3f},"args":{{"by":"{}"}}}})",
                    phase, tid, ts, why));
  }
  // Thread names, so the viewer shows "3 tree_preorder" rather than "3".
  for (std::uint64_t tid : tids) {
    std::string name = tid == 0 ? std::string("thread stack") : fmt::format("coroutine {}", tid);
    if (tid != 0)
      if (auto info = find_coroutine(tid); info && !info->name.empty()) name += " " + info->name;
    add(fmt::format(R"({{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":{}}}}})", tid,
                    json_string(name)));
  }
  add(R"({"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"corosh"}})");
  json += "\n]}\n";
  bool ok = std::fwrite(json.data(), 1, json.size(), file) == json.size();
  ok = (std::fclose(file) == 0) && ok;
  if (!ok) throw CommandError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
}

}  // namespace corosh::shell
