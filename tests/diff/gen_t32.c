/* gen_t32.c — T32 instruction families, 16- and 32-bit, and IT blocks.
 * Encodings and constraints: ARMv7-A ARM (DDI 0406C), chapters A6 and A8.
 *
 * A family emits its setup (gen_set_reg) and then exactly one
 * instruction, unless the table below says it may not sit in an IT block;
 * inside an IT block that one instruction goes to the side buffer and the
 * setup ahead of the IT (gen.c). */
#include <string.h>

#include "tests/diff/gen_int.h"

#define BIT(r) ((uint16_t)(1u << (r)))

static const uint16_t lo_mask = 0xff;

/* i:imm3:imm8 for ThumbExpandImm, avoiding the UNPREDICTABLE zero byte of
 * the replicated patterns. */
static uint32_t mod_imm(struct gen *g)
{
	uint32_t imm12 = gen_rn(g, 4096);

	if (!(imm12 & 0xc00) && (imm12 & 0x300) && !(imm12 & 0xff))
		imm12 |= 1;
	return (imm12 >> 11) << 26 | (imm12 >> 8 & 7) << 12 | (imm12 & 0xff);
}

static void dp32(struct gen *g);

/* 16-bit data processing on r0-r7 (flags set outside IT blocks only). */
static void dp16(struct gen *g)
{
	unsigned d, n, m;

	if (gen_free_lo(g) < 4) {	/* an IT block has reserved most of them */
		dp32(g);
		return;
	}
	d = gen_lo_reg(g), n = gen_lo_src(g), m = gen_lo_src(g);

	switch (gen_rn(g, 6)) {
	case 0: { /* LSL/LSR/ASR #imm; LSL #0 is MOVS, UNPREDICTABLE in IT */
		unsigned op = gen_rn(g, 3), imm = gen_rn(g, 32);

		if (op == 0 && imm == 0 && g->in_it)
			imm = 1;
		gen_emit16(g, (uint16_t)(op << 11 | imm << 6 | m << 3 | d));
		break;
	}
	case 1: /* ADD/SUB register or imm3 */
		gen_emit16(g, (uint16_t)(0x1800 | gen_rn(g, 4) << 9 | gen_rn(g, 8) << 6 | n << 3 | d));
		break;
	case 2: /* MOV/CMP/ADD/SUB #imm8 */
		gen_emit16(g, (uint16_t)(0x2000 | gen_rn(g, 4) << 11 | d << 8 | gen_rn(g, 256)));
		break;
	case 3: case 4: /* AND EOR LSL LSR ASR ADC SBC ROR TST RSB CMP CMN ORR MUL BIC MVN */
		gen_emit16(g, (uint16_t)(0x4000 | gen_rn(g, 16) << 6 | m << 3 | d));
		break;
	default: { /* ADD/CMP/MOV with high registers; CMP needs one high */
		unsigned op = gen_rn(g, 3), hd = gen_reg(g), hm = gen_src(g);

		if (op == 1) {
			hd = gen_src(g);
			while (hd < 8 && hm < 8)
				hm = gen_src(g);
		}
		gen_emit16(g, (uint16_t)(0x4400 | op << 8 | (hd >> 3) << 7 | hm << 3 | (hd & 7)));
		break;
	}
	}
}

/* 16-bit SXTH/SXTB/UXTH/UXTB, REV/REV16/REVSH. */
static void misc16(struct gen *g)
{
	static const unsigned rev[] = { 0, 1, 3 };
	unsigned d, m;

	if (gen_free_lo(g) < 4) {
		dp32(g);
		return;
	}
	d = gen_lo_reg(g), m = gen_lo_src(g);

	if (gen_rn(g, 2))
		gen_emit16(g, (uint16_t)(0xb200 | gen_rn(g, 4) << 6 | m << 3 | d));
	else
		gen_emit16(g, (uint16_t)(0xba00 | rev[gen_rn(g, 3)] << 6 | m << 3 | d));
}

/* 32-bit data processing: modified immediate, shifted register, plain
 * binary immediate, register-controlled shifts. No SP or PC operands
 * except the MOV/MVN (Rn = PC) and compare (Rd = PC) encodings. */
