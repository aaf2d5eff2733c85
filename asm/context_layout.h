/*
 * context_layout.h — where corosh_switch keeps a suspended context.
 *
 * The single source of truth for the saved-register block. The .S files use
 * the COROSH_CTX_* offsets; COROSH_SAVED_REGISTERS lists every slot once, and
 * from it the C++ side generates corosh::detail::SavedContext (with
 * static_asserts that the offsets hold), the `regs` listing and the `ctx`
 * slots. The debugger scripts read SavedContext by its field names through
 * debug information. No offset or register list is written anywhere else.
 *
 * The block is a plain struct inside each coroutine's control record (and one
 * per thread for the thread's own context), not a frame pushed on the stack,
 * so a debugger can find every suspended coroutine's registers at a fixed,
 * typed address.
 *
 * COROSH_SAVED_REGISTERS(X) calls X(field, offset, bytes, dwarf, show, role)
 * once per slot, in memory order:
 *   field   the SavedContext member, and the name tools show
 *   offset  its COROSH_CTX_* offset
 *   bytes   8, 4 or 2
 *   dwarf   its DWARF register number, -1 if it has none
 *   show    its place in register listings (1 first); 0: not a register
 *   role    what it holds while the context is suspended
 * COROSH_PC_NAME is what listings call the resume address (shown first);
 * COROSH_PC_FIELD, COROSH_SP_FIELD and COROSH_FP_FIELD name the slots that
 * hold the resume address, the stack pointer and the frame pointer.
 */
#ifndef COROSH_CONTEXT_LAYOUT_H
#define COROSH_CONTEXT_LAYOUT_H

#if defined(__x86_64__)

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
#define COROSH_CTX_PAD 70
#define COROSH_CTX_SIZE 72

#define COROSH_SAVED_REGISTERS(X)                                                           \
  X(rbx, COROSH_CTX_RBX, 8, 3, 4, "callee-saved")                                           \
  X(rbp, COROSH_CTX_RBP, 8, 6, 3, "frame pointer: head of the frame-record chain")         \
  X(r12, COROSH_CTX_R12, 8, 12, 5, "callee-saved")                                          \
  X(r13, COROSH_CTX_R13, 8, 13, 6, "callee-saved")                                          \
  X(r14, COROSH_CTX_R14, 8, 14, 7, "callee-saved")                                          \
  X(r15, COROSH_CTX_R15, 8, 15, 8, "callee-saved")                                          \
  X(rsp, COROSH_CTX_RSP, 8, 7, 2, "stack pointer once the switch returns")                 \
  X(rip, COROSH_CTX_RIP, 8, 16, 1, "where it resumes (the switch's return address)")       \
  X(mxcsr, COROSH_CTX_MXCSR, 4, 64, 9, "SSE control/status (control bits are callee-saved)") \
  X(fpucw, COROSH_CTX_FPUCW, 2, 65, 10, "x87 control word")                                 \
  X(pad, COROSH_CTX_PAD, 2, -1, 0, "padding")

#define COROSH_PC_NAME "rip"
#define COROSH_PC_FIELD rip
#define COROSH_SP_FIELD rsp
#define COROSH_FP_FIELD rbp
#define COROSH_ARCH_NAME "x86_64"

#elif defined(__aarch64__)

#define COROSH_CTX_X19 0
#define COROSH_CTX_X20 8
#define COROSH_CTX_X21 16
#define COROSH_CTX_X22 24
#define COROSH_CTX_X23 32
#define COROSH_CTX_X24 40
#define COROSH_CTX_X25 48
#define COROSH_CTX_X26 56
#define COROSH_CTX_X27 64
#define COROSH_CTX_X28 72
#define COROSH_CTX_FP 80
#define COROSH_CTX_LR 88
#define COROSH_CTX_SP 96
#define COROSH_CTX_D8 104
#define COROSH_CTX_D9 112
#define COROSH_CTX_D10 120
#define COROSH_CTX_D11 128
#define COROSH_CTX_D12 136
#define COROSH_CTX_D13 144
#define COROSH_CTX_D14 152
#define COROSH_CTX_D15 160
#define COROSH_CTX_SIZE 168

/* x18 is the platform register on Apple and is never touched. */
#define COROSH_SAVED_REGISTERS(X)                                                   \
  X(x19, COROSH_CTX_X19, 8, 19, 5, "callee-saved")                                  \
  X(x20, COROSH_CTX_X20, 8, 20, 6, "callee-saved")                                  \
  X(x21, COROSH_CTX_X21, 8, 21, 7, "callee-saved")                                  \
  X(x22, COROSH_CTX_X22, 8, 22, 8, "callee-saved")                                  \
  X(x23, COROSH_CTX_X23, 8, 23, 9, "callee-saved")                                  \
  X(x24, COROSH_CTX_X24, 8, 24, 10, "callee-saved")                                 \
  X(x25, COROSH_CTX_X25, 8, 25, 11, "callee-saved")                                 \
  X(x26, COROSH_CTX_X26, 8, 26, 12, "callee-saved")                                 \
  X(x27, COROSH_CTX_X27, 8, 27, 13, "callee-saved")                                 \
  X(x28, COROSH_CTX_X28, 8, 28, 14, "callee-saved")                                 \
  X(fp, COROSH_CTX_FP, 8, 29, 3, "x29, frame pointer: head of the frame-record chain") \
  X(lr, COROSH_CTX_LR, 8, 30, 4, "x30, where it resumes")                           \
  X(sp, COROSH_CTX_SP, 8, 31, 2, "stack pointer")                                   \
  X(d8, COROSH_CTX_D8, 8, 72, 15, "low half of v8 (callee-saved)")                  \
  X(d9, COROSH_CTX_D9, 8, 73, 16, "low half of v9")                                 \
  X(d10, COROSH_CTX_D10, 8, 74, 17, "low half of v10")                              \
  X(d11, COROSH_CTX_D11, 8, 75, 18, "low half of v11")                              \
  X(d12, COROSH_CTX_D12, 8, 76, 19, "low half of v12")                              \
  X(d13, COROSH_CTX_D13, 8, 77, 20, "low half of v13")                              \
  X(d14, COROSH_CTX_D14, 8, 78, 21, "low half of v14")                              \
  X(d15, COROSH_CTX_D15, 8, 79, 22, "low half of v15")

#define COROSH_PC_NAME "pc"
#define COROSH_PC_FIELD lr
#define COROSH_SP_FIELD sp
#define COROSH_FP_FIELD fp
#define COROSH_ARCH_NAME "arm64"

#else
#error "corosh: no context switch for this architecture (x86_64 and arm64 only)"
#endif

#endif /* COROSH_CONTEXT_LAYOUT_H */
