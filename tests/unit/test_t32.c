/* test_t32.c — the T32 decoder and the executor in Thumb state.
 *
 * Encodings come from GNU as (-march=armv7ve, .thumb); expected results
 * from the ARM ARM: flag setting inside and outside IT blocks, ITSTATE
 * advance, Align(PC, 4) for literals, ThumbExpandImm carries, the 16-bit
 * and 32-bit forms of the common operations. */
#include <stdlib.h>

#include "tests/unit/arm_fixture.h"

#define R(n) (f.cpu.r[n])
#define T16(h) afx_t32(&f, (h), 0)
#define T32(h1, h2) afx_t32(&f, (h1), (h2))
#define NZCV(v) cr_assert_eq(afx_nzcv(&f), (v), "NZCV %#x, expected %#x", afx_nzcv(&f), (v))

Test(t32, decoder_lengths_and_fields)
{
	struct arm_insn in;

	cr_assert(!t32_is_32bit(0x1888));
	cr_assert(t32_is_32bit(0xe8bd));
	cr_assert(t32_is_32bit(0xf000));
	cr_assert(t32_is_32bit(0xf800));
	cr_assert(!t32_is_32bit(0xe7fe));	/* b . */
	t32_decode(0x1888, 0xffff, &in);	/* adds r0, r1, r2 */
	cr_assert_eq(in.len, 2);
	cr_assert_eq(in.op, ARM_OP_ADD);
	cr_assert_eq(in.raw, 0x1888);
	cr_assert(in.flags & ARM_F_S_OUTSIDE_IT);
	t32_decode(0xeb11, 0x1002, &in);	/* adds.w r0, r1, r2, lsl #4 */
	cr_assert_eq(in.len, 4);
	cr_assert_eq(in.op, ARM_OP_ADD);
	cr_assert_eq(in.raw, 0xeb111002u);
	cr_assert_eq(in.shamt, 4);
	cr_assert(in.flags & ARM_F_S);
	t32_decode(0xf43f, 0xaf7e, &in);	/* beq.w */
	cr_assert_eq(in.op, ARM_OP_B);
	cr_assert_eq(in.cond, 0);
	cr_assert_eq(in.imm, (uint32_t)-0x104);
	t32_decode(0xee30, 0x0a81, &in);	/* vadd.f32 s0, s1, s2 */
	cr_assert_eq(in.op, ARM_OP_VFP);
	t32_decode(0xf810, 0xf001, &in);	/* pld [r0, r1] */
	cr_assert_eq(in.op, ARM_OP_PLD);
}

/* ---- flags and IT blocks ---- */

Test(t32, sixteen_bit_flags_outside_it_only)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(1) = 0xffffffff; R(2) = 1;
	T16(0x1888);				/* adds r0, r1, r2 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);
	cr_assert_eq(R(15), AFX_CODE + 2);

	afx_set_nzcv(&f, 0x4);
	T16(0xbf08);				/* it eq */
	cr_assert_eq(f.cpu.it, 0x08);
	R(1) = 0x7fffffff;
	T16(0x1888);				/* addeq r0, r1, r2: no flags */
	cr_assert_eq(R(0), 0x80000000u);
	NZCV(0x4);
	cr_assert_eq(f.cpu.it, 0, "block over");
	T16(0x1888);				/* outside again: flags */
	NZCV(0x9);
	afx_teardown(&f);
}

