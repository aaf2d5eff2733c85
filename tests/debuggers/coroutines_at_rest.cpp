// coroutines_at_rest.cpp — the program the debugger tests look at: several
// coroutines parked at different recursion depths, then a stop at
// corosh_debugger_checkpoint() where the debugger looks at them.
//
// With an argument it goes on to die with the coroutines still parked, for
// the core-file tests:
//   crash-outside  a null pointer written on the thread's own stack (main)
//   crash-inside   the same inside a sixth coroutine, 'crasher': the runtime's
//                  fault handler names it and records the fault in its control
//                  record, then the process dies of the signal
#include <corosh/coroutine.hpp>
#include <corosh/generator.hpp>

#include <cstdio>
#include <cstring>

extern "C" [[gnu::noinline]] void corosh_debugger_checkpoint() { asm volatile("" ::: "memory"); }

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

// The pointer comes from outside (volatile) so the compiler cannot see the
// null and drop the store.
int* volatile nowhere = nullptr;

[[gnu::noinline]] void write_through(int* target) {
  *target = 42;  // the crash the core-file tests find
  asm volatile("" ::: "memory");
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  corosh::Coroutine shallow({.name = "shallow"}, descend, 0, 1);
  corosh::Coroutine deeper({.name = "deeper"}, descend, 0, 4);
  corosh::Coroutine fresh({.name = "fresh"}, descend, 0, 0);
  corosh::Coroutine finished({.name = "finished"}, [] {});
  corosh::Generator<int> counter({.name = "counter"}, count_up, 3);
  shallow.resume();
  deeper.resume();
  finished.resume();
  int first = *counter.next();
  corosh_debugger_checkpoint();
  if (std::strcmp(mode, "crash-outside") == 0) write_through(nowhere);
  if (std::strcmp(mode, "crash-inside") == 0) {
    corosh::Coroutine crasher({.name = "crasher"}, [] { write_through(nowhere); });
    crasher.resume();
  }
  shallow.resume();
  deeper.resume();
  std::printf("first=%d\n", first);
  return 0;
}
