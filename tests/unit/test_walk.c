/* test_walk.c — unit tests for the ARMv7-A short-descriptor walker
 * (shadow/walk.h).
 *
 * Every expected value is derived from the ARM Architecture Reference Manual
 * ARMv7-A/R (DDI 0406C), not from shadow/walk.c:
 *   B3.5.1  short-descriptor L1/L2 descriptor formats
 *   B3.5.4  TTBR0/TTBR1 selection by TTBCR.N, TTBCR.PD0/PD1
 *   B3.6.1  AP[2:0] access permissions (Table B3-8), simplified model with
 *           SCTLR.AFE = 1 (Table B3-9), B3.6.3 Access flag
 *   B3.7.2  XN / PXN, checked only in Client domains
 *   B3.7.3  domains and DACR
 *   B3.12   fault checking order, B3.13.3 FSR encodings (Table B3-23)
 *
 * Descriptors are written raw into guest RAM by the d_*() encoders below,
 * so that a bug shared by the page-table builder and the walker cannot hide;
 * one test also checks that tests/lib/ptb agrees with the walker. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "shadow/physmem.h"
#include "shadow/walk.h"
#include "tests/lib/ptb.h"

/* ---- Guest physical layout for every test ------------------------------ */

#define RAM_BASE   0x40000000u
/* 16 MiB + 8 KiB, so that a 16 KiB-aligned L1 table at EDGE_TTB has its
 * first half in RAM and its second half past the end of RAM. */
#define RAM_SIZE   0x01002000u
#define RAM_END    (RAM_BASE + RAM_SIZE)
#define TTB0       (RAM_BASE + 0x00000u)	/* 16 KiB L1 table for TTBR0 */
#define TTB1       (RAM_BASE + 0x04000u)	/* 16 KiB L1 table for TTBR1 */
#define L2A        (RAM_BASE + 0x08000u)	/* 1 KiB L2 table, 4 KiB aligned */
#define L2B        (RAM_BASE + 0x08c00u)	/* 1 KiB L2 table, only 1 KiB aligned */
#define SPLIT_AREA (RAM_BASE + 0x10000u)	/* 32 KiB scratch for TTBCR.N tests */
#define PTB_POOL   (RAM_BASE + 0x20000u)	/* tests/lib/ptb allocations */
#define PTB_POOL_SIZE 0x20000u
#define EDGE_TTB   (RAM_BASE + 0x01000000u)	/* RAM_END - 8 KiB */

#define MMIO_BASE  0x09000000u			/* a device range, not RAM */
#define MMIO_SIZE  0x00010000u
#define HOLE       0x20000000u			/* neither RAM nor MMIO */

/* Attribute bits Linux puts in the low bits of TTBRx (IRGN, S, RGN, NOS):
 * TTBRx[6:0] are attributes, never part of the table base. */
#define TTBR_ATTRS 0x6au

static struct physmem mem;

static void setup(void)
{
	cr_assert_eq(physmem_init(&mem), 0, "physmem_init failed");
	cr_assert_eq(physmem_add_ram(&mem, RAM_BASE, RAM_SIZE), 0, "physmem_add_ram failed");
	cr_assert_eq(physmem_add_mmio(&mem, MMIO_BASE, MMIO_SIZE, 1), 0,
		     "physmem_add_mmio failed");
	/* A fresh memfd reads as zeros; make that explicit: every table entry
	 * starts as a fault descriptor. */
	memset(physmem_ptr(&mem, RAM_BASE, RAM_SIZE), 0, RAM_SIZE);
}

static void teardown(void)
{
	physmem_destroy(&mem);
}

TestSuite(walk, .init = setup, .fini = teardown);

/* ---- Descriptor encoders (ARM ARM B3.5.1, Figures B3-4 and B3-5) -------- */

struct attr {
	unsigned ap;		/* AP[2:0] */
	unsigned dom;		/* domain (sections and L1 page-table entries) */
	unsigned tex;		/* TEX[2:0] */
	bool xn, pxn, ng, s, c, b;
};

/* Section: PA[31:20] | NS 19 | 0 18 | nG 17 | S 16 | AP[2] 15 | TEX 14:12 |
 * AP[1:0] 11:10 | IMP 9 | Domain 8:5 | XN 4 | C 3 | B 2 | 1 1 | PXN 0. */
static uint32_t d_section(uint32_t pa, struct attr a)
{
	return (pa & 0xfff00000u) | (a.ng ? 1u << 17 : 0) | (a.s ? 1u << 16 : 0) |
	       ((a.ap >> 2) & 1u) << 15 | (a.tex & 7u) << 12 | (a.ap & 3u) << 10 |
	       (a.dom & 15u) << 5 | (a.xn ? 1u << 4 : 0) | (a.c ? 1u << 3 : 0) |
	       (a.b ? 1u << 2 : 0) | 2u | (a.pxn ? 1u : 0);
}

/* Supersection: PA[31:24] 31:24 | PA[35:32] 23:20 | NS 19 | 1 18 | nG 17 |
 * S 16 | AP[2] 15 | TEX 14:12 | AP[1:0] 11:10 | IMP 9 | PA[39:36] 8:5 |
 * XN 4 | C 3 | B 2 | 1 1 | PXN 0. No domain field: always domain 0. */
static uint32_t d_super(uint64_t pa, struct attr a)
{
	return ((uint32_t)pa & 0xff000000u) | (uint32_t)((pa >> 32) & 15u) << 20 |
	       1u << 18 | (a.ng ? 1u << 17 : 0) | (a.s ? 1u << 16 : 0) |
	       ((a.ap >> 2) & 1u) << 15 | (a.tex & 7u) << 12 | (a.ap & 3u) << 10 |
	       (uint32_t)((pa >> 36) & 15u) << 5 | (a.xn ? 1u << 4 : 0) |
	       (a.c ? 1u << 3 : 0) | (a.b ? 1u << 2 : 0) | 2u | (a.pxn ? 1u : 0);
}

/* L1 page table: base[31:10] | IMP 9 | Domain 8:5 | SBZ 4 | NS 3 | PXN 2 |
 * 0 1 | 1 0. */
static uint32_t d_table(uint32_t l2, unsigned dom, bool pxn)
{
	return (l2 & 0xfffffc00u) | (dom & 15u) << 5 | (pxn ? 1u << 2 : 0) | 1u;
}

/* Large page: PA[31:16] | XN 15 | TEX 14:12 | nG 11 | S 10 | AP[2] 9 |
 * SBZ 8:6 | AP[1:0] 5:4 | C 3 | B 2 | 0 1 | 1 0. */
static uint32_t d_large(uint32_t pa, struct attr a)
{
	return (pa & 0xffff0000u) | (a.xn ? 1u << 15 : 0) | (a.tex & 7u) << 12 |
	       (a.ng ? 1u << 11 : 0) | (a.s ? 1u << 10 : 0) | ((a.ap >> 2) & 1u) << 9 |
	       (a.ap & 3u) << 4 | (a.c ? 1u << 3 : 0) | (a.b ? 1u << 2 : 0) | 1u;
}

/* Small page: PA[31:12] | nG 11 | S 10 | AP[2] 9 | TEX 8:6 | AP[1:0] 5:4 |
 * C 3 | B 2 | 1 1 | XN 0. */
static uint32_t d_small(uint32_t pa, struct attr a)
{
	return (pa & 0xfffff000u) | (a.ng ? 1u << 11 : 0) | (a.s ? 1u << 10 : 0) |
	       ((a.ap >> 2) & 1u) << 9 | (a.tex & 7u) << 6 | (a.ap & 3u) << 4 |
	       (a.c ? 1u << 3 : 0) | (a.b ? 1u << 2 : 0) | 2u | (a.xn ? 1u : 0);
}

/* TEX[2:0]:C:B, the walk_result.texcb layout. */
static unsigned texcb(struct attr a)
{
	return (a.tex & 7u) << 2 | (a.c ? 2u : 0) | (a.b ? 1u : 0);
}

/* ---- Writing descriptors into guest RAM -------------------------------- */

