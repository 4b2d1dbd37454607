/* gen_branch.c — control flow and other whole-item constructs shared by
 * both instruction sets: direct branches, indirect and interworking
 * branches (BX, BLX, MOV PC, LDR PC, POP {PC}), islands in the other
 * instruction set entered by BLX and left by BX LR / POP {PC}, jump
 * tables (TBB/TBH, ADD PC, LDR PC), SETEND blocks, User-mode CPSR writes,
 * and the deliberate faults that may end a sequence. */
#include <string.h>

#include "tests/diff/gen_int.h"

#define BIT(r) ((uint16_t)(1u << (r)))

static void put_a32(struct gen *g, unsigned pos, uint32_t w)
{
	memcpy(g->s->code + pos, &w, 4);
}

static void put_t32(struct gen *g, unsigned pos, uint32_t w)
{
	uint16_t h[2] = { (uint16_t)(w >> 16), (uint16_t)w };

	memcpy(g->s->code + pos, h, 4);
}

void gen_branch_direct(struct gen *g)
{
	unsigned skip = gen_rn(g, 4), cond = gen_rn(g, 14);

	gen_item_name(g, "branch");
	if (!g->thumb) {	/* B or BL, any condition */
		gen_add_branch(g, GEN_BR_A32, gen_cond(g) << 28 |
			       (gen_chance(g, 20) ? 0x0b000000u : 0x0a000000u), skip);
		return;
	}
	switch (gen_rn(g, 6)) {
	case 0: gen_add_branch(g, GEN_BR_T16_COND, 0xd000u | cond << 8, skip); break;
	case 1: gen_add_branch(g, GEN_BR_T16, 0xe000u, skip); break;
	case 2: gen_add_branch(g, GEN_BR_T32_COND, 0xf0008000u | cond << 22, skip); break;
	case 3: gen_add_branch(g, GEN_BR_T32, 0xf0009000u, skip); break;
	case 4: gen_add_branch(g, GEN_BR_T32, 0xf000d000u, skip); break;	/* BL */
	default: /* CBZ/CBNZ, then one instruction it may jump over */
		gen_add_branch(g, GEN_BR_CBZ, 0xb100u | gen_rn(g, 2) << 11 | gen_lo_src(g), skip);
		gen_emit16(g, (uint16_t)(0x3000 | gen_lo_reg(g) << 8 | gen_rn(g, 256)));	/* ADDS */
		break;
	}
}

/* PUSH {..., r} then POP {..., PC}: r is the highest register pushed, so
 * its word is the one PC gets. Returns false if the stack has no room. */
static bool push_pop_pc(struct gen *g, unsigned r)
{
	unsigned below = r > R_SP ? r - 1 : r;	/* registers under r but SP */
	unsigned n = 1 + gen_rn(g, below < 2 ? below + 1 : 3);
	uint16_t push = BIT(r), pop = 0;

	while ((unsigned)__builtin_popcount(push) < n) {
		unsigned x = gen_rn(g, r);

		if (x != R_SP)
			push |= BIT(x);
	}
	n = (unsigned)__builtin_popcount(push);
	if (g->sp - n * 4 < DIFF_STACK_LO)
		return false;
	while ((unsigned)__builtin_popcount(pop) < n - 1) {
		unsigned x = gen_rn(g, g->thumb ? 13 : 15);	/* no LR with PC in T32 */

		if (x != R_SP && !(g->reserved & BIT(x)))
			pop |= BIT(x);
	}
	if (!g->thumb) {
		if (n == 1) {
			gen_emit32(g, 0xe52d0004 | r << 12);		/* STR r, [SP, #-4]! */
			gen_emit32(g, 0xe49df004);			/* LDR PC, [SP], #4 */
		} else {
			gen_emit32(g, 0xe92d0000 | push);
			gen_emit32(g, 0xe8bd8000 | pop);
		}
	} else if (n == 1) {
		if (r < 8)
			gen_emit16(g, (uint16_t)(0xb400 | push));
		else
			gen_emit_t32(g, 0xf84d0d04 | r << 12);
		if (gen_rn(g, 2))
			gen_emit16(g, 0xbd00);				/* POP {PC} */
		else
			gen_emit_t32(g, 0xf85dfb04);			/* LDR.W PC, [SP], #4 */
	} else {
		if (push & 0xff00)
			gen_emit_t32(g, 0xe92d0000 | push);
		else
			gen_emit16(g, (uint16_t)(0xb400 | push));
		if (pop & 0xff00)
			gen_emit_t32(g, 0xe8bd8000 | pop);
		else
			gen_emit16(g, (uint16_t)(0xbd00 | pop));
	}
	return true;
}

