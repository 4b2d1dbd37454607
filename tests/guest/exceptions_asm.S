/* exceptions_asm.S — the instructions exceptions.c makes trap, each in a
 * small function with a label on the trapping instruction so the C side
 * can compute the LR it expects.
 *
 * Snippets are uint32_t f(uint32_t flags, uint32_t arg): they load NZCVQ
 * from flags, run the instruction (arg is its address operand where it
 * has one) and return the CPSR that MRS reads after the handler returned.
 * They keep LR on the stack because an SVC taken in SVC mode overwrites
 * LR_svc. */
	.syntax unified

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f
#define PSR_T    0x20
#define NOTHING_PA 0x0b000000

.macro ARM_SNIP name, insn
	.arm
	.global \name, \name\()_insn
	.type \name, %function
\name:
	push	{r4, lr}
	msr	APSR_nzcvq, r0
\name\()_insn:
	\insn
	mrs	r0, cpsr
	pop	{r4, pc}
.endm

.macro THUMB_SNIP name, insn
	.thumb
	.global \name, \name\()_insn
	.type \name, %function
	.thumb_func
\name:
	push	{r4, lr}
	msr	APSR_nzcvq, r0
\name\()_insn:
	\insn
	mrs	r0, cpsr
	pop	{r4, pc}
.endm

	.text
	ARM_SNIP arm_udf, "udf #0x1234"
	ARM_SNIP arm_cp7, "mrc p7, 0, r2, c0, c0, 0"
	ARM_SNIP arm_cp15_bad, "mrc p15, 7, r2, c1, c0, 0"
	ARM_SNIP arm_svc, "svc #0x123"
	ARM_SNIP arm_bkpt, "bkpt #0x1234"
	ARM_SNIP arm_ldr, "ldr r2, [r1]"
	ARM_SNIP arm_str, "str r2, [r1]"

	THUMB_SNIP thumb_udf, "udf #0x42"
	THUMB_SNIP thumb_udf_w, "udf.w #0x1234"
	THUMB_SNIP thumb_svc, "svc #0x42"
	THUMB_SNIP thumb_bkpt, "bkpt #0x12"
	THUMB_SNIP thumb_ldr, "ldr r2, [r1]"
	THUMB_SNIP thumb_ldr_w, "ldr.w r2, [r1, #4]"

/* IT blocks (flags must set Z). An ITE EQ whose first instruction traps:
 * the handler skips it and the NE slot must then not run; returns r3
 * (0 if the IT state survived the exception return). */
.macro THUMB_ITE name, insn
	.thumb
	.global \name, \name\()_insn
	.type \name, %function
	.thumb_func
\name:
	push	{r4, lr}
	mov	r3, #0
	msr	APSR_nzcvq, r0
	ite	eq
\name\()_insn:
	\insn
	movne	r3, #1
	mov	r0, r3
	pop	{r4, pc}
.endm

	THUMB_ITE thumb_it_ldr, "ldreq r2, [r1]"
	THUMB_ITE thumb_it_cp7, "mrceq p7, 0, r2, c0, c0, 0"

/* ITTE EQ with an SVC first: the two following slots must run as EQ, NE
 * after the return. Returns 1 (only the EQ add ran). */
	.thumb
	.global thumb_it_svc, thumb_it_svc_insn
	.type thumb_it_svc, %function
	.thumb_func
thumb_it_svc:
	push	{r4, lr}
	mov	r3, #0
	msr	APSR_nzcvq, r0
	itte	eq
thumb_it_svc_insn:
	svceq	#0x33
	addeq	r3, r3, #1
	addne	r3, r3, #2
	mov	r0, r3
	pop	{r4, pc}

/* MRS inside an IT block in Thumb state: T and IT read as zero. */
	.global thumb_mrs_it
	.type thumb_mrs_it, %function
	.thumb_func
thumb_mrs_it:
	mov	r1, r0
	mov	r0, #0
	msr	APSR_nzcvq, r1
	it	eq
	mrseq	r0, cpsr
	bx	lr

