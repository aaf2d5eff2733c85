// shell/terminal_input.hpp — typing at a terminal: libedit, fed by the loop.
//
// libedit's readline-compatible callback interface reads one character at a
// time when the loop reports stdin readable, so the loop keeps serving
// connections while a line is being typed. While a command runs the editor
// is removed (the terminal is back in its normal mode, so Ctrl-C raises
// SIGINT for the loop to deliver); ready() brings the prompt back.
// History lives in ~/.corosh_history; Tab completes command names, demo
// names and coroutine ids and names. Output that arrives while the prompt
// is shown (a coroutine the loop woke, printing) goes above the prompt, and
// the prompt comes back below it with the half-typed line intact.
#pragma once

#include "input.hpp"
#include "output.hpp"

#include <corosh/loop.hpp>

#include <functional>
#include <string>
#include <vector>

namespace corosh::shell {

class TerminalInput final : public Input {
 public:
  // `candidates(words_before)` lists what may come next on the line, given
  // the words already typed before the one being completed.
  using Completer = std::function<std::vector<std::string>(const std::vector<std::string>& words_before)>;

  // `prompt` says what the prompt is each time it is shown.
  TerminalInput(Loop& loop, Output& out, Completer completer, std::function<std::string()> prompt);
  // Saves the history and leaves the terminal as it found it.
  ~TerminalInput() override;

  void ready() override;
  void interrupt() override;

 private:
  static void on_line(char* line);
  void show_prompt();
  void before_output();
  void after_output();
  Loop& loop_;
  Output& out_;
  WatchId watch_;
  bool prompting_ = false;
  std::string history_path_;
  std::function<std::string()> prompt_;
  std::string prompt_text_;
};

}  // namespace corosh::shell