/* BX, BLX, MOV PC, POP {PC} or LDR PC to the start of a later item, in
 * the same instruction set (Thumb addresses carry bit 0, except for the
 * Thumb MOV PC, which ignores it). */
void gen_branch_indirect(struct gen *g)
{
	unsigned kind = gen_rn(g, 5), skip = gen_rn(g, 4), r = gen_reg(g);
	unsigned tb = g->thumb;
	uint32_t c = gen_cond(g) << 28;

	gen_item_name(g, "indirect");
	if (kind == 2 && g->thumb)
		tb = gen_rn(g, 2);
	gen_add_branch(g, GEN_BR_ABS, r | tb << 4, skip);
	switch (kind) {
	case 3:
		if (push_pop_pc(g, r))
			break;
		__attribute__((fallthrough));	/* no room on the stack: BX */
	case 0:	/* BX */
		if (g->thumb)
			gen_emit16(g, (uint16_t)(0x4700 | r << 3));
		else
			gen_emit32(g, c | 0x012fff10 | r);
		break;
	case 1:	/* BLX */
		if (g->thumb)
			gen_emit16(g, (uint16_t)(0x4780 | r << 3));
		else
			gen_emit32(g, c | 0x012fff30 | r);
		break;
	case 2:	/* MOV PC, Rm */
		if (g->thumb)
			gen_emit16(g, (uint16_t)(0x4687 | r << 3));
		else
			gen_emit32(g, c | 0x01a0f000 | r);
		break;
	default: { /* STR Rm, [Rb]; LDR PC, [Rb] (word-aligned) */
		unsigned b = gen_reg(g);

		gen_set_reg(g, b, gen_data_addr(g, 4, 4));
		if (g->thumb) {
			gen_emit_t32(g, 0xf8c00000 | b << 16 | r << 12);
			gen_emit_t32(g, 0xf8d0f000 | b << 16);
		} else {
			gen_emit32(g, 0xe5800000 | b << 16 | r << 12);
			gen_emit32(g, c | 0x0590f000 | b << 16);
		}
		break;
	}
	}
}

/* BLX (immediate or register) into code of the other instruction set,
 * which returns by BX LR, MOV PC, LR or POP {PC}; then a B over it:
 *
 *	blx island | b after | [pad] | island: ... ; return | after:
 */
