// switch_recorder.cpp — keeping every switch of a thread (trace.hpp).
#include <corosh/trace.hpp>

#include <corosh/error.hpp>

#include <chrono>
#include <string>

namespace corosh {

SwitchRecorder::~SwitchRecorder() { stop(); }

void SwitchRecorder::start() {
  stop();
  if (!add_switch_observer(&SwitchRecorder::observe, this))
    throw Error("corosh: this thread already has " + std::to_string(max_switch_observers) + " switch observers");
  events_.clear();
  names_.clear();
  dropped_ = 0;
  started_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  recording_ = true;
}

void SwitchRecorder::stop() noexcept {
  if (!recording_) return;
  remove_switch_observer(&SwitchRecorder::observe, this);
  recording_ = false;
}

// Runs inside every switch: no formatting, just a push, and a name kept the
// first time a coroutine is seen.
void SwitchRecorder::observe(const SwitchEvent& event, void* self) {
  auto* recorder = static_cast<SwitchRecorder*>(self);
  if (recorder->events_.size() >= capacity) {
    ++recorder->dropped_;
    return;
  }
  const std::uint64_t id = event.kind == SwitchEvent::resume ? event.to : event.from;
  const char* name = event.kind == SwitchEvent::resume ? event.to_name : event.from_name;
  if (id != 0 && name[0] != '\0') recorder->names_.try_emplace(id, name);
  SwitchEvent kept = event;
  kept.from_name = kept.to_name = "";
  recorder->events_.push_back(kept);
}

}  // namespace corosh
