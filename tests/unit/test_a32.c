/* test_a32.c — the A32 decoder and the executor on hand-picked encodings.
 *
 * Encodings come from GNU as (-march=armv7ve), quoted next to each; the
 * expected results are worked out from the ARM ARM's pseudocode, edge
 * cases first: flags of the add/subtract family, shifts by 0, 32 and more,
 * carry-out rules, saturation and Q, GE bits, every addressing mode. */
#include <stdlib.h>

#include "tests/unit/arm_fixture.h"

#define R(n) (f.cpu.r[n])
#define A32(raw) afx_a32(&f, (raw))
#define NZCV(v) cr_assert_eq(afx_nzcv(&f), (v), "NZCV %#x, expected %#x", afx_nzcv(&f), (v))

/* ---- data processing ---- */

Test(a32, add_sub_flags)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 0x7fffffff; R(2) = 1;
	A32(0xe0910002);			/* adds r0, r1, r2 */
	cr_assert_eq(R(0), 0x80000000u);
	NZCV(0x9);				/* signed overflow */
	R(1) = 0xffffffff;
	A32(0xe0910002);
	cr_assert_eq(R(0), 0);
	NZCV(0x6);				/* carry, zero */

	R(1) = 0; R(2) = 1;
	A32(0xe0510002);			/* subs r0, r1, r2 */
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0x8);				/* borrow: C clear */
	R(1) = 0x80000000;
	A32(0xe0510002);
	cr_assert_eq(R(0), 0x7fffffffu);
	NZCV(0x3);
	R(1) = 5; R(2) = 5;
	A32(0xe0510002);
	NZCV(0x6);				/* equal: no borrow */

	afx_set_nzcv(&f, 0x2);			/* C set */
	R(1) = 0xffffffff; R(2) = 0;
	A32(0xe0b10002);			/* adcs r0, r1, r2 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);
	afx_set_nzcv(&f, 0x2);
	R(1) = 0x7fffffff;
	A32(0xe0b10002);
	cr_assert_eq(R(0), 0x80000000u);
	NZCV(0x9);

	afx_set_nzcv(&f, 0x0);			/* C clear: subtract one more */
	R(1) = 5; R(2) = 3;
	A32(0xe0d10002);			/* sbcs r0, r1, r2 */
	cr_assert_eq(R(0), 1);
	NZCV(0x2);
	afx_set_nzcv(&f, 0x0);
	R(1) = 0; R(2) = 0;
	A32(0xe0d10002);
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0x8);

	afx_set_nzcv(&f, 0x2);
	R(1) = 1; R(2) = 0;
	A32(0xe0f10002);			/* rscs r0, r1, r2: r2 - r1 - !C */
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0x8);
	afx_set_nzcv(&f, 0x0);
	R(1) = 0; R(2) = 0;
	A32(0xe0f10002);
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0x8);
	afx_set_nzcv(&f, 0x2);
	A32(0xe0f10002);
	cr_assert_eq(R(0), 0);
	NZCV(0x6);

	R(0) = 0x55; R(1) = 1; R(2) = 2;
	A32(0xe1510002);			/* cmp r1, r2 */
	cr_assert_eq(R(0), 0x55, "compares write no register");
	NZCV(0x8);
	R(1) = R(2) = 0x80000000;
	A32(0xe1710002);			/* cmn r1, r2 */
	NZCV(0x7);
	afx_teardown(&f);
}

Test(a32, shifts_and_carry_out)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	afx_set_nzcv(&f, 0x2);
	R(1) = 0;
	A32(0xe1b00001);			/* movs r0, r1: LSL #0 keeps C */
	NZCV(0x6);

	R(1) = 0x80000001;
	afx_set_nzcv(&f, 0);
	A32(0xe1b00021);			/* lsrs r0, r1, #32 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);				/* C = bit 31 */
	R(1) = 0x80000000;
	A32(0xe1b00041);			/* asrs r0, r1, #32 */
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0xa);

	afx_set_nzcv(&f, 0x2);
	R(1) = 3;
	A32(0xe1b00061);			/* rrxs r0, r1 */
	cr_assert_eq(R(0), 0x80000001u);
	NZCV(0xa);
	afx_set_nzcv(&f, 0);
	R(1) = 2;
	A32(0xe1b00061);
	cr_assert_eq(R(0), 1);
	NZCV(0x0);

	/* Register shifts use Rs[7:0]: 32, 33, 200, and 0 (0x100). */
	R(1) = 0x80000001; R(2) = 32;
	A32(0xe1b00211);			/* lsls r0, r1, r2 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);				/* C = bit 0 */
	R(2) = 33;
	A32(0xe1b00211);
	NZCV(0x4);
	R(2) = 0x120;				/* 0x20: by 32 */
	A32(0xe1b00211);
	NZCV(0x6);
	afx_set_nzcv(&f, 0x2);
	R(2) = 0x100;				/* by 0: value and C unchanged */
	A32(0xe1b00211);
	cr_assert_eq(R(0), 0x80000001u);
	NZCV(0xa);
	afx_set_nzcv(&f, 0x0);
	A32(0xe1b00211);
	NZCV(0x8);

	R(1) = 0x80000000; R(2) = 32;
	A32(0xe1b00231);			/* lsrs r0, r1, r2 */
	cr_assert_eq(R(0), 0);
	NZCV(0x6);
	R(2) = 33;
	A32(0xe1b00231);
	NZCV(0x4);
	R(2) = 200;
	A32(0xe1b00251);			/* asrs r0, r1, r2 */
	cr_assert_eq(R(0), 0xffffffffu);
	NZCV(0xa);

	R(1) = 0x80000001; R(2) = 32;
	afx_set_nzcv(&f, 0);
	A32(0xe1b00271);			/* rors r0, r1, r2: by 32 */
	cr_assert_eq(R(0), 0x80000001u);
	NZCV(0xa);				/* C = bit 31 */
	R(1) = 0x1f; R(2) = 4;
	afx_set_nzcv(&f, 0);
	A32(0xe1b00271);
	cr_assert_eq(R(0), 0xf0000001u);
	NZCV(0xa);

	afx_set_nzcv(&f, 0);
	A32(0xe3b00102);			/* movs r0, #0x80000000: rotated */
	cr_assert_eq(R(0), 0x80000000u);
	NZCV(0xa);				/* C = imm[31] */
	afx_set_nzcv(&f, 0x3);
	R(1) = 0x100;
	A32(0xe21100ff);			/* ands r0, r1, #0xff: not rotated */
	cr_assert_eq(R(0), 0);
	NZCV(0x7);				/* C and V untouched */
	afx_set_nzcv(&f, 0x0);
	A32(0xe21100ff);
	NZCV(0x4);
	afx_teardown(&f);
}