static void wr32(uint64_t gpa, uint32_t v)
{
	uint32_t *p = physmem_ptr(&mem, gpa, 4);

	cr_assert_not_null(p, "test setup: GPA %#llx is not RAM", (unsigned long long)gpa);
	*p = v;
}

/* The L1 entry for va in a 16 KiB table at ttb (TTBR1, or TTBR0 with N=0). */
static void set_l1(uint32_t ttb, uint32_t va, uint32_t d)
{
	wr32(ttb + (va >> 20) * 4u, d);
}

static void set_l2(uint32_t l2, uint32_t va, uint32_t d)
{
	wr32(l2 + ((va >> 12) & 0xffu) * 4u, d);
}

static void map_section(uint32_t ttb, uint32_t va, uint32_t pa, struct attr a)
{
	set_l1(ttb, va, d_section(pa, a));
}

/* The architecture requires all 16 L1 entries of a supersection. */
static void map_super(uint32_t ttb, uint32_t va, uint64_t pa, struct attr a)
{
	for (uint32_t i = 0; i < 16; i++)
		set_l1(ttb, (va & 0xff000000u) + (i << 20), d_super(pa, a));
}

static void map_small(uint32_t ttb, uint32_t l2, uint32_t va, uint32_t pa, struct attr a)
{
	set_l1(ttb, va, d_table(l2, a.dom, a.pxn));
	set_l2(l2, va, d_small(pa, a));
}

/* The architecture requires all 16 L2 entries of a large page. */
static void map_large(uint32_t ttb, uint32_t l2, uint32_t va, uint32_t pa, struct attr a)
{
	set_l1(ttb, va, d_table(l2, a.dom, a.pxn));
	for (uint32_t i = 0; i < 16; i++)
		set_l2(l2, (va & 0xffff0000u) + (i << 12), d_large(pa, a));
}

/* ---- Registers --------------------------------------------------------- */

/* DACR domain field values (B3.7.3; the DACR description in B4.1). */
#define DOM_NONE     0u
#define DOM_CLIENT   1u
#define DOM_RESERVED 2u
#define DOM_MANAGER  3u

static const char *const dom_name[4] = { "no-access", "client", "reserved", "manager" };

static uint32_t dacr_all(unsigned type)
{
	uint32_t v = 0;

	for (unsigned d = 0; d < 16; d++)
		v |= (type & 3u) << (2 * d);
	return v;
}

static uint32_t dacr_with(uint32_t dacr, unsigned dom, unsigned type)
{
	return (dacr & ~(3u << (2 * dom))) | (type & 3u) << (2 * dom);
}

/* MMU on, TTBCR = 0 (all VAs through TTBR0 = TTB0), every domain Client. */
static struct walk_regs mmu_regs(void)
{
	return (struct walk_regs){
		.sctlr = SCTLR_M,
		.ttbr0 = TTB0 | TTBR_ATTRS,
		.ttbr1 = TTB1 | TTBR_ATTRS,
		.ttbcr = 0,
		.dacr = dacr_all(DOM_CLIENT),
		.contextidr = 0,
	};
}

/* ---- Walk helpers ------------------------------------------------------ */

static unsigned xlate_fs(const struct walk_regs *r, uint32_t va, struct walk_result *res)
{
	memset(res, 0, sizeof(*res));
	return walk_translate(r, &mem, va, res);
}

/* Translate va and assert that it succeeds. */
static struct walk_result xlate(const struct walk_regs *r, uint32_t va)
{
	struct walk_result res;
	unsigned fs = xlate_fs(r, va, &res);

	cr_assert_eq(fs, 0, "walk_translate(va=%#x): fault %#x, expected a translation", va, fs);
	return res;
}

static void expect_pa(const struct walk_regs *r, uint32_t va, uint64_t pa)
{
	struct walk_result res = xlate(r, va);

	cr_assert_eq(res.pa, pa, "va %#x: pa %#llx, expected %#llx", va,
		     (unsigned long long)res.pa, (unsigned long long)pa);
}

static void expect_fault(const struct walk_regs *r, uint32_t va, unsigned fs)
{
	struct walk_result res;
	unsigned got = xlate_fs(r, va, &res);

	cr_assert_eq(got, fs, "va %#x: walk_translate returned %#x, expected fault %#x",
		     va, got, fs);
}

/* The fields every successful translation must report. */
struct expect {
	uint64_t pa, block_pa;
	uint32_t block_va, block_size;
	unsigned level, domain, ap, texcb;
	bool xn, pxn, ng, s;
};

static void check_result(uint32_t va, const struct walk_result *res, const struct expect *e)
{
	cr_assert_eq(res->pa, e->pa, "va %#x: pa %#llx, expected %#llx", va,
		     (unsigned long long)res->pa, (unsigned long long)e->pa);
	cr_assert_eq(res->block_pa, e->block_pa, "va %#x: block_pa %#llx, expected %#llx", va,
		     (unsigned long long)res->block_pa, (unsigned long long)e->block_pa);
	cr_assert_eq(res->block_va, e->block_va, "va %#x: block_va %#x, expected %#x", va,
		     res->block_va, e->block_va);
	cr_assert_eq(res->block_size, e->block_size, "va %#x: block_size %#x, expected %#x",
		     va, res->block_size, e->block_size);
	cr_assert_eq(res->level, e->level, "va %#x: level %u, expected %u", va,
		     res->level, e->level);
	cr_assert_eq(res->domain, e->domain, "va %#x: domain %u, expected %u", va,
		     res->domain, e->domain);
	cr_assert_eq(res->ap, e->ap, "va %#x: AP[2:0] %#x, expected %#x", va, res->ap, e->ap);
	cr_assert_eq(res->texcb, e->texcb, "va %#x: TEX:C:B %#x, expected %#x", va,
		     res->texcb, e->texcb);
	cr_assert_eq(res->xn, e->xn, "va %#x: xn %d, expected %d", va, res->xn, e->xn);
	cr_assert_eq(res->pxn, e->pxn, "va %#x: pxn %d, expected %d", va, res->pxn, e->pxn);
	cr_assert_eq(res->ng, e->ng, "va %#x: ng %d, expected %d", va, res->ng, e->ng);
	cr_assert_eq(res->shareable, e->s, "va %#x: shareable %d, expected %d", va,
		     res->shareable, e->s);
	cr_assert(!res->flat, "va %#x: flat set with the MMU on", va);
}

/* ======================================================================== */
/* 1. L1 descriptor types                                                   */
/* ======================================================================== */

/* B3.5.1: L1 bits[1:0] == 0b00 is a fault whatever the other bits hold;
 * it reports a section translation fault (FS 0b00101) at level 1. */
Test(walk, l1_fault_descriptor)
{
	static const uint32_t descs[] = { 0x00000000u, 0xfffffffcu, 0x40100c1cu, 0x00040000u };
	struct walk_regs r = mmu_regs();

	for (unsigned i = 0; i < sizeof(descs) / sizeof(descs[0]); i++) {
		struct walk_result res;
		uint32_t va = 0x12300000u + i * 0x1000u;

		set_l1(TTB0, va, descs[i]);
		unsigned fs = xlate_fs(&r, va, &res);

		cr_assert_eq(fs, FS_TRANS_SECTION, "L1 desc %#x: fault %#x, expected %#x",
			     descs[i], fs, FS_TRANS_SECTION);
		cr_assert_eq(res.level, 1, "L1 desc %#x: level %u, expected 1", descs[i],
			     res.level);
	}
}

/* B3.5.1: section (0b10), bit 0 = PXN clear. PA = desc[31:20]:va[19:0];
 * the NS bit (19) is an attribute, never part of the PA. */
Test(walk, l1_section)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 3, .dom = 7, .tex = 5, .c = true, .b = true,
			  .xn = true, .ng = true, .s = true };
	uint32_t va = 0x12345678u;

	set_l1(TTB0, va, d_section(0x40700000u, a) | 1u << 19);
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x40745678u, .block_pa = 0x40700000u,
		.block_va = 0x12300000u, .block_size = 1u << 20,
		.level = 1, .domain = 7, .ap = 3, .texcb = texcb(a),
		.xn = true, .pxn = false, .ng = true, .s = true });
}

