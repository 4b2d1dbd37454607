/* mmu.c — the VMSAv7 short-descriptor MMU (ARM ARM B3): what hspt's shadow
 * page tables must reproduce exactly.
 *
 * MMU on and off; sections, supersections, large and small pages; the
 * TTBR0/TTBR1 split; translation faults at both levels; permission faults
 * for every AP value from PL1, through LDRT/STRT and from User mode; XN,
 * PXN (section and table) and fetch permission; domains (no access, client,
 * manager) and DACR switches without TLB maintenance; the access flag;
 * alignment faults; ATS1C* into PAR; TLB maintenance making a changed
 * descriptor visible (by MVA, ASID, all, MVA all-ASID, inner shareable),
 * including whole sections, supersections and large pages; ASID switches
 * with non-global pages of two address spaces at one VA and a global page
 * shared by both. Every fault checks DFSR/DFAR or IFSR/IFAR exactly (the
 * Domain field where the architecture defines it). */
#include "guest.h"

extern uint32_t u_ld32(uint32_t va), u_st32(uint32_t va);
extern uint32_t a_ldrb(uint32_t va), a_ldrh(uint32_t va), a_ldrt(uint32_t va);
extern void a_strh(uint32_t va, uint32_t v);
extern uint64_t a_ldrd(uint32_t va);
extern void a_strd(uint32_t va, uint32_t lo, uint32_t hi);
extern uint32_t a_ldm(uint32_t va), a_ldm_wb(uint32_t va);
extern void a_stm(uint32_t va, uint32_t a, uint32_t b);

/* Physical memory the tests map (SCRATCH). */
#define SEC_A	0x41000000u
#define SEC_B	0x41100000u
#define SEC_C	0x41200000u
#define PAGES	0x41300000u		/* 4 KiB pages, page(n) */
#define LARGE_A	0x41400000u		/* 64 KiB */
#define LARGE_B	0x41410000u
#define SUPER_A	0x42000000u		/* 16 MiB */
#define SUPER_B	0x43000000u
#define page(n)	(PAGES + (n) * SZ_4K)
#define CODE_OFF 0x80000u		/* code in the sections that run some */

/* Virtual addresses. */
#define VA_SEC		0x50000000u	/* section -> SEC_A */
#define VA_SECAP	0x51000000u	/* + AP MiB: sections with each AP */
#define VA_DOM		0x52000000u	/* sections in domain 3 */
#define VA_AF		0x53000000u
#define VA_ALIGN	0x54000000u
#define VA_XSEC		0x55000000u	/* + n MiB: sections for execution */
#define VA_SUPER	0x60000000u
#define VA_L2		0x70000000u	/* small and large pages */
#define VA_L2AP		0x70100000u
#define VA_L2X		0x70200000u
#define VA_L2PXN	0x70300000u	/* table with PXN */
#define VA_L2DOM	0x70400000u	/* table in domain 7 */
#define VA_L2AF		0x70500000u
#define VA_TLB		0x70600000u
#define VA_ASID		0x70700000u
#define VA_MANY		0x70800000u	/* 128 scattered pages */
#define VA_NONE		0x80000000u	/* never mapped */
#define VA_SPLIT	0x90000000u
#define VA_SPLIT_LO	0x30000000u
#define VA_BADL2	0x70f00000u	/* L2 table at a PA with nothing there */

/* DFSR: FS, Domain, WnR (ExT is IMPLEMENTATION DEFINED); without Domain
 * for the faults that do not define it. IFSR: FS. */
#define DFSR_DOM	0x0cffu
#define DFSR_NODOM	0x0c0fu
#define IFSR_FS		0x040fu
#define WNR		0x800u
#define FS_ALIGN	0x01u
#define FS_AF_SEC	0x03u
#define FS_TRANS_SEC	0x05u
#define FS_AF_PAGE	0x06u
#define FS_TRANS_PAGE	0x07u
#define FS_EXT		0x08u
#define FS_DOM_SEC	0x09u
#define FS_DOM_PAGE	0x0bu
#define FS_WALK_L1	0x0cu
#define FS_PERM_SEC	0x0du
#define FS_WALK_L2	0x0eu
#define FS_PERM_PAGE	0x0fu
#define DOM(d)		((d) << 4)

#define NO_VALUE	0xdeadbeefu	/* what a faulted probe load returns */

static struct l1_table l1, l1b;
static struct l2_table l2_basic, l2_ap, l2_x, l2_pxn, l2_dom, l2_af, l2_tlb, l2_sec,
	l2_asid_a, l2_asid_b, l2_many;

/* Code run from test pages: return 42 / 43. */
static const uint32_t code42[2] = { 0xe3a0002au, 0xe12fff1eu };	/* mov r0, #42; bx lr */
static const uint32_t code43[2] = { 0xe3a0002bu, 0xe12fff1eu };

static uint32_t mark(uint32_t pa)
{
	return pa ^ 0x5a5a5a5au;
}

static void put_mark(uint32_t pa)
{
	wr32(pa, mark(pa));
}

static const char *const ap_names[8] = {
	"AP=000", "AP=001", "AP=010", "AP=011", "AP=100", "AP=101", "AP=110", "AP=111",
};

/* Read va: the value, or 0xfa000000 | DFSR if it faulted. */
static uint32_t read_va(uint32_t va)
{
	uint32_t v;

	if (probe_ld32(va, &v))
		return 0xfa000000u | (trap.dfsr & 0xfffu);
	return v;
}

static void check_read(const char *what, uint32_t va, uint32_t pa)
{
	check_eq(what, read_va(va), mark(pa));
}

/* One access that must take a data abort with this DFSR (under mask). */
static void check_dabort(const char *what, bool write, uint32_t va, uint32_t mask, uint32_t dfsr)
{
	uint32_t v;
	bool f = write ? probe_st32(va, 0x12345678u) : probe_ld32(va, &v);

	check_eq(str_cat(what, ": DFSR"), f ? trap.dfsr & mask : 0xee000000u, dfsr);
	check_eq(str_cat(what, ": DFAR"), f ? trap.dfar : 0xee000000u, va);
}

/* Execute va at PL1 (it must return 42 or 43): the result, or
 * 0xfa000000 | IFSR if fetching it took a prefetch abort. */
static uint32_t exec_va(uint32_t va)
{
	uint32_t r;

	trap_expect();
	r = exec_probe(va, 0);
	if (trap_done())
		return trap.vector == VEC_PABT && trap.ifar == va && trap.lr == va + 4
			       ? 0xfa000000u | (trap.ifsr & IFSR_FS)
			       : 0xee000000u | trap.vector;
	return r;
}

