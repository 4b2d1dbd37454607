/* gen.c — the generator's core: random numbers, registers, items, the
 * initial state, branch patching (gen.h). The instruction families are in
 * gen_a32.c, gen_t32.c and gen_vfp.c. */
#include <stdio.h>
#include <string.h>

#include "tests/diff/gen_int.h"

uint64_t gen_rnd(struct gen *g)
{
	/* splitmix64: every seed, including 0, gives a good stream. */
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Edges of every operation: zero, signs, carries out of bytes and
 * halfwords, saturation limits, shift amounts around 32. */
static const uint32_t edge[] = {
	0, 1, 2, 0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu,
	0x80000001u, 0x7ffffffeu, 0xffffu, 0x10000u, 0x8000u, 0x7fffu,
	0xffff8000u, 0x80u, 0x7fu, 0xffu, 0xffffff80u, 0x80808080u,
	0x7f7f7f7fu, 0x7fff8000u, 0x80007fffu, 0x00ff00ffu, 0xff00ff00u,
	31, 32, 33, 63, 64, 255, 256, 0x80008000u, 0x7fff7fffu,
};
#define NEDGE (sizeof(edge) / sizeof(edge[0]))

uint32_t gen_value(struct gen *g)
{
	uint32_t r = (uint32_t)gen_rnd(g);

	switch (gen_rn(g, 8)) {
	case 0:
	case 1:
		return edge[gen_rn(g, NEDGE)];
	case 2:
		return r & 0xff;			/* small */
	case 3:
		return (uint32_t)-(int32_t)(r & 0xff);	/* small negative */
	case 4:
		/* halfwords or bytes near their limits */
		return (edge[gen_rn(g, 16)] & 0xffff) << 16 | (edge[gen_rn(g, 16)] & 0xffff);
	default:
		return r;
	}
}

static bool usable(const struct gen *g, unsigned r)
{
	return r != R_SP && r != R_PC && !(g->reserved & (1u << r));
}

/* Inside an IT block every register a body instruction may write stays
 * reserved to the end of the block: the setup of a later instruction
 * runs before the IT, so nothing in the body may clobber it. it_block()
 * keeps enough registers free for these loops to end. */
static unsigned take(struct gen *g, unsigned r)
{
	if (g->in_it)
		g->reserved |= (uint16_t)(1u << r);
	return r;
}

unsigned gen_reg_not(struct gen *g, uint16_t mask)
{
	for (;;) {
		unsigned r = gen_rn(g, 15);

		if (usable(g, r) && !(mask & (1u << r)))
			return take(g, r);
	}
}

unsigned gen_lo_reg_not(struct gen *g, uint16_t mask)
{
	for (;;) {
		unsigned r = gen_rn(g, 8);

		if (usable(g, r) && !(mask & (1u << r)))
			return take(g, r);
	}
}

unsigned gen_reg(struct gen *g)
{
	return gen_reg_not(g, 0);
}

unsigned gen_lo_reg(struct gen *g)
{
	return gen_lo_reg_not(g, 0);
}

/* A source operand; sometimes loaded with an edge value first, so that
 * operand pairs like INT_MIN / -1 turn up far more often than chance. */
static unsigned source(struct gen *g, unsigned r)
{
	/* A reserved register holds a setup value already: leave it. */
	if (!(g->reserved & (1u << r)) && gen_chance(g, 12))
		gen_set_reg(g, r, gen_chance(g, 70) ? edge[gen_rn(g, NEDGE)] : gen_value(g));
	return r;
}

unsigned gen_src(struct gen *g)
{
	unsigned r = gen_rn(g, 14);

	return source(g, r == R_SP ? R_LR : r);
}

unsigned gen_shift_src(struct gen *g)
{
	static const uint32_t amt[] = { 0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255, 256, 0xffffffe0u };
	unsigned r = gen_rn(g, 14);

	if (r == R_SP)
		r = R_LR;
	if (!(g->reserved & (1u << r)) && gen_chance(g, 40))
		gen_set_reg(g, r, amt[gen_rn(g, sizeof(amt) / sizeof(amt[0]))]);
	return r;
}

unsigned gen_lo_src(struct gen *g)
{
	return source(g, gen_rn(g, 8));
}

unsigned gen_cond(struct gen *g)
{
	return gen_chance(g, 60) ? 14 : gen_rn(g, 15);
}

/* ---- emission ---- */

static void put(struct gen *g, const uint8_t *b, unsigned n)
{
	struct gen_seq *s = g->s;

	if (g->in_it) {
		memcpy(g->side + g->nside, b, n);
		g->nside += n;
		return;
	}
	memcpy(s->code + s->in.code_len, b, n);
	s->in.code_len += n;
}

void gen_emit32(struct gen *g, uint32_t w)
{
	uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };

	put(g, b, 4);
}

