/* gen_a32.c — A32 instruction families. Encodings and their constraints
 * follow the ARMv7-A ARM (DDI 0406C), chapter A8; the comment on each
 * family names the UNPREDICTABLE cases it steers clear of. */
#include "tests/diff/gen_int.h"

#define BIT(r) ((uint16_t)(1u << (r)))

/* Operand2 shifter by immediate for addressing: the offset a register
 * value yields (RRX is never used for addresses: it depends on C). */
static uint32_t shift_imm(uint32_t v, unsigned type, unsigned imm5)
{
	switch (type) {
	case 0: return v << imm5;
	case 1: return imm5 ? v >> imm5 : 0;
	case 2: return imm5 ? (uint32_t)((int32_t)v >> imm5) : (uint32_t)((int32_t)v >> 31);
	default: return v >> imm5 | v << (32 - imm5);	/* imm5 != 0 */
	}
}

/* Data processing, immediate / register shifted by immediate / register
 * shifted by register. Rd is never SP or PC; PC is read only where it is
 * defined (not in the register-shifted form). */
static void dp(struct gen *g)
{
	unsigned cond = gen_cond(g), op = gen_rn(g, 16), s = gen_rn(g, 2);
	bool test = op >= 8 && op <= 11, mov = op == 13 || op == 15;
	unsigned rd = test ? 0 : gen_reg(g), rn = mov ? 0 : gen_chance(g, 5) ? R_SP : gen_src(g);
	uint32_t w = cond << 28 | op << 21 | rn << 16 | rd << 12;

	if (test)
		s = 1;
	w |= s << 20;
	switch (gen_rn(g, 3)) {
	case 0:
		if ((op == 2 || op == 4) && gen_chance(g, 10))
			w = (w & ~0xf0000u) | R_PC << 16;	/* ADR */
		w |= 1u << 25 | gen_rn(g, 16) << 8 | gen_rn(g, 256);
		break;
	case 1: {
		unsigned rm = gen_chance(g, 3) ? R_PC : gen_chance(g, 3) ? R_SP : gen_src(g);

		w |= gen_rn(g, 32) << 7 | gen_rn(g, 4) << 5 | rm;
		break;
	}
	default:
		w |= gen_shift_src(g) << 8 | gen_rn(g, 4) << 5 | 1u << 4 | gen_src(g);
		break;
	}
	gen_emit32(g, w);
}

/* Multiplies: no operand is PC; the long forms need RdHi != RdLo. */
static void mul(struct gen *g)
{
	uint32_t c = gen_cond(g) << 28;
	unsigned n = gen_src(g), m = gen_src(g), a = gen_src(g);
	unsigned d = gen_reg(g), lo = gen_reg_not(g, BIT(d));
	uint32_t mn = m << 8 | n, x = gen_rn(g, 2) << 5, y = gen_rn(g, 2) << 6;
	uint32_t s = gen_rn(g, 2) << 20;

	switch (gen_rn(g, 22)) {
	case 0: gen_emit32(g, c | 0x00000090 | s | d << 16 | mn); break;	/* MUL */
	case 1: gen_emit32(g, c | 0x00200090 | s | d << 16 | a << 12 | mn); break; /* MLA */
	case 2: gen_emit32(g, c | 0x00600090 | d << 16 | a << 12 | mn); break; /* MLS */
	case 3: gen_emit32(g, c | 0x00400090 | d << 16 | lo << 12 | mn); break; /* UMAAL */
	case 4: case 5: /* UMULL UMLAL SMULL SMLAL */
		gen_emit32(g, c | 0x00800090 | gen_rn(g, 4) << 21 | s | d << 16 | lo << 12 | mn);
		break;
	case 6: gen_emit32(g, c | 0x01000080 | d << 16 | a << 12 | y | x | mn); break; /* SMLAxy */
	case 7: gen_emit32(g, c | 0x01200080 | d << 16 | a << 12 | y | mn); break; /* SMLAWy */
	case 8: gen_emit32(g, c | 0x012000a0 | d << 16 | y | mn); break;	/* SMULWy */
	case 9: gen_emit32(g, c | 0x01400080 | d << 16 | lo << 12 | y | x | mn); break; /* SMLALxy */
	case 10: gen_emit32(g, c | 0x01600080 | d << 16 | y | x | mn); break; /* SMULxy */
	case 11: /* SMLAD SMLSD, or SMUAD SMUSD with Ra = PC */
		gen_emit32(g, c | 0x07000010 | gen_rn(g, 2) << 6 | d << 16 |
			   (gen_chance(g, 30) ? 15u : a) << 12 | x | mn);
		break;
	case 12: /* SMLALD SMLSLD */
		gen_emit32(g, c | 0x07400010 | gen_rn(g, 2) << 6 | d << 16 | lo << 12 | x | mn);
		break;
	case 13: /* SMMLA, SMMUL */
		gen_emit32(g, c | 0x07500010 | d << 16 | (gen_chance(g, 30) ? 15u : a) << 12 | x | mn);
		break;
	case 14: gen_emit32(g, c | 0x075000d0 | d << 16 | a << 12 | x | mn); break; /* SMMLS */
	case 15: case 16: /* SDIV UDIV */
		gen_emit32(g, c | 0x0710f010 | gen_rn(g, 2) << 21 | d << 16 | mn);
		break;
	case 17: /* USAD8, USADA8 */
		gen_emit32(g, c | 0x07800010 | d << 16 | (gen_chance(g, 50) ? 15u : a) << 12 | mn);
		break;
	default: /* QADD QSUB QDADD QDSUB: Rd, Rm, Rn */
		gen_emit32(g, c | 0x01000050 | gen_rn(g, 4) << 21 | n << 16 | d << 12 | m);
		break;
	}
}

