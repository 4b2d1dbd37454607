/* exceptions.c — exception entry and return (ARM ARM B1.8, B1.9).
 *
 * UNDEFINED (ARM and Thumb UDF, a missing coprocessor, an unimplemented
 * CP15 register, CP15 from User mode), SVC from ARM and Thumb, BKPT, data
 * and prefetch aborts (synchronous external aborts, MMU off): the vector,
 * the mode and masks on entry, LR offsets, SPSR (flags, T, IT, E), fault
 * registers. Then every mode: entering it with CPS and MSR, banked
 * registers, exceptions taken from it and returning to it, User mode's
 * restrictions, the four exception-return forms (LDM ^, SUBS PC, MOVS PC,
 * RFE), SRS, VBAR and high vectors. */
#include "guest.h"

typedef uint32_t snippet_fn(uint32_t flags, uint32_t arg);
extern snippet_fn arm_udf, arm_cp7, arm_cp15_bad, arm_svc, arm_bkpt, arm_ldr, arm_str;
extern snippet_fn thumb_udf, thumb_udf_w, thumb_svc, thumb_bkpt, thumb_ldr, thumb_ldr_w;
extern snippet_fn thumb_it_ldr, thumb_it_cp7, thumb_it_svc, arm_svc_to_sys;
extern const char arm_udf_insn[], arm_cp7_insn[], arm_cp15_bad_insn[], arm_svc_insn[],
	arm_bkpt_insn[], arm_ldr_insn[], arm_str_insn[];
extern const char thumb_udf_insn[], thumb_udf_w_insn[], thumb_svc_insn[], thumb_bkpt_insn[],
	thumb_ldr_insn[], thumb_ldr_w_insn[], thumb_it_ldr_insn[], thumb_it_cp7_insn[], thumb_it_svc_insn[];
extern uint32_t thumb_mrs_it(uint32_t flags);
extern uint32_t arm_svc_be(void);
extern const char arm_svc_be_insn[];
extern uint32_t user_mrc_sctlr(uint32_t), user_svc(uint32_t), user_trip(uint32_t);
extern const char user_mrc_sctlr_insn[], user_svc_insn[];
extern uint32_t mode_trip(uint32_t mode, uint32_t op);
extern uint32_t cps_probe_fiq(void), cps_probe_irq(void), cps_probe_abt(void),
	cps_probe_und(void), cps_probe_sys(void), cps_probe_svc(void);
extern uint32_t msr_probe(uint32_t mode);
extern void user_cps_test(uint32_t out[4]);
extern void bank_test(const uint32_t *in, uint32_t *out);
extern void userbank_test(uint32_t buf[8]);
extern uint32_t srs_test(uint32_t sys_sp, uint32_t lr, uint32_t spsr, uint32_t ia);
extern void rfe_test(uint32_t cpsr, uint32_t out[2]);
extern uint32_t rfe_thumb_test(uint32_t cpsr);
extern uint32_t msr_t_test(uint32_t scratch);
extern uint32_t u_rd_tpidruro(uint32_t), u_wr_tpidruro(uint32_t), u_rd_tpidrurw(uint32_t),
	u_wr_tpidrurw(uint32_t), u_rd_tpidrprw(uint32_t), u_cp15dmb(uint32_t);
extern snippet_fn arm_ldr_post, arm_str_pre;
extern const char arm_ldr_post_insn[], arm_str_pre_insn[];
extern void cps_masks(uint32_t out[3]);
extern const char msr_t_resume[];

#define ADDR(sym) ((uint32_t)(sym) & ~1u)
/* SPSR bits compared: NZCVQ, J, IT, E, A, I, F, T, M (not GE, reserved). */
#define SPSR_MASK 0xff00ffffu
/* DFSR: FS[4:0] and WnR (ExT and, for these faults, Domain are not defined). */
#define DFSR_MASK 0x0c0fu
#define IFSR_MASK 0x040fu
#define FS_EXTERNAL 0x008u
#define FS_DEBUG 0x002u

/* CPSR of the test code: SVC, ARM, A/I/F unmasked, flags cleared. */
static uint32_t base_cpsr;

static const uint8_t vector_mode[8] = {
	[VEC_UND] = MODE_UND, [VEC_SVC] = MODE_SVC, [VEC_PABT] = MODE_ABT,
	[VEC_DABT] = MODE_ABT, [VEC_IRQ] = MODE_IRQ, [VEC_FIQ] = MODE_FIQ,
};