Test(t32, it_blocks_with_failing_conditions)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	/* ITE EQ with Z set, then clear. */
	afx_set_nzcv(&f, 0x4);
	R(0) = 0;
	T16(0xbf0c);				/* ite eq */
	cr_assert_eq(f.cpu.it, 0x0c);
	T16(0x3001);				/* addeq r0, #1 */
	cr_assert_eq(f.cpu.it, 0x18, "ITAdvance: NE, last");
	T16(0x3002);				/* addne r0, #2 */
	cr_assert_eq(R(0), 1);
	cr_assert_eq(f.cpu.it, 0);
	afx_set_nzcv(&f, 0x0);
	R(0) = 0;
	T16(0xbf0c);
	T16(0x3001);
	T16(0x3002);
	cr_assert_eq(R(0), 2);

	/* ITTET NE, Z clear: the E slot is skipped; MOVs set no flags. */
	afx_set_nzcv(&f, 0x8);
	R(0) = R(1) = R(2) = R(3) = 0;
	T16(0xbf1b);				/* ittet ne */
	T16(0x2001);				/* movne r0, #1 */
	T16(0x2101);				/* movne r1, #1 */
	T16(0x2201);				/* moveq r2, #1 */
	T16(0x2301);				/* movne r3, #1 */
	cr_assert_eq(R(0), 1);
	cr_assert_eq(R(1), 1);
	cr_assert_eq(R(2), 0);
	cr_assert_eq(R(3), 1);
	NZCV(0x8);
	cr_assert_eq(f.cpu.it, 0);
	cr_assert_eq(R(15), AFX_CODE + 22, "eleven 16-bit instructions, skipped ones too");

	/* SVC completes the slot (the handler returns after it); UNDEF
	 * leaves the IT state for the handler; BKPT ignores the condition. */
	T16(0xbf18);				/* it ne */
	cr_assert_eq(T16(0xdf05), ARM_EXIT_SVC);
	cr_assert_eq(f.cpu.exit_imm, 5);
	cr_assert_eq(f.cpu.it, 0);
	T16(0xbf18);
	cr_assert_eq(T16(0xde01), ARM_EXIT_UNDEF);	/* udf #1 */
	cr_assert_eq(f.cpu.it, 0x18);
	f.cpu.it = 0;
	afx_set_nzcv(&f, 0x4);
	T16(0xbf18);				/* it ne, failing */
	cr_assert_eq(T16(0xbe07), ARM_EXIT_BKPT);
	cr_assert_eq(f.cpu.exit_imm, 7);
	afx_teardown(&f);
}

Test(t32, it_block_through_the_run_loop)
{
	/* r0 = max(r1, r2) with an IT block, then a countdown loop. */
	static const uint16_t prog[] = {
		0x4291,		/* cmp r1, r2 */
		0xbfb4,		/* ite lt */
		0x4610,		/* movlt r0, r2 */
		0x4608,		/* movge r0, r1 */
		0x2305,		/* movs r3, #5 */
		0x3b01,		/* loop: subs r3, #1 */
		0xd1fd,		/* bne loop */
		0xdf00,		/* svc #0 */
	};
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	afx_load_t32(&f, prog, 8);
	R(1) = 3; R(2) = 9;
	cr_assert_eq(afx_run(&f, 100), ARM_EXIT_SVC);
	cr_assert_eq(R(0), 9);
	cr_assert_eq(R(3), 0);
	cr_assert_eq(R(15), AFX_CODE + 14);
	afx_load_t32(&f, prog, 8);
	R(1) = 10; R(2) = -4;
	cr_assert_eq(afx_run(&f, 100), ARM_EXIT_SVC);
	cr_assert_eq(R(0), 10);
	afx_teardown(&f);
}

/* ---- branches ---- */

