/* test_vfp.c — the VFP unit (translate/vfp.c, translate/fparith.c): one
 * instruction at a time, with expected bit patterns computed by hand from
 * the ARM ARM pseudocode. Encodings come from GNU as (the comment next to
 * each is its disassembly). Loads and stores run on a real shadow engine
 * (soft MMU, MMU off: VA = PA). */
#include <criterion/criterion.h>
#include <string.h>

#include "translate/cpu.h"
#include "translate/fparith.h"
#include "translate/vfp.h"

#define RAM_BASE 0x10000u
#define RAM_SIZE (1u << 20)

#define ONE	0x3f800000u	/* 1.0f */
#define TWO	0x40000000u	/* 2.0f */
#define QNAN	0x7fc00000u	/* the default NaN */
#define RN	(0u << FPSCR_RMODE_SHIFT)
#define RP	(1u << FPSCR_RMODE_SHIFT)
#define RM	(2u << FPSCR_RMODE_SHIFT)
#define RZ	(3u << FPSCR_RMODE_SHIFT)

struct env {
	struct physmem pm;
	struct shadow_vm *vm;
	struct arm_cpu cpu;
	sigjmp_buf jb;
};

/* Criterion runs each test in its own process: one static env each. */
static struct env e;

static void setup_mem(void)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_SOFT, .ncpus = 1 };

	cr_assert_eq(physmem_init(&e.pm), 0);
	cr_assert_eq(physmem_add_ram(&e.pm, RAM_BASE, RAM_SIZE), 0);
	cr_assert_eq(shadow_vm_create(&e.pm, &cfg, &e.vm), 0);
	memset(&e.cpu, 0, sizeof(e.cpu));
	e.cpu.mmu = shadow_vm_cpu(e.vm, 0);
	cr_assert_eq(shadow_cpu_attach(e.cpu.mmu), 0);
	e.cpu.mmu->recover = &e.jb;
	arm_cpu_reset(&e.cpu);
	e.cpu.cpacr = 0x00f00000u;	/* cp10, cp11: full access */
	e.cpu.fpexc = FPEXC_EN;
}

/* Arithmetic needs no memory. */
static struct arm_cpu *fresh(uint32_t fpscr)
{
	memset(&e.cpu, 0, sizeof(e.cpu));
	e.cpu.cpsr_ctl = ARM_MODE_SVC;
	e.cpu.cpacr = 0x00f00000u;
	e.cpu.fpexc = FPEXC_EN;
	e.cpu.fpscr = fpscr;
	return &e.cpu;
}

static enum arm_exit run(struct arm_cpu *cpu, uint32_t raw)
{
	struct vfp_insn in;

	cr_assert_eq(vfp_decode(raw, &in), 0, "%08x does not decode", raw);
	return vfp_execute(cpu, &in);
}

static uint32_t s(const struct arm_cpu *cpu, unsigned i)
{
	return (uint32_t)(cpu->d[i / 2] >> (32 * (i % 2)));
}

static void set_s(struct arm_cpu *cpu, unsigned i, uint32_t v)
{
	unsigned sh = 32 * (i % 2);

	cpu->d[i / 2] = (cpu->d[i / 2] & ~(0xffffffffull << sh)) | (uint64_t)v << sh;
}

/* Run a two-operand single-precision op: s2 = op(s0, s1). */
static uint32_t op2(uint32_t raw, uint32_t fpscr, uint32_t a, uint32_t b, uint32_t *flags)
{
	struct arm_cpu *cpu = fresh(fpscr);

	set_s(cpu, 0, a);
	set_s(cpu, 1, b);
	cr_assert_eq(run(cpu, raw), ARM_EXIT_NONE);
	*flags = cpu->fpscr & FPSCR_CUMULATIVE;
	return s(cpu, 2);
}

#define VADD_S	0xee301a20u	/* vadd.f32 s2, s0, s1 */
#define VMUL_S	0xee201a20u	/* vmul.f32 s2, s0, s1 */
#define VMLA_S	0xee001a20u	/* vmla.f32 s2, s0, s1 */
#define VFMA_S	0xeea01a20u	/* vfma.f32 s2, s0, s1 */
#define VDIV_S	0xee801a20u	/* vdiv.f32 s2, s0, s1 */

/* ---- rounding ---- */

Test(vfp, add_rounding_modes)
{
	const uint32_t a = ONE, b = 0x33c00000u;	/* 1 + 0.75 ulp(1) */
	const struct { uint32_t mode, pos, neg; } t[] = {
		{ RN, 0x3f800001u, 0xbf800001u },
		{ RP, 0x3f800001u, 0xbf800000u },
		{ RM, 0x3f800000u, 0xbf800001u },
		{ RZ, 0x3f800000u, 0xbf800000u },
	};
	uint32_t fl;

	for (unsigned i = 0; i < 4; i++) {
		cr_assert_eq(op2(VADD_S, t[i].mode, a, b, &fl), t[i].pos, "mode %u", i);
		cr_assert_eq(fl, FPSCR_IXC);
		cr_assert_eq(op2(VADD_S, t[i].mode, a | 0x80000000u, b | 0x80000000u, &fl), t[i].neg,
			     "mode %u, negative", i);
		cr_assert_eq(fl, FPSCR_IXC);
	}
	/* Exactly half an ulp: ties go to the even neighbour. */
	cr_assert_eq(op2(VADD_S, RN, ONE, 0x33800000u, &fl), ONE);
	cr_assert_eq(op2(VADD_S, RN, 0x3f800001u, 0x33800000u, &fl), 0x3f800002u);
	/* x + (-x) is +0, except -0 when rounding towards minus infinity. */
	cr_assert_eq(op2(VADD_S, RN, ONE, 0xbf800000u, &fl), 0);
	cr_assert_eq(fl, 0);
	cr_assert_eq(op2(VADD_S, RM, ONE, 0xbf800000u, &fl), 0x80000000u);
}