Test(a32, condition_and_pc_operands)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(0) = 7; R(1) = 1; R(2) = 2;
	afx_set_nzcv(&f, 0x4);			/* Z */
	cr_assert_eq(A32(0x10810002), ARM_EXIT_NONE);	/* addne r0, r1, r2 */
	cr_assert_eq(R(0), 7);
	cr_assert_eq(R(15), AFX_CODE + 4, "a failed condition still moves on");
	afx_set_nzcv(&f, 0x0);
	A32(0x10810002);
	cr_assert_eq(R(0), 3);
	cr_assert_eq(A32(0x17f000f0), ARM_EXIT_UNDEF, "udfne with Z clear");
	afx_set_nzcv(&f, 0x4);
	cr_assert_eq(A32(0x17f000f0), ARM_EXIT_NONE, "condition fails: a NOP");

	R(15) = AFX_CODE;
	A32(0xe29f0004);			/* adds r0, pc, #4 */
	cr_assert_eq(R(0), AFX_CODE + 12, "PC reads as its address + 8");
	R(15) = AFX_CODE;
	A32(0xe28ff004);			/* add pc, pc, #4 */
	cr_assert_eq(R(15), AFX_CODE + 12);
	R(0) = 0x20001;
	A32(0xe1a0f000);			/* mov pc, r0: interworks in ARM */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x20000);
	afx_teardown(&f);
}

Test(a32, exception_return_subs_pc_lr)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(14) = 0x2008;
	f.cpu.spsr = ARM_MODE_USR | CPSR_T | 0x80000000u;
	cr_assert_eq(A32(0xe25ef004), ARM_EXIT_NONE);	/* subs pc, lr, #4 */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x2004);
	cr_assert_eq(f.cpu.n, 1, "flags come from the SPSR");
	/* In User mode there is no SPSR to return with. */
	f.cpu.thumb = false;
	cr_assert_eq(A32(0xe1b0f00e), ARM_EXIT_UNDEF);	/* movs pc, lr */
	afx_teardown(&f);
}

/* ---- multiplies and divides ---- */

Test(a32, multiplies)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 0x10001; R(2) = 0x10001;
	A32(0xe0000291);			/* mul r0, r1, r2 */
	cr_assert_eq(R(0), 0x00020001u);
	afx_set_nzcv(&f, 0x3);
	R(1) = 0x80000000; R(2) = 1;
	A32(0xe0100291);			/* muls */
	NZCV(0xb);				/* N; C and V unchanged */
	R(1) = 3; R(2) = 4; R(3) = 5;
	A32(0xe0203291);			/* mla r0, r1, r2, r3 */
	cr_assert_eq(R(0), 17);
	A32(0xe0603291);			/* mls */
	cr_assert_eq(R(0), 0xfffffff9u);

	R(2) = R(3) = 0xffffffff;
	A32(0xe0810392);			/* umull r0, r1, r2, r3 */
	cr_assert_eq(R(0), 1);
	cr_assert_eq(R(1), 0xfffffffeu);
	R(0) = 0xffffffff; R(1) = 1; R(3) = 2;
	A32(0xe0a10392);			/* umlal */
	cr_assert_eq(R(0), 0xfffffffdu);
	cr_assert_eq(R(1), 3);
	R(2) = 0xfffffffe; R(3) = 3;
	A32(0xe0c10392);			/* smull */
	cr_assert_eq(R(0), 0xfffffffau);
	cr_assert_eq(R(1), 0xffffffffu);
	R(0) = 5; R(1) = 0;
	A32(0xe0f10392);			/* smlals */
	cr_assert_eq(R(0), 0xffffffffu);
	cr_assert_eq(R(1), 0xffffffffu);
	cr_assert_eq(f.cpu.n, 1);
	cr_assert_eq(f.cpu.z, 0);
	R(0) = 6; R(1) = 0;
	A32(0xe0f10392);
	cr_assert_eq(f.cpu.z, 1, "Z looks at all 64 bits");
	R(0) = R(1) = R(2) = R(3) = 0xffffffff;
	A32(0xe0410392);			/* umaal: cannot overflow */
	cr_assert_eq(R(0), 0xffffffffu);
	cr_assert_eq(R(1), 0xffffffffu);
	afx_teardown(&f);
}

Test(a32, dsp_multiplies_and_q)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 0x8000; R(2) = 0x8000; R(3) = 0x40000000;
	A32(0xe1003281);			/* smlabb r0, r1, r2, r3 */
	cr_assert_eq(R(0), 0x80000000u);
	cr_assert_eq(f.cpu.q, 1, "accumulate overflowed");
	f.cpu.q = 0;
	R(1) = 0xfffe0000; R(2) = 3; R(3) = 10;
	A32(0xe10032a1);			/* smlatb */
	cr_assert_eq(R(0), 4);
	cr_assert_eq(f.cpu.q, 0);
	R(1) = 0x7fff; R(2) = 0x7fff0000;
	A32(0xe16002c1);			/* smulbt r0, r1, r2 */
	cr_assert_eq(R(0), 0x3fff0001u);
	R(1) = 0x12345678; R(2) = 0x8000; R(3) = 0x100;
	A32(0xe1203281);			/* smlawb: (r1 * -32768) >> 16 + r3 */
	cr_assert_eq(R(0), 0xf6e5d5c4u);
	R(1) = 0x10000; R(2) = 0x20000;
	A32(0xe12002e1);			/* smulwt */
	cr_assert_eq(R(0), 2);
	R(0) = 0xffffffff; R(1) = 0; R(2) = 0xffff; R(3) = 2;
	A32(0xe1410382);			/* smlalbb r0, r1, r2, r3 */
	cr_assert_eq(R(0), 0xfffffffdu);
	cr_assert_eq(R(1), 0);

	R(1) = R(2) = 0x80008000;
	A32(0xe700f211);			/* smuad: 2^30 + 2^30 overflows */
	cr_assert_eq(R(0), 0x80000000u);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 0x00020003; R(2) = 0x00050007; R(3) = 1;
	A32(0xe7003231);			/* smladx: 3*5 + 2*7 + 1 */
	cr_assert_eq(R(0), 30);
	A32(0xe700f251);			/* smusd: 3*7 - 2*5 */
	cr_assert_eq(R(0), 11);
	cr_assert_eq(f.cpu.q, 0);
	R(0) = R(1) = 0; R(2) = R(3) = 0x80008000;
	A32(0xe7410312);			/* smlald: 64 bits, no overflow */
	cr_assert_eq(R(0), 0x80000000u);
	cr_assert_eq(R(1), 0);
	R(0) = R(1) = 0xffffffff; R(2) = 0x00020003; R(3) = 0x00050007;
	A32(0xe7410372);			/* smlsldx: -1 + (3*5 - 2*7) */
	cr_assert_eq(R(0), 0);
	cr_assert_eq(R(1), 0);

	R(1) = R(2) = 0x40000000;
	A32(0xe750f211);			/* smmul */
	cr_assert_eq(R(0), 0x10000000u);
	R(3) = 1;
	A32(0xe7503211);			/* smmla */
	cr_assert_eq(R(0), 0x10000001u);
	R(3) = 0x10000001;
	A32(0xe75032d1);			/* smmls */
	cr_assert_eq(R(0), 1);
	R(1) = 0x80000000; R(2) = 1;
	A32(0xe750f211);
	cr_assert_eq(R(0), 0xffffffffu);
	A32(0xe750f231);			/* smmulr rounds */
	cr_assert_eq(R(0), 0);
	afx_teardown(&f);
}