/* B3.5.1: a section with bits[1:0] == 0b11 is a section with PXN set
 * (not a reserved encoding on a PXN-capable VMSA). */
Test(walk, l1_section_pxn)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 5, .dom = 0, .pxn = true };
	uint32_t va = 0xfffff00cu;	/* top of the address space */

	set_l1(TTB0, va, d_section(0x7ff00000u, a));
	cr_assert_eq(d_section(0x7ff00000u, a) & 3u, 3u, "encoder: PXN section is 0b11");
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x7ffff00cu, .block_pa = 0x7ff00000u,
		.block_va = 0xfff00000u, .block_size = 1u << 20,
		.level = 1, .domain = 0, .ap = 5, .texcb = 0,
		.xn = false, .pxn = true, .ng = false, .s = false });
}

/* B3.5.1: supersection (bit 18 = 1): PA = desc[31:24]:va[23:0], 16 MiB block,
 * no domain field, so the domain is 0 (B3.7.3). Both PXN encodings. */
Test(walk, l1_supersection)
{
	struct walk_regs r = mmu_regs();

	for (unsigned pxn = 0; pxn < 2; pxn++) {
		struct attr a = { .ap = 2, .tex = 1, .b = true, .xn = true, .ng = true,
				  .pxn = pxn };
		uint32_t va = pxn ? 0x87654321u : 0x03abcdefu;

		map_super(TTB0, va, 0x45000000u, a);
		struct walk_result res = xlate(&r, va);
		check_result(va, &res, &(struct expect){
			.pa = 0x45000000u | (va & 0xffffffu), .block_pa = 0x45000000u,
			.block_va = va & 0xff000000u, .block_size = 1u << 24,
			.level = 1, .domain = 0, .ap = 2, .texcb = texcb(a),
			.xn = true, .pxn = pxn, .ng = true, .s = false });
	}
}

/* B3.5.1: supersection extended base: desc[23:20] = PA[35:32] and
 * desc[8:5] = PA[39:36]. The PA is above 4 GiB, and bits[8:5] are address
 * bits, not a domain: the supersection is still in domain 0, so DACR with
 * only D0 = Client allows the access. */
Test(walk, l1_supersection_extended_base)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 3 };
	uint64_t pa = 0xa545000000ull;	/* PA[39:36] = 0xa, PA[35:32] = 5 */
	uint32_t va = 0xc1234567u;

	map_super(TTB0, va, pa, a);
	cr_assert_eq(d_super(pa, a), 0x45540d42u, "encoder: supersection %#x",
		     d_super(pa, a));
	r.dacr = dacr_with(dacr_all(DOM_NONE), 0, DOM_CLIENT);
	struct walk_result res = xlate(&r, va);

	check_result(va, &res, &(struct expect){
		.pa = 0xa545234567ull, .block_pa = 0xa545000000ull,
		.block_va = 0xc1000000u, .block_size = 1u << 24,
		.level = 1, .domain = 0, .ap = 3, .texcb = 0 });
	cr_assert(res.pa >= (1ull << 32), "pa %#llx should be above 4 GiB",
		  (unsigned long long)res.pa);
	cr_assert_eq(walk_check(&r, &res, 1, WALK_WRITE), 0,
		     "supersection must use D0 (Client), not desc[8:5] (No access)");
}

/* ======================================================================== */
/* 2. L2 descriptor types                                                   */
/* ======================================================================== */

/* B3.5.1: L1 0b01 points to an L2 table at desc[31:10] (1 KiB aligned), entry
 * at va[19:12]. Small page (0b1x): PA = desc[31:12]:va[11:0], XN = bit 0,
 * TEX = bits[8:6]; domain and PXN come from the L1 page-table descriptor. */
Test(walk, l2_small_page)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 2, .dom = 9, .tex = 3, .c = true, .xn = true,
			  .pxn = true, .ng = true, .s = true };
	uint32_t va = 0x00345abcu;

	map_small(TTB0, L2B, va, 0x40abc000u, a);
	set_l1(TTB0, va, d_table(L2B, 9, true) | 1u << 3);	/* NS: attribute only */
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x40abcabcu, .block_pa = 0x40abc000u,
		.block_va = 0x00345000u, .block_size = 1u << 12,
		.level = 2, .domain = 9, .ap = 2, .texcb = texcb(a),
		.xn = true, .pxn = true, .ng = true, .s = true });
}

/* The same with XN (L2 bit 0) and PXN (L1 bit 2) clear: small page 0b10. */
Test(walk, l2_small_page_no_xn)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 7, .dom = 15, .b = true };
	uint32_t va = 0xbfffffffu;

	map_small(TTB0, L2A, va, 0x41fff000u, a);
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x41ffffffu, .block_pa = 0x41fff000u,
		.block_va = 0xbffff000u, .block_size = 1u << 12,
		.level = 2, .domain = 15, .ap = 7, .texcb = texcb(a),
		.xn = false, .pxn = false, .ng = false, .s = false });
}

/* PXN of a page comes from the L1 page-table descriptor (bit 2), XN from
 * the L2 descriptor: they are independent. */
Test(walk, l2_pxn_from_l1_xn_from_l2)
{
	struct walk_regs r = mmu_regs();
	uint32_t va = 0x00500000u;

	set_l1(TTB0, va, d_table(L2A, 1, false));
	set_l2(L2A, va, d_small(0x40000000u, (struct attr){ .ap = 3, .xn = true }));
	struct walk_result res = xlate(&r, va);
	cr_assert(res.xn && !res.pxn, "L1 PXN=0, L2 XN=1: got xn=%d pxn=%d", res.xn, res.pxn);

	set_l1(TTB0, va, d_table(L2A, 1, true));
	set_l2(L2A, va, d_small(0x40000000u, (struct attr){ .ap = 3, .xn = false }));
	res = xlate(&r, va);
	cr_assert(!res.xn && res.pxn, "L1 PXN=1, L2 XN=0: got xn=%d pxn=%d", res.xn, res.pxn);
}

/* B3.5.1: large page (0b01): PA = desc[31:16]:va[15:0], XN = bit 15,
 * TEX = bits[14:12]. With TEX = 0b101 and XN = 1, desc[15:12] = 0b1101: a
 * walker taking the small-page PA field would get PA bits 15:12 wrong. */
Test(walk, l2_large_page)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 7, .dom = 4, .tex = 5, .c = true, .b = true,
			  .xn = true, .ng = true, .s = true };
	uint32_t va = 0x0078a123u;

	map_large(TTB0, L2A, va, 0x40560000u, a);
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x4056a123u, .block_pa = 0x40560000u,
		.block_va = 0x00780000u, .block_size = 1u << 16,
		.level = 2, .domain = 4, .ap = 7, .texcb = texcb(a),
		.xn = true, .pxn = false, .ng = true, .s = true });
}

/* Large page without XN, with PXN from L1; XN must be read from bit 15 and
 * not from bit 0 (which is 1 in every large-page descriptor). */
Test(walk, l2_large_page_no_xn)
{
	struct walk_regs r = mmu_regs();
	struct attr a = { .ap = 1, .dom = 12, .tex = 2, .pxn = true };
	uint32_t va = 0x9abfffffu;

	map_large(TTB0, L2B, va, 0x40ff0000u, a);
	struct walk_result res = xlate(&r, va);
	check_result(va, &res, &(struct expect){
		.pa = 0x40ffffffu, .block_pa = 0x40ff0000u,
		.block_va = 0x9abf0000u, .block_size = 1u << 16,
		.level = 2, .domain = 12, .ap = 1, .texcb = texcb(a),
		.xn = false, .pxn = true, .ng = false, .s = false });
}

/* B3.5.1: L2 bits[1:0] == 0b00 is a page translation fault (FS 0b00111) at
 * level 2; the DFSR domain is the one of the L1 page-table descriptor. */