/* The checks every exception gets: taken once through the right vector,
 * the handler's CPSR (mode, I set, A set for aborts, F kept, T = TE = 0,
 * E = EE = 0, flags kept), LR, and SPSR under spsr_mask. */
static void check_entry(const char *what, unsigned vec, uint32_t lr, uint32_t spsr,
			uint32_t spsr_mask)
{
	bool abort = vec == VEC_PABT || vec == VEC_DABT;
	uint32_t want = vector_mode[vec] | PSR_I | (abort ? PSR_A : trap.spsr & PSR_A) |
			(trap.spsr & (PSR_F | 0xf80f0000u));

	check_eq(str_cat(what, ": taken once, vector"),
		 trap.count == 1 ? trap.vector : 0x100u + trap.count, vec);
	check_bits(str_cat(what, ": handler CPSR"), trap.cpsr, 0xf80f03ffu, want);
	check_eq(str_cat(what, ": LR"), trap.lr, lr);
	check_bits(str_cat(what, ": SPSR"), trap.spsr, spsr_mask, spsr);
}

/* Run a snippet with the recorder armed; returns the CPSR after. */
static uint32_t run_snippet(snippet_fn *fn, uint32_t flags, uint32_t arg)
{
	uint32_t cpsr;

	trap_expect();
	cpsr = fn(flags, arg);
	trap_done();
	return cpsr;
}

static void test_undef(void)
{
	uint32_t cpsr;

	check_group("undefined instructions");
	cpsr = run_snippet(arm_udf, 0xa0000000u, 0);
	check_entry("ARM UDF", VEC_UND, ADDR(arm_udf_insn) + 4, base_cpsr | 0xa0000000u,
		    SPSR_MASK);
	check_bits("ARM UDF: flags and mode after return", cpsr, 0xf800001fu,
		   0xa0000000u | MODE_SVC);

	cpsr = run_snippet(thumb_udf, 0x50000000u, 0);
	check_entry("Thumb UDF", VEC_UND, ADDR(thumb_udf_insn) + 2,
		    base_cpsr | PSR_T | 0x50000000u, SPSR_MASK);
	check_bits("Thumb UDF: flags after return", cpsr, 0xf800001fu, 0x50000000u | MODE_SVC);

	/* LR is the address + 2 for a 32-bit Thumb encoding too. */
	run_snippet(thumb_udf_w, 0x30000000u, 0);
	check_entry("Thumb UDF.W", VEC_UND, ADDR(thumb_udf_w_insn) + 2,
		    base_cpsr | PSR_T | 0x30000000u, SPSR_MASK);

	run_snippet(arm_cp7, 0x80000000u, 0);
	check_entry("MRC p7 (no coprocessor)", VEC_UND, ADDR(arm_cp7_insn) + 4,
		    base_cpsr | 0x80000000u, SPSR_MASK);

	run_snippet(arm_cp15_bad, 0, 0);
	check_entry("MRC p15, 7, c1, c0, 0 (unimplemented)", VEC_UND,
		    ADDR(arm_cp15_bad_insn) + 4, base_cpsr, SPSR_MASK);

	trap_expect();
	run_user(user_mrc_sctlr, 0);
	trap_done();
	check_entry("MRC SCTLR from User mode", VEC_UND, ADDR(user_mrc_sctlr_insn) + 4,
		    (base_cpsr & ~PSR_MODE) | MODE_USR, 0x3ffu);
}