/* The same in User mode. */
static uint32_t exec_va_user(uint32_t va)
{
	uint32_t r;

	trap_expect();
	trap.resume = (uint32_t)user_exit_stub;
	r = run_user((uint32_t (*)(uint32_t))va, 0);
	if (trap_done())
		return trap.vector == VEC_PABT && trap.ifar == va &&
				       (trap.spsr & PSR_MODE) == MODE_USR
			       ? 0xfa000000u | (trap.ifsr & IFSR_FS)
			       : 0xee000000u | trap.vector;
	return r;
}

static void tlb_sync(void)
{
	dsb();
	isb();
}

/* ---- mappings ---- */

static void setup(void)
{
	struct pt_attr rw = PT_RW;

	put_mark(SEC_A);
	put_mark(SEC_A + 0x12344);
	put_mark(SEC_B);
	put_mark(SEC_C);
	put_mark(SUPER_A + 0x123450);
	put_mark(SUPER_A + 0xfffffc);
	put_mark(SUPER_B + 0xa00000);
	put_mark(LARGE_A + 0xabc0);
	put_mark(LARGE_B + 0x1230);
	for (unsigned n = 0; n < 128; n++)
		put_mark(page(n));

	pt_identity(&l1);
	pt_section(&l1, VA_SEC, SEC_A, rw);
	pt_supersection(&l1, VA_SUPER, SUPER_A, rw);
	pt_table(&l1, VA_L2, &l2_basic, 0, false);
	pt_small(&l2_basic, VA_L2 + 0x1000, page(1), rw);
	pt_small(&l2_basic, VA_L2 + 0x2000, page(2), rw);
	pt_large(&l2_basic, VA_L2 + 0x10000, LARGE_A, rw);
	/* VA_L2 + 0xf000: no entry (L2 translation fault) */
}

static void test_on_off(void)
{
	check_group("MMU off and on");
	check_bits("SCTLR.M off at reset", sctlr_read(), SCTLR_M, 0);
	check_dabort("MMU off: VA 0x50000000 is PA 0x50000000 (nothing)", false, VA_SEC,
		     DFSR_NODOM, FS_EXT);
	mmu_on(&l1);
	check_bits("SCTLR.M on", sctlr_read(), SCTLR_M, SCTLR_M);
	check_read("MMU on: section VA 0x50000000", VA_SEC, SEC_A);
	mmu_off();
	check_dabort("MMU off again: flat", false, VA_SEC, DFSR_NODOM, FS_EXT);
	check_eq("MMU off: PA of the section", rd32(SEC_A), mark(SEC_A));
	mmu_on(&l1);
	check_read("MMU on again", VA_SEC, SEC_A);
}

static void test_mappings(void)
{
	check_group("sections, supersections, large and small pages");
	check_read("section + 0x12344", VA_SEC + 0x12344, SEC_A + 0x12344);
	check_read("supersection + 0x123450", VA_SUPER + 0x123450, SUPER_A + 0x123450);
	check_read("supersection + 0xfffffc (its last word)", VA_SUPER + 0xfffffc,
		   SUPER_A + 0xfffffc);
	check_read("small page 1", VA_L2 + 0x1000, page(1));
	check_read("small page 2", VA_L2 + 0x2000, page(2));
	check_read("large page + 0xabc0", VA_L2 + 0x1abc0, LARGE_A + 0xabc0);
	/* A write through one mapping is seen through the identity map. */
	wr32(VA_L2 + 0x1004, 0xc0ffee01u);
	check_eq("write through a small page reaches its PA", rd32(page(1) + 4), 0xc0ffee01u);
	wr32(VA_SUPER + 0x123454, 0xc0ffee02u);
	check_eq("write through a supersection reaches its PA", rd32(SUPER_A + 0x123454),
		 0xc0ffee02u);
}

static void test_translation_faults(void)
{
	check_group("translation faults");
	check_dabort("L1 (section) read", false, VA_NONE + 0x12344, DFSR_NODOM, FS_TRANS_SEC);
	check_dabort("L1 (section) write", true, VA_NONE + 0x56788, DFSR_NODOM,
		     WNR | FS_TRANS_SEC);
	check_dabort("L2 (page) read", false, VA_L2 + 0xf010, DFSR_DOM, FS_TRANS_PAGE);
	check_dabort("L2 (page) write", true, VA_L2 + 0xf014, DFSR_DOM, WNR | FS_TRANS_PAGE);
	check_eq("L1 fetch: IFSR", exec_va(VA_NONE + 0x100), 0xfa000000u | FS_TRANS_SEC);
	check_eq("L1 fetch: IFAR", trap.ifar, VA_NONE + 0x100);
	check_eq("L2 fetch: IFSR", exec_va(VA_L2 + 0xf000), 0xfa000000u | FS_TRANS_PAGE);
	check_eq("L2 fetch: IFAR", trap.ifar, VA_L2 + 0xf000);

	/* Synchronous external aborts on the table walk itself. */
	pt_set(&l1.e[VA_BADL2 >> 20], (NOTHING_PA & 0xfffffc00u) | 1u | 9u << 5);
	tlbimva(VA_BADL2);
	tlb_sync();
	check_dabort("L2 walk hits nothing", false, VA_BADL2 + 0x2340, DFSR_DOM,
		     DOM(9) | FS_WALK_L2);
	check_eq("L2 walk hits nothing: fetch, IFSR", exec_va(VA_BADL2 + 0x3000),
		 0xfa000000u | FS_WALK_L2);
	ttbr1_write(NOTHING_PA);
	ttbcr_write(1);
	isb();
	tlbiall(0);
	tlb_sync();
	check_dabort("L1 walk hits nothing (TTBR1)", false, VA_NONE + 0x4560, DFSR_NODOM,
		     FS_WALK_L1);
	ttbcr_write(0);
	isb();
	tlbiall(0);
	tlb_sync();
}

/* ---- permissions ---- */

/* The six accesses of a permission test: PL1 LDR and STR, LDRT and STRT,
 * LDR and STR in User mode. Returns the mask of those that did not fault;
 * counts in *bad faults with a wrong DFSR/DFAR/mode and accesses with the
 * wrong effect (a bad value read, a write lost or done despite a fault). */
static uint32_t access_matrix(uint32_t va, uint32_t pa, uint32_t fsr, unsigned *bad)
{
	uint32_t ok = 0;

	for (unsigned k = 0; k < 6; k++) {
		bool write = k & 1, faulted = false;
		uint32_t v = NO_VALUE, val = 0x1000u * (k + 1) + 0x77u;

		put_mark(pa);
		switch (k) {
		case 0:
			faulted = probe_ld32(va, &v);
			break;
		case 1:
			faulted = probe_st32(va, val);
			break;
		case 2:
			faulted = probe_ld32_user(va, &v);
			break;
		case 3:
			faulted = probe_st32_user(va, val);
			break;
		case 4:
			trap_expect();
			v = run_user(u_ld32, va);
			faulted = trap_done() != 0;
			break;
		default:
			trap_expect();
			run_user(u_st32, va);
			val = va;
			faulted = trap_done() != 0;
			break;
		}
		if (!faulted) {
			ok |= 1u << k;
			if (write ? rd32(pa) != val : v != mark(pa)) {
				note("   wrong data, access", k);
				(*bad)++;
			}
			continue;
		}
		if (trap.vector != VEC_DABT || (trap.dfsr & DFSR_DOM) != (fsr | (write ? WNR : 0)) ||
		    trap.dfar != va || (k >= 4 && (trap.spsr & PSR_MODE) != MODE_USR) ||
		    rd32(pa) != mark(pa)) {
			note("   wrong fault, access", k);
			note("   DFSR", trap.dfsr);
			note("   DFAR", trap.dfar);
			(*bad)++;
		}
	}
	return ok;
}

