/* gen_vfp.c — VFPv4-D32 instructions (the same encodings in A32 and T32,
 * see gen_emit_cp) and the initial floating-point register values. */
#include "tests/diff/gen_int.h"

static const uint32_t f32_edge[] = {
	0x00000000, 0x80000000, 0x7f800000, 0xff800000,	/* zeros, infinities */
	0x7fc00000, 0xffc00001, 0x7f800001, 0x7fbfffff,	/* quiet, signalling NaNs */
	0x00000001, 0x807fffff, 0x00800000, 0x80800000,	/* denormals, min normal */
	0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,	/* max, +-1 */
	0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000,	/* 0.5, 1.5, 2.5: ties */
	0x4f000000, 0xcf000000, 0x4f800000, 0x4effffff,	/* int32/uint32 limits */
	0x477fe000, 0x477ff000, 0x38800000, 0x33800000,	/* half limits */
	0x33000000, 0x387fc000, 0x34000000, 0x3eaaaaab,
};

static const uint64_t f64_edge[] = {
	0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull,
	0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000001ull,
	0x7ff0000000000001ull, 0x7ff7ffffffffffffull, 0x0000000000000001ull,
	0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
	0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
	0x3ff8000000000000ull, 0x4004000000000000ull, 0xc1e0000000000000ull,
	0x41dfffffffc00000ull, 0x41e0000000000000ull, 0x41efffffffe00000ull,
	0x41f0000000000000ull, 0xc1e0000000200000ull, 0x47efffffe0000000ull,
	0x3810000000000000ull, 0x380fffffffffffffull, 0x36a0000000000000ull,
	0x3fd5555555555555ull, 0x47efffffffffffffull, 0x3690000000000000ull,
};

/* Values spread over what decides FP results: specials, random bits,
 * moderate magnitudes, short mantissas (so that sums and products are
 * exact or land on ties), magnitudes near the denormal boundary (FZ,
 * underflow), denormals, and magnitudes near overflow. */
static uint32_t fp32(struct gen *g)
{
	uint32_t r = (uint32_t)gen_rnd(g), sign = r & 0x80000000u, mant = r & 0x7fffffu;

	switch (gen_rn(g, 9)) {
	case 0: case 1:
		return f32_edge[gen_rn(g, sizeof(f32_edge) / 4)];
	case 2:
		return r;
	case 3:
		return sign | mant | (110 + gen_rn(g, 36)) << 23;
	case 4:	/* short mantissa, exponent near 0 */
		return sign | (mant & ~(0x7fffffu >> (1 + gen_rn(g, 8)))) | (123 + gen_rn(g, 9)) << 23;
	case 5:	/* just above the denormals */
		return sign | (gen_rn(g, 2) ? mant : mant & 0x700000u) | (1 + gen_rn(g, 24)) << 23;
	case 6:	/* denormal */
		return sign | (mant >> gen_rn(g, 23));
	case 7:	/* near overflow */
		return sign | mant | (230 + gen_rn(g, 25)) << 23;
	default:
		return sign | (mant & 0x7f0000u) | (gen_rn(g, 2) ? 126 : 127) << 23;
	}
}

static uint64_t fp64(struct gen *g)
{
	uint64_t r = gen_rnd(g), sign = r & 0x8000000000000000ull, mant = r & 0xfffffffffffffull;

	switch (gen_rn(g, 9)) {
	case 0: case 1:
		return f64_edge[gen_rn(g, sizeof(f64_edge) / 8)];
	case 2:
		return r;
	case 3:
		return sign | mant | (uint64_t)(1000 + gen_rn(g, 48)) << 52;
	case 4:
		return sign | (mant & ~(0xfffffffffffffull >> (1 + gen_rn(g, 12)))) |
		       (uint64_t)(1019 + gen_rn(g, 9)) << 52;
	case 5:
		return sign | (gen_rn(g, 2) ? mant : mant & 0xe000000000000ull) |
		       (uint64_t)(1 + gen_rn(g, 53)) << 52;
	case 6:
		return sign | (mant >> gen_rn(g, 52));
	case 7:
		return sign | mant | (uint64_t)(2000 + gen_rn(g, 47)) << 52;
	default:	/* single-precision-sized values: conversions round them exactly or not */
		return sign | (mant & 0xfffffe0000000ull) | (uint64_t)(896 + gen_rn(g, 256)) << 52;
	}
}

