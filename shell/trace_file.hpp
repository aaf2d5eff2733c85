// shell/trace_file.hpp — `trace save FILE`: a recording of context switches
// as Chrome trace events, for https://ui.perfetto.dev or chrome://tracing.
//
// Each coroutine is a thread (tid = coroutine id, the thread's own stack is
// tid 0) of one process (pid 1). A resume opens a "B" (begin) slice on the
// coroutine that starts running, a yield or finish closes it with "E", so
// the viewer draws when each coroutine ran, nested as the resumes were.
#pragma once

#include "target.hpp"

#include <string>

namespace corosh::shell {

// Writes `recording` to `path`; throws CommandError if it cannot.
void save_chrome_trace(const TraceRecording& recording, const std::string& path);

}  // namespace corosh::shell
