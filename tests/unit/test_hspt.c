/* test_hspt.c — the shadow engine driven through real guest accesses
 * (__seg_gs loads and stores) on page tables built in guest RAM.
 *
 * Suites:
 *   hspt       fills of every mapping size, permissions per privilege level,
 *              domains, MMU off, MMIO and unassigned physical addresses
 *   hspt_tlb   every TLB maintenance operation invalidates what it must and
 *              keeps what it may, in every organization
 *   hspt_dacr  DACR switches (Linux software PAN) never re-fault
 *   hspt_org   private / shared / group:N address-space organizations
 *   hspt_diff  soft MMU, HSPT and shadow_translate() against an independent
 *              model over random page tables
 *   hspt_vma   more pages than vm.max_map_count; coalescing of contiguous runs
 *
 * Most tests run once per organization (suffix _private, _shared, _group,
 * _soft). Assertions about what an HSPT shadow keeps (a stale translation
 * before the TLBI, no re-fault of an unrelated page) are made in the HSPT
 * modes only: the software TLB may drop entries whenever it likes. */
#include "tests/unit/hspt_fixture.h"

#include <errno.h>
#include <stdlib.h>

/* Define fn's test once per organization. */
#define HSPT_ORG_TESTS(suite, fn)                                              \
	Test(suite, fn##_private) { fn(SHADOW_ORG_PRIVATE); }                  \
	Test(suite, fn##_shared) { fn(SHADOW_ORG_SHARED); }                    \
	Test(suite, fn##_group) { fn(SHADOW_ORG_GROUP); }                      \
	Test(suite, fn##_soft) { fn(SHADOW_ORG_SOFT); }

#define ATTR(...) ((struct ptb_attr){ __VA_ARGS__ })

/* AP[2:0] with SCTLR.AFE = 0 (ARM ARM table B3-8); 4 is reserved. */
static bool ap_allows(unsigned ap, unsigned pl, bool write)
{
	switch (ap) {
	case 1: return pl == 1;
	case 2: return pl == 1 || !write;
	case 3: return true;
	case 5: return pl == 1 && !write;
	case 6:
	case 7: return !write;
	default: return false;
	}
}

static void check_read(struct shadow_cpu *cpu, uint32_t va, uint64_t pa, unsigned size)
{
	struct hacc r = hfx_access(cpu, va, size, false, 0, HFX_CUR_PL);
	char d[160];

	cr_assert(r.ok && r.v == hfx_expect(pa, size),
		  "%u-byte read of va %#x: %s, expected %#llx (GPA %#llx)", size, va,
		  hfx_describe(&r, d, sizeof(d)),
		  (unsigned long long)hfx_expect(pa, size), (unsigned long long)pa);
}

static void check_reads(struct shadow_cpu *cpu, uint32_t va, uint64_t pa,
			const uint32_t *offs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned size = 1; size <= 8; size *= 2)
			check_read(cpu, va + (offs[i] & ~(size - 1)), pa + (offs[i] & ~(size - 1)), size);
}

/* ------------------------------------------------------------------ */
/* hspt: fills                                                          */
/* ------------------------------------------------------------------ */

static void basic_section(enum shadow_org org)
{
	struct hfx f;
	static const uint32_t offs[] = { 0, 0x1234, 0x7fffc, 0x80000, 0xffff8 };

	hfx_setup(&f, org, 2, 64);
	ptb_section(&f.ptb, f.ptb.l1, 0x00100000, 0x40300000, ATTR(.ap = 3));
	ptb_section(&f.ptb, f.ptb.l1, 0xfff00000, 0x40500000, ATTR(.ap = 3, .ng = true));
	check_reads(f.cpu, 0x00100000, 0x40300000, offs, 5);
	/* The last bytes of the 4 GiB window. */
	check_reads(f.cpu, 0xfff00000, 0x40500000, offs, 5);
	check_read(f.cpu, 0xfffffffc, 0x405ffffc, 4);
	check_read(f.cpu, 0xfffffff8, 0x405ffff8, 8);
	check_read(f.cpu, 0xffffffff, 0x405fffff, 1);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_section)

static void basic_supersection(enum shadow_org org)
{
	struct hfx f;
	static const uint32_t offs[] = { 0, 0x100000, 0x567894, 0xabcdef, 0xfffff8 };

	hfx_setup(&f, org, 2, 64);
	ptb_supersection(&f.ptb, f.ptb.l1, 0x01000000, 0x41000000, ATTR(.ap = 3));
	ptb_supersection(&f.ptb, f.ptb.l1, 0xff000000, 0x42000000, ATTR(.ap = 3));
	check_reads(f.cpu, 0x01000000, 0x41000000, offs, 5);
	check_reads(f.cpu, 0xff000000, 0x42000000, offs, 5);
	check_read(f.cpu, 0xfffffffc, 0x42fffffc, 4);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_supersection)

/* A supersection with PA[39:32] != 0 is above all of guest RAM: the
 * translation must not be truncated to 32 bits. */
static void basic_supersection_extended_pa(enum shadow_org org)
{
	struct hfx f;
	/* PA[31:24] = 0x40, PA[35:32] (bits 23:20) = 1, AP=011 */
	uint32_t d = 0x40000000u | 1u << 20 | 1u << 18 | 3u << 10 | 2u;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	for (unsigned i = 0; i < 16; i++)
		ptb_raw_l1(&f.ptb, f.ptb.l1, 0x02000000 + (i << 20), d);
	r = hfx_ld32(f.cpu, 0x02345678);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED,
		  "PA 0x1_4034_5678 read as %s", hfx_kind_name(r.ok ? SHADOW_FAULT_NONE : r.fault.kind));
	cr_assert_eq(r.fault.gpa, 0x140345678ull);
	r = hfx_st32(f.cpu, 0x02000010, 0x99);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED);
	cr_assert_eq(*hfx_ram32(&f, 0x40000010), hfx_word(0x40000010), "RAM below 4 GiB written");
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_supersection_extended_pa)

static void basic_large_page(enum shadow_org org)
{
	struct hfx f;
	static const uint32_t offs[] = { 0, 0x4ff8, 0x8000, 0xfff8 };

	hfx_setup(&f, org, 2, 64);
	ptb_large_page(&f.ptb, f.ptb.l1, 0x00230000, 0x40450000, ATTR(.ap = 3));
	ptb_large_page(&f.ptb, f.ptb.l1, 0x00240000, 0x40800000, ATTR(.ap = 3));
	check_reads(f.cpu, 0x00230000, 0x40450000, offs, 4);
	check_reads(f.cpu, 0x00240000, 0x40800000, offs, 4);
	/* Neighbours that nobody mapped. */
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00250010), 0x00250010, FS_TRANS_PAGE, 0, false);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x0022fffc), 0x0022fffc, FS_TRANS_PAGE, 0, false);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_large_page)

static void basic_small_page(enum shadow_org org)
{
	struct hfx f;
	static const uint32_t offs[] = { 0, 0x888, 0xff8 };

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00307000, 0x40123000, ATTR(.ap = 3, .domain = 5));
	ptb_page(&f.ptb, f.ptb.l1, 0x00306000, 0x40999000, ATTR(.ap = 3, .domain = 5));
	ptb_page(&f.ptb, f.ptb.l1, 0xfffff000, 0x40555000, ATTR(.ap = 3, .domain = 5));
	check_reads(f.cpu, 0x00307000, 0x40123000, offs, 3);
	check_reads(f.cpu, 0x00306000, 0x40999000, offs, 3);
	check_reads(f.cpu, 0xfffff000, 0x40555000, offs, 3);
	check_read(f.cpu, 0xfffffffc, 0x40555ffc, 4);
	/* An empty L2 entry: page translation fault, the L1 entry's domain. */
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00308004), 0x00308004, FS_TRANS_PAGE, 5, false);
	hfx_assert_abort(hfx_st32(f.cpu, 0x00305ffc, 1), 0x00305ffc, FS_TRANS_PAGE, 5, true);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_small_page)

/* A 4-byte access that straddles two pages whose frames are far apart. */
static void basic_cross_page(enum shadow_org org)
{
	struct hfx f;
	uint8_t *p0, *p1;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00b00000, 0x40901000, ATTR(.ap = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00b01000, 0x40a07000, ATTR(.ap = 3));
	r = hfx_ld32(f.cpu, 0x00b00ffe);
	cr_assert(r.ok);
	cr_assert_eq(r.v, hfx_expect(0x40901ffe, 2) | hfx_expect(0x40a07000, 2) << 16,
		     "page-crossing load got %#llx", (unsigned long long)r.v);
	r = hfx_st32(f.cpu, 0x00b00ffd, 0x11223344);
	cr_assert(r.ok);
	p0 = physmem_ptr(&f.pm, 0x40901ffd, 3);
	p1 = physmem_ptr(&f.pm, 0x40a07000, 1);
	cr_assert(p0[0] == 0x44 && p0[1] == 0x33 && p0[2] == 0x22 && p1[0] == 0x11,
		  "page-crossing store landed as %02x %02x %02x | %02x", p0[0], p0[1], p0[2], p1[0]);

	/* Into a read-only page: an abort, and no torn store. */
	ptb_page(&f.ptb, f.ptb.l1, 0x00b02000, 0x40c05000, ATTR(.ap = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00b03000, 0x40d03000, ATTR(.ap = 7));
	hfx_assert_reads(f.cpu, 0x00b03000, 0x40d03000);
	r = hfx_st32(f.cpu, 0x00b02ffe, 0x55667788);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_ABORT && r.fault.fs == FS_PERM_PAGE,
		  "page-crossing store into a read-only page did not abort");
	cr_assert(r.fault.write);
	cr_assert_eq(*(uint16_t *)physmem_ptr(&f.pm, 0x40c05ffe, 2), (uint16_t)hfx_expect(0x40c05ffe, 2),
		     "torn store: the writable half was written");
	cr_assert_eq(*hfx_ram32(&f, 0x40d03000), hfx_word(0x40d03000));
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_cross_page)

/* Stores go to the memfd: visible through physmem_ptr and through another
 * virtual alias of the same frame, and RAM written by the emulator is
 * visible to the guest. */
static void basic_write_visible(enum shadow_org org)
{
	struct hfx f;
	uint32_t va = 0x00400000, alias = 0x00c03000;
	uint64_t pa = 0x40321000;
	uint8_t *p;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, va, (uint32_t)pa, ATTR(.ap = 3));
	ptb_page(&f.ptb, f.ptb.l1, alias, (uint32_t)pa, ATTR(.ap = 3));
	hfx_assert_reads(f.cpu, alias + 0x10, pa + 0x10);

	cr_assert(hfx_st32(f.cpu, va + 0x10, 0xcafef00d).ok);
	cr_assert(hfx_access(f.cpu, va + 0x21, 1, true, 0x5a, HFX_CUR_PL).ok);
	cr_assert(hfx_access(f.cpu, va + 0x32, 2, true, 0xbeef, HFX_CUR_PL).ok);
	cr_assert(hfx_access(f.cpu, va + 0x48, 8, true, 0x0123456789abcdefull, HFX_CUR_PL).ok);
	p = physmem_ptr(&f.pm, pa, HFX_PAGE);
	cr_assert_eq(*(uint32_t *)(p + 0x10), 0xcafef00d);
	cr_assert_eq(p[0x21], 0x5a);
	cr_assert_eq(*(uint16_t *)(p + 0x32), 0xbeef);
	cr_assert_eq(*(uint64_t *)(p + 0x48), 0x0123456789abcdefull);
	/* Neighbouring bytes untouched. */
	cr_assert_eq(p[0x20], (uint8_t)hfx_expect(pa + 0x20, 1));
	cr_assert_eq(p[0x22], (uint8_t)hfx_expect(pa + 0x22, 1));
	cr_assert_eq(*(uint32_t *)(p + 0x14), hfx_word(pa + 0x14));

	r = hfx_ld32(f.cpu, alias + 0x10);
	cr_assert(r.ok && r.v == 0xcafef00d, "alias does not see the store");
	*(uint32_t *)(p + 0x80) = 0x600dcafe;
	r = hfx_ld32(f.cpu, va + 0x80);
	cr_assert(r.ok && r.v == 0x600dcafe, "guest does not see RAM written by the emulator");
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_write_visible)

/* Every AP value at both privilege levels, for pages and sections: reads
 * and writes in an order that first fills each mapping read-only. A denied
 * write aborts with the right DFSR (WnR set) and leaves RAM unchanged. */
static void basic_permissions(enum shadow_org org)
{
	static const unsigned aps[] = { 0, 1, 2, 3, 5, 6, 7 };
	struct hfx f;

	hfx_setup(&f, org, 2, 64);
	for (unsigned i = 0; i < 7; i++) {
		unsigned ap = aps[i];

		ptb_page(&f.ptb, f.ptb.l1, 0x00400000 + ap * 0x1000, 0x40600000 + ap * 0x2000,
			 ATTR(.ap = ap, .domain = 2));
		ptb_section(&f.ptb, f.ptb.l1, 0x00800000 + ap * 0x100000, 0x41000000 + ap * 0x100000,
			    ATTR(.ap = ap, .domain = 2));
	}
	for (unsigned i = 0; i < 7; i++) {
		unsigned ap = aps[i];
		for (unsigned sec = 0; sec < 2; sec++) {
			uint32_t va = (sec ? 0x00800000 + ap * 0x100000 : 0x00400000 + ap * 0x1000) + 0x124;
			uint64_t pa = (sec ? 0x41000000 + ap * 0x100000 : 0x40600000 + ap * 0x2000) + 0x124;
			unsigned fs = sec ? FS_PERM_SECTION : FS_PERM_PAGE;
			/* reads first, then writes: pl, write */
			static const unsigned seq[][2] = { { 1, 0 }, { 0, 0 }, { 0, 1 }, { 1, 1 }, { 0, 0 } };

			for (unsigned s = 0; s < 5; s++) {
				unsigned pl = seq[s][0];
				bool w = seq[s][1];
				uint32_t before = *hfx_ram32(&f, pa);
				uint32_t val = 0x1000000u * ap + 0x10000u * sec + s;
				struct hacc r;

				shadow_cpu_set_pl(f.cpu, pl);
				r = w ? hfx_st32(f.cpu, va, val) : hfx_ld32(f.cpu, va);
				if (ap_allows(ap, pl, w)) {
					cr_assert(r.ok, "AP=%u %s PL%u %s aborted (fs %#x)", ap,
						  sec ? "section" : "page", pl, w ? "write" : "read",
						  r.fault.fs);
					if (w)
						cr_assert_eq(*hfx_ram32(&f, pa), val);
					else
						cr_assert_eq(r.v, before);
				} else {
					hfx_assert_abort(r, va, fs, 2, w);
					cr_assert_eq(*hfx_ram32(&f, pa), before,
						     "AP=%u PL%u denied access modified RAM", ap, pl);
				}
			}
			shadow_cpu_set_pl(f.cpu, 1);
		}
	}
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_permissions)

/* AP=001 (PL1 only): PL1 writes, PL0 aborts; the FAR is the exact address
 * and the DFSR carries domain and WnR. */
