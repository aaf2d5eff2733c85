// catch_main.cpp — the test runner's main, plus a leak check around every
// test case: a test that ends with more live coroutines, more mapped stacks
// or more open file descriptors than it started with fails the run.
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#define COROSH_CATCH3 1
#else
#define CATCH_CONFIG_RUNNER
// The runtime's own SIGSEGV handler is under test; Catch2's must not replace it.
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include <catch2/catch.hpp>
#endif

#include <corosh/registry.hpp>
#include <corosh/stack.hpp>

#include <dirent.h>

#include <cstdio>
#include <string>

namespace {

std::size_t open_descriptors() {
  std::size_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) d = opendir("/dev/fd");
  if (d == nullptr) return 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

struct Counts {
  std::size_t coroutines, stacks_in_use, descriptors;
  bool operator==(const Counts&) const = default;
};

Counts count() {
  corosh::StackStats s = corosh::stack_stats();
  return {corosh::live_coroutines().size(), s.mapped - s.pooled, open_descriptors()};
}

int leaks = 0;
Counts before;

#if COROSH_CATCH3
using ListenerBase = Catch::EventListenerBase;
#else
using ListenerBase = Catch::TestEventListenerBase;
#endif

std::string test_name(const Catch::TestCaseStats& stats) {
#if COROSH_CATCH3
  return std::string(stats.testInfo->name);
#else
  return stats.testInfo.name;
#endif
}

struct LeakCheck : ListenerBase {
  using ListenerBase::ListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    ListenerBase::testCaseStarting(info);
    before = count();
  }
  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    Counts after = count();
    if (!(after == before)) {
      ++leaks;
      std::fprintf(stderr,
                   "LEAK in \"%s\": coroutines %zu -> %zu, stacks in use %zu -> %zu, "
                   "descriptors %zu -> %zu\n",
                   test_name(stats).c_str(), before.coroutines, after.coroutines,
                   before.stacks_in_use, after.stacks_in_use, before.descriptors,
                   after.descriptors);
    }
    ListenerBase::testCaseEnded(stats);
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(LeakCheck)

int main(int argc, char** argv) {
  int failed = Catch::Session().run(argc, argv);
  if (leaks > 0) {
    std::fprintf(stderr, "%d test case(s) leaked coroutines, stacks or descriptors\n", leaks);
    return failed ? failed : 1;
  }
  return failed;
}
