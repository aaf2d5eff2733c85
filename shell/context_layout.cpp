#include "context_layout.hpp"

#include <corosh/detail/control.hpp>

#include <cstddef>

namespace corosh::shell {
namespace {

using detail::SavedContext;
#define SLOT(field, role) ContextSlot{#field, offsetof(SavedContext, field), sizeof(SavedContext::field), role}

#if defined(__x86_64__)
constexpr ContextSlot slots[] = {
    SLOT(rbx, "callee-saved"),
    SLOT(rbp, "frame pointer: head of the frame-record chain"),
    SLOT(r12, "callee-saved"),
    SLOT(r13, "callee-saved"),
    SLOT(r14, "callee-saved"),
    SLOT(r15, "callee-saved"),
    SLOT(rsp, "stack pointer once the switch returns"),
    SLOT(rip, "where it resumes (the switch's return address)"),
    SLOT(mxcsr, "SSE control/status (control bits are callee-saved)"),
    SLOT(fpucw, "x87 control word"),
    SLOT(pad, "padding"),
};
constexpr std::string_view arch = "x86_64";
constexpr std::string_view resume = "rip";
#elif defined(__aarch64__)
constexpr ContextSlot slots[] = {
    SLOT(x19, "callee-saved"), SLOT(x20, "callee-saved"), SLOT(x21, "callee-saved"),
    SLOT(x22, "callee-saved"), SLOT(x23, "callee-saved"), SLOT(x24, "callee-saved"),
    SLOT(x25, "callee-saved"), SLOT(x26, "callee-saved"), SLOT(x27, "callee-saved"),
    SLOT(x28, "callee-saved"),
    SLOT(fp, "x29, frame pointer: head of the frame-record chain"),
    SLOT(lr, "x30, where it resumes"),
    SLOT(sp, "stack pointer"),
    SLOT(d8, "low half of v8 (callee-saved)"), SLOT(d9, "low half of v9"),
    SLOT(d10, "low half of v10"), SLOT(d11, "low half of v11"), SLOT(d12, "low half of v12"),
    SLOT(d13, "low half of v13"), SLOT(d14, "low half of v14"), SLOT(d15, "low half of v15"),
};
constexpr std::string_view arch = "arm64";
constexpr std::string_view resume = "lr";
#else
#error "corosh: no context layout for this architecture"
#endif
#undef SLOT

}  // namespace

std::span<const ContextSlot> context_slots() { return slots; }
std::size_t context_size() { return sizeof(SavedContext); }
std::string_view architecture() { return arch; }
std::string_view resume_register() { return resume; }

}  // namespace corosh::shell
