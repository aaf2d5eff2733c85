// shell/target_json.hpp — the shell's own value types as JSON, on top of
// the one codec of the snapshots (corosh/inspect_json.hpp).
//
// `--json` output is made of the Target's values through that codec, so a
// command prints the same document for this process and for a program it
// is attached to. Only what the shell adds to a snapshot is spelled here;
// the documents are described in docs/json.md.
#pragma once

#include "target.hpp"

#include <corosh/inspect_json.hpp>

#include <nlohmann/json.hpp>

namespace corosh::shell {

// The coroutine's CoroutineInfo fields, plus "yours" (the shell drives it)
// and "origin" (what spawned it, or who drives it).
void to_json(nlohmann::json& j, const CoroutineView& v);

}  // namespace corosh::shell
