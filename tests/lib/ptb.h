/* ptb.h — a guest page-table builder for tests and benchmarks: writes
 * ARMv7 short descriptors into guest RAM through physmem. Tables are
 * allocated from a bump allocator in a RAM range the caller reserves. */
#ifndef HSPT_TESTS_PTB_H
#define HSPT_TESTS_PTB_H

#include <stdbool.h>
#include <stdint.h>

#include "shadow/physmem.h"

struct ptb {
	struct physmem *pm;
	uint64_t next;		/* next free GPA for tables */
	uint64_t end;
	uint32_t l1;		/* GPA of the L1 table (16 KiB aligned) */
};

/* Descriptor attribute bundle; the builder places each field. */
struct ptb_attr {
	unsigned ap;		/* AP[2:0] */
	unsigned domain;	/* 0..15 (ignored for supersections and L2) */
	bool xn, pxn, ng;
};

/* Start a builder whose tables live in [pool, pool + size) of guest RAM;
 * allocates and clears a 16 KiB L1 table there. 0 or -ENOMEM. */
int ptb_init(struct ptb *b, struct physmem *pm, uint64_t pool, uint64_t size);
/* Another empty L1 table from the same pool (for a second TTBR). */
uint32_t ptb_new_l1(struct ptb *b);

void ptb_section(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a);
/* pa: PA[31:24]; the extended bits PA[39:32] are 0. Writes 16 entries. */
void ptb_supersection(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a);
/* Small and large pages; the L1 entry becomes a page-table descriptor with
 * a.domain and a.pxn, allocating the L2 table on first use. A large page
 * writes 16 identical L2 entries. */
void ptb_page(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a);
void ptb_large_page(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a);
/* Write a raw L1 or L2 descriptor (for fault and reserved encodings). */
void ptb_raw_l1(struct ptb *b, uint32_t l1, uint32_t va, uint32_t desc);
void ptb_raw_l2(struct ptb *b, uint32_t l1, uint32_t va, uint32_t desc);
/* Make va unmapped at whatever level maps it. */
void ptb_unmap(struct ptb *b, uint32_t l1, uint32_t va);

#endif
