// ratio_report.hpp — prints "corosh vs baseline" ratios at the end of a run.
//
// Absolute nanoseconds on a shared 2-vCPU VM drift from run to run; the ratio
// of two benchmarks measured in the same process, interleaved in time, is the
// figure worth comparing. Each binary lists its pairs and calls run_with_ratios()
// instead of BENCHMARK_MAIN(). With --benchmark_repetitions=N the median of
// the N repetitions is used, otherwise the single measurement.
#pragma once

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace corosh_bench {

struct Comparison {
  std::string candidate;
  std::string baseline;
};

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<Comparison> pairs)
      : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_None), pairs_(std::move(pairs)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string& name = run.run_name.function_name;
      const double ns = run.GetAdjustedRealTime() * to_ns(run.time_unit);
      const double cpu_ns = run.GetAdjustedCPUTime() * to_ns(run.time_unit);
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") median_[name] = {ns, cpu_ns};
      } else {
        single_[name] = {ns, cpu_ns};
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    // Wall-clock ratio first; the CPU-time ratio beside it leaves out the
    // time the process was descheduled, which on a busy shared machine is
    // the steadier of the two.
    std::printf("\n%-36s %-36s %12s %12s %8s %10s\n", "candidate", "baseline", "cand. ns", "base ns", "ratio",
                "cpu ratio");
    for (const Comparison& p : pairs_) {
      const Times c = lookup(p.candidate), b = lookup(p.baseline);
      if (c.real <= 0 || b.real <= 0) continue;  // filtered out of this run
      std::printf("%-36s %-36s %12.2f %12.2f %7.2fx %9.2fx\n", p.candidate.c_str(), p.baseline.c_str(), c.real,
                  b.real, c.real / b.real, b.cpu > 0 ? c.cpu / b.cpu : 0.0);
    }
    std::fflush(stdout);
  }

 private:
  static double to_ns(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond: return 1;
      case benchmark::kMicrosecond: return 1e3;
      case benchmark::kMillisecond: return 1e6;
      case benchmark::kSecond: return 1e9;
    }
    return 1;
  }
  struct Times {
    double real = 0, cpu = 0;
  };
  Times lookup(const std::string& name) const {
    if (auto it = median_.find(name); it != median_.end()) return it->second;
    if (auto it = single_.find(name); it != single_.end()) return it->second;
    return {};
  }

  std::vector<Comparison> pairs_;
  std::map<std::string, Times> median_, single_;
};

inline int run_with_ratios(int argc, char** argv, std::vector<Comparison> pairs) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(std::move(pairs));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace corosh_bench