Test(vfp, mul_rounding_modes)
{
	/* (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 */
	const uint32_t want[4] = { 0x3f800002u, 0x3f800003u, 0x3f800002u, 0x3f800002u };
	uint32_t fl;

	for (unsigned m = 0; m < 4; m++) {
		cr_assert_eq(op2(VMUL_S, m << FPSCR_RMODE_SHIFT, 0x3f800001u, 0x3f800001u, &fl), want[m],
			     "mode %u", m);
		cr_assert_eq(fl, FPSCR_IXC);
	}
	/* Overflow: infinity, or the largest normal where the mode rounds
	 * away from it. */
	cr_assert_eq(op2(VMUL_S, RN, 0x7f000000u, TWO, &fl), 0x7f800000u);
	cr_assert_eq(fl, FPSCR_OFC | FPSCR_IXC);
	cr_assert_eq(op2(VMUL_S, RZ, 0x7f000000u, TWO, &fl), 0x7f7fffffu);
	cr_assert_eq(op2(VMUL_S, RP, 0xff000000u, TWO, &fl), 0xff7fffffu);
}

Test(vfp, double_add)
{
	struct arm_cpu *cpu = fresh(RN);

	cpu->d[0] = 0x3ff0000000000000ull;	/* 1.0 */
	cpu->d[1] = 0x3ca0000000000000ull;	/* 2^-53: half an ulp */
	cr_assert_eq(run(cpu, 0xee302b01u), ARM_EXIT_NONE);	/* vadd.f64 d2, d0, d1 */
	cr_assert_eq(cpu->d[2], 0x3ff0000000000000ull);
	cr_assert_eq(cpu->fpscr, FPSCR_IXC);
	cpu->fpscr = RP;
	cr_assert_eq(run(cpu, 0xee302b01u), ARM_EXIT_NONE);
	cr_assert_eq(cpu->d[2], 0x3ff0000000000001ull);
}

/* ---- denormals, flush-to-zero, underflow ---- */

Test(vfp, flush_to_zero_inputs)
{
	uint32_t fl;

	/* Without FZ the smallest denormal is an ordinary operand. */
	cr_assert_eq(op2(VMUL_S, RN, 0x00000001u, ONE, &fl), 0x00000001u);
	cr_assert_eq(fl, 0, "an exact denormal result is no underflow");
	/* With FZ it is read as zero (of its sign) and raises Input Denormal. */
	cr_assert_eq(op2(VMUL_S, FPSCR_FZ, 0x00000001u, ONE, &fl), 0);
	cr_assert_eq(fl, FPSCR_IDC);
	cr_assert_eq(op2(VADD_S, FPSCR_FZ, 0x80000001u, 0x80000000u, &fl), 0x80000000u);
	cr_assert_eq(fl, FPSCR_IDC);
}

Test(vfp, flush_to_zero_outputs)
{
	uint32_t fl;

	/* 2^-126 * 0.5 = 2^-127: exact denormal, or +0 with UFC (no IXC). */
	cr_assert_eq(op2(VMUL_S, RN, 0x00800000u, 0x3f000000u, &fl), 0x00400000u);
	cr_assert_eq(fl, 0);
	cr_assert_eq(op2(VMUL_S, FPSCR_FZ, 0x00800000u, 0x3f000000u, &fl), 0);
	cr_assert_eq(fl, FPSCR_UFC);
	/* Inexact denormal: Underflow and Inexact. */
	cr_assert_eq(op2(VMUL_S, RN, 0x00800001u, 0x3f000000u, &fl), 0x00400000u);
	cr_assert_eq(fl, FPSCR_UFC | FPSCR_IXC);
}

Test(vfp, tininess_before_rounding)
{
	uint32_t fl;

	/* (1 - 2^-24) * 2^-126 rounds up to the smallest normal, but was tiny
	 * before rounding: ARMv7 signals Underflow (x86 SSE would not). */
	cr_assert_eq(op2(VMUL_S, RN, 0x3f7fffffu, 0x00800000u, &fl), 0x00800000u);
	cr_assert_eq(fl, FPSCR_UFC | FPSCR_IXC);
	/* Under FZ the same value is flushed: it is below 2^-126 unrounded. */
	cr_assert_eq(op2(VMUL_S, FPSCR_FZ, 0x3f7fffffu, 0x00800000u, &fl), 0);
	cr_assert_eq(fl, FPSCR_UFC);
}

/* ---- NaNs ---- */

Test(vfp, default_nan_mode)
{
	uint32_t fl;

	cr_assert_eq(op2(VADD_S, RN, 0x7fc12345u, ONE, &fl), 0x7fc12345u);
	cr_assert_eq(fl, 0);
	cr_assert_eq(op2(VADD_S, FPSCR_DN, 0x7fc12345u, ONE, &fl), QNAN);
	cr_assert_eq(fl, 0);
	cr_assert_eq(op2(VADD_S, FPSCR_DN, 0xff812345u, ONE, &fl), QNAN);
	cr_assert_eq(fl, FPSCR_IOC);
}

Test(vfp, nan_propagation_order)
{
	uint32_t fl;

	/* A signalling NaN wins over an earlier quiet one (x86 would pick
	 * the first operand), and comes out quietened with IOC. */
	cr_assert_eq(op2(VADD_S, RN, 0x7fc00001u, 0x7f800002u, &fl), 0x7fc00002u);
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(op2(VMUL_S, RN, 0xff800005u, 0x7fc00007u, &fl), 0xffc00005u);
	cr_assert_eq(fl, FPSCR_IOC);
	/* Two quiet NaNs: the first, no exception. */
	cr_assert_eq(op2(VMUL_S, RN, 0x7fc00001u, 0xffc00002u, &fl), 0x7fc00001u);
	cr_assert_eq(fl, 0);
	cr_assert_eq(op2(VADD_S, RN, ONE, 0xffc00002u, &fl), 0xffc00002u);
	/* inf - inf and 0 * inf: default NaN. */
	cr_assert_eq(op2(VADD_S, RN, 0x7f800000u, 0xff800000u, &fl), QNAN);
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(op2(VMUL_S, RN, 0, 0xff800000u, &fl), QNAN);
	cr_assert_eq(fl, FPSCR_IOC);
}

