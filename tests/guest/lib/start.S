/* start.S — reset, the vector tables, exception entry and return, and the
 * User-mode call used by the tests.
 *
 * Every exception lands in a stub that saves r0-r12 and LR on the
 * exception mode's stack and calls trap_dispatch() (trap.c) with a frame:
 *
 *	[sp+0]  table << 8 | vector	[sp+4]  SPSR
 *	[sp+8]  r0 ... [sp+56] r12	[sp+60] LR (the return address)
 *
 * trap_dispatch records what happened, rewrites the frame's return address
 * and SPSR, and says which exception-return instruction to use, so that
 * every return form (LDM ^, SUBS PC, MOVS PC, RFE) is exercised by the same
 * path. Vector tables use absolute literals (LDR PC) so that a copy works
 * anywhere, for VBAR and for the high vectors. */
	.syntax unified
	.arm

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f
#define PSR_T    0x20
#define MASK_IF  0xc0

#define TRAP_RESUME 4	/* offsetof(struct trap_record, resume) */

#define SVC_USER_EXIT 0xff0000

/* One vector table: eight LDR PC, [PC, #24] and their eight targets. */
.macro VECTORS name, t, reset
	.balign 32
	.global \name
\name:
	.rept 8
	ldr	pc, [pc, #24]
	.endr
	.word	\reset, entry\t\()_1, entry\t\()_2, entry\t\()_3
	.word	entry\t\()_4, entry\t\()_5, entry\t\()_6, entry\t\()_7
.endm

.macro STUB t, v
entry\t\()_\v:
	stmfd	sp!, {r0-r12, lr}
	mov	r0, #((\t << 8) | \v)
	b	trap_common
.endm

.macro STUBS t
	STUB \t, 0
	STUB \t, 1
	STUB \t, 2
	STUB \t, 3
	STUB \t, 4
	STUB \t, 5
	STUB \t, 6
	STUB \t, 7
.endm

	.section .vectors, "ax"
	.global _start
_start:
	VECTORS vectors_main, 0, reset
	VECTORS vectors_alt, 1, entry1_0
	VECTORS vectors_high, 2, entry2_0

/* Table 3: Thumb code, for exception entry with SCTLR.TE = 1. Its stubs
 * save the registers in Thumb state and continue in trap_common (ARM). */
	.balign 32
	.global vectors_thumb
	.thumb
vectors_thumb:
	b.w	entry3_0
	b.w	entry3_1
	b.w	entry3_2
	b.w	entry3_3
	b.w	entry3_4
	b.w	entry3_5
	b.w	entry3_6
	b.w	entry3_7
	.arm

	.text
reset:
	/* Exceptions use our table from now on (VBAR resets to 0). */
	ldr	r0, =vectors_main
	mcr	p15, 0, r0, c12, c0, 0
	msr	cpsr_c, #(MODE_FIQ | MASK_IF)
	ldr	sp, =__stack_fiq
	msr	cpsr_c, #(MODE_IRQ | MASK_IF)
	ldr	sp, =__stack_irq
	msr	cpsr_c, #(MODE_ABT | MASK_IF)
	ldr	sp, =__stack_abt
	msr	cpsr_c, #(MODE_UND | MASK_IF)
	ldr	sp, =__stack_und
	msr	cpsr_c, #(MODE_SYS | MASK_IF)
	ldr	sp, =__stack_usr
	msr	cpsr_c, #(MODE_SVC | MASK_IF)
	ldr	sp, =__stack_svc
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	isb
	bl	test_main
	bl	checks_finish
	b	.

	STUBS 0
	STUBS 1
	STUBS 2

.macro THUMB_STUB v
	.thumb
entry3_\v:
	stmdb	sp!, {r0-r12, lr}
	movw	r0, #((3 << 8) | \v)
	ldr	r1, =trap_common
	bx	r1
	.arm
.endm
	THUMB_STUB 0
	THUMB_STUB 1
	THUMB_STUB 2
	THUMB_STUB 3
	THUMB_STUB 4
	THUMB_STUB 5
	THUMB_STUB 6
	THUMB_STUB 7
	.ltorg

trap_common:
	mrs	r1, spsr
	stmfd	sp!, {r0, r1}
	mov	r0, sp
	mrs	r1, cpsr
	bl	trap_dispatch
	ldr	r1, [sp, #4]
	msr	spsr_fsxc, r1
	cmp	r0, #1
	beq	ret_subs
	cmp	r0, #2
	beq	ret_rfe
	cmp	r0, #3
	beq	ret_movs
	add	sp, sp, #8
	ldmfd	sp!, {r0-r12, pc}^
ret_subs:
	/* With a nonzero immediate, as IRQ and abort handlers use it. */
	add	sp, sp, #8
	ldmfd	sp!, {r0-r12, lr}
	add	lr, lr, #4
	subs	pc, lr, #4
ret_movs:
	add	sp, sp, #8
	ldmfd	sp!, {r0-r12, lr}
	movs	pc, lr
ret_rfe:
	/* RFE wants {PC, CPSR} on top: move them over r12's and LR's slots. */
	ldr	r12, [sp, #56]
	ldr	r0, [sp, #4]
	ldr	r1, [sp, #60]
	str	r1, [sp, #56]
	str	r0, [sp, #60]
	add	sp, sp, #8
	ldmfd	sp!, {r0-r11}
	rfeia	sp!

/* uint32_t run_user(uint32_t (*fn)(uint32_t), uint32_t arg) */
	.global run_user
run_user:
	push	{r4-r11, lr}
	ldr	r2, =user_saved_sp
	str	sp, [r2]
	cps	#MODE_SYS
	ldr	sp, =__stack_usr
	ldr	lr, =user_exit_stub
	cps	#MODE_SVC
	mrs	r2, cpsr
	bic	r2, r2, #(0x1f | PSR_T)
	orr	r2, r2, #MODE_USR
	tst	r0, #1
	orrne	r2, r2, #PSR_T
	msr	spsr_fsxc, r2
	bic	lr, r0, #1
	mov	r0, r1
	movs	pc, lr

/* User code returns here; SVC_USER_EXIT comes back to run_user_resume in
 * SVC mode with the user's r0. */
	.global user_exit_stub
user_exit_stub:
	svc	#SVC_USER_EXIT
	b	.

	.global run_user_resume
run_user_resume:
	ldr	r2, =user_saved_sp
	ldr	sp, [r2]
	pop	{r4-r11, pc}

/* uint32_t exec_probe(uint32_t target, uint32_t arg) */
	.global exec_probe
exec_probe:
	push	{r4, lr}
	ldr	r2, =trap
	adr	r3, 1f
	str	r3, [r2, #TRAP_RESUME]
	mov	r3, r0
	mov	r0, r1
	blx	r3
1:	ldr	r2, =trap
	mov	r3, #0
	str	r3, [r2, #TRAP_RESUME]
	pop	{r4, pc}

	.ltorg

	.bss
	.balign 4
user_saved_sp:
	.space 4