Test(t32, compare_and_branch_and_table_branch)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(0) = 0;
	T16(0xb118);				/* cbz r0, .+10 */
	cr_assert_eq(R(15), AFX_CODE + 10);
	R(15) = AFX_CODE; R(0) = 1;
	T16(0xb118);
	cr_assert_eq(R(15), AFX_CODE + 2);
	R(15) = AFX_CODE;
	T16(0xb9f0);				/* cbnz r0, .+64 */
	cr_assert_eq(R(15), AFX_CODE + 64);

	/* TBB [pc, r1]: the table follows the instruction. */
	R(15) = AFX_CODE;
	afx_wr32(&f, AFX_CODE + 4, 0x00000503);
	R(1) = 1;
	T32(0xe8df, 0xf001);			/* tbb [pc, r1] */
	cr_assert_eq(R(15), AFX_CODE + 4 + 10);
	R(15) = AFX_CODE;
	afx_wr32(&f, AFX_DATA + 4, 0x00000100);
	R(0) = AFX_DATA; R(1) = 2;
	T32(0xe8d0, 0xf011);			/* tbh [r0, r1, lsl #1] */
	cr_assert_eq(R(15), AFX_CODE + 4 + 0x200);
	afx_teardown(&f);
}

Test(t32, branches_and_interworking)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	T32(0xf000, 0xf87e);			/* bl .+0x100 */
	cr_assert_eq(R(15), AFX_CODE + 0x100);
	cr_assert_eq(R(14), (AFX_CODE + 4) | 1);
	R(15) = AFX_CODE + 2;
	T32(0xf000, 0xe880);			/* blx: Align(PC, 4) + 0x100, to ARM */
	cr_assert(!f.cpu.thumb);
	cr_assert_eq(R(15), AFX_CODE + 4 + 0x100);
	cr_assert_eq(R(14), (AFX_CODE + 6) | 1);
	f.cpu.thumb = true;
	R(15) = AFX_CODE; R(0) = 0x20000;
	T16(0x4700);				/* bx r0 */
	cr_assert(!f.cpu.thumb);
	cr_assert_eq(R(15), 0x20000);
	f.cpu.thumb = true;
	R(15) = AFX_CODE; R(1) = 0x30001;
	T16(0x4788);				/* blx r1 */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x30000);
	cr_assert_eq(R(14), (AFX_CODE + 2) | 1);
	R(15) = AFX_CODE; R(1) = 0x30003;
	T16(0x468f);				/* mov pc, r1: no interworking */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x30002);

	R(15) = AFX_CODE + 0x20;
	T16(0xe008);				/* b .+20 */
	cr_assert_eq(R(15), AFX_CODE + 0x34);
	afx_set_nzcv(&f, 0);
	R(15) = AFX_CODE + 0x20;
	T16(0xd1fc);				/* bne .-4 */
	cr_assert_eq(R(15), AFX_CODE + 0x1c);
	afx_set_nzcv(&f, 0x4);
	R(15) = AFX_CODE + 0x20;
	T16(0xd1fc);
	cr_assert_eq(R(15), AFX_CODE + 0x22);
	R(15) = AFX_CODE + 0x1000;
	T32(0xf43f, 0xaf7e);			/* beq.w .-0x100 */
	cr_assert_eq(R(15), AFX_CODE + 0x1000 - 0x100);
	R(15) = AFX_CODE;
	T32(0xf00f, 0xbffe);			/* b.w .+0x10000 */
	cr_assert_eq(R(15), AFX_CODE + 0x10000);
	afx_teardown(&f);
}

/* ---- PC-relative ---- */

Test(t32, literal_loads_and_adr_align_pc)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	afx_wr32(&f, AFX_CODE + 12, 0xc0ffee);
	R(15) = AFX_CODE + 2;			/* not word aligned */
	T16(0x4802);				/* ldr r0, [pc, #8] */
	cr_assert_eq(R(0), 0xc0ffee);
	R(15) = AFX_CODE + 2;
	T16(0xa001);				/* adr r0, (Align(PC,4) + 4) */
	cr_assert_eq(R(0), AFX_CODE + 8);
	R(15) = AFX_CODE + 2; R(0) = 1;
	T16(0x4478);				/* add r0, pc: not aligned */
	cr_assert_eq(R(0), AFX_CODE + 7);

	afx_wr32(&f, AFX_CODE + 0xfc, 0xbeef);
	R(15) = AFX_CODE + 0x102;
	T32(0xf85f, 0x0008);			/* ldr.w r0, [pc, #-8] */
	cr_assert_eq(R(0), 0xbeef);
	afx_wr32(&f, AFX_CODE + 0x10c, 1);
	afx_wr32(&f, AFX_CODE + 0x110, 2);
	R(15) = AFX_CODE + 0x102;
	T32(0xe9df, 0x0102);			/* ldrd r0, r1, [pc, #8] */
	cr_assert_eq(R(0), 1);
	cr_assert_eq(R(1), 2);
	R(15) = AFX_CODE + 0x102;
	T32(0xf20f, 0x30fc);			/* adr.w r0, .+0x400 */
	cr_assert_eq(R(0), AFX_CODE + 0x104 + 0x3fc);
	afx_teardown(&f);
}

