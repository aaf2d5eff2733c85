// corosh/state.hpp — where a coroutine is in its life, how it ended, and who
// created it.
#pragma once

#include <cstdint>
#include <string_view>

namespace corosh {

// Lua's states: created (never resumed), suspended, running, normal (it
// resumed another coroutine, which runs now), dead.
enum class State : std::uint8_t { created, suspended, running, normal, dead };
// How a dead coroutine ended (none while it lives).
enum class Ending : std::uint8_t { none, returned, threw, cancelled, faulted };

// Who created a coroutine (the spawn tree): another coroutine (its parent),
// the thread's own code, or the thread's own code handing it straight to an
// event loop (Loop::spawn), which then owns it.
enum class Creator : std::uint8_t { thread, coroutine, loop };

// "created", "suspended", "running", "normal" or "dead".
std::string_view to_string(State state) noexcept;
// "none", "returned", "threw", "cancelled" or "faulted".
std::string_view to_string(Ending ending) noexcept;
// "thread", "coroutine" or "loop".
std::string_view to_string(Creator creator) noexcept;

}  // namespace corosh
