// Round-trip latencies of one echo_load run, with exact percentiles.
//
// Every sample is kept (4 bytes each, nanoseconds, saturating at ~4.3 s), so
// the percentiles are exact rather than bucket midpoints: about 1 MB per
// second of measurement at 250 k round trips/s, which is fine for benchmark
// runs of seconds to minutes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

class LatencySamples {
 public:
  void reserve(size_t n) { samples_.reserve(n); }
  void clear() {
    samples_.clear();
    sorted_ = false;
  }
  size_t size() const { return samples_.size(); }

  void add(int64_t ns) {
    constexpr int64_t kMax = std::numeric_limits<uint32_t>::max();
    samples_.push_back(static_cast<uint32_t>(std::clamp<int64_t>(ns, 0, kMax)));
    sorted_ = false;
  }

  // Nearest-rank percentile: the smallest sample with at least p% of samples
  // at or below it. p in (0, 100]. 0 when there are no samples.
  uint32_t percentile(double p) {
    if (samples_.empty()) return 0;
    sort();
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples_.size())));
    rank = std::clamp<size_t>(rank, 1, samples_.size());
    return samples_[rank - 1];
  }

  uint32_t min() { return percentile(0.0); }  // rank clamps to the first sample
  uint32_t max() { return percentile(100.0); }

  double mean() const {
    if (samples_.empty()) return 0.0;
    long double sum = 0;
    for (uint32_t s : samples_) sum += s;
    return static_cast<double>(sum / samples_.size());
  }

 private:
  void sort() {
    if (!sorted_) std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }

  std::vector<uint32_t> samples_;
  bool sorted_ = false;
};
