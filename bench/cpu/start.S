/* start.S — entry of the bench guests: a stack, then main_c. */
	.global _start
_start:
	ldr	sp, =0x40800000
	bl	main_c
1:	b	1b
	.section .note.GNU-stack, "", %progbits
