// shell/trace_recorder.hpp — `trace on|off|save FILE`: context switches as
// Chrome trace events.
//
// Each coroutine is a thread (tid = coroutine id, the thread's own stack is
// tid 0) of one process (pid 1). A resume opens a "B" (begin) slice on the
// coroutine that starts running, a yield or finish closes it with "E", so
// Perfetto or chrome://tracing draws when each coroutine ran, nested as the
// resumes were.
#pragma once

#include <corosh/trace.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace corosh::shell {

class TraceRecorder {
 public:
  TraceRecorder() = default;
  // Stops observing.
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;

  // Starts recording (forgetting an earlier recording).
  void start();
  // Stops recording; the events stay until the next start().
  void stop() noexcept;
  bool recording() const noexcept { return recording_; }
  std::size_t events() const noexcept { return events_.size(); }
  std::size_t dropped() const noexcept { return dropped_; }
  // Writes the JSON; throws CommandError if the file cannot be written.
  void save(const std::string& path) const;

  // At most this many events are kept; more are counted as dropped.
  static constexpr std::size_t capacity = 1'000'000;

 private:
  static void observe(const SwitchEvent& event, void* self);
  std::vector<SwitchEvent> events_;
  std::size_t dropped_ = 0;
  std::int64_t start_ns_ = 0;
  bool recording_ = false;
};

}  // namespace corosh::shell