/* Allowed accesses per AP[2:0] (bits: PL1 R, PL1 W, LDRT, STRT, USR R, USR W). */
static const uint8_t ap_allowed[8] = {
	[0] = 0x00, [1] = 0x03, [2] = 0x17, [3] = 0x3f, [5] = 0x01, [6] = 0x15, [7] = 0x15,
};

static void test_permissions(void)
{
	check_group("permissions (bits: PL1 r, PL1 w, LDRT, STRT, USR r, USR w)");
	pt_table(&l1, VA_L2AP, &l2_ap, 1, false);
	for (unsigned ap = 0; ap < 8; ap++) {
		if (ap == 4)
			continue;	/* reserved */
		pt_small(&l2_ap, VA_L2AP + ap * SZ_4K, page(10 + ap), (struct pt_attr){ .ap = ap });
		pt_section(&l1, VA_SECAP + ap * SZ_1M, SEC_B, (struct pt_attr){ .ap = ap, .domain = 2 });
	}
	tlbiall(0);
	tlb_sync();
	for (unsigned ap = 0; ap < 8; ap++) {
		unsigned bad = 0;
		uint32_t ok;

		if (ap == 4)
			continue;
		ok = access_matrix(VA_L2AP + ap * SZ_4K + 0x10, page(10 + ap) + 0x10,
				   DOM(1) | FS_PERM_PAGE, &bad);
		check_eq(str_cat(ap_names[ap], " page, domain 1: allowed"), ok, ap_allowed[ap]);
		check_eq(str_cat(ap_names[ap], " page: faults and data right"), bad, 0);
		bad = 0;
		ok = access_matrix(VA_SECAP + ap * SZ_1M + 0x20, SEC_B + 0x20,
				   DOM(2) | FS_PERM_SEC, &bad);
		check_eq(str_cat(ap_names[ap], " section, domain 2: allowed"), ok, ap_allowed[ap]);
		check_eq(str_cat(ap_names[ap], " section: faults and data right"), bad, 0);
	}
}

static void test_execute(void)
{
	struct pt_attr x = PT_RW;

	check_group("execute permissions");
	code_write(page(100), code42, 2);
	code_write(page(101), code43, 2);
	code_write(SEC_C + CODE_OFF, code42, 2);
	pt_table(&l1, VA_L2X, &l2_x, 0, false);
	pt_small(&l2_x, VA_L2X, page(100), x);
	pt_small(&l2_x, VA_L2X + 0x1000, page(100), (struct pt_attr){ .ap = 3, .xn = true });
	pt_small(&l2_x, VA_L2X + 0x2000, page(100), (struct pt_attr){ .ap = 1 });
	pt_small(&l2_x, VA_L2X + 0x3000, page(100), (struct pt_attr){ .ap = 0 });
	pt_small(&l2_x, VA_L2X + 0x4000, page(100), (struct pt_attr){ .ap = 3, .pxn = false });
	pt_section(&l1, VA_XSEC, SEC_C, x);
	pt_section(&l1, VA_XSEC + SZ_1M, SEC_C, (struct pt_attr){ .ap = 3, .xn = true });
	pt_section(&l1, VA_XSEC + 2 * SZ_1M, SEC_C, (struct pt_attr){ .ap = 3, .pxn = true });
	pt_table(&l1, VA_L2PXN, &l2_pxn, 0, true);
	pt_small(&l2_pxn, VA_L2PXN, page(100), x);
	tlbiall(0);
	tlb_sync();

	check_eq("page: PL1 runs it", exec_va(VA_L2X), 42);
	check_eq("page: User mode runs it", exec_va_user(VA_L2X), 42);
	check_eq("XN page: PL1 fetch faults, IFSR", exec_va(VA_L2X + 0x1000),
		 0xfa000000u | FS_PERM_PAGE);
	check_eq("XN page: User fetch faults, IFSR", exec_va_user(VA_L2X + 0x1000),
		 0xfa000000u | FS_PERM_PAGE);
	check_eq("AP=001 page: PL1 runs it", exec_va(VA_L2X + 0x2000), 42);
	check_eq("AP=001 page: User fetch faults (no read)", exec_va_user(VA_L2X + 0x2000),
		 0xfa000000u | FS_PERM_PAGE);
	check_eq("AP=000 page: PL1 fetch faults", exec_va(VA_L2X + 0x3000),
		 0xfa000000u | FS_PERM_PAGE);
	check_eq("section: PL1 runs it", exec_va(VA_XSEC + CODE_OFF), 42);
	check_eq("XN section: PL1 fetch faults, IFSR", exec_va(VA_XSEC + SZ_1M + CODE_OFF),
		 0xfa000000u | FS_PERM_SEC);
	check_eq("XN section: IFAR", trap.ifar, VA_XSEC + SZ_1M + CODE_OFF);
	check_eq("PXN section: PL1 fetch faults, IFSR", exec_va(VA_XSEC + 2 * SZ_1M + CODE_OFF),
		 0xfa000000u | FS_PERM_SEC);
	check_eq("PXN section: User mode runs it", exec_va_user(VA_XSEC + 2 * SZ_1M + CODE_OFF),
		 42);
	check_eq("page under a PXN table: PL1 fetch faults", exec_va(VA_L2PXN),
		 0xfa000000u | FS_PERM_PAGE);
	check_eq("page under a PXN table: User mode runs it", exec_va_user(VA_L2PXN), 42);

	/* Changing XN or the page behind a VA takes effect after TLBIMVA. */
	pt_small(&l2_x, VA_L2X + 0x4000, page(100), (struct pt_attr){ .ap = 3, .xn = true });
	tlbimva(VA_L2X + 0x4000);
	tlb_sync();
	check_eq("XN set + TLBIMVA: fetch faults", exec_va(VA_L2X + 0x4000),
		 0xfa000000u | FS_PERM_PAGE);
	pt_small(&l2_x, VA_L2X + 0x4000, page(100), x);
	tlbimva(VA_L2X + 0x4000);
	tlb_sync();
	check_eq("XN cleared + TLBIMVA: runs", exec_va(VA_L2X + 0x4000), 42);
	pt_small(&l2_x, VA_L2X + 0x4000, page(101), x);
	tlbimva(VA_L2X + 0x4000);
	tlb_sync();
	check_eq("other code page + TLBIMVA: runs the new code", exec_va(VA_L2X + 0x4000), 43);
}