/* SVC with CPSR.E set (SETEND BE): the handler runs with E = SCTLR.EE. */
	.arm
	.global arm_svc_be, arm_svc_be_insn
	.type arm_svc_be, %function
arm_svc_be:
	push	{r4, lr}
	setend	be
arm_svc_be_insn:
	svc	#0x71
	mrs	r0, cpsr
	setend	le
	pop	{r4, pc}

/* SVC in SVC mode that returns to System mode (the handler is told to):
 * returns the CPSR seen there. */
	.global arm_svc_to_sys
	.type arm_svc_to_sys, %function
arm_svc_to_sys:
	push	{r4, lr}
	msr	APSR_nzcvq, r0
	svc	#0x72
	mrs	r0, cpsr
	cps	#MODE_SVC
	pop	{r4, pc}

/* ---- User-mode functions (run_user) ---- */

	.global user_mrc_sctlr, user_mrc_sctlr_insn
	.type user_mrc_sctlr, %function
user_mrc_sctlr:
user_mrc_sctlr_insn:
	mrc	p15, 0, r0, c1, c0, 0
	bx	lr

	.global user_svc, user_svc_insn
	.type user_svc, %function
user_svc:
	mov	r1, r0
	msr	APSR_nzcvq, r1
user_svc_insn:
	svc	#0x77
	mrs	r0, cpsr
	bx	lr

/* op in r0: 0 UDF, 1 SVC, 2 data abort, 3 BKPT; returns the CPSR after. */
	.global user_trip
	.type user_trip, %function
user_trip:
	ldr	r2, =NOTHING_PA
	cmp	r0, #1
	beq	1f
	cmp	r0, #2
	beq	2f
	cmp	r0, #3
	beq	3f
	udf	#0x20
	b	9f
1:	svc	#0x21
	b	9f
2:	ldr	r3, [r2]
	b	9f
3:	bkpt	#0x23
9:	mrs	r0, cpsr
	bx	lr

/* CP15 from User mode: one instruction each. */
.macro UFN name, insn
	.global \name
	.type \name, %function
\name:
	\insn
	bx	lr
.endm
	UFN u_rd_tpidruro, "mrc p15, 0, r0, c13, c0, 3"
	UFN u_wr_tpidruro, "mcr p15, 0, r0, c13, c0, 3"
	UFN u_rd_tpidrurw, "mrc p15, 0, r0, c13, c0, 2"
	UFN u_wr_tpidrurw, "mcr p15, 0, r0, c13, c0, 2"
	UFN u_rd_tpidrprw, "mrc p15, 0, r0, c13, c0, 4"
	UFN u_cp15dmb, "mcr p15, 0, r0, c7, c10, 5"

/* uint32_t arm_ldr_post(uint32_t flags, uint32_t va): LDR r2, [r1], #4
 * and arm_str_pre: STR r2, [r1, #8]!; both return the base afterwards. */
	.global arm_ldr_post, arm_ldr_post_insn, arm_str_pre, arm_str_pre_insn
	.type arm_ldr_post, %function
arm_ldr_post:
	msr	APSR_nzcvq, r0
arm_ldr_post_insn:
	ldr	r2, [r1], #4
	mov	r0, r1
	bx	lr
	.type arm_str_pre, %function
arm_str_pre:
	msr	APSR_nzcvq, r0