Test(walk, l2_fault_descriptor)
{
	struct walk_regs r = mmu_regs();
	static const uint32_t descs[] = { 0x00000000u, 0xfffffffcu, 0x40001ff0u };

	for (unsigned i = 0; i < sizeof(descs) / sizeof(descs[0]); i++) {
		struct walk_result res;
		uint32_t va = 0x00600000u + (i << 12);

		set_l1(TTB0, va, d_table(L2A, 11, false));
		set_l2(L2A, va, descs[i]);
		unsigned fs = xlate_fs(&r, va, &res);

		cr_assert_eq(fs, FS_TRANS_PAGE, "L2 desc %#x: fault %#x, expected %#x",
			     descs[i], fs, FS_TRANS_PAGE);
		cr_assert_eq(res.level, 2, "L2 desc %#x: level %u, expected 2", descs[i],
			     res.level);
		cr_assert_eq(res.domain, 11, "L2 desc %#x: domain %u, expected L1 domain 11",
			     descs[i], res.domain);
	}
	/* A valid neighbour in the same L2 table still translates. */
	set_l2(L2A, 0x00610000u, d_small(0x40000000u, (struct attr){ .ap = 3 }));
	expect_pa(&r, 0x00610abcu, 0x40000abcu);
}

/* walk_result names the descriptors the walk read (so the fill path can
 * re-read them): the L1 entry address (TTBR base + 4 * index, attribute
 * bits of the TTBR excluded) and value, and for pages the L2 entry's;
 * l2_gpa is 0 for level-1 translations. */
Test(walk, reports_descriptor_addresses)
{
	struct walk_regs r = mmu_regs();
	struct walk_result res;
	uint32_t dsec = d_section(0x40000000u, (struct attr){ .ap = 3, .dom = 2 });
	uint32_t dtab = d_table(L2B, 4, false);
	uint32_t dpg = d_small(0x40005000u, (struct attr){ .ap = 3 });

	set_l1(TTB0, 0x12300000u, dsec);
	res = xlate(&r, 0x12345678u);
	cr_assert_eq(res.l1_gpa, TTB0 + 0x123u * 4, "section: l1_gpa %#llx",
		     (unsigned long long)res.l1_gpa);
	cr_assert_eq(res.l1_desc, dsec, "section: l1_desc %#x", res.l1_desc);
	cr_assert_eq(res.l2_gpa, 0, "section: l2_gpa %#llx", (unsigned long long)res.l2_gpa);

	set_l1(TTB0, 0x00400000u, dtab);
	set_l2(L2B, 0x004ab000u, dpg);
	res = xlate(&r, 0x004abcdeu);
	cr_assert_eq(res.l1_gpa, TTB0 + 0x004u * 4, "page: l1_gpa %#llx",
		     (unsigned long long)res.l1_gpa);
	cr_assert_eq(res.l1_desc, dtab, "page: l1_desc %#x", res.l1_desc);
	cr_assert_eq(res.l2_gpa, L2B + 0xabu * 4, "page: l2_gpa %#llx",
		     (unsigned long long)res.l2_gpa);
	cr_assert_eq(res.l2_desc, dpg, "page: l2_desc %#x", res.l2_desc);

	/* Through TTBR1 with N = 2. */
	r.ttbcr = 2;
	set_l1(TTB1, 0xc0100000u, dsec);
	res = xlate(&r, 0xc0100004u);
	cr_assert_eq(res.l1_gpa, TTB1 + 0xc01u * 4, "TTBR1: l1_gpa %#llx",
		     (unsigned long long)res.l1_gpa);
}

/* ======================================================================== */
/* 3. TTBR0 / TTBR1 selection                                               */
/* ======================================================================== */

#define PA_T0_LO  0x10000000u	/* what TTBR0's table maps */
#define PA_T0_HI  0x10100000u
#define PA_T1_LO  0x20000000u	/* what TTBR1's table maps */
#define PA_T1_HI  0x20100000u
#define PA_DECOY  0x3e000000u	/* what any wrongly chosen entry maps */

static void fill_sections(uint64_t gpa, uint32_t bytes, uint32_t pa)
{
	for (uint32_t off = 0; off < bytes; off += 4)
		wr32(gpa + off, d_section(pa, (struct attr){ .ap = 3 }));
}

/* B3.5.4: with TTBCR.N = n, VAs below 2^(32-n) use TTBR0 (n = 0: all VAs),
 * the others TTBR1. The TTBR0 table is 16 KiB >> n, based at TTBR0[31:14-n]
 * and indexed by va[31-n:20]; the TTBR1 table is always based at
 * TTBR1[31:14] and indexed by va[31:20]. TTBRx[6:0] are attributes.
 * The TTBR0 table is placed at an address aligned to its own size but not
 * to twice that, and everything around it maps a decoy PA, so a wrong base
 * mask, a wrong index or a wrong TTBR selection gives a wrong PA. */
Test(walk, ttbcr_n_split)
{
	for (unsigned n = 0; n < 8; n++) {
		uint32_t t0_size = 16384u >> n;
		uint32_t t0 = SPLIT_AREA + (n ? t0_size : 0);
		uint32_t lo = 0, hi0 = (uint32_t)((1ull << (32 - n)) - (1u << 20));
		struct walk_regs r = mmu_regs();

		r.ttbcr = n;
		r.ttbr0 = t0 | TTBR_ATTRS;
		fill_sections(SPLIT_AREA, 0x8000u, PA_DECOY);
		fill_sections(TTB1, 0x4000u, PA_DECOY);
		/* TTBR0 entries: first and last of the 16K>>n table. */
		wr32(t0, d_section(PA_T0_LO, (struct attr){ .ap = 3 }));
		wr32(t0 + t0_size - 4, d_section(PA_T0_HI, (struct attr){ .ap = 3 }));

		expect_pa(&r, lo + 0x1234u, PA_T0_LO + 0x1234u);
		expect_pa(&r, hi0 + 0xfffffu, PA_T0_HI + 0xfffffu);
		if (n == 0)
			continue;

		/* TTBR1: the first VA at 2^(32-n), and the top of the space. */
		uint32_t lo1 = 1u << (32 - n);

		set_l1(TTB1, lo1, d_section(PA_T1_LO, (struct attr){ .ap = 3 }));
		set_l1(TTB1, 0xfff00000u, d_section(PA_T1_HI, (struct attr){ .ap = 3 }));
		expect_pa(&r, lo1, PA_T1_LO);
		expect_pa(&r, lo1 + 0x9876u, PA_T1_LO + 0x9876u);
		expect_pa(&r, 0xffffffffu, PA_T1_HI + 0xfffffu);
		/* The VA just below the split still uses TTBR0. */
		expect_pa(&r, lo1 - 1u, PA_T0_HI + 0xfffffu);
	}
}

/* B3.5.4: TTBCR.PD0 = 1 makes a TTB walk that would use TTBR0 a section
 * translation fault; PD1 likewise for TTBR1. The other TTBR is unaffected. */
Test(walk, ttbcr_pd0_pd1)
{
	struct attr a = { .ap = 3 };

	for (unsigned n = 0; n < 8; n++) {
		uint32_t t0_size = 16384u >> n;
		uint32_t lo1 = n ? 1u << (32 - n) : 0;
		struct walk_regs r = mmu_regs();

		/* The TTBR0 table for this n at TTB0 (16 KiB aligned suits every
		 * n), mapping its first entry; TTBR1 maps lo1 and the top. */
		memset(physmem_ptr(&mem, TTB0, 0x4000u), 0, 0x4000u);
		wr32(TTB0, d_section(PA_T0_LO, a));
		wr32(TTB0 + t0_size - 4, d_section(PA_T0_HI, a));
		set_l1(TTB1, 0xfff00000u, d_section(PA_T1_HI, a));
		if (n)
			set_l1(TTB1, lo1, d_section(PA_T1_LO, a));
		r.ttbcr = n | TTBCR_PD0;
		expect_fault(&r, 0x00000abcu, FS_TRANS_SECTION);
		if (n) {
			expect_fault(&r, lo1 - 1u, FS_TRANS_SECTION);
			expect_pa(&r, lo1, PA_T1_LO);
			expect_pa(&r, 0xfff00001u, PA_T1_HI + 1u);
		} else {
			expect_fault(&r, 0xfff00001u, FS_TRANS_SECTION);
		}

		/* PD1 with N = 0 changes nothing: TTBR1 is never used. */
		r.ttbcr = n | TTBCR_PD1;
		expect_pa(&r, 0x00000abcu, PA_T0_LO + 0xabcu);
		if (n) {
			expect_pa(&r, lo1 - 1u, PA_T0_HI + 0xfffffu);
			expect_fault(&r, lo1, FS_TRANS_SECTION);
			expect_fault(&r, 0xfff00001u, FS_TRANS_SECTION);
		} else {
			expect_pa(&r, 0xfff00001u, PA_T0_HI + 1u);
		}

		r.ttbcr = n | TTBCR_PD0 | TTBCR_PD1;
		expect_fault(&r, 0x00000abcu, FS_TRANS_SECTION);
		expect_fault(&r, 0xfff00001u, FS_TRANS_SECTION);
	}
}