/* ---- domains ---- */

static void set_dacr(uint32_t v)
{
	dacr_write(v);
	isb();	/* no TLB maintenance: DACR is not cached in TLB entries */
}

static uint32_t dacr_with(unsigned d, unsigned v)
{
	return (0x55555555u & ~(3u << (2 * d))) | v << (2 * d);
}

static void test_domains(void)
{
	uint32_t v;

	check_group("domains");
	pt_section(&l1, VA_DOM, SEC_A, (struct pt_attr){ .ap = 3, .domain = 3 });
	pt_section(&l1, VA_DOM + SZ_1M, SEC_A, (struct pt_attr){ .ap = 0, .domain = 3 });
	pt_section(&l1, VA_DOM + 2 * SZ_1M, SEC_C, (struct pt_attr){ .ap = 3, .domain = 3, .xn = true });
	pt_table(&l1, VA_L2DOM, &l2_dom, 7, false);
	pt_small(&l2_dom, VA_L2DOM, page(20), (struct pt_attr){ .ap = 3 });
	pt_small(&l2_dom, VA_L2DOM + 0x1000, page(21), (struct pt_attr){ .ap = 0 });
	tlbiall(0);
	tlb_sync();

	check_read("domain 3 client, AP=011: read", VA_DOM, SEC_A);
	check_read("domain 7 client, AP=011 page: read", VA_L2DOM, page(20));
	set_dacr(dacr_with(3, 0) & dacr_with(7, 0));
	check_dabort("domain 3 no access: read", false, VA_DOM + 4, DFSR_DOM,
		     DOM(3) | FS_DOM_SEC);
	check_dabort("domain 3 no access: write", true, VA_DOM + 8, DFSR_DOM,
		     WNR | DOM(3) | FS_DOM_SEC);
	check_dabort("domain 7 no access: page read", false, VA_L2DOM + 0xc, DFSR_DOM,
		     DOM(7) | FS_DOM_PAGE);
	check_eq("domain 3 no access: fetch, IFSR", exec_va(VA_DOM + 2 * SZ_1M + CODE_OFF),
		 0xfa000000u | FS_DOM_SEC);
	trap_expect();
	run_user(u_ld32, VA_DOM + 0x10);
	trap_done();
	check_eq("domain 3 no access: User read, DFSR", trap.dfsr & DFSR_DOM, DOM(3) | FS_DOM_SEC);
	check_eq("domain 3 no access: User read, from User mode", trap.spsr & PSR_MODE, MODE_USR);

	set_dacr(dacr_with(3, 1) & dacr_with(7, 1));
	check_read("client again (DACR only): read", VA_DOM, SEC_A);
	check_dabort("client, AP=000: permission fault", false, VA_DOM + SZ_1M, DFSR_DOM,
		     DOM(3) | FS_PERM_SEC);
	check_eq("client, XN section: fetch faults", exec_va(VA_DOM + 2 * SZ_1M + CODE_OFF),
		 0xfa000000u | FS_PERM_SEC);

	set_dacr(dacr_with(3, 3) | dacr_with(7, 3));
	check_read("manager, AP=000 section: PL1 read", VA_DOM + SZ_1M, SEC_A);
	check_true("manager, AP=000 section: PL1 write", !probe_st32(VA_DOM + SZ_1M + 0x40, 1));
	check_true("manager, AP=000 section: LDRT", !probe_ld32_user(VA_DOM + SZ_1M, &v));
	check_true("manager, AP=000 section: STRT", !probe_st32_user(VA_DOM + SZ_1M + 0x44, 2));
	trap_expect();
	v = run_user(u_ld32, VA_DOM + SZ_1M);
	check_eq("manager, AP=000 section: User read", trap_done() ? 0xfa000000u : v, mark(SEC_A));
	check_read("manager, AP=000 page: PL1 read", VA_L2DOM + 0x1000, page(21));
	check_eq("manager, XN section: runs (no permission checks)",
		 exec_va(VA_DOM + 2 * SZ_1M + CODE_OFF), 42);

	/* Linux switches DACR around every user access: flip a few times. */
	v = 0;
	for (unsigned i = 0; i < 4; i++) {
		set_dacr(dacr_with(3, 0));
		v += read_va(VA_DOM) != (0xfa000000u | DOM(3) | FS_DOM_SEC);
		set_dacr(dacr_with(3, 1));
		v += read_va(VA_DOM) != mark(SEC_A);
		set_dacr(dacr_with(3, 3));
		v += read_va(VA_DOM + SZ_1M) != mark(SEC_A);
	}
	check_eq("DACR flipped 4 times (no access, client, manager): wrong", v, 0);
	set_dacr(0x55555555u);
}

/* ---- access flag ---- */

static void test_access_flag(void)
{
	/* AFE = 1: AP[0] is the access flag, AP[2:1] the permissions. */
	struct pt_attr af0 = { .ap = 2 }, af1 = { .ap = 3 };
	static const uint8_t allowed[4] = { 0x03, 0x3f, 0x01, 0x15 };

	check_group("access flag (SCTLR.AFE = 1)");
	pt_section(&l1, VA_AF, SEC_C, (struct pt_attr){ .ap = 2, .domain = 4 });
	pt_table(&l1, VA_L2AF, &l2_af, 5, false);
	pt_small(&l2_af, VA_L2AF, page(30), af0);
	for (unsigned i = 0; i < 4; i++)
		pt_small(&l2_af, VA_L2AF + (1 + i) * SZ_4K, page(31 + i),
			 (struct pt_attr){ .ap = 2 * i + 1 });
	sctlr_write(sctlr_read() | SCTLR_AFE);
	isb();
	tlbiall(0);
	tlb_sync();
	check_bits("SCTLR.AFE set", sctlr_read(), SCTLR_AFE, SCTLR_AFE);
	check_dabort("section, AF = 0: read", false, VA_AF + 0x30, DFSR_DOM, DOM(4) | FS_AF_SEC);
	check_dabort("section, AF = 0: write", true, VA_AF + 0x34, DFSR_DOM,
		     WNR | DOM(4) | FS_AF_SEC);
	check_eq("section, AF = 0: fetch, IFSR", exec_va(VA_AF + CODE_OFF),
		 0xfa000000u | FS_AF_SEC);
	check_dabort("page, AF = 0: read", false, VA_L2AF + 0x38, DFSR_DOM, DOM(5) | FS_AF_PAGE);
	trap_expect();
	run_user(u_ld32, VA_L2AF);
	trap_done();
	check_eq("page, AF = 0: User read, DFSR", trap.dfsr & DFSR_DOM, DOM(5) | FS_AF_PAGE);
	ats1cpr(VA_AF);
	isb();
	check_eq("section, AF = 0: ATS1CPR, PAR", par_read() & 0x7fu, FS_AF_SEC << 1 | 1);

	pt_section(&l1, VA_AF, SEC_C, (struct pt_attr){ .ap = 3, .domain = 4 });
	pt_small(&l2_af, VA_L2AF, page(30), af1);
	tlbimva(VA_AF);
	tlbimva(VA_L2AF);
	tlb_sync();
	check_read("section, AF set + TLBIMVA: read", VA_AF, SEC_C);
	check_read("page, AF set + TLBIMVA: read", VA_L2AF, page(30));
	check_eq("section, AF set: runs", exec_va(VA_AF + CODE_OFF), 42);

	for (unsigned i = 0; i < 4; i++) {
		unsigned bad = 0;
		uint32_t ok = access_matrix(VA_L2AF + (1 + i) * SZ_4K + 0x10, page(31 + i) + 0x10,
					    DOM(5) | FS_PERM_PAGE, &bad);

		check_eq(str_cat(ap_names[2 * i + 1], " with AFE: allowed"), ok, allowed[i]);
		check_eq(str_cat(ap_names[2 * i + 1], " with AFE: faults and data right"), bad, 0);
	}
	sctlr_write(sctlr_read() & ~SCTLR_AFE);
	isb();
	tlbiall(0);
	tlb_sync();
}

