// shell/completion.hpp — what Tab offers at each position of a line.
#pragma once

#include <string>
#include <vector>

namespace corosh::shell {

class Shell;

// Candidates for the word after `words_before`: command names first; demo
// names after `spawn`; command names after `help`; `on off save` after
// `trace`; otherwise coroutine ids and names.
std::vector<std::string> completions(Shell& shell, const std::vector<std::string>& words_before);

}  // namespace corosh::shell
