// trace: recording context switches for Perfetto / chrome://tracing.
#include "commands.hpp"
#include "shell.hpp"
#include "trace_file.hpp"
#include "words.hpp"

#include <fmt/format.h>

namespace corosh::shell {
namespace {

void trace(Shell& shell, const Words& args) {
  Target& t = shell.target();
  if (args.empty()) {
    TraceRecording recording = t.trace_recording();
    if (t.tracing())
      shell.out.line(fmt::format("recording context switches: {} events so far (`trace off` stops)",
                                 recording.events.size()));
    else if (!recording.events.empty())
      shell.out.line(fmt::format("not recording; {} events recorded earlier (`trace save FILE` writes them)",
                                 recording.events.size()));
    else
      shell.out.line("not recording (`trace on` starts)");
    return;
  }
  const std::string& what = args[0];
  if (what == "on") {
    if (args.size() > 1) throw CommandError("too many arguments (usage: trace on)");
    if (t.tracing()) throw CommandError("already recording");
    const std::size_t earlier = t.trace_recording().events.size();
    t.trace_start();
    shell.out.line(earlier == 0 ? std::string("recording context switches (`trace save FILE` writes them)")
                                : fmt::format("recording context switches anew; the {} events recorded earlier are "
                                              "dropped (`trace save FILE` writes the new ones)",
                                              earlier));
  } else if (what == "off") {
    if (args.size() > 1) throw CommandError("too many arguments (usage: trace off)");
    if (!t.tracing()) throw CommandError("not recording");
    std::size_t events = t.trace_stop();
    shell.out.line(fmt::format("stopped recording: {} events", events));
  } else if (what == "save") {
    if (args.size() < 2) throw CommandError("missing FILE (usage: trace save FILE)");
    if (args.size() > 2) throw CommandError("too many arguments (usage: trace save FILE)");
    TraceRecording recording = t.trace_recording();
    save_chrome_trace(recording, args[1]);
    shell.out.line(fmt::format("saved {} events to {}{}", recording.events.size(), args[1],
                               recording.dropped ? fmt::format(" ({} more were dropped)", recording.dropped) : ""));
  } else {
    throw CommandError(fmt::format("'{}' is not on, off or save", printable(what)));
  }
}

}  // namespace

void add_trace_commands(CommandTable& table) {
  table.add({.name = "trace",
             .arguments = {{"WHAT", ArgKind::choice, Argument::Presence::optional, {"on", "off", "save"}},
                           {"FILE", ArgKind::file, Argument::Presence::optional}},
             .effects = reaches_out,
             .summary = "record context switches as Chrome trace-event JSON",
             .help = "`trace on` records every switch (which coroutine starts or stops running,\n"
                     "and when); `trace off` stops; `trace save FILE` writes the recording as\n"
                     "trace events (one track per coroutine) to open in https://ui.perfetto.dev\n"
                     "or chrome://tracing, replacing FILE whole or not at all. `trace` alone\n"
                     "says whether it is recording and how much it has.",
             .run = trace});
}

}  // namespace corosh::shell
