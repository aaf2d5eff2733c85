/*
 * context_layout.h — where corosh_switch keeps a suspended context.
 *
 * The single source of truth for the saved-register block. The .S files use
 * these offsets, core/src/context.cpp static_asserts them against
 * corosh::detail::SavedContext, and the LLDB scripts read that struct by its
 * field names through debug information. No offset is written anywhere else.
 *
 * The block is a plain struct inside each coroutine's control record (and one
 * per thread for the thread's own context), not a frame pushed on the stack,
 * so a debugger can find every suspended coroutine's registers at a fixed,
 * typed address.
 */
#ifndef COROSH_CONTEXT_LAYOUT_H
#define COROSH_CONTEXT_LAYOUT_H

#if defined(__x86_64__)

/*  offset  field   what it holds while suspended
 *    0     rbx     \
 *    8     rbp      |  callee-saved general registers (System V)
 *   16     r12      |  rbp is 0-terminated chain of frame records
 *   24     r13      |
 *   32     r14      |
 *   40     r15     /
 *   48     rsp     stack pointer as it will be after the switch "returns"
 *   56     rip     where the context resumes (the switch's return address)
 *   64     mxcsr   SSE control/status word (control bits are callee-saved)
 *   68     fpucw   x87 control word (callee-saved)
 *   70     pad
 *   72     (end)
 */
#define COROSH_CTX_RBX 0
#define COROSH_CTX_RBP 8
#define COROSH_CTX_R12 16
#define COROSH_CTX_R13 24
#define COROSH_CTX_R14 32
#define COROSH_CTX_R15 40
#define COROSH_CTX_RSP 48
#define COROSH_CTX_RIP 56
#define COROSH_CTX_MXCSR 64
#define COROSH_CTX_FPUCW 68
#define COROSH_CTX_SIZE 72

#elif defined(__aarch64__)

/*  offset  field   what it holds while suspended
 *    0     x19     \
 *    8     x20      |
 *   ...     ...     |  callee-saved general registers (AAPCS64)
 *   72     x28     /
 *   80     fp      x29, 0-terminated chain of frame records
 *   88     lr      x30: where the context resumes
 *   96     sp      stack pointer
 *  104     d8      \
 *   ...     ...     |  low 64 bits of v8..v15 (callee-saved)
 *  160     d15     /
 *  168     (end)
 *  x18 is the platform register on Apple and is never touched.
 */
#define COROSH_CTX_X19 0
#define COROSH_CTX_X21 16
#define COROSH_CTX_X23 32
#define COROSH_CTX_X25 48
#define COROSH_CTX_X27 64
#define COROSH_CTX_FP 80
#define COROSH_CTX_LR 88
#define COROSH_CTX_SP 96
#define COROSH_CTX_D8 104
#define COROSH_CTX_D10 120
#define COROSH_CTX_D12 136
#define COROSH_CTX_D14 152
#define COROSH_CTX_SIZE 168

#else
#error "corosh: no context switch for this architecture (x86_64 and arm64 only)"
#endif

#endif /* COROSH_CONTEXT_LAYOUT_H */
