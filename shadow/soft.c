/* soft.c — the conventional software MMU: the `soft` organization, and the
 * baseline every HSPT figure is compared with.
 *
 * It behaves like QEMU's softmmu for ARMv7: a direct-mapped TLB per
 * privilege level, entries not tagged by ASID, and the whole TLB flushed on
 * every ASID switch and every DACR write. A TLBIMVA that hits a VA inside a
 * region once filled from a section or larger flushes everything (entries
 * are per 4 KiB page, so the others of the block cannot be found
 * individually). MMIO is never cached: every device access walks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/internal.h"

int soft_init(struct shadow_cpu *cpu)
{
	cpu->tlb = aligned_alloc(64, 2 * sizeof(*cpu->tlb));
	if (!cpu->tlb)
		return -ENOMEM;
	soft_flush(cpu);
	return 0;
}

void soft_destroy(struct shadow_cpu *cpu)
{
	free(cpu->tlb);
	cpu->tlb = NULL;
}

static void invalidate(struct soft_tlb_entry *e)
{
	e->tag_read = SOFT_TLB_INVALID;
	e->tag_write = SOFT_TLB_INVALID;
	e->addend = 0;
}

void soft_flush(struct shadow_cpu *cpu)
{
	for (unsigned pl = 0; pl < 2; pl++)
		for (unsigned i = 0; i < SOFT_TLB_SIZE; i++)
			invalidate(&cpu->tlb[pl][i]);
	cpu->soft_large_lo = UINT32_MAX;
	cpu->soft_large_hi = 0;
	STAT_INC(&cpu->stats, soft_flushes);
}

void soft_flush_va(struct shadow_cpu *cpu, uint32_t va)
{
	if (va >= cpu->soft_large_lo && va <= cpu->soft_large_hi) {
		soft_flush(cpu);
		return;
	}
	for (unsigned pl = 0; pl < 2; pl++) {
		struct soft_tlb_entry *e = &cpu->tlb[pl][(va >> 12) & (SOFT_TLB_SIZE - 1)];

		if ((e->tag_read & ~0xfffu) == (va & ~0xfffu) ||
		    (e->tag_write & ~0xfffu) == (va & ~0xfffu))
			invalidate(e);
	}
}

/* Translate the page of va for acc at pl and install it; returns the TLB
 * entry, or raises the fault (never returns then). */
static struct soft_tlb_entry *refill(struct shadow_cpu *cpu, uint32_t va,
				     enum walk_access acc, unsigned pl)
{
	struct soft_tlb_entry *e = &cpu->tlb[pl][(va >> 12) & (SOFT_TLB_SIZE - 1)];
	struct walk_result res;
	uint32_t page = va & ~0xfffu;
	unsigned rights;
	uint8_t *host;

	if (shadow_translate(cpu, va, acc, pl, &res, &cpu->fault)) {
		shadow_count_fault(&cpu->stats, &cpu->fault);
		shadow_raise(cpu);
	}
	rights = walk_rights(&cpu->regs, &res, pl);
	host = physmem_ptr(cpu->vm->pm, res.pa & ~0xfffull, 0x1000);
	e->addend = (uintptr_t)host - page;
	e->tag_read = (rights & WALK_R) ? page : SOFT_TLB_INVALID;
	e->tag_write = (rights & WALK_W) ? page : SOFT_TLB_INVALID;
	if (res.block_size > 0x1000) {
		if (res.block_va < cpu->soft_large_lo)
			cpu->soft_large_lo = res.block_va;
		if (res.block_va + (res.block_size - 1) > cpu->soft_large_hi)
			cpu->soft_large_hi = res.block_va + (res.block_size - 1);
	}
	STAT_INC(&cpu->stats, soft_refills);
	return e;
}

static uint8_t *host_addr(struct shadow_cpu *cpu, uint32_t va, enum walk_access acc, unsigned pl)
{
	struct soft_tlb_entry *e = &cpu->tlb[pl][(va >> 12) & (SOFT_TLB_SIZE - 1)];
	uint32_t tag = acc == WALK_WRITE ? e->tag_write : e->tag_read;

	if (tag != (va & ~0xfffu))
		e = refill(cpu, va, acc, pl);
	return (uint8_t *)(uintptr_t)(va + e->addend);
}

/* Fixed-size accesses, so the compiler emits one load or store rather than
 * a call to memcpy: the baseline must not be slower than it has to be. */
static uint64_t load_n(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1:
		return *p;
	case 2:
		return *(const shadow_u16u *)p;
	case 4:
		return *(const shadow_u32u *)p;
	default:
		return *(const shadow_u64u *)p;
	}
}

static void store_n(uint8_t *p, uint64_t v, unsigned size)
{
	switch (size) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2:
		*(shadow_u16u *)p = (uint16_t)v;
		break;
	case 4:
		*(shadow_u32u *)p = (uint32_t)v;
		break;
	default:
		*(shadow_u64u *)p = v;
		break;
	}
}

void *shadow_host_ptr(struct shadow_cpu *cpu, uint32_t va, unsigned pl, bool write)
{
	if (!cpu->soft)
		return cpu->view_base[pl] + va;
	return host_addr(cpu, va, write ? WALK_WRITE : WALK_READ, pl);
}

uint64_t soft_load(struct shadow_cpu *cpu, uint32_t va, unsigned size, unsigned pl)
{
	uint64_t v = 0;

	if ((va & 0xfffu) + size <= 0x1000)
		return load_n(host_addr(cpu, va, WALK_READ, pl), size);
	/* Crossing a page: translate both halves before reading either. */
	uint32_t first = 0x1000 - (va & 0xfffu);
	uint8_t *a = host_addr(cpu, va, WALK_READ, pl);
	uint8_t *b = host_addr(cpu, va + first, WALK_READ, pl);

	memcpy(&v, a, first);
	memcpy((uint8_t *)&v + first, b, size - first);
	return v;
}

void soft_store(struct shadow_cpu *cpu, uint32_t va, uint64_t v, unsigned size, unsigned pl)
{
	if ((va & 0xfffu) + size <= 0x1000) {
		store_n(host_addr(cpu, va, WALK_WRITE, pl), v, size);
		return;
	}
	/* Crossing a page: both halves must be writable before either is
	 * written, or an abort would leave a torn store behind. */
	uint32_t first = 0x1000 - (va & 0xfffu);
	uint8_t *a = host_addr(cpu, va, WALK_WRITE, pl);
	uint8_t *b = host_addr(cpu, va + first, WALK_WRITE, pl);

	memcpy(a, &v, first);
	memcpy(b, (uint8_t *)&v + first, size - first);
}
