/* hspt_fixture.h — shared helpers for the shadow-engine tests
 * (test_hspt.c, test_hspt_stress.c).
 *
 * Every test file under tests/unit is linked into one binary, so all here is
 * static inline. The fixture builds one VM over a physmem whose RAM starts
 * at HFX_RAM_BASE; every RAM word below the page-table pool holds
 * hfx_word(gpa), a bijection of its GPA, so a value read back names the
 * physical address it came from. */
#ifndef HSPT_TESTS_UNIT_HSPT_FIXTURE_H
#define HSPT_TESTS_UNIT_HSPT_FIXTURE_H

#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/shadow.h"
#include "tests/lib/ptb.h"

#define HFX_RAM_BASE	0x40000000u
#define HFX_MMIO_BASE	0x09000000u
#define HFX_MMIO_SIZE	0x1000u
#define HFX_MMIO_ID	7u
#define HFX_UNASSIGNED	0x30000000u	/* neither RAM nor device */
#define HFX_POOL_SIZE	(4u << 20)	/* page tables: the top of RAM */

#define HFX_DACR_CLIENT	0x55555555u	/* every domain Client */

#define HFX_PAGE	0x1000u
#define HFX_SECTION	0x100000u

struct hfx {
	struct physmem pm;
	struct ptb ptb;
	struct shadow_vm *vm;
	struct shadow_cpu *cpu;		/* vCPU 0 */
	uint64_t ram_size;
	uint64_t pool;			/* GPA of the page-table pool */
};

/* The content of the RAM word at gpa (4-byte aligned): odd multiplier, so
 * distinct GPAs below 4 GiB give distinct words. */
static inline uint32_t hfx_word(uint64_t gpa)
{
	return (uint32_t)gpa * 0x9e3779b1u ^ 0xa5a5a5a5u;
}

/* The little-endian value of size bytes at gpa (naturally aligned) in a
 * region that still holds hfx_word() content. */
static inline uint64_t hfx_expect(uint64_t gpa, unsigned size)
{
	uint64_t w = hfx_word(gpa & ~3ull);

	switch (size) {
	case 1: return (w >> ((gpa & 3) * 8)) & 0xff;
	case 2: return (w >> ((gpa & 2) * 8)) & 0xffff;
	case 8: return w | (uint64_t)hfx_word((gpa & ~3ull) + 4) << 32;
	default: return w;
	}
}

static inline void hfx_fill_words(struct physmem *pm, uint64_t gpa, uint64_t size)
{
	uint32_t *p = physmem_ptr(pm, gpa, size);

	cr_assert_not_null(p, "no RAM at %#llx+%#llx", (unsigned long long)gpa,
			   (unsigned long long)size);
	for (uint64_t i = 0; i < size / 4; i++)
		p[i] = hfx_word(gpa + i * 4);
}

static inline uint32_t *hfx_ram32(struct hfx *f, uint64_t gpa)
{
	uint32_t *p = physmem_ptr(&f->pm, gpa, 4);

	cr_assert_not_null(p, "no RAM at %#llx", (unsigned long long)gpa);
	return p;
}

/* Attach cpu to the calling thread and program the MMU: TTBR0 = ttbr0,
 * TTBCR = 0, every domain Client, CONTEXTIDR = asid, MMU on, PL1. */
static inline void hfx_program(struct shadow_cpu *cpu, uint32_t ttbr0, uint32_t asid)
{
	cr_assert_eq(shadow_cpu_attach(cpu), 0, "shadow_cpu_attach");
	shadow_cpu_set_ttbr0(cpu, ttbr0);
	shadow_cpu_set_ttbr1(cpu, 0);
	cr_assert_eq(shadow_cpu_set_ttbcr(cpu, 0), 0);
	cr_assert_eq(shadow_cpu_set_dacr(cpu, HFX_DACR_CLIENT), 0);
	cr_assert_eq(shadow_cpu_set_contextidr(cpu, asid), 0);
	cr_assert_eq(shadow_cpu_set_sctlr(cpu, SCTLR_M), 0);
	shadow_cpu_set_pl(cpu, 1);
}

/* A VM over ram_mib MiB of RAM at HFX_RAM_BASE plus one MMIO page; vCPU 0
 * attached to the calling thread and programmed with the builder's L1 as
 * TTBR0 and ASID 1 (unless attach is false). */