arm_str_pre_insn:
	str	r2, [r1, #8]!
	mov	r0, r1
	bx	lr

/* void cps_masks(uint32_t out[3]): CPSR after CPSID aif, after CPSIE if,
 * after CPSID i, #SYS (then back to SVC and the original masks). */
	.global cps_masks
	.type cps_masks, %function
cps_masks:
	mrs	r3, cpsr
	cpsid	aif
	mrs	r1, cpsr
	str	r1, [r0]
	cpsie	if
	mrs	r1, cpsr
	str	r1, [r0, #4]
	cpsid	i, #MODE_SYS
	mrs	r1, cpsr
	str	r1, [r0, #8]
	cps	#MODE_SVC
	msr	cpsr_xc, r3
	bx	lr

/* ---- modes ---- */

/* uint32_t mode_trip(uint32_t mode, uint32_t op): switch to a privileged
 * mode with MSR, take the exception of user_trip's op there, and return
 * the CPSR after it returned (then back to SVC). */
	.global mode_trip
	.type mode_trip, %function
mode_trip:
	push	{r4-r6, lr}
	mrs	r4, cpsr
	bic	r5, r4, #0x1f
	orr	r5, r5, r0
	ldr	r2, =NOTHING_PA
	msr	cpsr_c, r5
	cmp	r1, #1
	beq	1f
	cmp	r1, #2
	beq	2f
	cmp	r1, #3
	beq	3f
	udf	#0x10
	b	9f
1:	svc	#0x11
	b	9f
2:	ldr	r3, [r2]
	b	9f
3:	bkpt	#0x13
9:	mrs	r0, cpsr
	msr	cpsr_c, r4
	pop	{r4-r6, pc}

/* CPSR as read in each mode entered with CPS (and back to SVC). */
.macro CPS_PROBE name, mode
	.global \name
	.type \name, %function
\name:
	cps	#\mode
	mrs	r0, cpsr
	cps	#MODE_SVC
	bx	lr
.endm
	CPS_PROBE cps_probe_fiq, MODE_FIQ
	CPS_PROBE cps_probe_irq, MODE_IRQ
	CPS_PROBE cps_probe_abt, MODE_ABT
	CPS_PROBE cps_probe_und, MODE_UND
	CPS_PROBE cps_probe_sys, MODE_SYS
	CPS_PROBE cps_probe_svc, MODE_SVC

/* uint32_t msr_probe(uint32_t mode): the same through MSR CPSR_c. */
	.global msr_probe
	.type msr_probe, %function
msr_probe:
	mrs	r2, cpsr
	bic	r3, r2, #0x1f
	orr	r3, r3, r0
	msr	cpsr_c, r3
	mrs	r0, cpsr
	msr	cpsr_c, r2
	bx	lr

/* void user_cps_test(uint32_t out[4]): enter User mode with CPS, try to
 * leave it with CPS and MSR (both must be ignored), come back with an SVC.
 * out: CPSR after CPS #USR, after CPS #SVC, after MSR CPSR_c, after SVC. */
	.global user_cps_test
	.type user_cps_test, %function
user_cps_test:
	push	{r4-r11, lr}
	mov	r4, r0
	cps	#MODE_USR
	mrs	r5, cpsr
	cps	#MODE_SVC
	mrs	r6, cpsr
	msr	cpsr_c, #0xd3
	mrs	r7, cpsr
	svc	#(0xff0100 | MODE_SVC)
	mrs	r8, cpsr
	stmia	r4, {r5-r8}
	pop	{r4-r11, pc}

/* void bank_test(const uint32_t *in, uint32_t *out)
 * Writes SP, LR, SPSR of FIQ, IRQ, ABT, UND (and SP, LR of SYS) from in[0..14]
 * (three words per mode in that order), FIQ r8-r12 from in[15..19], and
 * r8-r12, LR, SPSR of SVC from in[20..26]; then reads them all back in a
 * different order into the same slots of out, plus r8 as seen in ABT mode
 * in out[27]. The originals are restored before returning. */
	.global bank_test
	.type bank_test, %function
bank_test:
	push	{r4-r12, lr}
	mrs	r4, cpsr
	ldr	r2, =bank_save
	cps	#MODE_FIQ
	stmia	r2!, {r8-r12}
	str	sp, [r2], #4
	str	lr, [r2], #4
	mrs	r3, spsr
	str	r3, [r2], #4
.irp m, MODE_IRQ, MODE_ABT, MODE_UND
	cps	#\m
	str	sp, [r2], #4
	str	lr, [r2], #4
	mrs	r3, spsr
	str	r3, [r2], #4
.endr
	cps	#MODE_SYS
	str	sp, [r2], #4
	str	lr, [r2], #4
	cps	#MODE_SVC
	mrs	r3, spsr
	str	r3, [r2], #4

	/* write: FIQ with CPS, the others with MSR */
	cps	#MODE_FIQ
	ldr	sp, [r0, #0]
	ldr	lr, [r0, #4]
	ldr	r3, [r0, #8]
	msr	spsr_fsxc, r3
	add	r3, r0, #60
	ldmia	r3, {r8-r12}
	msr	cpsr_c, #(MODE_IRQ | 0xc0)
	ldr	sp, [r0, #12]
	ldr	lr, [r0, #16]
	ldr	r3, [r0, #20]
	msr	spsr_fsxc, r3
	msr	cpsr_c, #(MODE_ABT | 0xc0)
	ldr	sp, [r0, #24]
	ldr	lr, [r0, #28]
	ldr	r3, [r0, #32]
	msr	spsr_fsxc, r3
	msr	cpsr_c, #(MODE_UND | 0xc0)
	ldr	sp, [r0, #36]
	ldr	lr, [r0, #40]
	ldr	r3, [r0, #44]
	msr	spsr_fsxc, r3
	msr	cpsr_c, #(MODE_SYS | 0xc0)
	ldr	sp, [r0, #48]
	ldr	lr, [r0, #52]
	msr	cpsr_c, #(MODE_SVC | 0xc0)
	add	r3, r0, #80
	ldmia	r3, {r8-r12}
	ldr	lr, [r0, #100]
	ldr	r3, [r0, #104]
	msr	spsr_fsxc, r3

	/* read back */
	cps	#MODE_UND
	str	sp, [r1, #36]
	str	lr, [r1, #40]
	mrs	r3, spsr
	str	r3, [r1, #44]
	cps	#MODE_SYS
	str	sp, [r1, #48]
	str	lr, [r1, #52]
	cps	#MODE_FIQ
	str	sp, [r1, #0]
	str	lr, [r1, #4]
	mrs	r3, spsr
	str	r3, [r1, #8]
	add	r3, r1, #60
	stmia	r3, {r8-r12}
	cps	#MODE_ABT
	str	sp, [r1, #24]
	str	lr, [r1, #28]
	mrs	r3, spsr
	str	r3, [r1, #32]
	str	r8, [r1, #108]
	cps	#MODE_IRQ
	str	sp, [r1, #12]
	str	lr, [r1, #16]
	mrs	r3, spsr
	str	r3, [r1, #20]
	cps	#MODE_SVC
	add	r3, r1, #80
	stmia	r3, {r8-r12}
	str	lr, [r1, #100]
	mrs	r3, spsr
	str	r3, [r1, #104]

	/* restore */
	ldr	r2, =bank_save
	cps	#MODE_FIQ
	ldmia	r2!, {r8-r12}
	ldr	sp, [r2], #4
	ldr	lr, [r2], #4
	ldr	r3, [r2], #4
	msr	spsr_fsxc, r3
.irp m, MODE_IRQ, MODE_ABT, MODE_UND
	cps	#\m
	ldr	sp, [r2], #4
	ldr	lr, [r2], #4
	ldr	r3, [r2], #4
	msr	spsr_fsxc, r3
.endr
	cps	#MODE_SYS
	ldr	sp, [r2], #4
	ldr	lr, [r2], #4
	cps	#MODE_SVC
	ldr	r3, [r2], #4
	msr	spsr_fsxc, r3
	msr	cpsr_c, r4
	pop	{r4-r12, pc}

/* void userbank_test(uint32_t buf[8]): LDM ^ loads User SP/LR from
 * buf[0..1], read back through System mode into buf[2..3]; System mode
 * sets them from buf[4..5]; STM ^ stores them to buf[6..7]. */
	.global userbank_test
	.type userbank_test, %function
userbank_test:
	push	{r4-r6, lr}
	cps	#MODE_SYS
	mov	r4, sp
	mov	r5, lr
	cps	#MODE_SVC
	ldmia	r0, {sp, lr}^
	cps	#MODE_SYS
	str	sp, [r0, #8]
	str	lr, [r0, #12]
	ldr	sp, [r0, #16]
	ldr	lr, [r0, #20]
	cps	#MODE_SVC
	add	r1, r0, #24
	stmia	r1, {sp, lr}^
	cps	#MODE_SYS
	mov	sp, r4
	mov	lr, r5
	cps	#MODE_SVC
	pop	{r4-r6, pc}

/* ---- SRS and RFE ---- */

/* uint32_t srs_test(uint32_t sys_sp, uint32_t lr, uint32_t spsr, uint32_t ia):
 * SRSDB (ia == 0) or SRSIA (ia != 0) sp!, #SYS from SVC mode with the given
 * LR_svc and SPSR_svc; returns System mode's SP afterwards. */
	.global srs_test
	.type srs_test, %function
srs_test:
	push	{r4-r6, lr}
	cps	#MODE_SYS
	mov	r4, sp
	mov	sp, r0
	cps	#MODE_SVC
	mrs	r5, spsr
	msr	spsr_fsxc, r2
	mov	lr, r1
	cmp	r3, #0
	bne	1f
	srsdb	sp!, #MODE_SYS
	b	2f
1:	srsia	sp!, #MODE_SYS
2:	msr	spsr_fsxc, r5
	cps	#MODE_SYS
	mov	r0, sp
	mov	sp, r4
	cps	#MODE_SVC
	pop	{r4-r6, pc}

/* void rfe_test(uint32_t cpsr, uint32_t out[2]): RFEIA r4! to the next
 * label with CPSR = cpsr (a privileged ARM-state mode). out[0] = CPSR read
 * there, out[1] = how far the base register moved. */
	.global rfe_test
	.type rfe_test, %function
rfe_test:
	push	{r4-r7, lr}
	mov	r6, r1
	mov	r5, sp
	sub	sp, sp, #8
	adr	r2, 1f
	str	r2, [sp]
	str	r0, [sp, #4]
	mov	r4, sp
	mov	r7, r4
	rfeia	r4!
	udf	#0x99		/* never reached */
1:	mrs	r0, cpsr
	cps	#MODE_SVC
	mov	sp, r5
	str	r0, [r6]
	sub	r1, r4, r7
	str	r1, [r6, #4]
	pop	{r4-r7, pc}

/* uint32_t rfe_thumb_test(uint32_t cpsr): RFEIA to a Thumb routine with
 * CPSR = cpsr (T set); it returns 0x5a through BX back to ARM. */
	.global rfe_thumb_test
	.type rfe_thumb_test, %function
rfe_thumb_test:
	push	{r4-r7, lr}
	mov	r5, sp
	sub	sp, sp, #8
	ldr	r2, =rfe_thumb_target
	bic	r2, r2, #1
	str	r2, [sp]
	str	r0, [sp, #4]
	adr	r7, 2f
	mov	r0, #0
	mov	r4, sp
	rfeia	r4
2:	mov	sp, r5
	pop	{r4-r7, pc}

	.thumb
	.type rfe_thumb_target, %function
	.thumb_func
rfe_thumb_target:
	movs	r0, #0x5a
	bx	r7

/* uint32_t msr_t_test(uint32_t scratch): MSR CPSR_fsxc with T and IT set in
 * the value, from ARM state. Those bits must be ignored: the next word
 * then runs as ARM (a store to scratch + 0xe00) and this returns 1. Run as
 * Thumb it is UDF #0, and the test's continuation msr_t_resume returns 0. */
	.arm
	.global msr_t_test, msr_t_resume
	.type msr_t_test, %function
msr_t_test:
	push	{r4, lr}
	mrs	r1, cpsr
	orr	r2, r1, #PSR_T
	orr	r2, r2, #0x06000000
	orr	r2, r2, #0x0000fc00
	msr	cpsr_fsxc, r2
	.inst	0xe580de00	/* str sp, [r0, #0xe00] */
	mov	r0, #1
	pop	{r4, pc}
msr_t_resume:
	mov	r0, #0
	pop	{r4, pc}

	.ltorg

	.bss
	.balign 4
bank_save:
	.space 4 * 24
