/* mmu_asm.S — single memory accesses for mmu.c whose instruction must be
 * exactly known (unaligned LDRD/LDM, User-mode accesses). Each is one
 * access followed by BX LR, so a data abort handler can skip it. */
	.syntax unified
	.arm
	.text

.macro FN name
	.global \name
	.type \name, %function
\name:
.endm

/* User mode (run_user): uint32_t u_ld32(va); u_st32(va) stores va at va. */
FN u_ld32
	ldr	r0, [r0]
	bx	lr
FN u_st32
	str	r0, [r0]
	bx	lr

/* uint32_t a_ldrb(va), a_ldrh(va), a_ldrt(va) */
FN a_ldrb
	ldrb	r0, [r0]
	bx	lr
FN a_ldrh
	ldrh	r0, [r0]
	bx	lr
FN a_ldrt
	ldrt	r1, [r0]	/* Rt != Rn: LDRT writes the base back */
	mov	r0, r1
	bx	lr
/* void a_strh(va, v) */
FN a_strh
	strh	r1, [r0]
	bx	lr
/* uint64_t a_ldrd(va) */
FN a_ldrd
	ldrd	r2, r3, [r0]
	mov	r0, r2
	mov	r1, r3
	bx	lr
/* void a_strd(va, lo, hi) */
FN a_strd
	mov	r3, r2
	mov	r2, r1
	strd	r2, r3, [r0]
	bx	lr
/* uint32_t a_ldm(va): LDM of two words, returns the first */
FN a_ldm
	ldm	r0, {r1, r2}
	mov	r0, r1
	bx	lr
/* void a_stm(va, a, b) */
FN a_stm
	stm	r0, {r1, r2}
	bx	lr
/* uint32_t a_ldm_wb(va): LDMIA r0!, {r1, r2}; the base afterwards */
FN a_ldm_wb
	ldmia	r0!, {r1, r2}
	bx	lr
