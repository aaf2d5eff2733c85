// test_line_splitter.cpp — the shell's line reader cuts any stream of chunks
// into the same lines. Cases found while fuzzing it (tests/fuzz) live here.
#include "catch.hpp"

#include "input.hpp"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace {

std::vector<std::string> commands_of(std::string_view text) {
  corosh::shell::TextInput input(text);
  std::vector<std::string> commands;
  while (std::optional<corosh::shell::Line> line = input.next()) commands.push_back(line->text);
  return commands;
}

std::deque<corosh::shell::Line> split(std::size_t limit, std::initializer_list<std::string_view> chunks) {
  corosh::shell::LineSplitter splitter(limit);
  std::deque<corosh::shell::Line> lines;
  for (std::string_view c : chunks) splitter.feed(c, lines);
  splitter.finish(lines);
  return lines;
}

}  // namespace

TEST_CASE("lines are the same however the input is chunked", "[shell]") {
  auto whole = split(16, {"spawn fib\nstep 3\nlist"});
  auto bytewise = split(16, {"sp", "awn f", "ib\ns", "tep 3", "\nli", "st"});
  REQUIRE(whole.size() == 3);
  REQUIRE(bytewise.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(whole[i].text == bytewise[i].text);
  CHECK(whole[2].text == "list");
}

TEST_CASE("a CRLF line of exactly the limit is not too long", "[shell]") {
  // Found by fuzz_line_splitter: the '\r' used to count against the limit.
  auto lines = split(4, {"abcd\r", "\nabcde\r\n"});
  REQUIRE(lines.size() == 2);
  CHECK_FALSE(lines[0].too_long);
  CHECK(lines[0].text == "abcd");
  CHECK(lines[0].length == 4);
  CHECK(lines[1].too_long);
  CHECK(lines[1].length == 5);
  CHECK(lines[1].text.empty());
}

TEST_CASE("a huge line is reported once with its length and never held whole", "[shell]") {
  std::string big(100000, 'x');
  auto lines = split(4096, {big, big, "\nok\n"});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].too_long);
  CHECK(lines[0].length == 200000);
  CHECK(lines[1].text == "ok");
}

TEST_CASE("-c text splits at ';' and newlines, never inside quotes", "[shell]") {
  using V = std::vector<std::string>;
  CHECK(commands_of("spawn fib; step 3;list") == V{"spawn fib", "step 3", "list"});
  CHECK(commands_of("spawn fib --name 'a;b'; step") == V{"spawn fib --name 'a;b'", "step"});
  CHECK(commands_of("say \"x; y\";list") == V{"say \"x; y\"", "list"});
  // A quote ends with its line: the next line splits normally again, and the
  // unterminated quote is left for the command parser to report.
  CHECK(commands_of("say 'open\nstep; list") == V{"say 'open", "step", "list"});
  CHECK(commands_of("say \"it's\"; list") == V{"say \"it's\"", "list"});
}