static void dp32(struct gen *g)
{
	static const unsigned ops[] = { 0, 1, 2, 3, 4, 8, 10, 11, 13, 14 };
	unsigned op = ops[gen_rn(g, 10)], s = gen_rn(g, 2);
	unsigned d = gen_reg(g), n = gen_src(g), m = gen_src(g);
	bool imm = gen_rn(g, 2);

	if ((op == 0 || op == 4 || op == 8 || op == 13) && gen_chance(g, 25))
		d = R_PC, s = 1;				/* TST TEQ CMN CMP */
	else if ((op == 2 || op == 3) && gen_chance(g, 30))
		n = R_PC;					/* MOV MVN */
	if (imm) {
		gen_emit_t32(g, 0xf0000000 | op << 21 | s << 20 | n << 16 | d << 8 | mod_imm(g));
	} else {
		unsigned sh = gen_rn(g, 32);

		gen_emit_t32(g, 0xea000000 | op << 21 | s << 20 | n << 16 | (sh >> 2) << 12 |
			     d << 8 | (sh & 3) << 6 | gen_rn(g, 4) << 4 | m);
	}
}

static void bin_imm32(struct gen *g)
{
	unsigned d = gen_reg(g), n = gen_src(g);
	uint32_t imm12 = gen_rn(g, 4096);
	uint32_t i12 = (imm12 >> 11) << 26 | (imm12 >> 8 & 7) << 12 | (imm12 & 0xff);

	switch (gen_rn(g, 8)) {
	case 0: /* ADDW SUBW, or ADR */
		gen_emit_t32(g, (gen_rn(g, 2) ? 0xf2000000u : 0xf2a00000u) |
			     (gen_chance(g, 20) ? 15u : n) << 16 | d << 8 | i12);
		break;
	case 1: { /* MOVW MOVT */
		uint32_t v = gen_value(g) & 0xffff;

		gen_emit_t32(g, (gen_rn(g, 2) ? 0xf2400000u : 0xf2c00000u) | (v >> 12) << 16 |
			     (v >> 11 & 1) << 26 | (v >> 8 & 7) << 12 | d << 8 | (v & 0xff));
		break;
	}
	case 2: case 3: { /* SSAT USAT: ASR needs a non-zero shift (else *SAT16) */
		unsigned sh = gen_rn(g, 2), amt = gen_rn(g, 32);

		if (sh && !amt)
			amt = 1 + gen_rn(g, 31);
		gen_emit_t32(g, 0xf3000000 | gen_rn(g, 2) << 23 | sh << 21 | n << 16 |
			     (amt >> 2) << 12 | d << 8 | (amt & 3) << 6 | gen_rn(g, 32));
		break;
	}
	case 4: /* SSAT16 USAT16 */
		gen_emit_t32(g, 0xf3200000 | gen_rn(g, 2) << 23 | n << 16 | d << 8 | gen_rn(g, 16));
		break;
	case 5: case 6: { /* SBFX UBFX */
		unsigned lsb = gen_rn(g, 32), w = 1 + gen_rn(g, 32 - lsb);

		gen_emit_t32(g, 0xf3400000 | gen_rn(g, 2) << 23 | n << 16 | (lsb >> 2) << 12 |
			     d << 8 | (lsb & 3) << 6 | (w - 1));
		break;
	}
	default: { /* BFI, BFC */
		unsigned lsb = gen_rn(g, 32), msb = lsb + gen_rn(g, 32 - lsb);

		gen_emit_t32(g, 0xf3600000 | (gen_chance(g, 30) ? 15u : n) << 16 |
			     (lsb >> 2) << 12 | d << 8 | (lsb & 3) << 6 | msb);
		break;
	}
	}
}

/* Register shifts, extends, parallel add/sub, saturating, reverse, SEL,
 * CLZ, PKH. */
