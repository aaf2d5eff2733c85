// embedded — a program that runs the corosh shell inside itself
// (corosh/shell.hpp): two spawnable functions of its own, one coroutine of
// its own beating on its loop, and a session read from the script named on
// the command line. test_embedded.py checks what the session saw.
//
//   usage: embedded SCRIPT
#include <corosh/loop.hpp>
#include <corosh/shell.hpp>
#include <corosh/spawnable.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

long beats = 0;

// The program's own coroutine: the shell sees it, but only the loop drives it.
[[gnu::noinline]] void heartbeat() {
  for (;;) {
    corosh::Loop::current().sleep(std::chrono::milliseconds(5));
    ++beats;
  }
}

[[gnu::noinline]] void count_down(int from, corosh::Sink<int>& out) {
  for (int i = from; i > 0; --i) out(i);
}

void read_beats(corosh::Sink<std::string>& out) { out(std::to_string(beats) + " beats"); }

const corosh::spawnable::Declaration countdown{{
    .name = "countdown",
    .usage = "[N]",
    .description = "counts down from N (default 3)",
    .create = [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec) {
      corosh::spawnable::at_most(args, 1);
      int from = int(corosh::spawnable::count_argument(args, 0, "N", 3, 1, 100));
      return corosh::spawnable::task(corosh::Generator<int>(corosh::spawnable::options_for(spec), count_down, from));
    }}};

const corosh::spawnable::Declaration beat_count{{
    .name = "beats",
    .usage = "",
    .description = "yields how often the program's heartbeat has beaten",
    .create = [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec) {
      corosh::spawnable::at_most(args, 0);
      return corosh::spawnable::task(corosh::Generator<std::string>(corosh::spawnable::options_for(spec), read_beats));
    }}};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embedded SCRIPT\n");
    return 2;
  }
  corosh::Loop loop;
  loop.spawn({.name = "heartbeat", .stack_size = 64 * 1024}, heartbeat);
  corosh::ShellOptions options;
  options.script = argv[1];
  options.echo = true;
  int status = corosh::run_shell(loop, options);
  // The program goes on after the session, its loop and coroutine intact.
  const long before = beats;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (beats == before && std::chrono::steady_clock::now() < until) loop.run_once(std::chrono::milliseconds(20));
  std::printf("run_shell returned %d; the heartbeat went on: %s\n", status, beats > before ? "yes" : "no");
  return status;
}
