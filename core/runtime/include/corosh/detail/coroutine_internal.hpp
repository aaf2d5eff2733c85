// corosh/detail/coroutine_internal.hpp — what the event loop may do to a
// coroutine that the public API does not offer. Internal: not a stable API.
#pragma once

#include <corosh/detail/control.hpp>

#include <string>

namespace corosh::detail {

// resume() without the public checks for waiting coroutines: the loop uses
// it to wake a coroutine whose wait it fulfilled. Rethrows what escaped.
void resume_control(Control* c);
// Unwinds a suspended coroutine (see Coroutine::cancel).
void cancel_control(Control* c);
// Records that the thread's own code handed coroutine `id` straight to an
// event loop (Loop::spawn): the spawn tree shows the loop as its creator.
// One a coroutine created keeps that parent; another thread's is left alone.
void handed_to_loop(std::uint64_t id) noexcept;
// "coroutine 3 'name'", for error messages.
std::string describe_for_error(const Control* c);
// Throws corosh::Error("corosh: cannot <action> <coroutine>: <why>").
[[noreturn]] void refuse(const Control* c, const char* action, const std::string& why);

}  // namespace corosh::detail