static void media32(struct gen *g)
{
	static const unsigned par_op1[] = { 0, 1, 2, 4, 5, 6 };
	unsigned d = gen_reg(g), n = gen_src(g), m = gen_src(g);

	switch (gen_rn(g, 8)) {
	case 0: /* LSL/LSR/ASR/ROR{S} Rd, Rn, Rm */
		gen_emit_t32(g, 0xfa00f000 | gen_rn(g, 4) << 21 | gen_rn(g, 2) << 20 | n << 16 |
			     d << 8 | gen_shift_src(g));
		break;
	case 1: /* [SU]XTA{H,B16,B} or without the add */
		gen_emit_t32(g, 0xfa00f080 | gen_rn(g, 6) << 20 | (gen_chance(g, 50) ? 15u : n) << 16 |
			     d << 8 | gen_rn(g, 4) << 4 | m);
		break;
	case 2: case 3:
		gen_emit_t32(g, 0xfa80f000 | par_op1[gen_rn(g, 6)] << 20 | n << 16 | d << 8 |
			     gen_rn(g, 2) << 6 | gen_rn(g, 3) << 4 | m);
		break;
	case 4: /* QADD QDADD QSUB QDSUB */
		gen_emit_t32(g, 0xfa80f080 | n << 16 | d << 8 | gen_rn(g, 4) << 4 | m);
		break;
	case 5: /* REV REV16 RBIT REVSH (Rm twice), CLZ */
		if (gen_rn(g, 4))
			gen_emit_t32(g, 0xfa90f080 | m << 16 | d << 8 | gen_rn(g, 4) << 4 | m);
		else
			gen_emit_t32(g, 0xfab0f080 | m << 16 | d << 8 | m);
		break;
	case 6: /* SEL */
		gen_emit_t32(g, 0xfaa0f080 | n << 16 | d << 8 | m);
		break;
	default: { /* PKHBT PKHTB */
		unsigned sh = gen_rn(g, 32);

		gen_emit_t32(g, 0xeac00000 | n << 16 | (sh >> 2) << 12 | d << 8 | (sh & 3) << 6 |
			     gen_rn(g, 2) << 5 | m);
		break;
	}
	}
}

/* Multiplies, long multiplies, divides. RdHi != RdLo. */
static void mul32(struct gen *g)
{
	unsigned d = gen_reg(g), lo = gen_reg_not(g, BIT(d));
	unsigned n = gen_src(g), m = gen_src(g), a = gen_src(g);
	unsigned ra = gen_chance(g, 30) ? 15 : a;
	uint32_t nm = n << 16 | m;

	switch (gen_rn(g, 14)) {
	case 0: /* MUL */
		gen_emit_t32(g, 0xfb00f000 | nm | d << 8);
		break;
	case 1: /* MLA MLS */
		gen_emit_t32(g, 0xfb000000 | nm | a << 12 | d << 8 | gen_rn(g, 2) << 4);
		break;
	case 2: /* SMLAxy SMULxy */
		gen_emit_t32(g, 0xfb100000 | nm | ra << 12 | d << 8 | gen_rn(g, 4) << 4);
		break;
	case 3: case 4: case 5: case 6: case 7: { /* SMLAD SMLAWy SMLSD SMMLA SMMLS (+ mul forms) */
		unsigned op1 = 2 + gen_rn(g, 5);

		gen_emit_t32(g, 0xfb000000 | op1 << 20 | nm | (op1 == 6 ? a : ra) << 12 | d << 8 |
			     gen_rn(g, 2) << 4);
		break;
	}
	case 8: /* USAD8 USADA8 */
		gen_emit_t32(g, 0xfb700000 | nm | ra << 12 | d << 8);
		break;
	case 9: /* SDIV UDIV */
		gen_emit_t32(g, 0xfb90f0f0 | gen_rn(g, 2) << 21 | nm | d << 8);
		break;
	case 10: /* SMULL UMULL SMLAL UMLAL */
		gen_emit_t32(g, 0xfb800000 | gen_rn(g, 4) << 21 | nm | lo << 12 | d << 8);
		break;
	case 11: /* SMLALxy */
		gen_emit_t32(g, 0xfbc00080 | nm | lo << 12 | d << 8 | gen_rn(g, 4) << 4);
		break;
	case 12: /* SMLALD SMLSLD */
		gen_emit_t32(g, 0xfbc000c0 | gen_rn(g, 2) << 20 | nm | lo << 12 | d << 8 |
			     gen_rn(g, 2) << 4);
		break;
	default: /* UMAAL */
		gen_emit_t32(g, 0xfbe00060 | nm | lo << 12 | d << 8);
		break;
	}
}

