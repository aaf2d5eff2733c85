// roundtrip_count.cpp — a fixed number of resume + yield round trips, for
// deterministic instruction counts where timings are noisy:
//
//   roundtrip_count corosh|fiber|fcontext N
//   roundtrip_count corosh-create|fiber-create N   (create, resume, destroy;
//                                                   the body returns)
//
// Run it under `valgrind --tool=callgrind` for two values of N; the difference
// in instructions divided by the difference in N is the cost of one round
// trip with every set-up and tear-down cost cancelled out.
#include <corosh/coroutine.hpp>

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace {

void corosh_round_trips(long n) {
  corosh::Coroutine co([] {
    for (;;) corosh::yield();
  });
  for (long i = 0; i < n; ++i) co.resume();
}

void fiber_round_trips(long n) {
  namespace ctx = boost::context;
  ctx::fiber f{[](ctx::fiber&& main) {
    for (;;) main = std::move(main).resume();
    return std::move(main);
  }};
  for (long i = 0; i < n; ++i) f = std::move(f).resume();
}

namespace fc = boost::context::detail;
[[noreturn]] void fcontext_side(fc::transfer_t t) {
  for (;;) t = fc::jump_fcontext(t.fctx, nullptr);
}

void fcontext_round_trips(long n) {
  constexpr std::size_t size = 64 * 1024;
  void* stack = std::malloc(size);
  fc::fcontext_t side = fc::make_fcontext(static_cast<char*>(stack) + size, size, &fcontext_side);
  for (long i = 0; i < n; ++i) side = fc::jump_fcontext(side, nullptr).fctx;
  std::free(stack);
}

void corosh_creations(long n) {
  for (long i = 0; i < n; ++i) {
    corosh::Coroutine co([] {});
    co.resume();
  }
}

void fiber_creations(long n) {
  namespace ctx = boost::context;
  ctx::pooled_fixedsize_stack pool(corosh::default_stack_size);
  for (long i = 0; i < n; ++i) {
    ctx::fiber f{std::allocator_arg, pool, [](ctx::fiber&& main) { return std::move(main); }};
    f = std::move(f).resume();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s corosh|fiber|fcontext|corosh-create|fiber-create N\n", argv[0]);
    return 2;
  }
  const long n = std::strtol(argv[2], nullptr, 10);
  if (std::strcmp(argv[1], "corosh") == 0) corosh_round_trips(n);
  else if (std::strcmp(argv[1], "fiber") == 0) fiber_round_trips(n);
  else if (std::strcmp(argv[1], "fcontext") == 0) fcontext_round_trips(n);
  else if (std::strcmp(argv[1], "corosh-create") == 0) corosh_creations(n);
  else if (std::strcmp(argv[1], "fiber-create") == 0) fiber_creations(n);
  else {
    std::fprintf(stderr, "%s: unknown variant '%s'\n", argv[0], argv[1]);
    return 2;
  }
  return 0;
}