static void test_svc(void)
{
	uint32_t cpsr;

	check_group("supervisor calls");
	cpsr = run_snippet(arm_svc, 0x90000000u, 0);
	check_entry("ARM SVC", VEC_SVC, ADDR(arm_svc_insn) + 4, base_cpsr | 0x90000000u,
		    SPSR_MASK);
	check_eq("ARM SVC: immediate", trap.imm, 0x123);
	check_bits("ARM SVC: flags after return", cpsr, 0xf800001fu, 0x90000000u | MODE_SVC);

	cpsr = run_snippet(thumb_svc, 0x60000000u, 0);
	check_entry("Thumb SVC", VEC_SVC, ADDR(thumb_svc_insn) + 2,
		    base_cpsr | PSR_T | 0x60000000u, SPSR_MASK);
	check_eq("Thumb SVC: immediate", trap.imm, 0x42);
	check_bits("Thumb SVC: flags after return", cpsr, 0xf800001fu, 0x60000000u | MODE_SVC);

	trap_expect();
	cpsr = run_user(user_svc, 0x20000000u);
	trap_done();
	check_entry("SVC from User mode", VEC_SVC, ADDR(user_svc_insn) + 4,
		    (base_cpsr & ~PSR_MODE) | MODE_USR | 0x20000000u, SPSR_MASK);
	check_eq("SVC from User mode: immediate", trap.imm, 0x77);
	check_bits("SVC from User mode: back in User mode", cpsr, 0xf800001fu,
		   0x20000000u | MODE_USR);

	/* SETEND BE, then SVC: E is SCTLR.EE (0) in the handler, 1 in SPSR. */
	trap_expect();
	cpsr = arm_svc_be();
	trap_done();
	check_entry("SVC with CPSR.E set", VEC_SVC, ADDR(arm_svc_be_insn) + 4, base_cpsr | PSR_E,
		    0x3ffu);
	check_bits("SVC with CPSR.E set: E restored", cpsr, PSR_E, PSR_E);
}

static void test_bkpt(void)
{
	check_group("breakpoints");
	run_snippet(arm_bkpt, 0xc0000000u, 0);
	check_entry("ARM BKPT", VEC_PABT, ADDR(arm_bkpt_insn) + 4, base_cpsr | 0xc0000000u,
		    SPSR_MASK);
	check_bits("ARM BKPT: IFSR debug event", trap.ifsr, IFSR_MASK, FS_DEBUG);
	check_eq("ARM BKPT: immediate", trap.imm, 0x1234);

	run_snippet(thumb_bkpt, 0x10000000u, 0);
	check_entry("Thumb BKPT", VEC_PABT, ADDR(thumb_bkpt_insn) + 4,
		    base_cpsr | PSR_T | 0x10000000u, SPSR_MASK);
	check_bits("Thumb BKPT: IFSR debug event", trap.ifsr, IFSR_MASK, FS_DEBUG);
	check_eq("Thumb BKPT: immediate", trap.imm, 0x12);
}

static void test_aborts(void)
{
	uint32_t va = NOTHING_PA + 0x24;

	check_group("aborts (MMU off, nothing at the address)");
	run_snippet(arm_ldr, 0x40000000u, va);
	check_entry("ARM LDR", VEC_DABT, ADDR(arm_ldr_insn) + 8, base_cpsr | 0x40000000u,
		    SPSR_MASK);
	check_bits("ARM LDR: DFSR external abort, read", trap.dfsr, DFSR_MASK, FS_EXTERNAL);
	check_eq("ARM LDR: DFAR", trap.dfar, va);

	run_snippet(arm_str, 0x20000000u, va + 8);
	check_entry("ARM STR", VEC_DABT, ADDR(arm_str_insn) + 8, base_cpsr | 0x20000000u,
		    SPSR_MASK);
	check_bits("ARM STR: DFSR external abort, write", trap.dfsr, DFSR_MASK,
		   0x800u | FS_EXTERNAL);
	check_eq("ARM STR: DFAR", trap.dfar, va + 8);

	run_snippet(thumb_ldr, 0x80000000u, va + 4);
	check_entry("Thumb LDR", VEC_DABT, ADDR(thumb_ldr_insn) + 8,
		    base_cpsr | PSR_T | 0x80000000u, SPSR_MASK);
	check_eq("Thumb LDR: DFAR", trap.dfar, va + 4);

	run_snippet(thumb_ldr_w, 0x10000000u, va + 12);
	check_entry("Thumb LDR.W", VEC_DABT, ADDR(thumb_ldr_w_insn) + 8,
		    base_cpsr | PSR_T | 0x10000000u, SPSR_MASK);
	check_eq("Thumb LDR.W: DFAR", trap.dfar, va + 16);

	/* An aborted access writes nothing back to its base register. */
	check_eq("LDR r2, [r1], #4 aborted: base unchanged", run_snippet(arm_ldr_post, 0, va), va);
	check_eq("... LR", trap.lr, ADDR(arm_ldr_post_insn) + 8);
	check_eq("STR r2, [r1, #8]! aborted: base unchanged", run_snippet(arm_str_pre, 0, va), va);
	check_eq("... DFAR", trap.dfar, va + 8);
	check_eq("... LR", trap.lr, ADDR(arm_str_pre_insn) + 8);

	/* Fetching from nothing: prefetch abort, LR = address + 4. */
	trap_expect();
	exec_probe(NOTHING_PA + 0x100, 0);
	trap_done();
	check_entry("ARM fetch", VEC_PABT, NOTHING_PA + 0x104, base_cpsr, 0x3ffu);
	check_bits("ARM fetch: IFSR external abort", trap.ifsr, IFSR_MASK, FS_EXTERNAL);
	check_eq("ARM fetch: IFAR", trap.ifar, NOTHING_PA + 0x100);

	trap_expect();
	exec_probe(NOTHING_PA + 0x202 + 1, 0);
	trap_done();
	check_entry("Thumb fetch", VEC_PABT, NOTHING_PA + 0x206, base_cpsr | PSR_T, 0x3ffu);
	check_bits("Thumb fetch: IFSR external abort", trap.ifsr, IFSR_MASK, FS_EXTERNAL);
	check_eq("Thumb fetch: IFAR", trap.ifar, NOTHING_PA + 0x202);
}

