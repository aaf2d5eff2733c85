// shell/frames.hpp — what the shell makes of a walked stack's frames: one
// line per frame (inlined calls count as frames, as in a debugger), names as
// people write them, and which frames are the runtime's own plumbing.
//
//   for (const FrameLine& f : frame_lines(target.stack(c, 256)))
//     if (!f.runtime) std::printf("%s at %s:%d\n", f.function.c_str(), f.file.c_str(), f.line);
#pragma once

#include <corosh/inspect.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

// One frame as `stack` numbers it: a real frame, or a call the compiler
// inlined into one.
struct FrameLine {
  std::string function;  // readable_name() of the symbol
  std::string file;      // no directories; empty if unknown
  int line = 0;          // the line in `function` itself; 0 if unknown
  std::string module;    // the executable or library, for frames without a file
  bool inlined = false;
  bool runtime = false;  // runtime_frame(function)
  std::uintptr_t pc = 0; // the real frame's address (inlined calls share it)

  // " at file:line", " at file", " in module" or nothing.
  std::string where() const;
  bool operator==(const FrameLine&) const = default;
};

// The frames of a stack innermost first, each inlined call before the frame
// it was inlined into.
std::vector<FrameLine> frame_lines(const std::vector<inspect::NamedFrame>& frames);

// The lines of many stacks of one StackSet (Target::stacks), each of its
// symbols turned into lines once.
class StackLines {
 public:
  explicit StackLines(const inspect::StackSet& set);
  // frame_lines() of one of the set's stacks.
  std::vector<FrameLine> lines(const inspect::StackSet::Stack& stack) const;
  // parked_at() of one of the set's stacks, without making all its lines.
  std::optional<FrameLine> parked_at(const inspect::StackSet::Stack& stack) const;

 private:
  std::vector<std::vector<FrameLine>> per_symbol_;  // inlined calls, then the frame
};

// The one rule for what is the runtime's own plumbing rather than the
// program's code: functions of namespace corosh (corosh::detail included;
// not corosh::demos or corosh::shell, which are programs built on the
// runtime), the standard library's call forwarding the runtime calls a body
// through (std::apply, std::invoke and their helpers, std::function's
// invoker) and corosh_trampoline, where every coroutine stack begins.
bool runtime_frame(std::string_view function);

// A function's name as a path of scopes, without its return type, template
// arguments, parameters and clone suffixes: "void ns::A<int>::f<2>(int) const"
// becomes "ns::A::f". Lambdas read "{lambda}".
std::string scope_path(std::string_view function);

// Where a coroutine is parked, as PARKED AT shows it: the first frame that is
// not the runtime's, with that frame's own file and line. Nothing if every
// frame is the runtime's (or there are none).
std::optional<FrameLine> parked_at(const std::vector<FrameLine>& frames);

// "preorder(...) at tree_preorder.cpp:37": the function's scope path with
// its parameters elided, for columns that have little room.
std::string short_location(const FrameLine& frame);

// A demangled name as people write it: the standard library's inline
// namespaces (libstdc++'s __cxx11, libc++'s __1) dropped, std::string and
// std::string_view instead of their template spellings, which would
// otherwise fill a line each time a frame takes a string, and the
// compiler's " [clone .isra.0]" suffixes dropped.
std::string readable_name(std::string_view demangled);

}  // namespace corosh::shell