/* ---- stack and multiple ---- */

Test(t32, push_pop_and_multiple)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(4) = 0x44; R(14) = 0x30001;
	T16(0xb510);				/* push {r4, lr} */
	cr_assert_eq(R(13), AFX_STACK - 8);
	cr_assert_eq(afx_rd32(&f, AFX_STACK - 4), 0x30001);
	R(4) = 0;
	T16(0xbd10);				/* pop {r4, pc} */
	cr_assert_eq(R(4), 0x44);
	cr_assert_eq(R(15), 0x30000);
	cr_assert(f.cpu.thumb);
	R(14) = 0x40000;
	T16(0xb510);
	T16(0xbd10);
	cr_assert(!f.cpu.thumb, "POP to an even address goes to ARM");
	cr_assert_eq(R(15), 0x40000);
	f.cpu.thumb = true;

	for (unsigned i = 4; i < 12; i++)
		R(i) = 0x100 + i;
	R(14) = 0x50001;
	T32(0xe92d, 0x4ff0);			/* stmdb sp!, {r4-r11, lr} */
	cr_assert_eq(R(13), AFX_STACK - 36);
	for (unsigned i = 4; i < 12; i++)
		R(i) = 0;
	T32(0xe8bd, 0x8ff0);			/* ldmia.w sp!, {r4-r11, pc} */
	cr_assert_eq(R(13), AFX_STACK);
	cr_assert_eq(R(11), 0x10b);
	cr_assert_eq(R(15), 0x50000);
	R(8) = 0x88;
	T32(0xf84d, 0x8d04);			/* push.w {r8} */
	cr_assert_eq(afx_rd32(&f, AFX_STACK - 4), 0x88);
	R(8) = 0;
	T32(0xf85d, 0x8b04);			/* pop.w {r8} */
	cr_assert_eq(R(8), 0x88);
	cr_assert_eq(R(13), AFX_STACK);

	afx_wr32(&f, AFX_DATA, 0x11);
	afx_wr32(&f, AFX_DATA + 4, 0x22);
	afx_wr32(&f, AFX_DATA + 8, 0x33);
	R(0) = AFX_DATA;
	T16(0xc806);				/* ldmia r0!, {r1, r2} */
	cr_assert_eq(R(0), AFX_DATA + 8);
	cr_assert_eq(R(2), 0x22);
	R(0) = AFX_DATA;
	T16(0xc803);				/* ldmia r0, {r0, r1}: no write-back */
	cr_assert_eq(R(0), 0x11);
	cr_assert_eq(R(1), 0x22);
	R(0) = AFX_DATA + 0x40; R(1) = 1; R(2) = 2;
	T16(0xc006);				/* stmia r0!, {r1, r2} */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x44), 2);
	cr_assert_eq(R(0), AFX_DATA + 0x48);
	R(0) = AFX_DATA + 12;
	T32(0xe930, 0x000e);			/* ldmdb r0!, {r1, r2, r3} */
	cr_assert_eq(R(1), 0x11);
	cr_assert_eq(R(3), 0x33);
	cr_assert_eq(R(0), AFX_DATA);

	T16(0xb002);				/* add sp, #8 */
	cr_assert_eq(R(13), AFX_STACK + 8);
	T16(0xb082);				/* sub sp, #8 */
	cr_assert_eq(R(13), AFX_STACK);
	T16(0xa804);				/* add r0, sp, #16 */
	cr_assert_eq(R(0), AFX_STACK + 16);
	R(0) = 0x99;
	T16(0x9001);				/* str r0, [sp, #4] */
	cr_assert_eq(afx_rd32(&f, AFX_STACK + 4), 0x99);
	afx_teardown(&f);
}

