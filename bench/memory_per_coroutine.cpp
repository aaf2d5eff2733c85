// memory_per_coroutine.cpp — resident memory per suspended shallow coroutine.
//
//   memory_per_coroutine [N ...]        (default: 10000 100000)
//
// For each N, a fresh child process creates N coroutines, resumes each once
// so it suspends in a shallow yield, keeps all N alive, and reports how much
// the resident set grew, per coroutine. The same is done with Boost.Context
// fibers on protected_fixedsize_stack (256 KiB + guard page, like corosh).
// A child per measurement keeps one case's freed memory (malloc arenas,
// pooled stacks) out of the next one's baseline. Linux: reads /proc/self.
#include <corosh/coroutine.hpp>
#include <corosh/stack.hpp>

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace {

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long mapping_count() {
  std::ifstream maps("/proc/self/maps");
  long n = 0;
  for (std::string line; std::getline(maps, line);) ++n;
  return n;
}

void report(const char* who, std::size_t n, long before, long after) {
  std::printf("%-30s N=%-7zu RSS %8ld -> %8ld KiB  %6.2f KiB per coroutine  %6ld mappings\n", who, n,
              before, after, double(after - before) / double(n), mapping_count());
}

void corosh_case(std::size_t n) {
  std::vector<corosh::Coroutine> alive;
  alive.reserve(n);
  {  // the thread's one-time set-up (signal stack, registry) is not per coroutine
    corosh::Coroutine warm([] { corosh::yield(); });
    warm.resume();
  }
  corosh::trim_stack_pool();
  const long before = resident_kib();
  for (std::size_t i = 0; i < n; ++i) {
    alive.emplace_back([] { corosh::yield(); });
    alive.back().resume();
  }
  const long after = resident_kib();
  for (const corosh::Coroutine& co : alive)
    if (co.state() != corosh::State::suspended) std::abort();
  report("corosh (256 KiB, pooled)", n, before, after);
  const corosh::StackStats s = corosh::stack_stats();
  std::printf("%-30s stack_stats: mapped %zu, guarded %zu, pooled %zu, guard_limit %zu\n", "", s.mapped,
              s.guarded, s.pooled, s.guard_limit);
  alive.clear();  // every one is cancelled: its stack unwinds, then is pooled or unmapped
  const corosh::StackStats t = corosh::stack_stats();
  std::printf("%-30s after destroying all: mapped %zu, pooled %zu\n", "", t.mapped, t.pooled);
}

void boost_case(std::size_t n) {
  namespace ctx = boost::context;
  std::vector<ctx::fiber> alive;
  alive.reserve(n);
  ctx::protected_fixedsize_stack allocator(corosh::default_stack_size);
  const long before = resident_kib();
  for (std::size_t i = 0; i < n; ++i) {
    try {
      ctx::fiber f{std::allocator_arg, allocator, [](ctx::fiber&& main) {
                     main = std::move(main).resume();
                     return std::move(main);
                   }};
      alive.push_back(std::move(f).resume());
    } catch (const std::bad_alloc&) {
      // Its mmap fails once the process runs out of memory mappings.
      std::printf("%-30s N=%-7zu stack allocation failed after %zu fibers (%ld mappings)\n",
                  "boost fiber (protected 256 KiB)", n, i, mapping_count());
      return;  // a limit of the baseline, not a failure of this program
    }
  }
  const long after = resident_kib();
  for (const ctx::fiber& f : alive)
    if (!f) std::abort();
  report("boost fiber (protected 256 KiB)", n, before, after);
}

// Runs `body` in a child so every case starts from the same baseline.
template <class F>
bool in_child(F body) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("  (case failed: %s %d)\n", WIFSIGNALED(status) ? "signal" : "exit",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::strtoul(argv[i], nullptr, 10));
  if (counts.empty()) counts = {10000, 100000};
  bool ok = true;
  for (std::size_t n : counts) {
    ok &= in_child([n] { corosh_case(n); });
    in_child([n] { boost_case(n); });
  }
  return ok ? 0 : 1;
}
