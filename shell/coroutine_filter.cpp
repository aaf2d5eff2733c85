#include "coroutine_filter.hpp"

#include "output.hpp"
#include "words.hpp"

#include <fmt/format.h>

#include <fnmatch.h>

#include <array>
#include <map>

namespace corosh::shell {
namespace {

constexpr std::array<State, 5> all_states{State::created, State::suspended, State::running, State::normal,
                                          State::dead};
constexpr std::array<Ending, 4> all_endings{Ending::returned, Ending::threw, Ending::cancelled, Ending::faulted};

bool has_state(const CoroutineInfo& c, std::string_view word) {
  if (word == "waiting") return !c.wait_reason.empty();
  for (State s : all_states)
    if (word == to_string(s)) return c.state == s;
  for (Ending e : all_endings)
    if (word == to_string(e)) return c.state == State::dead && c.ending == e;
  return false;
}

bool known_state(std::string_view word) {
  if (word == "waiting") return true;
  for (State s : all_states)
    if (word == to_string(s)) return true;
  for (Ending e : all_endings)
    if (word == to_string(e)) return true;
  return false;
}

std::string quoted(std::string_view word) {
  return word.find_first_of(" *?[") == std::string_view::npos ? std::string(word) : fmt::format("'{}'", word);
}

}  // namespace

bool CoroutineFilter::empty() const noexcept {
  return states.empty() && !name && !waiting && !dead && !site_file;
}

bool CoroutineFilter::matches(const CoroutineInfo& c) const {
  if (!states.empty()) {
    bool any = false;
    for (const std::string& s : states) any = any || has_state(c, s);
    if (!any) return false;
  }
  if (name && ::fnmatch(name->c_str(), c.name.c_str(), 0) != 0) return false;
  if (waiting && c.wait_reason.empty()) return false;
  if (dead && c.state != State::dead) return false;
  if (site_file) {
    const std::string_view file = c.site_file;
    const bool same = file == *site_file || (file.ends_with(*site_file) &&
                                             file[file.size() - site_file->size() - 1] == '/');
    if (!same || (site_line && c.site_line != *site_line)) return false;
  }
  return true;
}

std::string CoroutineFilter::text() const {
  std::string t;
  const auto add = [&](const std::string& part) { t += (t.empty() ? "" : " ") + part; };
  for (const std::string& s : states) add("--state " + s);
  if (name) add("--name " + quoted(*name));
  if (waiting) add("--waiting");
  if (dead) add("--dead");
  if (site_file) add("--site " + *site_file + (site_line ? fmt::format(":{}", *site_line) : ""));
  return t;
}

std::vector<Option> filter_options() {
  return {{"--state", "S", ArgKind::text, true},
          {"--name", "GLOB", ArgKind::text},
          {"--waiting", ""},
          {"--dead", ""},
          {"--site", "FILE[:LINE]", ArgKind::file}};
}

CoroutineFilter filter_of(const ParsedWords& words) {
  CoroutineFilter f;
  for (const std::string& s : words.values("--state")) {
    if (!known_state(s))
      throw CommandError(fmt::format("no state called '{}' (created, suspended, running, normal, dead, waiting, "
                                     "or how it died: returned, threw, cancelled, faulted)",
                                     printable(s)));
    f.states.push_back(s);
  }
  if (std::vector<std::string> n = words.values("--name"); !n.empty()) f.name = n.back();
  f.waiting = words.has("--waiting");
  f.dead = words.has("--dead");
  if (std::vector<std::string> site = words.values("--site"); !site.empty()) {
    std::string file = site.back();
    const std::size_t colon = file.rfind(':');
    if (colon != std::string::npos) {
      f.site_line = std::uint32_t(parse_number(std::string_view(file).substr(colon + 1), "--site line", 1,
                                               UINT32_MAX));
      file.resize(colon);
    }
    if (file.empty()) throw CommandError("--site needs a file name (--site FILE[:LINE])");
    f.site_file = file;
  }
  return f;
}

std::string totals(const std::vector<CoroutineView>& all) {
  std::map<State, std::size_t> states;
  std::map<Ending, std::size_t> endings;
  std::size_t waiting = 0;
  for (const CoroutineView& v : all) {
    ++states[v.info.state];
    if (v.info.state == State::dead) ++endings[v.info.ending];
    waiting += !v.info.wait_reason.empty();
  }
  std::string text = fmt::format("{} coroutine{}", all.size(), all.size() == 1 ? "" : "s");
  std::string parts;
  for (State s : all_states) {
    if (!states[s]) continue;
    parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", states[s], to_string(s));
    if (s == State::suspended && waiting) parts += fmt::format(" ({} waiting)", waiting);
    if (s == State::dead) {
      std::string how;
      for (Ending e : all_endings)
        if (endings[e]) how += fmt::format("{}{} {}", how.empty() ? "" : ", ", endings[e], to_string(e));
      parts += " (" + how + ")";
    }
  }
  return parts.empty() ? text : text + ": " + parts;
}

}  // namespace corosh::shell
