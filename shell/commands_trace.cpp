// trace: recording context switches for Perfetto / chrome://tracing.
#include "commands.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

namespace corosh::shell {
namespace {

void trace(Shell& shell, const Words& args) {
  const std::string& what = args[0];
  TraceRecorder& t = shell.trace;
  if (what == "on") {
    if (args.size() > 1) throw CommandError("too many arguments (usage: trace on)");
    if (t.recording()) throw CommandError("already recording");
    t.start();
    shell.out.line("recording context switches (`trace save FILE` writes them)");
  } else if (what == "off") {
    if (args.size() > 1) throw CommandError("too many arguments (usage: trace off)");
    if (!t.recording()) throw CommandError("not recording");
    t.stop();
    shell.out.line(fmt::format("stopped recording: {} events", t.events()));
  } else if (what == "save") {
    if (args.size() < 2) throw CommandError("missing FILE (usage: trace save FILE)");
    if (args.size() > 2) throw CommandError("too many arguments (usage: trace save FILE)");
    t.save(args[1]);
    shell.out.line(fmt::format("saved {} events to {}{}", t.events(), args[1],
                               t.dropped() ? fmt::format(" ({} more were dropped)", t.dropped()) : ""));
  } else {
    throw CommandError(fmt::format("'{}' is not on, off or save", printable(what)));
  }
}

}  // namespace

void add_trace_commands(CommandTable& table) {
  table.add({.name = "trace",
             .synopsis = "on|off|save FILE",
             .summary = "record context switches as Chrome trace-event JSON",
             .help = "`trace on` records every switch (which coroutine starts or stops running,\n"
                     "and when); `trace off` stops; `trace save FILE` writes the recording as\n"
                     "trace events (one track per coroutine) to open in https://ui.perfetto.dev\n"
                     "or chrome://tracing.",
             .min_args = 1,
             .max_args = 2,
             .run = trace});
}

}  // namespace corosh::shell