static inline void hfx_setup_cfg(struct hfx *f, unsigned ram_mib,
				 const struct shadow_config *cfg, bool attach)
{
	memset(f, 0, sizeof(*f));
	f->ram_size = (uint64_t)ram_mib << 20;
	f->pool = HFX_RAM_BASE + f->ram_size - HFX_POOL_SIZE;
	cr_assert_eq(physmem_init(&f->pm), 0, "physmem_init");
	cr_assert_eq(physmem_add_ram(&f->pm, HFX_RAM_BASE, f->ram_size), 0);
	cr_assert_eq(physmem_add_mmio(&f->pm, HFX_MMIO_BASE, HFX_MMIO_SIZE, HFX_MMIO_ID), 0);
	hfx_fill_words(&f->pm, HFX_RAM_BASE, f->pool - HFX_RAM_BASE);
	cr_assert_eq(ptb_init(&f->ptb, &f->pm, f->pool, HFX_POOL_SIZE), 0);
	cr_assert_eq(shadow_vm_create(&f->pm, cfg, &f->vm), 0, "shadow_vm_create(%s)",
		     shadow_org_name(cfg->org));
	f->cpu = shadow_vm_cpu(f->vm, 0);
	cr_assert_not_null(f->cpu);
	if (attach)
		hfx_program(f->cpu, f->ptb.l1, 1);
}

static inline void hfx_setup(struct hfx *f, enum shadow_org org, unsigned group_size,
			     unsigned ram_mib)
{
	struct shadow_config cfg = { .org = org, .group_size = group_size, .ncpus = 1 };

	hfx_setup_cfg(f, ram_mib, &cfg, true);
}

static inline void hfx_teardown(struct hfx *f)
{
	if (f->cpu)
		shadow_cpu_detach(f->cpu);
	shadow_vm_destroy(f->vm);
	physmem_destroy(&f->pm);
}

/* Outcome of one guest access. */
struct hacc {
	bool ok;
	uint64_t v;			/* loaded value (reads) */
	struct shadow_fault fault;	/* when !ok */
};

#define HFX_CUR_PL (-1)		/* access at cpu->pl through GS */

/* One guest access of size bytes: a read (returns the value) or a write
 * of wval. pl == HFX_CUR_PL uses shadow_ldN/stN (GS, current view);
 * otherwise the _pl forms with that privilege level. Never returns
 * through a fault: faults come back in the result. */
static inline struct hacc hfx_access(struct shadow_cpu *cpu, uint32_t va, unsigned size,
				     bool write, uint64_t wval, int pl)
{
	sigjmp_buf jb;
	sigjmp_buf *volatile saved = cpu->recover;
	struct hacc r = { .ok = true };

	cpu->fault.kind = SHADOW_FAULT_NONE;
	cpu->recover = &jb;
	if (sigsetjmp(jb, 0)) {
		struct hacc f = { .ok = false, .fault = cpu->fault };

		cpu->recover = saved;
		return f;
	}
	if (pl == HFX_CUR_PL) {
		switch (size) {
		case 1: if (write) shadow_st8(cpu, va, (uint8_t)wval); else r.v = shadow_ld8(cpu, va); break;
		case 2: if (write) shadow_st16(cpu, va, (uint16_t)wval); else r.v = shadow_ld16(cpu, va); break;
		case 8: if (write) shadow_st64(cpu, va, wval); else r.v = shadow_ld64(cpu, va); break;
		default: if (write) shadow_st32(cpu, va, (uint32_t)wval); else r.v = shadow_ld32(cpu, va); break;
		}
	} else {
		unsigned p = (unsigned)pl;

		switch (size) {
		case 1: if (write) shadow_st8_pl(cpu, va, (uint8_t)wval, p); else r.v = shadow_ld8_pl(cpu, va, p); break;
		case 2: if (write) shadow_st16_pl(cpu, va, (uint16_t)wval, p); else r.v = shadow_ld16_pl(cpu, va, p); break;
		case 8: if (write) shadow_st64_pl(cpu, va, wval, p); else r.v = shadow_ld64_pl(cpu, va, p); break;
		default: if (write) shadow_st32_pl(cpu, va, (uint32_t)wval, p); else r.v = shadow_ld32_pl(cpu, va, p); break;
		}
	}
	cpu->recover = saved;
	return r;
}

static inline struct hacc hfx_ld32(struct shadow_cpu *cpu, uint32_t va)
{
	return hfx_access(cpu, va, 4, false, 0, HFX_CUR_PL);
}

static inline struct hacc hfx_st32(struct shadow_cpu *cpu, uint32_t va, uint32_t v)
{
	return hfx_access(cpu, va, 4, true, v, HFX_CUR_PL);
}