/* ---- alignment ---- */

static void test_alignment(void)
{
	uint32_t va = VA_ALIGN + 0x100, pa = SEC_A + 0x100;
	uint32_t r[6], f[6], dfsr[6], dfar[6];
	uint64_t d;

	check_group("alignment");
	pt_section(&l1, VA_ALIGN, SEC_A, PT_RW);
	tlbimva(VA_ALIGN);
	tlb_sync();
	for (unsigned i = 0; i < 16; i++)
		((volatile uint8_t *)pa)[i] = (uint8_t)(0x10 + i);

	/* SCTLR.A = 0: LDR/STR/LDRH may be unaligned, LDRD/LDM may not. */
	check_eq("A=0: LDR at +1", read_va(va + 1), 0x14131211u);
	trap_expect();
	r[0] = a_ldrh(va + 3);
	check_eq("A=0: LDRH at +3", trap_done() ? 0xfa000000u : r[0], 0x1413u);
	check_true("A=0: STR at +2", !probe_st32(va + 2, 0xa1b2c3d4u));
	check_eq("A=0: STR at +2 wrote bytes 2-5", rd32(pa + 4), 0x1716a1b2u);
	trap_expect();
	d = a_ldrd(va + 4);
	check_eq64("A=0: LDRD at +4 (word aligned)", trap_done() ? 0xfa : d,
		   (uint64_t)rd32(pa + 8) << 32 | rd32(pa + 4));
	trap_expect();
	a_ldrd(va + 2);
	trap_done();
	check_eq("A=0: LDRD at +2: alignment fault, DFSR", trap.count ? trap.dfsr & DFSR_NODOM : 0xee,
		 FS_ALIGN);
	check_eq("A=0: LDRD at +2: DFAR", trap.dfar, va + 2);
	trap_expect();
	a_strd(va + 6, 1, 2);
	trap_done();
	check_eq("A=0: STRD at +6: DFSR", trap.count ? trap.dfsr & DFSR_NODOM : 0xee, WNR | FS_ALIGN);
	check_eq("A=0: STRD at +6: DFAR", trap.dfar, va + 6);
	trap_expect();
	a_ldm(va + 1);
	trap_done();
	check_eq("A=0: LDM at +1: DFSR", trap.count ? trap.dfsr & DFSR_NODOM : 0xee, FS_ALIGN);
	check_eq("A=0: LDM at +1: DFAR", trap.dfar, va + 1);
	trap_expect();
	a_stm(va + 2, 1, 2);
	trap_done();
	check_eq("A=0: STM at +2: DFSR", trap.count ? trap.dfsr & DFSR_NODOM : 0xee, WNR | FS_ALIGN);

	/* SCTLR.A = 1: everything but bytes must be aligned. Nothing else runs
	 * while it is set (the C code could do unaligned accesses). */
	sctlr_write(sctlr_read() | SCTLR_A);
	isb();
	for (unsigned k = 0; k < 6; k++) {
		trap_expect();
		switch (k) {
		case 0:
			r[k] = a_ldrb(va + 1);
			break;
		case 1:
			r[k] = rd32(va + 4);
			break;
		case 2:
			r[k] = rd32(va + 1);
			break;
		case 3:
			r[k] = a_ldrh(va + 5);
			break;
		case 4:
			a_strh(va + 7, 0xffff);
			break;
		default:
			r[k] = a_ldrt(VA_NONE + 2);
			break;
		}
		f[k] = trap_done();
		dfsr[k] = trap.dfsr;
		dfar[k] = trap.dfar;
	}
	sctlr_write(sctlr_read() & ~SCTLR_A);
	isb();
	check_eq("A=1: LDRB at +1", f[0] ? 0xfa000000u : r[0], 0x11);
	check_eq("A=1: LDR at +4", f[1] ? 0xfa000000u : r[1], rd32(pa + 4));
	check_eq("A=1: LDR at +1: DFSR", f[2] ? dfsr[2] & DFSR_NODOM : 0xee, FS_ALIGN);
	check_eq("A=1: LDR at +1: DFAR", dfar[2], va + 1);
	check_eq("A=1: LDRH at +5: DFSR", f[3] ? dfsr[3] & DFSR_NODOM : 0xee, FS_ALIGN);
	check_eq("A=1: STRH at +7: DFSR", f[4] ? dfsr[4] & DFSR_NODOM : 0xee, WNR | FS_ALIGN);
	check_eq("A=1: STRH at +7: DFAR", dfar[4], va + 7);
	check_eq("A=1: LDRT unaligned to an unmapped VA: alignment first", f[5] ? dfsr[5] & DFSR_NODOM : 0xee,
		 FS_ALIGN);
	check_eq("A=1: ... DFAR", dfar[5], VA_NONE + 2);
}

/* ---- address translation operations ---- */