Test(a32, divide_and_sad)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 7; R(2) = (uint32_t)-2;
	A32(0xe710f211);			/* sdiv r0, r1, r2 */
	cr_assert_eq(R(0), (uint32_t)-3, "rounds towards zero");
	R(2) = 0;
	cr_assert_eq(A32(0xe710f211), ARM_EXIT_NONE, "no trap (SCTLR.DZ)");
	cr_assert_eq(R(0), 0);
	R(1) = 0x80000000; R(2) = 0xffffffff;
	A32(0xe710f211);
	cr_assert_eq(R(0), 0x80000000u);
	R(1) = 0xffffffff; R(2) = 2;
	A32(0xe730f211);			/* udiv */
	cr_assert_eq(R(0), 0x7fffffffu);
	R(2) = 0;
	A32(0xe730f211);
	cr_assert_eq(R(0), 0);

	R(1) = 0x01020304; R(2) = 0x04030201; R(3) = 100;
	A32(0xe780f211);			/* usad8 */
	cr_assert_eq(R(0), 8);
	A32(0xe7803211);			/* usada8 */
	cr_assert_eq(R(0), 108);
	afx_teardown(&f);
}

/* ---- saturation, parallel arithmetic ---- */

Test(a32, saturating_arithmetic)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 1; R(2) = 2;
	A32(0xe1020051);			/* qadd r0, r1, r2 */
	cr_assert_eq(R(0), 3);
	cr_assert_eq(f.cpu.q, 0);
	R(1) = 0x7fffffff; R(2) = 1;
	A32(0xe1020051);
	cr_assert_eq(R(0), 0x7fffffffu);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 0x80000000; R(2) = 1;
	A32(0xe1220051);			/* qsub r0, r1, r2: r1 - r2 */
	cr_assert_eq(R(0), 0x80000000u);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 1; R(2) = 0x40000000;
	A32(0xe1420051);			/* qdadd: doubling saturates */
	cr_assert_eq(R(0), 0x7fffffffu);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 0; R(2) = 0xc0000000;
	A32(0xe1620051);			/* qdsub: 0 - (-2^31) */
	cr_assert_eq(R(0), 0x7fffffffu);
	cr_assert_eq(f.cpu.q, 1);

	f.cpu.q = 0;
	R(1) = 0xffffffff;
	A32(0xe6a70211);			/* ssat r0, #8, r1, lsl #4 */
	cr_assert_eq(R(0), 0xfffffff0u);
	cr_assert_eq(f.cpu.q, 0);
	R(1) = 0x10;
	A32(0xe6a70211);
	cr_assert_eq(R(0), 127);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 0x200;
	A32(0xe6e800d1);			/* usat r0, #8, r1, asr #1 */
	cr_assert_eq(R(0), 255);
	cr_assert_eq(f.cpu.q, 1);
	R(1) = 0xfffffffe;
	A32(0xe6e800d1);
	cr_assert_eq(R(0), 0);
	f.cpu.q = 0;
	R(1) = 0x00100007;
	A32(0xe6a30f31);			/* ssat16 r0, #4, r1 */
	cr_assert_eq(R(0), 0x00070007u);
	cr_assert_eq(f.cpu.q, 1);
	f.cpu.q = 0;
	R(1) = 0xffff000f;
	A32(0xe6e40f31);			/* usat16 r0, #4, r1 */
	cr_assert_eq(R(0), 0x0000000fu);
	cr_assert_eq(f.cpu.q, 1);
	afx_teardown(&f);
}

Test(a32, parallel_add_subtract_and_sel)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 0x80000001; R(2) = 0xffff0001;
	A32(0xe6110f12);			/* sadd16 r0, r1, r2 */
	cr_assert_eq(R(0), 0x7fff0002u);
	cr_assert_eq(f.cpu.ge, 0x3);
	R(1) = 0x01020380; R(2) = 0x02020201;
	A32(0xe6110ff2);			/* ssub8 */
	cr_assert_eq(R(0), 0xff00017fu);
	cr_assert_eq(f.cpu.ge, 0x6);
	R(1) = 0xff01ff80; R(2) = 0x01010180;
	A32(0xe6510f92);			/* uadd8: GE = carry out */
	cr_assert_eq(R(0), 0x00020000u);
	cr_assert_eq(f.cpu.ge, 0xb);
	f.cpu.ge = 5;
	R(1) = 0x10ff0500; R(2) = 0x20010601;
	A32(0xe6610ff2);			/* uqsub8 */
	cr_assert_eq(R(0), 0x00fe0000u);
	cr_assert_eq(f.cpu.ge, 5, "saturating forms leave GE alone");
	R(1) = 0x7fff8000; R(2) = 0x00018000;
	A32(0xe6210f12);			/* qadd16 */
	cr_assert_eq(R(0), 0x7fff8000u);
	cr_assert_eq(f.cpu.q, 0, "parallel saturation does not set Q");
	R(1) = 0x00010000; R(2) = 0x00030001;
	A32(0xe6310f72);			/* shsub16: halves round down */
	cr_assert_eq(R(0), 0xffffffffu);
	R(1) = 0xff0103ff; R(2) = 0xff0101ff;
	A32(0xe6710f92);			/* uhadd8 */
	cr_assert_eq(R(0), 0xff0102ffu);
	R(1) = 0x00050003; R(2) = 0x00040002;
	A32(0xe6110f32);			/* sasx */
	cr_assert_eq(R(0), 0x0007ffffu);
	cr_assert_eq(f.cpu.ge, 0xc);
	R(1) = 0x0005ffff; R(2) = 0x00010006;
	A32(0xe6510f52);			/* usax */
	cr_assert_eq(R(0), 0xffff0000u);
	cr_assert_eq(f.cpu.ge, 0x3);

	f.cpu.ge = 0x5;
	R(1) = 0x11223344; R(2) = 0xaabbccdd;
	A32(0xe6810fb2);			/* sel */
	cr_assert_eq(R(0), 0xaa22cc44u);
	afx_teardown(&f);
}