Test(vfp, vnmla_negates_the_nan_product)
{
	struct arm_cpu *cpu = fresh(RN);

	/* VNMLA: -d + -(n * m). The product's NaN is the quiet n, negated. */
	set_s(cpu, 0, 0x7fc00003u);
	set_s(cpu, 1, ONE);
	set_s(cpu, 2, ONE);
	cr_assert_eq(run(cpu, 0xee101a60u), ARM_EXIT_NONE);	/* vnmla.f32 s2, s0, s1 */
	cr_assert_eq(s(cpu, 2), 0xffc00003u);
}

/* ---- compare ---- */

static unsigned cmp(uint32_t raw, uint32_t a, uint32_t b, uint32_t *flags)
{
	struct arm_cpu *cpu = fresh(RN);

	set_s(cpu, 0, a);
	set_s(cpu, 1, b);
	cr_assert_eq(run(cpu, raw), ARM_EXIT_NONE);
	*flags = cpu->fpscr & FPSCR_CUMULATIVE;
	return cpu->fpscr >> FPSCR_NZCV_SHIFT;
}

#define VCMP_S	0xeeb40a60u	/* vcmp.f32 s0, s1 */
#define VCMPE_S	0xeeb40ae0u	/* vcmpe.f32 s0, s1 */
#define VCMPZ_S	0xeeb50a40u	/* vcmp.f32 s0, #0.0 */

Test(vfp, compare_flags)
{
	uint32_t fl;

	cr_assert_eq(cmp(VCMP_S, ONE, TWO, &fl), 0x8, "less: N");
	cr_assert_eq(cmp(VCMP_S, TWO, ONE, &fl), 0x2, "greater: C");
	cr_assert_eq(cmp(VCMP_S, TWO, TWO, &fl), 0x6, "equal: Z C");
	cr_assert_eq(cmp(VCMP_S, 0x80000000u, 0, &fl), 0x6, "-0 == +0");
	cr_assert_eq(cmp(VCMP_S, 0xff800000u, 0xff7fffffu, &fl), 0x8, "-inf < -max");
	cr_assert_eq(cmp(VCMPZ_S, 0x80000001u, 0xdeadbeefu, &fl), 0x8, "with #0: s1 ignored");
	cr_assert_eq(fl, 0);
	/* Unordered: C V. A quiet NaN raises Invalid only for VCMPE. */
	cr_assert_eq(cmp(VCMP_S, ONE, 0x7fc00000u, &fl), 0x3);
	cr_assert_eq(fl, 0);
	cr_assert_eq(cmp(VCMPE_S, ONE, 0x7fc00000u, &fl), 0x3);
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cmp(VCMP_S, 0x7f800001u, ONE, &fl), 0x3);
	cr_assert_eq(fl, FPSCR_IOC, "a signalling NaN always raises Invalid");
}

Test(vfp, vmrs_apsr_nzcv)
{
	struct arm_cpu *cpu = fresh(RN);

	set_s(cpu, 0, ONE);
	set_s(cpu, 1, 0x7fc00000u);
	cr_assert_eq(run(cpu, VCMP_S), ARM_EXIT_NONE);
	cpu->n = 1;
	cpu->z = 1;
	cr_assert_eq(run(cpu, 0xeef1fa10u), ARM_EXIT_NONE);	/* vmrs APSR_nzcv, fpscr */
	cr_assert(cpu->n == 0 && cpu->z == 0 && cpu->c == 1 && cpu->v == 1);
}

/* ---- conversions ---- */

/* Convert s0; the result is in s2 (to integer) or s0 (fixed point, in
 * place). */
static uint32_t cvt_to(unsigned dst, uint32_t raw, uint32_t fpscr, uint32_t in, uint32_t *flags)
{
	struct arm_cpu *cpu = fresh(fpscr);

	set_s(cpu, 0, in);
	cr_assert_eq(run(cpu, raw), ARM_EXIT_NONE);
	*flags = cpu->fpscr & FPSCR_CUMULATIVE;
	return s(cpu, dst);
}

static uint32_t cvt(uint32_t raw, uint32_t fpscr, uint32_t in, uint32_t *flags)
{
	return cvt_to(2, raw, fpscr, in, flags);
}

static uint32_t cvt_fixed(uint32_t raw, uint32_t fpscr, uint32_t in, uint32_t *flags)
{
	return cvt_to(0, raw, fpscr, in, flags);
}

#define VCVT_S32	0xeebd1ac0u	/* vcvt.s32.f32 s2, s0 */
#define VCVT_U32	0xeebc1ac0u	/* vcvt.u32.f32 s2, s0 */
#define VCVTR_S32	0xeebd1a40u	/* vcvtr.s32.f32 s2, s0 */

Test(vfp, float_to_int_saturates)
{
	const uint32_t three_e9 = 0x4f32d05eu;	/* 3000000000.0 */
	uint32_t fl;

	cr_assert_eq(cvt(VCVT_S32, RN, three_e9, &fl), 0x7fffffffu);
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cvt(VCVT_U32, RN, three_e9, &fl), 3000000000u);
	cr_assert_eq(fl, 0);
	cr_assert_eq(cvt(VCVT_S32, RN, 0xff800000u, &fl), 0x80000000u, "-inf");
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cvt(VCVT_S32, RN, 0x7fc00000u, &fl), 0, "NaN converts to 0");
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cvt(VCVT_U32, RN, 0xbfc00000u, &fl), 0, "-1.5 to unsigned");
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cvt(VCVT_U32, RN, 0xbf000000u, &fl), 0, "-0.5 truncates to 0");
	cr_assert_eq(fl, FPSCR_IXC);
	cr_assert_eq(cvt(VCVT_S32, RN, 0xc0700000u, &fl), 0xfffffffdu, "-3.75 towards zero");
	cr_assert_eq(fl, FPSCR_IXC);
}