/* 16-bit loads and stores: register offset, imm5, SP + imm8, literal. */
static void ldst16(struct gen *g)
{
	unsigned l = gen_rn(g, 2), t, form = gen_rn(g, 5);

	if (gen_free_lo(g) < 4) {
		dp32(g);
		return;
	}
	t = l ? gen_lo_reg(g) : gen_lo_src(g);
	switch (form) {
	case 0: case 1: { /* [Rn, Rm] */
		unsigned op = gen_rn(g, 8), size = (op == 0 || op == 4) ? 4 :
			      (op == 2 || op == 3 || op == 6) ? 1 : 2;
		unsigned n = gen_lo_reg(g), m = gen_lo_reg_not(g, BIT(n));
		uint32_t a = gen_data_addr(g, size, gen_chance(g, 70) ? size : 1);
		uint32_t v = gen_value(g);

		if (op >= 3)	/* a load: Rt must not be a reserved setup register */
			t = gen_lo_reg(g);
		gen_set_reg(g, m, v);
		gen_set_reg(g, n, a - v);
		gen_emit16(g, (uint16_t)(0x5000 | op << 9 | m << 6 | n << 3 | t));
		break;
	}
	case 2: { /* [Rn, #imm5 * size] */
		unsigned kind = gen_rn(g, 3), size = kind == 0 ? 4 : kind == 1 ? 1 : 2;
		unsigned imm = gen_rn(g, 32), n = gen_lo_reg(g);
		uint32_t a = gen_data_addr(g, size, gen_chance(g, 70) ? size : 1);
		static const uint16_t base[] = { 0x6000, 0x7000, 0x8000 };

		gen_set_reg(g, n, a - imm * size);
		gen_emit16(g, (uint16_t)(base[kind] | l << 11 | imm << 6 | n << 3 | t));
		break;
	}
	case 3: { /* [SP, #imm8 * 4] inside the stack */
		unsigned max = (DIFF_STACK_HI - 4 - g->sp) / 4;

		if (g->no_sp || g->sp + 4 > DIFF_STACK_HI) {
			dp32(g);
			return;
		}
		gen_emit16(g, (uint16_t)(0x9000 | l << 11 | t << 8 | gen_rn(g, (max < 255 ? max : 255) + 1)));
		break;
	}
	default: /* LDR literal, ADR, ADD Rd, SP, #imm */
		if (gen_rn(g, 2)) {
			gen_emit16(g, (uint16_t)(0x4800 | gen_lo_reg(g) << 8 | gen_rn(g, 256)));
		} else {
			gen_emit16(g, (uint16_t)((gen_rn(g, 2) ? 0xa000 : 0xa800) | gen_lo_reg(g) << 8 |
						 gen_rn(g, 256)));
		}
		break;
	}
}

/* 32-bit single loads and stores: imm12, imm8 with P/U/W (including the
 * unprivileged T forms), register << 0-3, literal, SP-relative. Rt is
 * never SP or PC (a byte/halfword load to PC is a preload hint), no
 * write-back onto Rt, Rm never SP or PC. */
static void ldst32(struct gen *g)
{
	static const uint32_t kinds[][2] = {	/* S:size:L, size in bytes */
		{ 0x000000, 1 }, { 0x200000, 2 }, { 0x400000, 4 },	/* STRB STRH STR */
		{ 0x100000, 1 }, { 0x300000, 2 }, { 0x500000, 4 },	/* LDRB LDRH LDR */
		{ 0x1100000, 1 }, { 0x1300000, 2 },			/* LDRSB LDRSH */
	};
	unsigned k = gen_rn(g, 8), size = kinds[k][1], l = k >= 3;
	uint32_t op = 0xf8000000 | kinds[k][0];
	unsigned t = l ? gen_reg(g) : gen_src(g), n, form = gen_rn(g, 6);
	uint32_t a;

	if (l && form == 5) {	/* literal */
		gen_emit_t32(g, op | 0x000f0000 | gen_rn(g, 2) << 23 | t << 12 | gen_rn(g, 4096));
		return;
	}
	if (form == 4 && g->no_sp)
		form = 0;
	if (form == 4) {	/* [SP, #+imm12] or [SP, #-imm8] inside the stack */
		uint32_t lo = g->sp - DIFF_STACK_LO > 255 ? g->sp - 255 : DIFF_STACK_LO;
		uint32_t addr = lo + (gen_rn(g, DIFF_STACK_HI - size - lo + 1) & ~(size - 1));

		if (addr >= g->sp)
			gen_emit_t32(g, op | 0x00800000 | R_SP << 16 | t << 12 | (addr - g->sp));
		else	/* the imm8 form, P=1 U=0 W=0 */
			gen_emit_t32(g, op | R_SP << 16 | t << 12 | 0xc00 | (g->sp - addr));
		return;
	}
	a = gen_data_addr(g, size, gen_chance(g, 70) ? size : 1);
	if (form == 0 || form == 5) {		/* imm12 */
		unsigned imm = gen_rn(g, 4096);

		n = gen_reg(g);
		gen_set_reg(g, n, a - imm);
		gen_emit_t32(g, op | 0x00800000 | n << 16 | t << 12 | imm);
	} else if (form == 1) {			/* register, LSL #0-3 */
		unsigned sh = gen_rn(g, 4), m;
		uint32_t v = gen_value(g);

		n = gen_reg(g);
		m = gen_reg_not(g, BIT(n));
		gen_set_reg(g, m, v);
		gen_set_reg(g, n, a - (v << sh));
		gen_emit_t32(g, op | n << 16 | t << 12 | sh << 4 | m);
	} else {				/* imm8: offset-, pre, post, T */
		static const unsigned puw[] = { 4, 5, 7, 1, 3, 6 };
		unsigned mode = puw[gen_rn(g, 6)], p = mode >> 2, u = mode >> 1 & 1, w = mode & 1;
		unsigned imm = gen_rn(g, 256);

		n = gen_reg_not(g, w ? BIT(t) : 0);
		gen_set_reg(g, n, !p ? a : u ? a - imm : a + imm);
		gen_emit_t32(g, op | n << 16 | t << 12 | 0x800 | mode << 8 | imm);
	}
}

