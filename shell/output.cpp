#include "output.hpp"

#include <unistd.h>

#include <cstdlib>

namespace corosh::shell {

bool wants_colour(int fd) { return ::isatty(fd) == 1 && std::getenv("NO_COLOR") == nullptr; }

void Output::write(std::FILE* stream, std::string_view text) {
  if (sink_) return sink_(stream == stderr, text);
  if (stream == stdout && closed_) return;
  if (before_print_) before_print_();
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
  if (after_print_) after_print_();
  // The reader went away (EPIPE; SIGPIPE is ignored) or the terminal did:
  // stop writing, and let the shell stop working for nobody.
  if (stream == stdout && std::ferror(stdout) && !closed_) {
    closed_ = true;
    if (on_closed_) on_closed_();
  }
}

void Output::line(std::string_view text) { write(stdout, text); }

bool Output::to_terminal() const noexcept { return !sink_ && ::isatty(STDOUT_FILENO) == 1; }

void Output::error(std::string_view text) {
  ++errors_;
  // Flush results first: the two streams may share one pipe.
  std::fflush(stdout);
  std::string head = colour_err_ ? fmt::format(fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold, "error:")
                                 : std::string("error:");
  write(stderr, head + " " + printable(text, 400));
}

std::string Output::paint(std::string_view text, Tone tone) const {
  if (!colour_out_ || tone == Tone::plain) return std::string(text);
  fmt::text_style style;
  switch (tone) {
    case Tone::heading: style = fmt::emphasis::bold; break;
    case Tone::good: style = fmt::fg(fmt::terminal_color::green); break;
    case Tone::warn: style = fmt::fg(fmt::terminal_color::yellow); break;
    case Tone::bad: style = fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold; break;
    case Tone::dim: style = fmt::fg(fmt::terminal_color::bright_black); break;
    case Tone::value: style = fmt::fg(fmt::terminal_color::cyan); break;
    case Tone::plain: break;
  }
  return fmt::format(style, "{}", text);
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace corosh::shell
