#include "completion.hpp"

#include "commands.hpp"
#include "shell.hpp"

namespace corosh::shell {

std::vector<std::string> completions(Shell& shell, const std::vector<std::string>& words_before) {
  std::vector<std::string> out;
  if (words_before.empty()) {
    for (const Command& c : command_table().all()) {
      out.emplace_back(c.name);
      if (!c.alias.empty()) out.emplace_back(c.alias);
    }
    return out;
  }
  const Command* command = command_table().find(words_before[0]);
  if (command == nullptr) return out;
  if (command->name == "spawn") {
    if (words_before.size() == 1)
      for (const DemoInfo& d : shell.target.demos()) out.emplace_back(d.name);
    else
      out = {"--name", "--stack"};
    return out;
  }
  if (command->name == "help") {
    if (words_before.size() == 1)
      for (const Command& c : command_table().all()) out.emplace_back(c.name);
    return out;
  }
  if (command->name == "trace") {
    if (words_before.size() == 1) out = {"on", "off", "save"};
    return out;
  }
  if (command->max_args == 0 || command->name == "listen" || command->name == "unlisten" ||
      command->name == "wait")
    return out;
  for (const CoroutineView& v : shell.target.list()) {
    out.push_back(std::to_string(v.info.id));
    if (!v.info.name.empty()) out.push_back(v.info.name);
  }
  return out;
}

}  // namespace corosh::shell