/* ======================================================================== */
/* 4. MMU off                                                               */
/* ======================================================================== */

/* B3.2: with SCTLR.M = 0, VA = PA and no MMU fault is possible: the TTBRs
 * (here pointing nowhere), DACR (all No access) and AFE do not matter. */
Test(walk, mmu_off_flat)
{
	struct walk_regs r = {
		.sctlr = SCTLR_AFE, .ttbr0 = HOLE, .ttbr1 = HOLE,
		.ttbcr = TTBCR_PD0 | TTBCR_PD1, .dacr = dacr_all(DOM_NONE),
	};
	static const uint32_t vas[] = { 0, 0x00001000u, 0x40123456u, 0x09000010u,
					0x80000000u, 0xffffffffu };

	for (unsigned i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		struct walk_result res = xlate(&r, vas[i]);

		cr_assert(res.flat, "va %#x: flat not set with SCTLR.M = 0", vas[i]);
		cr_assert_eq(res.pa, vas[i], "va %#x: pa %#llx with the MMU off", vas[i],
			     (unsigned long long)res.pa);
		for (unsigned pl = 0; pl < 2; pl++) {
			for (unsigned acc = WALK_READ; acc <= WALK_EXEC; acc++) {
				unsigned fs = walk_check(&r, &res, pl, acc);

				cr_assert_eq(fs, 0, "MMU off, va %#x PL%u acc %u: fault %#x",
					     vas[i], pl, acc, fs);
			}
			cr_assert_eq(walk_rights(&r, &res, pl), WALK_R | WALK_W | WALK_X,
				     "MMU off, va %#x PL%u: rights %#x", vas[i], pl,
				     walk_rights(&r, &res, pl));
		}
	}
}

/* ======================================================================== */
/* 5. External aborts on the table walk                                     */
/* ======================================================================== */

/* B3.13.3: a descriptor fetch that the memory system aborts is a
 * synchronous external abort on translation table walk: FS 0b01100 for the
 * L1 fetch. Here the L1 table is in a device range or in no memory at all. */
Test(walk, l1_fetch_not_ram)
{
	struct walk_regs r = mmu_regs();

	r.ttbr0 = MMIO_BASE;
	expect_fault(&r, 0x00000000u, FS_WALK_EXT_L1);
	expect_fault(&r, 0x00f00000u, FS_WALK_EXT_L1);	/* fetch at MMIO_BASE + 0x3c */
	r.ttbr0 = HOLE;
	expect_fault(&r, 0x12345678u, FS_WALK_EXT_L1);

	/* The same through TTBR1. */
	r = mmu_regs();
	r.ttbcr = 1;
	r.ttbr1 = HOLE;
	expect_fault(&r, 0x80000000u, FS_WALK_EXT_L1);
	struct walk_result res;
	unsigned fs = xlate_fs(&r, 0xc0000000u, &res);
	cr_assert_eq(fs, FS_WALK_EXT_L1, "TTBR1 in a hole: fault %#x", fs);
	cr_assert_eq(res.level, 1, "L1 fetch abort: level %u, expected 1", res.level);
}

/* An L1 table straddling the end of RAM: entries inside RAM work, the first
 * entry past the end aborts. */
Test(walk, l1_fetch_past_ram_end)
{
	struct walk_regs r = mmu_regs();

	cr_assert_eq(EDGE_TTB + 0x2000u, RAM_END, "layout: EDGE_TTB must be RAM_END - 8 KiB");
	r.ttbr0 = EDGE_TTB;
	set_l1(EDGE_TTB, 0x7ff00000u, d_section(0x40000000u, (struct attr){ .ap = 3 }));
	expect_pa(&r, 0x7ff12345u, 0x40012345u);
	expect_fault(&r, 0x80000000u, FS_WALK_EXT_L1);
	expect_fault(&r, 0xfff00000u, FS_WALK_EXT_L1);
}

/* The L2 fetch from a device range or a hole is FS 0b01110, with the L1
 * page-table descriptor's domain and level 2. */
Test(walk, l2_fetch_not_ram)
{
	struct walk_regs r = mmu_regs();
	static const uint32_t tables[] = { MMIO_BASE + 0x400u, HOLE, RAM_END };

	for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct walk_result res;
		uint32_t va = 0x00700000u + (i << 20);

		set_l1(TTB0, va, d_table(tables[i], 6, false));
		unsigned fs = xlate_fs(&r, va + 0x5000u, &res);

		cr_assert_eq(fs, FS_WALK_EXT_L2, "L2 table at %#x: fault %#x, expected %#x",
			     tables[i], fs, FS_WALK_EXT_L2);
		cr_assert_eq(res.level, 2, "L2 table at %#x: level %u", tables[i], res.level);
		cr_assert_eq(res.domain, 6, "L2 table at %#x: domain %u, expected 6",
			     tables[i], res.domain);
	}
}

/* ======================================================================== */
/* 6. Access flag                                                           */
/* ======================================================================== */

/* B3.6.3: with SCTLR.AFE = 1, AP[0] is the Access flag; a translation with
 * AF = 0 gives an Access flag fault: FS 0b00011 for sections and
 * supersections, 0b00110 for small and large pages. With AFE = 0, AP[0] is
 * a permission bit and no Access flag fault exists. */
Test(walk, access_flag)
{
	struct walk_regs r = mmu_regs();
	struct attr af0 = { .ap = 2, .dom = 3 }, af1 = { .ap = 3, .dom = 3 };
	struct walk_result res;
	unsigned fs;

	map_section(TTB0, 0x00100000u, 0x40000000u, af0);
	map_super(TTB0, 0x01000000u, 0x42000000u, af0);
	map_small(TTB0, L2A, 0x02001000u, 0x40001000u, af0);
	map_large(TTB0, L2B, 0x02110000u, 0x40010000u, af0);
	map_section(TTB0, 0x00200000u, 0x40000000u, af1);
	map_small(TTB0, L2A, 0x02002000u, 0x40002000u, af1);

	r.sctlr = SCTLR_M | SCTLR_AFE;
	fs = xlate_fs(&r, 0x00100000u, &res);
	cr_assert_eq(fs, FS_ACCESS_SECTION, "section AF=0: fault %#x", fs);
	cr_assert_eq(res.level, 1, "section AF fault: level %u", res.level);
	cr_assert_eq(res.domain, 3, "section AF fault: domain %u", res.domain);
	fs = xlate_fs(&r, 0x01234567u, &res);
	cr_assert_eq(fs, FS_ACCESS_SECTION, "supersection AF=0: fault %#x", fs);
	cr_assert_eq(res.domain, 0, "supersection AF fault: domain %u", res.domain);
	fs = xlate_fs(&r, 0x02001000u, &res);
	cr_assert_eq(fs, FS_ACCESS_PAGE, "small page AF=0: fault %#x", fs);
	cr_assert_eq(res.level, 2, "page AF fault: level %u", res.level);
	cr_assert_eq(res.domain, 3, "page AF fault: domain %u", res.domain);
	fs = xlate_fs(&r, 0x0211abcdu, &res);
	cr_assert_eq(fs, FS_ACCESS_PAGE, "large page AF=0: fault %#x", fs);
	expect_pa(&r, 0x00200010u, 0x40000010u);
	expect_pa(&r, 0x02002010u, 0x40002010u);

	r.sctlr = SCTLR_M;
	expect_pa(&r, 0x00100010u, 0x40000010u);
	expect_pa(&r, 0x01234567u, 0x42234567u);
	expect_pa(&r, 0x02001010u, 0x40001010u);
	expect_pa(&r, 0x0211abcdu, 0x4001abcdu);
}