/* ---- 32-bit data processing ---- */

Test(t32, modified_immediates_and_carry)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(1) = 1;
	T32(0xf111, 0x10ff);			/* adds.w r0, r1, #0x00ff00ff */
	cr_assert_eq(R(0), 0x00ff0100u);
	NZCV(0x0);
	R(1) = 0;
	T32(0xf041, 0x20ab);			/* orr.w r0, r1, #0xab00ab00 */
	cr_assert_eq(R(0), 0xab00ab00u);
	R(1) = 0xffffffff;
	T32(0xf001, 0x30cd);			/* and.w r0, r1, #0xcdcdcdcd */
	cr_assert_eq(R(0), 0xcdcdcdcdu);
	afx_set_nzcv(&f, 0x0);
	T32(0xf05f, 0x4000);			/* movs.w r0, #0x80000000: rotated */
	NZCV(0xa);
	T32(0xf44f, 0x707f);			/* mov.w r0, #0x3fc */
	cr_assert_eq(R(0), 0x3fc);
	afx_set_nzcv(&f, 0x2);
	R(1) = 0x100;
	T32(0xf411, 0x7f80);			/* tst.w r1, #0x100: rotated, C = 0 */
	NZCV(0x0);

	T32(0xf241, 0x2034);			/* movw r0, #0x1234 */
	T32(0xf6ca, 0x30cd);			/* movt r0, #0xabcd */
	cr_assert_eq(R(0), 0xabcd1234u);
	R(1) = 1;
	T32(0xf601, 0x70ff);			/* addw r0, r1, #0xfff */
	cr_assert_eq(R(0), 0x1000);
	T32(0xf2ad, 0x0004);			/* subw r0, sp, #4 */
	cr_assert_eq(R(0), AFX_STACK - 4);
	afx_teardown(&f);
}

Test(t32, shifted_register_operands)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(1) = 1; R(2) = 0x10000000;
	T32(0xeb11, 0x1002);			/* adds.w r0, r1, r2, lsl #4 */
	cr_assert_eq(R(0), 1);
	NZCV(0x0);				/* C from the adder, not the shifter */
	R(1) = 0; R(2) = 0x80000000;
	T32(0xebb1, 0x0022);			/* subs.w r0, r1, r2, asr #32 */
	cr_assert_eq(R(0), 1);
	NZCV(0x0);
	R(1) = 1; R(2) = 0x12;
	T32(0xebc1, 0x2032);			/* rsb r0, r1, r2, ror #8 */
	cr_assert_eq(R(0), 0x12000000u - 1);
	afx_set_nzcv(&f, 0x2);
	R(1) = 2;
	T32(0xea4f, 0x0031);			/* mov.w r0, r1, rrx */
	cr_assert_eq(R(0), 0x80000001u);
	NZCV(0x2);
	R(1) = 4; R(2) = 8;
	T32(0xebb1, 0x0f52);			/* cmp.w r1, r2, lsr #1 */
	NZCV(0x6);
	R(1) = 0x80000001; R(2) = 33;
	T32(0xfa11, 0xf002);			/* lsls.w r0, r1, r2 */
	cr_assert_eq(R(0), 0);
	NZCV(0x4);
	R(2) = 36;
	R(1) = 0x12345678;
	T32(0xfa61, 0xf002);			/* ror.w r0, r1, r2 */
	cr_assert_eq(R(0), 0x81234567u);
	afx_teardown(&f);
}

