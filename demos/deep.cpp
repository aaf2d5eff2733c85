// deep — stack use growing with recursion depth.
//
// Each step goes one call deeper: `descend` takes a frame with a 1 KiB local
// array, yields the depth and how far the stack pointer has moved from the
// first frame, and recurses. A level costs a little more than the array:
// about 1.4 KiB on x86_64 with GCC, for the return address, the saved frame
// pointer and the temporary string each yield builds. A stack grows downwards; every frame sits below
// its caller's, and nothing is reclaimed until the calls return. At the end
// the whole chain returns at once.
//
// The stack is mmap'd: its pages cost memory only once touched. `info` shows
// both numbers: "bytes in use" (from the saved stack pointer to the top, what
// the coroutine needs right now) and "touched" (pages ever written, counted
// with mincore, which only grows).
//
// In the shell: `spawn deep`, `step 3`, `stack` (three `descend` frames) and
// `info`; then `step 5` and `info` again: about 1.4 KiB more per level. With
// `spawn deep 1000 --stack 64K` the coroutine runs into its guard page around
// depth 60 (compare `overflow`).
#include <corosh/spawnable.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace {

// noinline, and a volatile array that is really written: each level must be
// a real frame of a known size, as the source suggests.
[[gnu::noinline]] void descend(long depth, long last, std::uintptr_t top, corosh::Sink<std::string>& out) {
  volatile char frame[1024];
  frame[0] = char(depth);
  auto here = reinterpret_cast<std::uintptr_t>(&frame[0]);
  out("depth " + std::to_string(depth) + ": " + std::to_string(top - here) + " bytes below where the walk started");
  if (depth < last) descend(depth + 1, last, top, out);
  frame[1] = frame[0];
}

[[gnu::noinline]] void start(long last, corosh::Sink<std::string>& out) {
  char marker = 0;
  descend(1, last, reinterpret_cast<std::uintptr_t>(&marker), out);
  out("returned from depth " + std::to_string(last));
}

const corosh::spawnable::Declaration declaration{{
    .name = "deep",
    .usage = "[DEPTH]",
    .description = "recurses one level per step down to DEPTH (default 8), about 1.4 KiB of stack a level",
    .create =
        [](const corosh::spawnable::Arguments& args, const corosh::spawnable::Spec& spec)
        -> std::unique_ptr<corosh::spawnable::Task> {
      corosh::spawnable::at_most(args, 1);
      long last = corosh::spawnable::count_argument(args, 0, "DEPTH", 8, 1, 100000);
      return std::make_unique<corosh::spawnable::GeneratorTask<std::string>>(
          nullptr, corosh::Generator<std::string>(corosh::spawnable::options_for(spec), start, last));
    }}};

}  // namespace