/* ======================================================================== */
/* 7. Permissions: the whole matrix                                         */
/* ======================================================================== */

/* B3.6.1 Table B3-8 (SCTLR.AFE = 0), [AP[2:0]][PL]: "r" read, "w" write.
 * AP = 0b100 is reserved; we require the safe reading, no access. */
static const char *const ap_full[8][2] = {
	/*        PL0    PL1 */
	[0] = { "--", "--" },
	[1] = { "--", "rw" },
	[2] = { "r-", "rw" },
	[3] = { "rw", "rw" },
	[4] = { "--", "--" },	/* reserved */
	[5] = { "--", "r-" },
	[6] = { "r-", "r-" },	/* deprecated alias of 0b111 */
	[7] = { "r-", "r-" },
};

/* B3.6.1 Table B3-9 (SCTLR.AFE = 1, simplified model), [AP[2:1]][PL]. */
static const char *const ap_simple[4][2] = {
	/*        PL0    PL1 */
	[0] = { "--", "rw" },
	[1] = { "rw", "rw" },
	[2] = { "--", "r-" },
	[3] = { "r-", "r-" },
};

enum kind { K_SECTION, K_SUPER, K_SMALL, K_LARGE, K_COUNT };
static const char *const kind_name[K_COUNT] = { "section", "supersection", "small page",
						"large page" };

struct perm_case {
	enum kind kind;
	bool afe, xn, pxn;
	unsigned ap, dtype;
};

static bool is_page(enum kind k)
{
	return k == K_SMALL || k == K_LARGE;
}

/* The architecture's answer, from the tables above. B3.7.3: No access and
 * the reserved DACR value fault every access with a domain fault; Manager
 * checks nothing (B3.7.2: not even XN/PXN). Client: an instruction fetch
 * needs read permission, and faults on XN at any PL and on PXN at PL1. */
static unsigned expect_check(const struct perm_case *c, unsigned pl, enum walk_access acc)
{
	const char *p;
	bool ok;

	if (c->dtype == DOM_NONE || c->dtype == DOM_RESERVED)
		return is_page(c->kind) ? FS_DOMAIN_PAGE : FS_DOMAIN_SECTION;
	if (c->dtype == DOM_MANAGER)
		return 0;
	p = c->afe ? ap_simple[c->ap >> 1][pl] : ap_full[c->ap][pl];
	switch (acc) {
	case WALK_READ:
		ok = p[0] == 'r';
		break;
	case WALK_WRITE:
		ok = p[1] == 'w';
		break;
	default:
		ok = p[0] == 'r' && !c->xn && !(pl == 1 && c->pxn);
		break;
	}
	if (ok)
		return 0;
	return is_page(c->kind) ? FS_PERM_PAGE : FS_PERM_SECTION;
}

#define PERM_VA_SECTION 0x00100000u
#define PERM_VA_SUPER   0x05000000u
#define PERM_VA_SMALL   0x00203000u
#define PERM_VA_LARGE   0x00340000u

/* Map the case's VA and return the VA and the domain it is in. */
static uint32_t map_case(const struct perm_case *c, unsigned *dom)
{
	struct attr a = { .ap = c->ap, .xn = c->xn, .pxn = c->pxn };

	switch (c->kind) {
	case K_SECTION:
		a.dom = *dom = 6;
		map_section(TTB0, PERM_VA_SECTION, 0x40000000u, a);
		return PERM_VA_SECTION;
	case K_SUPER:
		*dom = 0;
		map_super(TTB0, PERM_VA_SUPER, 0x41000000u, a);
		return PERM_VA_SUPER;
	case K_SMALL:
		a.dom = *dom = 13;
		map_small(TTB0, L2A, PERM_VA_SMALL, 0x40003000u, a);
		return PERM_VA_SMALL;
	default:
		a.dom = *dom = 10;
		map_large(TTB0, L2B, PERM_VA_LARGE, 0x40040000u, a);
		return PERM_VA_LARGE;
	}
}

static const char *const acc_name[3] = { "read", "write", "exec" };

/* One case: translate, then every PL x access through walk_check(), and
 * walk_rights() against the walk_check() answers. Returns mismatches. */
static unsigned run_perm_case(const struct perm_case *c)
{
	struct walk_regs r = mmu_regs();
	struct walk_result res;
	unsigned dom, other, mismatches = 0;
	uint32_t va = map_case(c, &dom);
	char what[160];

	/* Only the mapping's domain has the type under test; all the others
	 * have the opposite behaviour, so reading the wrong DACR field shows. */
	other = (c->dtype == DOM_NONE || c->dtype == DOM_RESERVED) ? DOM_MANAGER : DOM_NONE;
	r.dacr = dacr_with(dacr_all(other), dom, c->dtype);
	r.sctlr = SCTLR_M | (c->afe ? SCTLR_AFE : 0);
	snprintf(what, sizeof(what), "%s AFE=%d AP=%u%u%u XN=%d PXN=%d D%u=%s",
		 kind_name[c->kind], c->afe, c->ap >> 2 & 1, c->ap >> 1 & 1, c->ap & 1,
		 c->xn, c->pxn, dom, dom_name[c->dtype]);

	unsigned fs = xlate_fs(&r, va, &res);
	cr_assert_eq(fs, 0, "%s: walk_translate fault %#x", what, fs);
	cr_assert_eq(res.ap, c->ap, "%s: res.ap %#x", what, res.ap);
	cr_assert_eq(res.domain, dom, "%s: res.domain %u", what, res.domain);
	cr_assert_eq(res.xn, c->xn, "%s: res.xn %d", what, res.xn);
	cr_assert_eq(res.pxn, c->pxn, "%s: res.pxn %d", what, res.pxn);

	for (unsigned pl = 0; pl < 2; pl++) {
		unsigned want_rights = 0;

		for (unsigned acc = WALK_READ; acc <= WALK_EXEC; acc++) {
			unsigned want = expect_check(c, pl, acc);
			unsigned got = walk_check(&r, &res, pl, acc);

			if (got != want) {
				cr_expect_eq(got, want, "%s, PL%u %s: walk_check %#x, expected %#x",
					     what, pl, acc_name[acc], got, want);
				mismatches++;
			}
			if (got == 0)
				want_rights |= acc == WALK_READ ? WALK_R :
					       acc == WALK_WRITE ? WALK_W : WALK_X;
		}
		unsigned rights = walk_rights(&r, &res, pl);
		if (rights != want_rights) {
			cr_expect_eq(rights, want_rights,
				     "%s, PL%u: walk_rights %#x disagrees with walk_check (%#x)",
				     what, pl, rights, want_rights);
			mismatches++;
		}
	}
	return mismatches;
}

/* PL0/PL1 x AP[2:0] (AFE = 0: all eight; AFE = 1: the four with AF = 1) x
 * read/write/exec x XN x PXN x the four DACR values x section, supersection,
 * small page and large page: walk_check() against Tables B3-8/B3-9 and the
 * domain rules, and walk_rights() against walk_check(). */
Test(walk, permission_matrix)
{
	unsigned mismatches = 0;

	for (unsigned k = 0; k < K_COUNT; k++)
		for (unsigned afe = 0; afe < 2; afe++)
			for (unsigned ap = 0; ap < 8; ap++) {
				if (afe && !(ap & 1))
					continue;	/* AF = 0: Access flag fault */
				for (unsigned xp = 0; xp < 4; xp++)
					for (unsigned dt = 0; dt < 4; dt++) {
						struct perm_case c = {
							.kind = k, .afe = afe, .ap = ap,
							.xn = xp & 1, .pxn = xp >> 1, .dtype = dt,
						};

						mismatches += run_perm_case(&c);
						cr_assert(mismatches < 40,
							  "too many permission mismatches, stopping");
					}
			}
	cr_assert_eq(mismatches, 0, "%u permission mismatches", mismatches);
}

