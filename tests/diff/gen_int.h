/* gen_int.h — what the generator's parts (gen.c, gen_a32.c, gen_t32.c,
 * gen_vfp.c) share. Not for users of gen.h. */
#ifndef HSPT_TESTS_DIFF_GEN_INT_H
#define HSPT_TESTS_DIFF_GEN_INT_H

#include "tests/diff/gen.h"

#define R_SP 13
#define R_LR 14
#define R_PC 15

/* Branch items are patched once every item exists. */
struct gen_branch {
	unsigned item;		/* the branch's item */
	unsigned pos;		/* byte offset of the branch instruction */
	unsigned kind;		/* GEN_BR_* */
	unsigned skip;		/* items to jump over (wanted) */
	uint32_t insn;		/* encoding without the offset; GEN_BR_ABS: 1 to
				 * set bit 0 (Thumb) in the address */
};

enum {
	GEN_BR_ABS,		/* MOVW/MOVT of the target's address at pos */
	GEN_BR_A32,		/* B/BL<c>: imm24 */
	GEN_BR_T32_COND,	/* B<c>.W T3 */
	GEN_BR_T32,		/* B.W T4 / BL */
	GEN_BR_T16_COND,	/* B<c> T1: imm8 */
	GEN_BR_T16,		/* B T2: imm11 */
	GEN_BR_CBZ,		/* CBZ/CBNZ: i:imm5, forward only */
};

/* Is the branch a 32-bit instruction (A32 or wide T32)? */
static inline bool gen_br_wide(unsigned kind)
{
	return kind >= GEN_BR_A32 && kind <= GEN_BR_T32;
}

struct gen {
	uint64_t rng;
	struct gen_seq *s;
	bool thumb, vfp;
	unsigned sp;		/* SP, tracked exactly (PUSH/POP are unconditional) */
	uint16_t reserved;	/* registers that must not be written now */
	unsigned nbr;
	struct gen_branch br[GEN_MAX_ITEMS];
	/* While an IT block's body is generated, its instructions go to side[]
	 * and only setup (gen_set_reg) goes to the code, ahead of the IT. */
	bool in_it;
	unsigned nside;
	uint8_t side[64];
	/* Set inside an island that returns by POP {PC}: nothing may move
	 * SP or store relative to it (the return address is on the stack). */
	bool no_sp;
};

/* An instruction family and where it may be used. */
#define GEN_F_BODY	1u	/* no control flow: islands and SETEND blocks */
#define GEN_F_MEM	2u	/* a data access (SETEND blocks) */
#define GEN_F_IT	4u	/* T32: one instruction, may sit in an IT block */
#define GEN_F_VFP	8u	/* only with --vfp */
struct gen_family {
	void (*fn)(struct gen *g);
	unsigned weight;
	unsigned flags;
	const char *name;
};

/* A weighted choice among the families of t[0..n) that have every flag
 * in need (VFP ones only if g->vfp). */
const struct gen_family *gen_pick(struct gen *g, const struct gen_family *t, unsigned n,
				  unsigned need);

/* Random numbers. */
uint64_t gen_rnd(struct gen *g);
static inline unsigned gen_rn(struct gen *g, unsigned n)
{
	return (unsigned)((gen_rnd(g) >> 32) * n >> 32);
}
static inline bool gen_chance(struct gen *g, unsigned pct)
{
	return gen_rn(g, 100) < pct;
}
uint32_t gen_value(struct gen *g);	/* an "interesting" 32-bit value */

/* Registers: r0-r12 and r14, not reserved. */
unsigned gen_reg(struct gen *g);
unsigned gen_lo_reg(struct gen *g);	/* r0-r7, not reserved */
/* Any of r0-r12, r14 (may be reserved: for reading only); may emit a
 * setup loading it with an edge value (which reserves it). */
unsigned gen_src(struct gen *g);
unsigned gen_lo_src(struct gen *g);
/* A register holding a shift amount: often one of the edges 0, 32, 256... */
unsigned gen_shift_src(struct gen *g);
/* A register other than those in mask (and not reserved). */
unsigned gen_reg_not(struct gen *g, uint16_t mask);
unsigned gen_lo_reg_not(struct gen *g, uint16_t mask);

/* How many of r0-r7 are not reserved (IT blocks reserve setup registers
 * until their end; families that need low setup registers check this). */
static inline unsigned gen_free_lo(const struct gen *g)
{
	return 8 - (unsigned)__builtin_popcount(g->reserved & 0xffu);
}

/* Emission into the current item. */
void gen_emit32(struct gen *g, uint32_t w);	/* A32 word */
void gen_emit16(struct gen *g, uint16_t h);	/* T32 halfword */
void gen_emit_t32(struct gen *g, uint32_t w);	/* T32 wide: hw1 = w >> 16 */
unsigned gen_pos(const struct gen *g);
void gen_item_begin(struct gen *g, const char *what);
void gen_item_end(struct gen *g);
void gen_item_name(struct gen *g, const char *what);	/* rename the current item */
void gen_item_sp(struct gen *g, int delta);
void gen_add_branch(struct gen *g, unsigned kind, uint32_t insn, unsigned skip);

/* Load an exact value into a register (MOVW, plus MOVT if needed),
 * unconditionally, in the current instruction set. */
void gen_set_reg(struct gen *g, unsigned r, uint32_t v);

/* A random address in the data part of the scratch area for an access of
 * span bytes, aligned to align. */
uint32_t gen_data_addr(struct gen *g, unsigned span, unsigned align);

/* One item of each instruction set (gen_a32.c, gen_t32.c). */
void gen_a32_item(struct gen *g);
void gen_t32_item(struct gen *g);
/* One instruction (and setup) of a family with the given flags, in the
 * current instruction set (islands, SETEND blocks). */
void gen_a32_one(struct gen *g, unsigned need);
void gen_t32_one(struct gen *g, unsigned need);

/* Control flow (gen_branch.c): B/BL/CBZ, indirect and interworking
 * branches, ARM<->Thumb islands, TBB/TBH; and the deliberate faults. */
void gen_branch_direct(struct gen *g);
void gen_branch_indirect(struct gen *g);
void gen_island(struct gen *g);
void gen_table_branch(struct gen *g);
void gen_setend(struct gen *g);
void gen_cpsr_write(struct gen *g);
void gen_fault(struct gen *g);
uint32_t gen_encode_branch(unsigned kind, uint32_t insn, int32_t disp);
/* A VFP load or store (VLDR/VSTR/VLDM/VSTM). */
void gen_vfp_mem(struct gen *g, unsigned cond);
/* One VFP instruction (and its setup) in the current instruction set,
 * with condition cond in A32 (ignored in T32). Emits exactly one
 * instruction besides setup, so it may sit in an IT block. */
void gen_vfp(struct gen *g, unsigned cond);
/* Emit a VFP/coprocessor encoding given in A32 form without its
 * condition: cond << 28 in A32, 0xe << 28 as a wide T32 instruction. */
void gen_emit_cp(struct gen *g, unsigned cond, uint32_t w);

/* A32 condition for an instruction: AL most of the time. */
unsigned gen_cond(struct gen *g);

#endif