Test(t32, sixteen_bit_data_processing)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(1) = 0x30000001;
	T16(0x00c8);				/* lsls r0, r1, #3 */
	cr_assert_eq(R(0), 0x80000008u);
	NZCV(0xa);
	R(0) = 0x80; R(1) = 0x108;		/* shift by Rm[7:0] = 8 */
	T16(0x40c8);				/* lsrs r0, r1 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);
	R(0) = 6; R(1) = 7;
	T16(0x4348);				/* muls r0, r1, r0 */
	cr_assert_eq(R(0), 42);
	R(1) = 1;
	T16(0x4248);				/* rsbs r0, r1, #0 */
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0x8);
	R(1) = 0x80;
	T16(0xb248);				/* sxtb r0, r1 */
	cr_assert_eq(R(0), 0xffffff80u);
	R(1) = 0x11223344;
	T16(0xba08);				/* rev r0, r1 */
	cr_assert_eq(R(0), 0x44332211u);
	afx_teardown(&f);
}

Test(t32, multiply_divide_media)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	R(1) = 0x0000ab00;
	T32(0xf3c1, 0x2003);			/* ubfx r0, r1, #8, #4 */
	cr_assert_eq(R(0), 0xb);
	R(1) = 100; R(2) = 7;
	T32(0xfb91, 0xf0f2);			/* sdiv r0, r1, r2 */
	cr_assert_eq(R(0), 14);
	R(2) = 0xffffffff; R(3) = 2;
	T32(0xfba2, 0x0103);			/* umull r0, r1, r2, r3 */
	cr_assert_eq(R(0), 0xfffffffeu);
	cr_assert_eq(R(1), 1);
	R(0) = 2; R(1) = 0;
	T32(0xfbc2, 0x0103);			/* smlal: -1 * 2 + 2 */
	cr_assert_eq(R(0), 0);
	cr_assert_eq(R(1), 0);
	R(1) = 3; R(2) = 4; R(3) = 5;
	T32(0xfb01, 0x3002);			/* mla */
	cr_assert_eq(R(0), 17);
	T32(0xfb01, 0x3012);			/* mls */
	cr_assert_eq(R(0), (uint32_t)-7);
	R(1) = 0xffff; R(2) = 0x7fff;
	T32(0xfb11, 0xf002);			/* smulbb */
	cr_assert_eq(R(0), (uint32_t)-0x7fff);
	R(1) = 0x80ff0001; R(2) = 0x80010001;
	T32(0xfa81, 0xf042);			/* uadd8 */
	cr_assert_eq(R(0), 0x00000002u);
	cr_assert_eq(f.cpu.ge, 0xc);
	R(1) = 0x80000000; R(2) = 1;
	T32(0xfa82, 0xf0a1);			/* qsub r0, r1, r2 */
	cr_assert_eq(R(0), 0x80000000u);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 1; R(2) = 0x20000000;
	T32(0xfa82, 0xf091);			/* qdadd r0, r1, r2 */
	cr_assert_eq(R(0), 0x40000001u);
	cr_assert_eq(f.cpu.q, 0);
	R(1) = 0; R(2) = 0x40000000;
	T32(0xfa82, 0xf0b1);			/* qdsub r0, r1, r2 */
	cr_assert_eq(R(0), 0x80000001u);
	cr_assert_eq(f.cpu.q, 1);
	R(1) = 0x11223344;
	T32(0xfa91, 0xf091);			/* rev16.w */
	cr_assert_eq(R(0), 0x22114433u);
	R(1) = 1;
	T32(0xfa91, 0xf0a1);			/* rbit */
	cr_assert_eq(R(0), 0x80000000u);
	R(1) = 0x00ff;
	T32(0xfa91, 0xf0b1);			/* revsh.w */
	cr_assert_eq(R(0), 0xffffff00u);
	R(1) = 1; R(2) = 0x1234ffff;
	T32(0xfa11, 0xf082);			/* uxtah r0, r1, r2 */
	cr_assert_eq(R(0), 0x10000);
	afx_teardown(&f);
}