uint64_t gen_fp_init(struct gen *g)
{
	if (gen_chance(g, 50))
		return fp64(g);
	return fp32(g) | (uint64_t)fp32(g) << 32;
}

/* Register fields: Vd/D, Vn/N, Vm/M for single (sz 0) or double. */
static uint32_t vd(unsigned sz, unsigned r)
{
	return sz ? (r & 15) << 12 | (r >> 4) << 22 : (r >> 1) << 12 | (r & 1) << 22;
}

static uint32_t vn(unsigned sz, unsigned r)
{
	return sz ? (r & 15) << 16 | (r >> 4) << 7 : (r >> 1) << 16 | (r & 1) << 7;
}

static uint32_t vm(unsigned sz, unsigned r)
{
	return sz ? (r & 15) | (r >> 4) << 5 : (r >> 1) | (r & 1) << 5;
}

static unsigned vreg(struct gen *g)
{
	return gen_rn(g, 32);
}

/* A source register, sometimes loaded first (through core registers)
 * with a fresh value from fp32/fp64: as setup, ahead of any IT. */
static unsigned vsrc(struct gen *g, unsigned sz)
{
	unsigned v = vreg(g), r;
	bool in_it = g->in_it;

	if (!gen_chance(g, 20))
		return v;
	r = gen_reg(g);
	if (sz) {
		uint64_t x = fp64(g);
		unsigned r2 = gen_reg_not(g, (uint16_t)(1u << r));

		gen_set_reg(g, r, (uint32_t)x);
		gen_set_reg(g, r2, (uint32_t)(x >> 32));
		g->in_it = false;
		gen_emit_cp(g, 14, 0x0c400b10u | r2 << 16 | r << 12 | vm(1, v));	/* VMOV Dm, Rt, Rt2 */
	} else {
		gen_set_reg(g, r, fp32(g));
		g->in_it = false;
		gen_emit_cp(g, 14, 0x0e000a10u | vn(0, v) | r << 12);	/* VMOV Sn, Rt */
	}
	g->in_it = in_it;
	return v;
}

static void arith3(struct gen *g, unsigned cond)
{
	/* bits 23, 21:20 and 6 of VMLA ... VFMS */
	static const uint32_t ops[] = {
		0x000000, 0x000040, 0x100000, 0x100040, 0x200000, 0x200040,
		0x300000, 0x300040, 0x800000, 0x900000, 0x900040, 0xa00000, 0xa00040,
	};
	unsigned sz = gen_rn(g, 2);
	uint32_t op = ops[gen_rn(g, sizeof(ops) / 4)];

	unsigned n = vsrc(g, sz), m = vsrc(g, sz);

	gen_emit_cp(g, cond, 0x0e000a00u | op | sz << 8 | vd(sz, vreg(g)) | vn(sz, n) | vm(sz, m));
}

static void arith2(struct gen *g, unsigned cond)
{
	/* opc2 << 16 | opc3 << 6: VMOV, VABS, VNEG, VSQRT */
	static const uint32_t ops[] = { 0x00040, 0x000c0, 0x10040, 0x100c0 };
	unsigned sz = gen_rn(g, 2);

	unsigned m = vsrc(g, sz);

	gen_emit_cp(g, cond, 0x0eb00a00u | ops[gen_rn(g, 4)] | sz << 8 | vd(sz, vreg(g)) | vm(sz, m));
}

static void vmov_imm(struct gen *g, unsigned cond)
{
	unsigned sz = gen_rn(g, 2), imm = gen_rn(g, 256);

	gen_emit_cp(g, cond, 0x0eb00a00u | (imm >> 4) << 16 | (imm & 15) | sz << 8 |
		    vd(sz, vreg(g)));
}

static void vcmp(struct gen *g, unsigned cond)
{
	unsigned sz = gen_rn(g, 2), e = gen_rn(g, 2);

	unsigned d = vsrc(g, sz), m = vsrc(g, sz);

	if (gen_chance(g, 25))	/* with #0.0 */
		gen_emit_cp(g, cond, 0x0eb50a40u | e << 7 | sz << 8 | vd(sz, d));
	else
		gen_emit_cp(g, cond, 0x0eb40a40u | e << 7 | sz << 8 | vd(sz, d) | vm(sz, m));
}