/* ---- bit manipulation ---- */

Test(a32, reverse_count_extend_pack_bitfield)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(1) = 0x12345678;
	A32(0xe6bf0f31);			/* rev */
	cr_assert_eq(R(0), 0x78563412u);
	A32(0xe6bf0fb1);			/* rev16 */
	cr_assert_eq(R(0), 0x34127856u);
	A32(0xe6ff0f31);			/* rbit */
	cr_assert_eq(R(0), 0x1e6a2c48u);
	R(1) = 0x12345680;
	A32(0xe6ff0fb1);			/* revsh */
	cr_assert_eq(R(0), 0xffff8056u);
	R(1) = 0;
	A32(0xe16f0f11);			/* clz */
	cr_assert_eq(R(0), 32);
	R(1) = 0x00010000;
	A32(0xe16f0f11);
	cr_assert_eq(R(0), 15);

	R(1) = 0x1000; R(2) = 0xff00;
	A32(0xe6e10472);			/* uxtab r0, r1, r2, ror #8 */
	cr_assert_eq(R(0), 0x10ffu);
	R(1) = 0x00018000;
	A32(0xe6bf0071);			/* sxth r0, r1 */
	cr_assert_eq(R(0), 0xffff8000u);
	R(1) = 0x00100020; R(2) = 0x00800080;
	A32(0xe6810072);			/* sxtab16 */
	cr_assert_eq(R(0), 0xff90ffa0u);
	R(1) = 0x11223344;
	A32(0xe6cf0c71);			/* uxtb16 r0, r1, ror #24 */
	cr_assert_eq(R(0), 0x00330011u);
	R(1) = 5; R(2) = 0xfffe1234;
	A32(0xe6b10872);			/* sxtah r0, r1, r2, ror #16 */
	cr_assert_eq(R(0), 3);

	R(1) = 0x11112222; R(2) = 0x00334455;
	A32(0xe6810412);			/* pkhbt r0, r1, r2, lsl #8 */
	cr_assert_eq(R(0), 0x33442222u);
	R(2) = 0x80000000;
	A32(0xe6810052);			/* pkhtb r0, r1, r2, asr #32 */
	cr_assert_eq(R(0), 0x1111ffffu);
	R(2) = 0x00012340;
	A32(0xe6810252);			/* pkhtb ..., asr #4 */
	cr_assert_eq(R(0), 0x11111234u);

	R(0) = 0xffffffff; R(1) = 0xa5;
	A32(0xe7cb0211);			/* bfi r0, r1, #4, #8 */
	cr_assert_eq(R(0), 0xfffffa5fu);
	R(0) = 0xffffffff;
	A32(0xe7df0e1f);			/* bfc r0, #28, #4 */
	cr_assert_eq(R(0), 0x0fffffffu);
	R(1) = 0xa0000000;
	A32(0xe7e30e51);			/* ubfx r0, r1, #28, #4 */
	cr_assert_eq(R(0), 0xa);
	R(1) = 0xf80;
	A32(0xe7a70251);			/* sbfx r0, r1, #4, #8 */
	cr_assert_eq(R(0), 0xfffffff8u);
	R(1) = 0x87654321;
	A32(0xe7bf0051);			/* sbfx r0, r1, #0, #32 */
	cr_assert_eq(R(0), 0x87654321u);
	afx_teardown(&f);
}

/* ---- loads and stores ---- */

static void fill_data(struct afx *f)
{
	for (unsigned i = 0; i < 64; i++)
		afx_wr32(f, AFX_DATA + 4 * i, 0x11111111u * (i % 15 + 1));
}

Test(a32, single_load_store_addressing)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	fill_data(&f);
	R(1) = AFX_DATA;
	A32(0xe5b10004);			/* ldr r0, [r1, #4]! */
	cr_assert_eq(R(0), 0x22222222u);
	cr_assert_eq(R(1), AFX_DATA + 4);
	R(1) = AFX_DATA + 8;
	A32(0xe4110004);			/* ldr r0, [r1], #-4 */
	cr_assert_eq(R(0), 0x33333333u);
	cr_assert_eq(R(1), AFX_DATA + 4);
	R(1) = AFX_DATA; R(2) = 2;
	A32(0xe7910102);			/* ldr r0, [r1, r2, lsl #2] */
	cr_assert_eq(R(0), 0x33333333u);
	cr_assert_eq(R(1), AFX_DATA);
	R(0) = 0xdeadbeef; R(1) = AFX_DATA + 16; R(2) = 8;
	A32(0xe72100a2);			/* str r0, [r1, -r2, lsr #1]! */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 12), 0xdeadbeefu);
	cr_assert_eq(R(1), AFX_DATA + 12);

	afx_wr32(&f, AFX_DATA + 0x20, 0x8081c2d3);
	R(1) = AFX_DATA + 0x20;
	A32(0xe5d10001);			/* ldrb r0, [r1, #1] */
	cr_assert_eq(R(0), 0xc2);
	A32(0xe1d100d1);			/* ldrsb r0, [r1, #1] */
	cr_assert_eq(R(0), 0xffffffc2u);
	A32(0xe0d100f2);			/* ldrsh r0, [r1], #2 */
	cr_assert_eq(R(0), 0xffffc2d3u);
	cr_assert_eq(R(1), AFX_DATA + 0x22);
	R(1) = AFX_DATA + 0x20;
	A32(0xe1f100b2);			/* ldrh r0, [r1, #2]! */
	cr_assert_eq(R(0), 0x8081);
	cr_assert_eq(R(1), AFX_DATA + 0x22);
	afx_wr32(&f, AFX_DATA + 0x30, 0);
	R(0) = 0xabcd1234; R(1) = AFX_DATA + 0x30; R(2) = 2;
	A32(0xe18100b2);			/* strh r0, [r1, r2] */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x30), 0x12340000u);

	/* Unaligned word load (SCTLR.A clear). */
	afx_wr32(&f, AFX_DATA, 0x44332211);
	afx_wr32(&f, AFX_DATA + 4, 0x88776655);
	R(1) = AFX_DATA + 1;
	A32(0xe5910000);			/* ldr r0, [r1] */
	cr_assert_eq(R(0), 0x55443322u);

	/* PC as base reads + 8; PC stored is + 8. */
	afx_wr32(&f, AFX_CODE + 12, 0xfeedface);
	R(15) = AFX_CODE;
	A32(0xe59f0004);			/* ldr r0, [pc, #4] */
	cr_assert_eq(R(0), 0xfeedfaceu);
	R(15) = AFX_CODE; R(1) = AFX_DATA;
	A32(0xe581f000);			/* str pc, [r1] */
	cr_assert_eq(afx_rd32(&f, AFX_DATA), AFX_CODE + 8);

	/* LDR to PC interworks. */
	afx_wr32(&f, AFX_DATA, 0x30001);
	R(0) = AFX_DATA;
	A32(0xe590f000);			/* ldr pc, [r0] */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x30000);
	afx_teardown(&f);
}

