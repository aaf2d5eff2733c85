// thrower — an exception that escapes a coroutine.
//
// The first step yields; the second throws std::runtime_error out of the
// coroutine's body. resume() rethrows it in the resumer, and the coroutine is
// dead with ending "threw": exceptions cross a context switch like any call.
// (The coroutine's stack is unwound first, so its destructors have run.)
//
// In the shell: `spawn thrower "the tree is empty"`, `step` (it yields),
// `step` again (the shell catches what resume() rethrew and reports
// `failed: std::runtime_error: the tree is empty`), then `list` (dead, threw).
// Standalone, the exception reaches main, which prints it and exits with 1.
#include <corosh/spawnable.hpp>

#include <corosh/coroutine.hpp>

#include <stdexcept>

namespace {

[[gnu::noinline]] void give_up(const std::string& why) {
  corosh::yield();
  throw std::runtime_error(why);
}

const corosh::spawnable::Declaration declaration{{
    .name = "thrower",
    .usage = "[MESSAGE]",
    .description = "yields once, then throws std::runtime_error(MESSAGE)",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      std::string message = args.empty() ? "something went wrong" : args[0];
      return std::make_unique<corosh::spawnable::CoroutineTask>(
          corosh::Coroutine(corosh::spawnable::options_for(spec), give_up, message));
    }}};

}  // namespace