static inline const char *hfx_kind_name(enum shadow_fault_kind k)
{
	switch (k) {
	case SHADOW_FAULT_NONE: return "none";
	case SHADOW_FAULT_ABORT: return "abort";
	case SHADOW_FAULT_MMIO: return "mmio";
	case SHADOW_FAULT_UNASSIGNED: return "unassigned";
	}
	return "?";
}

/* Human-readable outcome, for failure messages. */
static inline const char *hfx_describe(const struct hacc *r, char *buf, size_t len)
{
	if (r->ok)
		snprintf(buf, len, "ok value %#llx", (unsigned long long)r->v);
	else
		snprintf(buf, len, "%s fs %#x fsr %#x va %#x write %d gpa %#llx mmio %u+%#llx",
			 hfx_kind_name(r->fault.kind), r->fault.fs, r->fault.fsr,
			 r->fault.va, r->fault.write, (unsigned long long)r->fault.gpa,
			 r->fault.mmio_id, (unsigned long long)r->fault.mmio_offset);
	return buf;
}

/* Read va at the current PL and expect the RAM word at gpa. */
#define hfx_assert_reads(cpu, va, gpa, ...) do {                                    \
	struct hacc r_ = hfx_ld32((cpu), (va));                                      \
	char d_[160];                                                                \
	cr_assert(r_.ok && r_.v == hfx_word(gpa),                                    \
		  "read of va %#x: %s, expected %#x (GPA %#llx): " __VA_ARGS__,        \
		  (unsigned)(va), hfx_describe(&r_, d_, sizeof(d_)), hfx_word(gpa),  \
		  (unsigned long long)(gpa));                                        \
} while (0)

/* The DFSR an abort with fault status fs in domain dom must report. */
static inline uint32_t hfx_dfsr(unsigned fs, unsigned dom, bool write)
{
	return (fs & 0xfu) | ((fs >> 4) & 1u) << 10 | (dom & 15u) << 4 |
	       (write ? 1u << 11 : 0);
}

/* Expect a data abort with fault status fs at va; dom < 0: the DFSR domain
 * field is architecturally UNKNOWN for this fault and is not compared. */
#define hfx_assert_abort(r, va_, fs_, dom_, write_) do {                            \
	struct hacc a_ = (r);                                                        \
	char d_[160];                                                                \
	int dm_ = (int)(dom_);                                                       \
	uint32_t m_ = dm_ < 0 ? ~0xf0u : ~0u;                                         \
	uint32_t x_ = hfx_dfsr((fs_), dm_ < 0 ? 0 : (unsigned)dm_, (write_));         \
	cr_assert(!a_.ok && a_.fault.kind == SHADOW_FAULT_ABORT,                     \
		  "va %#x: expected abort fs %#x, got %s", (unsigned)(va_),          \
		  (unsigned)(fs_), hfx_describe(&a_, d_, sizeof(d_)));               \
	cr_assert_eq(a_.fault.fs, (unsigned)(fs_), "va %#x: fs %#x, expected %#x",    \
		     (unsigned)(va_), a_.fault.fs, (unsigned)(fs_));                \
	cr_assert_eq(a_.fault.va, (uint32_t)(va_), "FAR %#x, expected %#x",          \
		     a_.fault.va, (unsigned)(va_));                                  \
	cr_assert_eq(a_.fault.write, (bool)(write_), "va %#x: write flag",           \
		     (unsigned)(va_));                                               \
	cr_assert_eq(a_.fault.fsr & m_, x_ & m_,                                     \
		     "va %#x: DFSR %#x, expected %#x (mask %#x)", (unsigned)(va_),      \
		     a_.fault.fsr, x_, m_);                                          \
} while (0)

/* Shadow fills so far: SIGSEGV fills in the HSPT modes, software-TLB
 * refills in soft mode. */
static inline uint64_t hfx_fills(const struct shadow_cpu *cpu)
{
	return __atomic_load_n(&cpu->stats.faults_filled, __ATOMIC_RELAXED) +
	       __atomic_load_n(&cpu->stats.soft_refills, __ATOMIC_RELAXED);
}

/* Lines of /proc/self/maps: the host VMAs of this process. */
static inline long hfx_count_maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	cr_assert_not_null(fp);
	while ((c = getc_unlocked(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static inline long hfx_max_map_count(void)
{
	FILE *fp = fopen("/proc/sys/vm/max_map_count", "r");
	long n = -1;

	cr_assert_not_null(fp);
	cr_assert_eq(fscanf(fp, "%ld", &n), 1);
	fclose(fp);
	return n;
}

/* splitmix64: the tests' deterministic random numbers. */
static inline uint64_t hfx_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t hfx_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(hfx_rand(s) % n);
}

#endif
