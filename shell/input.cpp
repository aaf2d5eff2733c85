#include "input.hpp"

#include "shell.hpp"

namespace corosh::shell {

void LineSplitter::complete(std::deque<Line>& lines) {
  // A '\r' before the '\n' belongs to the line ending, not to the line: a
  // CRLF line of exactly `limit` characters is not too long.
  if (ends_with_cr_) {
    --length_;
    if (partial_.size() > length_) partial_.pop_back();
  }
  Line line;
  line.length = length_;
  if (length_ > limit_) line.too_long = true;
  else line.text = std::move(partial_);
  lines.push_back(std::move(line));
  partial_.clear();
  length_ = 0;
  ends_with_cr_ = false;
}

void LineSplitter::feed(std::string_view chunk, std::deque<Line>& lines) {
  while (!chunk.empty()) {
    std::size_t end = chunk.find('\n');
    std::string_view piece = chunk.substr(0, end);
    // Keep one byte past the limit (and a possible '\r') so "too long" is
    // decided on the real length, without buffering a huge line.
    if (partial_.size() <= limit_ + 1)
      partial_.append(piece.substr(0, limit_ + 2 - partial_.size()));
    length_ += piece.size();
    if (!piece.empty()) ends_with_cr_ = piece.back() == '\r';
    if (end == std::string_view::npos) break;
    complete(lines);
    chunk.remove_prefix(end + 1);
  }
}

void LineSplitter::finish(std::deque<Line>& lines) {
  if (length_ > 0) complete(lines);
}

std::optional<Line> Input::next() {
  if (lines_.empty()) return std::nullopt;
  Line line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

BatchInput::BatchInput(Loop& loop, int fd) : loop_(loop), splitter_(max_line) {
  watch_ = loop_.add_reader(
      fd, [this](std::string_view chunk) { splitter_.feed(chunk, lines_); },
      [this] {
        splitter_.finish(lines_);
        ended_ = true;
        watch_ = WatchId();
      });
}

BatchInput::~BatchInput() {
  if (watch_) loop_.remove(watch_);
}

TextInput::TextInput(std::string_view text) {
  LineSplitter splitter(max_line);
  // ';' separates commands as a newline does, except inside quotes (which,
  // as in split_words, never reach past the end of a line).
  std::string lines(text);
  char quote = 0;
  for (char& c : lines) {
    if (c == '\n') {
      quote = 0;
    } else if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';') {
      c = '\n';
    }
  }
  splitter.feed(lines, lines_);
  splitter.finish(lines_);
  // "a; b" reads naturally with a blank after the ';': drop it.
  for (Line& line : lines_) {
    std::size_t start = line.text.find_first_not_of(" \t");
    line.text.erase(0, start == std::string::npos ? line.text.size() : start);
  }
  ended_ = true;
}

}  // namespace corosh::shell