/* ---- 32-bit loads and stores ---- */

Test(t32, load_store_addressing)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	for (unsigned i = 0; i < 16; i++)
		afx_wr32(&f, AFX_DATA + 4 * i, 0x01010101u * (i + 1));
	R(1) = AFX_DATA;
	T32(0xf851, 0x0f04);			/* ldr.w r0, [r1, #4]! */
	cr_assert_eq(R(0), 0x02020202u);
	cr_assert_eq(R(1), AFX_DATA + 4);
	T32(0xf851, 0x0904);			/* ldr.w r0, [r1], #-4 */
	cr_assert_eq(R(0), 0x02020202u);
	cr_assert_eq(R(1), AFX_DATA);
	afx_wr32(&f, AFX_DATA + 8, 0x8000);
	R(2) = 4;
	T32(0xf931, 0x0012);			/* ldrsh.w r0, [r1, r2, lsl #1] */
	cr_assert_eq(R(0), 0xffff8000u);
	afx_wr32(&f, AFX_DATA + 8, 0x03030303);
	R(0) = 0x5a; R(1) = AFX_DATA + 0x21;
	T32(0xf801, 0x0c01);			/* strb.w r0, [r1, #-1] */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x20) & 0xff, 0x5a);
	R(0) = 0xbeef; R(1) = AFX_DATA;
	T32(0xf8a1, 0x0100);			/* strh.w r0, [r1, #0x100] */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x100) & 0xffff, 0xbeef);
	R(1) = AFX_DATA;
	T32(0xf851, 0x0e08);			/* ldrt r0, [r1, #8]: no write-back */
	cr_assert_eq(R(1), AFX_DATA);
	afx_wr32(&f, AFX_DATA + 0x30, 0xfffffff0);
	R(1) = AFX_DATA + 0x31;
	T32(0xf911, 0x0c01);			/* ldrsb.w r0, [r1, #-1] */
	cr_assert_eq(R(0), 0xfffffff0u);

	R(1) = AFX_DATA + 16;
	T32(0xe971, 0x2302);			/* ldrd r2, r3, [r1, #-8]! */
	cr_assert_eq(R(2), 0x03030303u);
	cr_assert_eq(R(3), 0x04040404u);
	cr_assert_eq(R(1), AFX_DATA + 8);
	R(1) = AFX_DATA + 0x80;
	T32(0xe8e1, 0x2302);			/* strd r2, r3, [r1], #8 */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x84), 0x04040404u);
	cr_assert_eq(R(1), AFX_DATA + 0x88);

	R(1) = AFX_DATA;
	T32(0xe851, 0x0f02);			/* ldrex r0, [r1, #8] */
	cr_assert_eq(R(0), 0x03030303u);
	R(0) = 0x77;
	T32(0xe841, 0x0202);			/* strex r2, r0, [r1, #8] */
	cr_assert_eq(R(2), 0);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 8), 0x77);
	R(0) = AFX_NO_RAM;
	cr_assert_eq(T32(0xf810, 0xf001), ARM_EXIT_NONE, "pld does not fault");
	afx_teardown(&f);
}

/* ---- system ---- */

