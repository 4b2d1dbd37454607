/* exclusive_asm.S — exclusive loads and stores for exclusive.c, each in a
 * function of its own so the instructions between them are known. */
	.syntax unified
	.arm
	.text

.macro FN name
	.global \name
	.type \name, %function
\name:
.endm

/* uint32_t x_ldrex(va) etc.: leave the monitor open on va. */
FN x_ldrex
	ldrex	r0, [r0]
	bx	lr
FN x_ldrexb
	ldrexb	r0, [r0]
	bx	lr
FN x_ldrexh
	ldrexh	r0, [r0]
	bx	lr
/* uint64_t x_ldrexd(va) */
FN x_ldrexd
	ldrexd	r2, r3, [r0]
	mov	r0, r2
	mov	r1, r3
	bx	lr

/* uint32_t x_strex(va, v) etc.: the status (0 stored, 1 not). */
FN x_strex
	mov	r2, #0xee
	strex	r2, r1, [r0]
	mov	r0, r2
	bx	lr
FN x_strexb
	mov	r2, #0xee
	strexb	r2, r1, [r0]
	mov	r0, r2
	bx	lr
FN x_strexh
	mov	r2, #0xee
	strexh	r2, r1, [r0]
	mov	r0, r2
	bx	lr
/* uint32_t x_strexd(va, lo, hi) */
FN x_strexd
	mov	r3, r2
	mov	r2, r1
	mov	r1, #0xee
	strexd	r1, r2, r3, [r0]
	mov	r0, r1
	bx	lr

FN x_clrex
	clrex
	bx	lr

/* uint32_t x_retag(a, b, v): LDREX a, LDREX b, STREX v to b: status. */
FN x_retag
	ldrex	r3, [r0]
	ldrex	r3, [r1]
	strex	r3, r2, [r1]
	mov	r0, r3
	bx	lr

/* uint32_t x_svc_between(va, v): LDREX, an SVC (exception entry and
 * return), STREX: status. */
FN x_svc_between
	push	{r4, lr}
	ldrex	r2, [r0]
	svc	#0x31
	strex	r3, r1, [r0]
	mov	r0, r3
	pop	{r4, pc}

/* void x_inc_loop(va, n): n atomic increments, retrying failed STREX. */
FN x_inc_loop
1:	ldrex	r2, [r0]
	add	r2, r2, #1
	strex	r3, r2, [r0]
	cmp	r3, #0
	bne	1b
	subs	r1, r1, #1
	bne	1b
	bx	lr

/* User mode: uint32_t u_xinc(va): one LDREX/STREX increment: status. */
FN u_xinc
	ldrex	r1, [r0]
	add	r1, r1, #1
	strex	r2, r1, [r0]
	mov	r0, r2
	bx	lr

/* uint32_t x_swp(va, v), x_swpb(va, v): SWP{B} r2, r1, [r0]; old value.
 * Encoded by hand: the assembler warns that SWP is deprecated. */
FN x_swp
	mov	r2, #0xee
	.inst	0xe1002091	/* swp r2, r1, [r0] */
	mov	r0, r2
	bx	lr
FN x_swpb
	mov	r2, #0xee
	.inst	0xe1402091	/* swpb r2, r1, [r0] */
	mov	r0, r2
	bx	lr