Test(a32, unprivileged_load)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	fill_data(&f);
	R(1) = AFX_DATA;
	A32(0xe4b10004);			/* ldrt r0, [r1], #4 */
	cr_assert_eq(R(0), 0x11111111u);
	cr_assert_eq(R(1), AFX_DATA + 4);
	afx_teardown(&f);
}

Test(a32, doubleword_load_store)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	fill_data(&f);
	R(1) = AFX_DATA;
	A32(0xe1c120d8);			/* ldrd r2, r3, [r1, #8] */
	cr_assert_eq(R(2), 0x33333333u);
	cr_assert_eq(R(3), 0x44444444u);
	R(1) = AFX_DATA + 0x48;
	A32(0xe16120f8);			/* strd r2, r3, [r1, #-8]! */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x40), 0x33333333u);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x44), 0x44444444u);
	cr_assert_eq(R(1), AFX_DATA + 0x40);
	R(1) = AFX_DATA; R(4) = 0x10;
	A32(0xe08120d4);			/* ldrd r2, r3, [r1], r4 */
	cr_assert_eq(R(2), 0x11111111u);
	cr_assert_eq(R(3), 0x22222222u);
	cr_assert_eq(R(1), AFX_DATA + 0x10);

	/* Word alignment is required whatever SCTLR.A says; a fault
	 * commits nothing. */
	R(1) = AFX_DATA + 2; R(2) = R(3) = 7;
	cr_assert_eq(A32(0xe1c120d8), AFX_FAULT);
	cr_assert_eq(f.cpu.mmu->fault.fs, FS_ALIGNMENT);
	cr_assert_eq(R(2), 7);
	cr_assert_eq(R(3), 7);
	afx_teardown(&f);
}

Test(a32, load_store_multiple_modes)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	fill_data(&f);
	R(0) = AFX_DATA;
	A32(0xe8b0000e);			/* ldmia r0!, {r1-r3} */
	cr_assert_eq(R(1), 0x11111111u);
	cr_assert_eq(R(3), 0x33333333u);
	cr_assert_eq(R(0), AFX_DATA + 12);
	R(0) = AFX_DATA;
	A32(0xe9900006);			/* ldmib r0, {r1, r2} */
	cr_assert_eq(R(1), 0x22222222u);
	cr_assert_eq(R(2), 0x33333333u);
	cr_assert_eq(R(0), AFX_DATA);
	R(0) = AFX_DATA + 8;
	A32(0xe8300006);			/* ldmda r0!, {r1, r2} */
	cr_assert_eq(R(1), 0x22222222u);
	cr_assert_eq(R(2), 0x33333333u);
	cr_assert_eq(R(0), AFX_DATA);
	R(0) = AFX_DATA + 8;
	A32(0xe9100006);			/* ldmdb r0, {r1, r2} */
	cr_assert_eq(R(1), 0x11111111u);
	cr_assert_eq(R(2), 0x22222222u);

	R(1) = 0xa1; R(2) = 0xa2;
	R(0) = AFX_DATA + 0x100;
	A32(0xe8a00006);			/* stmia r0!, {r1, r2} */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x100), 0xa1);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x104), 0xa2);
	cr_assert_eq(R(0), AFX_DATA + 0x108);
	R(0) = AFX_DATA + 0x100;
	A32(0xe9a00006);			/* stmib */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x108), 0xa2);
	R(0) = AFX_DATA + 0x118;
	A32(0xe8200006);			/* stmda r0!, {r1, r2} */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x114), 0xa1);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x118), 0xa2);
	cr_assert_eq(R(0), AFX_DATA + 0x110);
	R(0) = AFX_DATA + 0x128;
	A32(0xe9200006);			/* stmdb r0!, {r1, r2} */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x120), 0xa1);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x124), 0xa2);
	cr_assert_eq(R(0), AFX_DATA + 0x120);

	/* Base in the list: STM stores the original base; LDM without
	 * write-back loads it; LDM with write-back of it is refused. */
	R(0) = AFX_DATA + 0x130;
	A32(0xe8a00003);			/* stmia r0!, {r0, r1} */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x130), AFX_DATA + 0x130);
	cr_assert_eq(R(0), AFX_DATA + 0x138);
	R(0) = AFX_DATA;
	A32(0xe8900003);			/* ldm r0, {r0, r1} */
	cr_assert_eq(R(0), 0x11111111u);
	cr_assert_eq(R(1), 0x22222222u);
	cr_assert_eq(A32(0xe8b00003), ARM_EXIT_UNDEF);	/* ldm r0!, {r0, r1} */

	/* LDM with the PC interworks. */
	afx_wr32(&f, AFX_DATA + 4, 0x20001);
	R(0) = AFX_DATA;
	A32(0xe8908002);			/* ldm r0, {r1, pc} */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x20000);
	f.cpu.thumb = false;

	R(4) = 0x44; R(14) = AFX_CODE + 0x40;
	R(15) = AFX_CODE;
	A32(0xe92d4010);			/* push {r4, lr} */
	cr_assert_eq(R(13), AFX_STACK - 8);
	cr_assert_eq(afx_rd32(&f, AFX_STACK - 8), 0x44);
	cr_assert_eq(afx_rd32(&f, AFX_STACK - 4), AFX_CODE + 0x40);
	R(4) = 0;
	A32(0xe8bd8010);			/* pop {r4, pc} */
	cr_assert_eq(R(4), 0x44);
	cr_assert_eq(R(15), AFX_CODE + 0x40);
	cr_assert_eq(R(13), AFX_STACK);
	afx_teardown(&f);
}