static void basic_pl_views(enum shadow_org org)
{
	struct hfx f;
	uint32_t va = 0x00401124;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00401000, 0x40700000, ATTR(.ap = 1, .domain = 2));
	cr_assert(hfx_st32(f.cpu, va, 0xfeedbeef).ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40700124), 0xfeedbeef);
	shadow_cpu_set_pl(f.cpu, 0);
	r = hfx_ld32(f.cpu, va);
	hfx_assert_abort(r, va, FS_PERM_PAGE, 2, false);
	cr_assert_eq(r.fault.fsr, 0x02fu);
	r = hfx_st32(f.cpu, va, 1);
	hfx_assert_abort(r, va, FS_PERM_PAGE, 2, true);
	cr_assert_eq(r.fault.fsr, 0x82fu);
	/* Back at PL1 the page is still writable. */
	shadow_cpu_set_pl(f.cpu, 1);
	cr_assert(hfx_st32(f.cpu, va, 0xabad1dea).ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40700124), 0xabad1dea);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_pl_views)

/* LDRT/STRT: the _pl forms at PL0 from PL1 use the PL0 permissions. */
static void basic_unprivileged_access(enum shadow_org org)
{
	struct hfx f;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00401000, 0x40701000, ATTR(.ap = 1, .domain = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00402000, 0x40703000, ATTR(.ap = 2, .domain = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00403000, 0x40705000, ATTR(.ap = 3, .domain = 3));
	/* Fill the PL1 view first, so a PL0 access cannot borrow it. */
	hfx_assert_reads(f.cpu, 0x00401010, 0x40701010);
	hfx_assert_reads(f.cpu, 0x00402010, 0x40703010);

	r = hfx_access(f.cpu, 0x00401010, 4, false, 0, 0);
	hfx_assert_abort(r, 0x00401010, FS_PERM_PAGE, 3, false);
	r = hfx_access(f.cpu, 0x00402010, 4, false, 0, 0);
	cr_assert(r.ok && r.v == hfx_word(0x40703010));
	r = hfx_access(f.cpu, 0x00402014, 4, true, 7, 0);
	hfx_assert_abort(r, 0x00402014, FS_PERM_PAGE, 3, true);
	cr_assert_eq(*hfx_ram32(&f, 0x40703014), hfx_word(0x40703014));
	r = hfx_access(f.cpu, 0x00403014, 4, true, 0x77777777, 0);
	cr_assert(r.ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40703014 + 0x2000), 0x77777777u);
	/* The current view is still PL1's. */
	cr_assert(hfx_st32(f.cpu, 0x00402018, 0x12345678).ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40703018), 0x12345678u);
	/* And the _pl form at PL1 from PL0 uses PL1 rights. */
	shadow_cpu_set_pl(f.cpu, 0);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00401020), 0x00401020, FS_PERM_PAGE, 3, false);
	r = hfx_access(f.cpu, 0x00401020, 4, false, 0, 1);
	cr_assert(r.ok && r.v == hfx_word(0x40701020));
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_unprivileged_access)

/* DACR: No access gives domain faults, Manager ignores AP. */
static void basic_domains(enum shadow_org org)
{
	struct hfx f;
	/* domain 3 No access, domain 4 Manager, the rest Client */
	uint32_t dacr = (HFX_DACR_CLIENT & ~(3u << 6) & ~(3u << 8)) | 3u << 8;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00501000, 0x40711000, ATTR(.ap = 3, .domain = 3));
	ptb_section(&f.ptb, f.ptb.l1, 0x00600000, 0x40800000, ATTR(.ap = 3, .domain = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00701000, 0x40721000, ATTR(.ap = 0, .domain = 4));
	ptb_page(&f.ptb, f.ptb.l1, 0x00702000, 0x40723000, ATTR(.ap = 5, .domain = 4));
	cr_assert_eq(shadow_cpu_set_dacr(f.cpu, dacr), 0);

	for (unsigned pl = 0; pl < 2; pl++) {
		shadow_cpu_set_pl(f.cpu, pl);
		r = hfx_ld32(f.cpu, 0x00501008);
		hfx_assert_abort(r, 0x00501008, FS_DOMAIN_PAGE, 3, false);
		cr_assert_eq(r.fault.fsr, 0x03bu);
		r = hfx_st32(f.cpu, 0x0050100c, 1);
		hfx_assert_abort(r, 0x0050100c, FS_DOMAIN_PAGE, 3, true);
		cr_assert_eq(r.fault.fsr, 0x83bu);
		r = hfx_ld32(f.cpu, 0x00654320);
		hfx_assert_abort(r, 0x00654320, FS_DOMAIN_SECTION, 3, false);
		cr_assert_eq(r.fault.fsr, 0x039u);
		cr_assert_eq(*hfx_ram32(&f, 0x4071100c), hfx_word(0x4071100c));

		/* Manager: AP=000 and AP=101 pages are read/write at both PLs. */
		hfx_assert_reads(f.cpu, 0x00701010, 0x40721010);
		cr_assert(hfx_st32(f.cpu, 0x00701014, 0xa0 + pl).ok);
		cr_assert_eq(*hfx_ram32(&f, 0x40721014), 0xa0 + pl);
		cr_assert(hfx_st32(f.cpu, 0x00702014, 0xb0 + pl).ok);
		cr_assert_eq(*hfx_ram32(&f, 0x40723014), 0xb0 + pl);
	}
	/* Domain 4 becomes Client: AP applies again (and the filled RW
	 * mappings of the Manager value must not be used). */
	cr_assert_eq(shadow_cpu_set_dacr(f.cpu, HFX_DACR_CLIENT), 0);
	shadow_cpu_set_pl(f.cpu, 1);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00701010), 0x00701010, FS_PERM_PAGE, 4, false);
	hfx_assert_abort(hfx_st32(f.cpu, 0x00702014, 5), 0x00702014, FS_PERM_PAGE, 4, true);
	cr_assert_eq(*hfx_ram32(&f, 0x40723014), 0xb1u);
	shadow_cpu_set_pl(f.cpu, 0);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00702010), 0x00702010, FS_PERM_PAGE, 4, false);
	/* Domain 3 Client: readable now. */
	hfx_assert_reads(f.cpu, 0x00501008, 0x40711008);
	hfx_assert_reads(f.cpu, 0x00654320, 0x40854320);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_domains)

static void basic_translation_faults(enum shadow_org org)
{
	struct hfx f;

	hfx_setup(&f, org, 2, 64);
	ptb_raw_l1(&f.ptb, f.ptb.l1, 0x00800000, 0xfffffffcu);	/* type 00: fault */
	ptb_page(&f.ptb, f.ptb.l1, 0x00901000, 0x40711000, ATTR(.ap = 3, .domain = 6));
	ptb_raw_l2(&f.ptb, f.ptb.l1, 0x00902000, 0xfffffffcu);	/* type 00: fault */
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00700abc), 0x00700abc, FS_TRANS_SECTION, -1, false);
	hfx_assert_abort(hfx_st32(f.cpu, 0x00700ab0, 0), 0x00700ab0, FS_TRANS_SECTION, -1, true);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00812344), 0x00812344, FS_TRANS_SECTION, -1, false);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00902ff8), 0x00902ff8, FS_TRANS_PAGE, 6, false);
	hfx_assert_abort(hfx_st32(f.cpu, 0x00903000, 0), 0x00903000, FS_TRANS_PAGE, 6, true);
	hfx_assert_reads(f.cpu, 0x00901ffc, 0x40711ffc);
	shadow_cpu_set_pl(f.cpu, 0);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00902000), 0x00902000, FS_TRANS_PAGE, 6, false);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_translation_faults)

/* SCTLR.M = 0: VA = GPA for RAM, MMIO and unassigned addresses alike. */
static void basic_mmu_off(enum shadow_org org)
{
	struct hfx f;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	cr_assert_eq(shadow_cpu_set_sctlr(f.cpu, 0), 0);
	hfx_assert_reads(f.cpu, 0x40000000, 0x40000000);
	hfx_assert_reads(f.cpu, 0x40abc004, 0x40abc004);
	hfx_assert_reads(f.cpu, 0x43bffffc, 0x43bffffc);
	cr_assert(hfx_st32(f.cpu, 0x40abc008, 0xd00dfeed).ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40abc008), 0xd00dfeed);
	shadow_cpu_set_pl(f.cpu, 0);
	hfx_assert_reads(f.cpu, 0x40abc008 - 0x1000, 0x40abb008);
	shadow_cpu_set_pl(f.cpu, 1);

	r = hfx_ld32(f.cpu, HFX_MMIO_BASE + 0x10);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_MMIO, "kind %s", hfx_kind_name(r.fault.kind));
	cr_assert_eq(r.fault.gpa, HFX_MMIO_BASE + 0x10);
	cr_assert_eq(r.fault.mmio_id, HFX_MMIO_ID);
	cr_assert_eq(r.fault.mmio_offset, 0x10);
	cr_assert(!r.fault.write);
	r = hfx_st32(f.cpu, HFX_MMIO_BASE + 0x24, 5);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_MMIO);
	cr_assert_eq(r.fault.mmio_offset, 0x24);
	cr_assert(r.fault.write);

	r = hfx_ld32(f.cpu, HFX_UNASSIGNED + 0x48);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED, "kind %s",
		  hfx_kind_name(r.fault.kind));
	cr_assert_eq(r.fault.gpa, HFX_UNASSIGNED + 0x48);
	r = hfx_st32(f.cpu, 0x44000000, 5);	/* just past the end of RAM */
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED);
	cr_assert_eq(r.fault.gpa, 0x44000000);
	cr_assert(r.fault.write);

	/* MMU on: the same VA now goes through the (empty) tables. */
	cr_assert_eq(shadow_cpu_set_sctlr(f.cpu, SCTLR_M), 0);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x40abc008), 0x40abc008, FS_TRANS_SECTION, -1, false);
	ptb_section(&f.ptb, f.ptb.l1, 0x40a00000, 0x41a00000, ATTR(.ap = 3));
	hfx_assert_reads(f.cpu, 0x40abc008, 0x41abc008);
	/* And off again. */
	cr_assert_eq(shadow_cpu_set_sctlr(f.cpu, 0), 0);
	r = hfx_ld32(f.cpu, 0x40abc008);
	cr_assert(r.ok && r.v == 0xd00dfeed, "flat view after MMU off/on/off");
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_mmu_off)

/* Translated accesses to device and unassigned GPAs; permission checks
 * come first. Never mapped: every access comes back. */
static void basic_mmio(enum shadow_org org)
{
	struct hfx f;
	struct hacc r;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00900000, HFX_MMIO_BASE, ATTR(.ap = 1));
	ptb_section(&f.ptb, f.ptb.l1, 0x00a00000, HFX_MMIO_BASE, ATTR(.ap = 3));
	ptb_page(&f.ptb, f.ptb.l1, 0x00b00000, HFX_UNASSIGNED, ATTR(.ap = 3));
	ptb_large_page(&f.ptb, f.ptb.l1, 0x00b10000, HFX_UNASSIGNED + 0x10000, ATTR(.ap = 3));

	for (unsigned i = 0; i < 3; i++) {
		uint64_t before = f.cpu->stats.faults_mmio;

		r = hfx_ld32(f.cpu, 0x00900020);
		cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_MMIO, "round %u: kind %s", i,
			  hfx_kind_name(r.fault.kind));
		cr_assert_eq(r.fault.gpa, HFX_MMIO_BASE + 0x20);
		cr_assert_eq(r.fault.mmio_id, HFX_MMIO_ID);
		cr_assert_eq(r.fault.mmio_offset, 0x20);
		cr_assert(!r.fault.write);
		if (org != SHADOW_ORG_SOFT)
			cr_assert_eq(f.cpu->stats.faults_mmio, before + 1);
	}
	r = hfx_access(f.cpu, 0x00900044, 2, true, 9, HFX_CUR_PL);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_MMIO);
	cr_assert_eq(r.fault.mmio_offset, 0x44);
	cr_assert(r.fault.write);
	/* A section over the device page and unassigned space after it. */
	r = hfx_ld32(f.cpu, 0x00a00ffc);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_MMIO);
	cr_assert_eq(r.fault.mmio_offset, 0xffc);
	r = hfx_ld32(f.cpu, 0x00a05008);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED, "kind %s",
		  hfx_kind_name(r.fault.kind));
	cr_assert_eq(r.fault.gpa, HFX_MMIO_BASE + 0x5008);
	/* Unassigned through a small and a large page. */
	r = hfx_ld32(f.cpu, 0x00b00008);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED);
	cr_assert_eq(r.fault.gpa, HFX_UNASSIGNED + 8);
	r = hfx_st32(f.cpu, 0x00b1a00c, 1);
	cr_assert(!r.ok && r.fault.kind == SHADOW_FAULT_UNASSIGNED);
	cr_assert_eq(r.fault.gpa, HFX_UNASSIGNED + 0x1a00c);
	cr_assert(r.fault.write);
	/* PL0 has no right to the AP=001 device page: abort, not MMIO. */
	shadow_cpu_set_pl(f.cpu, 0);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00900020), 0x00900020, FS_PERM_PAGE, 0, false);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_mmio)

/* SCTLR.AFE: AP[0] is the access flag; clear gives an access-flag fault. */
static void basic_access_flag(enum shadow_org org)
{
	struct hfx f;

	hfx_setup(&f, org, 2, 64);
	cr_assert_eq(shadow_cpu_set_sctlr(f.cpu, SCTLR_M | SCTLR_AFE), 0);
	ptb_page(&f.ptb, f.ptb.l1, 0x00401000, 0x40701000, ATTR(.ap = 3, .domain = 1, .ng = true));
	ptb_page(&f.ptb, f.ptb.l1, 0x00402000, 0x40703000, ATTR(.ap = 2, .domain = 1, .ng = true));
	ptb_section(&f.ptb, f.ptb.l1, 0x00500000, 0x40900000, ATTR(.ap = 2, .domain = 1, .ng = true));
	hfx_assert_reads(f.cpu, 0x00401010, 0x40701010);
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00402010), 0x00402010, FS_ACCESS_PAGE, 1, false);
	hfx_assert_abort(hfx_st32(f.cpu, 0x00512344, 0), 0x00512344, FS_ACCESS_SECTION, 1, true);
	/* The guest sets the flag (AP=011) and invalidates. */
	ptb_page(&f.ptb, f.ptb.l1, 0x00402000, 0x40703000, ATTR(.ap = 3, .domain = 1, .ng = true));
	ptb_section(&f.ptb, f.ptb.l1, 0x00500000, 0x40900000, ATTR(.ap = 3, .domain = 1, .ng = true));
	cr_assert_eq(shadow_tlbi_mva(f.cpu, 0x00402000 | 1, false), 0);
	cr_assert_eq(shadow_tlbi_mva(f.cpu, 0x00500000 | 1, false), 0);
	hfx_assert_reads(f.cpu, 0x00402010, 0x40703010);
	cr_assert(hfx_st32(f.cpu, 0x00512344, 0x4242).ok);
	cr_assert_eq(*hfx_ram32(&f, 0x40912344), 0x4242u);
	/* AFE's simplified model: AP[2:1] = 01 is full access. */
	shadow_cpu_set_pl(f.cpu, 0);
	cr_assert(hfx_st32(f.cpu, 0x00402010, 0x4343).ok);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_access_flag)