/* Saturate, parallel add/sub, pack, extend, select, reverse, bitfields,
 * CLZ, MOVW/MOVT. */
static void media(struct gen *g)
{
	static const unsigned par_op1[] = { 1, 2, 3, 5, 6, 7 };
	static const unsigned par_op2[] = { 0, 1, 2, 3, 4, 7 };
	static const unsigned ext_op[] = { 0, 2, 3, 4, 6, 7 };
	uint32_t c = gen_cond(g) << 28;
	unsigned d = gen_reg(g), n = gen_src(g), m = gen_src(g);

	switch (gen_rn(g, 12)) {
	case 0: /* SSAT USAT: LSL or ASR (ASR #32 when imm5 = 0) */
		gen_emit32(g, c | 0x06a00010 | gen_rn(g, 2) << 22 | gen_rn(g, 32) << 16 | d << 12 |
			   gen_rn(g, 32) << 7 | gen_rn(g, 2) << 6 | n);
		break;
	case 1: /* SSAT16 USAT16 */
		gen_emit32(g, c | 0x06a00f30 | gen_rn(g, 2) << 22 | gen_rn(g, 16) << 16 | d << 12 | n);
		break;
	case 2: case 3:
		gen_emit32(g, c | 0x06000f10 | par_op1[gen_rn(g, 6)] << 20 | n << 16 | d << 12 |
			   par_op2[gen_rn(g, 6)] << 5 | m);
		break;
	case 4: /* PKHBT PKHTB */
		gen_emit32(g, c | 0x06800010 | n << 16 | d << 12 | gen_rn(g, 32) << 7 |
			   gen_rn(g, 2) << 6 | m);
		break;
	case 5: /* [SU]XTA{B16,B,H}, or without the add when Rn = PC */
		gen_emit32(g, c | 0x06800070 | ext_op[gen_rn(g, 6)] << 20 |
			   (gen_chance(g, 50) ? 15u : n) << 16 | d << 12 | gen_rn(g, 4) << 10 | m);
		break;
	case 6: /* SEL */
		gen_emit32(g, c | 0x06800fb0 | n << 16 | d << 12 | m);
		break;
	case 7: { /* REV REV16 RBIT REVSH */
		static const uint32_t op[] = { 0x06bf0f30, 0x06bf0fb0, 0x06ff0f30, 0x06ff0fb0 };

		gen_emit32(g, c | op[gen_rn(g, 4)] | d << 12 | m);
		break;
	}
	case 8: { /* SBFX UBFX: lsb + width <= 32 */
		unsigned lsb = gen_rn(g, 32), w = 1 + gen_rn(g, 32 - lsb);

		gen_emit32(g, c | 0x07a00050 | gen_rn(g, 2) << 22 | (w - 1) << 16 | d << 12 |
			   lsb << 7 | n);
		break;
	}
	case 9: { /* BFI, or BFC with Rn = PC: msb >= lsb */
		unsigned lsb = gen_rn(g, 32), msb = lsb + gen_rn(g, 32 - lsb);

		gen_emit32(g, c | 0x07c00010 | msb << 16 | d << 12 | lsb << 7 |
			   (gen_chance(g, 30) ? 15u : n));
		break;
	}
	case 10: /* CLZ */
		gen_emit32(g, c | 0x016f0f10 | d << 12 | m);
		break;
	default: { /* MOVW MOVT */
		uint32_t imm = (uint32_t)gen_value(g) & 0xffff;

		gen_emit32(g, c | 0x03000000 | gen_rn(g, 2) << 22 | (imm >> 12) << 16 | d << 12 |
			   (imm & 0xfff));
		break;
	}
	}
}

