/*
 * uint64_t corosh_test_callee_saved(void (*fn)(void *),   // x0
 *                                   void *arg,           // x1
 *                                   uint64_t seed);      // x2
 *
 * Loads every callee-saved register (x19-x29, d8-d15) with seed + k, calls
 * fn(arg), and returns a bit mask of the registers that no longer hold their
 * value (bit 0 x19 ... bit 10 x29, bit 11 d8 ... bit 18 d15). Written in
 * assembly so the compiler cannot hide a broken switch.
 */
#include "asm_macros.h"

.macro SET reg, k
    add     x10, x2, #\k
    mov     \reg, x10
.endm
.macro SETD reg, k
    add     x10, x2, #\k
    fmov    \reg, x10
.endm
.macro CHECK reg, k, bit
    add     x10, x2, #\k
    cmp     \reg, x10
    cset    x11, ne
    orr     x0, x0, x11, lsl #\bit
.endm
.macro CHECKD reg, k, bit
    fmov    x12, \reg
    CHECK   x12, \k, \bit
.endm

COROSH_FUNCTION_BEGIN corosh_test_callee_saved
    stp     x29, x30, [sp, #-176]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    str     x2, [sp, #160]
    mov     x9, x0
    mov     x0, x1
    SET     x19, 0
    SET     x20, 1
    SET     x21, 2
    SET     x22, 3
    SET     x23, 4
    SET     x24, 5
    SET     x25, 6
    SET     x26, 7
    SET     x27, 8
    SET     x28, 9
    SET     x29, 10
    SETD    d8, 11
    SETD    d9, 12
    SETD    d10, 13
    SETD    d11, 14
    SETD    d12, 15
    SETD    d13, 16
    SETD    d14, 17
    SETD    d15, 18
    blr     x9
    ldr     x2, [sp, #160]
    mov     x0, #0
    CHECK   x19, 0, 0
    CHECK   x20, 1, 1
    CHECK   x21, 2, 2
    CHECK   x22, 3, 3
    CHECK   x23, 4, 4
    CHECK   x24, 5, 5
    CHECK   x25, 6, 6
    CHECK   x26, 7, 7
    CHECK   x27, 8, 8
    CHECK   x28, 9, 9
    CHECK   x29, 10, 10
    CHECKD  d8, 11, 11
    CHECKD  d9, 12, 12
    CHECKD  d10, 13, 13
    CHECKD  d11, 14, 14
    CHECKD  d12, 15, 15
    CHECKD  d13, 16, 16
    CHECKD  d14, 17, 17
    CHECKD  d15, 18, 18
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    ldp     x29, x30, [sp], #176
    ret
COROSH_FUNCTION_END corosh_test_callee_saved

COROSH_NO_EXEC_STACK
