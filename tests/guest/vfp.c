/* vfp.c — VFPv4-D32 (ARM ARM A2.7, B1.11.?: CPACR, FPEXC; A8 VFP
 * instructions): access control (CPACR, FPEXC.EN, PL0), the system
 * registers, bit-exact arithmetic with the cumulative flags, rounding
 * modes, flush-to-zero and default NaN, NaN propagation, fused
 * multiply-add, compares, integer/fixed/half conversions, and the
 * load/store-multiple forms over all 32 double registers.
 *
 * The C code never uses VFP registers (-mgeneral-regs-only): every VFP
 * instruction is in asm with its registers named, values go in and out
 * as bit patterns in core registers. */
#include "guest.h"

extern uint32_t v_vmrs_fpexc(void), v_vmrs_fpscr(void), v_vmrs_fpsid(void),
	v_vmrs_mvfr0(void), v_vmrs_mvfr1(void);
extern void v_vmsr_fpexc(uint32_t v), v_vadd(void), v_vmov_s0(uint32_t v);
extern uint32_t v_vldr_s3(uint32_t va);
extern void v_vldr_only(uint32_t va);
extern uint32_t u_vmrs_fpscr(uint32_t), u_vmrs_fpexc(uint32_t);
extern void v_load_all(const uint32_t *src), v_store_all(uint32_t *dst),
	v_store_singles(uint32_t *dst);
extern uint32_t *v_stmdb_wb(uint32_t *top);
extern uint64_t v_vldr_neg(const uint32_t *p);
extern void v_push_pop(uint32_t out[10]);

#define FPEXC_EN	(1u << 30)
#define IOC 0x01u
#define DZC 0x02u
#define OFC 0x04u
#define UFC 0x08u
#define IXC 0x10u
#define IDC 0x80u
#define FLAGS 0x9fu
#define RN 0u
#define RP (1u << 22)
#define RM (2u << 22)
#define RZ (3u << 22)
#define FZ (1u << 24)
#define DN (1u << 25)
#define AHP (1u << 26)

/* ---- one instruction on bit patterns ---- */

/* single: s2 = s0 op s1 */
#define F32_2(insn, a, b)                                                           \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\t" insn " s2, s0, s1\n\t" \
				 "vmov %0, s2"                                      \
				 : "=r"(r_) : "r"(a), "r"(b) : "s0", "s1", "s2");   \
		r_;                                                                 \
	})
/* single, accumulating: s2 = s2 op (s0, s1) */
#define F32_3(insn, acc, a, b)                                                      \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\tvmov s2, %3\n\t" insn   \
				 " s2, s0, s1\n\tvmov %0, s2"                       \
				 : "=r"(r_) : "r"(a), "r"(b), "r"(acc)              \
				 : "s0", "s1", "s2");                               \
		r_;                                                                 \
	})
/* single in s0, result in s2 (s2 starts as init: half conversions keep
 * the other half) */
#define S_S(text, a, init)                                                          \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile("vmov s0, %1\n\tvmov s2, %2\n\t" text "\n\tvmov %0, s2" \
				 : "=r"(r_) : "r"(a), "r"(init) : "s0", "s2");      \
		r_;                                                                 \
	})
/* double: d2 = d0 op d1 */
#define F64_2(insn, a, b)                                                           \
	({                                                                          \
		uint64_t r_;                                                        \
		__asm__ volatile("vmov d0, %Q1, %R1\n\tvmov d1, %Q2, %R2\n\t" insn     \
				 " d2, d0, d1\n\tvmov %Q0, %R0, d2"                 \
				 : "=r"(r_) : "r"(a), "r"(b) : "d0", "d1", "d2");   \
		r_;                                                                 \
	})
#define F64_3(insn, acc, a, b)                                                      \
	({                                                                          \
		uint64_t r_;                                                        \
		__asm__ volatile("vmov d0, %Q1, %R1\n\tvmov d1, %Q2, %R2\n\t"          \
				 "vmov d2, %Q3, %R3\n\t" insn " d2, d0, d1\n\t"     \
				 "vmov %Q0, %R0, d2"                                \
				 : "=r"(r_) : "r"(a), "r"(b), "r"(acc)              \
				 : "d0", "d1", "d2");                               \
		r_;                                                                 \
	})
