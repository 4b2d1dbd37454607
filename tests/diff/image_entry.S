/* image_entry.S — the ARM side of the differential test image: process
 * entry, the switch into a test sequence and the two ways back out of it.
 *
 * A sequence owns every register, the flags, FPSCR and d0-d31. To enter
 * it the harness loads them all and jumps through a launch pad in the code
 * area (no register is left to branch with); to leave, the trailer that
 * image.c appends stores r0 next to itself and jumps here. */
#include "tests/diff/record.h"

	.syntax unified
	.arch armv7-a
	.fpu vfpv4
	.arm

	.section .text.start, "ax"
	.global _start
_start:
	ldr	sp, =diff_stack_top
	bl	diff_main
	mov	r0, #0
	mov	r7, #248		@ exit_group
	svc	#0

	.text

/* int diff_run(struct diff_ctx *ctx): run the sequence set up in the code
 * area with ctx's registers; returns 0 when the sequence completed (its
 * state in diff_saved_*), 1 when a signal stopped it (diff_fault_*). */
	.global diff_run
diff_run:
	push	{r4-r11, lr}
	ldr	r1, =diff_harness_sp
	str	sp, [r1]
	add	r1, r0, #72		@ ctx->d
	vldmia	r1!, {d0-d15}
	vldmia	r1, {d16-d31}
	ldr	r1, [r0, #60]		@ ctx->apsr
	msr	APSR_nzcvqg, r1
	ldr	r1, [r0, #64]		@ ctx->fpscr
	vmsr	fpscr, r1
	clrex
	mov	r1, #0
	mcr	p15, 0, r1, c13, c0, 2	@ TPIDRURW: each sequence starts from 0
	add	r0, r0, #4
	ldmia	r0, {r1-r12}
	ldr	sp, [r0, #48]
	ldr	lr, [r0, #52]
	ldr	r0, [r0, #-4]
	ldr	pc, =DIFF_CODE_AREA	@ the launch pad

/* Entered from the trailer in ARM state; r0 is in the trailer's slot. */
	.global diff_seq_done
diff_seq_done:
	ldr	r0, =diff_saved_r
	add	r0, r0, #4
	stmia	r0, {r1-r12}
	str	sp, [r0, #48]
	str	lr, [r0, #52]
	mrs	r1, APSR
	vmrs	r2, fpscr
	ldr	r0, =diff_saved_cpsr
	str	r1, [r0]
	str	r2, [r0, #4]		@ diff_saved_fpscr follows
	ldr	r0, =diff_saved_d
	vstmia	r0!, {d0-d15}
	vstmia	r0, {d16-d31}
	ldr	r0, =diff_harness_sp
	ldr	sp, [r0]
	mov	r0, #0
	pop	{r4-r11, pc}

/* Entered in ARM state with r0 = signal, r1 = faulting PC: from the
 * signal handler's return (qemu-arm) or set up by runner.c (hspt), both
 * of which have saved r0-r14 and the CPSR at the fault in diff_saved_r
 * and diff_saved_cpsr. The VFP state is still the sequence's. */
	.global diff_fault_entry
diff_fault_entry:
	ldr	r2, =diff_fault_sig
	str	r0, [r2]
	str	r1, [r2, #4]		@ diff_fault_pc follows
	vmrs	r1, fpscr
	ldr	r0, =diff_saved_fpscr
	str	r1, [r0]
	ldr	r0, =diff_saved_d
	vstmia	r0!, {d0-d15}
	vstmia	r0, {d16-d31}
	ldr	r0, =diff_harness_sp
	ldr	sp, [r0]
	mov	r0, #1
	pop	{r4-r11, pc}

	.global diff_sigreturn
diff_sigreturn:
	mov	r7, #173		@ rt_sigreturn
	svc	#0

	.ltorg

	.bss
	.align	3
	.global diff_saved_r, diff_saved_cpsr, diff_saved_fpscr, diff_saved_d
	.global diff_fault_sig, diff_fault_pc
diff_saved_d:	.space	256
diff_saved_r:	.space	60
diff_saved_cpsr: .space	4
diff_saved_fpscr: .space 4
diff_fault_sig:	.space	4
diff_fault_pc:	.space	4
diff_harness_sp: .space	4
	.align	3
	.space	16384
diff_stack_top:

	.section .code, "awx", %nobits
	.global diff_code_area
diff_code_area:
	.space	DIFF_CODE_AREA_SIZE

	.section .scratch, "aw", %nobits
	.global diff_scratch
diff_scratch:
	.space	DIFF_SCRATCH_SIZE

	.section .note.GNU-stack, "", %progbits
