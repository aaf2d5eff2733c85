// switch_recorder.cpp — keeping every switch of a thread (trace.hpp).
#include <corosh/trace.hpp>

#include <chrono>

namespace corosh {

SwitchRecorder::~SwitchRecorder() { stop(); }

void SwitchRecorder::start() {
  events_.clear();
  dropped_ = 0;
  started_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  recording_ = true;
  set_switch_observer(&SwitchRecorder::observe, this);
}

void SwitchRecorder::stop() noexcept {
  if (!recording_) return;
  set_switch_observer(nullptr, nullptr);
  recording_ = false;
}

// Runs inside every switch: no formatting, no lookups, just a push.
void SwitchRecorder::observe(const SwitchEvent& event, void* self) {
  auto* recorder = static_cast<SwitchRecorder*>(self);
  if (recorder->events_.size() >= capacity) {
    ++recorder->dropped_;
    return;
  }
  recorder->events_.push_back(event);
}

}  // namespace corosh