/* double in d0, result in d2 */
#define D_D(text, a)                                                                \
	({                                                                          \
		uint64_t r_;                                                        \
		__asm__ volatile("vmov d0, %Q1, %R1\n\t" text "\n\tvmov %Q0, %R0, d2"  \
				 : "=r"(r_) : "r"(a) : "d0", "d2");                 \
		r_;                                                                 \
	})
/* single in s0, double out in d2 */
#define D_S(text, a)                                                                \
	({                                                                          \
		uint64_t r_;                                                        \
		__asm__ volatile("vmov s0, %1\n\t" text "\n\tvmov %Q0, %R0, d2"        \
				 : "=r"(r_) : "r"(a) : "s0", "d2");                 \
		r_;                                                                 \
	})
/* double in d0, single out in s4 */
#define S_D(text, a)                                                                \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile("vmov d0, %Q1, %R1\n\t" text "\n\tvmov %0, s4"        \
				 : "=r"(r_) : "r"(a) : "d0", "s4");                 \
		r_;                                                                 \
	})

static inline uint32_t fpscr_get(void)
{
	uint32_t v;

	__asm__ volatile("vmrs %0, fpscr" : "=r"(v) : : "memory");
	return v;
}

static inline void fpscr_set(uint32_t v)
{
	__asm__ volatile("vmsr fpscr, %0" : : "r"(v) : "memory");
}

static void flags_are(const char *name, uint32_t want)
{
	check_eq(str_cat(name, ": flags"), fpscr_get() & FLAGS, want);
}

/* ---- access ---- */

/* Run a one-instruction function with the recorder armed: the vector of
 * the exception it took, or 0xff for none. */
static uint32_t trapped(void (*fn)(void))
{
	trap_expect();
	fn();
	return trap_done() ? trap.vector : 0xff;
}

static void vmrs_fpexc(void)
{
	v_vmrs_fpexc();
}

static void vmrs_fpscr(void)
{
	v_vmrs_fpscr();
}

static void vmrs_fpsid(void)
{
	v_vmrs_fpsid();
}

static void vmov_s0(void)
{
	v_vmov_s0(0);
}

static void vldr_only(void)
{
	v_vldr_only(SCRATCH_PA);
}

static void test_access(void)
{
	uint32_t v;

	check_group("enabling the VFP");
	check_bits("CPACR cp10/cp11 off at reset", cpacr_read(), 0x00f00000u, 0);
	check_eq("CPACR off: VMRS FPEXC is UNDEFINED", trapped(vmrs_fpexc), VEC_UND);
	check_eq("CPACR off: VMRS FPSID is UNDEFINED", trapped(vmrs_fpsid), VEC_UND);
	check_eq("CPACR off: VADD is UNDEFINED", trapped(v_vadd), VEC_UND);
	check_eq("... LR", trap.lr, (uint32_t)v_vadd + 4);
	check_eq("CPACR off: VMOV s0, r0 is UNDEFINED", trapped(vmov_s0), VEC_UND);

	cpacr_write(0x00f00000u);
	isb();
	check_bits("CPACR cp10/cp11 full access", cpacr_read(), 0x00f00000u, 0x00f00000u);
	check_eq("FPEXC.EN = 0: VMRS FPEXC works", trapped(vmrs_fpexc), 0xff);
	check_bits("FPEXC.EN = 0 at reset", v_vmrs_fpexc(), FPEXC_EN, 0);
	check_eq("FPEXC.EN = 0: VMRS FPSID works", trapped(vmrs_fpsid), 0xff);
	note("FPSID", v_vmrs_fpsid());
	v = v_vmrs_mvfr0();
	note("MVFR0", v);
	note("MVFR1", v_vmrs_mvfr1());
	check_bits("MVFR0: 32 double registers, single and double precision", v, 0xfffu, 0x222u);
	check_bits("MVFR0: divide, square root, all rounding modes", v, 0xf0ff0000u, 0x10110000u);
	check_eq("FPEXC.EN = 0: VADD is UNDEFINED", trapped(v_vadd), VEC_UND);
	check_eq("FPEXC.EN = 0: VMRS FPSCR is UNDEFINED", trapped(vmrs_fpscr), VEC_UND);
	check_eq("FPEXC.EN = 0: VLDR is UNDEFINED", trapped(vldr_only), VEC_UND);

	v_vmsr_fpexc(FPEXC_EN);
	check_eq("FPEXC.EN set", v_vmrs_fpexc(), FPEXC_EN);
	check_eq("enabled: VADD works", trapped(v_vadd), 0xff);
	fpscr_set(0);

	/* User mode: CPACR 01 is PL1 only, 11 full; FPEXC is PL1 only. */
	cpacr_write(0x00500000u);
	isb();
	trap_expect();
	run_user(u_vmrs_fpscr, 0);
	trap_done();
	check_eq("CPACR 01: User VMRS FPSCR is UNDEFINED", trap.count ? trap.vector : 0xff, VEC_UND);
	check_eq("... from User mode", trap.spsr & PSR_MODE, MODE_USR);
	cpacr_write(0x00f00000u);
	isb();
	fpscr_set(RZ);
	trap_expect();
	v = run_user(u_vmrs_fpscr, 0);
	check_eq("CPACR 11: User VMRS FPSCR", trap_done() ? 0xee000000u : v, RZ);
	trap_expect();
	run_user(u_vmrs_fpexc, 0);
	trap_done();
	check_eq("User VMRS FPEXC is UNDEFINED", trap.count ? trap.vector : 0xff, VEC_UND);
	fpscr_set(0);
}