Test(vfp, float_to_int_fpscr_rounding)
{
	uint32_t fl;

	cr_assert_eq(cvt(VCVTR_S32, RN, 0x40200000u, &fl), 2, "2.5 ties to even");
	cr_assert_eq(cvt(VCVTR_S32, RN, 0x40600000u, &fl), 4, "3.5 ties to even");
	cr_assert_eq(cvt(VCVTR_S32, RM, 0xc0700000u, &fl), 0xfffffffcu, "-3.75 down");
	cr_assert_eq(cvt(VCVTR_S32, RP, 0x40700000u, &fl), 4, "3.75 up");
	cr_assert_eq(cvt(VCVT_S32, RP, 0x40700000u, &fl), 3, "VCVT ignores RMode");
}

#define VCVT_S32_F32_16	0xeebe0ac8u	/* vcvt.s32.f32 s0, s0, #16 */
#define VCVT_F32_S32_16	0xeeba0ac8u	/* vcvt.f32.s32 s0, s0, #16 */
#define VCVT_S16_F32_8	0xeebe0a44u	/* vcvt.s16.f32 s0, s0, #8 */
#define VCVT_U16_F32_8	0xeebf0a44u	/* vcvt.u16.f32 s0, s0, #8 */

Test(vfp, fixed_point)
{
	uint32_t fl;

	cr_assert_eq(cvt_fixed(VCVT_S32_F32_16, RN, 0x3fc00000u, &fl), 0x00018000u, "1.5");
	cr_assert_eq(fl, 0);
	cr_assert_eq(cvt_fixed(VCVT_F32_S32_16, RN, 0x00018000u, &fl), 0x3fc00000u);
	/* To fixed rounds towards zero: 1.75 * 2^-16 -> 1. */
	cr_assert_eq(cvt_fixed(VCVT_S32_F32_16, RN, 0x37e00000u, &fl), 1);
	cr_assert_eq(fl, FPSCR_IXC);
	/* From fixed always rounds to nearest (round_nearest = !to_fixed):
	 * 0x7fffffff / 2^16 = 32767.99998 becomes 32768.0 even under RZ. */
	cr_assert_eq(cvt_fixed(VCVT_F32_S32_16, RZ, 0x7fffffffu, &fl), 0x47000000u);
	cr_assert_eq(fl, FPSCR_IXC);
	/* 16-bit forms: the result is sign-extended (-1.0 -> -256). */
	cr_assert_eq(cvt_fixed(VCVT_S16_F32_8, RN, 0xbf800000u, &fl), 0xffffff00u);
	/* 200.0 * 256 = 51200: saturates as s16, fits as u16. */
	cr_assert_eq(cvt_fixed(VCVT_S16_F32_8, RN, 0x43480000u, &fl), 0x00007fffu);
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(cvt_fixed(VCVT_U16_F32_8, RN, 0x43480000u, &fl), 0x0000c800u);
	cr_assert_eq(fl, 0);
}

Test(vfp, single_double)
{
	struct arm_cpu *cpu = fresh(RN);

	set_s(cpu, 0, 0x7f800001u);	/* SNaN: quietened, payload kept */
	cr_assert_eq(run(cpu, 0xeeb71ac0u), ARM_EXIT_NONE);	/* vcvt.f64.f32 d1, s0 */
	cr_assert_eq(cpu->d[1], 0x7ff8000020000000ull);
	cr_assert_eq(cpu->fpscr, FPSCR_IOC);
	cpu->fpscr = RN;
	cpu->d[1] = 0x3ff0000010000000ull;	/* 1 + 2^-24: a tie in single */
	cr_assert_eq(run(cpu, 0xeeb70bc1u), ARM_EXIT_NONE);	/* vcvt.f32.f64 s0, d1 */
	cr_assert_eq(s(cpu, 0), ONE);
	cr_assert_eq(cpu->fpscr, FPSCR_IXC);
	cpu->fpscr = FPSCR_FZ;
	cpu->d[1] = 0x3800000000000000ull;	/* 2^-127: tiny in single */
	cr_assert_eq(run(cpu, 0xeeb70bc1u), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 0), 0);
	cr_assert_eq(cpu->fpscr, FPSCR_FZ | FPSCR_UFC);
}

#define VCVTB_F16_F32	0xeeb30a60u	/* vcvtb.f16.f32 s0, s1 */
#define VCVTT_F16_F32	0xeeb30ae0u	/* vcvtt.f16.f32 s0, s1 */
#define VCVTB_F32_F16	0xeeb21a40u	/* vcvtb.f32.f16 s2, s0 */
#define VCVTT_F32_F16	0xeeb21ac0u	/* vcvtt.f32.f16 s2, s0 */

static uint32_t to_half(uint32_t raw, uint32_t fpscr, uint32_t s0, uint32_t s1, uint32_t *flags)
{
	struct arm_cpu *cpu = fresh(fpscr);

	set_s(cpu, 0, s0);
	set_s(cpu, 1, s1);
	cr_assert_eq(run(cpu, raw), ARM_EXIT_NONE);
	*flags = cpu->fpscr & FPSCR_CUMULATIVE;
	return s(cpu, 0);
}

