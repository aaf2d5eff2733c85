// unwind.cpp — walking the frame-pointer chain of a parked or faulted
// coroutine.
//
// Every frame that keeps a frame pointer stores a two-word record
// { caller's frame pointer, return address } at the address its frame pointer
// holds: `push rbp; mov rbp, rsp` on x86_64, `stp x29, x30, [sp, #-n]!;
// mov x29, sp` on arm64. Walking those records from the saved frame pointer
// visits every caller down to the zeroed record that create_control() placed below the
// coroutine's body, where the trampoline's frame ends.
//
// Traps:
//  - The chain is data on a stack that user code may have scribbled on. Every
//    record is checked to lie wholly inside [stack.base, stack.top()) and to be
//    aligned before it is read, and frame pointers must strictly increase
//    (stacks grow down, callers are above callees), so a corrupt chain ends
//    the walk instead of faulting or looping.
//  - A created coroutine's saved resume address is corosh_trampoline itself,
//    not a return address: looking up pc - 1 there would name whatever
//    function the linker put just before it.
//  - A faulting pc is the instruction that faulted, not a return address.
//  - Only this thread's registry is searched: another thread's coroutine may
//    be running (its stack changing under us) at any moment.
#include <corosh/coroutine.hpp>
#include <corosh/unwind.hpp>

#include "context.hpp"
#include "registry_internal.hpp"
#include "symbolize.hpp"
#include "thread_state.hpp"

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>

namespace corosh::detail {
namespace {

// Constant time (the registry's id table): walking every stack of a
// thread with 100,000 coroutines looks each one up.
const Control* find_control(std::uint64_t id) noexcept {
  const ThreadRegistry* r = this_thread.registry;
  return r == nullptr ? nullptr : r->by_id.find(id);
}

// Whether a frame record at `fp` lies wholly inside the coroutine's stack.
bool record_in_stack(const Stack& stack, std::uintptr_t fp) noexcept {
  const auto low = reinterpret_cast<std::uintptr_t>(stack.base);
  const auto high = reinterpret_cast<std::uintptr_t>(stack.top());
  return fp % alignof(std::uintptr_t) == 0 && fp >= low && fp < high &&
         high - fp >= 2 * sizeof(std::uintptr_t);
}

std::vector<Frame> walk(const Stack& stack, Frame first, std::size_t max_frames) {
  std::vector<Frame> frames;
  if (max_frames == 0) return frames;
  frames.push_back(first);
  std::uintptr_t fp = first.fp;
  while (frames.size() < max_frames && record_in_stack(stack, fp)) {
    const auto* record = reinterpret_cast<const std::uintptr_t*>(fp);
    const std::uintptr_t caller_fp = record[0];
    const std::uintptr_t return_address = record[1];
    if (return_address == 0) break;  // the zeroed record at the bottom
    frames.push_back({return_address, caller_fp, true});
    if (caller_fp <= fp) break;  // covers caller_fp == 0: no record above
    fp = caller_fp;
  }
  return frames;
}

}  // namespace
}  // namespace corosh::detail

namespace corosh {

std::vector<Frame> parked_frames(std::uint64_t id, std::size_t max_frames) {
  const detail::Control* c = detail::find_control(id);
  if (c == nullptr) return {};
  if (c->state != State::created && c->state != State::suspended && c->state != State::normal) {
    return {};
  }
  const detail::SavedContext& regs = c->context.registers;
  const Frame first{detail::saved_resume_address(regs), detail::saved_frame_pointer(regs),
                    c->state != State::created};
  return detail::walk(c->stack, first, max_frames);
}

std::vector<Frame> fault_frames(std::uint64_t id, std::size_t max_frames) {
  const detail::Control* c = detail::find_control(id);
  if (c == nullptr || c->state != State::dead || c->ending != Ending::faulted) return {};
  // The handle keeps the stack mapped and nothing has run on it since the
  // fault: the landing code ran on its own stack.
  return detail::walk(c->stack, Frame{c->fault_pc, c->fault_fp, false}, max_frames);
}

Symbol symbolize(const Frame& frame) {
  Symbol symbol;
  // A return address points after the call, possibly at the next function
  // (after a call to a noreturn function) or the next source line: name the
  // call instruction instead.
  const std::uintptr_t address = frame.return_address && frame.pc != 0 ? frame.pc - 1 : frame.pc;
  if (address != 0) detail::symbolize_address(address, symbol);
  if (symbol.function.empty()) {
    char text[2 + 2 * sizeof(std::uintptr_t) + 1];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(frame.pc));
    symbol.function = text;
  }
  return symbol;
}

void forget_symbols() noexcept { detail::forget_symbol_cache(); }

std::string demangle(const char* name) {
  int status = 0;
  char* plain = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || plain == nullptr) return name;
  std::string result(plain);
  std::free(plain);
  return result;
}

}  // namespace corosh