static void vcvt(struct gen *g, unsigned cond)
{
	unsigned sz = gen_rn(g, 2);

	switch (gen_rn(g, 5)) {
	case 0:		/* between single and double: the destination is the other size */
		gen_emit_cp(g, cond, 0x0eb70ac0u | sz << 8 | vd(!sz, vreg(g)) | vm(sz, vsrc(g, sz)));
		break;
	case 1:		/* from a 32-bit integer in Sm, signed or not */
		gen_emit_cp(g, cond, 0x0eb80a40u | gen_rn(g, 2) << 7 | sz << 8 |
			    vd(sz, vreg(g)) | vm(0, vreg(g)));
		break;
	case 2:		/* to an integer in Sd; bit 7: round to zero, else FPSCR */
		gen_emit_cp(g, cond, 0x0ebc0a40u | gen_rn(g, 2) << 16 | gen_rn(g, 2) << 7 |
			    sz << 8 | vd(0, vreg(g)) | vm(sz, vsrc(g, sz)));
		break;
	case 3: {	/* fixed point, in place */
		unsigned sx = gen_rn(g, 2), size = sx ? 32 : 16;
		unsigned imm = gen_rn(g, size == 16 ? 17 : 32);

		gen_emit_cp(g, cond, 0x0eba0a40u | gen_rn(g, 2) << 18 | gen_rn(g, 2) << 16 |
			    sz << 8 | sx << 7 | (imm & 1) << 5 | imm >> 1 | vd(sz, vsrc(g, sz)));
		break;
	}
	default:	/* VCVTB/VCVTT, half <-> single */
		gen_emit_cp(g, cond, 0x0eb20a40u | gen_rn(g, 2) << 16 | gen_rn(g, 2) << 7 |
			    vd(0, vreg(g)) | vm(0, vsrc(g, 0)));
		break;
	}
}

static void vmov_core(struct gen *g, unsigned cond)
{
	unsigned op = gen_rn(g, 2);

	switch (gen_rn(g, 4)) {
	case 0:		/* Sn <-> Rt */
		gen_emit_cp(g, cond, 0x0e000a10u | op << 20 | vn(0, vreg(g)) |
			    (op ? gen_reg(g) : gen_src(g)) << 12);
		break;
	case 1: {	/* two singles <-> Rt, Rt2 */
		unsigned t = op ? gen_reg(g) : gen_src(g);
		unsigned t2 = op ? gen_reg_not(g, (uint16_t)(1u << t)) : gen_src(g);

		gen_emit_cp(g, cond, 0x0c400a10u | op << 20 | t2 << 16 | t << 12 |
			    vm(0, gen_rn(g, 31)));
		break;
	}
	case 2: {	/* Dm <-> Rt, Rt2 */
		unsigned t = op ? gen_reg(g) : gen_src(g);
		unsigned t2 = op ? gen_reg_not(g, (uint16_t)(1u << t)) : gen_src(g);

		gen_emit_cp(g, cond, 0x0c400b10u | op << 20 | t2 << 16 | t << 12 | vm(1, vreg(g)));
		break;
	}
	default:	/* VMOV.32 Dd[x] <-> Rt */
		gen_emit_cp(g, cond, 0x0e000b10u | op << 20 | gen_rn(g, 2) << 21 |
			    vn(1, vreg(g)) | (op ? gen_reg(g) : gen_src(g)) << 12);
		break;
	}
}

/* FPSCR values a sequence may write: flags, AHP, DN, FZ, RMode and the
 * cumulative exception bits; rarely the trap enables (RAZ/WI on a
 * Cortex-A15) or QC (Advanced SIMD's). Never Len/Stride: the A15 has no
 * short vectors, so VFP data processing with Len != 0 is UNDEFINED. */
static uint32_t fpscr_value(struct gen *g)
{
	uint32_t v = (uint32_t)gen_rnd(g) & 0xf7c00000u;

	if (gen_chance(g, 70))
		v &= ~(1u << 26);	/* AHP usually off */
	if (gen_chance(g, 30))
		v |= (uint32_t)gen_rnd(g) & 0x9fu;
	if (gen_chance(g, 4))
		v |= (uint32_t)gen_rnd(g) & 0x08009f00u;
	return v;
}

