#include "trace_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace corosh::shell {
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

void save_chrome_trace(const TraceRecording& recording, const std::string& path) {
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
  for (const SwitchEvent& e : recording.events) {
    // Microseconds with a fraction: Chrome's unit, nanosecond resolution kept.
    double ts = double(e.time_ns - recording.started_ns) / 1000.0;
    std::uint64_t tid = e.kind == SwitchEvent::resume ? e.to : e.from;
    tids.insert(tid);
    const char* phase = e.kind == SwitchEvent::resume ? "B" : "E";
    const char* why = e.kind == SwitchEvent::resume ? "resume" : e.kind == SwitchEvent::yield ? "yield" : "finish";
    add(fmt::format(R"({{"name":"running","cat":"switch","ph":"{}","pid":1,"tid":{},"ts":{:.3f},"args":{{"by":"{}"}}}})",
                    phase, tid, ts, why));
  }
  // Thread names, so the viewer shows "3 tree_preorder" rather than "3".
  std::map<std::uint64_t, std::string> names(recording.names.begin(), recording.names.end());
  for (std::uint64_t tid : tids) {
    std::string name = tid == 0 ? std::string("thread stack") : fmt::format("coroutine {}", tid);
    if (auto it = names.find(tid); tid != 0 && it != names.end()) name += " " + it->second;
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
