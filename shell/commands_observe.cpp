// mem, warnings: what the runtime and the loop hold in memory, and what in
// them is probably wrong.
#include "commands.hpp"
#include "shell.hpp"
#include "target_json.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

namespace corosh::shell {
namespace {

void mem(Shell& shell, const Words&) {
  inspect::MemoryView m = shell.target().memory();
  if (shell.json_output()) return shell.out.line(json_text({{"memory", m}}));
  Output& out = shell.out;
  out.line(out.paint(fmt::format("  {:<18} {:>9} {:>6} {:>7} {:>8} {:>10} {:>10}", "STACKS (THIS THREAD)", "SIZE", "LIVE",
                                 "POOLED", "GUARDED", "RESERVED", "TOUCHED"),
                     Tone::heading));
  StackClass total;
  for (const StackClass& c : m.stacks) {
    out.line(fmt::format("  {:<18} {:>9} {:>6} {:>7} {:>8} {:>10} {:>10}", "", human_bytes(c.size), c.live, c.pooled,
                         c.guarded, rounded_bytes(c.reserved), rounded_bytes(c.touched)));
    total.live += c.live;
    total.pooled += c.pooled;
    total.guarded += c.guarded;
    total.reserved += c.reserved;
    total.touched += c.touched;
  }
  out.line(fmt::format("  {:<18} {:>9} {:>6} {:>7} {:>8} {:>10} {:>10}", "", "total", total.live, total.pooled,
                       total.guarded, rounded_bytes(total.reserved), rounded_bytes(total.touched)));
  const std::size_t unguarded = m.stacks_mapped - m.stacks_guarded;
  out.line(fmt::format("  {:<18} {} of {} allowed ({} stacks mapped in the process)", "guard pages", m.stacks_guarded,
                       m.guard_limit, m.stacks_mapped));
  out.line(fmt::format("  {:<18} {}{}", "unguarded stacks", unguarded,
                       unguarded ? " (a canary word checked at each yield instead)" : ""));
  out.line(fmt::format("  {:<18} {} x {} = {} (at the top of each stack)", "control records", m.control_records,
                       human_bytes(m.control_record_bytes), rounded_bytes(m.control_records * m.control_record_bytes)));
  out.line(fmt::format("  {:<18} {} (descriptors, timers, watches)", "loop tables", rounded_bytes(m.loop_bytes)));
  out.line(fmt::format("  {:<18} {}", "resident memory",
                       m.resident_bytes ? rounded_bytes(m.resident_bytes) + " (the whole process)" : "unknown"));
}

void warnings(Shell& shell, const Words& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--resume-limit")
      throw CommandError(fmt::format("unknown option '{}' (--resume-limit MS is known)", printable(args[i])));
    if (i + 1 == args.size()) throw CommandError("--resume-limit needs milliseconds");
    const std::uint64_t limit_ms = parse_number(args[++i], "MS", 1, 3'600'000);
    shell.warning_limits.long_resume_ns = std::int64_t(limit_ms) * 1'000'000;
    shell.out.line(fmt::format("a resume longer than {} ms is now a warning", limit_ms));
  }
  std::vector<inspect::Warning> found = shell.current_warnings();
  if (shell.json_output()) return shell.out.line(json_text({{"warnings", found}}));
  if (found.empty()) return shell.out.line("no warnings");
  // Thousands of coroutines past the guard limit are one story, not
  // thousands of lines: a few of each kind, then how many more.
  constexpr std::size_t shown_per_kind = 10;
  std::map<std::string, std::size_t> seen;
  for (const inspect::Warning& w : found) {
    if (++seen[w.kind] > shown_per_kind) continue;
    std::vector<std::string> lines = Shell::warning_lines(w);
    shell.out.line(shell.out.paint("! ", Tone::warn) + lines[0]);
    for (std::size_t i = 1; i < lines.size(); ++i) shell.out.line("  " + lines[i]);
  }
  for (const auto& [kind, count] : seen)
    if (count > shown_per_kind)
      shell.out.line(fmt::format("... and {} more {} warnings", count - shown_per_kind, kind));
}

}  // namespace

void add_observe_commands(CommandTable& table) {
  table.add({.name = "mem",
             .summary = "memory: stacks by size, guard pages, control records, loop tables, resident set",
             .help = "Stacks of this thread by size class: held by live coroutines, pooled for\n"
                     "reuse, guarded, address space reserved and pages actually touched (resident,\n"
                     "measured with mincore without touching them). Then guard pages in use\n"
                     "against the limit (each costs a memory mapping), stacks without a guard,\n"
                     "the control records at the top of each stack, the loop's own tables and the\n"
                     "process's resident memory.",
             .json = true,
             .run = mem});
  table.add({.name = "warnings",
             .options = {{"--resume-limit", "MS", ArgKind::count}},
             .summary = "what is probably wrong: long resumes, lost coroutines, full stacks, ...",
             .help = "Each warning names the coroutine and where it is parked:\n"
                     "  a resume that ran longer than the limit without yielding: it blocked\n"
                     "    the loop (default 100 ms; --resume-limit MS sets it; needs accounting);\n"
                     "  a coroutine the loop owns, suspended without waiting on the loop:\n"
                     "    nothing will ever resume it;\n"
                     "  a stack more than 75% used (deepest point seen, pages touched);\n"
                     "  a coroutine on a stack without a guard page;\n"
                     "  a listener that closed connections unserved (out of descriptors).\n"
                     "`list` marks warned coroutines with !. At a terminal a new warning is\n"
                     "printed above the prompt once, when it first holds.",
             .json = true,
             .run = warnings});
}

}  // namespace corosh::shell
