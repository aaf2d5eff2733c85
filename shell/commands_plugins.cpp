// load, unload, plugins: your own code as plugins.
#include "commands.hpp"
#include "shell.hpp"
#include "words.hpp"

#include <fmt/format.h>

namespace corosh::shell {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : ", ") + w;
  return text;
}

void load(Shell& shell, const Words& args) {
  PluginInfo p = shell.target().load(args[0]);
  shell.out.line(fmt::format("loaded plugin {} ({}, built against corosh {}): {}", p.name, printable(p.path, 200),
                             p.version, joined(p.functions)));
}

void unload(Shell& shell, const Words& args) {
  PluginInfo p = shell.target().unload(args[0]);
  shell.out.line(fmt::format("unloaded plugin {} ({})", p.name, joined(p.functions)));
}

void plugins(Shell& shell, const Words&) {
  std::vector<PluginInfo> all = shell.target().plugins();
  if (all.empty()) {
    shell.out.line("no plugins loaded (`load FILE.so` loads one)");
    return;
  }
  for (const PluginInfo& p : all)
    shell.out.line(fmt::format("  {}  {} (corosh {}): {}", p.name, printable(p.path, 200), p.version,
                               joined(p.functions)));
}

}  // namespace

void add_plugin_commands(CommandTable& table) {
  table.add({.name = "load",
             .arguments = {{"FILE", ArgKind::file}},
             .effects = reaches_out,
             .summary = "load a plugin: a shared library declaring your own spawnable functions",
             .help = "FILE is a shared library built against corosh::plugin, with\n"
                     "corosh/spawnable.hpp declarations in it (docs/your-own-code.md). Its\n"
                     "functions join the demos: `demos` lists them, `spawn` starts them, `stack`\n"
                     "names their frames from the library's own debug information. Refused,\n"
                     "with the session unchanged: a file that is no shared library, one\n"
                     "without declarations, one built against an incompatible corosh, a name\n"
                     "already taken. `corosh --load FILE` loads one at startup.\n"
                     "Example: load ./libmaze.so",
             .run = load});
  table.add({.name = "unload",
             .arguments = {{"NAME", ArgKind::plugin}},
             .effects = reaches_out,
             .summary = "unload a plugin (refused while its coroutines are alive)",
             .help = "NAME is the plugin's file name without directories, `lib` and the suffix\n"
                     "(maze for ./libmaze.so), or its path as loaded. Refused while a\n"
                     "coroutine spawned from it is alive or another one is parked in its code:\n"
                     "the message names them; `cancel` them first. Its dead coroutines leave\n"
                     "`list` with it.",
             .run = unload});
  table.add({.name = "plugins",
             .summary = "the plugins loaded, with their functions",
             .run = plugins});
}

}  // namespace corosh::shell
