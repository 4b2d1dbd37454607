/* exclusive.c — the local exclusive monitor (ARM ARM A3.4): LDREX/STREX
 * in every size, failure without a matching LDREX and after CLREX, after
 * an exception (hspt clears the monitor on exception entry and return,
 * which the architecture leaves IMPLEMENTATION DEFINED; Linux clears it
 * itself), re-tagging by a second LDREX, User mode, a retry loop, the
 * alignment, translation and permission faults of exclusives, and SWP
 * (UNDEFINED unless SCTLR.SW). Runs with the MMU on: exclusives are for
 * Normal memory. */
#include "guest.h"

extern uint32_t x_ldrex(uint32_t va), x_ldrexb(uint32_t va), x_ldrexh(uint32_t va);
extern uint64_t x_ldrexd(uint32_t va);
extern uint32_t x_strex(uint32_t va, uint32_t v), x_strexb(uint32_t va, uint32_t v),
	x_strexh(uint32_t va, uint32_t v);
extern uint32_t x_strexd(uint32_t va, uint32_t lo, uint32_t hi);
extern void x_clrex(void);
extern uint32_t x_retag(uint32_t a, uint32_t b, uint32_t v);
extern uint32_t x_svc_between(uint32_t va, uint32_t v);
extern void x_inc_loop(uint32_t va, uint32_t n);
extern uint32_t u_xinc(uint32_t va);
extern uint32_t x_swp(uint32_t va, uint32_t v), x_swpb(uint32_t va, uint32_t v);

#define BUF		SCRATCH_PA		/* identity mapped, Normal */
#define RO_PA		(SCRATCH_PA + SZ_1M)
#define FRESH_PA	(SCRATCH_PA + 2 * SZ_1M)
#define VA_RO		0x50000000u		/* read-only section, domain 2 */
#define VA_FRESH	0x51000000u		/* never touched before its test */
#define VA_NONE		0x80000000u

#define DFSR_NODOM	0x0c0fu
#define DFSR_DOM	0x0cffu

static struct l1_table l1;

/* Run f with the recorder armed; the DFSR under mask if it took a data
 * abort at va, else 0xee000000 | what happened. */
static uint32_t dabort_of(uint32_t va, uint32_t mask, uint32_t (*f)(uint32_t, uint32_t))
{
	trap_expect();
	f(va, 0x5a5a5a5au);
	if (!trap_done())
		return 0xee000000u;
	if (trap.vector != VEC_DABT || trap.dfar != va)
		return 0xee000000u | trap.vector << 8 | 1;
	return trap.dfsr & mask;
}

static uint32_t ldrex_2(uint32_t va, uint32_t v)
{
	return x_ldrex(va) + v;
}

static uint32_t ldrexh_2(uint32_t va, uint32_t v)
{
	return x_ldrexh(va) + v;
}

static uint32_t ldrexd_2(uint32_t va, uint32_t v)
{
	return (uint32_t)x_ldrexd(va) + v;
}

static uint32_t strexd_2(uint32_t va, uint32_t v)
{
	return x_strexd(va, v, ~v);
}

static void test_word(void)
{
	uint32_t a = BUF, v, s;

	check_group("LDREX/STREX");
	wr32(a, 0x11111111u);
	v = x_ldrex(a);
	s = x_strex(a, 0x22222222u);
	check_eq("LDREX reads", v, 0x11111111u);
	check_eq("STREX after LDREX: status", s, 0);
	check_eq("STREX after LDREX: stored", rd32(a), 0x22222222u);
	check_eq("STREX again (monitor now open): status", x_strex(a, 0x33333333u), 1);
	check_eq("... nothing stored", rd32(a), 0x22222222u);
	x_ldrex(a);
	x_clrex();
	check_eq("LDREX, CLREX, STREX: status", x_strex(a, 0x44444444u), 1);
	check_eq("... nothing stored", rd32(a), 0x22222222u);
	wr32(a + 8, 0);
	check_eq("LDREX a, LDREX b, STREX b: status", x_retag(a, a + 8, 0x5555u), 0);
	check_eq("... stored to b", rd32(a + 8), 0x5555u);

	trap_expect();
	s = x_svc_between(a, 0x66666666u);
	trap_done();
	check_eq("LDREX, SVC taken and returned: exception", trap.count == 1 ? trap.vector : 0xee,
		 VEC_SVC);
	check_eq("LDREX, SVC, STREX: status (IMPL. DEFINED: hspt clears the monitor)", s, 1);
	check_eq("... nothing stored", rd32(a), 0x22222222u);
}