/* The counters the other tests rely on: one fill per page, none on a hit,
 * none on a guest abort. */
static void basic_fill_counts(enum shadow_org org)
{
	struct hfx f;
	uint64_t n;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0x00401000, 0x40701000, ATTR(.ap = 1));
	n = hfx_fills(f.cpu);
	hfx_assert_reads(f.cpu, 0x00401010, 0x40701010);
	cr_assert_eq(hfx_fills(f.cpu), n + 1, "first access: %llu fills",
		     (unsigned long long)(hfx_fills(f.cpu) - n));
	hfx_assert_reads(f.cpu, 0x00401ff0, 0x40701ff0);
	cr_assert_eq(hfx_fills(f.cpu), n + 1, "a hit filled");
	/* HSPT maps with the guest's full rights: a later write is a hit. */
	cr_assert(hfx_st32(f.cpu, 0x00401014, 3).ok);
	if (org != SHADOW_ORG_SOFT)
		cr_assert_eq(hfx_fills(f.cpu), n + 1, "write after read re-filled");
	n = hfx_fills(f.cpu);
	shadow_cpu_set_pl(f.cpu, 0);
	uint64_t perm = f.cpu->stats.faults_permission;
	hfx_assert_abort(hfx_ld32(f.cpu, 0x00401010), 0x00401010, FS_PERM_PAGE, 0, false);
	cr_assert_eq(hfx_fills(f.cpu), n);
	cr_assert_eq(f.cpu->stats.faults_permission, perm + 1);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_fill_counts)

/* Consecutive frames with different attributes in one L2 table: whatever
 * the engine maps ahead must carry each page's own rights. */
static void basic_contiguous_mixed_attrs(enum shadow_org org)
{
	static const unsigned aps[] = { 3, 7, 3, 1, 2, 0, 3, 5, 3, 6 };
	const unsigned n = sizeof(aps) / sizeof(aps[0]);
	const uint32_t va = 0x00700000, pa = 0x40800000;
	struct hfx f;

	hfx_setup(&f, org, 2, 64);
	for (unsigned i = 0; i < n; i++)
		ptb_page(&f.ptb, f.ptb.l1, va + i * HFX_PAGE, pa + i * HFX_PAGE,
			 ATTR(.ap = aps[i], .domain = 2, .ng = true));
	/* A global page in the run, then an unrelated frame. */
	ptb_page(&f.ptb, f.ptb.l1, va + n * HFX_PAGE, pa + n * HFX_PAGE, ATTR(.ap = 3, .domain = 2));
	ptb_page(&f.ptb, f.ptb.l1, va + (n + 1) * HFX_PAGE, pa + (n + 1) * HFX_PAGE,
		 ATTR(.ap = 3, .domain = 2, .ng = true));
	/* Fill from the writable first page, then from the middle. */
	cr_assert(hfx_st32(f.cpu, va, 1).ok);
	cr_assert(hfx_st32(f.cpu, va + 6 * HFX_PAGE, 1).ok);
	for (unsigned pl = 0; pl < 2; pl++) {
		shadow_cpu_set_pl(f.cpu, 1 - pl);
		for (unsigned w = 0; w < 2; w++)
			for (unsigned i = 0; i < n; i++) {
				uint32_t a = va + i * HFX_PAGE + 0x40;
				uint32_t before = *hfx_ram32(&f, pa + i * HFX_PAGE + 0x40);
				struct hacc r = w ? hfx_st32(f.cpu, a, 0x5150 + i) : hfx_ld32(f.cpu, a);

				if (ap_allows(aps[i], 1 - pl, w)) {
					cr_assert(r.ok, "page %u AP=%u PL%u %s aborted", i, aps[i], 1 - pl,
						  w ? "write" : "read");
					cr_assert_eq(w ? *hfx_ram32(&f, pa + i * HFX_PAGE + 0x40) : r.v,
						     w ? 0x5150 + i : before);
				} else {
					hfx_assert_abort(r, a, FS_PERM_PAGE, 2, w);
					cr_assert_eq(*hfx_ram32(&f, pa + i * HFX_PAGE + 0x40), before);
				}
			}
	}
	shadow_cpu_set_pl(f.cpu, 1);
	/* Each page of the run is still invalidated on its own. */
	ptb_page(&f.ptb, f.ptb.l1, va + 2 * HFX_PAGE, 0x40f00000, ATTR(.ap = 3, .domain = 2, .ng = true));
	ptb_page(&f.ptb, f.ptb.l1, va + n * HFX_PAGE, 0x40f01000, ATTR(.ap = 3, .domain = 2));
	cr_assert_eq(shadow_tlbi_mva(f.cpu, (va + 2 * HFX_PAGE) | 1, false), 0);
	cr_assert_eq(shadow_tlbi_mva(f.cpu, (va + n * HFX_PAGE) | 1, false), 0);
	hfx_assert_reads(f.cpu, va + 2 * HFX_PAGE + 8, 0x40f00008);
	hfx_assert_reads(f.cpu, va + n * HFX_PAGE + 8, 0x40f01008);
	hfx_assert_reads(f.cpu, va + (n + 1) * HFX_PAGE + 8, pa + (n + 1) * HFX_PAGE + 8);
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt, basic_contiguous_mixed_attrs)

/* ------------------------------------------------------------------ */
/* hspt_tlb: TLB maintenance                                           */
/* ------------------------------------------------------------------ */

/* Two address spaces: ASID 1 on table t[1] (the builder's first L1), ASID 2
 * on t[2]. Global mappings are written into both, as a kernel would. */
struct tlbt {
	struct hfx f;
	struct shadow_cpu *cpu;
	uint32_t t[3];
	bool hspt;		/* an HSPT organization: assert what it keeps */
	bool private_org;
};

static void tlbt_setup(struct tlbt *t, enum shadow_org org)
{
	hfx_setup(&t->f, org, 3, 64);
	t->cpu = t->f.cpu;
	t->t[1] = t->f.ptb.l1;
	t->t[2] = ptb_new_l1(&t->f.ptb);
	cr_assert_neq(t->t[2], 0);
	t->hspt = org != SHADOW_ORG_SOFT;
	t->private_org = org == SHADOW_ORG_PRIVATE;
}

/* A context switch to asid as Linux does it: TTBR0 then CONTEXTIDR. */
static void tlbt_use(struct tlbt *t, uint32_t asid)
{
	shadow_cpu_set_ttbr0(t->cpu, t->t[asid]);
	cr_assert_eq(shadow_cpu_set_contextidr(t->cpu, asid), 0);
}

static void tlbt_page(struct tlbt *t, unsigned asid, uint32_t va, uint32_t pa, bool global)
{
	if (global) {
		ptb_page(&t->f.ptb, t->t[1], va, pa, ATTR(.ap = 3));
		ptb_page(&t->f.ptb, t->t[2], va, pa, ATTR(.ap = 3));
	} else {
		ptb_page(&t->f.ptb, t->t[asid], va, pa, ATTR(.ap = 3, .ng = true));
	}
}

/* Read va, expect the word of pa; and the change in fills must be
 * `fills` (only checked in HSPT modes when fills >= 0). */
static void tlbt_read(struct tlbt *t, uint32_t va, uint32_t pa, int fills, const char *what)
{
	uint64_t n = hfx_fills(t->cpu);

	hfx_assert_reads(t->cpu, va, pa, "%s", what);
	if (t->hspt && fills >= 0)
		cr_assert_eq(hfx_fills(t->cpu) - n, (uint64_t)fills,
			     "%s: %llu fills, expected %d", what,
			     (unsigned long long)(hfx_fills(t->cpu) - n), fills);
}

