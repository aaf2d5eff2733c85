// inspect_warnings.cpp — the warnings tools show (inspect.hpp): what in a
// running program is probably a bug, judged from the registry's snapshots,
// the loop's tables and the listeners' counts.
#include <corosh/inspect.hpp>

#include "loop_internal.hpp"

#include <optional>
#include <string>

namespace corosh::inspect {
namespace {

std::string kib(std::size_t bytes) { return std::to_string((bytes + 1023) / 1024) + " KiB"; }

std::string ms(std::int64_t ns) { return std::to_string(ns / 1'000'000) + " ms"; }

Warning about(const CoroutineInfo& c, std::string kind, std::string message) {
  Warning w;
  w.kind = std::move(kind);
  w.coroutine = c.id;
  w.name = c.name;
  w.message = std::move(message);
  return w;
}

}  // namespace

std::vector<Warning> warnings(const Loop& loop, const WarningLimits& limits) {
  const Loop::Impl& L = detail::LoopAccess::of(loop);
  std::vector<Warning> found;
  // Quick snapshots: judging thousands of coroutines must not cost a
  // mincore() each; the stack's low-water mark is the deepest sp seen.
  const std::vector<CoroutineInfo> all = coroutines(Snapshot::quick);
  for (const CoroutineInfo& c : all) {
    if (c.state == State::dead) continue;
    if (c.longest_run_ns > limits.long_resume_ns)
      found.push_back(about(c, "long_resume",
                            "ran " + ms(c.longest_run_ns) + " in one resume without yielding (limit " +
                                ms(limits.long_resume_ns) + "): nothing else ran meanwhile"));
    // Only the loop resumes what it owns, and only when a wait ends: one
    // that yielded without waiting is parked for good.
    if (c.state == State::suspended && c.wait_reason.empty() && L.owned.owns(c.id))
      found.push_back(about(c, "never_woken",
                            "belongs to the loop but is suspended without waiting on it: nothing will "
                            "ever resume it"));
    const std::size_t used = c.stack_deepest;
    if (c.stack_size > 0 && double(used) > limits.stack_use * double(c.stack_size))
      found.push_back(about(c, "stack_use",
                            "has used " + std::to_string(used * 100 / c.stack_size) + "% of its " +
                                kib(c.stack_size) + " stack (" + kib(used) + " at its deepest)"));
    if (!c.stack_guarded)
      found.push_back(about(c, "unguarded_stack",
                            "runs on a " + kib(c.stack_size) +
                                " stack without a guard page: an overflow may overwrite what lies below "
                                "before it is noticed, and stops the program"));
  }
  for (const FdView& f : loop_fds(loop)) {
    if (!f.listening || f.dropped == 0) continue;
    Warning w;
    w.kind = "dropped_connections";
    w.fd = f.fd;
    const std::string what = "closed " + std::to_string(f.dropped) + " connection" + (f.dropped == 1 ? "" : "s") +
                             " unserved: the process ran out of descriptors";
    if (!f.waiters.empty()) {
      w.coroutine = f.waiters.front().coroutine;
      w.name = f.waiters.front().name;
      w.message = "accepts on " + f.local + " (fd " + std::to_string(f.fd) + "), which " + what;
    } else {
      w.message = "the listener on " + f.local + " " + what;
    }
    found.push_back(std::move(w));
  }
  if (!limits.locate) return found;
  for (Warning& w : found) {
    if (w.coroutine == 0) continue;
    if (std::optional<CoroutineInfo> c = coroutine(w.coroutine)) w.parked_at = parked_at(stack(*c, 64));
  }
  return found;
}

}  // namespace corosh::inspect