Test(a32, load_multiple_is_restartable)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	/* The second word is past the end of RAM: the first load must not
	 * have been committed, nor the write-back. */
	afx_wr32(&f, AFX_NO_RAM - 4, 0x12345678);
	R(0) = AFX_NO_RAM - 4; R(1) = 1; R(2) = 2;
	cr_assert_eq(A32(0xe8b00006), AFX_FAULT);	/* ldmia r0!, {r1, r2} */
	cr_assert_eq(R(0), AFX_NO_RAM - 4);
	cr_assert_eq(R(1), 1);
	cr_assert_eq(R(2), 2);
	cr_assert_eq(R(15), AFX_CODE);
	R(0) = AFX_DATA + 2;
	cr_assert_eq(A32(0xe8b00006), AFX_FAULT, "LDM must be word aligned");
	cr_assert_eq(f.cpu.mmu->fault.fs, FS_ALIGNMENT);
	cr_assert_eq(R(0), AFX_DATA + 2);
	afx_teardown(&f);
}

Test(a32, user_bank_and_exception_return_ldm)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	fill_data(&f);
	R(13) = 0x5555; R(14) = 0x6666;
	R(0) = AFX_DATA;
	A32(0xe8d06000);			/* ldm r0, {sp, lr}^ */
	cr_assert_eq(arm_get_user_reg(&f.cpu, 13), 0x11111111u);
	cr_assert_eq(arm_get_user_reg(&f.cpu, 14), 0x22222222u);
	cr_assert_eq(R(13), 0x5555, "SVC's own SP untouched");
	cr_assert_eq(R(14), 0x6666);
	R(0) = AFX_DATA + 0x100;
	A32(0xe8c06000);			/* stm r0, {sp, lr}^ */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x100), 0x11111111u);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x104), 0x22222222u);

	afx_wr32(&f, AFX_DATA + 0x200, 0x1234);
	afx_wr32(&f, AFX_DATA + 0x204, 0x30000);
	f.cpu.spsr = ARM_MODE_USR;
	R(0) = AFX_DATA + 0x200;
	A32(0xe8f08002);			/* ldm r0!, {r1, pc}^ */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert_eq(R(1), 0x1234);
	cr_assert_eq(R(0), AFX_DATA + 0x208);
	cr_assert_eq(R(15), 0x30000);
	cr_assert_eq(R(13), 0x11111111u, "now in User mode: the user SP");
	R(0) = AFX_DATA + 0x200;
	cr_assert_eq(A32(0xe8f08002), ARM_EXIT_UNDEF, "no SPSR in User mode");
	cr_assert_eq(R(0), AFX_DATA + 0x200);
	afx_teardown(&f);
}

Test(a32, exclusives)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	afx_wr32(&f, AFX_DATA, 41);
	R(1) = AFX_DATA;
	A32(0xe1910f9f);			/* ldrex r0, [r1] */
	cr_assert_eq(R(0), 41);
	R(0) = 42; R(2) = 99;
	A32(0xe1812f90);			/* strex r2, r0, [r1] */
	cr_assert_eq(R(2), 0);
	cr_assert_eq(afx_rd32(&f, AFX_DATA), 42);
	A32(0xe1812f90);
	cr_assert_eq(R(2), 1, "monitor cleared by the first STREX");
	A32(0xe1910f9f);
	A32(0xf57ff01f);			/* clrex */
	A32(0xe1812f90);
	cr_assert_eq(R(2), 1);

	afx_wr32(&f, AFX_DATA + 8, 0xaaaa);
	afx_wr32(&f, AFX_DATA + 12, 0xbbbb);
	R(1) = AFX_DATA + 8;
	A32(0xe1b12f9f);			/* ldrexd r2, r3, [r1] */
	cr_assert_eq(R(2), 0xaaaa);
	cr_assert_eq(R(3), 0xbbbb);
	R(2) = 1; R(3) = 2;
	A32(0xe1a10f92);			/* strexd r0, r2, r3, [r1] */
	cr_assert_eq(R(0), 0);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 8), 1);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 12), 2);

	A32(0xe1d10f9f);			/* ldrexb r0, [r1] */
	R(2) = 5;
	A32(0xe1e12f90);			/* strexh r2, r0, [r1]: other size */
	cr_assert_eq(R(2), 1);

	R(1) = AFX_DATA + 2; R(0) = 7;
	cr_assert_eq(A32(0xe1910f9f), AFX_FAULT, "LDREX must be aligned");
	cr_assert_eq(R(0), 7);
	afx_teardown(&f);
}

/* ---- branches ---- */

Test(a32, branches_and_interworking)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	R(15) = AFX_CODE + 0x10;
	A32(0xeafffffc);			/* b .-8 */
	cr_assert_eq(R(15), AFX_CODE + 8);
	R(15) = AFX_CODE;
	A32(0xeb000002);			/* bl .+16 */
	cr_assert_eq(R(15), AFX_CODE + 16);
	cr_assert_eq(R(14), AFX_CODE + 4);
	R(15) = AFX_CODE;
	A32(0xfb000000);			/* blx .+10: to Thumb */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), AFX_CODE + 10);
	cr_assert_eq(R(14), AFX_CODE + 4);
	f.cpu.thumb = false;
	R(15) = AFX_CODE; R(0) = 0x20001;
	A32(0xe12fff10);			/* bx r0 */
	cr_assert(f.cpu.thumb);
	cr_assert_eq(R(15), 0x20000);
	f.cpu.thumb = false;
	R(15) = AFX_CODE; R(0) = 0x20000;
	A32(0xe12fff30);			/* blx r0 */
	cr_assert(!f.cpu.thumb);
	cr_assert_eq(R(15), 0x20000);
	cr_assert_eq(R(14), AFX_CODE + 4);
	afx_teardown(&f);
}

Test(a32, loop_through_the_run_loop)
{
	static const uint32_t prog[] = {
		0xe3a00000,	/* mov r0, #0 */
		0xe3a0100a,	/* mov r1, #10 */
		0xe0800001,	/* loop: add r0, r0, r1 */
		0xe2511001,	/* subs r1, r1, #1 */
		0x1afffffc,	/* bne loop */
		0xef000000,	/* svc #0 */
	};
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	afx_load_a32(&f, prog, 6);
	cr_assert_eq(afx_run(&f, 1000), ARM_EXIT_SVC);
	cr_assert_eq(R(0), 55);
	cr_assert_eq(R(15), AFX_CODE + 20, "r[15] stays on the SVC");
	afx_teardown(&f);
}

/* ---- status registers, modes, exceptions ---- */