/* TLBIMVA of a non-global page of the current ASID. */
static void tlb_mva_nonglobal(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t A = 0x00100000, B = 0x00a05000;

	tlbt_setup(&t, org);
	tlbt_page(&t, 1, A, 0x40201000, false);
	tlbt_page(&t, 1, B, 0x40302000, false);
	tlbt_page(&t, 2, A, 0x40403000, false);
	tlbt_read(&t, A + 0x40, 0x40201040, 1, "A first read");
	tlbt_read(&t, B + 0x40, 0x40302040, 1, "B first read");

	tlbt_page(&t, 1, A, 0x40505000, false);
	if (t.hspt)
		tlbt_read(&t, A + 0x40, 0x40201040, 0, "A before TLBIMVA (stale translation)");
	cr_assert_eq(shadow_tlbi_mva(t.cpu, A | 1, false), 0);
	tlbt_read(&t, A + 0x40, 0x40505040, 1, "A after TLBIMVA");
	tlbt_read(&t, A + 0xffc, 0x40505ffc, 0, "A again");
	tlbt_read(&t, B + 0x40, 0x40302040, 0, "unrelated page B after TLBIMVA of A");

	/* ASID 2 has its own translation of A. */
	tlbt_use(&t, 2);
	tlbt_read(&t, A + 0x40, 0x40403040, -1, "A in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, A + 0x40, 0x40505040, -1, "A back in ASID 1");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_mva_nonglobal)

/* TLBIMVA of a global page with an unrelated ASID invalidates it in every
 * address space. */
static void tlb_mva_global(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t G = 0xc0300000, B = 0x00a05000;

	tlbt_setup(&t, org);
	tlbt_page(&t, 0, G, 0x40201000, true);
	tlbt_page(&t, 1, B, 0x40302000, false);
	tlbt_use(&t, 2);
	tlbt_read(&t, G + 8, 0x40201008, -1, "G in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, G + 8, 0x40201008, -1, "G in ASID 1");
	tlbt_read(&t, B + 8, 0x40302008, -1, "B");

	tlbt_page(&t, 0, G, 0x40605000, true);
	if (t.hspt)
		tlbt_read(&t, G + 8, 0x40201008, 0, "G before TLBIMVA (stale translation)");
	cr_assert_eq(shadow_tlbi_mva(t.cpu, G | 0x77, false), 0);
	tlbt_read(&t, G + 8, 0x40605008, 1, "G after TLBIMVA with ASID 0x77");
	tlbt_read(&t, B + 8, 0x40302008, 0, "unrelated page B");
	tlbt_use(&t, 2);
	tlbt_read(&t, G + 8, 0x40605008, -1, "G in ASID 2 after TLBIMVA");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_mva_global)

/* TLBIMVA on any address of a section, supersection or large page removes
 * the whole block; other blocks may stay. */
static void tlb_mva_blocks(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t S = 0x00400000, SS = 0x01000000, L = 0x00510000;
	struct ptb *b;

	tlbt_setup(&t, org);
	b = &t.f.ptb;
	ptb_section(b, t.t[1], S, 0x40100000, ATTR(.ap = 3, .ng = true));
	ptb_supersection(b, t.t[1], SS, 0x41000000, ATTR(.ap = 3, .ng = true));
	ptb_large_page(b, t.t[1], L, 0x40a30000, ATTR(.ap = 3, .ng = true));
	tlbt_read(&t, S, 0x40100000, -1, "section +0");
	tlbt_read(&t, S + 0x80004, 0x40180004, -1, "section +0x80004");
	tlbt_read(&t, SS + 8, 0x41000008, -1, "supersection +8");
	tlbt_read(&t, SS + 0x340008, 0x41340008, -1, "supersection +0x340008");
	tlbt_read(&t, L + 8, 0x40a30008, -1, "large page +8");
	tlbt_read(&t, L + 0x8008, 0x40a38008, -1, "large page +0x8008");

	ptb_section(b, t.t[1], S, 0x40e00000, ATTR(.ap = 3, .ng = true));
	ptb_supersection(b, t.t[1], SS, 0x42000000, ATTR(.ap = 3, .ng = true));
	ptb_large_page(b, t.t[1], L, 0x40b50000, ATTR(.ap = 3, .ng = true));
	if (t.hspt) {
		tlbt_read(&t, S + 0x80004, 0x40180004, 0, "section before TLBIMVA");
		tlbt_read(&t, SS + 0x340008, 0x41340008, 0, "supersection before TLBIMVA");
		tlbt_read(&t, L + 0x8008, 0x40a38008, 0, "large page before TLBIMVA");
	}

	/* An address of the section that was never accessed. */
	cr_assert_eq(shadow_tlbi_mva(t.cpu, (S + 0xab000) | 1, false), 0);
	tlbt_read(&t, S, 0x40e00000, -1, "section +0 after TLBIMVA(+0xab000)");
	tlbt_read(&t, S + 0x80004, 0x40e80004, -1, "section +0x80004 after TLBIMVA(+0xab000)");
	tlbt_read(&t, S + 0xffffc, 0x40effffc, -1, "section end after TLBIMVA");
	if (t.hspt)
		tlbt_read(&t, SS + 0x340008, 0x41340008, 0, "supersection kept after section TLBIMVA");

	cr_assert_eq(shadow_tlbi_mva(t.cpu, (SS + 0xa03000) | 1, false), 0);
	tlbt_read(&t, SS + 8, 0x42000008, -1, "supersection +8 after TLBIMVA(+0xa03000)");
	tlbt_read(&t, SS + 0x340008, 0x42340008, -1, "supersection +0x340008 after TLBIMVA");
	if (t.hspt)
		tlbt_read(&t, L + 0x8008, 0x40a38008, 0, "large page kept after supersection TLBIMVA");

	cr_assert_eq(shadow_tlbi_mva(t.cpu, (L + 0xf000) | 1, false), 0);
	tlbt_read(&t, L + 8, 0x40b50008, -1, "large page +8 after TLBIMVA(+0xf000)");
	tlbt_read(&t, L + 0x8008, 0x40b58008, -1, "large page +0x8008 after TLBIMVA(+0xf000)");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_mva_blocks)

/* TLBIASID removes the ASID's non-global entries, issued from the ASID
 * itself or from another one. */
static void tlb_asid(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t A = 0x00100000, A2 = 0x00602000, G = 0xc0300000, C = 0x00200000;

	tlbt_setup(&t, org);
	tlbt_page(&t, 1, A, 0x40201000, false);
	tlbt_page(&t, 1, A2, 0x40203000, false);
	tlbt_page(&t, 0, G, 0x40205000, true);
	tlbt_page(&t, 2, C, 0x40207000, false);
	tlbt_page(&t, 2, A, 0x40209000, false);
	tlbt_use(&t, 2);
	tlbt_read(&t, C, 0x40207000, -1, "C in ASID 2");
	tlbt_read(&t, A, 0x40209000, -1, "A in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, A, 0x40201000, -1, "A");
	tlbt_read(&t, A2, 0x40203000, -1, "A2");
	tlbt_read(&t, G, 0x40205000, -1, "G");

	tlbt_page(&t, 1, A, 0x40701000, false);
	tlbt_page(&t, 1, A2, 0x40703000, false);
	if (t.hspt) {
		tlbt_read(&t, A, 0x40201000, 0, "A before TLBIASID");
		tlbt_read(&t, A2, 0x40203000, 0, "A2 before TLBIASID");
	}
	cr_assert_eq(shadow_tlbi_asid(t.cpu, 1, false), 0);
	tlbt_read(&t, A, 0x40701000, -1, "A after TLBIASID(1)");
	tlbt_read(&t, A2, 0x40703000, -1, "A2 after TLBIASID(1)");
	tlbt_read(&t, G, 0x40205000, t.hspt ? 0 : -1, "G kept by TLBIASID(1)");

	/* ASID 2 kept its SPT in private mode. */
	tlbt_use(&t, 2);
	tlbt_read(&t, C, 0x40207000, t.private_org ? 0 : -1, "C in ASID 2 after TLBIASID(1)");
	tlbt_read(&t, A, 0x40209000, t.private_org ? 0 : -1, "A in ASID 2 after TLBIASID(1)");

	/* TLBIASID(2) from ASID 1 reaches ASID 2's translations. */
	tlbt_use(&t, 1);
	tlbt_page(&t, 2, C, 0x40807000, false);
	cr_assert_eq(shadow_tlbi_asid(t.cpu, 2, false), 0);
	tlbt_use(&t, 2);
	tlbt_read(&t, C, 0x40807000, -1, "C in ASID 2 after TLBIASID(2) issued from ASID 1");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_asid)

/* TLBIMVA for an ASID that is not the current one. */
static void tlb_mva_other_asid(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t X = 0x00100000;

	tlbt_setup(&t, org);
	tlbt_page(&t, 2, X, 0x40201000, false);
	tlbt_page(&t, 1, X, 0x40301000, false);
	tlbt_use(&t, 2);
	tlbt_read(&t, X, 0x40201000, -1, "X in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, X, 0x40301000, -1, "X in ASID 1");
	tlbt_page(&t, 2, X, 0x40401000, false);
	cr_assert_eq(shadow_tlbi_mva(t.cpu, X | 2, false), 0);
	tlbt_use(&t, 2);
	tlbt_read(&t, X, 0x40401000, -1, "X in ASID 2 after TLBIMVA(X, 2) from ASID 1");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_mva_other_asid)

/* TLBIMVAA: the VA in every ASID, global or not. */
static void tlb_mvaa(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t X = 0x00100000, GX = 0xc0400000, B = 0x00a05000;

	tlbt_setup(&t, org);
	tlbt_page(&t, 1, X, 0x40201000, false);
	tlbt_page(&t, 2, X, 0x40301000, false);
	tlbt_page(&t, 0, GX, 0x40401000, true);
	tlbt_page(&t, 1, B, 0x40501000, false);
	tlbt_use(&t, 2);
	tlbt_read(&t, X, 0x40301000, -1, "X in ASID 2");
	tlbt_read(&t, GX, 0x40401000, -1, "GX in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, X, 0x40201000, -1, "X in ASID 1");
	tlbt_read(&t, GX, 0x40401000, -1, "GX in ASID 1");
	tlbt_read(&t, B, 0x40501000, -1, "B");

	tlbt_page(&t, 1, X, 0x40211000, false);
	tlbt_page(&t, 2, X, 0x40311000, false);
	tlbt_page(&t, 0, GX, 0x40411000, true);
	if (t.hspt) {
		tlbt_read(&t, X, 0x40201000, 0, "X before TLBIMVAA");
		tlbt_read(&t, GX, 0x40401000, 0, "GX before TLBIMVAA");
	}
	cr_assert_eq(shadow_tlbi_mvaa(t.cpu, X, false), 0);
	cr_assert_eq(shadow_tlbi_mvaa(t.cpu, GX, false), 0);
	tlbt_read(&t, X, 0x40211000, -1, "X after TLBIMVAA");
	tlbt_read(&t, GX, 0x40411000, -1, "GX after TLBIMVAA");
	tlbt_read(&t, B, 0x40501000, 0, "unrelated page B after TLBIMVAA");
	tlbt_use(&t, 2);
	tlbt_read(&t, X, 0x40311000, -1, "X in ASID 2 after TLBIMVAA");
	tlbt_read(&t, GX, 0x40411000, -1, "GX in ASID 2 after TLBIMVAA");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_mvaa)

/* TLBIALL: everything, every ASID, every size. */
static void tlb_all(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t S = 0x00400000, A = 0x00100000, G = 0xc0300000, C = 0x00200000;

	tlbt_setup(&t, org);
	ptb_section(&t.f.ptb, t.t[1], S, 0x40100000, ATTR(.ap = 3, .ng = true));
	tlbt_page(&t, 1, A, 0x40201000, false);
	tlbt_page(&t, 0, G, 0x40205000, true);
	tlbt_page(&t, 2, C, 0x40207000, false);
	tlbt_use(&t, 2);
	tlbt_read(&t, C, 0x40207000, -1, "C in ASID 2");
	tlbt_read(&t, G, 0x40205000, -1, "G in ASID 2");
	tlbt_use(&t, 1);
	tlbt_read(&t, S + 0x4000, 0x40104000, -1, "S");
	tlbt_read(&t, A, 0x40201000, -1, "A");
	tlbt_read(&t, G, 0x40205000, -1, "G");

	ptb_section(&t.f.ptb, t.t[1], S, 0x40f00000, ATTR(.ap = 3, .ng = true));
	tlbt_page(&t, 1, A, 0x40801000, false);
	tlbt_page(&t, 0, G, 0x40805000, true);
	tlbt_page(&t, 2, C, 0x40807000, false);
	if (t.hspt) {
		tlbt_read(&t, S + 0x4000, 0x40104000, 0, "S before TLBIALL");
		tlbt_read(&t, A, 0x40201000, 0, "A before TLBIALL");
		tlbt_read(&t, G, 0x40205000, 0, "G before TLBIALL");
	}
	cr_assert_eq(shadow_tlbi_all(t.cpu, false), 0);
	tlbt_read(&t, S + 0x4000, 0x40f04000, -1, "S after TLBIALL");
	tlbt_read(&t, A, 0x40801000, -1, "A after TLBIALL");
	tlbt_read(&t, G, 0x40805000, -1, "G after TLBIALL");
	tlbt_use(&t, 2);
	tlbt_read(&t, C, 0x40807000, -1, "C in ASID 2 after TLBIALL");
	tlbt_read(&t, G, 0x40805000, -1, "G in ASID 2 after TLBIALL");
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_all)

/* Every operation reaches every view: both privilege levels and every
 * DACR value the page was filled under, current or not. */
static void tlb_all_views(enum shadow_org org)
{
	struct tlbt t;
	const uint32_t A = 0x00100000;
	const uint32_t dacr2 = HFX_DACR_CLIENT | 3u << 2;	/* domain 1 Manager */
	static const char *const ops[] = { "TLBIMVA", "TLBIASID", "TLBIMVAA", "TLBIALL" };

	tlbt_setup(&t, org);
	for (unsigned op = 0; op < 4; op++) {
		uint32_t pa_old = 0x40200000 + op * 0x10000, pa_new = pa_old + 0x8000;
		uint32_t va = A + op * 0x1000;
		char what[96];

		ptb_page(&t.f.ptb, t.t[1], va, pa_old, ATTR(.ap = 3, .domain = 1, .ng = true));
		for (unsigned d = 0; d < 2; d++) {
			cr_assert_eq(shadow_cpu_set_dacr(t.cpu, d ? dacr2 : HFX_DACR_CLIENT), 0);
			for (unsigned pl = 0; pl < 2; pl++) {
				shadow_cpu_set_pl(t.cpu, pl);
				tlbt_read(&t, va, pa_old, -1, "fill");
			}
			cr_assert(hfx_access(t.cpu, va, 4, false, 0, 0).ok);
		}
		ptb_page(&t.f.ptb, t.t[1], va, pa_new, ATTR(.ap = 3, .domain = 1, .ng = true));
		/* Issued at PL1 under the first DACR value. */
		cr_assert_eq(shadow_cpu_set_dacr(t.cpu, HFX_DACR_CLIENT), 0);
		shadow_cpu_set_pl(t.cpu, 1);
		switch (op) {
		case 0: cr_assert_eq(shadow_tlbi_mva(t.cpu, va | 1, false), 0); break;
		case 1: cr_assert_eq(shadow_tlbi_asid(t.cpu, 1, false), 0); break;
		case 2: cr_assert_eq(shadow_tlbi_mvaa(t.cpu, va, false), 0); break;
		default: cr_assert_eq(shadow_tlbi_all(t.cpu, false), 0); break;
		}
		for (unsigned d = 0; d < 2; d++) {
			cr_assert_eq(shadow_cpu_set_dacr(t.cpu, d ? dacr2 : HFX_DACR_CLIENT), 0);
			for (unsigned pl = 0; pl < 2; pl++) {
				struct hacc r;

				shadow_cpu_set_pl(t.cpu, pl);
				snprintf(what, sizeof(what), "after %s: PL%u, DACR %#x", ops[op], pl,
					 d ? dacr2 : HFX_DACR_CLIENT);
				tlbt_read(&t, va, pa_new, -1, what);
				shadow_cpu_set_pl(t.cpu, 1);
				r = hfx_access(t.cpu, va + 4, 4, false, 0, 0);
				cr_assert(r.ok && r.v == hfx_word(pa_new + 4), "%s, LDRT", what);
			}
		}
		shadow_cpu_set_pl(t.cpu, 1);
	}
	hfx_teardown(&t.f);
}
HSPT_ORG_TESTS(hspt_tlb, tlb_all_views)

/* ------------------------------------------------------------------ */
/* hspt_dacr: Linux's software PAN                                      */
/* ------------------------------------------------------------------ */

/* Kernel page K (domain 0, AP=001), user page U and user section US
 * (domain 1, AP=011). DACR A makes domain 1 Client (uaccess enabled),
 * DACR B makes it No access (Linux's kernel-mode value). Several rounds of
 * A/B switches: each value sees its own permissions, and after the first
 * round nothing is filled again. */
static void dacr_round(struct hfx *f, bool uaccess)
{
	const uint32_t K = 0xc0001000, U = 0x00010000, US = 0x00200000;
	struct shadow_cpu *cpu = f->cpu;

	cr_assert_eq(shadow_cpu_set_dacr(cpu, uaccess ? HFX_DACR_CLIENT : 0x55555551u), 0);
	shadow_cpu_set_pl(cpu, 1);
	hfx_assert_reads(cpu, K + 0x10, 0x40101010);
	if (uaccess) {
		hfx_assert_reads(cpu, U + 0x10, 0x40202010);
		hfx_assert_reads(cpu, US + 0x5010, 0x40305010);
		cr_assert(hfx_st32(cpu, U + 0x20, hfx_word(0x40202020)).ok);
		/* copy_from_user: LDRT-style access at PL0 rights. */
		struct hacc r = hfx_access(cpu, U + 0x30, 4, false, 0, 0);
		cr_assert(r.ok && r.v == hfx_word(0x40202030));
	} else {
		hfx_assert_abort(hfx_ld32(cpu, U + 0x10), U + 0x10, FS_DOMAIN_PAGE, 1, false);
		hfx_assert_abort(hfx_st32(cpu, U + 0x20, 0), U + 0x20, FS_DOMAIN_PAGE, 1, true);
		hfx_assert_abort(hfx_ld32(cpu, US + 0x5010), US + 0x5010, FS_DOMAIN_SECTION, 1, false);
		hfx_assert_abort(hfx_access(cpu, U + 0x30, 4, false, 0, 0), U + 0x30,
				 FS_DOMAIN_PAGE, 1, false);
	}
	shadow_cpu_set_pl(cpu, 0);
	hfx_assert_abort(hfx_ld32(cpu, K + 0x10), K + 0x10, FS_PERM_PAGE, 0, false);
	if (uaccess) {
		hfx_assert_reads(cpu, U + 0x10, 0x40202010);
		hfx_assert_reads(cpu, US + 0x5010, 0x40305010);
	} else {
		hfx_assert_abort(hfx_ld32(cpu, U + 0x10), U + 0x10, FS_DOMAIN_PAGE, 1, false);
	}
	shadow_cpu_set_pl(cpu, 1);
}

static void dacr_pan(enum shadow_org org)
{
	struct hfx f;
	uint64_t fills, flushes;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, 0xc0001000, 0x40101000, ATTR(.ap = 1, .domain = 0));
	ptb_page(&f.ptb, f.ptb.l1, 0x00010000, 0x40202000, ATTR(.ap = 3, .domain = 1, .ng = true));
	ptb_section(&f.ptb, f.ptb.l1, 0x00200000, 0x40300000, ATTR(.ap = 3, .domain = 1, .ng = true));
	dacr_round(&f, true);
	dacr_round(&f, false);
	fills = hfx_fills(f.cpu);
	flushes = f.cpu->stats.full_flushes;
	for (unsigned i = 0; i < 4; i++) {
		dacr_round(&f, true);
		dacr_round(&f, false);
		if (org != SHADOW_ORG_SOFT)
			cr_assert_eq(hfx_fills(f.cpu), fills,
				     "round %u of DACR switches re-filled %llu pages", i + 2,
				     (unsigned long long)(hfx_fills(f.cpu) - fills));
	}
	if (org != SHADOW_ORG_SOFT)
		cr_assert_eq(f.cpu->stats.full_flushes, flushes, "a DACR switch flushed");
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt_dacr, dacr_pan)

/* Under a Manager DACR everything is writable; the mapping filled then must
 * not leak into the Client value. */
static void dacr_manager_no_leak(enum shadow_org org)
{
	struct hfx f;
	const uint32_t P = 0x00402000;
	const uint32_t manager = HFX_DACR_CLIENT | 3u << 2;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, P, 0x40703000, ATTR(.ap = 7, .domain = 1, .ng = true));
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned pl = 0; pl < 2; pl++) {
			shadow_cpu_set_pl(f.cpu, pl);
			cr_assert_eq(shadow_cpu_set_dacr(f.cpu, HFX_DACR_CLIENT), 0);
			hfx_assert_reads(f.cpu, P + 8, 0x40703008);
			cr_assert_eq(shadow_cpu_set_dacr(f.cpu, manager), 0);
			cr_assert(hfx_st32(f.cpu, P + 8, hfx_word(0x40703008)).ok,
				  "round %u PL%u: Manager write aborted", round, pl);
			cr_assert(hfx_st32(f.cpu, P + 12, 0x1234 + round).ok);
			cr_assert_eq(*hfx_ram32(&f, 0x4070300c), 0x1234 + round);
			cr_assert_eq(shadow_cpu_set_dacr(f.cpu, HFX_DACR_CLIENT), 0);
			hfx_assert_abort(hfx_st32(f.cpu, P + 12, 0xdead), P + 12, FS_PERM_PAGE, 1, true);
			cr_assert_eq(*hfx_ram32(&f, 0x4070300c), 0x1234 + round,
				     "Client write to a read-only page reached RAM");
		}
	}
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt_dacr, dacr_manager_no_leak)

/* More DACR values than the engine keeps views for: whatever it evicts,
 * every value keeps seeing its own permissions. */
static void dacr_many_values(enum shadow_org org)
{
	static const uint32_t dacrs[] = {
		HFX_DACR_CLIENT,			/* 1 client, 2 client */
		HFX_DACR_CLIENT & ~(3u << 2),		/* 1 no access */
		HFX_DACR_CLIENT | 3u << 2,		/* 1 manager */
		HFX_DACR_CLIENT & ~(3u << 4),		/* 2 no access */
		HFX_DACR_CLIENT | 3u << 4,		/* 2 manager */
	};
	const uint32_t P1 = 0x00401000, P2 = 0x00502000;	/* domains are per MiB */
	struct hfx f;
	uint64_t s = 0x0dac;

	hfx_setup(&f, org, 2, 64);
	ptb_page(&f.ptb, f.ptb.l1, P1, 0x40501000, ATTR(.ap = 2, .domain = 1, .ng = true));
	ptb_page(&f.ptb, f.ptb.l1, P2, 0x40503000, ATTR(.ap = 5, .domain = 2, .ng = true));
	for (unsigned i = 0; i < 60; i++) {
		unsigned v = hfx_below(&s, 5), pl = hfx_below(&s, 2), w = hfx_below(&s, 2);
		uint32_t dacr = dacrs[v];

		cr_assert_eq(shadow_cpu_set_dacr(f.cpu, dacr), 0);
		shadow_cpu_set_pl(f.cpu, pl);
		for (unsigned p = 0; p < 2; p++) {
			uint32_t va = (p ? P2 : P1) + 0x10 * (i % 64);
			uint64_t pa = (p ? 0x40503000 : 0x40501000) + 0x10 * (i % 64);
			unsigned dom = p ? 2 : 1, ap = p ? 5 : 2;
			unsigned dv = (dacr >> (2 * dom)) & 3u;
			uint32_t before = *hfx_ram32(&f, pa);
			struct hacc r = w ? hfx_st32(f.cpu, va, before + 1) : hfx_ld32(f.cpu, va);

			if (dv == 0) {
				hfx_assert_abort(r, va, FS_DOMAIN_PAGE, dom, w);
			} else if (dv == 3 || ap_allows(ap, pl, w)) {
				cr_assert(r.ok, "step %u DACR %#x PL%u %s of page %u aborted: fs %#x fsr %#x",
					  i, dacr, pl, w ? "write" : "read", p + 1, r.fault.fs, r.fault.fsr);
				cr_assert_eq(w ? *hfx_ram32(&f, pa) : r.v, w ? before + 1 : before);
				continue;
			} else {
				hfx_assert_abort(r, va, FS_PERM_PAGE, dom, w);
			}
			cr_assert_eq(*hfx_ram32(&f, pa), before);
		}
	}
	hfx_teardown(&f);
}
HSPT_ORG_TESTS(hspt_dacr, dacr_many_values)

/* ------------------------------------------------------------------ */
/* hspt_org: address-space organizations                               */
/* ------------------------------------------------------------------ */

/* Address spaces 1..3 map X and Y (non-global, separate L2 tables, frames
 * far apart) to their own frames. */
struct orgt {
	struct hfx f;
	uint32_t t[4];
};

static const uint32_t ORG_X = 0x00100000, ORG_Y = 0x00805000;

static uint32_t org_pa(unsigned asid, unsigned which)
{
	return 0x40400000 + asid * 0x100000 + which * 0x37000;
}

static void orgt_setup(struct orgt *o, enum shadow_org org, unsigned group)
{
	hfx_setup(&o->f, org, group, 64);
	o->t[1] = o->f.ptb.l1;
	o->t[2] = ptb_new_l1(&o->f.ptb);
	o->t[3] = ptb_new_l1(&o->f.ptb);
	for (unsigned a = 1; a <= 3; a++) {
		ptb_page(&o->f.ptb, o->t[a], ORG_X, org_pa(a, 0), ATTR(.ap = 3, .ng = true));
		ptb_page(&o->f.ptb, o->t[a], ORG_Y, org_pa(a, 1), ATTR(.ap = 3, .ng = true));
	}
}

/* Switch to asid and read X and Y at both PLs; returns the fills. */
static uint64_t orgt_use(struct orgt *o, unsigned asid)
{
	struct shadow_cpu *cpu = o->f.cpu;
	uint64_t n = hfx_fills(cpu);

	shadow_cpu_set_ttbr0(cpu, o->t[asid]);
	cr_assert_eq(shadow_cpu_set_contextidr(cpu, asid), 0);
	for (unsigned pl = 0; pl < 2; pl++) {
		shadow_cpu_set_pl(cpu, pl);
		hfx_assert_reads(cpu, ORG_X + 0x10, org_pa(asid, 0) + 0x10, "ASID %u PL%u", asid, pl);
		hfx_assert_reads(cpu, ORG_Y + 0x10, org_pa(asid, 1) + 0x10, "ASID %u PL%u", asid, pl);
	}
	shadow_cpu_set_pl(cpu, 1);
	return hfx_fills(cpu) - n;
}

/* Non-global translations are tagged by ASID in every organization. */
static void org_asid_tagging(enum shadow_org org)
{
	struct orgt o;

	orgt_setup(&o, org, 2);
	for (unsigned i = 0; i < 3; i++) {
		orgt_use(&o, 1);
		orgt_use(&o, 2);
		orgt_use(&o, 3);
	}
	hfx_teardown(&o.f);
}
HSPT_ORG_TESTS(hspt_org, org_asid_tagging)

Test(hspt_org, private_survives_switch)
{
	struct orgt o;
	uint64_t n, flushes;

	orgt_setup(&o, SHADOW_ORG_PRIVATE, 0);
	cr_assert_gt(orgt_use(&o, 1), 0, "first use of ASID 1");
	cr_assert_gt(orgt_use(&o, 2), 0, "first use of ASID 2");
	flushes = o.f.cpu->stats.full_flushes;
	for (unsigned i = 0; i < 3; i++) {
		n = orgt_use(&o, 1);
		cr_assert_eq(n, 0, "ASID 1 re-filled %llu pages after 1 -> 2 -> 1",
			     (unsigned long long)n);
		n = orgt_use(&o, 2);
		cr_assert_eq(n, 0, "ASID 2 re-filled %llu pages", (unsigned long long)n);
	}
	cr_assert_eq(o.f.cpu->stats.full_flushes, flushes, "an ASID switch flushed");
	hfx_teardown(&o.f);
}

Test(hspt_org, shared_refaults_after_switch)
{
	struct orgt o;
	uint64_t first, n;

	orgt_setup(&o, SHADOW_ORG_SHARED, 0);
	first = orgt_use(&o, 1);
	cr_assert_gt(first, 0);
	cr_assert_eq(orgt_use(&o, 1), 0, "same ASID again must not re-fill");
	orgt_use(&o, 2);
	for (unsigned i = 0; i < 2; i++) {
		n = orgt_use(&o, 1);
		cr_assert_eq(n, first, "shared SPT: ASID 1 re-filled %llu pages after a switch, "
			     "expected %llu", (unsigned long long)n, (unsigned long long)first);
		n = orgt_use(&o, 2);
		cr_assert_eq(n, first);
	}
	hfx_teardown(&o.f);
}

/* Global entries match every ASID, so an address-space change (a shared
 * slot's ASID switch, a group steal) keeps them and drops the rest. The
 * global pages sit between and beside the non-global ones, in the same
 * 4 MiB chunk as X, so the flush has to cut its ranges around them. */
static const uint32_t ORG_G1 = 0x00101000, ORG_G2 = 0x00400000, ORG_GS = 0x00c00000;

static uint64_t orgt_use_globals(struct orgt *o)
{
	struct shadow_cpu *cpu = o->f.cpu;
	uint64_t n = hfx_fills(cpu);

	for (unsigned pl = 0; pl < 2; pl++) {
		shadow_cpu_set_pl(cpu, pl);
		hfx_assert_reads(cpu, ORG_G1 + 0x20, 0x40f00000 + 0x20, "G1 at PL%u", pl);
		hfx_assert_reads(cpu, ORG_G2 + 0x24, 0x40f40000 + 0x24, "G2 at PL%u", pl);
		hfx_assert_reads(cpu, ORG_GS + 0x12340, 0x41000000 + 0x12340, "section at PL%u", pl);
	}
	shadow_cpu_set_pl(cpu, 1);
	return hfx_fills(cpu) - n;
}

static void org_keeps_global(enum shadow_org org, unsigned group)
{
	struct orgt o;
	struct shadow_vm_info info;
	uint64_t first, n;
	long base;

	orgt_setup(&o, org, group);
	for (unsigned a = 1; a <= 3; a++) {
		ptb_page(&o.f.ptb, o.t[a], ORG_G1, 0x40f00000, ATTR(.ap = 3));
		ptb_page(&o.f.ptb, o.t[a], ORG_G2, 0x40f40000, ATTR(.ap = 3));
		ptb_section(&o.f.ptb, o.t[a], ORG_GS, 0x41000000, ATTR(.ap = 3));
	}
	first = orgt_use(&o, 1);
	cr_assert_gt(first, 0);
	cr_assert_gt(orgt_use_globals(&o), 0, "first use of the global pages");
	shadow_vm_info(o.f.vm, &info);
	base = hfx_count_maps() - info.vmas;
	/* 1 -> 2 -> 3 -> 1 ...: every switch takes the slot from another
	 * ASID (group:1 has one slot per vCPU). */
	for (unsigned i = 0; i < 6; i++) {
		unsigned a = 1 + (i + 1) % 3;
		uint64_t steals = o.f.cpu->stats.lru_steals;

		n = orgt_use(&o, a);
		cr_assert_eq(n, first, "ASID %u refilled %llu non-global pages, expected %llu",
			     a, (unsigned long long)n, (unsigned long long)first);
		if (org == SHADOW_ORG_GROUP)
			cr_assert_eq(o.f.cpu->stats.lru_steals, steals + 1, "ASID %u did not steal", a);
		n = orgt_use_globals(&o);
		cr_assert_eq(n, 0, "ASID %u refilled %llu global pages after a switch", a,
			     (unsigned long long)n);
		/* The metadata's VMA model still matches the host's maps. */
		shadow_vm_info(o.f.vm, &info);
		cr_assert_eq(hfx_count_maps() - info.vmas, base,
			     "modelled VMAs %ld, host maps %ld (base %ld)", info.vmas,
			     hfx_count_maps(), base);
	}
	cr_assert_gt(o.f.cpu->stats.asid_flushes, 0);
	/* A kept global entry still obeys TLBIMVA, given any ASID: G2 is
	 * refilled once in each view (PL0, PL1), the others not at all. */
	cr_assert_eq(shadow_tlbi_mva(o.f.cpu, ORG_G2 | 2, false), 0);
	n = orgt_use_globals(&o);
	cr_assert_eq(n, 2, "%llu fills after TLBIMVA of one global page in two views",
		     (unsigned long long)n);
	hfx_teardown(&o.f);
}

Test(hspt_org, shared_keeps_global)
{
	org_keeps_global(SHADOW_ORG_SHARED, 0);
}

Test(hspt_org, group_steal_keeps_global)
{
	org_keeps_global(SHADOW_ORG_GROUP, 1);
}

/* group:2 with ASIDs used in the order 1, 2, 1, 3: ASID 2's SPT is the least
 * recently used and is the one stolen. */
Test(hspt_org, group_steals_lru)
{
	struct orgt o;
	struct shadow_vm_info info;
	uint64_t steals, first;

	orgt_setup(&o, SHADOW_ORG_GROUP, 2);
	shadow_vm_info(o.f.vm, &info);
	cr_assert_eq(info.org, SHADOW_ORG_GROUP);
	cr_assert_eq(info.slots, 2, "group:2 with one vCPU has %u slots", info.slots);

	first = orgt_use(&o, 1);
	cr_assert_gt(first, 0);
	cr_assert_eq(orgt_use(&o, 2), first);
	/* Whatever held the second slot before (ASID 0 at reset) is gone now. */
	steals = o.f.cpu->stats.lru_steals;
	cr_assert_eq(orgt_use(&o, 1), 0, "ASID 1 lost its SPT with a free slot");
	cr_assert_eq(o.f.cpu->stats.lru_steals, steals);

	cr_assert_eq(orgt_use(&o, 3), first);
	cr_assert_eq(o.f.cpu->stats.lru_steals, steals + 1, "ASID 3 did not steal");
	cr_assert_eq(orgt_use(&o, 1), 0, "ASID 1 (most recently used) was stolen");
	cr_assert_eq(orgt_use(&o, 2), first, "ASID 2 was not the one stolen");
	cr_assert_eq(o.f.cpu->stats.lru_steals, steals + 2);
	/* Now 1 and 2 are resident, 3 was the LRU. */
	cr_assert_eq(orgt_use(&o, 1), 0);
	cr_assert_eq(orgt_use(&o, 2), 0);
	cr_assert_eq(o.f.cpu->stats.lru_steals, steals + 2);
	hfx_teardown(&o.f);
}

/* Organization names and parsing, and the slots each one reports. */
Test(hspt_org, parse_and_info)
{
	struct shadow_config cfg = { .ncpus = 1 };
	static const struct { const char *s; enum shadow_org org; unsigned n; } ok[] = {
		{ "soft", SHADOW_ORG_SOFT, 0 },
		{ "shared", SHADOW_ORG_SHARED, 0 },
		{ "private", SHADOW_ORG_PRIVATE, 0 },
		{ "group:4", SHADOW_ORG_GROUP, 4 },
		{ "group:1", SHADOW_ORG_GROUP, 1 },
	};
	static const char *const bad[] = { "", "group", "group:", "group:0", "group:x",
					   "private2", "Soft", "group:4x" };

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cfg.group_size = 99;
		cr_assert_eq(shadow_parse_org(ok[i].s, &cfg), 0, "\"%s\" rejected", ok[i].s);
		cr_assert_eq(cfg.org, ok[i].org, "\"%s\"", ok[i].s);
		if (ok[i].org == SHADOW_ORG_GROUP)
			cr_assert_eq(cfg.group_size, ok[i].n, "\"%s\"", ok[i].s);
		cr_assert_str_eq(shadow_org_name(ok[i].org),
				 ok[i].org == SHADOW_ORG_GROUP ? "group" : ok[i].s);
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(shadow_parse_org(bad[i], &cfg), -EINVAL, "\"%s\" accepted", bad[i]);
}

/* ------------------------------------------------------------------ */
/* hspt_diff: soft MMU, HSPT, shadow_translate() and a model agree      */
/* ------------------------------------------------------------------ */

/* Guest physical map of the differential test: a data region holding
 * hfx_word() content, the page-table pool after it, a small second bank
 * (sections over it are half RAM, half nothing), and two device ranges. */
#define D_DATA		HFX_RAM_BASE
#define D_DATA_SIZE	(32u << 20)
#define D_POOL		(D_DATA + D_DATA_SIZE)
#define D_POOL_SIZE	(2u << 20)
#define D_BANK2		0x50000000u
#define D_BANK2_SIZE	0x80000u
#define D_MMIO2		0x09010000u
#define D_MMIO2_SIZE	0x2000u
#define D_MMIO2_ID	9u
#define D_TABLES	400
#define D_OPS		64
#define D_MAX_L2	40
#define D_SEED		0x4853505464696666ull	/* "HSPTdiff" */

enum { DL1_FAULT, DL1_SECTION, DL1_SUPER, DL1_TABLE };
enum { DL2_FAULT, DL2_SMALL, DL2_LARGE };

/* alt_*: the translation in the second address space (even ASIDs), which
 * differs from the first only in non-global entries, so a global entry
 * cached under one ASID is right under the other too. */
struct dl2 {
	uint8_t type, ap, alt_ap;
	bool xn, ng;
	uint32_t pa, raw, alt_pa;
};

struct dl1 {
	uint8_t type, ap, domain, alt_ap;
	bool xn, pxn, ng;
	uint32_t pa, raw, alt_pa;
	int l2;
};

/* One random translation regime: the tables and the registers. */
struct dmodel {
	struct dl1 l1[4096];
	struct dl2 l2[D_MAX_L2][256];
	unsigned nl2;
	uint32_t regions[24];	/* L1 indices the accesses go to */
	unsigned nregions;
	uint32_t sctlr, ttbcr, ttbr_attr[2], dacr[3], asid0;
	uint32_t t0, t1;	/* GPAs of the TTBR0 and TTBR1 tables */
	uint32_t t0b;		/* TTBR0 table of the even ASIDs */
};

enum { DOP_ACCESS, DOP_DACR, DOP_ASID, DOP_TLBI_MVA, DOP_TLBI_ASID, DOP_TLBI_MVAA, DOP_TLBI_ALL };
static const char *const dop_names[] = { "access", "DACR", "CONTEXTIDR", "TLBIMVA",
					 "TLBIASID", "TLBIMVAA", "TLBIALL" };

struct dop {
	uint8_t kind;
	uint32_t arg;		/* events */
	uint32_t va;
	uint8_t size, pl;
	bool write, explicit_pl;	/* explicit: _pl form from PL1 */
	uint64_t wval;
	uint32_t dacr;		/* in force at this access */
	uint32_t asid;		/* in force at this access */
};

/* What the model says an access does. */
struct dexp {
	enum shadow_fault_kind kind;	/* NONE: success */
	bool decided;			/* false: AF = 0 outside a Client domain */
	uint64_t pa;
	unsigned fs;
	int domain;			/* -1: DFSR domain UNKNOWN */
	unsigned mmio_id;
	uint64_t mmio_offset;
};

/* One engine's record of one access. */
struct drec {
	struct hacc r;
	int tr_ret;
	struct walk_result tr;
	struct shadow_fault trf;
	bool landed;		/* a write reached the model's PA intact */
};

static unsigned d_ap(uint64_t *s)
{
	static const uint8_t aps[] = { 0, 1, 2, 3, 3, 3, 5, 6, 7, 2, 1, 3 };

	return aps[hfx_below(s, sizeof(aps))];
}

static unsigned d_domain(uint64_t *s)
{
	return hfx_below(s, 100) < 60 ? hfx_below(s, 4) : hfx_below(s, 16);
}

static uint32_t d_l1_index(uint64_t *s)
{
	unsigned r = hfx_below(s, 100);

	if (r < 8)
		return hfx_below(s, 4);
	if (r < 14)
		return 0xff0 + hfx_below(s, 16);	/* the top of the window */
	if (r < 20)
		return 0x400 + hfx_below(s, 32);	/* VA == data GPA */
	if (r < 24)
		return 0x090;				/* VA == device GPA */
	if (r < 27)
		return 0x500;				/* VA == bank 2 */
	if (r < 32)
		return 0xc00 + hfx_below(s, 64);
	return hfx_below(s, 4096);
}

static uint32_t d_section_pa(uint64_t *s)
{
	unsigned r = hfx_below(s, 100);

	if (r < 70)
		return D_DATA + (hfx_below(s, 32) << 20);
	if (r < 78)
		return HFX_MMIO_BASE;
	if (r < 86)
		return D_BANK2;
	if (r < 93)
		return HFX_UNASSIGNED;
	return HFX_MMIO_BASE - 0x100000;
}

static uint32_t d_super_pa(uint64_t *s)
{
	static const uint32_t pas[] = { 0x40000000, 0x41000000, 0x40000000, 0x41000000,
					0x08000000, 0x50000000 };

	return pas[hfx_below(s, 6)];
}

static uint32_t d_small_pa(uint64_t *s)
{
	unsigned r = hfx_below(s, 100);

	if (r < 70)
		return D_DATA + (hfx_below(s, D_DATA_SIZE / HFX_PAGE - 8) << 12);
	if (r < 76)
		return HFX_MMIO_BASE;
	if (r < 80)
		return D_MMIO2 + (hfx_below(s, 2) << 12);
	if (r < 86)
		return D_BANK2 + (hfx_below(s, D_BANK2_SIZE / HFX_PAGE) << 12);
	if (r < 92)
		return D_BANK2 + D_BANK2_SIZE;
	return HFX_UNASSIGNED + (hfx_below(s, 256) << 12);
}

static uint32_t d_large_pa(uint64_t *s)
{
	unsigned r = hfx_below(s, 100);

	if (r < 75)
		return D_DATA + (hfx_below(s, D_DATA_SIZE >> 16) << 16);
	if (r < 85)
		return D_BANK2 + (hfx_below(s, D_BANK2_SIZE >> 16) << 16);
	if (r < 93)
		return D_MMIO2;
	return HFX_UNASSIGNED + (hfx_below(s, 16) << 16);
}

static bool d_in_super_group(const struct dmodel *m, uint32_t idx)
{
	return m->l1[idx].type == DL1_SUPER;
}

static void d_gen_l2(struct dmodel *m, struct dl1 *e, uint64_t *s)
{
	struct dl2 *t = m->l2[m->nl2];

	e->type = DL1_TABLE;
	e->domain = d_domain(s);
	e->pxn = hfx_below(s, 2);
	e->l2 = m->nl2++;
	for (unsigned i = 0; i < 256;) {
		unsigned r = hfx_below(s, 100);
		struct dl2 d = { .ap = d_ap(s), .xn = hfx_below(s, 2), .ng = hfx_below(s, 2) };

		if (r < 35) {
			d.type = DL2_FAULT;
			d.raw = (uint32_t)hfx_rand(s) & ~3u;
			t[i++] = d;
		} else if (r < 85 || (i & 15) != 0) {
			/* Sometimes a GPA-contiguous run, with equal attributes
			 * (map-ahead material) or not (map-ahead must stop). */
			unsigned run = hfx_below(s, 5) == 0 ? 2 + hfx_below(s, 7) : 1;
			bool mixed = hfx_below(s, 3) == 0;

			d.type = DL2_SMALL;
			d.pa = d_small_pa(s);
			d.alt_pa = d.ng ? d_small_pa(s) : d.pa;
			d.alt_ap = d.ng ? d_ap(s) : d.ap;
			if (d.pa < D_DATA || d.pa >= D_DATA + D_DATA_SIZE)
				run = 1;
			for (unsigned j = 0; j < run && i < 256; j++, i++) {
				t[i] = d;
				d.pa += HFX_PAGE;
				d.alt_pa += HFX_PAGE;
				if (mixed) {
					d.ap = d_ap(s);
					d.xn = hfx_below(s, 2);
					d.ng = hfx_below(s, 2);
					if (!d.ng) {
						d.alt_pa = d.pa;
						d.alt_ap = d.ap;
					}
				}
			}
		} else {
			d.type = DL2_LARGE;
			d.pa = d_large_pa(s);
			d.alt_pa = d.ng ? d_large_pa(s) : d.pa;
			d.alt_ap = d.ng ? d_ap(s) : d.ap;
			for (unsigned j = 0; j < 16; j++)
				t[i++] = d;
		}
	}
}

static void d_gen_model(struct dmodel *m, uint64_t *s)
{
	memset(m->l1, 0, sizeof(m->l1));
	m->nl2 = 0;
	m->nregions = 6 + hfx_below(s, 12);
	for (unsigned k = 0; k < m->nregions; k++) {
		uint32_t idx = d_l1_index(s);
		unsigned r = hfx_below(s, 100);
		struct dl1 e = { .ap = d_ap(s), .domain = d_domain(s), .xn = hfx_below(s, 2),
				 .pxn = hfx_below(s, 2), .ng = hfx_below(s, 2) };

		m->regions[k] = idx;
		/* The 16 entries of a supersection must stay identical. */
		if (d_in_super_group(m, idx))
			continue;
		if (r < 12) {
			e.type = DL1_FAULT;
			e.raw = hfx_below(s, 2) ? (uint32_t)hfx_rand(s) & ~3u : 0;
		} else if (r < 40 || (r >= 50 && m->nl2 == D_MAX_L2)) {
			e.type = DL1_SECTION;
			e.pa = d_section_pa(s);
			e.alt_pa = e.ng ? d_section_pa(s) : e.pa;
			e.alt_ap = e.ng ? d_ap(s) : e.ap;
		} else if (r < 50) {
			e.type = DL1_SUPER;
			e.domain = 0;
			e.pa = d_super_pa(s);
			e.alt_pa = e.ng ? d_super_pa(s) : e.pa;
			e.alt_ap = e.ng ? d_ap(s) : e.ap;
			idx &= ~15u;
			for (unsigned j = 0; j < 16; j++)
				m->l1[idx + j] = e;
			continue;
		} else {
			d_gen_l2(m, &e, s);
		}
		m->l1[idx] = e;
	}

	for (unsigned i = 0; i < 3; i++) {
		uint32_t dacr = 0;

		for (unsigned d = 0; d < 16; d++) {
			unsigned r = hfx_below(s, 100);

			dacr |= (r < 70 ? 1u : r < 85 ? 0u : 3u) << (2 * d);
		}
		m->dacr[i] = dacr;
	}
	m->sctlr = hfx_below(s, 100) < 5 ? 0 : SCTLR_M | (hfx_below(s, 5) == 0 ? SCTLR_AFE : 0);
	m->ttbcr = hfx_below(s, 100) < 70 ? 0 : 1 + hfx_below(s, 3);
	if (hfx_below(s, 20) == 0)
		m->ttbcr |= TTBCR_PD0;
	if (hfx_below(s, 20) == 0)
		m->ttbcr |= TTBCR_PD1;
	m->ttbr_attr[0] = hfx_below(s, 128);
	m->ttbr_attr[1] = hfx_below(s, 128);
	m->asid0 = 1 + hfx_below(s, 4);
}

static bool d_uses_ttbr1(uint32_t ttbcr, uint32_t va)
{
	unsigned n = ttbcr & TTBCR_N_MASK;

	return n && (va >> (32 - n)) != 0;
}

/* Write one address space's tables: alt selects the even ASIDs' view,
 * which has its own TTBR0 table (TTBR1 is shared, as in Linux). */
static void d_emit_space(struct dmodel *m, struct physmem *pm, struct ptb *b, bool alt)
{
	for (uint32_t idx = 0; idx < 4096; idx++) {
		const struct dl1 *e = &m->l1[idx];
		uint32_t va = idx << 20;
		bool hi = d_uses_ttbr1(m->ttbcr, va);
		uint32_t tab = hi ? m->t1 : alt ? m->t0b : m->t0;
		bool a1 = alt && e->ng;
		struct ptb_attr a = { .ap = a1 ? e->alt_ap : e->ap, .domain = e->domain, .xn = e->xn,
				      .pxn = e->pxn, .ng = e->ng };

		if (alt && hi)
			continue;
		switch (e->type) {
		case DL1_FAULT:
			if (e->raw)
				ptb_raw_l1(b, tab, va, e->raw);
			break;
		case DL1_SECTION:
			ptb_section(b, tab, va, a1 ? e->alt_pa : e->pa, a);
			break;
		case DL1_SUPER:
			if ((idx & 15) == 0)
				ptb_supersection(b, tab, va, a1 ? e->alt_pa : e->pa, a);
			break;
		case DL1_TABLE: {
			const struct dl2 *t = m->l2[e->l2];
			uint32_t *d;

			for (unsigned i = 0; i < 256; i++) {
				uint32_t v = va | i << 12;
				bool a2 = alt && t[i].ng;
				struct ptb_attr pa = { .ap = a2 ? t[i].alt_ap : t[i].ap, .domain = e->domain,
						       .xn = t[i].xn, .pxn = e->pxn, .ng = t[i].ng };
				uint32_t frame = a2 ? t[i].alt_pa : t[i].pa;

				if (t[i].type == DL2_FAULT)
					ptb_raw_l2(b, tab, v, t[i].raw);
				else if (t[i].type == DL2_SMALL)
					ptb_page(b, tab, v, frame, pa);
				else if ((i & 15) == 0)
					ptb_large_page(b, tab, v, frame, pa);
			}
			/* ptb_raw_l2 rebuilds the L1 entry without PXN: set it. */
			d = physmem_ptr(pm, tab + idx * 4, 4);
			cr_assert((*d & 3u) == 1u, "L1 %#x is not a table descriptor", idx);
			*d = (*d & ~(0xfu << 5 | 1u << 2)) | (uint32_t)e->domain << 5 |
			     (e->pxn ? 1u << 2 : 0);
			break;
		}
		}
	}
}

/* Write the model's tables into guest RAM. */
static void d_emit(struct dmodel *m, struct physmem *pm, struct ptb *b)
{
	cr_assert_eq(ptb_init(b, pm, D_POOL, D_POOL_SIZE), 0);
	m->t0 = b->l1;
	m->t1 = ptb_new_l1(b);
	m->t0b = ptb_new_l1(b);
	cr_assert(m->t1 && m->t0b);
	d_emit_space(m, pm, b, false);
	d_emit_space(m, pm, b, true);
}

/* TTBR0 of an ASID: odd ASIDs use the first address space. */
static uint32_t d_ttbr0(const struct dmodel *m, uint32_t asid)
{
	return ((asid & 1) ? m->t0 : m->t0b) | m->ttbr_attr[0];
}

static bool d_is_ram(uint64_t pa)
{
	return (pa >= D_DATA && pa < D_POOL + D_POOL_SIZE) ||
	       (pa >= D_BANK2 && pa < D_BANK2 + D_BANK2_SIZE);
}

/* Expected content of RAM at pa: the hfx_word pattern, except in the
 * table pool (reachable only with the MMU off). */
static uint64_t d_ram_value(struct physmem *pm, uint64_t pa, unsigned size)
{
	uint64_t v = 0;

	if (pa >= D_POOL && pa < D_POOL + D_POOL_SIZE) {
		memcpy(&v, physmem_ptr(pm, pa, size), size);
		return v;
	}
	return hfx_expect(pa, size);
}

/* The model: ARM ARM B3.5-B3.7 for data accesses, written independently of
 * walk.c. */
static struct dexp d_expect(const struct dmodel *m, const struct dop *op)
{
	struct dexp x = { .kind = SHADOW_FAULT_NONE, .decided = true, .domain = -1 };
	uint32_t va = op->va;
	unsigned ap, dom, dv;
	bool level1 = true;
	bool alt = !(op->asid & 1) && !d_uses_ttbr1(m->ttbcr, va);
	uint64_t pa;

	if (!(m->sctlr & SCTLR_M)) {
		pa = va;
		goto classify;
	}
	if (d_uses_ttbr1(m->ttbcr, va) ? (m->ttbcr & TTBCR_PD1) : (m->ttbcr & TTBCR_PD0)) {
		x.kind = SHADOW_FAULT_ABORT;
		x.fs = FS_TRANS_SECTION;
		return x;
	}
	const struct dl1 *e = &m->l1[va >> 20];
	switch (e->type) {
	case DL1_SECTION:
		dom = e->domain;
		ap = alt && e->ng ? e->alt_ap : e->ap;
		pa = ((alt && e->ng ? e->alt_pa : e->pa) & 0xfff00000u) | (va & 0xfffffu);
		break;
	case DL1_SUPER:
		dom = 0;
		ap = alt && e->ng ? e->alt_ap : e->ap;
		pa = ((alt && e->ng ? e->alt_pa : e->pa) & 0xff000000u) | (va & 0xffffffu);
		break;
	case DL1_TABLE: {
		const struct dl2 *t = &m->l2[e->l2][(va >> 12) & 0xff];

		level1 = false;
		dom = e->domain;
		if (t->type == DL2_FAULT) {
			x.kind = SHADOW_FAULT_ABORT;
			x.fs = FS_TRANS_PAGE;
			x.domain = (int)dom;
			return x;
		}
		uint32_t frame = alt && t->ng ? t->alt_pa : t->pa;

		ap = alt && t->ng ? t->alt_ap : t->ap;
		pa = t->type == DL2_SMALL ? (frame & 0xfffff000u) | (va & 0xfffu)
					  : (frame & 0xffff0000u) | (va & 0xffffu);
		break;
	}
	default:
		x.kind = SHADOW_FAULT_ABORT;
		x.fs = FS_TRANS_SECTION;
		return x;
	}
	dv = (op->dacr >> (2 * dom)) & 3u;
	x.kind = SHADOW_FAULT_ABORT;
	x.domain = (int)dom;
	if ((m->sctlr & SCTLR_AFE) && !(ap & 1u)) {
		/* Access flag clear. In a Client domain that is an access-flag
		 * fault; elsewhere the priority against the domain check is not
		 * modelled here (the engines are still compared). */
		x.fs = level1 ? FS_ACCESS_SECTION : FS_ACCESS_PAGE;
		x.decided = dv == 1;
		return x;
	}
	if (dv == 0) {
		x.fs = level1 ? FS_DOMAIN_SECTION : FS_DOMAIN_PAGE;
		return x;
	}
	if (dv == 1 && !ap_allows((m->sctlr & SCTLR_AFE) ? ap | 1u : ap, op->pl, op->write)) {
		x.fs = level1 ? FS_PERM_SECTION : FS_PERM_PAGE;
		return x;
	}
	x.domain = -1;
classify:
	x.pa = pa;
	if (d_is_ram(pa)) {
		x.kind = SHADOW_FAULT_NONE;
	} else if (pa >= HFX_MMIO_BASE && pa < HFX_MMIO_BASE + HFX_MMIO_SIZE) {
		x.kind = SHADOW_FAULT_MMIO;
		x.mmio_id = HFX_MMIO_ID;
		x.mmio_offset = pa - HFX_MMIO_BASE;
	} else if (pa >= D_MMIO2 && pa < D_MMIO2 + D_MMIO2_SIZE) {
		x.kind = SHADOW_FAULT_MMIO;
		x.mmio_id = D_MMIO2_ID;
		x.mmio_offset = pa - D_MMIO2;
	} else {
		x.kind = SHADOW_FAULT_UNASSIGNED;
	}
	return x;
}

static uint32_t d_region_va(const struct dmodel *m, uint64_t *s, unsigned size)
{
	uint32_t idx = m->regions[hfx_below(s, m->nregions)];
	uint32_t off = hfx_below(s, 1u << 20);

	if (m->l1[idx].type == DL1_SUPER)
		idx = (idx & ~15u) + hfx_below(s, 16);
	if (m->l1[idx].type == DL1_TABLE && hfx_below(s, 10) < 7) {
		const struct dl2 *t = m->l2[m->l1[idx].l2];

		for (unsigned tries = 0; tries < 4; tries++) {
			unsigned j = hfx_below(s, 256);

			off = j << 12 | (off & 0xfffu);
			if (t[j].type != DL2_FAULT)
				break;
		}
	}
	return (idx << 20 | off) & ~(size - 1);
}

static void d_gen_ops(const struct dmodel *m, uint64_t *s, struct dop *ops)
{
	static const uint8_t sizes[] = { 4, 4, 4, 4, 4, 4, 4, 1, 2, 8 };
	uint32_t dacr = m->dacr[0], asid = m->asid0;

	for (unsigned i = 0; i < D_OPS; i++) {
		struct dop *op = &ops[i];
		unsigned r = hfx_below(s, 100);

		memset(op, 0, sizeof(*op));
		if (r < 8) {
			op->kind = DOP_DACR;
			op->arg = dacr = m->dacr[hfx_below(s, 3)];
		} else if (r < 11) {
			op->kind = DOP_ASID;
			op->arg = asid = 1 + hfx_below(s, 4);
		} else if (r < 15) {
			op->kind = DOP_TLBI_MVA + hfx_below(s, 4);
			op->arg = op->kind == DOP_TLBI_ASID ? hfx_below(s, 5)
				  : (d_region_va(m, s, 4) & ~0xfffu) |
					    (op->kind == DOP_TLBI_MVA ? hfx_below(s, 5) : 0);
		} else {
			op->kind = DOP_ACCESS;
			op->size = sizes[hfx_below(s, sizeof(sizes))];
			op->va = d_region_va(m, s, op->size);
			/* Often a page touched before: what the shadow or the
			 * software TLB kept across the events since must be
			 * right. */
			if (i > 0 && hfx_below(s, 100) < 40) {
				const struct dop *prev = &ops[hfx_below(s, i)];

				if (prev->kind == DOP_ACCESS)
					op->va = (prev->va & ~0xfffu) |
						 (hfx_below(s, 4096) & ~(op->size - 1u));
			}
			op->write = hfx_below(s, 100) < 35;
			op->pl = hfx_below(s, 2);
			op->explicit_pl = hfx_below(s, 100) < 30;
			op->wval = hfx_rand(s);
			if (op->size < 8)
				op->wval &= (1ull << (8 * op->size)) - 1;
		}
		op->dacr = dacr;
		op->asid = asid;
	}
}

static int d_event(struct shadow_cpu *cpu, const struct dmodel *m, const struct dop *op)
{
	switch (op->kind) {
	case DOP_DACR: return shadow_cpu_set_dacr(cpu, op->arg);
	case DOP_ASID:
		/* A context switch: TTBR0 first, then CONTEXTIDR (Linux). */
		shadow_cpu_set_ttbr0(cpu, d_ttbr0(m, op->arg));
		return shadow_cpu_set_contextidr(cpu, op->arg);
	case DOP_TLBI_MVA: return shadow_tlbi_mva(cpu, op->arg, false);
	case DOP_TLBI_ASID: return shadow_tlbi_asid(cpu, op->arg, false);
	case DOP_TLBI_MVAA: return shadow_tlbi_mvaa(cpu, op->arg, false);
	default: return shadow_tlbi_all(cpu, false);
	}
}

/* Run the operations on cpu (attached for the duration); writes that the
 * model expects to succeed are checked in RAM and undone, so both engines
 * start from the same memory. */
static void d_run(struct physmem *pm, struct shadow_cpu *cpu, const struct dmodel *m,
		  const struct dop *ops, const struct dexp *exps, struct drec *recs)
{
	cr_assert_eq(shadow_cpu_attach(cpu), 0);
	shadow_cpu_set_ttbr0(cpu, d_ttbr0(m, m->asid0));
	shadow_cpu_set_ttbr1(cpu, m->t1 | m->ttbr_attr[1]);
	cr_assert_eq(shadow_cpu_set_ttbcr(cpu, m->ttbcr), 0);
	cr_assert_eq(shadow_cpu_set_dacr(cpu, m->dacr[0]), 0);
	cr_assert_eq(shadow_cpu_set_contextidr(cpu, m->asid0), 0);
	cr_assert_eq(shadow_cpu_set_sctlr(cpu, m->sctlr), 0);
	shadow_cpu_set_pl(cpu, 1);
	/* The tables were rewritten since this cpu last ran. */
	cr_assert_eq(shadow_tlbi_all(cpu, false), 0);

	for (unsigned i = 0; i < D_OPS; i++) {
		const struct dop *op = &ops[i];
		struct drec *rec = &recs[i];
		uint64_t old = 0;
		bool undo;

		memset(rec, 0, sizeof(*rec));
		if (op->kind != DOP_ACCESS) {
			cr_assert_eq(d_event(cpu, m, op), 0, "%s %#x failed", dop_names[op->kind], op->arg);
			continue;
		}
		shadow_cpu_set_pl(cpu, op->explicit_pl ? 1 : op->pl);
		rec->tr_ret = shadow_translate(cpu, op->va, op->write ? WALK_WRITE : WALK_READ,
					       op->pl, &rec->tr, &rec->trf);
		undo = op->write && exps[i].kind == SHADOW_FAULT_NONE;
		if (undo)
			memcpy(&old, physmem_ptr(pm, exps[i].pa, op->size), op->size);
		rec->r = hfx_access(cpu, op->va, op->size, op->write, op->wval,
				    op->explicit_pl ? op->pl : HFX_CUR_PL);
		if (undo) {
			rec->landed = memcmp(physmem_ptr(pm, exps[i].pa, op->size), &op->wval,
					     op->size) == 0;
			memcpy(physmem_ptr(pm, exps[i].pa, op->size), &old, op->size);
		}
	}
	shadow_cpu_set_pl(cpu, 1);
	shadow_cpu_detach(cpu);
}

static bool d_same_fault(const struct shadow_fault *a, const struct shadow_fault *b)
{
	if (a->kind != b->kind || a->write != b->write)
		return false;
	switch (a->kind) {
	case SHADOW_FAULT_ABORT:
		return a->fs == b->fs && a->fsr == b->fsr && a->va == b->va;
	case SHADOW_FAULT_MMIO:
		return a->gpa == b->gpa && a->mmio_id == b->mmio_id &&
		       a->mmio_offset == b->mmio_offset;
	default:
		return a->gpa == b->gpa;
	}
}

/* Does one engine's record agree with the model? NULL or what differs. */
static const char *d_vs_model(struct physmem *pm, const struct dop *op, const struct dexp *x,
			      const struct drec *rec)
{
	const struct shadow_fault *f = &rec->r.fault;

	if (!x->decided)
		return NULL;
	if (x->kind == SHADOW_FAULT_NONE) {
		if (!rec->r.ok)
			return "faulted, the model says the access succeeds";
		if (!op->write && rec->r.v != d_ram_value(pm, x->pa, op->size))
			return "read a value that is not at the model's PA";
		if (op->write && !rec->landed)
			return "write did not land at the model's PA";
		if (rec->tr_ret != 0)
			return "shadow_translate() faulted";
		if (rec->tr.pa != x->pa)
			return "shadow_translate() gave another PA";
		return NULL;
	}
	if (rec->r.ok)
		return "succeeded, the model says it faults";
	if (f->kind != x->kind)
		return "fault kind differs from the model's";
	if (f->write != op->write)
		return "fault write flag wrong";
	if (x->kind == SHADOW_FAULT_ABORT) {
		uint32_t mask = x->domain < 0 ? ~0xf0u : ~0u;

		if (f->fs != x->fs)
			return "fault status differs from the model's";
		if (f->va != op->va)
			return "FAR is not the access address";
		if ((f->fsr & mask) != (hfx_dfsr(x->fs, x->domain < 0 ? 0 : x->domain, op->write) & mask))
			return "DFSR differs from the model's";
		return NULL;
	}
	if (f->gpa != x->pa)
		return "fault GPA differs from the model's";
	if (x->kind == SHADOW_FAULT_MMIO &&
	    (f->mmio_id != x->mmio_id || f->mmio_offset != x->mmio_offset))
		return "MMIO id/offset differ from the model's";
	return NULL;
}

static const char *d_vs_translate(const struct drec *rec)
{
	if (rec->r.ok)
		return rec->tr_ret == 0 ? NULL : "shadow_translate() faulted, the access did not";
	if (rec->tr_ret == 0)
		return "shadow_translate() succeeded, the access faulted";
	if (!d_same_fault(&rec->trf, &rec->r.fault))
		return "shadow_translate() reports another fault";
	return NULL;
}

/* NULL if soft, HSPT, the model and both shadow_translate()s agree. */
static const char *d_compare(struct physmem *pm, const struct dop *op, const struct dexp *x,
			     const struct drec *rs, const struct drec *rh)
{
	const char *why;

	if (rs->r.ok != rh->r.ok || (rs->r.ok && !op->write && rs->r.v != rh->r.v) ||
	    (!rs->r.ok && !d_same_fault(&rs->r.fault, &rh->r.fault)))
		return "soft and HSPT disagree";
	if ((why = d_vs_model(pm, op, x, rs)) || (why = d_vs_model(pm, op, x, rh)))
		return why;
	if ((why = d_vs_translate(rs)) || (why = d_vs_translate(rh)))
		return why;
	return NULL;
}

static void d_fail(struct physmem *pm, uint64_t seed, unsigned table, const struct dmodel *m,
		   const struct dop *ops, unsigned i, const struct dexp *x,
		   const struct drec *soft, const struct drec *hspt, const char *why)
{
	const struct dop *op = &ops[i];
	uint32_t tab = d_uses_ttbr1(m->ttbcr, op->va) ? m->t1 : d_ttbr0(m, op->asid) & ~0x7fu;
	uint32_t l1d = *(uint32_t *)physmem_ptr(pm, tab + (op->va >> 20) * 4, 4), l2d = 0;
	char s1[160], s2[160], t1[160], t2[160], ev[512] = "";
	struct hacc ts = { .ok = soft->tr_ret == 0, .v = soft->tr.pa, .fault = soft->trf };
	struct hacc th = { .ok = hspt->tr_ret == 0, .v = hspt->tr.pa, .fault = hspt->trf };
	size_t n = 0;

	if ((l1d & 3u) == 1u)
		l2d = *(uint32_t *)physmem_ptr(pm, (l1d & 0xfffffc00u) + ((op->va >> 12) & 0xff) * 4, 4);
	for (unsigned j = 0; j < i && n < sizeof(ev) - 40; j++)
		if (ops[j].kind != DOP_ACCESS)
			n += snprintf(ev + n, sizeof(ev) - n, " [%u]%s(%#x)", j,
				      dop_names[ops[j].kind], ops[j].arg);
	cr_assert_fail("soft/HSPT/model mismatch: %s\n"
		       "  seed %#llx (HSPT_DIFF_SEED), table %u, op %u\n"
		       "  access: %s of %u bytes at va %#x, PL%u%s, wval %#llx\n"
		       "  regs: SCTLR %#x TTBCR %#x TTBR0 %#x TTBR1 %#x DACR %#x ASID %u\n"
		       "  descriptors: L1 %#010x L2 %#010x\n"
		       "  events before:%s\n"
		       "  model: %s%s fs %#x domain %d pa %#llx\n"
		       "  soft:    %s  (translate: %s)\n"
		       "  private: %s  (translate: %s)",
		       why, (unsigned long long)seed, table, i, op->write ? "write" : "read",
		       op->size, op->va, op->pl, op->explicit_pl ? " (LDRT/STRT form)" : "",
		       (unsigned long long)op->wval, m->sctlr, m->ttbcr, d_ttbr0(m, op->asid),
		       m->t1 | m->ttbr_attr[1], op->dacr, op->asid, l1d, l2d, ev,
		       x->kind == SHADOW_FAULT_NONE ? "ok" : hfx_kind_name(x->kind),
		       x->decided ? "" : " (undecided)", x->fs, x->domain,
		       (unsigned long long)x->pa, hfx_describe(&soft->r, s1, sizeof(s1)),
		       hfx_describe(&ts, t1, sizeof(t1)), hfx_describe(&hspt->r, s2, sizeof(s2)),
		       hfx_describe(&th, t2, sizeof(t2)));
}

Test(hspt_diff, soft_hspt_translate_model, .timeout = 120)
{
	const char *env = getenv("HSPT_DIFF_SEED");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0) : D_SEED, s = seed;
	struct physmem pm;
	struct ptb b;
	struct shadow_vm *vm_soft, *vm_hspt;
	struct shadow_config cs = { .org = SHADOW_ORG_SOFT, .ncpus = 1 };
	struct shadow_config ch = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };
	struct dmodel *m = calloc(1, sizeof(*m));
	struct dop ops[D_OPS];
	struct dexp exps[D_OPS];
	struct drec rs[D_OPS], rh[D_OPS];
	unsigned seen_fs[32] = { 0 }, ok_reads = 0, ok_writes = 0, mmio = 0, unassigned = 0;

	cr_assert_not_null(m);
	cr_assert_eq(physmem_init(&pm), 0);
	cr_assert_eq(physmem_add_ram(&pm, D_DATA, D_DATA_SIZE + D_POOL_SIZE), 0);
	cr_assert_eq(physmem_add_ram(&pm, D_BANK2, D_BANK2_SIZE), 0);
	cr_assert_eq(physmem_add_mmio(&pm, HFX_MMIO_BASE, HFX_MMIO_SIZE, HFX_MMIO_ID), 0);
	cr_assert_eq(physmem_add_mmio(&pm, D_MMIO2, D_MMIO2_SIZE, D_MMIO2_ID), 0);
	hfx_fill_words(&pm, D_DATA, D_DATA_SIZE);
	hfx_fill_words(&pm, D_BANK2, D_BANK2_SIZE);
	cr_assert_eq(shadow_vm_create(&pm, &cs, &vm_soft), 0);
	cr_assert_eq(shadow_vm_create(&pm, &ch, &vm_hspt), 0);

	for (unsigned table = 0; table < D_TABLES; table++) {
		d_gen_model(m, &s);
		d_emit(m, &pm, &b);
		d_gen_ops(m, &s, ops);
		for (unsigned i = 0; i < D_OPS; i++)
			if (ops[i].kind == DOP_ACCESS)
				exps[i] = d_expect(m, &ops[i]);
		d_run(&pm, shadow_vm_cpu(vm_soft, 0), m, ops, exps, rs);
		d_run(&pm, shadow_vm_cpu(vm_hspt, 0), m, ops, exps, rh);

		for (unsigned i = 0; i < D_OPS; i++) {
			const char *why;

			if (ops[i].kind != DOP_ACCESS)
				continue;
			why = d_compare(&pm, &ops[i], &exps[i], &rs[i], &rh[i]);
			if (why)
				d_fail(&pm, seed, table, m, ops, i, &exps[i], &rs[i], &rh[i], why);

			if (rs[i].r.ok && ops[i].write)
				ok_writes++;
			else if (rs[i].r.ok)
				ok_reads++;
			else if (rs[i].r.fault.kind == SHADOW_FAULT_ABORT)
				seen_fs[rs[i].r.fault.fs & 31]++;
			else if (rs[i].r.fault.kind == SHADOW_FAULT_MMIO)
				mmio++;
			else
				unassigned++;
		}
	}

	/* Nothing wrote where it should not have. */
	for (uint64_t pa = D_DATA; pa < D_DATA + D_DATA_SIZE; pa += 4)
		cr_assert_eq(*(uint32_t *)physmem_ptr(&pm, pa, 4), hfx_word(pa),
			     "RAM at %#llx corrupted (seed %#llx)", (unsigned long long)pa,
			     (unsigned long long)seed);
	/* The random tables really exercised every outcome. */
	cr_assert(ok_reads > 100 && ok_writes > 100 && mmio > 10 && unassigned > 10,
		  "reads %u writes %u mmio %u unassigned %u", ok_reads, ok_writes, mmio, unassigned);
	static const unsigned want[] = { FS_TRANS_SECTION, FS_TRANS_PAGE, FS_DOMAIN_SECTION,
					 FS_DOMAIN_PAGE, FS_PERM_SECTION, FS_PERM_PAGE,
					 FS_ACCESS_SECTION, FS_ACCESS_PAGE };
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_gt(seen_fs[want[i]], 5, "fault status %#x seen only %u times", want[i],
			     seen_fs[want[i]]);
	cr_assert_gt(shadow_vm_cpu(vm_hspt, 0)->stats.faults_filled, 1000);
	cr_assert_gt(shadow_vm_cpu(vm_soft, 0)->stats.soft_refills, 1000);

	shadow_vm_destroy(vm_soft);
	shadow_vm_destroy(vm_hspt);
	physmem_destroy(&pm);
	free(m);
}

