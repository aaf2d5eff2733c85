// corosh/inspect_json.hpp — the snapshots of corosh/inspect.hpp as JSON.
//
// One encoding for everything that leaves a process: the attach protocol
// (corosh/monitor.hpp), the shell's --json output and its dumps. The schema
// is written down in docs/json.md; this file and inspect_json.cpp are the
// only places that spell it. Built on nlohmann-json: each type gets the
// to_json / from_json pair that library finds by argument-dependent lookup,
// so values convert both ways with its usual syntax:
//
//   nlohmann::json j = corosh::inspect::coroutines();        // a JSON array
//   auto back = j.get<std::vector<corosh::CoroutineInfo>>();   // and back
//   std::string text = corosh::json_text(j);                   // compact, valid UTF-8
//
// Decoding is strict about types and about the fields a type always has (a
// wrong or missing one throws nlohmann::json::exception) and ignores fields
// it does not know, so a newer program can add some.
#pragma once

#include <corosh/inspect.hpp>

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace corosh {

// "created", "suspended", "running", "normal", "dead".
void to_json(nlohmann::json& j, State v);
void from_json(const nlohmann::json& j, State& v);
// "none", "returned", "threw", "cancelled", "faulted".
void to_json(nlohmann::json& j, Ending v);
void from_json(const nlohmann::json& j, Ending& v);
// "thread", "coroutine", "loop".
void to_json(nlohmann::json& j, Creator v);
void from_json(const nlohmann::json& j, Creator& v);

// {"name": "rip", "value": 4198400}
void to_json(nlohmann::json& j, const Register& v);
void from_json(const nlohmann::json& j, Register& v);
// id, name and state always; every other field only when it is not 0, "", false or [].
void to_json(nlohmann::json& j, const CoroutineInfo& v);
void from_json(const nlohmann::json& j, CoroutineInfo& v);
// {"pc": ..., "fp": ..., "return_address": true}
void to_json(nlohmann::json& j, const Frame& v);
void from_json(const nlohmann::json& j, Frame& v);
// function always; file, line, module and inlined (innermost first) when known.
void to_json(nlohmann::json& j, const Symbol& v);
void from_json(const nlohmann::json& j, Symbol& v);
// ["resume" | "yield" | "finish", from, to, time_ns]: an array, since a trace holds up to a million.
void to_json(nlohmann::json& j, const SwitchEvent& v);
void from_json(const nlohmann::json& j, SwitchEvent& v);
// {"host": "127.0.0.1", "port": 7000}
void to_json(nlohmann::json& j, const Endpoint& v);
void from_json(const nlohmann::json& j, Endpoint& v);
// Every field, always: size, live, pooled, guarded, reserved, touched.
void to_json(nlohmann::json& j, const StackClass& v);
void from_json(const nlohmann::json& j, StackClass& v);

// The text of `j` without blanks; bytes that are not valid UTF-8 (a name is
// any bytes) become U+FFFD instead of making the encoder throw.
std::string json_text(const nlohmann::json& j);

}  // namespace corosh

namespace corosh::inspect {

// {"frame": Frame, "symbol": Symbol}
void to_json(nlohmann::json& j, const NamedFrame& v);
void from_json(const nlohmann::json& j, NamedFrame& v);
// {"address": ..., "bytes": "hex digits, two per byte, in memory order"}
void to_json(nlohmann::json& j, const ContextMemory& v);
void from_json(const nlohmann::json& j, ContextMemory& v);
// Every field, always.
void to_json(nlohmann::json& j, const LoopState& v);
void from_json(const nlohmann::json& j, LoopState& v);
// id always; the rest when set (faulted, signal, address / exception_type, message).
void to_json(nlohmann::json& j, const Death& v);
void from_json(const nlohmann::json& j, Death& v);
// state and ending always; yielded, wait_reason and death when present.
void to_json(nlohmann::json& j, const StepResult& v);
void from_json(const nlohmann::json& j, StepResult& v);
// Every field, always.
void to_json(nlohmann::json& j, const ConnectionView& v);
void from_json(const nlohmann::json& j, ConnectionView& v);
void to_json(nlohmann::json& j, const ListenerView& v);
void from_json(const nlohmann::json& j, ListenerView& v);
void to_json(nlohmann::json& j, const RegisterLayout::Slot& v);
void from_json(const nlohmann::json& j, RegisterLayout::Slot& v);
void to_json(nlohmann::json& j, const RegisterLayout& v);
void from_json(const nlohmann::json& j, RegisterLayout& v);
// {"events": [SwitchEvent...], "dropped": n, "started_ns": t, "names": [[id, "name"]...]}
void to_json(nlohmann::json& j, const TraceRecording& v);
void from_json(const nlohmann::json& j, TraceRecording& v);
// coroutine, interest and timeout_in_ns always; name when set.
void to_json(nlohmann::json& j, const FdWaiter& v);
void from_json(const nlohmann::json& j, FdWaiter& v);
// fd and kind always; the rest when set.
void to_json(nlohmann::json& j, const FdView& v);
void from_json(const nlohmann::json& j, FdView& v);
// due_in_ns always; the rest when set.
void to_json(nlohmann::json& j, const TimerView& v);
void from_json(const nlohmann::json& j, TimerView& v);
// Every field, always (stacks: [StackClass]).
void to_json(nlohmann::json& j, const MemoryView& v);
void from_json(const nlohmann::json& j, MemoryView& v);
// kind, message and fd (-1: none) always; coroutine, name and parked_at when set.
void to_json(nlohmann::json& j, const Warning& v);
void from_json(const nlohmann::json& j, Warning& v);
// Every field, always.
void to_json(nlohmann::json& j, const WarningLimits& v);
void from_json(const nlohmann::json& j, WarningLimits& v);

}  // namespace corosh::inspect