Test(vfp, half_precision_to_half)
{
	uint32_t fl;

	cr_assert_eq(to_half(VCVTB_F16_F32, RN, 0xaaaabbbbu, ONE, &fl), 0xaaaa3c00u,
		     "bottom half written, top kept");
	cr_assert_eq(to_half(VCVTT_F16_F32, RN, 0xaaaabbbbu, ONE, &fl), 0x3c00bbbbu);
	/* 65520 is halfway between 65504 and 65536: IEEE half overflows. */
	cr_assert_eq(to_half(VCVTB_F16_F32, RN, 0, 0x477ff000u, &fl), 0x7c00u);
	cr_assert_eq(fl, FPSCR_OFC | FPSCR_IXC);
	/* Alternative half precision has 65536 (exponent 31 is normal). */
	cr_assert_eq(to_half(VCVTB_F16_F32, FPSCR_AHP, 0, 0x477ff000u, &fl), 0x7c00u);
	cr_assert_eq(fl, FPSCR_IXC);
	cr_assert_eq(to_half(VCVTB_F16_F32, FPSCR_AHP, 0, 0xff800000u, &fl), 0xffffu, "AHP: -inf");
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(to_half(VCVTB_F16_F32, FPSCR_AHP, 0, 0x7fc00000u, &fl), 0, "AHP: NaN is 0");
	cr_assert_eq(fl, FPSCR_IOC);
	cr_assert_eq(to_half(VCVTB_F16_F32, RN, 0, 0x7fc02000u, &fl), 0x7e01u, "NaN payload");
	cr_assert_eq(fl, 0);
	cr_assert_eq(to_half(VCVTB_F16_F32, RN, 0, 0x33800000u, &fl), 0x0001u, "2^-24: denormal");
	cr_assert_eq(fl, 0);
}

Test(vfp, half_precision_from_half)
{
	struct arm_cpu *cpu = fresh(RN);

	set_s(cpu, 0, 0x7c00c000u);	/* top: +inf (IEEE), bottom: -2.0 */
	cr_assert_eq(run(cpu, VCVTB_F32_F16), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0xc0000000u);
	cr_assert_eq(run(cpu, VCVTT_F32_F16), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x7f800000u);
	cpu->fpscr = FPSCR_AHP;
	cr_assert_eq(run(cpu, VCVTT_F32_F16), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x47800000u, "AHP: 0x7c00 is 65536");
	/* A half denormal is not flushed by FZ and is normal in single. */
	cpu->fpscr = FPSCR_FZ;
	set_s(cpu, 0, 0x00000001u);
	cr_assert_eq(run(cpu, VCVTB_F32_F16), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x33800000u);
	cr_assert_eq(cpu->fpscr, FPSCR_FZ);
	/* Signalling NaN: quietened, payload kept, IOC. */
	cpu->fpscr = RN;
	set_s(cpu, 0, 0x00007d00u);
	cr_assert_eq(run(cpu, VCVTB_F32_F16), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x7fe00000u);
	cr_assert_eq(cpu->fpscr, FPSCR_IOC);
}

/* ---- fused multiply-add, division, square root ---- */

Test(vfp, vfma_rounds_once)
{
	struct arm_cpu *cpu = fresh(RN);

	/* (1 + 2^-23)(1 - 2^-23) = 1 - 2^-46 exactly; minus 1 gives -2^-46.
	 * VMLA rounds the product to 1.0 first and gets +0. */
	set_s(cpu, 0, 0x3f800001u);
	set_s(cpu, 1, 0x3f7ffffeu);
	set_s(cpu, 2, 0xbf800000u);
	cr_assert_eq(run(cpu, VFMA_S), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0xa8800000u);
	cr_assert_eq(cpu->fpscr, 0, "exact");
	set_s(cpu, 2, 0xbf800000u);
	cr_assert_eq(run(cpu, VMLA_S), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0);
	cr_assert_eq(cpu->fpscr, FPSCR_IXC);
}

Test(vfp, vfma_nan_and_invalid)
{
	struct arm_cpu *cpu = fresh(RN);

	/* 0 * inf with a quiet NaN addend is still Invalid: default NaN. */
	set_s(cpu, 0, 0);
	set_s(cpu, 1, 0x7f800000u);
	set_s(cpu, 2, 0x7fc00009u);
	cr_assert_eq(run(cpu, VFMA_S), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), QNAN);
	cr_assert_eq(cpu->fpscr, FPSCR_IOC);
	/* VFNMA negates the addend and the first factor before the NaN
	 * selection: the addend's NaN comes out with its sign flipped. */
	cpu->fpscr = RN;
	cpu->d[0] = 0x3ff0000000000000ull;
	cpu->d[1] = 0x3ff0000000000000ull;
	cpu->d[2] = 0x7ff8000000000001ull;
	cr_assert_eq(run(cpu, 0xee902b41u), ARM_EXIT_NONE);	/* vfnma.f64 d2, d0, d1 */
	cr_assert_eq(cpu->d[2], 0xfff8000000000001ull);
}

Test(vfp, divide_by_zero)
{
	uint32_t fl;

	cr_assert_eq(op2(VDIV_S, RN, ONE, 0, &fl), 0x7f800000u);
	cr_assert_eq(fl, FPSCR_DZC);
	cr_assert_eq(op2(VDIV_S, RN, 0xbf800000u, 0, &fl), 0xff800000u);
	cr_assert_eq(op2(VDIV_S, RN, 0, 0, &fl), QNAN);
	cr_assert_eq(fl, FPSCR_IOC, "0/0 is Invalid, not Divide by Zero");
	cr_assert_eq(op2(VDIV_S, RN, 0x7f800000u, 0, &fl), 0x7f800000u);
	cr_assert_eq(fl, 0, "inf/0 raises nothing");
	cr_assert_eq(op2(VDIV_S, RN, ONE, 0x40400000u, &fl), 0x3eaaaaabu, "1/3");
	cr_assert_eq(fl, FPSCR_IXC);
}