/* IT state: an exception inside an IT block saves the IT state of the
 * trapping instruction (UNDEF, aborts) or of the next one (SVC), and
 * returning restores it. */
static void test_it_state(void)
{
	uint32_t r;

	check_group("IT state");
	trap_expect();
	r = thumb_it_cp7(0x40000000u, 0);
	trap_done();
	check_entry("MRCEQ p7 in ITE EQ", VEC_UND, ADDR(thumb_it_cp7_insn) + 2,
		    psr_with_it(base_cpsr | PSR_T | 0x40000000u, 0x0c), SPSR_MASK);
	check_eq("MRCEQ p7 in ITE EQ: NE slot skipped after return", r, 0);

	trap_expect();
	r = thumb_it_ldr(0x40000000u, NOTHING_PA);
	trap_done();
	check_entry("LDREQ in ITE EQ (data abort)", VEC_DABT, ADDR(thumb_it_ldr_insn) + 8,
		    psr_with_it(base_cpsr | PSR_T | 0x40000000u, 0x0c), SPSR_MASK);
	check_eq("LDREQ in ITE EQ: NE slot skipped after return", r, 0);

	trap_expect();
	r = thumb_it_svc(0x40000000u, 0);
	trap_done();
	check_entry("SVCEQ in ITTE EQ", VEC_SVC, ADDR(thumb_it_svc_insn) + 2,
		    psr_with_it(base_cpsr | PSR_T | 0x40000000u, 0x0c), SPSR_MASK);
	check_eq("SVCEQ in ITTE EQ: EQ slot ran, NE slot did not", r, 1);

	r = thumb_mrs_it(0x40000000u);
	check_bits("MRS in Thumb state (in an IT block): T and IT read as zero", r,
		   PSR_T | PSR_IT | PSR_MODE, MODE_SVC);
}

/* Run a User-mode function with the recorder armed: its result, or
 * 0xee000000 | vector if it trapped. */
static uint32_t user_call(uint32_t (*fn)(uint32_t), uint32_t arg)
{
	uint32_t r;

	trap_expect();
	r = run_user(fn, arg);
	return trap_done() ? 0xee000000u | trap.vector : r;
}

static void test_user_cp15(void)
{
	uint32_t und = 0xee000000u | VEC_UND;

	check_group("CP15 from User mode");
	tpidruro_write(0x7e57a000u);
	tpidrurw_write(0x11111111u);
	tpidrprw_write(0x22222222u);
	check_eq("TPIDRURO: User read", user_call(u_rd_tpidruro, 0), 0x7e57a000u);
	check_eq("TPIDRURO: User write is UNDEFINED", user_call(u_wr_tpidruro, 1), und);
	check_eq("... unchanged", tpidruro_read(), 0x7e57a000u);
	check_eq("TPIDRURW: User write", user_call(u_wr_tpidrurw, 0x5678), 0x5678);
	check_eq("... PL1 sees it", tpidrurw_read(), 0x5678);
	check_eq("TPIDRURW: User read", user_call(u_rd_tpidrurw, 0), 0x5678);
	check_eq("TPIDRPRW: User read is UNDEFINED", user_call(u_rd_tpidrprw, 0), und);
	check_eq("CP15DMB with SCTLR.CP15BEN: allowed", user_call(u_cp15dmb, 0), 0);
	sctlr_write(sctlr_read() & ~SCTLR_CP15BEN);
	isb();
	check_eq("CP15DMB without CP15BEN: UNDEFINED", user_call(u_cp15dmb, 0), und);
	/* CP15BEN = 0 disables the CP15 barriers at PL1 too. */
	trap_expect();
	u_cp15dmb(0);
	trap_done();
	check_eq("CP15DMB at PL1 without CP15BEN: UNDEFINED", trap.count ? trap.vector : 0xff,
		 VEC_UND);
	sctlr_write(sctlr_read() | SCTLR_CP15BEN);
	isb();
}