/* ------------------------------------------------------------------ */
/* hspt_vma: the host VMA budget                                        */
/* ------------------------------------------------------------------ */

#define V_FRAMES	4096u		/* 16 MiB of frames */
#define V_BASE		0x10000000u

/* Frame of page i: a stride that never puts consecutive pages in adjacent
 * frames, so neither the engine nor the kernel can merge two mappings. */
static uint32_t v_frame(uint32_t i)
{
	return HFX_RAM_BASE + ((i * 1031u + 7u) % V_FRAMES) * HFX_PAGE;
}

static uint32_t v_off(uint32_t i)
{
	return (i * 4u) & 0xffcu;
}

Test(hspt_vma, more_pages_than_max_map_count, .timeout = 120)
{
	struct hfx f;
	struct shadow_vm_info info;
	long maxmap = hfx_max_map_count(), maps;
	uint32_t npages = 110000, bad = 0, first_bad = 0;
	uint64_t first_v = 0;

	if (maxmap > 500000)
		cr_skip_test("vm.max_map_count is %ld: cannot show the budget at work", maxmap);
	if ((long)npages <= maxmap + maxmap / 4)
		npages = (uint32_t)(maxmap + maxmap / 4);
	/* One VMA per page could not hold this many pages. */
	cr_assert_gt(npages, 100000);
	cr_assert_gt((long)npages, maxmap);

	hfx_setup(&f, SHADOW_ORG_PRIVATE, 0, 32);
	for (uint32_t i = 0; i < npages; i++)
		ptb_page(&f.ptb, f.ptb.l1, V_BASE + i * HFX_PAGE, v_frame(i), ATTR(.ap = 3, .ng = true));
	cr_assert_lt(f.ptb.next, f.ptb.end, "page-table pool too small");

	for (uint32_t i = 0; i < npages; i++) {
		struct hacc r = hfx_ld32(f.cpu, V_BASE + i * HFX_PAGE + v_off(i));

		if (!r.ok || r.v != hfx_word(v_frame(i) + v_off(i))) {
			if (!bad++) {
				first_bad = i;
				first_v = r.ok ? r.v : 0xdead0000u | r.fault.kind;
			}
		}
	}
	cr_assert_eq(bad, 0, "%u of %u pages read wrong; first page %u (va %#x) read %#llx",
		     bad, npages, first_bad, V_BASE + first_bad * HFX_PAGE,
		     (unsigned long long)first_v);
	cr_assert_geq(f.cpu->stats.faults_filled, npages, "every page needed its own fill");
	cr_assert_gt(f.cpu->stats.vma_evictions, 0, "no eviction with %u separate pages", npages);
	maps = hfx_count_maps();
	cr_assert_lt(maps, maxmap, "%ld host VMAs", maps);
	shadow_vm_info(f.vm, &info);
	cr_assert_leq(info.vmas, (long)info.vma_limit, "modelled VMAs %ld over the budget %lu",
		      info.vmas, info.vma_limit);
	cr_assert_lt(info.vma_limit, (unsigned long)maxmap);

	/* Evicted pages come back. */
	for (uint32_t i = 0; i < 2000; i++)
		hfx_assert_reads(f.cpu, V_BASE + i * HFX_PAGE + v_off(i), v_frame(i) + v_off(i),
				 "page %u after eviction", i);
	hfx_teardown(&f);
}