void gen_island(struct gen *g)
{
	bool host = g->thumb, by_reg = gen_rn(g, 2), pop = gen_chance(g, 30);
	unsigned n = 1 + gen_rn(g, 5), r = 0, abs_pos = 0, call, b, island, after;

	gen_item_name(g, "island");
	if (g->sp - 4 < DIFF_STACK_LO)
		pop = false;
	if (by_reg) {	/* MOVW/MOVT r, #island, patched below */
		r = gen_reg_not(g, BIT(R_LR));
		abs_pos = gen_pos(g);
		gen_set_reg(g, r, 0x80008000u);
	}
	call = gen_pos(g);
	if (host && by_reg)
		gen_emit16(g, (uint16_t)(0x4780 | r << 3));
	else
		gen_emit32(g, 0);	/* BLX, below */
	b = gen_pos(g);
	gen_emit32(g, 0);		/* B after, below */
	if (host && (gen_pos(g) & 2))
		gen_emit16(g, 0xbf00);	/* never executed: aligns the ARM island */
	island = gen_pos(g);

	g->thumb = !host;
	if (pop)
		g->thumb ? gen_emit16(g, 0xb500) : gen_emit32(g, 0xe52de004);	/* PUSH {LR} */
	g->no_sp = pop;
	for (unsigned i = 0; i < n; i++) {
		g->reserved = BIT(R_LR);
		g->thumb ? gen_t32_one(g, GEN_F_BODY) : gen_a32_one(g, GEN_F_BODY);
	}
	g->no_sp = false;
	g->reserved = 0;
	if (pop)
		g->thumb ? gen_emit16(g, 0xbd00) : gen_emit32(g, 0xe49df004);	/* POP {PC} */
	else if (g->thumb)
		gen_emit16(g, 0x4770);						/* BX LR */
	else
		gen_emit32(g, gen_rn(g, 2) ? 0xe12fff1eu : 0xe1a0f00eu);	/* BX LR, MOV PC, LR */
	g->thumb = host;
	g->s->items[g->s->nitems].alt_off = (uint16_t)island;
	g->s->items[g->s->nitems].alt_len = (uint16_t)(gen_pos(g) - island);
	if (!host && (gen_pos(g) & 2))
		gen_emit16(g, 0xbf00);	/* never executed: aligns the ARM code after */
	after = gen_pos(g);

	if (by_reg) {
		uint32_t a = DIFF_CODE_BASE + island + !host;

		g->reserved = 0;
		/* re-emit the setup in place with the real address */
		{
			unsigned end = gen_pos(g);

			g->s->in.code_len = abs_pos;
			gen_set_reg(g, r, a);
			g->s->in.code_len = end;
		}
		if (!host)
			put_a32(g, call, 0xe12fff30 | r);
	} else if (host) {	/* T32 BLX to ARM: Align(PC, 4) + imm */
		uint32_t d = island - ((call + 4) & ~3u);
		uint32_t s = d >> 24 & 1, i1 = d >> 23 & 1, i2 = d >> 22 & 1;

		put_t32(g, call, 0xf000c000 | s << 26 | (d >> 12 & 0x3ff) << 16 |
			(~(i1 ^ s) & 1) << 13 | (~(i2 ^ s) & 1) << 11 | (d >> 2 & 0x3ff) << 1);
	} else {		/* A32 BLX to Thumb: H is bit 1 of the offset */
		uint32_t d = island - (call + 8);

		put_a32(g, call, 0xfa000000 | (d >> 1 & 1) << 24 | (d >> 2 & 0xffffff));
	}
	if (host)
		put_t32(g, b, gen_encode_branch(GEN_BR_T32, 0xf0009000, (int32_t)(after - (b + 4))));
	else
		put_a32(g, b, 0xea000000 | ((after - (b + 8)) >> 2 & 0xffffff));
}

/* The jump tables compilers emit for ARM switches: ADD PC, PC, Rm, LSL
 * #2 into a table of B, or LDR PC, [PC, Rm, LSL #2] from a table of
 * addresses; in Thumb, ADD PC, Rm. Each lands on one of a few ADDS. */
static void switch_a32(struct gen *g)
{
	unsigned n = 1 + gen_rn(g, 6), m = 1 + gen_rn(g, 4), ld = gen_rn(g, 2);
	unsigned rm = gen_reg(g), rd = gen_reg_not(g, BIT(rm)), land;

	gen_item_name(g, ld ? "ldr-pc-table" : "add-pc-table");
	gen_set_reg(g, rm, gen_rn(g, n));
	gen_emit32(g, (ld ? 0xe79ff100u : 0xe08ff100u) | rm);
	gen_emit32(g, 0xe320f000);		/* skipped: PC reads 8 ahead */
	land = gen_pos(g) + 4 * n;
	for (unsigned i = 0; i < n; i++) {
		unsigned t = land + 4 * gen_rn(g, m), at = gen_pos(g);

		if (ld)
			gen_emit32(g, DIFF_CODE_BASE + t);
		else
			gen_emit32(g, 0xea000000 | ((t - (at + 8)) >> 2 & 0xffffff));
	}
	for (unsigned i = 0; i < m; i++)
		gen_emit32(g, 0xe2900000 | rd << 16 | rd << 12 | gen_rn(g, 256));	/* ADDS */
}