/* ---- system registers ---- */

static void test_fpscr(void)
{
	uint32_t cpsr, all = 0xf0000000u | AHP | DN | FZ | RZ | FLAGS;

	check_group("FPSCR");
	fpscr_set(all);
	check_eq("NZCV, AHP, DN, FZ, RMode, flags read back", fpscr_get(), all);
	fpscr_set(0x00009f00u);
	check_eq("trap enables are RAZ/WI (no trapping)", fpscr_get(), 0);
	fpscr_set(0x60000000u);
	__asm__ volatile("vmrs APSR_nzcv, fpscr\n\tmrs %0, cpsr" : "=r"(cpsr) : : "cc");
	check_bits("VMRS APSR_nzcv, FPSCR", cpsr, 0xf0000000u, 0x60000000u);
	fpscr_set(0);
}

/* ---- arithmetic ---- */

static void test_arith(void)
{
	uint64_t d;

	check_group("arithmetic (round to nearest)");
	fpscr_set(RN);
	check_eq("VADD.F32 1.5 + 2.25", F32_2("vadd.f32", 0x3fc00000u, 0x40100000u), 0x40700000u);
	flags_are("VADD.F32 exact", 0);
	check_eq("VMUL.F32 3 * -0.5", F32_2("vmul.f32", 0x40400000u, 0xbf000000u), 0xbfc00000u);
	check_eq("VNMUL.F32 2 * 3", F32_2("vnmul.f32", 0x40000000u, 0x40400000u), 0xc0c00000u);
	check_eq("VDIV.F32 1 / 3", F32_2("vdiv.f32", 0x3f800000u, 0x40400000u), 0x3eaaaaabu);
	flags_are("VDIV.F32 1 / 3", IXC);
	fpscr_set(RN);
	check_eq64("VDIV.F64 1 / 3", F64_2("vdiv.f64", 0x3ff0000000000000ull, 0x4008000000000000ull),
		   0x3fd5555555555555ull);
	check_eq64("VADD.F64 0.1 + 0.2", F64_2("vadd.f64", 0x3fb999999999999aull, 0x3fc999999999999aull),
		   0x3fd3333333333334ull);
	fpscr_set(RN);
	check_eq64("VSUB.F64 1 - 2^-53 (exact)",
		   F64_2("vsub.f64", 0x3ff0000000000000ull, 0x3ca0000000000000ull),
		   0x3fefffffffffffffull);
	flags_are("VSUB.F64 exact", 0);
	check_eq("VSQRT.F32 2", S_S("vsqrt.f32 s2, s0", 0x40000000u, 0), 0x3fb504f3u);
	check_eq64("VSQRT.F64 2", D_D("vsqrt.f64 d2, d0", 0x4000000000000000ull),
		   0x3ff6a09e667f3bcdull);
	check_eq("VABS.F32 -0", S_S("vabs.f32 s2, s0", 0x80000000u, 0), 0);
	check_eq("VNEG.F32 of a NaN only flips the sign", S_S("vneg.f32 s2, s0", 0x7fc00001u, 0),
		   0xffc00001u);

	/* Fused: (1 + 2^-23)^2 - (1 + 2^-22) = 2^-46 exactly; VMLA rounds
	 * the product first and gets 0. */
	fpscr_set(RN);
	check_eq("VFMA.F32 (fused)", F32_3("vfma.f32", 0xbf800002u, 0x3f800001u, 0x3f800001u),
		 0x28800000u);
	check_eq("VMLA.F32 (not fused)", F32_3("vmla.f32", 0xbf800002u, 0x3f800001u, 0x3f800001u),
		 0);
	check_eq64("VFMA.F64 (fused)",
		   F64_3("vfma.f64", 0xbff0000000000002ull, 0x3ff0000000000001ull,
			 0x3ff0000000000001ull),
		   0x3970000000000000ull);
	check_eq("VFMS.F32: 1 - 2 * 3", F32_3("vfms.f32", 0x3f800000u, 0x40000000u, 0x40400000u),
		 0xc0a00000u);
	check_eq("VMLS.F32: 1 - 2 * 3", F32_3("vmls.f32", 0x3f800000u, 0x40000000u, 0x40400000u),
		 0xc0a00000u);

	check_group("exceptions and special values");
	fpscr_set(RN);
	check_eq("1 / 0", F32_2("vdiv.f32", 0x3f800000u, 0), 0x7f800000u);
	flags_are("1 / 0", DZC);
	fpscr_set(RN);
	check_eq("0 / 0: default NaN", F32_2("vdiv.f32", 0, 0), 0x7fc00000u);
	flags_are("0 / 0", IOC);
	fpscr_set(RN);
	check_eq("sqrt(-1): default NaN", S_S("vsqrt.f32 s2, s0", 0xbf800000u, 0), 0x7fc00000u);
	flags_are("sqrt(-1)", IOC);
	fpscr_set(RN);
	check_eq("FLT_MAX * 2: +inf", F32_2("vmul.f32", 0x7f7fffffu, 0x40000000u), 0x7f800000u);
	flags_are("FLT_MAX * 2", OFC | IXC);
	fpscr_set(RZ);
	check_eq("FLT_MAX * 2, round to zero: FLT_MAX", F32_2("vmul.f32", 0x7f7fffffu, 0x40000000u),
		 0x7f7fffffu);
	flags_are("FLT_MAX * 2, round to zero", OFC | IXC);
	fpscr_set(RN);
	check_eq("2^-100 * 2^-100: +0", F32_2("vmul.f32", 0x0d800000u, 0x0d800000u), 0);
	flags_are("2^-100 * 2^-100", UFC | IXC);
	fpscr_set(RN);
	check_eq("2^-126 * 0.5: exact subnormal", F32_2("vmul.f32", 0x00800000u, 0x3f000000u),
		 0x00400000u);
	flags_are("exact subnormal", 0);
	fpscr_set(RN | FZ);
	check_eq("FZ: 2^-126 * 0.5 flushed to +0", F32_2("vmul.f32", 0x00800000u, 0x3f000000u), 0);
	flags_are("FZ: flushed result", UFC);
	fpscr_set(RN | FZ);
	check_eq("FZ: subnormal input + 0", F32_2("vadd.f32", 0x00000001u, 0), 0);
	flags_are("FZ: subnormal input", IDC);
	fpscr_set(RN);
	check_eq("no FZ: subnormal input + 0", F32_2("vadd.f32", 0x00000001u, 0), 1);
	flags_are("no FZ: subnormal input", 0);

	fpscr_set(RN);
	check_eq("qNaN + 1 keeps the payload", F32_2("vadd.f32", 0x7fc01234u, 0x3f800000u),
		 0x7fc01234u);
	flags_are("qNaN + 1", 0);
	fpscr_set(RN);
	check_eq("sNaN + 1 is quieted", F32_2("vadd.f32", 0x7f801234u, 0x3f800000u), 0x7fc01234u);
	flags_are("sNaN + 1", IOC);
	fpscr_set(RN);
	check_eq("qNaN + sNaN: the sNaN wins", F32_2("vadd.f32", 0x7fc00001u, 0x7f800002u),
		 0x7fc00002u);
	flags_are("qNaN + sNaN", IOC);
	fpscr_set(RN);
	check_eq64("double qNaN * 2 keeps the payload",
		   F64_2("vmul.f64", 0xfff8000000000abcull, 0x4000000000000000ull),
		   0xfff8000000000abcull);
	fpscr_set(RN | DN);
	check_eq("DN: qNaN + 1 is the default NaN", F32_2("vadd.f32", 0x7fc01234u, 0x3f800000u),
		 0x7fc00000u);
	flags_are("DN: qNaN + 1", 0);

	check_group("rounding modes (FPSCR.RMode)");
	static const struct {
		const char *name;
		uint32_t mode, pos, neg;
		uint64_t dpos;
	} modes[] = {
		{ "RN", RN, 0x3eaaaaabu, 0xbeaaaaabu, 0x3fd5555555555555ull },
		{ "RP", RP, 0x3eaaaaabu, 0xbeaaaaaau, 0x3fd5555555555556ull },
		{ "RM", RM, 0x3eaaaaaau, 0xbeaaaaabu, 0x3fd5555555555555ull },
		{ "RZ", RZ, 0x3eaaaaaau, 0xbeaaaaaau, 0x3fd5555555555555ull },
	};
	for (unsigned i = 0; i < 4; i++) {
		fpscr_set(modes[i].mode);
		check_eq(str_cat(modes[i].name, ": 1 / 3"), F32_2("vdiv.f32", 0x3f800000u, 0x40400000u),
			 modes[i].pos);
		check_eq(str_cat(modes[i].name, ": -1 / 3"), F32_2("vdiv.f32", 0xbf800000u, 0x40400000u),
			 modes[i].neg);
		d = F64_2("vdiv.f64", 0x3ff0000000000000ull, 0x4008000000000000ull);
		check_eq64(str_cat(modes[i].name, ": 1 / 3 double"), d, modes[i].dpos);
		check_bits(str_cat(modes[i].name, ": FPSCR keeps RMode"), fpscr_get(), RZ, modes[i].mode);
	}
	fpscr_set(RN);
}

