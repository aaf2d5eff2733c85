// shell/words.hpp — turning a command line into words and words into values.
//
// Every failure throws CommandError with the one line the user will see, so
// a command handler never prints half its output before a bad argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace corosh::shell {

// A command that cannot be carried out; what() is the error line.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Splits at blanks; '...' and "..." quote words with blanks in them. Throws
// CommandError for an unterminated quote.
std::vector<std::string> split_words(std::string_view line);

// Why a line cannot be a command (control characters, NUL), or empty if it
// may be one. Tabs count as blanks.
std::string reject_binary(std::string_view line);

// Whether `word` is written as a number (digits, perhaps after a minus
// sign) rather than a name: what decides whether `step 3` means a count or
// `stack 7` an id. The one place that decides it; a name always has a
// letter in it (spawn refuses others).
bool is_number(std::string_view word) noexcept;

// A whole number in [min, max]; `what` names it in the error ("count", "PORT").
std::uint64_t parse_number(std::string_view text, std::string_view what, std::uint64_t min,
                           std::uint64_t max);
// Bytes: 65536, 64K, 1M, 1G (binary units), at most corosh::max_stack_size.
std::size_t parse_size(std::string_view text, std::string_view what);
// Seconds with an optional fraction: 2, 0.5.
double parse_seconds(std::string_view text, double max);

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);

// "256 KiB", "1.5 MiB", "512 bytes".
std::string human_bytes(std::size_t bytes);
// "45 s", "12 min", "3 h 20 min", "2 d 5 h".
std::string human_duration(std::int64_t milliseconds);
// Rounded for a table: "512 bytes", "12.5 KiB", "5.2 MiB", "1.1 GiB".
std::string rounded_bytes(std::size_t bytes);

}  // namespace corosh::shell