/* LDR/STR/LDRB/STRB (and the T forms): offset, pre- and post-indexed,
 * immediate or scaled register; literal loads and SP-relative accesses.
 * Write-back never with Rn == Rt; Rm never PC. */
static void ldst(struct gen *g)
{
	uint32_t c = gen_cond(g) << 28;
	unsigned l = gen_rn(g, 2), b = gen_rn(g, 2), size = b ? 1 : 4;
	unsigned mode = gen_rn(g, 4);	/* offset, pre, post, T */
	unsigned p = mode < 2, w = mode == 1 || mode == 3, u = gen_rn(g, 2);
	unsigned reg = gen_rn(g, 2), t, n, m = 0;
	uint32_t a, off, x;

	if (l && gen_chance(g, 8)) {		/* literal */
		t = gen_reg(g);
		gen_emit32(g, c | 0x051f0000 | b << 22 | u << 23 | t << 12 | gen_rn(g, 4096));
		return;
	}
	if (!g->no_sp && gen_chance(g, 10)) {	/* SP-relative, inside the stack */
		unsigned lo = DIFF_STACK_LO, hi = DIFF_STACK_HI - size;
		uint32_t addr = lo + (gen_rn(g, hi - lo + 1) & ~(size - 1));

		t = l ? gen_reg(g) : gen_src(g);
		u = addr >= g->sp;
		gen_emit32(g, c | 0x050d0000 | u << 23 | b << 22 | l << 20 | t << 12 |
			   (u ? addr - g->sp : g->sp - addr));
		return;
	}
	t = l ? gen_reg(g) : gen_src(g);
	if (!l && !b && gen_chance(g, 3))
		t = R_PC;	/* STR PC: stores the instruction's address + 8 */
	n = gen_reg_not(g, w || !p ? BIT(t) : 0);
	a = gen_data_addr(g, size, gen_chance(g, 70) ? size : 1);
	if (reg) {
		unsigned type = gen_rn(g, 4), imm5 = gen_rn(g, 32);
		uint32_t v = gen_value(g);

		if (type == 3 && imm5 == 0)
			type = 0;
		m = gen_reg_not(g, BIT(n));
		off = shift_imm(v, type, imm5);
		x = 1u << 25 | imm5 << 7 | type << 5 | m;
		gen_set_reg(g, m, v);
	} else {
		off = gen_chance(g, 50) ? gen_rn(g, 64) : gen_rn(g, 4096);
		x = off;
	}
	gen_set_reg(g, n, !p ? a : u ? a - off : a + off);
	gen_emit32(g, c | 0x04000000 | x | p << 24 | u << 23 | b << 22 | w << 21 | l << 20 |
		   n << 16 | t << 12);
}

/* LDRH/STRH/LDRSB/LDRSH (and T forms), LDRD/STRD. Doubleword: Rt even and
 * not r12 (Rt2 would be SP), no write-back onto Rt/Rt2, Rm not Rt/Rt2,
 * and word-aligned (it is not a single-copy unaligned access). */
