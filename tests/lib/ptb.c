/* ptb.c — see ptb.h. */
#include "tests/lib/ptb.h"

#include <errno.h>
#include <string.h>

static uint32_t *word(struct ptb *b, uint64_t gpa)
{
	return physmem_ptr(b->pm, gpa, 4);
}

static uint64_t alloc(struct ptb *b, uint64_t size)
{
	uint64_t at = (b->next + size - 1) & ~(size - 1);

	if (at + size > b->end)
		return 0;
	b->next = at + size;
	memset(physmem_ptr(b->pm, at, size), 0, size);
	return at;
}

int ptb_init(struct ptb *b, struct physmem *pm, uint64_t pool, uint64_t size)
{
	b->pm = pm;
	b->next = pool;
	b->end = pool + size;
	if (!physmem_ptr(pm, pool, size))
		return -EINVAL;
	b->l1 = ptb_new_l1(b);
	return b->l1 ? 0 : -ENOMEM;
}

uint32_t ptb_new_l1(struct ptb *b)
{
	return (uint32_t)alloc(b, 16384);
}

static uint32_t *l1e(struct ptb *b, uint32_t l1, uint32_t va)
{
	return word(b, l1 + ((va >> 20) << 2));
}

void ptb_raw_l1(struct ptb *b, uint32_t l1, uint32_t va, uint32_t desc)
{
	*l1e(b, l1, va) = desc;
}

static uint32_t ap_bits_section(unsigned ap)
{
	return ((ap & 3u) << 10) | ((ap >> 2) & 1u) << 15;
}

void ptb_section(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a)
{
	uint32_t d = (pa & 0xfff00000u) | 2u | ap_bits_section(a.ap) |
		     (a.domain & 15u) << 5 | (a.xn ? 1u << 4 : 0) |
		     (a.pxn ? 1u : 0) | (a.ng ? 1u << 17 : 0);
	*l1e(b, l1, va) = d;
}

void ptb_supersection(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a)
{
	uint32_t d = (pa & 0xff000000u) | 2u | 1u << 18 | ap_bits_section(a.ap) |
		     (a.xn ? 1u << 4 : 0) | (a.pxn ? 1u : 0) | (a.ng ? 1u << 17 : 0);

	for (unsigned i = 0; i < 16; i++)
		*l1e(b, l1, (va & 0xff000000u) + (i << 20)) = d;
}

/* The L2 table for va, creating it (and the L1 page-table entry) if the L1
 * entry is not already a page-table descriptor. */
static uint64_t l2_table(struct ptb *b, uint32_t l1, uint32_t va, struct ptb_attr a)
{
	uint32_t *e = l1e(b, l1, va);
	uint64_t t;

	if ((*e & 3u) == 1u) {
		t = *e & 0xfffffc00u;
	} else {
		t = alloc(b, 1024);
		if (!t)
			return 0;
	}
	*e = (uint32_t)t | 1u | (a.domain & 15u) << 5 | (a.pxn ? 1u << 2 : 0);
	return t;
}

static uint32_t ap_bits_page(unsigned ap)
{
	return ((ap & 3u) << 4) | ((ap >> 2) & 1u) << 9;
}

void ptb_page(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a)
{
	uint64_t t = l2_table(b, l1, va, a);

	if (t)
		*word(b, t + (((va >> 12) & 0xffu) << 2)) =
			(pa & 0xfffff000u) | 2u | ap_bits_page(a.ap) |
			(a.xn ? 1u : 0) | (a.ng ? 1u << 11 : 0);
}

void ptb_large_page(struct ptb *b, uint32_t l1, uint32_t va, uint32_t pa, struct ptb_attr a)
{
	uint64_t t = l2_table(b, l1, va, a);
	uint32_t d = (pa & 0xffff0000u) | 1u | ap_bits_page(a.ap) |
		     (a.xn ? 1u << 15 : 0) | (a.ng ? 1u << 11 : 0);

	if (!t)
		return;
	for (unsigned i = 0; i < 16; i++)
		*word(b, t + ((((va >> 12) & 0xf0u) + i) << 2)) = d;
}

void ptb_raw_l2(struct ptb *b, uint32_t l1, uint32_t va, uint32_t desc)
{
	struct ptb_attr a = { .domain = (*l1e(b, l1, va) >> 5) & 15u };
	uint64_t t = l2_table(b, l1, va, a);

	if (t)
		*word(b, t + (((va >> 12) & 0xffu) << 2)) = desc;
}

void ptb_unmap(struct ptb *b, uint32_t l1, uint32_t va)
{
	uint32_t *e = l1e(b, l1, va);

	if ((*e & 3u) == 1u)
		*word(b, (*e & 0xfffffc00u) + (((va >> 12) & 0xffu) << 2)) = 0;
	else
		*e = 0;
}