static void test_mode_entry(void)
{
	static const struct {
		const char *name;
		uint32_t mode;
		uint32_t (*cps)(void);
	} modes[] = {
		{ "FIQ", MODE_FIQ, cps_probe_fiq }, { "IRQ", MODE_IRQ, cps_probe_irq },
		{ "ABT", MODE_ABT, cps_probe_abt }, { "UND", MODE_UND, cps_probe_und },
		{ "SYS", MODE_SYS, cps_probe_sys }, { "SVC", MODE_SVC, cps_probe_svc },
	};
	uint32_t out[4];

	check_group("entering modes with CPS and MSR");
	cps_masks(out);
	check_bits("CPSID aif", out[0], 0x1ffu, 0x1c0u | MODE_SVC);
	check_bits("CPSIE if", out[1], 0x1ffu, 0x100u | MODE_SVC);
	check_bits("CPSID i, #SYS", out[2], 0x1ffu, 0x180u | MODE_SYS);
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		uint32_t a = modes[i].cps() & 0x1ffu, b = msr_probe(modes[i].mode) & 0x1ffu;

		check_eq(str_cat(modes[i].name, ": CPS then MSR CPSR_c, CPSR.M/I/F/A both times"),
			 a == b ? a : 0xbad00000u | a << 12 | b,
			 modes[i].mode | (base_cpsr & 0x1c0u));
	}
	user_cps_test(out);
	check_bits("CPS #USR enters User mode", out[0], PSR_MODE, MODE_USR);
	check_bits("CPS #SVC in User mode is ignored", out[1], 0x1ffu, out[0] & 0x1ffu);
	check_bits("MSR CPSR_c, #0xd3 in User mode is ignored", out[2], 0x1ffu, out[0] & 0x1ffu);
	check_bits("SVC gets out of User mode", out[3], PSR_MODE, MODE_SVC);
}

static bool same(const uint32_t *a, const uint32_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void test_banks(void)
{
	static const char *const names[5] = { "FIQ", "IRQ", "ABT", "UND", "SYS" };
	uint32_t in[28], out[28], buf[8];

	check_group("banked registers");
	for (unsigned i = 0; i < 28; i++) {
		/* SPSR slots get valid-looking values: flags, GE, masks, mode. */
		in[i] = (i % 3 == 2 && i < 15) ? 0x50000000u | i << 16 | 0x1d0u
					       : 0x1000u * (i + 1) + 0xa5u;
		out[i] = 0;
	}
	in[104 / 4] = 0x300f01dfu;	/* SPSR_svc */
	bank_test(in, out);
	for (unsigned m = 0; m < 5; m++) {
		unsigned n = m == 4 ? 2 : 3;	/* SYS has no SPSR */

		if (!check_true(str_cat(names[m], ": SP, LR (, SPSR) kept"), same(in + 3 * m, out + 3 * m, n))) {
			for (unsigned i = 0; i < n; i++) {
				note("  wrote", in[3 * m + i]);
				note("  read", out[3 * m + i]);
			}
		}
	}
	check_true("FIQ: r8-r12 banked", same(in + 15, out + 15, 5));
	check_true("SVC: r8-r12 (the User bank) not changed by FIQ's", same(in + 20, out + 20, 5));
	check_eq("SVC: LR", out[25], in[25]);
	check_eq("SVC: SPSR", out[26], in[26]);
	check_eq("ABT sees the User-bank r8", out[27], in[20]);

	buf[0] = 0x11110000u; buf[1] = 0x22220000u;
	buf[4] = 0x33330000u; buf[5] = 0x44440000u;
	buf[2] = buf[3] = buf[6] = buf[7] = 0;
	userbank_test(buf);
	check_eq("LDM ^ writes User SP", buf[2], buf[0]);
	check_eq("LDM ^ writes User LR", buf[3], buf[1]);
	check_eq("STM ^ reads User SP", buf[6], buf[4]);
	check_eq("STM ^ reads User LR", buf[7], buf[5]);
}

static void test_from_every_mode(void)
{
	static const struct {
		const char *name;
		uint32_t mode;
	} modes[] = {
		{ "from FIQ", MODE_FIQ }, { "from IRQ", MODE_IRQ }, { "from ABT", MODE_ABT },
		{ "from UND", MODE_UND }, { "from SYS", MODE_SYS }, { "from SVC", MODE_SVC },
		{ "from USR", MODE_USR },
	};
	static const uint8_t op_vec[4] = { VEC_UND, VEC_SVC, VEC_DABT, VEC_PABT };

	check_group("UDF, SVC, data abort, BKPT taken from every mode");
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		uint32_t m = modes[i].mode, spsr_m = 0, handler = 0, after = 0;
		uint32_t want_handler = 0;

		for (unsigned op = 0; op < 4; op++) {
			uint32_t c;

			trap_expect();
			c = m == MODE_USR ? run_user(user_trip, op) : mode_trip(m, op);
			if (trap_done() == 1 && trap.vector == op_vec[op]) {
				spsr_m |= (trap.spsr & PSR_MODE) << (8 * op);
				handler |= (trap.cpsr & PSR_MODE) << (8 * op);
			}
			after |= (c & PSR_MODE) << (8 * op);
			want_handler |= (uint32_t)vector_mode[op_vec[op]] << (8 * op);
		}
		check_eq(str_cat(modes[i].name, ": handler modes (und, svc, dabt, bkpt)"), handler,
			 want_handler);
		check_eq(str_cat(modes[i].name, ": SPSR.M"), spsr_m, m * 0x01010101u);
		check_eq(str_cat(modes[i].name, ": mode after return"), after, m * 0x01010101u);
	}
}

