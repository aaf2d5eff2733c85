#include "completion.hpp"

#include "commands.hpp"
#include "shell.hpp"

namespace corosh::shell {
namespace {

// What may stand where an argument of `kind` goes.
void candidates(Shell& shell, const Argument& argument, std::vector<std::string>& out) {
  switch (argument.kind) {
    case ArgKind::coroutine:
      try {
        for (const CoroutineView& v : shell.target().list()) {
          out.push_back(std::to_string(v.info.id));
          if (!v.info.name.empty()) out.push_back(v.info.name);
        }
      } catch (const TargetLost& e) {
        shell.lost(e.what());
      } catch (const CommandError&) {
        // Nothing to offer.
      }
      break;
    case ArgKind::demo:
      for (const DemoInfo& d : shell.target().demos()) out.push_back(d.name);
      break;
    case ArgKind::command:
      for (const Command& c : command_table().all()) out.emplace_back(c.name);
      break;
    case ArgKind::plugin:
      for (const PluginInfo& p : shell.target().plugins()) out.push_back(p.name);
      break;
    case ArgKind::choice:
      for (std::string_view c : argument.choices) out.emplace_back(c);
      break;
    default:  // numbers, addresses, paths, text: nothing to offer
      break;
  }
}

}  // namespace

std::vector<std::string> completions(Shell& shell, const std::vector<std::string>& words_before) {
  std::vector<std::string> out;
  if (words_before.empty()) {
    for (const Command& c : command_table().all()) {
      out.emplace_back(c.name);
      for (std::string_view alias : c.aliases) out.emplace_back(alias);
    }
    return out;
  }
  const Command* command = command_table().find(words_before[0]);
  if (command == nullptr) return out;
  // The value of an option just typed.
  const std::string& previous = words_before.back();
  for (const Option& o : command->options)
    if (previous == o.flag && o.takes_value()) {
      candidates(shell, Argument{o.value, o.kind}, out);
      return out;
    }
  // Otherwise the argument at this position (a repeated one stays), and
  // the options once the required arguments are there.
  std::size_t position = 0;
  for (std::size_t i = 1; i < words_before.size(); ++i) {
    const Option* option = nullptr;
    for (const Option& o : command->options)
      if (words_before[i] == o.flag) option = &o;
    if (option == nullptr) ++position;
    else if (option->takes_value()) ++i;  // skip its value too
  }
  const std::vector<Argument>& arguments = command->arguments;
  if (position < arguments.size())
    candidates(shell, arguments[position], out);
  else if (!arguments.empty() && arguments.back().presence == Argument::Presence::repeated)
    candidates(shell, arguments.back(), out);
  if (position >= command->min_words())
    for (const Option& o : command->options) out.emplace_back(o.flag);
  return out;
}

}  // namespace corosh::shell