Test(t32, status_registers_and_exception_return)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	afx_set_nzcv(&f, 0x5);
	T32(0xf3ef, 0x8000);			/* mrs r0, cpsr */
	cr_assert_eq(R(0), 0x500001d3u, "T is masked out of MRS: %#x", R(0));
	R(0) = 0x80000000u | ARM_MODE_SYS;
	T32(0xf380, 0x8900);			/* msr cpsr_fc, r0 */
	NZCV(0x8);
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_SYS);
	cr_assert(f.cpu.thumb, "MSR never changes T");
	arm_set_cpsr(&f.cpu, ARM_MODE_SVC, CPSR_M_MASK);
	f.cpu.cpsr_ctl &= ~CPSR_I;
	T16(0xb672);				/* cpsid i */
	cr_assert(f.cpu.cpsr_ctl & CPSR_I);
	T16(0xb658);				/* setend be */
	cr_assert(f.cpu.cpsr_ctl & CPSR_E);
	cr_assert_eq(T32(0xf3bf, 0x8f5b), ARM_EXIT_NONE);	/* dmb ish */
	T32(0xf3bf, 0x8f2f);			/* clrex */
	cr_assert(!f.cpu.excl_valid);
	cr_assert_eq(T16(0xbf30), ARM_EXIT_WFI);
	cr_assert_eq(T16(0xbf00), ARM_EXIT_NONE);
	cr_assert_eq(T32(0xee1d, 0x0f70), ARM_EXIT_UNDEF, "mrc without a system");

	R(14) = 0x12345;
	f.cpu.spsr = ARM_MODE_USR | CPSR_T | (0x2u << 25);	/* IT bits set */
	T32(0xf3de, 0x8f00);			/* subs pc, lr, #0 */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert_eq(R(15), 0x12344);
	cr_assert_eq(f.cpu.it, 0x2, "the restored IT state is not advanced");
	f.cpu.it = 0;
	cr_assert_eq(T32(0xf3de, 0x8f00), ARM_EXIT_UNDEF, "not from User mode");
	afx_teardown(&f);
}

Test(t32, undefined_encodings)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, true);
	cr_assert_eq(T16(0xde01), ARM_EXIT_UNDEF);	/* udf #1 */
	cr_assert_eq(T32(0xf7f0, 0xa000), ARM_EXIT_UNDEF);	/* udf.w */
	cr_assert_eq(T32(0xef00, 0x0000), ARM_EXIT_UNDEF);	/* Advanced SIMD */
	cr_assert_eq(T32(0xf7e1, 0x8234), ARM_EXIT_HVC);	/* hvc #0x1234: firmware */
	cr_assert_eq(f.cpu.exit_imm, 0x1234);
	cr_assert_eq(T32(0xf7f5, 0x8000), ARM_EXIT_SMC);	/* smc #5: firmware */
	cr_assert_eq(T16(0xba80), ARM_EXIT_UNDEF);	/* hlt (v8) */
	cr_assert_eq(R(15), AFX_CODE);
	afx_teardown(&f);
}

Test(t32, random_encodings_never_crash)
{
	struct afx f;
	unsigned seed = 77;

	afx_setup(&f, ARM_MODE_SVC, true);
	for (unsigned i = 0; i < 200000; i++) {
		uint16_t hw1 = (uint16_t)rand_r(&seed), hw2 = (uint16_t)rand_r(&seed);
		struct arm_insn in;
		enum arm_exit e;

		cr_assert_eq(t32_decode(hw1, hw2, &in), 0);
		cr_assert_lt(in.op, ARM_OP_COUNT);
		cr_assert_eq(in.len, t32_is_32bit(hw1) ? 4 : 2);
		if (in.op == ARM_OP_VFP)
			continue;
		arm_cpu_reset(&f.cpu);
		f.cpu.thumb = true;
		for (unsigned r = 0; r < 15; r++)
			f.cpu.r[r] = AFX_DATA + 0x100 * r;
		f.cpu.r[15] = AFX_CODE;
		f.cpu.spsr = ARM_MODE_SVC | CPSR_T;
		f.cpu.it = (i & 1) ? 0x18 : 0;
		e = afx_exec(&f, &in);
		cr_assert(e == AFX_FAULT || e <= ARM_EXIT_SMC, "%04x %04x: exit %d", hw1, hw2, e);
	}
	afx_teardown(&f);
}
