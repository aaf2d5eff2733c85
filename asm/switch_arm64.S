/*
 * switch_arm64.S — the context switch for arm64 (AAPCS64: Apple and Linux),
 * Mach-O and ELF from the same source.
 *
 *   void corosh_switch(SavedContext *from,        // x0
 *                      const SavedContext *to);   // x1
 *
 * Saves the callee-saved state of the running context into *from and
 * continues the context saved in *to. To the caller it looks like an ordinary
 * call that returns later, when someone switches back to *from. Saved:
 * x19-x28, x29 (fp), x30 (lr: where the context resumes), sp and d8-d15
 * (the low halves of v8-v15, the only callee-saved FP state). FPCR is
 * process-wide by convention and FPSR is caller-saved, so neither moves.
 * x18 is Apple's platform register: never read or written here.
 *
 * The saved block (offsets in context_layout.h):
 *
 *      from/to ->  +0    x19  x20
 *                  +16   x21  x22
 *                  +32   x23  x24
 *                  +48   x25  x26
 *                  +64   x27  x28
 *                  +80   fp   lr       frame record: chain + resume address
 *                  +96   sp
 *                  +104  d8   d9
 *                  +120  d10  d11
 *                  +136  d12  d13
 *                  +152  d14  d15
 *
 * It resumes with `br x30`, not `ret`: `ret` would consult the return-address
 * stack, whose top is the caller of this very switch, and mispredict every
 * time (measured on x86_64, where the same choice is worth 2x; see
 * docs/BENCHMARKS.md).
 */
#include "context_layout.h"
#include "asm_macros.h"

COROSH_FUNCTION_BEGIN corosh_switch
    .cfi_startproc
    stp     x19, x20, [x0, #COROSH_CTX_X19]
    stp     x21, x22, [x0, #COROSH_CTX_X21]
    stp     x23, x24, [x0, #COROSH_CTX_X23]
    stp     x25, x26, [x0, #COROSH_CTX_X25]
    stp     x27, x28, [x0, #COROSH_CTX_X27]
    stp     x29, x30, [x0, #COROSH_CTX_FP]
    mov     x9, sp
    str     x9, [x0, #COROSH_CTX_SP]
    stp     d8, d9, [x0, #COROSH_CTX_D8]
    stp     d10, d11, [x0, #COROSH_CTX_D10]
    stp     d12, d13, [x0, #COROSH_CTX_D12]
    stp     d14, d15, [x0, #COROSH_CTX_D14]

    ldp     x19, x20, [x1, #COROSH_CTX_X19]
    ldp     x21, x22, [x1, #COROSH_CTX_X21]
    ldp     x23, x24, [x1, #COROSH_CTX_X23]
    ldp     x25, x26, [x1, #COROSH_CTX_X25]
    ldp     x27, x28, [x1, #COROSH_CTX_X27]
    ldp     x29, x30, [x1, #COROSH_CTX_FP]
    ldr     x9, [x1, #COROSH_CTX_SP]
    ldp     d8, d9, [x1, #COROSH_CTX_D8]
    ldp     d10, d11, [x1, #COROSH_CTX_D10]
    ldp     d12, d13, [x1, #COROSH_CTX_D12]
    ldp     d14, d15, [x1, #COROSH_CTX_D14]
    mov     sp, x9
    br      x30
    .cfi_endproc
COROSH_FUNCTION_END corosh_switch

/*
 * corosh_trampoline — the first instruction a new coroutine runs.
 *
 * A new context is laid out by corosh::detail::prepare_context so that
 * corosh_switch "returns" here with:
 *     x19 = the argument for the entry function
 *     x20 = the entry function, void entry(void *arg), which never returns
 *     x29 = sp = the top of the stack, where a zeroed frame record lies
 *
 * The return address (x30) is marked undefined, so DWARF unwinders stop
 * here, and the zeroed frame record stops frame-pointer walkers (macOS
 * backtrace(), crash reporters) one frame later.
 */
COROSH_FUNCTION_BEGIN corosh_trampoline
    .cfi_startproc
    .cfi_undefined x30
    mov     x0, x19
    blr     x20
    brk     #0x3c                           /* entry never returns */
    .cfi_endproc
COROSH_FUNCTION_END corosh_trampoline

COROSH_NO_EXEC_STACK
