/* record.h — the test image's memory layout and the records it exchanges
 * with the driver (tests/diff/). Shared by the host driver (x86-64) and the
 * ARM test image, both little-endian; every field has a fixed width and
 * the structs have no padding, so the same bytes mean the same on both.
 *
 * The driver writes a stream of diff_in records to the image's standard
 * input; for each one the image loads the state, runs the code and writes
 * one diff_out record to its standard output. The same image and the same
 * stream run under qemu-arm and under hspt (runner.c), and the two output
 * streams are compared record by record. */
#ifndef HSPT_TESTS_DIFF_RECORD_H
#define HSPT_TESTS_DIFF_RECORD_H

/* Fixed addresses (image.ld places the areas; image.c checks them). The
 * generator emits absolute addresses into the scratch area, so they must
 * be the same everywhere. */
#define DIFF_IMAGE_BASE		0x00010000u
#define DIFF_CODE_AREA		0x00200000u	/* 64 KiB, RWX */
#define DIFF_CODE_AREA_SIZE	0x00010000u
/* A sequence starts a little under 8 KiB into the area: PC-relative
 * loads in either direction read (zeroed) code-area bytes, and most
 * sequences cross the page boundary at +0x2000, with now and then a T32
 * instruction straddling it. */
#define DIFF_CODE_BASE		(DIFF_CODE_AREA + 0x1f00u)
#define DIFF_CODE_MAX		0x1000u		/* bytes of one sequence */
/* The scratch area straddles a page boundary (0x301000) so that accesses
 * crossing pages, the slow paths of both MMU modes, are exercised. */
#define DIFF_SCRATCH_BASE	0x00300f00u
#define DIFF_SCRATCH_SIZE	0x400u		/* data + stack, compared */
#define DIFF_DATA_SIZE		0x200u		/* [0, 0x200): loads and stores */
#define DIFF_STACK_LO		(DIFF_SCRATCH_BASE + DIFF_DATA_SIZE)
#define DIFF_STACK_HI		(DIFF_SCRATCH_BASE + DIFF_SCRATCH_SIZE)
#define DIFF_STACK_INIT		(DIFF_STACK_LO + 0x100u)	/* initial SP */

/* An address no one maps: sequences that must fault use it. */
#define DIFF_UNMAPPED		0x10000000u

#define DIFF_IN_MAGIC		0x51455344u	/* "DSEQ" */
#define DIFF_OUT_MAGIC		0x54554f44u	/* "DOUT" */

/* diff_in.flags */
#define DIFF_F_THUMB		1u	/* enter the code in Thumb state */
#define DIFF_F_MEM		2u	/* explicit scratch bytes follow the code */

/* The APSR bits a sequence may set and the image compares. */
#define DIFF_APSR_MASK		0xf80f0000u

#ifndef __ASSEMBLER__
#include <stdint.h>

struct diff_in {
	uint32_t magic;
	uint32_t index;
	uint32_t flags;
	uint32_t code_len;	/* bytes, even, <= DIFF_CODE_MAX */
	uint32_t mem_seed;	/* scratch fill (diff_fill_scratch) unless DIFF_F_MEM */
	uint32_t apsr;		/* NZCVQ, GE */
	uint32_t fpscr;
	uint32_t r[15];		/* r0-r14 */
	uint64_t d[32];
	/* Followed by code_len bytes of code, padded to a multiple of 4,
	 * then DIFF_SCRATCH_SIZE bytes if DIFF_F_MEM. */
};

struct diff_out {
	uint32_t magic;
	uint32_t index;
	uint32_t status;	/* 0, or the signal that stopped the code */
	uint32_t fault_pc;	/* where, when status != 0 */
	uint32_t r[15];		/* at the end, or at the fault */
	uint32_t apsr;		/* & DIFF_APSR_MASK */
	uint32_t cpsr;		/* the whole MRS value; at a fault, the whole
				 * CPSR (T and IT of the faulting instruction) */
	uint32_t fpscr;
	uint64_t d[32];
	uint8_t mem[DIFF_SCRATCH_SIZE];
};

_Static_assert(sizeof(struct diff_in) == 88 + 256, "diff_in layout");
_Static_assert(sizeof(struct diff_out) == 88 + 256 + DIFF_SCRATCH_SIZE, "diff_out layout");

/* The scratch area's initial bytes when DIFF_F_MEM is clear: xorshift32
 * from the seed, one word at a time. Shared so that the driver can print
 * the initial memory of a failing sequence. */
static inline void diff_fill_scratch(uint32_t *words, uint32_t seed)
{
	uint32_t x = seed ? seed : 0x9e3779b9u;

	for (unsigned i = 0; i < DIFF_SCRATCH_SIZE / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		words[i] = x;
	}
}
#endif

#endif