static void switch_t32(struct gen *g)
{
	unsigned m = 1 + gen_rn(g, 6), rm = gen_reg(g), rd = gen_lo_reg_not(g, BIT(rm));

	gen_item_name(g, "add-pc");
	/* PC reads 4 ahead: landing j (right after the ADD) is PC + 2j - 2. */
	gen_set_reg(g, rm, 2 * gen_rn(g, m) - 2);
	gen_emit16(g, (uint16_t)(0x4487 | rm << 3));
	for (unsigned i = 0; i < m; i++)
		gen_emit16(g, (uint16_t)(0x3000 | rd << 8 | gen_rn(g, 256)));	/* ADDS */
}

/* TBB/TBH [PC, Rm]: a table of forward offsets right after it, then a
 * few ADDS landings the entries point at (T32); or an ALU/load jump
 * table (above). */
void gen_table_branch(struct gen *g)
{
	unsigned h = gen_rn(g, 2), n = 1 + gen_rn(g, 6), m = 1 + gen_rn(g, 4);
	unsigned rm, rd, table, land, size;

	if (!g->thumb || gen_chance(g, 25)) {
		g->thumb ? switch_t32(g) : switch_a32(g);
		return;
	}
	rm = gen_reg(g);
	rd = gen_lo_reg_not(g, BIT(rm));
	gen_item_name(g, h ? "tbh" : "tbb");
	gen_set_reg(g, rm, gen_rn(g, n));
	gen_emit_t32(g, 0xe8dff000 | h << 4 | rm);
	table = gen_pos(g);
	size = (n << h) + ((n << h) & 1);
	land = table + size;
	for (unsigned i = 0; i < n; i++) {
		unsigned e = (land - table) / 2 + gen_rn(g, m);

		if (h) {
			gen_emit16(g, (uint16_t)e);
		} else {
			uint8_t b = (uint8_t)e;

			memcpy(g->s->code + g->s->in.code_len, &b, 1);
			g->s->in.code_len++;
		}
	}
	if (g->s->in.code_len & 1)
		g->s->code[g->s->in.code_len++] = 0;
	for (unsigned i = 0; i < m; i++)
		gen_emit16(g, (uint16_t)(0x3000 | rd << 8 | gen_rn(g, 256)));	/* ADDS */
}

/* SETEND BE, one or two data accesses (and perhaps MRS, which shows E),
 * SETEND LE. */
void gen_setend(struct gen *g)
{
	unsigned n = 1 + gen_rn(g, 2);

	gen_item_name(g, "setend");
	g->thumb ? gen_emit16(g, 0xb658) : gen_emit32(g, 0xf1010200);
	for (unsigned i = 0; i < n; i++) {
		g->reserved = 0;
		g->thumb ? gen_t32_one(g, GEN_F_MEM) : gen_a32_one(g, GEN_F_MEM);
	}
	g->reserved = 0;
	if (gen_chance(g, 30))
		g->thumb ? gen_emit_t32(g, 0xf3ef8000 | gen_reg(g) << 8)
			 : gen_emit32(g, 0xe10f0000 | gen_reg(g) << 12);
	g->thumb ? gen_emit16(g, 0xb650) : gen_emit32(g, 0xf1010000);
}

/* CPSR writes from User mode: MSR CPSR_<any mask> (register or
 * immediate) of a random value, which may change only NZCVQ, GE and E;
 * CPS, which is a NOP. Then MRS to look, and SETEND LE in case E is set. */