/* LDRD/STRD (immediate): offset, pre, post; Rt != Rt2 for loads, no
 * write-back onto either, word-aligned. */
static void ldrd32(struct gen *g)
{
	static const unsigned pw[][2] = { { 1, 0 }, { 1, 1 }, { 0, 1 } };
	unsigned l = gen_rn(g, 2), mode = gen_rn(g, 3), p = pw[mode][0], w = pw[mode][1];
	unsigned u = gen_rn(g, 2), imm = gen_rn(g, 256);
	unsigned t = l ? gen_reg(g) : gen_src(g);
	unsigned t2 = l ? gen_reg_not(g, BIT(t)) : gen_src(g);
	unsigned n;
	uint32_t a;

	if (l && gen_chance(g, 8)) {	/* LDRD literal: [Align(PC, 4), #+-imm8 * 4] */
		gen_emit_t32(g, 0xe95f0000 | u << 23 | t << 12 | t2 << 8 | imm);
		return;
	}
	n = gen_reg_not(g, w ? (uint16_t)(BIT(t) | BIT(t2)) : 0);
	a = gen_data_addr(g, 8, 4);

	gen_set_reg(g, n, !p ? a : u ? a - imm * 4 : a + imm * 4);
	gen_emit_t32(g, 0xe8400000 | p << 24 | u << 23 | w << 21 | l << 20 | n << 16 | t << 12 |
		     t2 << 8 | imm);
}

/* LDM/STM: 16-bit (write-back unless the base is loaded) and 32-bit IA/DB
 * with at least two registers, never SP or PC, base not in the list with
 * write-back. */
static void ldm32(struct gen *g)
{
	unsigned l = gen_rn(g, 2), n, cnt;
	uint16_t list;
	uint32_t a;

	if (gen_rn(g, 3) == 0 && gen_free_lo(g) >= 4) {
		n = gen_lo_reg(g);
		do {
			list = (uint16_t)(gen_rnd(g) & lo_mask & ~(l ? g->reserved : 0));
			if (g->in_it)
				list &= (uint16_t)(gen_rnd(g) & gen_rnd(g));
		} while (!list || (!l && (list & BIT(n))) || (g->in_it && __builtin_popcount(list) > 2));
		if (l && g->in_it)
			g->reserved |= list;
		cnt = (unsigned)__builtin_popcount(list);
		a = gen_data_addr(g, cnt * 4, 4);
		gen_set_reg(g, n, a);
		gen_emit16(g, (uint16_t)((l ? 0xc800 : 0xc000) | n << 8 | list));
		return;
	}
	{
		unsigned w = gen_rn(g, 2), db = gen_rn(g, 2);

		n = gen_reg(g);
		do {
			list = (uint16_t)(gen_rnd(g) & 0x5fff & ~(w ? BIT(n) : 0) &
					  ~(l ? g->reserved : 0));
			if (g->in_it)
				list &= (uint16_t)(gen_rnd(g) | gen_rnd(g));
		} while (__builtin_popcount(list) < 2 || (g->in_it && __builtin_popcount(list) > 3));
		if (l && g->in_it)
			g->reserved |= list;
		cnt = (unsigned)__builtin_popcount(list);
		a = gen_data_addr(g, cnt * 4, 4);
		gen_set_reg(g, n, db ? a + cnt * 4 : a);
		gen_emit_t32(g, (db ? 0xe9000000 : 0xe8800000) | w << 21 | l << 20 | n << 16 | list);
	}
}