Test(vfp, square_root)
{
	struct arm_cpu *cpu = fresh(RN);

	set_s(cpu, 0, 0xbf800000u);
	cr_assert_eq(run(cpu, 0xeeb11ac0u), ARM_EXIT_NONE);	/* vsqrt.f32 s2, s0 */
	cr_assert_eq(s(cpu, 2), QNAN);
	cr_assert_eq(cpu->fpscr, FPSCR_IOC);
	cpu->fpscr = RN;
	set_s(cpu, 0, 0x80000000u);
	cr_assert_eq(run(cpu, 0xeeb11ac0u), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x80000000u, "sqrt(-0) = -0");
	cr_assert_eq(cpu->fpscr, 0);
	set_s(cpu, 0, TWO);
	cr_assert_eq(run(cpu, 0xeeb11ac0u), ARM_EXIT_NONE);
	cr_assert_eq(s(cpu, 2), 0x3fb504f3u);
	cr_assert_eq(cpu->fpscr, FPSCR_IXC);
	cpu->d[0] = 0x4000000000000000ull;
	cr_assert_eq(run(cpu, 0xeeb11bc0u), ARM_EXIT_NONE);	/* vsqrt.f64 d1, d0 */
	cr_assert_eq(cpu->d[1], 0x3ff6a09e667f3bcdull);
	cpu->d[0] = 0x4010000000000000ull;	/* 4.0 */
	cpu->fpscr = RN;
	cr_assert_eq(run(cpu, 0xeeb11bc0u), ARM_EXIT_NONE);
	cr_assert_eq(cpu->d[1], 0x4000000000000000ull);
	cr_assert_eq(cpu->fpscr, 0, "exact");
}

/* ---- immediates and transfers ---- */

Test(vfp, vmov_immediate_and_core)
{
	struct arm_cpu *cpu = fresh(RN);

	cr_assert_eq(run(cpu, 0xeeb70a00u), ARM_EXIT_NONE);	/* vmov.f32 s0, #1.0 */
	cr_assert_eq(s(cpu, 0), ONE);
	cr_assert_eq(run(cpu, 0xeeb80b04u), ARM_EXIT_NONE);	/* vmov.f64 d0, #-2.5 */
	cr_assert_eq(cpu->d[0], 0xc004000000000000ull);

	cpu->r[0] = 0x11111111u;
	cpu->r[1] = 0x22222222u;
	cpu->r[3] = 0x33333333u;
	cr_assert_eq(run(cpu, 0xee000a90u), ARM_EXIT_NONE);	/* vmov s1, r0 */
	cr_assert_eq(cpu->d[0], 0x1111111100000000ull);
	cr_assert_eq(run(cpu, 0xec410b14u), ARM_EXIT_NONE);	/* vmov d4, r0, r1 */
	cr_assert_eq(cpu->d[4], 0x2222222211111111ull);
	cpu->d[3] = 0xaaaaaaaabbbbbbbbull;
	cr_assert_eq(run(cpu, 0xec521b13u), ARM_EXIT_NONE);	/* vmov r1, r2, d3 */
	cr_assert(cpu->r[1] == 0xbbbbbbbbu && cpu->r[2] == 0xaaaaaaaau);
	cr_assert_eq(run(cpu, 0xee253b10u), ARM_EXIT_NONE);	/* vmov.32 d5[1], r3 */
	cr_assert_eq(cpu->d[5], 0x3333333300000000ull);
	cr_assert_eq(run(cpu, 0xee352b10u), ARM_EXIT_NONE);	/* vmov.32 r2, d5[1] */
	cr_assert_eq(cpu->r[2], 0x33333333u);
	cpu->r[2] = 5;
	cpu->r[3] = 6;
	cr_assert_eq(run(cpu, 0xec432a10u), ARM_EXIT_NONE);	/* vmov s0, s1, r2, r3 */
	cr_assert_eq(cpu->d[0], 0x0000000600000005ull);
}

/* ---- system registers and access control ---- */

Test(vfp, vmsr_vmrs_fpscr)
{
	struct arm_cpu *cpu = fresh(RN);

	cpu->r[0] = 0xffffffffu;
	cr_assert_eq(run(cpu, 0xeee10a10u), ARM_EXIT_NONE);	/* vmsr fpscr, r0 */
	cr_assert_eq(cpu->fpscr, 0xfff7009fu, "trap enables RAZ/WI, bit 19 RES0");
	cr_assert_eq(run(cpu, 0xeef11a10u), ARM_EXIT_NONE);	/* vmrs r1, fpscr */
	cr_assert_eq(cpu->r[1], 0xfff7009fu);
	/* ID registers: PL1 only. */
	cr_assert_eq(run(cpu, 0xeef70a10u), ARM_EXIT_NONE);	/* vmrs r0, mvfr0 */
	cr_assert_eq(cpu->r[0], 0x10110222u);
	cr_assert_eq(run(cpu, 0xeef60a10u), ARM_EXIT_NONE);	/* vmrs r0, mvfr1 */
	cr_assert_eq(cpu->r[0], 0x11000011u);
	cr_assert_eq(run(cpu, 0xeef00a10u), ARM_EXIT_NONE);	/* vmrs r0, fpsid */
	cr_assert_eq(cpu->r[0], 0x41023075u);
	cpu->cpsr_ctl = ARM_MODE_USR;
	cr_assert_eq(run(cpu, 0xeef70a10u), ARM_EXIT_UNDEF);
	cr_assert_eq(run(cpu, 0xeef80a10u), ARM_EXIT_UNDEF);	/* vmrs r0, fpexc */
	cr_assert_eq(run(cpu, 0xeef11a10u), ARM_EXIT_NONE, "FPSCR is fine at PL0");
}