void gen_cpsr_write(struct gen *g)
{
	unsigned mask = 1 + gen_rn(g, 15), r = gen_reg(g);

	gen_item_name(g, "cpsr-write");
	switch (gen_rn(g, 3)) {
	case 0: { /* CPS{IE,ID} {A,I,F}, optionally with a mode (M) */
		unsigned imod = 2 + gen_rn(g, 2), m = gen_rn(g, 2), aif = 1 + gen_rn(g, 7);
		unsigned mode = m ? 0x10 | gen_rn(g, 16) : 0;

		if (g->thumb && gen_rn(g, 2))
			gen_emit16(g, (uint16_t)(0xb660 | (imod & 1) << 4 | aif));
		else if (g->thumb)
			gen_emit_t32(g, 0xf3af8000 | imod << 9 | m << 8 | aif << 5 | mode);
		else
			gen_emit32(g, 0xf1000000 | imod << 18 | m << 17 | aif << 6 | mode);
		break;
	}
	case 1:
		if (!g->thumb) {	/* MSR CPSR_<mask>, #imm */
			gen_emit32(g, 0xe320f000 | mask << 16 | gen_rn(g, 16) << 8 | gen_rn(g, 256));
			break;
		}
		__attribute__((fallthrough));
	default: /* MSR CPSR_<mask>, Rn */
		gen_set_reg(g, r, (uint32_t)gen_rnd(g));
		if (g->thumb)
			gen_emit_t32(g, 0xf3808000 | r << 16 | mask << 8);
		else
			gen_emit32(g, 0xe120f000 | mask << 16 | r);
		break;
	}
	g->thumb ? gen_emit_t32(g, 0xf3ef8000 | gen_reg_not(g, (uint16_t)(1u << r)) << 8)
		 : gen_emit32(g, 0xe10f0000 | gen_reg_not(g, (uint16_t)(1u << r)) << 12);
	g->thumb ? gen_emit16(g, 0xb650) : gen_emit32(g, 0xf1010000);
}

/* An access to unmapped memory, in one of several addressing modes: the
 * write-back ones must leave the base register alone (the fault comes
 * first). In T32, sometimes as the second instruction of an IT block, so
 * that the IT state at the fault is compared too. */
static void unmapped(struct gen *g)
{
	unsigned b = gen_reg(g), t = gen_reg_not(g, BIT(b)), t2, k = gen_rn(g, 6);
	uint16_t list = (uint16_t)(gen_rnd(g) & 0x5fff & ~BIT(b));
	uint32_t imm = gen_rn(g, 256);

	do
		t = 2 * gen_rn(g, 6);
	while (t == b || t + 1 == b);
	t2 = t + 1;
	if (__builtin_popcount(list) < 2)
		list |= (uint16_t)(b > 1 ? 3 : 0x300);
	gen_set_reg(g, b, DIFF_UNMAPPED + gen_rn(g, 64) * 4);
	if (g->thumb && gen_rn(g, 3) == 0) {
		unsigned d = gen_lo_reg_not(g, (uint16_t)(BIT(b) | BIT(t) | BIT(t2)));

		gen_emit16(g, 0xbfe4);	/* ITT AL */
		gen_emit16(g, (uint16_t)(0x1c00 | gen_rn(g, 8) << 6 | gen_lo_src(g) << 3 | d));
		if (k == 5)
			k = 0;		/* (no VLDM inside this IT) */
	}
	switch (k) {
	case 0: /* LDR/STR [Rb] */
		if (g->thumb)
			gen_emit_t32(g, (gen_rn(g, 2) ? 0xf8d00000u : 0xf8c00000u) | b << 16 | t << 12);
		else
			gen_emit32(g, (gen_rn(g, 2) ? 0xe5900000u : 0xe5800000u) | b << 16 | t << 12);
		break;
	case 1: /* LDR Rt, [Rb, #imm]! / STR Rt, [Rb], #-imm */
		if (g->thumb)
			gen_emit_t32(g, (gen_rn(g, 2) ? 0xf8500d00u : 0xf8400900u) | b << 16 | t << 12 | imm);
		else
			gen_emit32(g, (gen_rn(g, 2) ? 0xe5b00000u : 0xe4000000u) | b << 16 | t << 12 | imm);
		break;
	case 2: /* LDM Rb!, {...} / STMDB Rb!, {...} */
		if (g->thumb)
			gen_emit_t32(g, (gen_rn(g, 2) ? 0xe8b00000u : 0xe9200000u) | b << 16 | list);
		else
			gen_emit32(g, (gen_rn(g, 2) ? 0xe8b00000u : 0xe9200000u) | b << 16 | list);
		break;
	case 3: /* LDRD Rt, Rt2, [Rb, #imm]! */
		if (g->thumb)
			gen_emit_t32(g, 0xe9f00000 | b << 16 | t << 12 | t2 << 8 | imm);
		else
			gen_emit32(g, 0xe1e000d0 | b << 16 | t << 12 | (imm >> 4 & 15) << 8 | (imm & 15));
		break;
	case 4: /* STRD Rt, Rt2, [Rb], #imm */
		if (g->thumb)
			gen_emit_t32(g, 0xe8e00000 | b << 16 | t << 12 | t2 << 8 | imm);
		else
			gen_emit32(g, 0xe0c000f0 | b << 16 | t << 12 | (imm >> 4 & 15) << 8 | (imm & 15));
		break;
	default: /* VLDMIA Rb!, {Dd, ...} */
		gen_emit_cp(g, 14, 0x0cb00b00 | b << 16 | gen_rn(g, 16) << 12 | 2 * (1 + gen_rn(g, 8)));
		break;
	}
}

