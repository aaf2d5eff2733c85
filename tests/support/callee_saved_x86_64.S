/*
 * uint64_t corosh_test_callee_saved(void (*fn)(void *),   // rdi
 *                                   void *arg,           // rsi
 *                                   uint64_t seed);      // rdx
 *
 * Loads every callee-saved general register with seed + k, calls fn(arg),
 * and returns a bit mask of the registers that no longer hold their value
 * (bit 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15). Written in assembly so the
 * compiler cannot keep the values somewhere else and hide a broken switch.
 */
#include "asm_macros.h"

.macro CHECK reg, k, bit
    leaq    \k(%rdx), %rcx
    cmpq    %rcx, \reg
    je      1f
    orl     $(1 << \bit), %eax
1:
.endm

COROSH_FUNCTION_BEGIN corosh_test_callee_saved
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    subq    $8, %rsp                /* realign to 16 for the call */
    movq    %rdx, (%rsp)            /* the seed, to compare against later */
    movq    %rdx, %rbx
    leaq    1(%rdx), %rbp
    leaq    2(%rdx), %r12
    leaq    3(%rdx), %r13
    leaq    4(%rdx), %r14
    leaq    5(%rdx), %r15
    movq    %rdi, %rax
    movq    %rsi, %rdi
    callq   *%rax
    movq    (%rsp), %rdx
    xorl    %eax, %eax
    CHECK   %rbx, 0, 0
    CHECK   %rbp, 1, 1
    CHECK   %r12, 2, 2
    CHECK   %r13, 3, 3
    CHECK   %r14, 4, 4
    CHECK   %r15, 5, 5
    addq    $8, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
COROSH_FUNCTION_END corosh_test_callee_saved

COROSH_NO_EXEC_STACK