/* ---- compares ---- */

static uint32_t vcmp(const char *insn_is_e, uint32_t a, uint32_t b)
{
	uint32_t f;

	fpscr_set(RN);
	if (insn_is_e)
		__asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\tvcmpe.f32 s0, s1\n\tvmrs %0, fpscr"
				 : "=r"(f) : "r"(a), "r"(b) : "s0", "s1");
	else
		__asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\tvcmp.f32 s0, s1\n\tvmrs %0, fpscr"
				 : "=r"(f) : "r"(a), "r"(b) : "s0", "s1");
	return f >> 28 | (f & FLAGS) << 4;	/* NZCV, then the flags */
}

static void test_compare(void)
{
	uint32_t f;

	check_group("compares (NZCV | flags << 4)");
	check_eq("VCMP 1 < 2", vcmp(NULL, 0x3f800000u, 0x40000000u), 0x8);
	check_eq("VCMP 2 == 2", vcmp(NULL, 0x40000000u, 0x40000000u), 0x6);
	check_eq("VCMP 2 > 1", vcmp(NULL, 0x40000000u, 0x3f800000u), 0x2);
	check_eq("VCMP -0 == +0", vcmp(NULL, 0x80000000u, 0), 0x6);
	check_eq("VCMP qNaN: unordered, no IOC", vcmp(NULL, 0x7fc00000u, 0x3f800000u), 0x3);
	check_eq("VCMPE qNaN: unordered, IOC", vcmp("e", 0x7fc00000u, 0x3f800000u), 0x3 | IOC << 4);
	check_eq("VCMP sNaN: unordered, IOC", vcmp(NULL, 0x7f800001u, 0x3f800000u), 0x3 | IOC << 4);
	fpscr_set(RN);
	__asm__ volatile("vmov s0, %1\n\tvcmp.f32 s0, #0\n\tvmrs %0, fpscr"
			 : "=r"(f) : "r"(0xbf800000u) : "s0");
	check_eq("VCMP -1, #0", f >> 28, 0x8);
	fpscr_set(RN);
	__asm__ volatile("vmov d0, %Q1, %R1\n\tvmov d1, %Q1, %R1\n\tvcmp.f64 d0, d1\n\t"
			 "vmrs APSR_nzcv, fpscr\n\tmrs %0, cpsr"
			 : "=r"(f) : "r"(0x4000000000000000ull) : "d0", "d1", "cc");
	check_eq("VCMP.F64 equal, to APSR", f >> 28, 0x6);
	fpscr_set(RN);
}