static void vmrs_vmsr(struct gen *g, unsigned cond)
{
	switch (gen_rn(g, 3)) {
	case 0:		/* VMRS APSR_nzcv, FPSCR */
		gen_emit_cp(g, cond, 0x0ef1fa10u);
		break;
	case 1:
		gen_emit_cp(g, cond, 0x0ef10a10u | gen_reg(g) << 12);
		break;
	default: {
		unsigned t = gen_reg(g);

		gen_set_reg(g, t, fpscr_value(g));
		gen_emit_cp(g, cond, 0x0ee10a10u | t << 12);
		break;
	}
	}
}

/* VLDR/VSTR: Rn + imm8 * 4, up or down; in T32 PC-relative loads too. */
static void vldr_vstr(struct gen *g, unsigned cond)
{
	unsigned sz = gen_rn(g, 2), l = gen_rn(g, 2), u = gen_rn(g, 2);
	unsigned imm = gen_rn(g, 256), rn;

	if (l && gen_chance(g, 10)) {
		rn = R_PC;
	} else {
		uint32_t a = gen_data_addr(g, 8, 4);

		rn = gen_reg(g);
		gen_set_reg(g, rn, u ? a - imm * 4 : a + imm * 4);
	}
	gen_emit_cp(g, cond, 0x0d000a00u | u << 23 | l << 20 | rn << 16 | sz << 8 | imm |
		    vd(sz, vreg(g)));
}

/* VLDM/VSTM IA (optionally with write-back) or DB!, and VPUSH/VPOP. */
static void vldm_vstm(struct gen *g, unsigned cond)
{
	unsigned sz = gen_rn(g, 2), l = gen_rn(g, 2);
	unsigned first = vreg(g), count = 1 + gen_rn(g, sz ? 16 : 32);
	unsigned words, rn, p, u, w;

	if (first + count > 32)
		count = 32 - first;
	if (sz && count > 16)
		count = 16;
	words = count * (sz ? 2 : 1);
	if (!g->in_it && !g->no_sp && gen_chance(g, 30)) {
		/* VPUSH (VSTMDB SP!) or VPOP (VLDMIA SP!), if the stack has room */
		bool push = !l;

		if (push ? g->sp - words * 4 < DIFF_STACK_LO : g->sp + words * 4 > DIFF_STACK_HI)
			return;
		rn = R_SP;
		p = push, u = !push, w = 1;
		cond = 14;
		gen_item_sp(g, push ? -(int)words * 4 : (int)words * 4);
	} else {
		uint32_t a = gen_data_addr(g, words * 4, 4);

		rn = gen_reg(g);
		if (gen_chance(g, 50)) {
			p = 0, u = 1, w = gen_rn(g, 2);
			gen_set_reg(g, rn, a);
		} else {
			p = 1, u = 0, w = 1;
			gen_set_reg(g, rn, a + words * 4);
		}
	}
	gen_emit_cp(g, cond, 0x0c000a00u | p << 24 | u << 23 | w << 21 | l << 20 | rn << 16 |
		    sz << 8 | words | vd(sz, first));
}

void gen_vfp_mem(struct gen *g, unsigned cond)
{
	if (gen_rn(g, 2))
		vldr_vstr(g, cond);
	else
		vldm_vstm(g, cond);
}

void gen_vfp(struct gen *g, unsigned cond)
{
	switch (gen_rn(g, 16)) {
	case 0: case 1: case 2: case 3:
		arith3(g, cond);
		break;
	case 4: case 5:
		arith2(g, cond);
		break;
	case 6:
		vmov_imm(g, cond);
		break;
	case 7: case 8:
		vcmp(g, cond);
		break;
	case 9: case 10:
		vcvt(g, cond);
		break;
	case 11:
		vmov_core(g, cond);
		break;
	case 12: case 13:
		vmrs_vmsr(g, cond);
		break;
	case 14:
		vldr_vstr(g, cond);
		break;
	default:
		vldm_vstm(g, cond);
		break;
	}
}