void gen_emit16(struct gen *g, uint16_t h)
{
	uint8_t b[2] = { (uint8_t)h, (uint8_t)(h >> 8) };

	put(g, b, 2);
}

void gen_emit_t32(struct gen *g, uint32_t w)
{
	gen_emit16(g, (uint16_t)(w >> 16));
	gen_emit16(g, (uint16_t)w);
}

void gen_emit_cp(struct gen *g, unsigned cond, uint32_t w)
{
	if (g->thumb)
		gen_emit_t32(g, 0xe0000000u | (w & 0x0fffffffu));
	else
		gen_emit32(g, cond << 28 | (w & 0x0fffffffu));
}

unsigned gen_pos(const struct gen *g)
{
	return g->s->in.code_len;
}

void gen_item_begin(struct gen *g, const char *what)
{
	struct gen_item *it = &g->s->items[g->s->nitems];

	it->off = (uint16_t)gen_pos(g);
	it->len = 0;
	it->sp_delta = 0;
	it->branch = false;
	it->alt_off = it->alt_len = 0;
	it->what = what;
	g->reserved = 0;
}

void gen_item_name(struct gen *g, const char *what)
{
	g->s->items[g->s->nitems].what = what;
}

void gen_item_end(struct gen *g)
{
	struct gen_item *it = &g->s->items[g->s->nitems];

	it->len = (uint16_t)(gen_pos(g) - it->off);
	if (it->len)
		g->s->nitems++;
	g->reserved = 0;
}

void gen_item_sp(struct gen *g, int delta)
{
	g->s->items[g->s->nitems].sp_delta += (int16_t)delta;
	g->sp += (unsigned)delta;
}

void gen_add_branch(struct gen *g, unsigned kind, uint32_t insn, unsigned skip)
{
	struct gen_branch *b = &g->br[g->nbr++];

	b->item = g->s->nitems;
	b->pos = gen_pos(g);
	b->kind = kind;
	b->insn = insn;
	b->skip = skip;
	g->s->items[g->s->nitems].branch = true;
	if (kind == GEN_BR_ABS) {	/* MOVW/MOVT Rd, #target: insn = Rd | thumb << 4 */
		unsigned r = insn & 15;

		if (g->thumb) {
			gen_emit_t32(g, 0xf2400000u | r << 8);
			gen_emit_t32(g, 0xf2c00000u | r << 8);
		} else {
			gen_emit32(g, 0xe3000000u | r << 12);
			gen_emit32(g, 0xe3400000u | r << 12);
		}
		g->reserved |= (uint16_t)(1u << r);
	} else if (gen_br_wide(kind))
		g->thumb ? gen_emit_t32(g, insn) : gen_emit32(g, insn);
	else
		gen_emit16(g, (uint16_t)insn);
}

void gen_set_reg(struct gen *g, unsigned r, uint32_t v)
{
	bool in_it = g->in_it;
	uint32_t lo = v & 0xffff, hi = v >> 16;

	g->in_it = false;	/* setup goes ahead of any IT */
	if (g->thumb) {
		gen_emit_t32(g, 0xf2400000u | (lo >> 11 & 1) << 26 | (lo >> 12) << 16 |
			     (lo >> 8 & 7) << 12 | r << 8 | (lo & 0xff));
		if (hi)
			gen_emit_t32(g, 0xf2c00000u | (hi >> 11 & 1) << 26 | (hi >> 12) << 16 |
				     (hi >> 8 & 7) << 12 | r << 8 | (hi & 0xff));
	} else {
		gen_emit32(g, 0xe3000000u | (lo >> 12) << 16 | r << 12 | (lo & 0xfff));
		if (hi)
			gen_emit32(g, 0xe3400000u | (hi >> 12) << 16 | r << 12 | (hi & 0xfff));
	}
	g->in_it = in_it;
	g->reserved |= (uint16_t)(1u << r);
}

uint32_t gen_data_addr(struct gen *g, unsigned span, unsigned align)
{
	unsigned room = DIFF_DATA_SIZE - span;
	unsigned off = gen_rn(g, room + 1) & ~(align - 1);

	return DIFF_SCRATCH_BASE + off;
}

const struct gen_family *gen_pick(struct gen *g, const struct gen_family *t, unsigned n,
				  unsigned need)
{
	unsigned total = 0, k;

#define OK(f) (((f)->flags & need) == need && (g->vfp || !((f)->flags & GEN_F_VFP)))
	for (unsigned i = 0; i < n; i++)
		if (OK(&t[i]))
			total += t[i].weight;
	k = gen_rn(g, total);
	for (unsigned i = 0;; i++) {
		if (!OK(&t[i]))
			continue;
		if (k < t[i].weight)
			return &t[i];
		k -= t[i].weight;
	}
#undef OK
}

