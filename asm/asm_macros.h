/*
 * asm_macros.h — the only place the .S files differ between ELF and Mach-O.
 *
 * Mach-O prefixes C symbols with an underscore and has no .type, .size or
 * .note.GNU-stack. Apple's arm64 assembler also treats ';' as a comment, so
 * everything here is written as assembler .macro blocks, never as one-line C
 * macros with ';' separators.
 */
#ifndef COROSH_ASM_MACROS_H
#define COROSH_ASM_MACROS_H

#if defined(__APPLE__)

.macro COROSH_FUNCTION_BEGIN name
    .text
    .globl _\name
    .p2align 4
_\name:
.endm

.macro COROSH_FUNCTION_END name
.endm

.macro COROSH_NO_EXEC_STACK
.endm

#else /* ELF */

.macro COROSH_FUNCTION_BEGIN name
    .text
    .globl \name
    .type \name, %function
    .p2align 4
\name:
.endm

.macro COROSH_FUNCTION_END name
    .size \name, . - \name
.endm

/* Without this note the linker makes the whole process's stack executable. */
.macro COROSH_NO_EXEC_STACK
    .section .note.GNU-stack, "", %progbits
.endm

#endif

#endif /* COROSH_ASM_MACROS_H */