static void ldst_extra(struct gen *g)
{
	static const unsigned ls_op2[][2] = { { 0, 1 }, { 1, 1 }, { 1, 2 }, { 1, 3 }, { 0, 2 }, { 0, 3 } };
	uint32_t c = gen_cond(g) << 28;
	unsigned kind = gen_rn(g, 6), l = ls_op2[kind][0], op2 = ls_op2[kind][1];
	bool dual = kind >= 4;
	unsigned size = dual ? 8 : kind == 2 ? 1 : 2;
	unsigned mode = gen_rn(g, dual ? 3 : 4);
	unsigned p = mode < 2, w = mode == 1 || mode == 3, u = gen_rn(g, 2), imm = !gen_rn(g, 3) ? 0 : 1;
	unsigned t, n, m = 0;
	uint16_t tmask;
	uint32_t a, off, x;

	if (l || kind == 4) {	/* sometimes a literal (PC-relative) load */
		if (gen_chance(g, 6)) {
			unsigned lit = gen_rn(g, 256) & (dual ? ~3u : ~0u);

			t = dual ? 2 * gen_rn(g, 6) : gen_reg(g);
			if (!dual || !(g->reserved & (3u << t))) {
				gen_emit32(g, c | 0x014f0090 | u << 23 | l << 20 | t << 12 | (lit >> 4) << 8 |
					   op2 << 5 | (lit & 15));
				return;
			}
		}
	}
	if (dual) {
		for (;;) {
			t = 2 * gen_rn(g, 6);
			if (kind == 5 || !(g->reserved & (3u << t)))
				break;
		}
		tmask = (uint16_t)(3u << t);
	} else {
		t = l ? gen_reg(g) : gen_src(g);
		tmask = BIT(t);
	}
	n = gen_reg_not(g, tmask);
	a = gen_data_addr(g, size, dual ? 4 : gen_chance(g, 70) ? size : 1);
	if (imm) {
		off = gen_rn(g, 256);
		x = 1u << 22 | (off >> 4) << 8 | (off & 15);
	} else {
		m = gen_reg_not(g, (uint16_t)(tmask | BIT(n)));
		off = gen_value(g);
		x = m;
		gen_set_reg(g, m, off);
	}
	gen_set_reg(g, n, !p ? a : u ? a - off : a + off);
	gen_emit32(g, c | 0x00000090 | x | p << 24 | u << 23 | w << 21 | l << 20 | n << 16 |
		   t << 12 | op2 << 5);
}

static uint16_t reglist(struct gen *g, uint16_t avoid)
{
	uint16_t list;

	do
		list = (uint16_t)(gen_rnd(g) & 0x5fff & ~avoid);
	while (!list);
	if (gen_chance(g, 50))		/* often short */
		list &= (uint16_t)(gen_rnd(g) | gen_rnd(g));
	return list ? list : (uint16_t)(0x5fff & ~avoid & -(0x5fff & ~avoid));
}

/* LDM/STM in the four modes; with write-back the base is not in the list. */
static void ldm_stm(struct gen *g)
{
	uint32_t c = gen_cond(g) << 28;
	unsigned l = gen_rn(g, 2), w = gen_rn(g, 2), mode = gen_rn(g, 4);
	unsigned n = gen_reg(g);
	uint16_t list = reglist(g, (uint16_t)((w ? BIT(n) : 0) | (l ? g->reserved : 0)));
	unsigned cnt;

	if (!l && gen_chance(g, 8))
		list |= BIT(R_PC);	/* STM stores PC + 8 */
	cnt = (unsigned)__builtin_popcount(list);
	uint32_t a = gen_data_addr(g, cnt * 4, 4);
	uint32_t base;

	switch (mode) {
	case 0: base = a + cnt * 4 - 4; break;	/* DA */
	case 1: base = a; break;		/* IA */
	case 2: base = a + cnt * 4; break;	/* DB */
	default: base = a - 4; break;		/* IB */
	}
	gen_set_reg(g, n, base);
	gen_emit32(g, c | 0x08000000 | (mode >> 1) << 24 | (mode & 1) << 23 | w << 21 | l << 20 |
		   n << 16 | list);
}