static void test_ats(void)
{
	check_group("ATS1C* and PAR");
	dfsr_write(0);
	dfar_write(0x600df00du);
	ats1cpr(VA_SEC + 0x12345);
	isb();
	check_bits("ATS1CPR section", par_read(), 0xfffff001u, SEC_A + 0x12000);
	ats1cpw(VA_L2 + 0x2345);
	isb();
	check_bits("ATS1CPW small page", par_read(), 0xfffff001u, page(2));
	ats1cur(VA_L2 + 0x1abcd);
	isb();
	check_bits("ATS1CUR large page", par_read(), 0xfffff001u, LARGE_A + 0xa000);
	/* Supersection: SS = 1, PAR[31:24] = PA[31:24], PAR[23:16] = PA[39:32]. */
	ats1cpr(VA_SUPER + 0x123456);
	isb();
	check_bits("ATS1CPR supersection (SS set, PA[39:32] = 0)", par_read(), 0xffff0003u,
		   SUPER_A | 2u);
	ats1cpr(VA_NONE + 0x1000);
	isb();
	check_bits("ATS1CPR unmapped: translation fault (section)", par_read(), 0x7fu,
		   FS_TRANS_SEC << 1 | 1);
	ats1cpr(VA_L2 + 0xf000);
	isb();
	check_bits("ATS1CPR no page: translation fault (page)", par_read(), 0x7fu,
		   FS_TRANS_PAGE << 1 | 1);
	ats1cur(VA_L2AP + 1 * SZ_4K);
	isb();
	check_bits("ATS1CUR AP=001 page: permission fault", par_read(), 0x7fu,
		   FS_PERM_PAGE << 1 | 1);
	ats1cpr(VA_L2AP + 1 * SZ_4K);
	isb();
	check_bits("ATS1CPR AP=001 page", par_read(), 0xfffff001u, page(11));
	ats1cuw(VA_L2AP + 2 * SZ_4K);
	isb();
	check_bits("ATS1CUW AP=010 page: permission fault", par_read(), 0x7fu,
		   FS_PERM_PAGE << 1 | 1);
	ats1cur(VA_L2AP + 2 * SZ_4K);
	isb();
	check_bits("ATS1CUR AP=010 page", par_read(), 0xfffff001u, page(12));
	ats1cpw(VA_SECAP + 5 * SZ_1M);
	isb();
	check_bits("ATS1CPW AP=101 section: permission fault", par_read(), 0x7fu,
		   FS_PERM_SEC << 1 | 1);
	set_dacr(dacr_with(3, 0));
	ats1cpr(VA_DOM);
	isb();
	check_bits("ATS1CPR domain no access: domain fault", par_read(), 0x7fu,
		   FS_DOM_SEC << 1 | 1);
	set_dacr(0x55555555u);
	check_eq("ATS faults leave DFSR alone", dfsr_read(), 0);
	check_eq("ATS faults leave DFAR alone", dfar_read(), 0x600df00du);
	par_write(0);
	check_eq("PAR writable", par_read(), 0);
}

/* ---- TLB maintenance ---- */

static void remap(uint32_t va, uint32_t pa, struct pt_attr a)
{
	pt_small(&l2_tlb, va, pa, a);
}

static void test_tlb(void)
{
	struct pt_attr ng = { .ap = 3, .ng = true };
	struct pt_attr ro = { .ap = 7, .ng = true };
	uint32_t va = VA_TLB + 0x3000;

	check_group("TLB maintenance");
	pt_table(&l1, VA_TLB, &l2_tlb, 6, false);
	remap(va, page(50), ng);
	tlbiall(0);
	tlb_sync();
	check_read("page 50", va, page(50));
	remap(va, page(51), ng);
	tlbimva(va | 0);
	tlb_sync();
	check_read("TLBIMVA: page 51", va, page(51));
	remap(va, page(52), ng);
	tlbimvaa(va);
	tlb_sync();
	check_read("TLBIMVAA: page 52", va, page(52));
	remap(va, page(53), ng);
	tlbiasid(0);
	tlb_sync();
	check_read("TLBIASID: page 53", va, page(53));
	remap(va, page(54), ng);
	tlbiall(0);
	tlb_sync();
	check_read("TLBIALL: page 54", va, page(54));
	remap(va, page(55), ng);
	tlbimvais(va | 0);
	tlb_sync();
	check_read("TLBIMVAIS: page 55", va, page(55));
	remap(va, page(56), ng);
	tlbiasidis(0);
	tlb_sync();
	check_read("TLBIASIDIS: page 56", va, page(56));
	remap(va, page(57), ng);
	tlbimvaais(va);
	tlb_sync();
	check_read("TLBIMVAAIS: page 57", va, page(57));
	remap(va, page(58), ng);
	tlbiallis(0);
	tlb_sync();
	check_read("TLBIALLIS: page 58", va, page(58));
	remap(va, page(59), PT_RW);
	tlbimva(va | 0);
	tlb_sync();
	check_read("global page 59", va, page(59));
	remap(va, page(61), PT_RW);
	tlbimva(va | 0x55);	/* other ASID: still hits a global entry */
	tlb_sync();
	check_read("global page, TLBIMVA with another ASID: page 61", va, page(61));

	/* Unmap, write-protect, restore. */
	pt_set(&l2_tlb.e[(va >> 12) & 0xff], 0);
	tlbimva(va);
	tlb_sync();
	check_dabort("unmapped + TLBIMVA", false, va, DFSR_DOM, DOM(6) | FS_TRANS_PAGE);
	remap(va, page(59), ro);
	tlbimva(va);
	tlb_sync();
	check_read("read-only + TLBIMVA: read", va, page(59));
	check_dabort("read-only + TLBIMVA: write", true, va + 4, DFSR_DOM,
		     WNR | DOM(6) | FS_PERM_PAGE);
	remap(va, page(59), ng);
	tlbimva(va);
	tlb_sync();
	check_true("writable again + TLBIMVA: write", !probe_st32(va + 4, 0x600d));
	check_eq("the write reached page 59", rd32(page(59) + 4), 0x600d);

	/* A TLBIMVA anywhere in a section, supersection or large page drops
	 * the whole entry (QEMU and the ARMv8 AArch32 rules; Linux relies on
	 * it only within the page it invalidates, so these are marked). */
	pt_section(&l1, VA_SECAP + 3 * SZ_1M, SEC_C, PT_RW);
	tlbimva(VA_SECAP + 3 * SZ_1M + 0x7000);
	tlb_sync();
	check_read("(whole entry) section remapped + TLBIMVA elsewhere in it",
		   VA_SECAP + 3 * SZ_1M, SEC_C);
	pt_table(&l1, VA_SEC, &l2_sec, 0, false);
	pt_small(&l2_sec, VA_SEC + 0x3000, page(60), PT_RW);
	tlbimva(VA_SEC + 0x3000);
	tlb_sync();
	check_read("section -> page table + TLBIMVA: page", VA_SEC + 0x3000, page(60));
	check_dabort("(whole entry) section -> page table: rest unmapped", false, VA_SEC + 0x5000,
		     DFSR_DOM, FS_TRANS_PAGE);
	pt_supersection(&l1, VA_SUPER, SUPER_B, PT_RW);
	tlbimva(VA_SUPER + 0x500000);
	tlb_sync();
	check_read("(whole entry) supersection remapped + TLBIMVA 5 MiB in: 10 MiB in",
		   VA_SUPER + 0xa00000,
		   SUPER_B + 0xa00000);
	pt_large(&l2_sec, VA_SEC + 0x10000, LARGE_A, PT_RW);
	tlbimva(VA_SEC + 0x1a000);
	tlb_sync();
	check_read("large page", VA_SEC + 0x1abc0, LARGE_A + 0xabc0);
	pt_large(&l2_sec, VA_SEC + 0x10000, LARGE_B, PT_RW);
	tlbimva(VA_SEC + 0x1f000);
	tlb_sync();
	check_read("(whole entry) large page remapped + TLBIMVA at its end", VA_SEC + 0x11230,
		   LARGE_B + 0x1230);
}

