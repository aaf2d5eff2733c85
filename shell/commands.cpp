#include "commands.hpp"

#include "output.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace corosh::shell {

std::string Command::synopsis(bool with_options) const {
  std::string text;
  const auto add = [&](std::string_view part) {
    if (!text.empty()) text += ' ';
    text += part;
  };
  for (const Argument& a : arguments) {
    std::string shown;
    if (a.kind == ArgKind::choice) {
      for (std::string_view c : a.choices) shown += (shown.empty() ? "" : "|") + std::string(c);
    } else {
      shown = std::string(a.name);
    }
    switch (a.presence) {
      case Argument::Presence::required: add(shown); break;
      case Argument::Presence::optional: add("[" + shown + "]"); break;
      case Argument::Presence::repeated: add("[" + shown + "...]"); break;
    }
  }
  if (!with_options) {
    if (!options.empty()) add("[OPTIONS]");
    return text;
  }
  for (const Option& o : options)
    add("[" + std::string(o.flag) + (o.takes_value() ? " " + std::string(o.value) : "") + "]" + (o.repeated ? "..." : ""));
  return text;
}

std::size_t Command::min_words() const {
  std::size_t n = 0;
  for (const Argument& a : arguments) n += a.presence == Argument::Presence::required;
  return n;
}

std::size_t Command::max_words() const {
  std::size_t n = 0;
  // --json is taken out of the words before they are counted; other flags count.
  for (const Option& o : options)
    if (o.flag != "--json") n += (o.takes_value() ? 2 : 1) * (o.repeated ? max_repeated : 1);
  for (const Argument& a : arguments) n += a.presence == Argument::Presence::repeated ? max_repeated : 1;
  return n;
}

bool Command::called(std::string_view word) const {
  if (word == name) return true;
  for (std::string_view alias : aliases)
    if (word == alias) return true;
  return false;
}

void CommandTable::add(Command command) {
  if (command.json) command.options.push_back({"--json", "", ArgKind::text});
  commands_.push_back(std::move(command));
}

bool ParsedWords::has(std::string_view flag) const {
  return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == flag; });
}

std::vector<std::string> ParsedWords::values(std::string_view flag) const {
  std::vector<std::string> all;
  for (const auto& [f, value] : options)
    if (f == flag) all.push_back(value);
  return all;
}

ParsedWords parse_words(const Command& command, const Words& words) {
  ParsedWords parsed;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (!word.starts_with("--")) {
      parsed.arguments.push_back(word);
      continue;
    }
    const auto known = std::find_if(command.options.begin(), command.options.end(),
                                    [&](const Option& o) { return o.flag == word; });
    if (known == command.options.end()) {
      std::string list;
      for (const Option& o : command.options) list += (list.empty() ? "" : ", ") + std::string(o.flag);
      throw CommandError(list.empty() ? fmt::format("'{}': {} takes no options", printable(word), command.name)
                                      : fmt::format("unknown option '{}' ({} knows {})", printable(word),
                                                    command.name, list));
    }
    if (!known->repeated && parsed.has(word)) throw CommandError(fmt::format("{} is given twice", word));
    std::string value;
    if (known->takes_value()) {
      if (i + 1 == words.size()) throw CommandError(fmt::format("{} needs a value ({} {})", word, word, known->value));
      value = words[++i];
    }
    parsed.options.emplace_back(word, std::move(value));
  }
  return parsed;
}

ParsedWords parse_words(std::string_view name, const Words& words) {
  const Command* command = command_table().find(name);
  if (command == nullptr) throw CommandError(fmt::format("no command called '{}'", name));
  return parse_words(*command, words);
}

const Command* CommandTable::find(std::string_view name) const {
  for (const Command& c : commands_)
    if (c.called(name)) return &c;
  const Command* only = nullptr;
  for (const Command& c : commands_) {
    if (name.empty() || !c.name.starts_with(name)) continue;
    if (only != nullptr) return nullptr;  // ambiguous
    only = &c;
  }
  return only;
}

std::vector<std::string_view> CommandTable::suggestions(std::string_view name) const {
  std::vector<std::string_view> prefixed;
  for (const Command& c : commands_)
    if (!name.empty() && c.name.starts_with(name)) prefixed.push_back(c.name);
  if (!prefixed.empty()) return prefixed;
  if (name.size() > 32) return {};
  // A typo changes a letter or two; beyond a third of the word it is more
  // likely another word altogether, and a wrong suggestion is worse than none.
  std::size_t limit = std::max<std::size_t>(1, (name.size() + 1) / 3);
  std::size_t best = limit + 1;
  std::string_view found;
  for (const Command& c : commands_) {
    std::vector<std::string_view> names{c.name};
    names.insert(names.end(), c.aliases.begin(), c.aliases.end());
    for (std::string_view candidate : names) {
      std::size_t d = edit_distance(name, candidate);
      if (d < best) {
        best = d;
        found = c.name;
      }
    }
  }
  if (found.empty()) return {};
  return {found};
}

std::string CommandTable::hint_for(std::string_view name) const {
  std::vector<std::string_view> guesses = suggestions(name);
  if (guesses.empty()) return "(`help` lists the commands)";
  if (guesses.size() == 1) return "(did you mean '" + std::string(guesses[0]) + "'?)";
  std::string all;
  for (std::size_t i = 0; i < guesses.size(); ++i)
    all += std::string(i == 0 ? "" : i + 1 == guesses.size() ? " or " : ", ") + std::string(guesses[i]);
  return "(it could be " + all + ")";
}

const CommandTable& command_table() {
  static const CommandTable table = [] {
    CommandTable t;
    add_help_commands(t);
    add_coroutine_commands(t);
    add_run_commands(t);
    add_inspect_commands(t);
    add_registry_commands(t);
    add_loop_commands(t);
    add_trace_commands(t);
    add_plugin_commands(t);
    add_script_commands(t);
    add_attach_commands(t);
    add_observe_commands(t);
    return t;
  }();
  return table;
}

}  // namespace corosh::shell