/* PUSH/POP and ADD/SUB SP: unconditional, so SP stays known. */
static void stack(struct gen *g)
{
	unsigned room_down = g->sp - DIFF_STACK_LO, room_up = DIFF_STACK_HI - g->sp;
	uint16_t list = reglist(g, 0);
	unsigned cnt = (unsigned)__builtin_popcount(list);

	if (g->no_sp)
		return;
	switch (gen_rn(g, 4)) {
	case 3: { /* ADD/SUB SP, SP, Rm: SUB of a negative amount moves up */
		bool down = gen_rn(g, 2), add = gen_rn(g, 2);
		unsigned room = down ? room_down : room_up, m = gen_reg(g);
		uint32_t amt = gen_rn(g, room / 4 + 1) * 4;

		gen_set_reg(g, m, add == down ? (uint32_t)-amt : amt);
		gen_emit32(g, (add ? 0xe08dd000u : 0xe04dd000u) | m);
		gen_item_sp(g, down ? -(int)amt : (int)amt);
		break;
	}
	case 0:	/* PUSH */
		if (cnt * 4 > room_down)
			return;
		if (cnt == 1)
			gen_emit32(g, 0xe52d0004 | (unsigned)__builtin_ctz(list) << 12);
		else
			gen_emit32(g, 0xe92d0000 | list);
		gen_item_sp(g, -(int)cnt * 4);
		break;
	case 1:	/* POP */
		list &= (uint16_t)~g->reserved;
		cnt = (unsigned)__builtin_popcount(list);
		if (!cnt || cnt * 4 > room_up)
			return;
		if (cnt == 1)
			gen_emit32(g, 0xe49d0004 | (unsigned)__builtin_ctz(list) << 12);
		else
			gen_emit32(g, 0xe8bd0000 | list);
		gen_item_sp(g, (int)cnt * 4);
		break;
	default: { /* ADD/SUB SP, SP, #imm */
		bool down = gen_rn(g, 2);
		unsigned room = down ? room_down : room_up;
		unsigned imm = gen_rn(g, (room < 252 ? room : 252) / 4 + 1) * 4;

		gen_emit32(g, (down ? 0xe24dd000 : 0xe28dd000) | imm);
		gen_item_sp(g, down ? -(int)imm : (int)imm);
		break;
	}
	}
}

/* LDREX/STREX pairs of every size on the same address (the only case
 * whose outcome is architecturally fixed), or CLREX then a failing
 * STREX. Rd != Rn, Rt, Rt2. */
static void exclusive(struct gen *g)
{
	static const uint32_t ld[] = { 0xe1d00f9f, 0xe1f00f9f, 0xe1900f9f, 0xe1b00f9f };
	static const uint32_t st[] = { 0xe1c00f90, 0xe1e00f90, 0xe1800f90, 0xe1a00f90 };
	unsigned sz = gen_rn(g, 4), size = 1u << sz;
	unsigned n = gen_reg(g), t, t2, d;
	uint16_t tm, t2m;

	do {
		t = sz == 3 ? 2 * gen_rn(g, 6) : gen_reg(g);
		tm = (uint16_t)(sz == 3 ? 3u << t : 1u << t);
	} while ((tm & BIT(n)) || (g->reserved & tm));
	t2 = sz == 3 ? 2 * gen_rn(g, 6) : gen_src(g);
	t2m = (uint16_t)(sz == 3 ? 3u << t2 : 1u << t2);
	gen_set_reg(g, n, gen_data_addr(g, size, size));
	if (gen_chance(g, 85)) {
		gen_emit32(g, ld[sz] | n << 16 | t << 12);
		if (gen_chance(g, 50))	/* change the value before storing */
			gen_emit32(g, 0xe2800000 | t << 16 | t << 12 | gen_rn(g, 256));
	} else {
		gen_emit32(g, 0xf57ff01f);	/* CLREX */
	}
	d = gen_reg_not(g, (uint16_t)(BIT(n) | t2m));
	gen_emit32(g, st[sz] | n << 16 | d << 12 | t2);
}