/* Spot checks of the rules the matrix covers, readable on their own. */
Test(walk, permission_examples)
{
	struct walk_regs r = mmu_regs();
	struct walk_result res;

	/* Linux kernel text: AP=001 (PL1 RW), PXN clear: PL1 may run it,
	 * PL0 may not even read it. */
	map_section(TTB0, 0xc0000000u, 0x40000000u, (struct attr){ .ap = 1 });
	res = xlate(&r, 0xc0000000u);
	cr_assert_eq(walk_check(&r, &res, 1, WALK_EXEC), 0, "PL1 exec of AP=001");
	cr_assert_eq(walk_check(&r, &res, 1, WALK_WRITE), 0, "PL1 write of AP=001");
	cr_assert_eq(walk_check(&r, &res, 0, WALK_READ), FS_PERM_SECTION, "PL0 read of AP=001");
	cr_assert_eq(walk_rights(&r, &res, 1), WALK_R | WALK_W | WALK_X, "PL1 rights AP=001");
	cr_assert_eq(walk_rights(&r, &res, 0), 0, "PL0 rights AP=001");

	/* User page with PXN: PL0 may execute, PL1 may not. */
	map_small(TTB0, L2A, 0x00010000u, 0x40010000u, (struct attr){ .ap = 3, .pxn = true });
	res = xlate(&r, 0x00010000u);
	cr_assert_eq(walk_check(&r, &res, 0, WALK_EXEC), 0, "PL0 exec of PXN page");
	cr_assert_eq(walk_check(&r, &res, 1, WALK_EXEC), FS_PERM_PAGE, "PL1 exec of PXN page");
	cr_assert_eq(walk_check(&r, &res, 1, WALK_READ), 0, "PL1 read of PXN page");

	/* Manager ignores AP, XN and PXN; Client honours them. */
	map_small(TTB0, L2A, 0x00011000u, 0x40011000u,
		  (struct attr){ .ap = 0, .xn = true, .pxn = true, .dom = 2 });
	res = xlate(&r, 0x00011000u);
	r.dacr = dacr_with(dacr_all(DOM_NONE), 2, DOM_MANAGER);
	for (unsigned pl = 0; pl < 2; pl++) {
		for (unsigned acc = WALK_READ; acc <= WALK_EXEC; acc++)
			cr_assert_eq(walk_check(&r, &res, pl, acc), 0,
				     "Manager: PL%u %s must not fault", pl, acc_name[acc]);
		cr_assert_eq(walk_rights(&r, &res, pl), WALK_R | WALK_W | WALK_X,
			     "Manager: PL%u rights", pl);
	}
	r.dacr = dacr_with(dacr_all(DOM_NONE), 2, DOM_CLIENT);
	cr_assert_eq(walk_check(&r, &res, 1, WALK_READ), FS_PERM_PAGE, "Client AP=000 read");
	cr_assert_eq(walk_rights(&r, &res, 1), 0, "Client AP=000 rights");
	r.dacr = dacr_with(dacr_all(DOM_MANAGER), 2, DOM_RESERVED);
	cr_assert_eq(walk_check(&r, &res, 1, WALK_READ), FS_DOMAIN_PAGE,
		     "reserved DACR value must fault like No access");
	cr_assert_eq(walk_rights(&r, &res, 1), 0, "reserved DACR value rights");
}

/* B3.7.3: the domain field selects DACR bits [2d+1:2d]; walk_check() must
 * look at exactly that field, for every d. */
Test(walk, domain_selects_dacr_field)
{
	struct walk_regs r = mmu_regs();

	for (unsigned d = 0; d < 16; d++) {
		uint32_t va = 0x10000000u + (d << 20);

		map_section(TTB0, va, 0x40000000u, (struct attr){ .ap = 0, .dom = d });
		struct walk_result res = xlate(&r, va);

		cr_assert_eq(res.domain, d, "section in D%u: domain %u", d, res.domain);
		r.dacr = dacr_with(dacr_all(DOM_NONE), d, DOM_MANAGER);
		cr_assert_eq(walk_check(&r, &res, 0, WALK_WRITE), 0,
			     "D%u Manager (DACR %#x): fault", d, r.dacr);
		r.dacr = dacr_with(dacr_all(DOM_MANAGER), d, DOM_NONE);
		cr_assert_eq(walk_check(&r, &res, 0, WALK_READ), FS_DOMAIN_SECTION,
			     "D%u No access (DACR %#x): no domain fault", d, r.dacr);
		r.dacr = dacr_with(dacr_all(DOM_MANAGER), d, DOM_CLIENT);
		cr_assert_eq(walk_check(&r, &res, 1, WALK_READ), FS_PERM_SECTION,
			     "D%u Client, AP=000 (DACR %#x): no permission fault", d, r.dacr);
	}
}

/* ======================================================================== */
/* 8. Fault priority                                                        */
/* ======================================================================== */

/* B3.12: translation, then Access flag, then domain, then permission
 * faults. Walk external aborts come with the fetch, before anything else. */
Test(walk, fault_priority)
{
	struct walk_regs r = mmu_regs();
	struct walk_result res;
	unsigned fs;

	r.sctlr = SCTLR_M | SCTLR_AFE;
	r.dacr = dacr_all(DOM_NONE);

	/* Translation before domain: L2 fault under an L1 entry whose domain
	 * is No access is a page translation fault. */
	set_l1(TTB0, 0x00100000u, d_table(L2A, 5, false));
	fs = xlate_fs(&r, 0x00100000u, &res);
	cr_assert_eq(fs, FS_TRANS_PAGE, "L2 fault in a No-access domain: %#x", fs);

	/* External abort on the L2 fetch before domain. */
	set_l1(TTB0, 0x00200000u, d_table(HOLE, 5, false));
	fs = xlate_fs(&r, 0x00200000u, &res);
	cr_assert_eq(fs, FS_WALK_EXT_L2, "L2 fetch abort in a No-access domain: %#x", fs);

	/* Access flag before domain and permission: AF = 0 with AP[2:1] = 00
	 * and XN in a No-access domain, for a section and for a page. */
	map_section(TTB0, 0x00300000u, 0x40000000u,
		    (struct attr){ .ap = 0, .xn = true, .pxn = true, .dom = 5 });
	fs = xlate_fs(&r, 0x00300000u, &res);
	cr_assert_eq(fs, FS_ACCESS_SECTION, "section AF=0 in a No-access domain: %#x", fs);
	map_small(TTB0, L2A, 0x00401000u, 0x40001000u,
		  (struct attr){ .ap = 4, .xn = true, .dom = 5 });
	fs = xlate_fs(&r, 0x00401000u, &res);
	cr_assert_eq(fs, FS_ACCESS_PAGE, "page AF=0 in a No-access domain: %#x", fs);

	/* The Access flag is not a permission: it faults in Manager domains
	 * too (the check precedes the domain check). */
	r.dacr = dacr_all(DOM_MANAGER);
	fs = xlate_fs(&r, 0x00300000u, &res);
	cr_assert_eq(fs, FS_ACCESS_SECTION, "section AF=0 in a Manager domain: %#x", fs);
	fs = xlate_fs(&r, 0x00401000u, &res);
	cr_assert_eq(fs, FS_ACCESS_PAGE, "page AF=0 in a Manager domain: %#x", fs);

	/* Domain before permission: AP = 000 (AFE = 0), XN and PXN, in a
	 * No-access domain, is a domain fault for every PL and access. */
	r.sctlr = SCTLR_M;
	r.dacr = dacr_all(DOM_NONE);
	res = xlate(&r, 0x00300000u);
	for (unsigned pl = 0; pl < 2; pl++)
		for (unsigned acc = WALK_READ; acc <= WALK_EXEC; acc++) {
			fs = walk_check(&r, &res, pl, acc);
			cr_assert_eq(fs, FS_DOMAIN_SECTION, "section PL%u %s: %#x, expected "
				     "domain fault", pl, acc_name[acc], fs);
		}
	res = xlate(&r, 0x00401000u);
	for (unsigned pl = 0; pl < 2; pl++)
		for (unsigned acc = WALK_READ; acc <= WALK_EXEC; acc++) {
			fs = walk_check(&r, &res, pl, acc);
			cr_assert_eq(fs, FS_DOMAIN_PAGE, "page PL%u %s: %#x, expected "
				     "domain fault", pl, acc_name[acc], fs);
		}
}

