/* reset.S — a guest that asks PSCI for SYSTEM_RESET as soon as it runs:
 * hsptd run must reboot it, see the reset loop, and give up (run.sh). */
	.syntax unified
	.arm
	.arch_extension virt
	.section .head, "ax"
	.global _start
_start:
	b	reset
	.space	0x24 - 4
	.word	0x016f2818		@ zImage magic
	.word	0			@ start
	.word	_image_size		@ end

reset:
	ldr	r0, =0x09000000		@ PL011 data register
	mov	r1, #'R'
	str	r1, [r0]
	mov	r1, #'\n'
	str	r1, [r0]
	ldr	r0, =0x84000009		@ PSCI SYSTEM_RESET
	hvc	#0
1:	b	1b
	.ltorg
