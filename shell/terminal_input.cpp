#include "terminal_input.hpp"

#include "shell.hpp"
#include "words.hpp"

#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace corosh::shell {
namespace {

// libedit's callbacks are plain C functions: they reach the one terminal
// input through this pointer.
TerminalInput* active = nullptr;
TerminalInput::Completer completer;
std::vector<std::string> matches;
std::size_t next_match = 0;

char* generate(const char* text, int state) {
  if (state == 0) next_match = 0;
  std::size_t length = std::strlen(text);
  while (next_match < matches.size()) {
    const std::string& m = matches[next_match++];
    if (m.compare(0, length, text) == 0) return strdup(m.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  std::vector<std::string> before;
  try {
    before = split_words(std::string_view(rl_line_buffer, std::size_t(start)));
  } catch (const CommandError&) {
    return nullptr;
  }
  try {
    matches = completer ? completer(before) : std::vector<std::string>{};
  } catch (...) {
    matches.clear();  // nothing to offer; never an exception through libedit's C frames
  }
  return rl_completion_matches(text, generate);
}

}  // namespace

TerminalInput::TerminalInput(Loop& loop, Output& out, Completer complete_with, std::function<std::string()> prompt)
    : loop_(loop), out_(out), prompt_(std::move(prompt)) {
  active = this;
  out_.set_before_print([this] { before_output(); });
  out_.set_after_print([this] { after_output(); });
  completer = std::move(complete_with);
  rl_readline_name = "corosh";
  // The loop owns SIGINT (Loop::add_signal); libedit must not install its own.
  rl_catch_signals = 0;
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = " \t";
  rl_initialize();
  using_history();
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    history_path_ = std::string(home) + "/.corosh_history";
    read_history(history_path_.c_str());
  }
}

TerminalInput::~TerminalInput() {
  out_.set_before_print(nullptr);
  out_.set_after_print(nullptr);
  if (prompting_) {
    rl_callback_handler_remove();
    prompting_ = false;
  }
  if (!history_path_.empty()) {
    write_history(history_path_.c_str());
    history_truncate_file(history_path_.c_str(), 1000);
  }
  active = nullptr;
}

void TerminalInput::on_line(char* line) {
  TerminalInput* self = active;
  if (self == nullptr) return;
  if (line == nullptr) {  // Ctrl-D on an empty line
    std::fputs("\n", stdout);
    std::fflush(stdout);
    self->ended_ = true;
  } else {
    if (*line != '\0') add_history(line);
    LineSplitter splitter(max_line);
    // An empty line is still a line: the prompt comes back.
    std::string text = *line != '\0' ? std::string(line) : std::string(" ");
    splitter.feed(text, self->lines_);
    splitter.finish(self->lines_);
  }
  std::free(line);
  // Leave the editor while the command runs: the terminal returns to its
  // normal mode, and keys typed meanwhile wait in the terminal's buffer.
  self->prompting_ = false;
  rl_callback_handler_remove();
  if (self->watch_) self->loop_.remove(self->watch_);
  self->watch_ = WatchId();
}

void TerminalInput::ready() {
  if (prompting_ || ended_) return;
  show_prompt();
}

void TerminalInput::show_prompt() {
  prompting_ = true;
  prompt_text_ = prompt_ ? prompt_() : std::string("corosh> ");
  rl_callback_handler_install(prompt_text_.c_str(), &TerminalInput::on_line);
  if (!watch_)
    watch_ = loop_.add_watch(STDIN_FILENO, Interest::readable, [](Interest) { rl_callback_read_char(); });
}

// A line printed while the prompt is up would land after the half-typed
// text. Wipe the prompt's line first; after the output, have libedit redraw
// prompt and buffer (EL_REFRESH assumes the cursor at the start of a line,
// which is where the printed line left it).
void TerminalInput::before_output() {
  if (!prompting_) return;
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
}

void TerminalInput::after_output() {
  if (prompting_) rl_forced_update_display();
}

void TerminalInput::interrupt() {
  if (!prompting_) return;
  // Like a shell: abandon the half-typed line, start a fresh prompt.
  std::fputs("^C\n", stdout);
  std::fflush(stdout);
  rl_callback_handler_remove();
  prompting_ = false;
  show_prompt();
}

}  // namespace corosh::shell
