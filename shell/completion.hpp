// shell/completion.hpp — what Tab offers at each position of a line.
#pragma once

#include <string>
#include <vector>

namespace corosh::shell {

class Shell;

// Candidates for the word after `words_before`: command names first, then
// what the command table says stands at that position (coroutine ids and
// names, demo names, command names, a choice's words) and the command's
// options once its required arguments are typed.
std::vector<std::string> completions(Shell& shell, const std::vector<std::string>& words_before);

}  // namespace corosh::shell