Test(vfp, fpexc_enable)
{
	struct arm_cpu *cpu = fresh(RN);

	cpu->r[0] = 0;
	cr_assert_eq(run(cpu, 0xeee80a10u), ARM_EXIT_NONE);	/* vmsr fpexc, r0 */
	cr_assert_eq(cpu->fpexc, 0);
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_UNDEF, "disabled");
	cr_assert_eq(run(cpu, 0xeef11a10u), ARM_EXIT_UNDEF, "FPSCR too");
	cr_assert_eq(run(cpu, 0xeef70a10u), ARM_EXIT_NONE, "MVFR0 readable while disabled");
	cpu->r[0] = 0xffffffffu;
	cr_assert_eq(run(cpu, 0xeee80a10u), ARM_EXIT_NONE);
	cr_assert_eq(cpu->fpexc, FPEXC_EN, "only EN is writable");
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_NONE);
	cpu->fpexc = 0;
	cpu->cpsr_ctl = ARM_MODE_USR;
	cr_assert_eq(run(cpu, 0xeef80a10u), ARM_EXIT_UNDEF, "not from PL0");
}

Test(vfp, cpacr_access)
{
	struct arm_cpu *cpu = fresh(RN);

	cpu->cpacr = 0;
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_UNDEF);
	cr_assert_eq(run(cpu, 0xeef80a10u), ARM_EXIT_UNDEF, "even FPEXC");
	cpu->cpacr = 0x00500000u;	/* PL1 only */
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_NONE);
	cpu->cpsr_ctl = ARM_MODE_USR;
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_UNDEF);
	cpu->cpacr = 0x00f00000u;
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_NONE);
	cpu->cpacr = 0x00300000u;	/* cp10 only: doubles (cp11) refused */
	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_NONE);
	cr_assert_eq(run(cpu, 0xee302b01u), ARM_EXIT_UNDEF);
}

Test(vfp, short_vectors_undefined)
{
	struct arm_cpu *cpu = fresh(1u << 16);	/* Len = 1 */

	cr_assert_eq(run(cpu, VADD_S), ARM_EXIT_UNDEF);
	cr_assert_eq(run(cpu, VFMA_S), ARM_EXIT_UNDEF);
	cr_assert_eq(run(cpu, VCMP_S), ARM_EXIT_NONE, "VCMP is always scalar");
	cpu->fpscr = 1u << 20;		/* Stride */
	cr_assert_eq(run(cpu, 0xeeb70a00u), ARM_EXIT_UNDEF);
	cr_assert_eq(run(cpu, VCVT_S32), ARM_EXIT_NONE);
}

