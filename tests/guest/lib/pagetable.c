/* pagetable.c — building short-descriptor translation tables (ARM ARM
 * B3.5.1) and turning the MMU on and off.
 *
 * Normal memory is outer and inner write-back (TEX 001, C 1, B 1), Device
 * is shareable Device (TEX 000, C 0, B 1). The programs leave the caches
 * off (SCTLR.C = 0), so table writes need no cache maintenance, only the
 * barriers that order them before the walks and TLB operations. */
#include "guest.h"

/* TEX[2:0], C, B as (tex, cb) for each memory type. */
static uint32_t mem_tex(struct pt_attr a)
{
	return a.device ? 0 : 1;
}

static uint32_t mem_cb(struct pt_attr a)
{
	return a.device ? 1 : 3;	/* C:B */
}

uint32_t pt_section_desc(uint32_t pa, struct pt_attr a)
{
	return (pa & 0xfff00000u) | 2u | (a.pxn ? 1u : 0) | mem_cb(a) << 2 |
	       (a.xn ? 1u << 4 : 0) | (a.domain & 15u) << 5 | (a.ap & 3u) << 10 |
	       mem_tex(a) << 12 | ((a.ap >> 2) & 1u) << 15 | (a.shared ? 1u << 16 : 0) |
	       (a.ng ? 1u << 17 : 0);
}

uint32_t pt_supersection_desc(uint32_t pa, struct pt_attr a)
{
	/* Bits [8:5] and [23:20] are PA[39:32]: zero here. */
	a.domain = 0;
	return (pt_section_desc(pa, a) & ~0x00f00000u & ~0xff000000u) | (pa & 0xff000000u) |
	       1u << 18;
}

uint32_t pt_table_desc(const struct l2_table *l2, unsigned domain, bool pxn)
{
	return ((uint32_t)l2 & 0xfffffc00u) | 1u | (pxn ? 1u << 2 : 0) | (domain & 15u) << 5;
}

uint32_t pt_small_desc(uint32_t pa, struct pt_attr a)
{
	return (pa & 0xfffff000u) | 2u | (a.xn ? 1u : 0) | mem_cb(a) << 2 | (a.ap & 3u) << 4 |
	       mem_tex(a) << 6 | ((a.ap >> 2) & 1u) << 9 | (a.shared ? 1u << 10 : 0) |
	       (a.ng ? 1u << 11 : 0);
}

uint32_t pt_large_desc(uint32_t pa, struct pt_attr a)
{
	return (pa & 0xffff0000u) | 1u | mem_cb(a) << 2 | (a.ap & 3u) << 4 |
	       ((a.ap >> 2) & 1u) << 9 | (a.shared ? 1u << 10 : 0) | (a.ng ? 1u << 11 : 0) |
	       mem_tex(a) << 12 | (a.xn ? 1u << 15 : 0);
}

void pt_set(volatile uint32_t *entry, uint32_t desc)
{
	*entry = desc;
	dsb();
	isb();
}

void pt_clear(struct l1_table *t)
{
	memset(t, 0, sizeof(*t));
	dsb();
}

void pt_section(struct l1_table *t, uint32_t va, uint32_t pa, struct pt_attr a)
{
	pt_set(&t->e[va >> 20], pt_section_desc(pa, a));
}

void pt_supersection(struct l1_table *t, uint32_t va, uint32_t pa, struct pt_attr a)
{
	uint32_t d = pt_supersection_desc(pa, a);

	for (unsigned i = 0; i < 16; i++)
		t->e[((va & 0xff000000u) >> 20) + i] = d;
	dsb();
	isb();
}

void pt_table(struct l1_table *t, uint32_t va, struct l2_table *l2, unsigned domain, bool pxn)
{
	memset(l2, 0, sizeof(*l2));
	dsb();
	pt_set(&t->e[va >> 20], pt_table_desc(l2, domain, pxn));
}

void pt_small(struct l2_table *l2, uint32_t va, uint32_t pa, struct pt_attr a)
{
	pt_set(&l2->e[(va >> 12) & 0xffu], pt_small_desc(pa, a));
}

void pt_large(struct l2_table *l2, uint32_t va, uint32_t pa, struct pt_attr a)
{
	uint32_t d = pt_large_desc(pa, a);

	for (unsigned i = 0; i < 16; i++)
		l2->e[((va >> 12) & 0xf0u) + i] = d;
	dsb();
	isb();
}

void pt_identity(struct l1_table *t)
{
	struct pt_attr dev = { .ap = 3, .xn = true, .device = true };

	pt_clear(t);
	for (uint32_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE; pa += SZ_1M)
		t->e[pa >> 20] = pt_section_desc(pa, PT_RW);
	t->e[TESTDEV_BASE >> 20] = pt_section_desc(TESTDEV_BASE, dev);
#ifdef GUEST_QEMU
	t->e[0x09000000u >> 20] = pt_section_desc(0x09000000u, dev);
#endif
	dsb();
	isb();
}

void mmu_on(struct l1_table *t)
{
	ttbcr_write(0);
	ttbr0_write((uint32_t)t);
	dacr_write(0x55555555u);
	contextidr_write(0);
	isb();
	tlbiall(0);
	iciallu(0);
	bpiall(0);
	dsb();
	isb();
	sctlr_write(sctlr_read() | SCTLR_M);
	isb();
}

void mmu_off(void)
{
	sctlr_write(sctlr_read() & ~SCTLR_M);
	isb();
	tlbiall(0);
	iciallu(0);
	dsb();
	isb();
}

void sync_icache(void)
{
	dsb();
	iciallu(0);
	bpiall(0);
	dsb();
	isb();
}

void code_write(uint32_t pa, const uint32_t *words, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		wr32(pa + 4 * i, words[i]);
	sync_icache();
}
