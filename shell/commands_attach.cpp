// attach, detach: looking inside another program that runs corosh.
#include "commands.hpp"
#include "remote_target.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

namespace corosh::shell {

void print_attachable(Output& out) {
  std::vector<Attachable> all = attachable_programs();
  if (all.empty()) {
    out.line("no programs to attach to (start one with COROSH_MONITOR=1 in its environment)");
    return;
  }
  out.line(out.paint(fmt::format("  {:>7}  {:<20} {:>10}  {:>9}  {}", "PID", "PROGRAM", "COROUTINES", "UPTIME", "MODE"),
                     Tone::heading));
  for (const Attachable& a : all) {
    if (!a.problem.empty()) {
      out.line(fmt::format("  {:>7}  {}", "?", a.problem));
      continue;
    }
    out.line(fmt::format("  {:>7}  {:<20} {:>10}  {:>9}  {}", a.pid, a.program, a.coroutines,
                         human_duration(a.uptime_ms), a.driving ? "inspect and drive" : "inspect only"));
  }
}

void attach_shell(Shell& shell, std::string_view where) {
  if (shell.attached())
    throw CommandError(fmt::format("already attached to {} (`detach` first)", shell.target().describe()));
  std::unique_ptr<RemoteTarget> remote = attach_to(shell.loop, where);
  const std::string line = fmt::format("attached to {}; `detach` comes back", remote->greeting());
  remote->on_lost([&shell](const std::string& why) { shell.lost(why); });
  shell.attach(std::move(remote));
  shell.out.line(line);
}

namespace {

void attach(Shell& shell, const Words& args) {
  if (args.empty()) return print_attachable(shell.out);
  attach_shell(shell, args[0]);
}

void detach(Shell& shell, const Words&) {
  const std::string from = shell.target().describe();
  if (!shell.detach()) throw CommandError("not attached (`attach PID` attaches; `attach` lists the programs)");
  shell.out.line(fmt::format("detached from {}; back to {}", from, shell.target().describe()));
}

}  // namespace

void add_attach_commands(CommandTable& table) {
  table.add({.name = "attach",
             .arguments = {{"PID|SOCKET", ArgKind::text, Argument::Presence::optional}},
             .effects = reaches_out,
             .summary = "look inside another program that runs corosh (alone: list them)",
             .help = "Connects to the monitor of a running program (one started with\n"
                     "COROSH_MONITOR=1, or that made a corosh::Monitor), by its pid or its\n"
                     "socket path. From then on every command looks at that program: list,\n"
                     "info, stack, regs, ctx, loop, conns. The prompt says where you are;\n"
                     "`detach` comes back. Alone, lists this user's programs that can be\n"
                     "attached to: pid, program, coroutines, uptime.",
             .run = attach});
  table.add({.name = "detach",
             .summary = "back from an attached program to this one",
             .help = "Closes the connection to the attached program; whatever this shell held\n"
                     "there is given back. The program itself goes on undisturbed.",
             .run = detach});
}

}  // namespace corosh::shell