/* ---- conversions ---- */

static void test_convert(void)
{
	check_group("conversions");
	fpscr_set(RN);
	check_eq("VCVT.S32.F32 -2.5 (toward zero)", S_S("vcvt.s32.f32 s2, s0", 0xc0200000u, 0),
		 0xfffffffeu);
	flags_are("VCVT.S32.F32 -2.5", IXC);
	check_eq("VCVTR.S32.F32 2.5 (RN: even)", S_S("vcvtr.s32.f32 s2, s0", 0x40200000u, 0), 2);
	check_eq("VCVTR.S32.F32 3.5 (RN: even)", S_S("vcvtr.s32.f32 s2, s0", 0x40600000u, 0), 4);
	fpscr_set(RM);
	check_eq("VCVTR.S32.F32 -2.5 (RM)", S_S("vcvtr.s32.f32 s2, s0", 0xc0200000u, 0),
		 0xfffffffdu);
	fpscr_set(RN);
	check_eq("VCVT.U32.F32 -1: 0", S_S("vcvt.u32.f32 s2, s0", 0xbf800000u, 0), 0);
	flags_are("VCVT.U32.F32 -1", IOC);
	fpscr_set(RN);
	check_eq("VCVT.U32.F32 1e10: saturates", S_S("vcvt.u32.f32 s2, s0", 0x501502f9u, 0),
		 0xffffffffu);
	flags_are("VCVT.U32.F32 1e10", IOC);
	fpscr_set(RN);
	check_eq("VCVT.S32.F32 NaN: 0", S_S("vcvt.s32.f32 s2, s0", 0x7fc00000u, 0), 0);
	flags_are("VCVT.S32.F32 NaN", IOC);
	fpscr_set(RN);
	check_eq("VCVT.S32.F64 2^31: saturates", S_D("vcvt.s32.f64 s4, d0", 0x41e0000000000000ull),
		 0x7fffffffu);
	flags_are("VCVT.S32.F64 2^31", IOC);
	fpscr_set(RN);
	check_eq("VCVT.F32.S32 16777217", S_S("vcvt.f32.s32 s2, s0", 16777217u, 0), 0x4b800000u);
	flags_are("VCVT.F32.S32 16777217", IXC);
	check_eq("VCVT.F32.S32 -1", S_S("vcvt.f32.s32 s2, s0", 0xffffffffu, 0), 0xbf800000u);
	check_eq("VCVT.F32.U32 0xffffffff", S_S("vcvt.f32.u32 s2, s0", 0xffffffffu, 0),
		 0x4f800000u);
	check_eq64("VCVT.F64.S32 -7", D_S("vcvt.f64.s32 d2, s0", 0xfffffff9u),
		   0xc01c000000000000ull);
	fpscr_set(RN);
	check_eq64("VCVT.F64.F32 1.5", D_S("vcvt.f64.f32 d2, s0", 0x3fc00000u),
		   0x3ff8000000000000ull);
	check_eq64("VCVT.F64.F32 sNaN: quieted, payload kept", D_S("vcvt.f64.f32 d2, s0", 0x7f800001u),
		   0x7ff8000020000000ull);
	flags_are("VCVT.F64.F32 sNaN", IOC);
	fpscr_set(RN);
	check_eq("VCVT.F32.F64 1/3", S_D("vcvt.f32.f64 s4, d0", 0x3fd5555555555555ull), 0x3eaaaaabu);
	flags_are("VCVT.F32.F64 1/3", IXC);
	fpscr_set(RN);
	check_eq("VCVT.S32.F32 #16 (to fixed) 1.5", S_S("vmov s2, s0\n\tvcvt.s32.f32 s2, s2, #16",
							   0x3fc00000u, 0),
		 0x00018000u);
	check_eq("VCVT.F32.S32 #16 (from fixed)", S_S("vmov s2, s0\n\tvcvt.f32.s32 s2, s2, #16",
						      0x00018000u, 0),
		 0x3fc00000u);
	check_eq("VCVT.U16.F32 #8 (to fixed) 2.5", S_S("vmov s2, s0\n\tvcvt.u16.f32 s2, s2, #8",
							 0x40200000u, 0),
		 0x00000280u);
	check_eq("VCVTB.F16.F32 1.0 (keeps the top half)", S_S("vcvtb.f16.f32 s2, s0", 0x3f800000u,
								0xdead0000u),
		 0xdead3c00u);
	check_eq("VCVTT.F16.F32 1/3 (keeps the bottom half)",
		 S_S("vcvtt.f16.f32 s2, s0", 0x3eaaaaabu, 0x0000beefu), 0x3555beefu);
	check_eq("VCVTB.F32.F16 -2.0", S_S("vcvtb.f32.f16 s2, s0", 0x0000c000u, 0), 0xc0000000u);
	check_eq("VCVTT.F32.F16 65504", S_S("vcvtt.f32.f16 s2, s0", 0x7bff0000u, 0), 0x477fe000u);
	fpscr_set(RN);
	check_eq("VCVTB.F16.F32 1e6: +inf (IEEE half)", S_S("vcvtb.f16.f32 s2, s0", 0x49742400u, 0),
		 0x7c00u);
	flags_are("VCVTB.F16.F32 1e6", OFC | IXC);
	check_eq("VMOV.F32 #1.0", S_S("vmov.f32 s2, #1.0", 0, 0), 0x3f800000u);
	check_eq64("VMOV.F64 #-2.5", D_D("vmov.f64 d2, #-2.5", 0), 0xc004000000000000ull);
	fpscr_set(RN);
}

