// shell/output.hpp — everything the shell prints goes through here.
//
// Results go to stdout, errors to stderr as one line starting "error: ".
// Both are flushed line by line, so a transcript that captures the two
// streams in one pipe sees them in the order they were written. Colour only
// on a terminal and never when NO_COLOR is set.
#pragma once

#include <fmt/color.h>
#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace corosh::shell {

enum class Tone { plain, heading, good, warn, bad, dim, value };

class Output {
 public:
  // Where a line goes instead of stdout/stderr (`error` tells which), e.g.
  // into a test's buffer.
  using Sink = std::function<void(bool error, std::string_view line)>;

  Output(bool colour_out, bool colour_err, Sink sink = nullptr)
      : colour_out_(colour_out), colour_err_(colour_err), sink_(std::move(sink)) {}

  // One line of results on stdout.
  void line(std::string_view text);
  // One error line on stderr: "error: " + text (non-printable bytes escaped).
  void error(std::string_view text);
  // `text` in the tone's colour when stdout is coloured.
  std::string paint(std::string_view text, Tone tone) const;

  // Errors printed so far (the batch exit status).
  int errors() const noexcept { return errors_; }
  // True if results go to a terminal (not a pipe, a file or a test's sink).
  bool to_terminal() const noexcept;
  // True once writing to stdout failed (a closed pipe: `corosh ... | head`);
  // nothing more is written to it.
  bool closed() const noexcept { return closed_; }
  // Called once, when stdout turns out to be closed.
  void set_on_closed(std::function<void()> hook) { on_closed_ = std::move(hook); }
  // Called before anything is printed, e.g. to move a line editor's prompt
  // out of the way when output arrives while the user types.
  void set_before_print(std::function<void()> hook) { before_print_ = std::move(hook); }
  void set_after_print(std::function<void()> hook) { after_print_ = std::move(hook); }

 private:
  void write(std::FILE* stream, std::string_view text);
  bool colour_out_;
  bool colour_err_;
  Sink sink_;
  int errors_ = 0;
  bool closed_ = false;
  std::function<void()> before_print_, after_print_, on_closed_;
};

// Whether a stream should be coloured: a terminal, and NO_COLOR unset.
bool wants_colour(int fd);

// `text` with control characters and bytes outside printable ASCII written
// as \xNN, cut to `limit` characters ("..." appended), for echoing input.
std::string printable(std::string_view text, std::size_t limit = 60);

}  // namespace corosh::shell
