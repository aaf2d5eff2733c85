// The standalone program of one demo (COROSH_DEMO names it): runs its
// declaration (corosh/spawnable.hpp) to completion and prints every value it
// yields, one a line. The same declaration is what `spawn` creates in the
// shell; this file plays the shell's part: it resumes the demo while the demo can run, lets the loop run
// while the demo waits on it (a sleep, a socket), and at the end runs the
// loop until whatever the demo left on it (connections, timers) is done.
//
//   usage: DEMO [--take N] [ARGS]
//
// --take N stops after N values (an endless generator such as fib needs it):
// destroying the task then unwinds the suspended producer's stack.
#include <corosh/spawnable.hpp>

#include <corosh/loop.hpp>
#include <corosh/registry.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  const corosh::spawnable::Function* demo = nullptr;
  for (const corosh::spawnable::Function& f : corosh::spawnable::declared())
    if (f.name == COROSH_DEMO) demo = &f;
  if (demo == nullptr) {
    std::fprintf(stderr, "%s: no demo called '%s' is declared\n", argv[0], COROSH_DEMO);
    return 2;
  }
  corosh::spawnable::Arguments args(argv + 1, argv + argc);
  long take = -1;  // -1: every value
  if (!args.empty() && args[0] == "--take") {
    try {
      take = corosh::spawnable::count_argument(args, 1, "--take N", -1, 0, 1000000000);
    } catch (const corosh::spawnable::BadArguments& e) {
      std::fprintf(stderr, "%s: %s\n", COROSH_DEMO, e.what());
      return 2;
    }
    if (take < 0) {
      std::fprintf(stderr, "%s: --take needs a count\n", COROSH_DEMO);
      return 2;
    }
    args.erase(args.begin(), args.begin() + 2);
  }
  corosh::Loop loop;  // for demos that wait on it
  // A demo that dies while the loop resumes it (a failed connect, say) ends
  // the program as a failure too, not only one that dies in step().
  bool failed = false;
  loop.set_error_handler([&failed](std::uint64_t, std::string_view, std::exception_ptr error) {
    failed = true;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "%s: %s\n", COROSH_DEMO, e.what());
    } catch (...) {
      std::fprintf(stderr, "%s: ended with an exception\n", COROSH_DEMO);
    }
  });
  try {
    auto task = demo->create(args, {.name = std::string(demo->name)});
    long taken = 0;
    while (!task->coroutine().done() && taken != take) {
      if (corosh::find_coroutine(task->coroutine().id())->wait_reason.empty()) {
        if (auto value = task->step()) {
          std::printf("%s\n", value->c_str());
          ++taken;
        }
      } else {
        loop.run_once();
      }
    }
    std::fflush(stdout);
    task.reset();  // a suspended demo (--take) is unwound here
    loop.run();
  } catch (const corosh::spawnable::BadArguments& e) {
    std::fprintf(stderr, "usage: %s [--take N] %s\n%s: %s\n", COROSH_DEMO, std::string(demo->usage).c_str(),
                 COROSH_DEMO, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", COROSH_DEMO, e.what());
    return 1;
  }
  return failed ? 1 : 0;
}
