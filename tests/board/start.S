/* start.S — entry points of the board test: the boot CPU arrives here
 * from the loader, the secondary from PSCI CPU_ON (r0 = context). */
	.syntax unified
	.arm
	.arch_extension virt
	.section .head, "ax"
	.global _start
_start:
	b	boot
	.space	0x24 - 4
	.word	0x016f2818		@ zImage magic
	.word	0			@ start
	.word	_image_size		@ end (relative: start is 0)

boot:
	ldr	sp, =stack_cpu0
	bl	main0
1:	wfi
	b	1b

	.global secondary_entry
secondary_entry:
	ldr	sp, =stack_cpu1
	bl	main1
1:	wfi
	b	1b

	.text
	.global psci
	@ r0 = function, r1-r3 = arguments; returns r0.
psci:
	hvc	#0
	bx	lr