/* PUSH/POP (16- and 32-bit), ADD/SUB SP, SP, #imm7: never in an IT block,
 * so SP stays known. */
static void stack16(struct gen *g)
{
	unsigned down = g->sp - DIFF_STACK_LO, up = DIFF_STACK_HI - g->sp;
	bool push = gen_rn(g, 2);
	uint16_t list;
	unsigned cnt;

	if (g->no_sp)
		return;
	switch (gen_rn(g, 4)) {
	case 3: { /* ADD SP, Rm (16-bit) or SUB.W SP, SP, Rm */
		bool add = gen_rn(g, 2);
		unsigned room = push ? down : up, m = gen_reg(g);
		uint32_t amt = gen_rn(g, room / 4 + 1) * 4;

		gen_set_reg(g, m, add == push ? (uint32_t)-amt : amt);
		if (add)
			gen_emit16(g, (uint16_t)(0x4485 | m << 3));
		else
			gen_emit_t32(g, 0xebad0d00 | m);
		cnt = amt / 4;
		break;
	}
	case 0: /* 16-bit: r0-r7, plus LR for PUSH */
		list = (uint16_t)(gen_rnd(g) & (push ? 0x40ff : 0xff & ~g->reserved));
		cnt = (unsigned)__builtin_popcount(list);
		if (!cnt || cnt * 4 > (push ? down : up))
			return;
		gen_emit16(g, (uint16_t)((push ? 0xb400 : 0xbc00) | (list >> 14) << 8 | (list & 0xff)));
		break;
	case 1: /* 32-bit: one register (STR/LDR SP writeback) or more */
		list = (uint16_t)(gen_rnd(g) & 0x5fff & ~(push ? 0 : g->reserved));
		if (gen_chance(g, 30))
			list &= (uint16_t)-list;
		cnt = (unsigned)__builtin_popcount(list);
		if (!cnt || cnt * 4 > (push ? down : up))
			return;
		if (cnt == 1)
			gen_emit_t32(g, (push ? 0xf84d0d04 : 0xf85d0b04) |
				     (unsigned)__builtin_ctz(list) << 12);
		else
			gen_emit_t32(g, (push ? 0xe92d0000 : 0xe8bd0000) | list);
		break;
	default: { /* ADD/SUB SP, SP, #imm7 * 4 */
		unsigned room = push ? down : up, imm = gen_rn(g, (room < 508 ? room : 508) / 4 + 1);

		cnt = imm;
		gen_emit16(g, (uint16_t)((push ? 0xb080 : 0xb000) | imm));
		break;
	}
	}
	gen_item_sp(g, push ? -(int)cnt * 4 : (int)cnt * 4);
}

/* LDREX/STREX pairs (all sizes) on one address, or CLREX then STREX. */
static void excl32(struct gen *g)
{
	unsigned sz = gen_rn(g, 4), size = 1u << sz, imm = sz == 2 ? gen_rn(g, 16) : 0;
	unsigned n = gen_reg(g);
	unsigned t = gen_reg_not(g, BIT(n)), t2 = gen_reg_not(g, (uint16_t)(BIT(n) | BIT(t)));
	unsigned s = gen_src(g), s2 = gen_reg_not(g, BIT(s)), d;

	gen_set_reg(g, n, gen_data_addr(g, size, size) - imm * 4);
	if (gen_chance(g, 85)) {
		static const uint32_t ld[] = { 0xe8d00f4f, 0xe8d00f5f, 0xe8500f00, 0xe8d0007f };

		gen_emit_t32(g, ld[sz] | n << 16 | t << 12 | (sz == 3 ? t2 << 8 : imm));
		if (gen_chance(g, 50))		/* ADD.W Rt, Rt, #imm */
			gen_emit_t32(g, 0xf1000000 | t << 16 | t << 8 | gen_rn(g, 256));
	} else {
		gen_emit_t32(g, 0xf3bf8f2f);	/* CLREX */
	}
	d = gen_reg_not(g, (uint16_t)(BIT(n) | BIT(s) | (sz == 3 ? BIT(s2) : 0)));
	switch (sz) {
	case 0: gen_emit_t32(g, 0xe8c00f40 | n << 16 | s << 12 | d); break;
	case 1: gen_emit_t32(g, 0xe8c00f50 | n << 16 | s << 12 | d); break;
	case 2: gen_emit_t32(g, 0xe8400000 | n << 16 | s << 12 | d << 8 | imm); break;
	default: gen_emit_t32(g, 0xe8c00070 | n << 16 | s << 12 | s2 << 8 | d); break;
	}
}