Test(vfp, undefined_encodings)
{
	struct vfp_insn in;
	const uint32_t bad[] = {
		0xee801a60u,	/* VDIV with bit 6 set */
		0xeeb30b60u,	/* VCVTB with sz = 1 (ARMv8 half <-> double) */
		0xeeb60a40u,	/* opc2 = 0110 (ARMv8 VRINT) */
		0xeeb90a40u,	/* opc2 = 1001 */
		0xeeb70a40u,	/* VCVT between sizes with bit 7 clear */
		0xeeb50a41u,	/* VCMP #0.0 with Vm != 0 */
		0xee452b30u,	/* VMOV.16 scalar: Advanced SIMD */
		0xee852b10u,	/* VDUP: Advanced SIMD */
		0xeef91a10u,	/* VMRS FPINST */
		0xeee1fa10u,	/* VMSR from PC */
		0xeef0fa10u,	/* VMRS APSR_nzcv, FPSID */
		0xee10fa10u,	/* VMOV PC, s0 */
		0xecb00a00u,	/* VLDMIA with no registers */
		0xecf0fa02u,	/* VLDMIA {s31, s32}: past S31 */
		0xecb00b22u,	/* VLDMIA d0-d16: 17 doubles */
		0xedb00b04u,	/* P = U = W = 1 */
		0xec300b04u,	/* P = U = 0, W = 1 */
		0xecbf0b04u,	/* VLDMIA pc! */
		0xee000810u,	/* coprocessor 8 */
		0xef000a00u,	/* SVC space */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(vfp_decode(bad[i], &in), -1, "%08x decoded", bad[i]);
	cr_assert_eq(vfp_decode(0x0e301a20u, &in), 0, "the condition field is ignored");
	cr_assert_eq(vfp_decode(0xed900b02u, &in), 0, "T32 VLDR (hw1 0xed90)");
}

/* ---- loads and stores ---- */

static uint32_t *ram32(uint32_t pa)
{
	uint32_t *p = physmem_ptr(&e.pm, pa, 4);

	cr_assert_not_null(p);
	return p;
}

Test(vfp, vldr_vstr)
{
	setup_mem();
	if (sigsetjmp(e.jb, 0))
		cr_assert_fail("unexpected fault %d", e.cpu.mmu->fault.kind);
	*ram32(RAM_BASE + 0x108) = 0x44444444u;
	*ram32(RAM_BASE + 0x10c) = 0x55555555u;
	e.cpu.r[0] = RAM_BASE + 0x100;
	cr_assert_eq(run(&e.cpu, 0xed900b02u), ARM_EXIT_NONE);	/* vldr d0, [r0, #8] */
	cr_assert_eq(e.cpu.d[0], 0x5555555544444444ull);
	cr_assert_eq(run(&e.cpu, 0xed400a01u), ARM_EXIT_NONE);	/* vstr s1, [r0, #-4] */
	cr_assert_eq(*ram32(RAM_BASE + 0xfc), 0x55555555u);
	cr_assert_eq(e.cpu.r[0], RAM_BASE + 0x100, "no write-back");
	/* PC-relative: Align(PC, 4) - 8 with PC = insn + 8. */
	e.cpu.r[15] = RAM_BASE + 0x200;
	*ram32(RAM_BASE + 0x200) = 0x66666666u;
	cr_assert_eq(run(&e.cpu, 0xed5f1a02u), ARM_EXIT_NONE);	/* vldr s3, [pc, #-8] */
	cr_assert_eq(s(&e.cpu, 3), 0x66666666u);
}

Test(vfp, vstr_big_endian)
{
	uint8_t *p;

	setup_mem();
	if (sigsetjmp(e.jb, 0))
		cr_assert_fail("unexpected fault");
	e.cpu.cpsr_ctl |= CPSR_E;
	e.cpu.d[0] = 0x0011223344556677ull;
	e.cpu.r[0] = RAM_BASE + 0x104;
	cr_assert_eq(run(&e.cpu, 0xed800b00u), ARM_EXIT_NONE);	/* vstr d0, [r0] */
	p = physmem_ptr(&e.pm, RAM_BASE + 0x104, 8);
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(p[i], i * 0x11, "byte %u", i);
	e.cpu.d[0] = 0;
	cr_assert_eq(run(&e.cpu, 0xed900b00u), ARM_EXIT_NONE);	/* vldr d0, [r0] */
	cr_assert_eq(e.cpu.d[0], 0x0011223344556677ull);
}

Test(vfp, vldm_vstm_writeback)
{
	setup_mem();
	if (sigsetjmp(e.jb, 0))
		cr_assert_fail("unexpected fault");
	for (unsigned i = 0; i < 8; i++)
		*ram32(RAM_BASE + 0x400 + 4 * i) = 0xa0 + i;
	e.cpu.r[0] = RAM_BASE + 0x400;
	cr_assert_eq(run(&e.cpu, 0xecb00b06u), ARM_EXIT_NONE);	/* vldmia r0!, {d0-d2} */
	cr_assert_eq(e.cpu.d[0], 0x000000a1000000a0ull);
	cr_assert_eq(e.cpu.d[2], 0x000000a5000000a4ull);
	cr_assert_eq(e.cpu.r[0], RAM_BASE + 0x418);
	/* FLDMX: imm8 = 5 moves two doubles and skips a word. */
	e.cpu.r[0] = RAM_BASE + 0x400;
	cr_assert_eq(run(&e.cpu, 0xecb00b05u), ARM_EXIT_NONE);	/* fldmiax r0!, {d0-d1} */
	cr_assert_eq(e.cpu.r[0], RAM_BASE + 0x414);
	/* VPUSH/VPOP through SP. */
	e.cpu.r[13] = RAM_BASE + 0x800;
	e.cpu.d[0] = 0x1111111100000000ull;
	e.cpu.d[1] = 0x3333333322222222ull;
	cr_assert_eq(run(&e.cpu, 0xed2d0a04u), ARM_EXIT_NONE);	/* vpush {s0-s3} */
	cr_assert_eq(e.cpu.r[13], RAM_BASE + 0x7f0);
	cr_assert_eq(*ram32(RAM_BASE + 0x7f4), 0x11111111u);
	cr_assert_eq(*ram32(RAM_BASE + 0x7fc), 0x33333333u);
	e.cpu.d[0] = e.cpu.d[1] = 0;
	cr_assert_eq(run(&e.cpu, 0xecbd0b04u), ARM_EXIT_NONE);	/* vpop {d0-d1} */
	cr_assert_eq(e.cpu.d[0], 0x1111111100000000ull);
	cr_assert_eq(e.cpu.d[1], 0x3333333322222222ull);
	cr_assert_eq(e.cpu.r[13], RAM_BASE + 0x800);
	/* Decrement-before with the upper bank of registers. */
	e.cpu.r[0] = RAM_BASE + 0x900;
	e.cpu.d[16] = 0x0123456789abcdefull;
	e.cpu.d[17] = 0xfedcba9876543210ull;
	cr_assert_eq(run(&e.cpu, 0xed600b04u), ARM_EXIT_NONE);	/* vstmdb r0!, {d16-d17} */
	cr_assert_eq(e.cpu.r[0], RAM_BASE + 0x8f0);
	cr_assert_eq(*ram32(RAM_BASE + 0x8f0), 0x89abcdefu);
	cr_assert_eq(*ram32(RAM_BASE + 0x8fc), 0xfedcba98u);
}

Test(vfp, unaligned_vldr_faults_without_effect)
{
	setup_mem();
	e.cpu.r[0] = RAM_BASE + 0x102;
	e.cpu.d[0] = 0x5a5a5a5a5a5a5a5aull;
	if (sigsetjmp(e.jb, 0)) {
		cr_assert_eq(e.cpu.mmu->fault.kind, SHADOW_FAULT_ABORT);
		cr_assert_eq(e.cpu.mmu->fault.fs, FS_ALIGNMENT);
		cr_assert_eq(e.cpu.d[0], 0x5a5a5a5a5a5a5a5aull);
		return;
	}
	(void)run(&e.cpu, 0xed900b00u);	/* vldr d0, [r0] */
	cr_assert_fail("an unaligned VLDR must fault whatever SCTLR.A says");
}

Test(vfp, vldm_fault_midway_changes_nothing)
{
	setup_mem();
	/* d0 lies at the end of RAM, d1 beyond it. */
	e.cpu.r[0] = RAM_BASE + RAM_SIZE - 8;
	e.cpu.d[0] = 0x5a5a5a5a5a5a5a5aull;
	if (sigsetjmp(e.jb, 0)) {
		cr_assert_eq(e.cpu.mmu->fault.kind, SHADOW_FAULT_UNASSIGNED);
		cr_assert_eq(e.cpu.d[0], 0x5a5a5a5a5a5a5a5aull, "no register loaded");
		cr_assert_eq(e.cpu.r[0], RAM_BASE + RAM_SIZE - 8, "no write-back");
		return;
	}
	(void)run(&e.cpu, 0xecb00b06u);	/* vldmia r0!, {d0-d2} */
	cr_assert_fail("the access beyond RAM must fault");
}