/* A last item that faults: UDF (SIGILL), BKPT (SIGTRAP), an access that
 * must be aligned and is not (SIGBUS), or one to unmapped memory
 * (SIGSEGV). */
void gen_fault(struct gen *g)
{
	unsigned b, t = 2 * gen_rn(g, 5);
	uint16_t list;

	gen_item_begin(g, "fault");
	g->s->expect_fault = true;
	switch (gen_rn(g, 8)) {
	case 3:	/* BKPT (SIGTRAP) */
		if (g->thumb)
			gen_emit16(g, (uint16_t)(0xbe00 | gen_rn(g, 256)));
		else
			gen_emit32(g, 0xe1200070 | gen_rn(g, 4096) << 8 | gen_rn(g, 16));
		break;
	case 0:	/* UDF, avoiding the encodings Linux uses as breakpoints */
		if (!g->thumb)
			gen_emit32(g, 0xe7f000f0 | (0x10 + gen_rn(g, 0xff0)) << 8 | gen_rn(g, 16));
		else if (gen_rn(g, 2))
			gen_emit16(g, (uint16_t)(0xde02 + gen_rn(g, 254)));
		else
			gen_emit_t32(g, 0xf7f0a000 | (1 + gen_rn(g, 15)) << 16 | gen_rn(g, 4096));
		break;
	case 1: case 2:	/* misaligned LDM/STM, LDRD/STRD, LDREX, VLDR */
		b = gen_reg(g);
		gen_set_reg(g, b, gen_data_addr(g, 64, 4) + 1 + gen_rn(g, 3));
		list = (uint16_t)((gen_rnd(g) & 0x1fff & ~BIT(b)) | 3u << (b ? 0 : 1));
		switch (gen_rn(g, 5)) {
		case 0: g->thumb ? gen_emit_t32(g, 0xe8900000 | b << 16 | list)
				 : gen_emit32(g, 0xe8900000 | b << 16 | list); break;
		case 1: g->thumb ? gen_emit_t32(g, 0xe8800000 | b << 16 | list)
				 : gen_emit32(g, 0xe8800000 | b << 16 | list); break;
		case 2: g->thumb ? gen_emit_t32(g, 0xe9d00000 | b << 16 | t << 12 | (t + 1) << 8)
				 : gen_emit32(g, 0xe1c000d0 | b << 16 | t << 12); break;
		case 3: g->thumb ? gen_emit_t32(g, 0xe8500f00 | b << 16 | t << 12)
				 : gen_emit32(g, 0xe1900f9f | b << 16 | t << 12); break;
		default: gen_emit_cp(g, 14, 0x0d900a00 | b << 16 | gen_rn(g, 16) << 12); break;
		}
		break;
	default:
		unmapped(g);
		break;
	}
	gen_item_end(g);
}
