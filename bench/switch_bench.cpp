// switch_bench.cpp — one resume + yield round trip (two switches), corosh
// against the usual alternatives, all in one run.
//
//   corosh_resume_yield     Coroutine::resume() from main, corosh::yield() back
//   boost_fiber_resume      boost::context::fiber ping-pong (public API vs public API)
//   boost_jump_fcontext     Boost's raw jump_fcontext, no fiber object around it
//   ucontext_swapcontext    glibc swapcontext (saves the signal mask: a syscall)
//   cxx20_stackless_resume  std::coroutine_handle::resume() of a generator
//   raw_switch_jmp / _ret   corosh's bare switch returning by jmp vs by ret
//
// Each iteration is one round trip. The ratios printed at the end compare
// medians from the same process.
#include "ratio_report.hpp"
#include "raw_switch.hpp"

#include <corosh/coroutine.hpp>

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>

#include <ucontext.h>

#include <coroutine>
#include <cstdlib>
#include <exception>
#include <utility>

namespace {

void corosh_resume_yield(benchmark::State& state) {
  corosh::Coroutine co([] {
    for (;;) corosh::yield();
  });
  for (auto _ : state) co.resume();
}  // ~Coroutine unwinds the loop (corosh::Unwind out of yield)
BENCHMARK(corosh_resume_yield);

void boost_fiber_resume(benchmark::State& state) {
  namespace ctx = boost::context;
  ctx::fiber f{[](ctx::fiber&& main) {
    for (;;) main = std::move(main).resume();
    return std::move(main);
  }};
  for (auto _ : state) f = std::move(f).resume();
}  // ~fiber unwinds the loop (forced_unwind)
BENCHMARK(boost_fiber_resume);

// jump_fcontext alone: what Boost's switch costs without fiber's bookkeeping.
namespace fc = boost::context::detail;
[[noreturn]] void fcontext_side(fc::transfer_t t) {
  for (;;) t = fc::jump_fcontext(t.fctx, nullptr);
}

void boost_jump_fcontext(benchmark::State& state) {
  constexpr std::size_t size = 64 * 1024;
  void* stack = std::malloc(size);
  fc::fcontext_t side = fc::make_fcontext(static_cast<char*>(stack) + size, size, &fcontext_side);
  for (auto _ : state) side = fc::jump_fcontext(side, nullptr).fctx;
  std::free(stack);  // the side loop is abandoned, it owns nothing
}
BENCHMARK(boost_jump_fcontext);

ucontext_t uc_main, uc_side;
void ucontext_side() {
  for (;;) swapcontext(&uc_side, &uc_main);
}

void ucontext_swapcontext(benchmark::State& state) {
  constexpr std::size_t size = 64 * 1024;
  void* stack = std::malloc(size);
  getcontext(&uc_side);
  uc_side.uc_stack.ss_sp = stack;
  uc_side.uc_stack.ss_size = size;
  uc_side.uc_link = nullptr;
  makecontext(&uc_side, &ucontext_side, 0);
  for (auto _ : state) swapcontext(&uc_main, &uc_side);
  std::free(stack);
}
BENCHMARK(ucontext_swapcontext);

// The smallest useful C++20 generator: suspend at every co_yield.
struct Counter {
  struct promise_type {
    long value = 0;
    Counter get_return_object() { return Counter{Handle::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(long v) noexcept {
      value = v;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() { std::terminate(); }
  };
  using Handle = std::coroutine_handle<promise_type>;
  explicit Counter(Handle h) : handle(h) {}
  Counter(const Counter&) = delete;
  ~Counter() { handle.destroy(); }
  Handle handle;
};

Counter count_forever() {
  for (long i = 0;; ++i) co_yield i;
}

void cxx20_stackless_resume(benchmark::State& state) {
  Counter counter = count_forever();
  for (auto _ : state) {
    counter.handle.resume();
    benchmark::DoNotOptimize(counter.handle.promise().value);
  }
}
BENCHMARK(cxx20_stackless_resume);

#if defined(__x86_64__) && defined(COROSH_BENCH_SWITCH_VARIANTS)
void raw_switch_jmp(benchmark::State& state) {
  RawPingPong pp(&bench_switch_jmp);
  for (auto _ : state) pp.round_trip();
}
BENCHMARK(raw_switch_jmp);

void raw_switch_ret(benchmark::State& state) {
  RawPingPong pp(&bench_switch_ret);
  for (auto _ : state) pp.round_trip();
}
BENCHMARK(raw_switch_ret);
#endif

}  // namespace

int main(int argc, char** argv) {
  return corosh_bench::run_with_ratios(argc, argv,
                                       {{"corosh_resume_yield", "boost_fiber_resume"},
                                        {"corosh_resume_yield", "boost_jump_fcontext"},
                                        {"corosh_resume_yield", "ucontext_swapcontext"},
                                        {"corosh_resume_yield", "cxx20_stackless_resume"},
                                        {"raw_switch_ret", "raw_switch_jmp"},
                                        {"corosh_resume_yield", "raw_switch_jmp"}});
}
