// shell/input.hpp — where command lines come from.
//
// Two sources, both fed by the loop so that it keeps serving connections and
// timers while the shell waits for a line: plain line reads from a pipe or a
// file (BatchInput, also `-c` text) and libedit on a terminal
// (TerminalInput). The shell takes complete lines with next() between loop
// iterations; it never runs a command from inside a loop callback, so a
// command may itself run the loop (`wait`, `continue`).
#pragma once

#include <corosh/loop.hpp>

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace corosh::shell {

struct Line {
  std::string text;
  std::size_t length = 0;  // bytes on the line, including any dropped
  bool too_long = false;   // longer than max_line: text is empty
};

// Cuts a byte stream into lines ("\n" or "\r\n"), keeping at most `limit`
// bytes of each: a longer line is reported once, with its length, and never
// held in memory whole.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t limit) : limit_(limit) {}
  // Appends the lines completed by `chunk` to `lines`.
  void feed(std::string_view chunk, std::deque<Line>& lines);
  // The last line, if the input did not end with a newline.
  void finish(std::deque<Line>& lines);

 private:
  void complete(std::deque<Line>& lines);
  std::size_t limit_;
  std::string partial_;
  std::size_t length_ = 0;
  bool ends_with_cr_ = false;  // the last byte so far is '\r'
};

class Input {
 public:
  virtual ~Input() = default;
  // The next complete line, if one has arrived.
  std::optional<Line> next();
  // True once the input has ended and every line has been taken.
  bool finished() const { return ended_ && lines_.empty(); }
  // The shell is idle and wants more: a terminal shows its prompt.
  virtual void ready() {}
  // SIGINT while the shell is idle: a terminal drops the half-typed line.
  virtual void interrupt() {}

 protected:
  std::deque<Line> lines_;
  bool ended_ = false;
};

// Lines from a pipe or a regular file (read through Loop::add_reader).
class BatchInput final : public Input {
 public:
  BatchInput(Loop& loop, int fd);
  ~BatchInput() override;

 private:
  Loop& loop_;
  WatchId watch_;
  LineSplitter splitter_;
};

// The text of `-c 'cmd; cmd'`: commands separated by ';' or newlines.
class TextInput final : public Input {
 public:
  explicit TextInput(std::string_view text);
};

}  // namespace corosh::shell