Test(a32, msr_mrs_masks)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_USR, false);
	uint32_t before = arm_get_cpsr(&f.cpu);

	R(0) = 0xf80f03d3;			/* flags, GE, E, I, F, mode SVC */
	A32(0xe12ff000);			/* msr cpsr_fsxc, r0 */
	cr_assert_eq(arm_get_cpsr(&f.cpu), (before & 0x000001ffu) | 0xf80f0200u,
		     "User mode writes only NZCVQ, GE and E: %#x", arm_get_cpsr(&f.cpu));
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	A32(0xe10f0000);			/* mrs r0, cpsr */
	cr_assert_eq(R(0), arm_get_cpsr(&f.cpu));
	cr_assert_eq(A32(0xe14f0000), ARM_EXIT_UNDEF, "no SPSR in User mode");
	cr_assert_eq(A32(0xe169f000), ARM_EXIT_UNDEF);
	cr_assert_eq(A32(0xe1050200), ARM_EXIT_UNDEF, "banked access from User");
	afx_teardown(&f);

	afx_setup(&f, ARM_MODE_SVC, false);
	A32(0xe328f20f);			/* msr cpsr_f, #0xf0000000 */
	NZCV(0xf);
	cr_assert_eq(f.cpu.q, 0);
	f.cpu.spsr = 0;
	R(0) = 0xffffffff;
	A32(0xe169f000);			/* msr spsr_fc, r0 */
	cr_assert_eq(f.cpu.spsr, 0xff0000ffu);
	A32(0xe14f0000);			/* mrs r0, spsr */
	cr_assert_eq(R(0), 0xff0000ffu);
	R(13) = 0x1313;
	R(0) = ARM_MODE_SYS;
	A32(0xe121f000);			/* msr cpsr_c, r0 */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_SYS);
	cr_assert_eq(f.cpu.cpsr_ctl & (CPSR_I | CPSR_F), 0);
	cr_assert_eq(f.cpu.bank_r13[ARM_BANK_SVC], 0x1313, "banks switched");
	afx_teardown(&f);
}

Test(a32, banked_register_transfers)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	f.cpu.bank_r13[ARM_BANK_USR] = 0xabc;
	R(8) = 0x888;
	A32(0xe1050200);			/* mrs r0, sp_usr */
	cr_assert_eq(R(0), 0xabc);
	A32(0xe1000200);			/* mrs r0, r8_usr */
	cr_assert_eq(R(0), 0x888);
	R(0) = 0x1414;
	A32(0xe120f300);			/* msr lr_irq, r0 */
	cr_assert_eq(f.cpu.bank_r14[ARM_BANK_IRQ], 0x1414);
	f.cpu.bank_spsr[ARM_BANK_IRQ] = 0x600001d2;
	A32(0xe1400300);			/* mrs r0, spsr_irq */
	cr_assert_eq(R(0), 0x600001d2u);
	cr_assert_eq(A32(0xe123f300), ARM_EXIT_UNDEF, "msr sp_svc from SVC");
	afx_teardown(&f);
}

Test(a32, cps_setend_srs_rfe)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_SVC, false);
	f.cpu.cpsr_ctl &= ~CPSR_I;
	A32(0xf10c0080);			/* cpsid i */
	cr_assert(f.cpu.cpsr_ctl & CPSR_I);
	A32(0xf1010200);			/* setend be */
	cr_assert(f.cpu.cpsr_ctl & CPSR_E);
	A32(0xf1010000);			/* setend le */
	cr_assert(!(f.cpu.cpsr_ctl & CPSR_E));

	f.cpu.bank_r13[ARM_BANK_IRQ] = AFX_DATA + 0x200;
	R(14) = 0x1234;
	f.cpu.spsr = ARM_MODE_USR;
	A32(0xf96d0512);			/* srsdb sp!, #0x12 */
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x1f8), 0x1234);
	cr_assert_eq(afx_rd32(&f, AFX_DATA + 0x1fc), ARM_MODE_USR);
	cr_assert_eq(f.cpu.bank_r13[ARM_BANK_IRQ], AFX_DATA + 0x1f8);
	R(0) = AFX_DATA + 0x1f8;
	A32(0xf8b00a00);			/* rfeia r0! */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert_eq(R(15), 0x1234);
	cr_assert_eq(R(0), AFX_DATA + 0x200);

	/* In User mode CPS does nothing, SRS and RFE are refused. */
	A32(0xf10c0080);
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert_eq(A32(0xf96d0512), ARM_EXIT_UNDEF);
	cr_assert_eq(A32(0xf8b00a00), ARM_EXIT_UNDEF);
	afx_teardown(&f);

	afx_setup(&f, ARM_MODE_SVC, false);
	A32(0xf10a01d0);			/* cpsie aif, #0x10 */
	cr_assert_eq(arm_mode(&f.cpu), ARM_MODE_USR);
	cr_assert_eq(f.cpu.cpsr_ctl & (CPSR_A | CPSR_I | CPSR_F), 0);
	afx_teardown(&f);
}

struct fake_sys {
	uint32_t last_mcr;
	uint64_t last_mcrr;
};

static int fake_mrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		    unsigned crm, unsigned opc2, uint32_t *val)
{
	if (cp == 15 && opc1 == 0 && crn == 1 && crm == 0 && opc2 == 0) {
		*val = 0xa5a5;
		return 0;
	}
	if (cp == 14 && crn == 0 && crm == 1) {
		*val = 0xa0000000;
		return 0;
	}
	return -1;
}

static int fake_mcr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		    unsigned crm, unsigned opc2, uint32_t val)
{
	struct fake_sys *s = cpu->sys_opaque;

	if (cp != 15 || crn != 7 || crm != 5)
		return -1;
	s->last_mcr = val;
	return 1;		/* cache maintenance: the run loop must look */
}

static int fake_mrrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm, uint64_t *val)
{
	*val = 0x1111222233334444ull;
	return 0;
}

static int fake_mcrr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm, uint64_t val)
{
	struct fake_sys *s = cpu->sys_opaque;

	s->last_mcrr = val;
	return 0;
}

static const struct arm_sys_ops fake_ops = {
	.mrc = fake_mrc,
	.mcr = fake_mcr,
	.mrrc = fake_mrrc,
	.mcrr = fake_mcrr,
};