static void test_returns(void)
{
	static const char *const names[4] = { "LDM ^", "SUBS PC, LR", "RFE", "MOVS PC, LR" };
	uint32_t out[2];

	check_group("exception returns");
	for (unsigned m = 0; m < 4; m++) {
		uint32_t flags = 0x10000000u << m, cpsr;

		trap_expect();
		trap.ret_method = m;
		cpsr = arm_svc(flags, 0);
		trap_done();
		check_bits(str_cat(names[m], ": back in SVC with flags"), cpsr, 0xf80001ffu,
			   flags | (base_cpsr & 0x1ffu));
		trap_expect();
		trap.ret_method = m;
		trap.set_mode = MODE_SYS;
		cpsr = arm_svc_to_sys(0xf0000000u, 0);
		trap_done();
		check_bits(str_cat(names[m], ": to System mode"), cpsr, 0xf80001ffu,
			   0xf0000000u | (base_cpsr & 0x1c0u) | MODE_SYS);
	}

	rfe_test(0x60000000u | (base_cpsr & 0x1c0u) | MODE_SYS, out);
	check_bits("RFEIA r4! to System mode: CPSR", out[0], 0xf80001ffu,
		   0x60000000u | (base_cpsr & 0x1c0u) | MODE_SYS);
	check_eq("RFEIA r4!: base written back", out[1], 8);
	check_eq("RFEIA to Thumb state", rfe_thumb_test((base_cpsr & 0x1dfu) | PSR_T), 0x5a);

	check_eq("SRSDB sp!, #SYS: SP", srs_test(SCRATCH_PA + 0x100, 0x12345678u, 0x800001d3u, 0),
		 SCRATCH_PA + 0xf8);
	check_eq("SRSDB: LR stored", rd32(SCRATCH_PA + 0xf8), 0x12345678u);
	check_eq("SRSDB: SPSR stored", rd32(SCRATCH_PA + 0xfc), 0x800001d3u);
	check_eq("SRSIA sp!, #SYS: SP", srs_test(SCRATCH_PA + 0x200, 0x9abcdef0u, 0x400001dfu, 1),
		 SCRATCH_PA + 0x208);
	check_eq("SRSIA: LR stored", rd32(SCRATCH_PA + 0x200), 0x9abcdef0u);
	check_eq("SRSIA: SPSR stored", rd32(SCRATCH_PA + 0x204), 0x400001dfu);
}

static struct l1_table vec_l1;

static void svc_table(const char *what, uint32_t want)
{
	run_snippet(arm_svc, 0, 0);
	check_eq(str_cat(what, ": SVC through vector table"), trap.count == 1 ? trap.table : 0xee,
		 want);
}