/* MRS, MSR APSR, hints, preloads (any address). */
static void misc32(struct gen *g)
{
	switch (gen_rn(g, 7)) {
	case 6: /* MCR/MRC TPIDRURW, MRC TPIDRURO */
		switch (gen_rn(g, 3)) {
		case 0: gen_emit_t32(g, 0xee0d0f50 | gen_src(g) << 12); break;
		case 1: gen_emit_t32(g, 0xee1d0f50 | gen_reg(g) << 12); break;
		default: gen_emit_t32(g, 0xee1d0f70 | gen_reg(g) << 12); break;
		}
		break;
	case 0: case 1:
		gen_emit_t32(g, 0xf3ef8000 | gen_reg(g) << 8);
		break;
	case 2:
		gen_emit_t32(g, 0xf3808000 | gen_src(g) << 16 | (1 + gen_rn(g, 3)) << 10);
		break;
	case 3: /* hints NOP YIELD WFE WFI SEV (16/32-bit), DBG; barriers */
		switch (gen_rn(g, 4)) {
		case 0: gen_emit16(g, (uint16_t)(0xbf00 | gen_rn(g, 5) << 4)); break;
		case 1: gen_emit_t32(g, 0xf3af8000 | gen_rn(g, 5)); break;
		case 2: gen_emit_t32(g, 0xf3af80f0 | gen_rn(g, 16)); break;
		default: gen_emit_t32(g, 0xf3bf8f4f | gen_rn(g, 3) << 4); break;	/* DSB DMB ISB */
		}
		break;
	default: { /* PLD PLDW PLI [Rn, #imm12] */
		static const uint32_t op[] = { 0xf890f000, 0xf8b0f000, 0xf990f000 };

		gen_emit_t32(g, op[gen_rn(g, 3)] | gen_src(g) << 16 | gen_rn(g, 4096));
		break;
	}
	}
}

/* SP as an operand: ADD/SUB Rd, SP, #imm or Rm (16- and 32-bit), MOV Rd,
 * SP, CMP/CMN with SP. Reads only: SP moves in stack16(). */
static void sp32(struct gen *g)
{
	unsigned d = gen_reg(g), m = gen_src(g), sh = gen_rn(g, 32);
	uint32_t shf = (sh >> 2) << 12 | (sh & 3) << 6 | gen_rn(g, 4) << 4;

	switch (gen_rn(g, 6)) {
	case 0: /* ADDW/SUBW Rd, SP, #imm12 */
		gen_emit_t32(g, (gen_rn(g, 2) ? 0xf20d0000u : 0xf2ad0000u) | d << 8 |
			     (mod_imm(g) & ~0xf0000u));
		break;
	case 1: /* ADD{S}.W/SUB{S}.W Rd, SP, #const, or CMN/CMP SP, #const */
		if (gen_chance(g, 25))
			d = R_PC;
		gen_emit_t32(g, (gen_rn(g, 2) ? 0xf10d0000u : 0xf1ad0000u) |
			     (d == R_PC ? 1u : gen_rn(g, 2)) << 20 | d << 8 | mod_imm(g));
		break;
	case 2: /* ADD{S}.W/SUB{S}.W Rd, SP, Rm, shift, or CMP.W SP, Rm */
		if (gen_chance(g, 25))
			gen_emit_t32(g, 0xebbd0f00 | shf | m);
		else
			gen_emit_t32(g, (gen_rn(g, 2) ? 0xeb0d0000u : 0xebad0000u) |
				     gen_rn(g, 2) << 20 | d << 8 | shf | m);
		break;
	case 3: /* ADD Rdm, SP, Rdm (16-bit) */
		gen_emit16(g, (uint16_t)(0x4468 | (d >> 3) << 7 | (d & 7)));
		break;
	case 4: /* MOV Rd, SP */
		gen_emit16(g, (uint16_t)(0x4668 | (d >> 3) << 7 | (d & 7)));
		break;
	default: /* ADD Rd, SP, #imm8 * 4 (16-bit) */
		if (gen_free_lo(g) < 4)
			gen_emit16(g, (uint16_t)(0x4668 | (d >> 3) << 7 | (d & 7)));
		else
			gen_emit16(g, (uint16_t)(0xa800 | gen_lo_reg(g) << 8 | gen_rn(g, 256)));
		break;
	}
}