static void test_sizes(void)
{
	uint32_t a = BUF + 0x40;
	uint64_t d;

	check_group("byte, halfword and doubleword exclusives");
	wr32(a, 0xaabbccddu);
	check_eq("LDREXB at +1", x_ldrexb(a + 1), 0xcc);
	check_eq("STREXB at +1: status", x_strexb(a + 1, 0x5a), 0);
	check_eq("STREXB wrote one byte", rd32(a), 0xaabb5addu);
	check_eq("LDREXH at +2", x_ldrexh(a + 2), 0xaabb);
	check_eq("STREXH at +2: status", x_strexh(a + 2, 0x1234), 0);
	check_eq("STREXH wrote one halfword", rd32(a), 0x12345addu);
	check_eq("STREXB without LDREXB: status", x_strexb(a, 0x77), 1);
	check_eq("... nothing stored", rd32(a), 0x12345addu);

	wr32(a + 16, 0x01234567u);
	wr32(a + 20, 0x89abcdefu);
	d = x_ldrexd(a + 16);
	check_eq64("LDREXD", d, 0x89abcdef01234567ull);
	check_eq("STREXD: status", x_strexd(a + 16, 0xfedcba98u, 0x76543210u), 0);
	check_eq("STREXD: low word", rd32(a + 16), 0xfedcba98u);
	check_eq("STREXD: high word", rd32(a + 20), 0x76543210u);
	check_eq("STREXD without LDREXD: status", x_strexd(a + 16, 1, 2), 1);
	check_eq("... nothing stored", rd32(a + 16), 0xfedcba98u);
}

static void test_use(void)
{
	uint32_t a = BUF + 0x80;

	check_group("retry loop, User mode, a fresh mapping");
	wr32(a, 0);
	x_inc_loop(a, 1000);
	check_eq("1000 LDREX/STREX increments", rd32(a), 1000);
	wr32(a + 4, 7);
	check_eq("User mode LDREX/STREX: status", run_user(u_xinc, a + 4), 0);
	check_eq("User mode LDREX/STREX: stored", rd32(a + 4), 8);
	wr32(FRESH_PA + 0x40, 0x12u);
	check_eq("first touch of a page by LDREX", x_ldrex(VA_FRESH + 0x40), 0x12u);
	check_eq("... then STREX: status", x_strex(VA_FRESH + 0x40, 0x77u), 0);
	check_eq("... stored", rd32(FRESH_PA + 0x40), 0x77u);
}

static void test_aborts(void)
{
	uint32_t a = BUF + 0xc0;

	check_group("exclusives that abort");
	check_eq("LDREX at +2: alignment fault", dabort_of(a + 2, DFSR_NODOM, ldrex_2), 0x001);
	check_eq("LDREXH at +1: alignment fault", dabort_of(a + 1, DFSR_NODOM, ldrexh_2), 0x001);
	check_eq("LDREXD at +4: alignment fault", dabort_of(a + 4, DFSR_NODOM, ldrexd_2), 0x001);
	/* Whether a STREX that cannot pass the monitor still checks alignment
	 * is IMPLEMENTATION DEFINED; hspt checks first, like the ARM ARM's
	 * ExclusiveMonitorsPass() pseudocode (QEMU does not). */
	check_eq("STREX at +2: alignment fault (checked first)",
		 dabort_of(a + 2, DFSR_NODOM, x_strex), 0x801);
	check_eq("STREXH at +3: alignment fault (checked first)",
		 dabort_of(a + 3, DFSR_NODOM, x_strexh), 0x801);
	check_eq("STREXD at +4: alignment fault (checked first)",
		 dabort_of(a + 4, DFSR_NODOM, strexd_2), 0x801);
	check_eq("LDREX unmapped: translation fault", dabort_of(VA_NONE + 0x10, DFSR_NODOM, ldrex_2),
		 0x005);
	wr32(RO_PA + 0x20, 0x31u);
	check_eq("LDREX read-only: reads", x_ldrex(VA_RO + 0x20), 0x31u);
	check_eq("... then STREX: permission fault", dabort_of(VA_RO + 0x20, DFSR_DOM, x_strex),
		 0x800u | 2u << 4 | 0x00du);
	check_eq("... nothing stored", rd32(RO_PA + 0x20), 0x31u);
	x_clrex();
}

static void test_swp(void)
{
	uint32_t a = BUF + 0x100, r;

	check_group("SWP and SWPB (SCTLR.SW)");
	wr32(a, 0x12345678u);
	trap_expect();
	x_swp(a, 0x9abcdef0u);
	trap_done();
	check_eq("SW = 0: SWP is UNDEFINED", trap.count == 1 ? trap.vector : 0xee, VEC_UND);
	check_eq("... memory unchanged", rd32(a), 0x12345678u);
	sctlr_write(sctlr_read() | SCTLR_SW);
	isb();
	check_bits("SCTLR.SW set", sctlr_read(), SCTLR_SW, SCTLR_SW);
	trap_expect();
	r = x_swp(a, 0x9abcdef0u);
	check_eq("SW = 1: SWP returns the old word", trap_done() ? 0xee000000u : r, 0x12345678u);
	check_eq("SW = 1: SWP stores", rd32(a), 0x9abcdef0u);
	wr32(a, 0x11223344u);
	trap_expect();
	r = x_swpb(a + 1, 0xaau);
	check_eq("SW = 1: SWPB returns the old byte", trap_done() ? 0xee000000u : r, 0x33u);
	check_eq("SW = 1: SWPB stores one byte", rd32(a), 0x1122aa44u);
	sctlr_write(sctlr_read() & ~SCTLR_SW);
	isb();
}

void test_main(void)
{
	print_str("exclusive: the exclusive monitor\n");
	pt_identity(&l1);
	pt_section(&l1, VA_RO, RO_PA, (struct pt_attr){ .ap = 7, .domain = 2 });
	pt_section(&l1, VA_FRESH, FRESH_PA, PT_RW);
	mmu_on(&l1);
	test_word();
	test_sizes();
	test_use();
	test_aborts();
	test_swp();
	mmu_off();
}