/* GPA-contiguous small pages with equal permissions: one fill per L2
 * table and a handful of VMAs, not one per page. */
Test(hspt_vma, contiguous_pages_coalesce)
{
	struct hfx f;
	struct shadow_vm_info before, after;
	const uint32_t base = 0x20000000, n = 4096;	/* 16 MiB, 16 L2 tables */
	long maps0, maps1;
	uint64_t fills0;

	hfx_setup(&f, SHADOW_ORG_PRIVATE, 0, 32);
	for (uint32_t i = 0; i < n; i++)
		ptb_page(&f.ptb, f.ptb.l1, base + i * HFX_PAGE, HFX_RAM_BASE + i * HFX_PAGE,
			 ATTR(.ap = 3, .ng = true));
	shadow_vm_info(f.vm, &before);
	maps0 = hfx_count_maps();
	fills0 = f.cpu->stats.faults_filled;
	for (uint32_t i = 0; i < n; i++)
		hfx_assert_reads(f.cpu, base + i * HFX_PAGE + v_off(i), HFX_RAM_BASE + i * HFX_PAGE + v_off(i));
	maps1 = hfx_count_maps();
	shadow_vm_info(f.vm, &after);
	cr_assert_leq(f.cpu->stats.faults_filled - fills0, 32,
		      "%llu fills for 16 L2 tables of contiguous pages",
		      (unsigned long long)(f.cpu->stats.faults_filled - fills0));
	cr_assert_leq(after.vmas - before.vmas, 64, "%ld modelled VMAs for 16 MiB contiguous",
		      after.vmas - before.vmas);
	cr_assert_leq(maps1 - maps0, 64, "%ld new host VMAs for 16 MiB contiguous", maps1 - maps0);
	hfx_teardown(&f);
}