static void vfp(struct gen *g)
{
	gen_vfp(g, 14);
}

static void vfp_mem(struct gen *g)
{
	gen_vfp_mem(g, 14);
}

static void control(struct gen *g)
{
	switch (gen_rn(g, 11)) {
	case 0: case 1: case 2: case 3: gen_branch_direct(g); break;
	case 4: case 5: gen_branch_indirect(g); break;
	case 6: gen_island(g); break;
	case 7: case 8: gen_table_branch(g); break;
	case 9: gen_cpsr_write(g); break;
	default: gen_setend(g); break;
	}
}

#define B GEN_F_BODY
#define M GEN_F_MEM
#define I GEN_F_IT
static const struct gen_family families[] = {
	{ dp16, 14, B | I, "dp16" },
	{ misc16, 3, B | I, "misc16" },
	{ dp32, 14, B | I, "dp32" },
	{ bin_imm32, 6, B | I, "bin-imm32" },
	{ media32, 9, B | I, "media32" },
	{ mul32, 8, B | I, "mul32" },
	{ sp32, 3, B | I, "sp32" },
	{ ldst16, 7, B | M | I, "ldst16" },
	{ ldst32, 8, B | M | I, "ldst32" },
	{ ldrd32, 3, B | M | I, "ldrd32" },
	{ ldm32, 4, B | M | I, "ldm32" },
	{ stack16, 3, B, "stack" },
	{ excl32, 3, B | M, "exclusive" },
	{ misc32, 4, B | I, "misc32" },
	{ vfp, 20, B | I | GEN_F_VFP, "vfp" },
	{ vfp_mem, 5, B | M | I | GEN_F_VFP, "vfp-mem" },
	{ control, 6, 0, "control" },
};
#undef B
#undef M
#undef I
#define NFAM (sizeof(families) / sizeof(families[0]))

static const struct gen_family *pick(struct gen *g, bool it)
{
	return gen_pick(g, families, NFAM, it ? GEN_F_IT : 0);
}

/* IT with 1-4 conditional instructions. Their setup goes before the IT
 * and stays reserved (unwritten) until the block ends. */
static void it_block(struct gen *g)
{
	unsigned want = 1 + gen_rn(g, 4), first = gen_chance(g, 5) ? 14 : gen_rn(g, 14);
	unsigned n = 0, mask;

	g->in_it = true;
	g->nside = 0;
	/* Each body instruction reserves at most four registers: stop
	 * while six are still free, so that no choice can run dry. */
	while (n < want && 14 - __builtin_popcount(g->reserved & 0x5fff) >= 6) {
		unsigned before = g->nside;

		pick(g, true)->fn(g);
		if (g->nside != before)
			n++;
	}
	g->in_it = false;
	mask = 1u << (4 - n);
	for (unsigned k = 1; k < n; k++) {
		unsigned then = first == 14 ? 1 : gen_rn(g, 2);

		mask |= ((first & 1) ^ !then) << (4 - k);
	}
	gen_emit16(g, (uint16_t)(0xbf00 | first << 4 | mask));
	memcpy(g->s->code + g->s->in.code_len, g->side, g->nside);
	g->s->in.code_len += g->nside;
}

void gen_t32_one(struct gen *g, unsigned need)
{
	unsigned before = gen_pos(g);

	while (gen_pos(g) == before) {
		if (need == GEN_F_BODY && gen_chance(g, 10))
			it_block(g);
		else
			gen_pick(g, families, NFAM, need)->fn(g);
	}
}

void gen_t32_item(struct gen *g)
{
	if (gen_chance(g, 15)) {
		gen_item_begin(g, "it");
		it_block(g);
	} else {
		const struct gen_family *f = pick(g, false);

		gen_item_begin(g, f->name);
		f->fn(g);
	}
	gen_item_end(g);
}