static void test_vectors(void)
{
	uint32_t page = SCRATCH_PA + 0x100000u;	/* backs VA 0xfff00000 */

	check_group("VBAR and high vectors");
	vbar_write((uint32_t)vectors_alt);
	isb();
	check_eq("VBAR reads back", vbar_read(), (uint32_t)vectors_alt);
	svc_table("VBAR = vectors_alt", 1);
	run_snippet(arm_udf, 0, 0);
	check_eq("VBAR = vectors_alt: UDF through vector table", trap.table, 1);
	check_eq("VBAR = vectors_alt: UDF vector", trap.vector, VEC_UND);
	vbar_write((uint32_t)vectors_main);
	isb();
	svc_table("VBAR = vectors_main", 0);

	memcpy((void *)(page + 0xf0000u), vectors_high, sizeof(vectors_high));
	sync_icache();
	pt_identity(&vec_l1);
	pt_section(&vec_l1, 0xfff00000u, page, (struct pt_attr){ .ap = 1 });
	mmu_on(&vec_l1);
	sctlr_write(sctlr_read() | SCTLR_V);
	isb();
	check_bits("SCTLR.V set", sctlr_read(), SCTLR_V, SCTLR_V);
	svc_table("SCTLR.V = 1", 2);
	run_snippet(arm_udf, 0, 0);
	check_eq("SCTLR.V = 1: UDF through vector table", trap.table, 2);
	run_snippet(arm_ldr, 0, NOTHING_PA);
	check_eq("SCTLR.V = 1: data abort through vector table", trap.table, 2);
	check_eq("SCTLR.V = 1: data abort vector", trap.vector, VEC_DABT);
	check_eq("SCTLR.V = 1: data abort LR", trap.lr, ADDR(arm_ldr_insn) + 8);
	vbar_write((uint32_t)vectors_alt);
	isb();
	svc_table("SCTLR.V = 1 ignores VBAR", 2);
	sctlr_write(sctlr_read() & ~SCTLR_V);
	isb();
	svc_table("SCTLR.V = 0 uses VBAR again", 1);
	vbar_write((uint32_t)vectors_main);
	isb();
	mmu_off();

	/* SCTLR.TE: exceptions are taken in Thumb state. */
	vbar_write((uint32_t)vectors_thumb);
	sctlr_write(sctlr_read() | SCTLR_TE);
	isb();
	check_bits("SCTLR.TE set", sctlr_read(), SCTLR_TE, SCTLR_TE);
	svc_table("SCTLR.TE = 1, Thumb vectors", 3);
	run_snippet(thumb_udf, 0, 0);
	check_eq("SCTLR.TE = 1: Thumb UDF through vector table", trap.table, 3);
	check_eq("SCTLR.TE = 1: Thumb UDF LR", trap.lr, ADDR(thumb_udf_insn) + 2);
	sctlr_write(sctlr_read() & ~SCTLR_TE);
	vbar_write((uint32_t)vectors_main);
	isb();
	svc_table("SCTLR.TE = 0 again", 0);
}

static void test_msr_state_bits(void)
{
	uint32_t r;

	check_group("MSR cannot change execution state");
	trap_expect();
	trap.resume = ADDR(msr_t_resume);
	r = msr_t_test(SCRATCH_PA);
	trap_done();
	check_eq("MSR CPSR_fsxc ignores T and IT (still ARM)", r, 1);
}

void test_main(void)
{
	print_str("exceptions: exception entry and return\n");
#ifndef GUEST_QEMU
	check_eq("test device ID", rd32(TESTDEV_BASE + TESTDEV_ID), TESTDEV_MAGIC);
#endif
	/* Nothing can interrupt (no interrupt controller): unmask A, I, F so
	 * that what each exception masks is visible. */
	__asm__ volatile("cpsie aif" : : : "memory");
	base_cpsr = cpsr_read() & ~(PSR_NZCV | (1u << 27) | PSR_GE);
	note("MIDR", midr_read());
	note("CPSR", base_cpsr);
	test_undef();
	test_svc();
	test_bkpt();
	test_aborts();
	test_it_state();
	test_user_cp15();
	test_mode_entry();
	test_banks();
	test_from_every_mode();
	test_returns();
	test_vectors();
	test_msr_state_bits();
	__asm__ volatile("cpsid aif" : : : "memory");
}