/* A section is shadowed with one fill. */
Test(hspt_vma, sections_fill_once)
{
	struct hfx f;
	const uint32_t base = 0x20000000;
	uint64_t fills0;

	hfx_setup(&f, SHADOW_ORG_PRIVATE, 0, 32);
	for (uint32_t i = 0; i < 16; i++)
		ptb_section(&f.ptb, f.ptb.l1, base + i * HFX_SECTION, HFX_RAM_BASE + i * HFX_SECTION,
			    ATTR(.ap = 3, .ng = true));
	fills0 = f.cpu->stats.faults_filled;
	for (uint32_t i = 0; i < 4096; i++)
		hfx_assert_reads(f.cpu, base + i * HFX_PAGE + v_off(i), HFX_RAM_BASE + i * HFX_PAGE + v_off(i));
	cr_assert_leq(f.cpu->stats.faults_filled - fills0, 16, "%llu fills for 16 sections",
		      (unsigned long long)(f.cpu->stats.faults_filled - fills0));
	cr_assert_geq(f.cpu->stats.sections_mapped, 16);
	hfx_teardown(&f);
}

/* no_map_ahead: the same contiguous pages fill one by one. */
Test(hspt_vma, no_map_ahead_fills_each_page)
{
	struct hfx f;
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1, .no_map_ahead = true };
	const uint32_t base = 0x20000000;
	uint64_t fills0;

	hfx_setup_cfg(&f, 32, &cfg, true);
	for (uint32_t i = 0; i < 256; i++)
		ptb_page(&f.ptb, f.ptb.l1, base + i * HFX_PAGE, HFX_RAM_BASE + i * HFX_PAGE,
			 ATTR(.ap = 3, .ng = true));
	fills0 = f.cpu->stats.faults_filled;
	for (uint32_t i = 0; i < 256; i++)
		hfx_assert_reads(f.cpu, base + i * HFX_PAGE, HFX_RAM_BASE + i * HFX_PAGE);
	cr_assert_eq(f.cpu->stats.faults_filled - fills0, 256);
	hfx_teardown(&f);
}