/* ---- loads and stores ---- */

static uint32_t src[64], dst[64], single[32], stk[16], pp[10];

static void test_ldst(void)
{
	uint32_t *p, bad = 0;
	uint64_t d;

	check_group("VLDM, VSTM, VLDR, VPUSH, VPOP over d0-d31");
	for (unsigned i = 0; i < 64; i++) {
		src[i] = 0x01010101u * i ^ 0xc0000000u;
		dst[i] = 0;
	}
	v_load_all(src);
	v_store_all(dst);
	for (unsigned i = 0; i < 64; i++)
		bad += dst[i] != src[i];
	check_eq("VLDMIA/VSTMIA d0-d31: words differing", bad, 0);
	v_store_singles(single);
	bad = 0;
	for (unsigned i = 0; i < 32; i++)
		bad += single[i] != src[i];
	check_eq("s0-s31 are the halves of d0-d15: words differing", bad, 0);
	for (unsigned i = 0; i < 16; i++)
		stk[i] = 0;
	p = v_stmdb_wb(stk + 16);
	check_eq("VSTMDB r0!, {d4-d7}: base written back", (uint32_t)p, (uint32_t)(stk + 8));
	bad = 0;
	for (unsigned i = 0; i < 8; i++)
		bad += stk[8 + i] != src[8 + i];
	check_eq("VSTMDB: words differing", bad, 0);
	d = v_vldr_neg(src + 12);
	check_eq64("VLDR d5, [r0, #-8]", d, (uint64_t)src[11] << 32 | src[10]);
	v_push_pop(pp);
	check_eq("VPUSH {d8-d9}: bytes pushed", pp[4], 16);
	check_true("VPUSH: d8, d9 on the stack in order",
		   pp[0] == 1 && pp[1] == 2 && pp[2] == 3 && pp[3] == 4);
	check_true("VPOP {d10-d11}: values", pp[5] == 1 && pp[6] == 2 && pp[7] == 3 && pp[8] == 4);
	check_eq("VPOP: stack balanced", pp[9], 0);
	wr32(SCRATCH_PA + 0x10, 0x3f800000u);
	check_eq("VLDR aligned", v_vldr_s3(SCRATCH_PA + 0x10), 0x3f800000u);
	trap_expect();
	v_vldr_s3(SCRATCH_PA + 0x12);
	trap_done();
	check_eq("VLDR at +2: alignment fault", trap.count ? trap.dfsr & 0xc0fu : 0xee, 0x001);
	check_eq("VLDR at +2: DFAR", trap.dfar, SCRATCH_PA + 0x12);
}

/* The handler must not disturb VFP state: take an exception with every
 * register loaded and compare. */
static void test_preserved(void)
{
	uint32_t bad = 0, fpscr;

	check_group("VFP state across an exception");
	v_load_all(src);
	fpscr_set(RZ | IXC);
	trap_expect();
	__asm__ volatile("udf #7" : : : "memory");
	trap_done();
	fpscr = fpscr_get();
	v_store_all(dst);
	for (unsigned i = 0; i < 64; i++)
		bad += dst[i] != src[i];
	check_eq("d0-d31 after an UNDEF: words differing", bad, 0);
	check_eq("FPSCR after an UNDEF", fpscr, RZ | IXC);
	fpscr_set(0);
}

void test_main(void)
{
	print_str("vfp: VFPv4-D32\n");
	test_access();
	test_fpscr();
	test_arith();
	test_compare();
	test_convert();
	test_ldst();
	test_preserved();
	v_vmsr_fpexc(0);
	cpacr_write(0);
	isb();
}
