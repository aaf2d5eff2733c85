// coroutines_at_rest.cpp — the program the LLDB tests debug: several
// coroutines parked at different recursion depths, then a stop at
// corosh_lldb_checkpoint() where the debugger looks at them.
#include <corosh/coroutine.hpp>
#include <corosh/generator.hpp>

#include <cstdio>

extern "C" [[gnu::noinline]] void corosh_lldb_checkpoint() { asm volatile("" ::: "memory"); }

[[gnu::noinline]] int descend(int depth, int target) {
  int local_depth = depth * 10;  // inspected with `frame variable` in the tests
  if (depth == target) {
    corosh::yield();
  } else {
    local_depth += descend(depth + 1, target);
  }
  asm volatile("" : "+r"(local_depth));
  return local_depth;
}

[[gnu::noinline]] void count_up(int limit, corosh::Sink<int>& out) {
  for (int i = 1; i <= limit; ++i) out(i);
}

int main() {
  corosh::Coroutine shallow({.name = "shallow"}, descend, 0, 1);
  corosh::Coroutine deeper({.name = "deeper"}, descend, 0, 4);
  corosh::Coroutine fresh({.name = "fresh"}, descend, 0, 0);
  corosh::Coroutine finished({.name = "finished"}, [] {});
  corosh::Generator<int> counter({.name = "counter"}, count_up, 3);
  shallow.resume();
  deeper.resume();
  finished.resume();
  int first = *counter.next();
  corosh_lldb_checkpoint();
  shallow.resume();
  deeper.resume();
  std::printf("first=%d\n", first);
  return 0;
}