/* A small explicit budget: far more pages than VMAs, still correct. */
Test(hspt_vma, small_budget)
{
	struct hfx f;
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1, .vma_limit = 256 };
	struct shadow_vm_info info;

	hfx_setup_cfg(&f, 32, &cfg, true);
	for (uint32_t i = 0; i < 3000; i++)
		ptb_page(&f.ptb, f.ptb.l1, V_BASE + i * HFX_PAGE, v_frame(i), ATTR(.ap = 3, .ng = true));
	for (unsigned round = 0; round < 2; round++)
		for (uint32_t i = 0; i < 3000; i++) {
			hfx_assert_reads(f.cpu, V_BASE + i * HFX_PAGE + v_off(i), v_frame(i) + v_off(i),
					 "round %u page %u", round, i);
			shadow_vm_info(f.vm, &info);
			cr_assert_leq(info.vmas, 256, "page %u: %ld modelled VMAs over a budget of 256",
				      i, info.vmas);
		}
	cr_assert_gt(f.cpu->stats.vma_evictions, 0);
	hfx_teardown(&f);
}

/* vm.max_map_count is per process: two VMs in one process (tests, benches,
 * anything but one VM per worker) share it. Each touching more pages than
 * half the limit must still work. */
Test(hspt_vma, two_vms_share_the_process_budget, .timeout = 120)
{
	struct hfx f;
	struct shadow_vm *vm2;
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };
	long maxmap = hfx_max_map_count();
	uint32_t npages = (uint32_t)(maxmap * 3 / 4), bad = 0;

	if (maxmap > 500000)
		cr_skip_test("vm.max_map_count is %ld", maxmap);
	hfx_setup(&f, SHADOW_ORG_PRIVATE, 0, 32);
	shadow_cpu_detach(f.cpu);
	cr_assert_eq(shadow_vm_create(&f.pm, &cfg, &vm2), 0);
	for (uint32_t i = 0; i < npages; i++)
		ptb_page(&f.ptb, f.ptb.l1, V_BASE + i * HFX_PAGE, v_frame(i), ATTR(.ap = 3, .ng = true));
	/* VM 1, VM 2, then VM 1 again. */
	for (unsigned step = 0; step < 3; step++) {
		struct shadow_cpu *cpu = step == 1 ? shadow_vm_cpu(vm2, 0) : f.cpu;
		uint32_t n = step == 2 ? 5000 : npages;

		hfx_program(cpu, f.ptb.l1, 1);
		for (uint32_t i = 0; i < n; i++) {
			struct hacc r = hfx_ld32(cpu, V_BASE + i * HFX_PAGE + v_off(i));

			bad += !r.ok || r.v != hfx_word(v_frame(i) + v_off(i));
		}
		shadow_cpu_detach(cpu);
		cr_assert_eq(bad, 0, "step %u (VM %u): %u pages read wrong", step, step == 1 ? 2 : 1, bad);
	}
	cr_assert_lt(hfx_count_maps(), maxmap);
	shadow_vm_destroy(vm2);
	f.cpu = NULL;
	hfx_teardown(&f);
}
