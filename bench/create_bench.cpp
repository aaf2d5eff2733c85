// create_bench.cpp — the whole life of a short coroutine with a pooled stack:
// create, first resume, destroy. corosh pools its stacks per thread on its
// own (256 KiB, guard page below); Boost gets pooled_fixedsize_stack of the
// same 256 KiB (malloc'd, no guard page).
//
// Three bodies, each measured on both sides:
//   *_returns        the body returns on the first resume
//   *_yield_finish   it yields once, a second resume lets it return
//   *_yield_cancel   it yields once and is destroyed suspended, which unwinds
//                    its stack with an exception on both sides
#include "ratio_report.hpp"

#include <corosh/coroutine.hpp>

#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>

#include <utility>

namespace {

namespace ctx = boost::context;
constexpr std::size_t stack_size = corosh::default_stack_size;

void corosh_returns(benchmark::State& state) {
  for (auto _ : state) {
    corosh::Coroutine co([] {});
    co.resume();
  }
}
BENCHMARK(corosh_returns);

void boost_returns(benchmark::State& state) {
  ctx::pooled_fixedsize_stack pool(stack_size);
  for (auto _ : state) {
    ctx::fiber f{std::allocator_arg, pool, [](ctx::fiber&& main) { return std::move(main); }};
    f = std::move(f).resume();
  }
}
BENCHMARK(boost_returns);

// A body that yields once, resumed `resumes` times per iteration: twice
// lets it finish, once leaves it suspended for the destructor to unwind.
void corosh_yield_once(benchmark::State& state, int resumes) {
  for (auto _ : state) {
    corosh::Coroutine co([] { corosh::yield(); });
    for (int i = 0; i < resumes; ++i) co.resume();
  }
}

void boost_yield_once(benchmark::State& state, int resumes) {
  ctx::pooled_fixedsize_stack pool(stack_size);
  for (auto _ : state) {
    ctx::fiber f{std::allocator_arg, pool, [](ctx::fiber&& main) {
                   main = std::move(main).resume();
                   return std::move(main);
                 }};
    for (int i = 0; i < resumes; ++i) f = std::move(f).resume();
  }
}

void corosh_yield_finish(benchmark::State& state) { corosh_yield_once(state, 2); }
void boost_yield_finish(benchmark::State& state) { boost_yield_once(state, 2); }
void corosh_yield_cancel(benchmark::State& state) { corosh_yield_once(state, 1); }
void boost_yield_cancel(benchmark::State& state) { boost_yield_once(state, 1); }
BENCHMARK(corosh_yield_finish);
BENCHMARK(boost_yield_finish);
BENCHMARK(corosh_yield_cancel);
BENCHMARK(boost_yield_cancel);

}  // namespace

int main(int argc, char** argv) {
  return corosh_bench::run_with_ratios(argc, argv,
                                       {{"corosh_returns", "boost_returns"},
                                        {"corosh_yield_finish", "boost_yield_finish"},
                                        {"corosh_yield_cancel", "boost_yield_cancel"}});
}
