// The standalone program of one demo (COROSH_DEMO names it): runs the
// catalog entry to completion and prints every value it yields, one a line.
// The same entry is what `spawn` creates in the shell.
#include "catalog.hpp"

#include <corosh/loop.hpp>
#include <corosh/registry.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  const corosh::demos::Demo* demo = corosh::demos::find_demo(COROSH_DEMO);
  if (demo == nullptr) {
    std::fprintf(stderr, "%s: no demo called '%s' in the catalog\n", argv[0], COROSH_DEMO);
    return 2;
  }
  corosh::demos::Arguments args(argv + 1, argv + argc);
  corosh::Loop loop;  // for demos that wait on it
  try {
    auto task = demo->create(args, {.name = std::string(demo->name)});
    while (!task->coroutine().done()) {
      if (corosh::find_coroutine(task->coroutine().id())->wait_reason.empty()) {
        if (auto value = task->step()) std::printf("%s\n", value->c_str());
      } else {
        loop.run_once();
      }
    }
  } catch (const corosh::demos::BadArguments& e) {
    std::fprintf(stderr, "usage: %s %s\n%s: %s\n", COROSH_DEMO, std::string(demo->synopsis).c_str(),
                 COROSH_DEMO, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", COROSH_DEMO, e.what());
    return 1;
  }
  return 0;
}