/* ---- the sequence ---- */

uint64_t gen_fp_init(struct gen *g);	/* gen_vfp.c */

static void init_state(struct gen *g)
{
	struct diff_in *in = &g->s->in;
	static const uint32_t rmodes[] = { 0, 1, 2, 3 };

	in->magic = DIFF_IN_MAGIC;
	in->flags = g->thumb ? DIFF_F_THUMB : 0;
	for (unsigned i = 0; i < 15; i++)
		in->r[i] = gen_value(g);
	in->r[R_SP] = DIFF_STACK_INIT;
	g->sp = DIFF_STACK_INIT;
	in->apsr = (uint32_t)gen_rnd(g) & DIFF_APSR_MASK;
	in->fpscr = (uint32_t)gen_rnd(g) & 0xf0000000u;
	in->fpscr |= rmodes[gen_rn(g, 4)] << 22;
	if (gen_chance(g, 30))
		in->fpscr |= 1u << 24;		/* FZ */
	if (gen_chance(g, 30))
		in->fpscr |= 1u << 25;		/* DN */
	if (gen_chance(g, 10))
		in->fpscr |= 1u << 26;		/* AHP */
	if (gen_chance(g, 20))
		in->fpscr |= (uint32_t)gen_rnd(g) & 0x9fu;	/* cumulative flags */
	for (unsigned i = 0; i < 32; i++)
		in->d[i] = gen_fp_init(g);
	in->mem_seed = (uint32_t)gen_rnd(g);
}

static bool fits(unsigned kind, int32_t disp)
{
	switch (kind) {
	case GEN_BR_ABS: return true;
	case GEN_BR_A32: return disp >= -(1 << 25) && disp < (1 << 25);
	case GEN_BR_T16_COND: return disp >= -256 && disp <= 254;
	case GEN_BR_T16: return disp >= -2048 && disp <= 2046;
	case GEN_BR_CBZ: return disp >= 0 && disp <= 126;
	default: return disp >= -(1 << 20) && disp < (1 << 20);
	}
}

uint32_t gen_encode_branch(unsigned kind, uint32_t insn, int32_t disp)
{
	uint32_t d = (uint32_t)disp;

	switch (kind) {
	case GEN_BR_A32:
		return insn | (d >> 2 & 0xffffff);
	case GEN_BR_T16_COND:
		return insn | (d >> 1 & 0xff);
	case GEN_BR_T16:
		return insn | (d >> 1 & 0x7ff);
	case GEN_BR_CBZ:
		return insn | (d >> 6 & 1) << 9 | (d >> 1 & 0x1f) << 3;
	case GEN_BR_T32_COND: {
		uint32_t s = d >> 20 & 1, j2 = d >> 19 & 1, j1 = d >> 18 & 1;

		return insn | s << 26 | (d >> 12 & 0x3f) << 16 | j1 << 13 | j2 << 11 |
		       (d >> 1 & 0x7ff);
	}
	default: {
		uint32_t s = d >> 24 & 1;
		uint32_t j1 = (~(d >> 23) ^ s) & 1, j2 = (~(d >> 22) ^ s) & 1;

		return insn | s << 26 | (d >> 12 & 0x3ff) << 16 | j1 << 13 | j2 << 11 |
		       (d >> 1 & 0x7ff);
	}
	}
}

static uint32_t get_a32(const struct gen_seq *s, unsigned pos)
{
	uint32_t w;

	memcpy(&w, s->code + pos, 4);
	return w;
}

static void put_a32(struct gen_seq *s, unsigned pos, uint32_t w)
{
	memcpy(s->code + pos, &w, 4);
}

static uint32_t get_t32(const struct gen_seq *s, unsigned pos)
{
	uint16_t h[2];

	memcpy(h, s->code + pos, 4);
	return (uint32_t)h[0] << 16 | h[1];
}

static void put_t32(struct gen_seq *s, unsigned pos, uint32_t w)
{
	uint16_t h[2] = { (uint16_t)(w >> 16), (uint16_t)w };

	memcpy(s->code + pos, h, 4);
}

/* Fill the immediates of the MOVW/MOVT pair at pos with v. */
static void patch_movw_movt(struct gen_seq *s, unsigned pos, bool thumb, uint32_t v)
{
	for (unsigned i = 0; i < 2; i++, v >>= 16) {
		uint32_t imm = v & 0xffff;

		if (thumb)
			put_t32(s, pos + 4 * i, (get_t32(s, pos + 4 * i) & ~0x040f70ffu) |
				(imm >> 11 & 1) << 26 | (imm >> 12) << 16 | (imm >> 8 & 7) << 12 |
				(imm & 0xff));
		else
			put_a32(s, pos + 4 * i, (get_a32(s, pos + 4 * i) & ~0x000f0fffu) |
				(imm >> 12) << 16 | (imm & 0xfff));
	}
}