/* hspt keeps one PL1 view per DACR value and a PL0 view: an invalidation
 * must reach the views that are not current. */
static void test_views(void)
{
	uint32_t va = VA_TLB + 0x8000, vu = VA_TLB + 0x9000, v;
	uint32_t manager6 = dacr_with(6, 3);

	check_group("TLB maintenance reaches every view");
	remap(va, page(62), PT_RW);
	remap(vu, page(64), PT_RW);
	tlbiall(0);
	tlb_sync();
	check_read("DACR client: page 62", va, page(62));
	set_dacr(manager6);
	check_read("DACR manager: page 62", va, page(62));
	remap(va, page(63), PT_RW);
	tlbimva(va);
	tlb_sync();
	set_dacr(0x55555555u);
	check_read("changed + TLBIMVA under another DACR: client sees page 63", va, page(63));
	set_dacr(manager6);
	check_read("... manager sees page 63", va, page(63));
	remap(va, page(62), PT_RW);
	tlbiall(0);
	tlb_sync();
	set_dacr(0x55555555u);
	check_read("changed + TLBIALL under another DACR: page 62", va, page(62));

	check_eq("User read: page 64", run_user(u_ld32, vu), mark(page(64)));
	remap(vu, page(64), (struct pt_attr){ .ap = 1 });
	tlbimva(vu);
	tlb_sync();
	check_read("AP=001 + TLBIMVA: PL1 read", vu, page(64));
	trap_expect();
	run_user(u_ld32, vu);
	trap_done();
	check_eq("AP=001 + TLBIMVA: User read faults", trap.count ? trap.dfsr & DFSR_DOM : 0xee,
		 DOM(6) | FS_PERM_PAGE);
	check_true("AP=001 + TLBIMVA: LDRT faults", probe_ld32_user(vu, &v));
	remap(vu, page(65), PT_RW);
	tlbimva(vu);
	tlb_sync();
	check_eq("other page, AP=011 + TLBIMVA: User read", run_user(u_ld32, vu), mark(page(65)));
	check_eq("... LDRT", probe_ld32_user(vu, &v) ? 0xfa000000u : v, mark(page(65)));
}

/* Accesses and fetches that cross into a second page: mapped to a PA that
 * is not the next one, or not mapped at all. */
static void test_page_crossing(void)
{
	uint32_t base = VA_L2X + 0x5000, v;
	struct pt_attr rw = PT_RW;

	check_group("accesses crossing a page boundary");
	pt_small(&l2_x, base, page(102), rw);
	pt_small(&l2_x, base + 0x1000, page(104), rw);
	pt_small(&l2_x, base + 0x2000, page(105), rw);
	pt_small(&l2_x, base + 0x3000, page(107), rw);
	pt_small(&l2_x, base + 0x4000, page(108), rw);
	/* base + 0x5000: no entry */
	tlbiall(0);
	tlb_sync();
	/* Thumb MOV.W r0, #1 split over the first two pages, then BX LR. */
	wr32(page(102) + 0xffc, 0xf04f0000u);
	wr32(page(104), 0x47700001u);
	sync_icache();
	check_eq("Thumb MOV.W split over two pages", exec_va(base + 0xffe + 1), 1);
	wr32(page(108) + 0xffc, 0xf04f0000u);
	sync_icache();
	trap_expect();
	exec_probe(base + 0x4ffe + 1, 0);
	trap_done();
	check_eq("... second page unmapped: IFSR", trap.count ? trap.ifsr & IFSR_FS : 0xee,
		 FS_TRANS_PAGE);
	check_eq("... IFAR is the second halfword", trap.ifar, base + 0x5000);
	check_eq("... LR is the instruction + 4", trap.lr, base + 0x4ffe + 4);
	check_bits("... SPSR.T", trap.spsr, PSR_T, PSR_T);

	wr32(page(105) + 0xffc, 0x44332211u);
	wr32(page(107), 0x88776655u);
	check_eq("LDR across pages", read_va(base + 0x2ffe), 0x66554433u);
	check_eq("LDRH across pages", a_ldrh(base + 0x2fff), 0x5544u);
	check_true("STR across pages", !probe_st32(base + 0x2fff, 0xaabbccddu));
	check_eq("... first page", rd32(page(105) + 0xffc), 0xdd332211u);
	check_eq("... second page", rd32(page(107)), 0x88aabbccu);
	trap_expect();
	a_ldrh(base + 0x4fff);
	trap_done();
	check_eq("LDRH into an unmapped page: DFSR", trap.count ? trap.dfsr & DFSR_DOM : 0xee,
		 FS_TRANS_PAGE);
	v = trap.dfar;
	check_true("... DFAR is the access or the page start", v == base + 0x4fff || v == base + 0x5000);
	trap_expect();
	v = a_ldm_wb(base + 0x4ffc);
	trap_done();
	check_eq("LDMIA r0! whose second word faults: DFAR", trap.count ? trap.dfar : 0xee,
		 base + 0x5000);
	check_eq("... base register not written back", v, base + 0x4ffc);
}

/* Many small pages mapped in scattered order, then all remapped. */
static void test_many_pages(void)
{
	unsigned bad = 0;

	check_group("128 scattered pages");
	pt_table(&l1, VA_MANY, &l2_many, 0, false);
	for (unsigned i = 0; i < 128; i++) {
		put_mark(page(128 + i));
		pt_small(&l2_many, VA_MANY + i * SZ_4K, page(128 + (i * 37) % 128), PT_RW);
	}
	tlbiall(0);
	tlb_sync();
	for (unsigned i = 0; i < 128; i++)
		bad += read_va(VA_MANY + i * SZ_4K) != mark(page(128 + (i * 37) % 128));
	check_eq("all read through their mapping: wrong", bad, 0);
	for (unsigned i = 0; i < 128; i++)
		pt_small(&l2_many, VA_MANY + i * SZ_4K, page(255 - i), PT_RW);
	tlbiall(0);
	tlb_sync();
	bad = 0;
	for (unsigned i = 0; i < 128; i++) {
		bad += read_va(VA_MANY + i * SZ_4K) != mark(page(255 - i));
		wr32(VA_MANY + i * SZ_4K + 4, i);
	}
	for (unsigned i = 0; i < 128; i++)
		bad += rd32(page(255 - i) + 4) != i;
	check_eq("all remapped + TLBIALL, read and written: wrong", bad, 0);
}

