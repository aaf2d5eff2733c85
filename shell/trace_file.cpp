#include "trace_file.hpp"

#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace corosh::shell {
namespace {

using nlohmann::json;

json trace_events(const TraceRecording& recording) {
  json events = json::array();
  std::set<std::uint64_t> tids{0};
  for (const SwitchEvent& e : recording.events) {
    // Microseconds with a fraction: Chrome's unit, nanosecond resolution kept.
    const double ts = double(e.time_ns - recording.started_ns) / 1000.0;
    const std::uint64_t tid = e.kind == SwitchEvent::resume ? e.to : e.from;
    tids.insert(tid);
    const char* why = e.kind == SwitchEvent::resume ? "resume" : e.kind == SwitchEvent::yield ? "yield" : "finish";
    events.push_back({{"name", "running"},
                      {"cat", "switch"},
                      {"ph", e.kind == SwitchEvent::resume ? "B" : "E"},
                      {"pid", 1},
                      {"tid", tid},
                      {"ts", ts},
                      {"args", {{"by", why}}}});
  }
  // Thread names, so the viewer shows "3 tree_preorder" rather than "3".
  const std::map<std::uint64_t, std::string> names(recording.names.begin(), recording.names.end());
  for (std::uint64_t tid : tids) {
    std::string name = tid == 0 ? std::string("thread stack") : fmt::format("coroutine {}", tid);
    if (auto it = names.find(tid); tid != 0 && it != names.end()) name += " " + it->second;
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", tid}, {"args", {{"name", name}}}});
  }
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", "corosh"}}}});
  return events;
}

[[noreturn]] void cannot_write(const std::string& path, int error) {
  throw CommandError(fmt::format("cannot write '{}': {}", path, std::strerror(error)));
}

}  // namespace

void save_chrome_trace(const TraceRecording& recording, const std::string& path) {
  // The whole text first: a failure to build it leaves no file behind. Names
  // are the program's bytes and need not be UTF-8: replaced, not refused.
  const json document = {{"displayTimeUnit", "ns"}, {"traceEvents", trace_events(recording)}};
  const std::string text = document.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  // Then atomically: a temporary file beside the target, renamed over it,
  // so an existing trace is never left truncated.
  const std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) cannot_write(path, errno);
  bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  ok = std::fflush(file) == 0 && ok;
  int error = ok ? 0 : errno;
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (ok && std::rename(temporary.c_str(), path.c_str()) != 0) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    std::remove(temporary.c_str());
    cannot_write(path, error);
  }
}

}  // namespace corosh::shell