/* Point each branch at the start of an item after it, skipping no item
 * that moves SP (the generator tracks SP exactly). */
static void patch_branches(struct gen *g)
{
	struct gen_seq *s = g->s;

	for (unsigned i = 0; i < g->nbr; i++) {
		struct gen_branch *b = &g->br[i];
		unsigned k = 0, pc = b->pos + (g->thumb ? 4 : 8);
		uint32_t w;

		while (k < b->skip && b->item + 1 + k < s->nitems &&
		       s->items[b->item + 1 + k].sp_delta == 0)
			k++;
		for (;; k--) {
			unsigned t = b->item + 1 + k;
			unsigned target = t < s->nitems ? s->items[t].off : s->in.code_len;

			if (fits(b->kind, (int32_t)(target - pc)) || k == 0) {
				w = gen_encode_branch(b->kind, b->insn, (int32_t)(target - pc));
				if (b->kind == GEN_BR_ABS)
					w = DIFF_CODE_BASE + target + (b->insn >> 4 & 1);
				break;
			}
		}
		if (b->kind == GEN_BR_ABS)
			patch_movw_movt(s, b->pos, g->thumb, w);
		else if (b->kind == GEN_BR_A32)
			put_a32(s, b->pos, w);
		else if (gen_br_wide(b->kind))
			put_t32(s, b->pos, w);
		else
			memcpy(s->code + b->pos, &(uint16_t){ (uint16_t)w }, 2);
	}
}

void gen_sequence(struct gen_seq *s, uint64_t seed, uint32_t index, const struct gen_opts *o)
{
	struct gen g = { .s = s, .thumb = o->thumb, .vfp = o->vfp };
	unsigned n;

	memset(s, 0, sizeof(*s));
	g.rng = seed * 0x2545f4914f6cdd1dull ^ ((uint64_t)index << 32 | index);
	gen_rnd(&g);
	init_state(&g);
	s->in.index = index;
	n = o->items ? o->items : 8 + gen_rn(&g, 40);
	if (n > GEN_MAX_ITEMS)
		n = GEN_MAX_ITEMS;
	/* An item is at most a few dozen bytes: stop well before the end. */
	while (s->nitems < n && gen_pos(&g) < DIFF_CODE_MAX - 256) {
		if (g.thumb)
			gen_t32_item(&g);
		else
			gen_a32_item(&g);
	}
	/* A few sequences end in a deliberate fault: the signal and its PC
	 * are compared, and memory as the sequence left it. */
	if (s->nitems < GEN_MAX_ITEMS && gen_chance(&g, 8))
		gen_fault(&g);
	patch_branches(&g);
}

void gen_nop_items(struct gen_seq *s, unsigned from, unsigned to)
{
	bool thumb = s->in.flags & DIFF_F_THUMB;

	for (unsigned i = from; i < to && i < s->nitems; i++) {
		uint8_t *p = s->code + s->items[i].off, *end = p + s->items[i].len;

		while (p < end) {
			if (!thumb) {
				memcpy(p, (const uint8_t[]){ 0x00, 0xf0, 0x20, 0xe3 }, 4);
				p += 4;
			} else if (gen_t32_is_wide((uint16_t)(p[0] | p[1] << 8)) && p + 4 <= end) {
				/* (an ARM island or a table may look wide at the end) */
				memcpy(p, (const uint8_t[]){ 0xaf, 0xf3, 0x00, 0x80 }, 4);
				p += 4;
			} else {
				memcpy(p, (const uint8_t[]){ 0x00, 0xbf }, 2);
				p += 2;
			}
		}
	}
}

void gen_format_code(const struct gen_seq *s, unsigned from, unsigned to, char *buf, unsigned len)
{
	bool thumb = s->in.flags & DIFF_F_THUMB;
	unsigned n = 0;

	buf[0] = 0;
	for (unsigned i = from; i < to && i < s->nitems && n + 32 < len; i++) {
		const uint8_t *p = s->code + s->items[i].off, *end = p + s->items[i].len;

		if (i > from)
			n += (unsigned)snprintf(buf + n, len - n, " |");
		while (p < end && n + 16 < len) {
			uint16_t h = (uint16_t)(p[0] | p[1] << 8);

			if (!thumb) {
				n += (unsigned)snprintf(buf + n, len - n, " %08x",
							h | (uint32_t)(p[2] | p[3] << 8) << 16);
				p += 4;
			} else if (gen_t32_is_wide(h) && p + 4 <= end) {
				n += (unsigned)snprintf(buf + n, len - n, " %04x%04x", h, p[2] | p[3] << 8);
				p += 4;
			} else {
				n += (unsigned)snprintf(buf + n, len - n, " %04x", h);
				p += 2;
			}
		}
	}
}