/* ---- ASIDs ---- */

/* Switch address space the way ARMv7 without LPAE requires: through a
 * reserved ASID (0, used by global mappings only), then TTBR0, then the
 * new ASID. */
static void switch_as(uint32_t asid, struct l1_table *t)
{
	contextidr_write(0);
	isb();
	ttbr0_write((uint32_t)t);
	isb();
	contextidr_write(asid);
	isb();
}

static void test_asid(void)
{
	uint32_t n = VA_ASID + 0x4000, g = VA_ASID + 0x5000, u = VA_ASID + 0x6000;
	struct pt_attr ng = { .ap = 3, .ng = true }, gl = PT_RW;

	check_group("ASIDs (CONTEXTIDR) and global pages");
	/* Address space A (ASID 1) is l1, B (ASID 2) is l1b; both identity. */
	pt_identity(&l1b);
	pt_table(&l1, VA_ASID, &l2_asid_a, 0, false);
	pt_table(&l1b, VA_ASID, &l2_asid_b, 0, false);
	pt_small(&l2_asid_a, n, page(70), ng);
	pt_small(&l2_asid_b, n, page(71), ng);
	pt_small(&l2_asid_a, g, page(72), gl);
	pt_small(&l2_asid_b, g, page(72), gl);
	pt_small(&l2_asid_a, u, page(77), ng);	/* not mapped in B */
	tlbiall(0);
	tlb_sync();

	switch_as(1, &l1);
	check_eq("CONTEXTIDR reads back", contextidr_read(), 1);
	check_read("ASID 1: non-global page", n, page(70));
	check_read("ASID 1: page only A maps", u, page(77));
	check_read("ASID 1: global page", g, page(72));
	switch_as(2, &l1b);
	check_read("ASID 2: same VA, other page", n, page(71));
	check_read("ASID 2: global page", g, page(72));
	check_dabort("ASID 2: A's page is not mapped here", false, u, DFSR_DOM, FS_TRANS_PAGE);
	switch_as(1, &l1);
	check_read("ASID 1 again (no TLB maintenance)", n, page(70));
	check_read("ASID 1 again: page only A maps", u, page(77));
	switch_as(2, &l1b);
	check_read("ASID 2 again", n, page(71));

	/* Invalidate a switched-out address space, then switch to it. */
	pt_small(&l2_asid_a, n, page(73), ng);
	tlbiasid(1);
	tlb_sync();
	check_read("ASID 2 unaffected by TLBIASID 1", n, page(71));
	switch_as(1, &l1);
	check_read("A changed + TLBIASID(1) from ASID 2", n, page(73));
	switch_as(2, &l1b);
	pt_small(&l2_asid_a, n, page(74), ng);
	tlbimva(n | 1);
	tlb_sync();
	switch_as(1, &l1);
	check_read("A changed + TLBIMVA(va | 1) from ASID 2", n, page(74));
	pt_small(&l2_asid_b, n, page(75), ng);
	tlbiasidis(2);
	tlb_sync();
	switch_as(2, &l1b);
	check_read("B changed + TLBIASIDIS(2) from ASID 1", n, page(75));

	/* A global change: one TLBIMVAA for every ASID. */
	pt_small(&l2_asid_a, g, page(76), gl);
	pt_small(&l2_asid_b, g, page(76), gl);
	tlbimvaa(g);
	tlb_sync();
	check_read("global page changed + TLBIMVAA: ASID 2", g, page(76));
	switch_as(1, &l1);
	check_read("global page changed + TLBIMVAA: ASID 1", g, page(76));

	/* A new ASID on the same table has no entries yet: it must see the
	 * table as it is now. */
	pt_small(&l2_asid_a, n, page(78), ng);
	dsb();
	switch_as(3, &l1);
	check_read("fresh ASID 3 on A's table sees the new page", n, page(78));
	tlbiasid(1);
	tlbiasid(3);
	tlb_sync();
	switch_as(1, &l1);
	check_read("ASID 1 after TLBIASID", n, page(78));
	switch_as(0, &l1);
	tlbiall(0);
	tlb_sync();
}

/* ---- TTBR0 / TTBR1 ---- */

static void set_ttbcr(uint32_t n)
{
	ttbcr_write(n);
	isb();
	tlbiall(0);
	tlb_sync();
}

static void test_ttbr_split(void)
{
	check_group("TTBR0/TTBR1 split (TTBCR.N)");
	pt_identity(&l1b);
	pt_section(&l1, VA_SPLIT, SEC_B, PT_RW);
	pt_section(&l1b, VA_SPLIT, SEC_C, PT_RW);
	pt_section(&l1, VA_SPLIT_LO, SEC_B, PT_RW);
	pt_section(&l1b, VA_SPLIT_LO, SEC_C, PT_RW);
	ttbr1_write((uint32_t)&l1b);
	isb();
	tlbiall(0);
	tlb_sync();
	check_eq("TTBR1 reads back", ttbr1_read(), (uint32_t)&l1b);
	check_read("N=0: 0x90000000 through TTBR0", VA_SPLIT, SEC_B);
	set_ttbcr(1);
	check_eq("TTBCR reads back", ttbcr_read(), 1);
	check_read("N=1: 0x90000000 through TTBR1", VA_SPLIT, SEC_C);
	check_read("N=1: 0x30000000 through TTBR0", VA_SPLIT_LO, SEC_B);
	check_read("N=1: 0x50000000 (TTBR0) still mapped", VA_SEC + 0x3000, page(60));
	set_ttbcr(2);
	check_read("N=2: 0x30000000 through TTBR0 (4 KiB table)", VA_SPLIT_LO, SEC_B);
	check_read("N=2: 0x90000000 through TTBR1", VA_SPLIT, SEC_C);
	set_ttbcr(3);
	check_read("N=3: 0x30000000 through TTBR1", VA_SPLIT_LO, SEC_C);
	check_dabort("N=3: 0x50000000 through TTBR1 (unmapped there)", false, VA_SEC + 0x3000,
		     DFSR_NODOM, FS_TRANS_SEC);
	set_ttbcr(0);
	check_read("N=0 again: 0x30000000 through TTBR0", VA_SPLIT_LO, SEC_B);
}

void test_main(void)
{
	print_str("mmu: short-descriptor translation, faults, TLB, ASIDs\n");
	setup();
	test_on_off();
	test_mappings();
	test_translation_faults();
	test_permissions();
	test_execute();
	test_domains();
	test_access_flag();
	test_alignment();
	test_ats();
	test_tlb();
	test_views();
	test_page_crossing();
	test_many_pages();
	test_asid();
	test_ttbr_split();
	mmu_off();
	check_eq("MMU off at the end: flat again", rd32(SEC_A), mark(SEC_A));
}