Test(a32, coprocessor_transfers)
{
	struct afx f;
	struct fake_sys s = { 0 };

	afx_setup(&f, ARM_MODE_SVC, false);
	cr_assert_eq(A32(0xee110f10), ARM_EXIT_UNDEF, "no system: UNDEF");
	f.cpu.sys = &fake_ops;
	f.cpu.sys_opaque = &s;
	cr_assert_eq(A32(0xee110f10), ARM_EXIT_NONE);	/* mrc p15, 0, r0, c1, c0, 0 */
	cr_assert_eq(R(0), 0xa5a5);
	R(0) = 0x77;
	cr_assert_eq(A32(0xee070f15), ARM_EXIT_SYSREG);	/* mcr p15, 0, r0, c7, c5, 0 */
	cr_assert_eq(s.last_mcr, 0x77);
	cr_assert_eq(R(15), AFX_CODE + 8, "SYSREG exits after completing");
	A32(0xec510f1e);			/* mrrc p15, 1, r0, r1, c14 */
	cr_assert_eq(R(0), 0x33334444u);
	cr_assert_eq(R(1), 0x11112222u);
	A32(0xec410f02);			/* mcrr p15, 0, r0, r1, c2 */
	cr_assert_eq(s.last_mcrr, 0x1111222233334444ull);
	afx_set_nzcv(&f, 0);
	A32(0xee10fe11);			/* mrc p14, 0, APSR_nzcv, c0, c1, 0 */
	NZCV(0xa);
	cr_assert_eq(A32(0xee000f10), ARM_EXIT_UNDEF, "the system refuses it");
	afx_teardown(&f);
}

Test(a32, exceptions_hints_and_undefined)
{
	struct afx f;

	afx_setup(&f, ARM_MODE_USR, false);
	cr_assert_eq(A32(0xef123456), ARM_EXIT_SVC);
	cr_assert_eq(f.cpu.exit_imm, 0x123456);
	cr_assert_eq(R(15), AFX_CODE, "synchronous exits stay on the instruction");
	cr_assert_eq(A32(0xe12abc7d), ARM_EXIT_BKPT);
	cr_assert_eq(f.cpu.exit_imm, 0xabcd);
	cr_assert_eq(A32(0xe7f000f0), ARM_EXIT_UNDEF);	/* udf #0 */
	cr_assert_eq(A32(0xee010502), ARM_EXIT_UNDEF);	/* cdp p5 */
	cr_assert_eq(A32(0xfe000f10), ARM_EXIT_UNDEF);	/* mcr2 */
	cr_assert_eq(A32(0xe1020091), ARM_EXIT_UNDEF);	/* swp (SCTLR.SW) */
	cr_assert_eq(A32(0xf2000000), ARM_EXIT_UNDEF);	/* Advanced SIMD */
	cr_assert_eq(A32(0xe1412374), ARM_EXIT_HVC);	/* hvc #0x1234: the run loop decides */
	cr_assert_eq(f.cpu.exit_imm, 0x1234);
	cr_assert_eq(A32(0xe1600075), ARM_EXIT_SMC);	/* smc #5 */
	cr_assert_eq(A32(0xe1600175), ARM_EXIT_UNDEF, "smc with (0) bits set");

	cr_assert_eq(A32(0xe320f003), ARM_EXIT_WFI);
	cr_assert_eq(R(15), AFX_CODE + 4, "WFI completes");
	cr_assert_eq(A32(0xe320f002), ARM_EXIT_WFE);
	cr_assert_eq(A32(0xe320f001), ARM_EXIT_NONE, "YIELD is a plain hint");
	cr_assert_eq(A32(0xe320f004), ARM_EXIT_SEV);
	cr_assert(f.cpu.event, "SEV signals this PE too");
	cr_assert_eq(A32(0xe320f002), ARM_EXIT_NONE, "event set: WFE consumes it");
	cr_assert(!f.cpu.event);
	cr_assert_eq(A32(0xe320f002), ARM_EXIT_WFE, "no event: wait");
	cr_assert_eq(A32(0xe320f000), ARM_EXIT_NONE);
	cr_assert_eq(A32(0xf57ff05b), ARM_EXIT_NONE);	/* dmb ish */
	cr_assert_eq(A32(0xf57ff04f), ARM_EXIT_NONE);	/* dsb sy */
	cr_assert_eq(A32(0xf57ff06f), ARM_EXIT_NONE);	/* isb */
	R(0) = AFX_NO_RAM + 0x1000;
	cr_assert_eq(A32(0xf5d0f004), ARM_EXIT_NONE, "pld never faults");
	cr_assert_eq(A32(0xf6d0f001), ARM_EXIT_NONE);	/* pli [r0, r1] */
	afx_teardown(&f);
}

Test(a32, decoded_form)
{
	struct arm_insn in;

	cr_assert_eq(sizeof(struct arm_insn), 24);
	a32_decode(0x10810002, &in);		/* addne r0, r1, r2 */
	cr_assert_eq(in.op, ARM_OP_ADD);
	cr_assert_eq(in.cond, 1);
	cr_assert_eq(in.len, 4);
	cr_assert_eq(in.rd, 0);
	cr_assert_eq(in.rn, 1);
	cr_assert_eq(in.rm, 2);
	cr_assert_eq(in.raw, 0x10810002u);
	a32_decode(0xe72100a2, &in);		/* str r0, [r1, -r2, lsr #1]! */
	cr_assert_eq(in.op, ARM_OP_STR);
	cr_assert_eq(in.shift, ARM_SHIFT_LSR);
	cr_assert_eq(in.shamt, 1);
	cr_assert_eq(in.flags & (ARM_F_P | ARM_F_U | ARM_F_W), ARM_F_P | ARM_F_W);
	a32_decode(0xee300a81, &in);		/* vadd.f32 s0, s1, s2 */
	cr_assert_eq(in.op, ARM_OP_VFP);
	a32_decode(0xe8bd8010, &in);		/* pop {r4, pc} */
	cr_assert_eq(in.op, ARM_OP_LDM);
	cr_assert_eq(in.imm, 0x8010);
}

/* Random encodings: the decoder never fails, and executing whatever it
 * produced ends in an exit or a fault, never in a crash. */
Test(a32, random_encodings_never_crash)
{
	struct afx f;
	unsigned seed = 2024;

	afx_setup(&f, ARM_MODE_SVC, false);
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t w = (uint32_t)rand_r(&seed) << 16 ^ (uint32_t)rand_r(&seed);
		struct arm_insn in;
		enum arm_exit e;

		cr_assert_eq(a32_decode(w, &in), 0);
		cr_assert_lt(in.op, ARM_OP_COUNT);
		if (in.op == ARM_OP_VFP)
			continue;	/* the VFP unit has its own tests */
		arm_cpu_reset(&f.cpu);
		for (unsigned r = 0; r < 15; r++)
			f.cpu.r[r] = AFX_DATA + 0x100 * r;
		f.cpu.r[15] = AFX_CODE;
		f.cpu.spsr = ARM_MODE_SVC;
		e = afx_exec(&f, &in);
		cr_assert(e == AFX_FAULT || e <= ARM_EXIT_SMC, "%#x: exit %d", w, e);
	}
	afx_teardown(&f);
}
