// corosh/shell.hpp — the corosh shell inside your own program.
//
// run_shell() runs a corosh session on a Loop of yours, on the calling
// thread: `list`, `stack`, `info` see every coroutine of that thread (your
// program's own, marked "inspect only": your code drives them), and `spawn`
// starts the functions your program declared with corosh/spawnable.hpp,
// which `step`, `continue` and `cancel` then drive. While the shell waits
// for a line, your loop keeps running: your timers fire, your sockets are
// served. Link corosh::shell (find_package(corosh)).
//
//   #include <corosh/shell.hpp>
//   #include <corosh/spawnable.hpp>
//
//   const corosh::spawnable::Declaration jobs{{.name = "job", ...}};  // spawnable as `spawn job`
//
//   int main() {
//     corosh::Loop loop;
//     loop.spawn({.name = "server"}, serve);       // your own coroutines
//     return corosh::run_shell(loop);              // interactive on a terminal
//   }
//
// The session contains faults in coroutines (a crash in one becomes a dead,
// faulted coroutine) and sets the loop's error handler while it runs. It
// does not touch SIGPIPE: a program writing to terminals or pipes that may
// vanish ignores it itself. To load plugins into your program too, make it
// export the runtime: corosh_plugin_host(your_target) in CMake.
#pragma once

#include <corosh/loop.hpp>

#include <optional>
#include <string>
#include <vector>

namespace corosh {

struct ShellOptions {
  // Plugins loaded first, each as `load FILE` would (corosh --load).
  std::vector<std::string> plugins;
  // Commands to run, separated by ';' or newlines (corosh -c).
  std::optional<std::string> commands;
  // A file of commands to run, one a line; "-" reads them from stdin (corosh FILE).
  std::string script;
  // After `commands` or `script`, go on reading commands from stdin, with a
  // prompt on a terminal (corosh -i). Without either, a session is always
  // interactive.
  bool interactive = false;
  // On a terminal, run the startup file first: ~/.coroshrc, or else
  // $XDG_CONFIG_HOME/corosh/init (~/.config/corosh/init) (corosh --norc: false).
  bool startup_file = true;
  // Print each command before its output, as "> COMMAND" (corosh --echo).
  bool echo = false;
  // Commands that have a JSON form print one JSON document instead of text
  // (corosh --json; docs/json.md).
  bool json = false;
  // End the session at the first command that fails, instead of going on
  // (corosh --stop-on-error). The interactive part is never stopped.
  bool stop_on_error = false;
  // Look inside this program instead of the session's own: a pid or the
  // path of a monitor socket, attached to first as `attach` would (corosh
  // --attach; docs/attach.md). A session that cannot attach ends with 1.
  std::string attach;
  // Printed when a session starts on a terminal.
  std::string greeting = "corosh: coroutines and an event loop you can poke at. `help` lists the commands.";
};

// Runs a session until `quit`, Ctrl-D or the end of its commands. Returns 0
// if every command succeeded (an interactive session: always), 1 if one
// failed, 2 if the session could not start (a script that cannot be read).
int run_shell(Loop& loop, const ShellOptions& options = {});

}  // namespace corosh