/* ======================================================================== */
/* 9. DFSR / IFSR                                                           */
/* ======================================================================== */

/* B3.13.3 Table B3-23: does the DFSR Domain field hold a valid value?
 * Our reading of the ARM ARM (and of the ARMv6/ARM11 tables it inherits):
 * valid for page translation faults (the L1 page-table entry was read),
 * Access flag faults, domain faults, permission faults and external aborts
 * on the second-level fetch; not valid for alignment faults, section
 * translation faults, external aborts on the first-level fetch (no
 * descriptor was read) and non-translation external aborts. */
static const struct {
	unsigned fs;
	bool has_domain;
} fs_table[] = {
	{ FS_ALIGNMENT, false },	{ FS_ACCESS_SECTION, true },
	{ FS_TRANS_SECTION, false },	{ FS_ACCESS_PAGE, true },
	{ FS_TRANS_PAGE, true },	{ FS_EXTERNAL, false },
	{ FS_DOMAIN_SECTION, true },	{ FS_DOMAIN_PAGE, true },
	{ FS_WALK_EXT_L1, false },	{ FS_PERM_SECTION, true },
	{ FS_WALK_EXT_L2, true },	{ FS_PERM_PAGE, true },
};

#define NFS (sizeof(fs_table) / sizeof(fs_table[0]))

Test(walk, fs_has_domain)
{
	for (unsigned i = 0; i < NFS; i++)
		cr_expect_eq(walk_fs_has_domain(fs_table[i].fs), fs_table[i].has_domain,
			     "walk_fs_has_domain(%#x) = %d, expected %d", fs_table[i].fs,
			     walk_fs_has_domain(fs_table[i].fs), fs_table[i].has_domain);
}

/* B4.1.52 DFSR (short-descriptor): FS[3:0] in bits[3:0], Domain in [7:4],
 * FS[4] in bit 10, WnR in bit 11; bits 9:8 and 31:12 zero here (no LPAE,
 * no cache-maintenance or ExT information). */
Test(walk, dfsr_layout)
{
	cr_assert_eq(walk_dfsr(FS_PERM_PAGE, 5, true), 0x85fu, "perm page D5 write: %#x",
		     walk_dfsr(FS_PERM_PAGE, 5, true));
	cr_assert_eq(walk_dfsr(FS_DOMAIN_SECTION, 15, false), 0x0f9u, "domain D15 read: %#x",
		     walk_dfsr(FS_DOMAIN_SECTION, 15, false));
	cr_assert_eq(walk_dfsr(FS_TRANS_SECTION, 0, false), 0x005u, "trans section: %#x",
		     walk_dfsr(FS_TRANS_SECTION, 0, false));
	cr_assert_eq(walk_dfsr(FS_WALK_EXT_L1, 0, true), 0x80cu, "walk ext L1 write: %#x",
		     walk_dfsr(FS_WALK_EXT_L1, 0, true));
	/* FS[4] lands in bit 10: async external abort 0b10110, parity on the
	 * L2 walk 0b11110. */
	cr_assert_eq(walk_dfsr(0x16, 0, false), 0x406u, "FS=0x16: %#x", walk_dfsr(0x16, 0, false));
	cr_assert_eq(walk_dfsr(0x1e, 0, true), 0xc0eu, "FS=0x1e write: %#x",
		     walk_dfsr(0x1e, 0, true));

	for (unsigned i = 0; i < NFS; i++)
		for (unsigned d = 0; d < 16; d++)
			for (unsigned w = 0; w < 2; w++) {
				unsigned fs = fs_table[i].fs;
				uint32_t v = walk_dfsr(fs, d, w);
				uint32_t want = (fs & 0xfu) | ((fs >> 4) & 1u) << 10 |
						(w ? 1u << 11 : 0) | d << 4;
				/* The Domain field is UNKNOWN where it is not valid. */
				uint32_t mask = fs_table[i].has_domain ? ~0u : ~0xf0u;

				cr_assert_eq(v & mask, want & mask,
					     "walk_dfsr(%#x, %u, %u) = %#x, expected %#x (mask %#x)",
					     fs, d, w, v, want, mask);
			}
}

/* B4.1.96 IFSR (short-descriptor): FS[3:0] in bits[3:0], FS[4] in bit 10;
 * no Domain and no WnR field. */
Test(walk, ifsr_layout)
{
	for (unsigned i = 0; i < NFS; i++) {
		unsigned fs = fs_table[i].fs;
		uint32_t want = (fs & 0xfu) | ((fs >> 4) & 1u) << 10;

		cr_assert_eq(walk_ifsr(fs), want, "walk_ifsr(%#x) = %#x, expected %#x", fs,
			     walk_ifsr(fs), want);
	}
	cr_assert_eq(walk_ifsr(0x1c), 0x40cu, "walk_ifsr(0x1c) = %#x", walk_ifsr(0x1c));
	cr_assert_eq(walk_ifsr(FS_PERM_SECTION), 0x00du, "walk_ifsr(PERM_SECTION) = %#x",
		     walk_ifsr(FS_PERM_SECTION));
}

/* ======================================================================== */
/* The page-table builder and the walker agree                              */
/* ======================================================================== */

/* tests/lib/ptb writes the same formats as the encoders above; tables it
 * builds must walk to the addresses and attributes it was given. */
Test(walk, ptb_tables_walk)
{
	struct ptb b;
	struct walk_regs r = mmu_regs();
	struct walk_result res;

	cr_assert_eq(ptb_init(&b, &mem, PTB_POOL, PTB_POOL_SIZE), 0, "ptb_init");
	r.ttbr0 = b.l1;
	ptb_section(&b, b.l1, 0xc0000000u, 0x40000000u,
		    (struct ptb_attr){ .ap = 1, .domain = 1, .pxn = false });
	ptb_supersection(&b, b.l1, 0xd0000000u, 0x41000000u,
			 (struct ptb_attr){ .ap = 3, .xn = true });
	ptb_page(&b, b.l1, 0x00008000u, 0x40123000u,
		 (struct ptb_attr){ .ap = 2, .domain = 3, .ng = true, .pxn = true });
	ptb_large_page(&b, b.l1, 0x00120000u, 0x40450000u,
		       (struct ptb_attr){ .ap = 6, .domain = 3, .xn = true });

	res = xlate(&r, 0xc0012345u);
	cr_assert(res.pa == 0x40012345u && res.ap == 1 && res.domain == 1 && res.level == 1,
		  "ptb section: pa %#llx ap %u dom %u", (unsigned long long)res.pa, res.ap,
		  res.domain);
	res = xlate(&r, 0xd0abcdefu);
	cr_assert(res.pa == 0x41abcdefu && res.xn && res.domain == 0 &&
		  res.block_size == 1u << 24, "ptb supersection: pa %#llx",
		  (unsigned long long)res.pa);
	res = xlate(&r, 0x00008abcu);
	cr_assert(res.pa == 0x40123abcu && res.ng && res.pxn && res.ap == 2 &&
		  res.domain == 3 && res.level == 2, "ptb small page: pa %#llx",
		  (unsigned long long)res.pa);
	res = xlate(&r, 0x0012fedcu);
	cr_assert(res.pa == 0x4045fedcu && res.xn && res.ap == 6 && res.block_size == 1u << 16,
		  "ptb large page: pa %#llx", (unsigned long long)res.pa);

	ptb_unmap(&b, b.l1, 0x00008000u);
	expect_fault(&r, 0x00008000u, FS_TRANS_PAGE);
	ptb_unmap(&b, b.l1, 0xc0000000u);
	expect_fault(&r, 0xc0000000u, FS_TRANS_SECTION);
}
