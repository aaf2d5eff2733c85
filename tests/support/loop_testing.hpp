// loop_testing.hpp — helpers shared by the loop, socket, echo and soak tests.
#pragma once

#include <corosh/loop.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace corosh_test {

// Runs the loop until `done` holds (or the loop runs out of work).
template <class Predicate>
void run_until(corosh::Loop& loop, Predicate done) {
  while (!done() && loop.run_once()) {
  }
}

// Runs the loop until `done` holds, for at most `limit` (a generous bound
// that only a hang reaches) or until the loop runs out of work; returns
// done().
template <class Predicate>
bool run_within(corosh::Loop& loop, corosh::Duration limit, Predicate done) {
  using clock = std::chrono::steady_clock;
  const clock::time_point deadline = clock::now() + std::chrono::duration_cast<clock::duration>(limit);
  while (!done()) {
    const clock::time_point now = clock::now();
    if (now >= deadline) break;
    if (!loop.run_once(std::chrono::duration_cast<corosh::Duration>(deadline - now))) break;
  }
  return done();
}

// FNV-1a over a byte stream, to compare what was sent with what came back
// without keeping either.
inline constexpr std::uint64_t fnv_basis = 14695981039346656037ull;
inline std::uint64_t fnv1a(std::uint64_t h, const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 1099511628211ull;
  return h;
}

// Raises the soft descriptor limit to `want` (or the hard limit, if lower)
// for the lifetime of the object: N connections in one process need 2N.
class EnoughDescriptors {
 public:
  explicit EnoughDescriptors(rlim_t want) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit raised = saved_;
    if (raised.rlim_cur < want) raised.rlim_cur = want < raised.rlim_max ? want : raised.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &raised);
  }
  ~EnoughDescriptors() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  EnoughDescriptors(const EnoughDescriptors&) = delete;
  EnoughDescriptors& operator=(const EnoughDescriptors&) = delete;

 private:
  rlimit saved_{};
};

}  // namespace corosh_test
