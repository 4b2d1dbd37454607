/* vfp_asm.S — VFP instructions for vfp.c that must be alone in a function
 * (so an UNDEFINED one can be skipped) or that move many registers. */
	.syntax unified
	.arm
	.fpu vfpv4
	.text

.macro FN name
	.global \name
	.type \name, %function
\name:
.endm

/* One instruction each: usable with the VFP disabled. */
FN v_vmrs_fpexc
	vmrs	r0, fpexc
	bx	lr
FN v_vmrs_fpscr
	vmrs	r0, fpscr
	bx	lr
FN v_vmrs_fpsid
	vmrs	r0, fpsid
	bx	lr
FN v_vmrs_mvfr0
	vmrs	r0, mvfr0
	bx	lr
FN v_vmrs_mvfr1
	vmrs	r0, mvfr1
	bx	lr
FN v_vmsr_fpexc
	vmsr	fpexc, r0
	bx	lr
FN v_vadd
	vadd.f32 s0, s0, s1
	bx	lr
FN v_vmov_s0
	vmov	s0, r0
	bx	lr
FN v_vldr_only		/* void v_vldr_only(va) */
	vldr	s3, [r0]
	bx	lr
FN v_vldr_s3		/* uint32_t v_vldr_s3(va) */
	vldr	s3, [r0]
	vmov	r0, s3
	bx	lr

/* User mode (run_user): r0 = FPSCR, or 2.0 * s-value of r0. */
FN u_vmrs_fpscr
	vmrs	r0, fpscr
	bx	lr
FN u_vmrs_fpexc
	vmrs	r0, fpexc
	bx	lr

/* void v_load_all(const uint32_t src[64]): d0-d31 from memory. */
FN v_load_all
	vldmia	r0!, {d0-d15}
	vldmia	r0, {d16-d31}
	bx	lr
/* void v_store_all(uint32_t dst[64]) */
FN v_store_all
	vstmia	r0!, {d0-d15}
	vstmia	r0, {d16-d31}
	bx	lr
/* void v_store_singles(uint32_t dst[32]): s0-s31 (the views of d0-d15) */
FN v_store_singles
	vstmia	r0, {s0-s31}
	bx	lr
/* uint32_t *v_stmdb_wb(uint32_t *top): VSTMDB top!, {d4-d7}; new top */
FN v_stmdb_wb
	vstmdb	r0!, {d4-d7}
	bx	lr
/* uint64_t v_vldr_neg(const uint32_t *p): VLDR d5, [p, #-8] */
FN v_vldr_neg
	vldr	d5, [r0, #-8]
	vmov	r0, r1, d5
	bx	lr
/* void v_push_pop(uint32_t out[10]): VPUSH {d8-d9} (d8 = 1:2, d9 = 3:4),
 * out[0..3] = the stack words, out[4] = bytes pushed; VPOP {d10-d11},
 * out[5..8] = d10, d11; out[9] = bytes still pushed afterwards. */
FN v_push_pop
	push	{r4, lr}
	mov	r4, sp
	mov	r1, #1
	mov	r2, #2
	vmov	d8, r1, r2
	mov	r1, #3
	mov	r2, #4
	vmov	d9, r1, r2
	vpush	{d8-d9}
	ldr	r1, [sp]
	str	r1, [r0]
	ldr	r1, [sp, #4]
	str	r1, [r0, #4]
	ldr	r1, [sp, #8]
	str	r1, [r0, #8]
	ldr	r1, [sp, #12]
	str	r1, [r0, #12]
	sub	r1, r4, sp
	str	r1, [r0, #16]
	vpop	{d10-d11}
	vmov	r1, r2, d10
	str	r1, [r0, #20]
	str	r2, [r0, #24]
	vmov	r1, r2, d11
	str	r1, [r0, #28]
	str	r2, [r0, #32]
	sub	r1, r4, sp
	str	r1, [r0, #36]
	pop	{r4, pc}