/* MRS, MSR APSR_{nzcvq,g,nzcvqg} (register and immediate), hints, PLD. */
static void misc(struct gen *g)
{
	uint32_t c = gen_cond(g) << 28;

	switch (gen_rn(g, 7)) {
	case 0: case 1:
		gen_emit32(g, c | 0x010f0000 | gen_reg(g) << 12);
		break;
	case 6: /* MCR/MRC TPIDRURW, MRC TPIDRURO: the User-mode CP15 registers */
		switch (gen_rn(g, 3)) {
		case 0: gen_emit32(g, c | 0x0e0d0f50 | gen_src(g) << 12); break;
		case 1: gen_emit32(g, c | 0x0e1d0f50 | gen_reg(g) << 12); break;
		default: gen_emit32(g, c | 0x0e1d0f70 | gen_reg(g) << 12); break;
		}
		break;
	case 2:
		gen_emit32(g, c | 0x0120f000 | (1 + gen_rn(g, 3)) << 18 | gen_src(g));
		break;
	case 3:
		gen_emit32(g, c | 0x0320f000 | (1 + gen_rn(g, 3)) << 18 | gen_rn(g, 16) << 8 |
			   gen_rn(g, 256));
		break;
	case 4: /* hints: NOP YIELD WFE WFI SEV, DBG; barriers; SWP/SWPB */
		switch (gen_rn(g, 4)) {
		case 0: gen_emit32(g, c | 0x0320f000 | gen_rn(g, 5)); break;
		case 1: gen_emit32(g, c | 0x0320f0f0 | gen_rn(g, 16)); break;
		case 2: gen_emit32(g, 0xf57ff04f | gen_rn(g, 3) << 4); break;	/* DSB DMB ISB */
		default: { /* SWP (word-aligned) or SWPB: Rn != Rt, Rt2 */
			unsigned b = gen_rn(g, 2), t2 = gen_src(g), t = gen_reg(g);
			unsigned n = gen_reg_not(g, (uint16_t)(BIT(t) | BIT(t2)));

			gen_set_reg(g, n, gen_data_addr(g, 4, b ? 1 : 4));
			gen_emit32(g, c | 0x01000090 | b << 22 | n << 16 | t << 12 | t2);
			break;
		}
		}
		break;
	default: { /* PLD/PLDW/PLI [Rn, #+-imm12]: hints, any address */
		static const uint32_t op[] = { 0xf550f000, 0xf510f000, 0xf450f000 };

		gen_emit32(g, op[gen_rn(g, 3)] | gen_rn(g, 2) << 23 | gen_src(g) << 16 |
			   gen_rn(g, 4096));
		break;
	}
	}
}

static void vfp(struct gen *g)
{
	gen_vfp(g, gen_cond(g));
}

static void vfp_mem(struct gen *g)
{
	gen_vfp_mem(g, gen_cond(g));
}

static void control(struct gen *g)
{
	switch (gen_rn(g, 10)) {
	case 0: case 1: case 2: case 3: gen_branch_direct(g); break;
	case 4: case 5: gen_branch_indirect(g); break;
	case 6: gen_island(g); break;
	case 7: gen_table_branch(g); break;
	case 8: gen_cpsr_write(g); break;
	default: gen_setend(g); break;
	}
}

#define B GEN_F_BODY
#define M GEN_F_MEM
static const struct gen_family families[] = {
	{ dp, 25, B, "dp" },
	{ mul, 8, B, "mul" },
	{ media, 10, B, "media" },
	{ ldst, 8, B | M, "ldst" },
	{ ldst_extra, 6, B | M, "ldst-extra" },
	{ ldm_stm, 4, B | M, "ldm-stm" },
	{ stack, 3, B, "stack" },
	{ exclusive, 3, B | M, "exclusive" },
	{ misc, 5, B, "misc" },
	{ vfp, 20, B | GEN_F_VFP, "vfp" },
	{ vfp_mem, 5, B | M | GEN_F_VFP, "vfp-mem" },
	{ control, 5, 0, "control" },
};
#undef B
#undef M
#define NFAM (sizeof(families) / sizeof(families[0]))

void gen_a32_one(struct gen *g, unsigned need)
{
	unsigned before = gen_pos(g);

	/* A family may decline (no stack room): pick again. */
	while (gen_pos(g) == before)
		gen_pick(g, families, NFAM, need)->fn(g);
}

void gen_a32_item(struct gen *g)
{
	const struct gen_family *f = gen_pick(g, families, NFAM, 0);

	gen_item_begin(g, f->name);
	f->fn(g);
	gen_item_end(g);
}
