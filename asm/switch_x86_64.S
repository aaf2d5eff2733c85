/*
 * switch_x86_64.S — the context switch for x86_64 (System V ABI), ELF and Mach-O.
 *
 *   void corosh_switch(SavedContext *from,        // rdi
 *                      const SavedContext *to);   // rsi
 *
 * Saves the callee-saved state of the running context into *from and
 * continues the context saved in *to. To the caller it looks like an ordinary
 * call that returns later, when someone switches back to *from. Everything a
 * caller may assume survives a call survives the switch: rbx, rbp, r12-r15,
 * rsp, and the control bits of MXCSR and the x87 control word.
 *
 * The saved block (offsets in context_layout.h):
 *
 *      from/to ->  +0   rbx
 *                  +8   rbp        frame-pointer chain
 *                  +16  r12
 *                  +24  r13
 *                  +32  r14
 *                  +40  r15
 *                  +48  rsp        caller's rsp after the switch returns
 *                  +56  rip        the switch's return address
 *                  +64  mxcsr      (32 bits)
 *                  +68  fpucw      (16 bits)
 *
 * Two choices made by measurement (docs/BENCHMARKS.md):
 *  - It resumes with an indirect jmp, never ret: a ret would pop the return
 *    stack buffer's prediction (the caller of *this* switch) and mispredict on
 *    every switch. The return address is popped straight into the rip slot
 *    and the jmp reads it from the other slot: 22 instructions a switch
 *    (25 with it moved through registers, no faster).
 *  - The FP control words are stored always. The x87 control word is loaded
 *    only when it differs from the current one (fldcw is slow, and comparing
 *    fnstcw's store costs nothing measurable). MXCSR is loaded always: the
 *    comparison would have to read stmxcsr's store back, and that read does
 *    not forward from the store; it cost 3.7 ns per round trip more than an
 *    unconditional ldmxcsr (13.7 vs 10.0 ns on the benchmark machine).
 *    So each context keeps its whole MXCSR, sticky exception flags included,
 *    as a thread does; the ABI makes those flags caller-saved, so code
 *    cannot rely on them across a resume or a yield either way.
 */
#include "context_layout.h"
#include "asm_macros.h"

/* One body, two return styles: the benchmark assembles the `ret` variant too
 * (as corosh_switch_ret) so both are measured in the same run. */
.macro COROSH_SWITCH_BODY use_ret
    .cfi_startproc
    /* Read the FP control words first: stmxcsr's result takes long to reach
     * a load, so the comparison below comes last, after the register work. */
    stmxcsr COROSH_CTX_MXCSR(%rdi)
    fnstcw  COROSH_CTX_FPUCW(%rdi)
    popq    COROSH_CTX_RIP(%rdi)            /* where `from` resumes; rsp is */
    .cfi_adjust_cfa_offset -8               /* now its rsp once "returned" */
    movq    %rsp, COROSH_CTX_RSP(%rdi)
    movq    %rbx, COROSH_CTX_RBX(%rdi)
    movq    %rbp, COROSH_CTX_RBP(%rdi)
    movq    %r12, COROSH_CTX_R12(%rdi)
    movq    %r13, COROSH_CTX_R13(%rdi)
    movq    %r14, COROSH_CTX_R14(%rdi)
    movq    %r15, COROSH_CTX_R15(%rdi)

    movq    COROSH_CTX_RBX(%rsi), %rbx
    movq    COROSH_CTX_RBP(%rsi), %rbp
    movq    COROSH_CTX_R12(%rsi), %r12
    movq    COROSH_CTX_R13(%rsi), %r13
    movq    COROSH_CTX_R14(%rsi), %r14
    movq    COROSH_CTX_R15(%rsi), %r15

    /* MXCSR: loaded always (see the header comment); the x87 control word
     * only when it differs from the current one. */
    ldmxcsr COROSH_CTX_MXCSR(%rsi)
    movzwl  COROSH_CTX_FPUCW(%rsi), %eax
    xorw    COROSH_CTX_FPUCW(%rdi), %ax
    jnz     2f
1:
.if \use_ret
    movq    COROSH_CTX_RSP(%rsi), %rsp
    pushq   COROSH_CTX_RIP(%rsi)
    ret
.else
    movq    COROSH_CTX_RSP(%rsi), %rsp
    jmpq    *COROSH_CTX_RIP(%rsi)
.endif
2:
    fldcw   COROSH_CTX_FPUCW(%rsi)
    jmp     1b
    .cfi_endproc
.endm

COROSH_FUNCTION_BEGIN corosh_switch
    COROSH_SWITCH_BODY 0
COROSH_FUNCTION_END corosh_switch

#if defined(COROSH_SWITCH_VARIANTS)
COROSH_FUNCTION_BEGIN corosh_switch_ret
    COROSH_SWITCH_BODY 1
COROSH_FUNCTION_END corosh_switch_ret
#endif

/*
 * corosh_trampoline — the first instruction a new coroutine runs.
 *
 * A new context is laid out by corosh::detail::prepare_context so that
 * corosh_switch "returns" here with:
 *     rbx = the argument for the entry function
 *     r12 = the entry function, void entry(void *arg), which never returns
 *     rbp = rsp = the top of the stack, where a zeroed frame record lies
 *
 * The return address is marked undefined, so DWARF unwinders (libgcc,
 * LLDB, backtrace()) stop here, and the zeroed frame record stops
 * frame-pointer walkers one frame later: every walk ends cleanly at the
 * bottom of a coroutine stack instead of wandering into garbage.
 */
COROSH_FUNCTION_BEGIN corosh_trampoline
    .cfi_startproc
    .cfi_undefined rip
    movq    %rbx, %rdi
    callq   *%r12
    ud2                                     /* entry never returns */
    .cfi_endproc
COROSH_FUNCTION_END corosh_trampoline

COROSH_NO_EXEC_STACK
