/* gen.h — random, valid user-level ARMv7-A instruction sequences for the
 * differential tester (docs/difftest.md).
 *
 * A sequence is a list of items: one instruction, or a few that belong
 * together (the MOVW/MOVT that point a base register into the scratch
 * area and the access that uses it, an IT block, an LDREX/STREX pair).
 * Forward branches jump over whole items, and the tester minimizes a
 * failing sequence by replacing items with NOPs, so an item is the unit
 * of both. Everything the generator emits is architecturally defined for
 * the state it sets up: no UNPREDICTABLE encodings, every access inside
 * the scratch area (record.h), no branch out of the sequence. */
#ifndef HSPT_TESTS_DIFF_GEN_H
#define HSPT_TESTS_DIFF_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/diff/record.h"

#define GEN_MAX_ITEMS 256

struct gen_opts {
	bool thumb;		/* T32 (else A32) */
	bool vfp;		/* include VFP instructions */
	unsigned items;		/* items per sequence (0: default) */
};

struct gen_item {
	uint16_t off, len;	/* bytes within the code */
	int16_t sp_delta;	/* how much the item moves SP (bytes) */
	bool branch;		/* jumps past its own end */
	uint16_t alt_off, alt_len;	/* code in the other instruction set (islands) */
	const char *what;	/* short name of the instruction family */
};

struct gen_seq {
	struct diff_in in;	/* initial state; in.code_len is the code size */
	uint8_t code[DIFF_CODE_MAX];
	uint8_t mem[DIFF_SCRATCH_SIZE];	/* used when in.flags & DIFF_F_MEM */
	unsigned nitems;
	struct gen_item items[GEN_MAX_ITEMS];
	bool expect_fault;	/* ends with a deliberate fault (gen_fault) */
};

/* Generate the sequence for (seed, index): the same pair always gives the
 * same sequence for a given generator version. */
void gen_sequence(struct gen_seq *s, uint64_t seed, uint32_t index, const struct gen_opts *o);

/* Replace items [from, to) with NOPs of the same size (layout and branch
 * targets are kept). */
void gen_nop_items(struct gen_seq *s, unsigned from, unsigned to);

/* Write the code as text: A32 words or T32 instructions (one 16-bit
 * halfword or a 32-bit pair), item by item, "|" between items. */
void gen_format_code(const struct gen_seq *s, unsigned from, unsigned to,
		     char *buf, unsigned len);

/* Is the T32 halfword h the first half of a 32-bit instruction? */
static inline bool gen_t32_is_wide(uint16_t h)
{
	return (h >> 11) >= 0x1d;
}

#endif
