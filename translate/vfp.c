/* vfp.c — decoding and execution of the VFP instructions (ARM ARM A7.5
 * "Floating-point data-processing instructions", A7.8 "8, 16, and 32-bit
 * transfer between ARM core and extension registers", A7.6 "Extension
 * register load/store instructions", A7.9 "64-bit transfers").
 *
 * UNPREDICTABLE encodings (PC as a transfer register, register lists that
 * run past D31, should-be-zero bits that are not) decode as UNDEFINED: the
 * guest gets an exception and the emulator never has to guess. */
#include <string.h>

#include "translate/fparith.h"
#include "translate/vfp.h"

/* FPSCR bits a VMSR can set: NZCV, QC, AHP, DN, FZ, RMode, Stride, Len and
 * the cumulative flags. The trap enables are RAZ/WI (no trapping, MVFR0
 * [15:12] = 0) and bit 19 (FZ16 in ARMv8.2) is RES0. */
#define FPSCR_WRITABLE 0xfff7009fu

static inline unsigned bits(uint32_t x, unsigned hi, unsigned lo)
{
	return (x >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline unsigned bit(uint32_t x, unsigned b)
{
	return (x >> b) & 1;
}

/* Register fields: Vx:b for singles, b:Vx for doubles. */
static unsigned vreg(uint32_t raw, unsigned vpos, unsigned bpos, bool dp)
{
	unsigned v = bits(raw, vpos + 3, vpos), b = bit(raw, bpos);

	return dp ? b << 4 | v : v << 1 | b;
}

static unsigned vd(uint32_t raw, bool dp)
{
	return vreg(raw, 12, 22, dp);
}

static unsigned vn(uint32_t raw, bool dp)
{
	return vreg(raw, 16, 7, dp);
}

static unsigned vm(uint32_t raw, bool dp)
{
	return vreg(raw, 0, 5, dp);
}

/* ---- decoding ---- */

/* Three-register operations by opc1 (bits 23, 21, 20) and bit 6. */
static const int8_t three_reg_ops[16][2] = {
	[0x0] = { VFP_VMLA, VFP_VMLS },
	[0x1] = { VFP_VNMLS, VFP_VNMLA },
	[0x2] = { VFP_VMUL, VFP_VNMUL },
	[0x3] = { VFP_VADD, VFP_VSUB },
	[0x4] = { -1, -1 }, [0x5] = { -1, -1 }, [0x6] = { -1, -1 }, [0x7] = { -1, -1 },
	[0x8] = { VFP_VDIV, -1 },
	[0x9] = { VFP_VFNMS, VFP_VFNMA },
	[0xa] = { VFP_VFMA, VFP_VFMS },
	[0xb] = { -1, -1 }, [0xc] = { -1, -1 }, [0xd] = { -1, -1 }, [0xe] = { -1, -1 },
	[0xf] = { -1, -1 },
};

/* The "other" data-processing group (opc1 = 1x11, bit 6 = 1), by opc2. */
static int decode_dp_other(uint32_t raw, struct vfp_insn *in, bool dp)
{
	unsigned opc2 = bits(raw, 19, 16);
	bool b7 = bit(raw, 7);
	unsigned imm5;

	in->d = vd(raw, dp);
	in->m = vm(raw, dp);
	switch (opc2) {
	case 0x0:
		in->op = b7 ? VFP_VABS : VFP_VMOV_REG;
		in->flags |= VFP_SHVEC;
		return 0;
	case 0x1:
		in->op = b7 ? VFP_VSQRT : VFP_VNEG;
		in->flags |= VFP_SHVEC;
		return 0;
	case 0x2:
	case 0x3:
		if (dp)		/* half <-> double is ARMv8 */
			return -1;
		in->op = opc2 == 2 ? VFP_VCVT_F32_F16 : VFP_VCVT_F16_F32;
		in->flags |= b7 ? VFP_TOP : 0;
		return 0;
	case 0x4:
	case 0x5:
		/* With #0.0, M and Vm are should-be-zero. */
		if (opc2 == 5 && (bit(raw, 5) || bits(raw, 3, 0)))
			return -1;
		in->op = VFP_VCMP;
		in->flags |= (b7 ? VFP_CMPE : 0) | (opc2 == 5 ? VFP_ZERO : 0);
		return 0;
	case 0x7:
		if (!b7)
			return -1;
		in->op = VFP_VCVT_FF;	/* VFP_DP: from double to single */
		in->d = vd(raw, !dp);
		return 0;
	case 0x8:
		in->op = VFP_VCVT_FROMINT;
		in->flags |= b7 ? 0 : VFP_UNSIGNED;
		in->m = vm(raw, false);
		return 0;
	case 0xc:
	case 0xd:
		in->op = VFP_VCVT_TOINT;
		in->flags |= (opc2 == 0xc ? VFP_UNSIGNED : 0) | (b7 ? VFP_RZ : 0);
		in->d = vd(raw, false);
		return 0;
	case 0xa:
	case 0xb:
	case 0xe:
	case 0xf:
		/* Fixed point, in place; bit 5 is part of the immediate. A
		 * negative fraction count (imm > 16 for 16-bit values) is
		 * UNPREDICTABLE; like QEMU we scale by 2^-n. */
		in->op = bit(raw, 18) ? VFP_VCVT_TOFIXED : VFP_VCVT_FROMFIXED;
		in->flags |= (bit(raw, 16) ? VFP_UNSIGNED : 0) | (b7 ? 0 : VFP_SIZE16);
		imm5 = bits(raw, 3, 0) << 1 | bit(raw, 5);
		in->aux = (int8_t)((b7 ? 32 : 16) - (int)imm5);
		in->m = in->d;
		return 0;
	default:
		return -1;
	}
}

/* cond 1110 opc1 opc2 Vd 101 sz opc3 M 0 Vm */
static int decode_dp(uint32_t raw, struct vfp_insn *in)
{
	bool dp = bit(raw, 8);
	unsigned opc1 = bits(raw, 23, 20) & 0xb;	/* bit 22 is D */
	int op;

	if (dp)
		in->flags |= VFP_DP;
	if (opc1 != 0xb) {
		op = three_reg_ops[opc1][bit(raw, 6)];
		if (op < 0)
			return -1;
		in->op = (uint8_t)op;
		in->flags |= VFP_SHVEC;
		in->d = vd(raw, dp);
		in->n = vn(raw, dp);
		in->m = vm(raw, dp);
		return 0;
	}
	if (!bit(raw, 6)) {
		/* VMOV immediate: bits 7:4 are 0, two of them should-be-zero. */
		if (bits(raw, 7, 4) != 0)
			return -1;
		in->op = VFP_VMOV_IMM;
		in->flags |= VFP_SHVEC;
		in->d = vd(raw, dp);
		in->imm = (uint16_t)(bits(raw, 19, 16) << 4 | bits(raw, 3, 0));
		return 0;
	}
	return decode_dp_other(raw, in, dp);
}

/* cond 1110 xxx L xxxx Rt 101x xxx1 xxxx: VMOV single, VMRS/VMSR, VMOV
 * scalar (32-bit only: the 8- and 16-bit forms are Advanced SIMD). */
static int decode_xfer32(uint32_t raw, struct vfp_insn *in)
{
	unsigned rt = bits(raw, 15, 12);
	bool l = bit(raw, 20);

	in->rt = (uint8_t)rt;
	in->flags |= l ? VFP_TO_CORE : 0;
	if (bits(raw, 3, 0) != 0 || bits(raw, 6, 5) != 0)
		return -1;
	if (bit(raw, 8)) {
		/* VMOV.32 Dd[x], Rt / VMOV.32 Rt, Dn[x]: U = opc1<1> = 0. */
		if (bit(raw, 23) || bit(raw, 22) || rt == 15)
			return -1;
		in->op = VFP_VMOV_SCALAR;
		in->d = vn(raw, true);
		in->aux = (int8_t)bit(raw, 21);
		return 0;
	}
	switch (bits(raw, 23, 21)) {
	case 0:
		if (rt == 15)
			return -1;
		in->op = VFP_VMOV_S;
		in->n = vn(raw, false);
		return 0;
	case 7:
		if (bit(raw, 7))
			return -1;
		in->aux = (int8_t)bits(raw, 19, 16);
		switch (in->aux) {
		case VFP_REG_FPSID:
		case VFP_REG_FPSCR:
		case VFP_REG_MVFR0:
		case VFP_REG_MVFR1:
		case VFP_REG_FPEXC:
			break;
		default:	/* FPINST, FPINST2 and the rest: not implemented */
			return -1;
		}
		if (rt == 15 && (!l || in->aux != VFP_REG_FPSCR))
			return -1;
		in->op = l ? VFP_VMRS : VFP_VMSR;
		return 0;
	default:
		return -1;
	}
}

/* cond 1100 010 op Rt2 Rt 101x 00 M 1 Vm */
static int decode_xfer64(uint32_t raw, struct vfp_insn *in, bool dp)
{
	bool l = bit(raw, 20);

	if (bits(raw, 7, 6) != 0 || !bit(raw, 4))
		return -1;
	in->rt = (uint8_t)bits(raw, 15, 12);
	in->rt2 = (uint8_t)bits(raw, 19, 16);
	/* Rt == Rt2 on a move to the core is UNPREDICTABLE: like QEMU, the
	 * second write (the high word) wins. */
	if (in->rt == 15 || in->rt2 == 15)
		return -1;
	in->flags |= l ? VFP_TO_CORE : 0;
	in->m = vm(raw, dp);
	if (dp) {
		in->op = VFP_VMOV_D;
		return 0;
	}
	/* Sm = S31 is UNPREDICTABLE; like QEMU the pair continues into the
	 * low half of D16. */
	in->op = VFP_VMOV_SS;
	return 0;
}

/* cond 110 P U D W L Rn Vd 101x imm8 */
static int decode_ldst(uint32_t raw, struct vfp_insn *in)
{
	bool p = bit(raw, 24), u = bit(raw, 23), w = bit(raw, 21), l = bit(raw, 20);
	bool dp = bit(raw, 8);
	unsigned imm8 = bits(raw, 7, 0), regs;

	if (!p && !u) {
		if (w || !bit(raw, 22))
			return -1;
		return decode_xfer64(raw, in, dp);
	}
	in->flags |= (dp ? VFP_DP : 0) | (u ? VFP_ADD : 0);
	in->d = vd(raw, dp);
	in->n = (uint8_t)bits(raw, 19, 16);
	in->imm = (uint16_t)(imm8 * 4);
	if (p && !w) {
		in->op = l ? VFP_VLDR : VFP_VSTR;
		return 0;
	}
	if (p == u)
		return -1;
	/* Odd imm8 with doubles is FLDMX/FSTMX: one more word is skipped. */
	regs = dp ? imm8 / 2 : imm8;
	if (regs == 0 || in->d + regs > 32 || (dp && regs > 16) || (w && in->n == 15))
		return -1;
	in->op = l ? VFP_VLDM : VFP_VSTM;
	in->aux = (int8_t)regs;
	in->flags |= w ? VFP_WBACK : 0;
	return 0;
}

int vfp_decode(uint32_t raw, struct vfp_insn *out)
{
	memset(out, 0, sizeof(*out));
	if (bits(raw, 11, 9) != 5)	/* coprocessor 10 or 11 */
		return -1;
	if (bit(raw, 8))
		out->flags |= VFP_CP11;
	switch (bits(raw, 27, 24)) {
	case 0xe:
		return bit(raw, 4) ? decode_xfer32(raw, out) : decode_dp(raw, out);
	case 0xc:
	case 0xd:
		return decode_ldst(raw, out);
	default:
		return -1;
	}
}

/* ---- register file ---- */

static uint32_t sreg(const struct arm_cpu *cpu, unsigned i)
{
	return (uint32_t)(cpu->d[i >> 1] >> (32 * (i & 1)));
}

static void set_sreg(struct arm_cpu *cpu, unsigned i, uint32_t v)
{
	unsigned sh = 32 * (i & 1);

	cpu->d[i >> 1] = (cpu->d[i >> 1] & ~(0xffffffffull << sh)) | (uint64_t)v << sh;
}

static uint64_t rd(const struct arm_cpu *cpu, bool dp, unsigned i)
{
	return dp ? cpu->d[i] : sreg(cpu, i);
}

static void wr(struct arm_cpu *cpu, bool dp, unsigned i, uint64_t v)
{
	if (dp)
		cpu->d[i] = v;
	else
		set_sreg(cpu, i, (uint32_t)v);
}

/* VFPExpandImm. */
static uint64_t expand_imm(unsigned imm8, bool dp)
{
	uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, lo = (imm8 >> 4) & 3, frac = imm8 & 0xf;

	if (dp)
		return sign << 63 | ((b6 ^ 1) << 10 | (b6 ? 0xffu : 0) << 2 | lo) << 52 | frac << 48;
	return sign << 31 | ((b6 ^ 1) << 7 | (b6 ? 0x1fu : 0) << 2 | lo) << 23 | frac << 19;
}

/* ---- execution ---- */

/* CPACR (cp10 in bits 21:20, cp11 in 23:22: 01 PL1 only, 11 full, else
 * none) and FPEXC.EN. With the unit disabled PL1 can still reach FPEXC
 * and the ID registers, to find and enable it. */
static bool vfp_accessible(const struct arm_cpu *cpu, const struct vfp_insn *in)
{
	unsigned cp = in->flags & VFP_CP11 ? 11 : 10;
	unsigned acc = (cpu->cpacr >> (2 * cp)) & 3;
	bool priv = arm_privileged(cpu);

	if (acc != 3 && !(acc == 1 && priv))
		return false;
	if (cpu->fpexc & FPEXC_EN)
		return true;
	return priv && (in->op == VFP_VMRS || in->op == VFP_VMSR) && in->aux != VFP_REG_FPSCR;
}

static void exec_arith(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	bool dp = in->flags & VFP_DP;
	enum fp_fmt f = dp ? FP_F64 : FP_F32;
	uint32_t *fps = &cpu->fpscr;
	uint64_t d = rd(cpu, dp, in->d), n = rd(cpu, dp, in->n), m = rd(cpu, dp, in->m), r;

	switch (in->op) {
	case VFP_VMLA:
		r = fp_add(f, d, fp_mul(f, n, m, fps), fps);
		break;
	case VFP_VMLS:
		r = fp_add(f, d, fp_neg(f, fp_mul(f, n, m, fps)), fps);
		break;
	case VFP_VNMLA:
		r = fp_mul(f, n, m, fps);
		r = fp_add(f, fp_neg(f, d), fp_neg(f, r), fps);
		break;
	case VFP_VNMLS:
		r = fp_mul(f, n, m, fps);
		r = fp_add(f, fp_neg(f, d), r, fps);
		break;
	case VFP_VNMUL:
		r = fp_neg(f, fp_mul(f, n, m, fps));
		break;
	case VFP_VMUL:
		r = fp_mul(f, n, m, fps);
		break;
	case VFP_VADD:
		r = fp_add(f, n, m, fps);
		break;
	case VFP_VSUB:
		r = fp_sub(f, n, m, fps);
		break;
	case VFP_VDIV:
		r = fp_div(f, n, m, fps);
		break;
	/* The fused forms negate operands first: a NaN keeps the flip. */
	case VFP_VFMA:
		r = fp_muladd(f, d, n, m, fps);
		break;
	case VFP_VFMS:
		r = fp_muladd(f, d, fp_neg(f, n), m, fps);
		break;
	case VFP_VFNMA:
		r = fp_muladd(f, fp_neg(f, d), fp_neg(f, n), m, fps);
		break;
	case VFP_VFNMS:
		r = fp_muladd(f, fp_neg(f, d), n, m, fps);
		break;
	case VFP_VMOV_IMM:
		r = expand_imm(in->imm, dp);
		break;
	case VFP_VMOV_REG:
		r = m;
		break;
	case VFP_VABS:
		r = fp_abs(f, m);
		break;
	case VFP_VNEG:
		r = fp_neg(f, m);
		break;
	default:	/* VFP_VSQRT */
		r = fp_sqrt(f, m, fps);
		break;
	}
	wr(cpu, dp, in->d, r);
}

static void exec_convert(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	bool dp = in->flags & VFP_DP, uns = in->flags & VFP_UNSIGNED;
	enum fp_fmt f = dp ? FP_F64 : FP_F32;
	uint32_t *fps = &cpu->fpscr;
	unsigned sh = in->flags & VFP_TOP ? 16 : 0, nzcv, size;
	uint64_t m = rd(cpu, dp, in->m), r;

	switch (in->op) {
	case VFP_VCMP:
		nzcv = fp_compare(f, rd(cpu, dp, in->d), in->flags & VFP_ZERO ? 0 : m,
				  in->flags & VFP_CMPE, fps);
		cpu->fpscr = (cpu->fpscr & 0x0fffffffu) | nzcv << FPSCR_NZCV_SHIFT;
		break;
	case VFP_VCVT_F32_F16:
		set_sreg(cpu, in->d, (uint32_t)fp_convert(FP_F32, FP_F16, (sreg(cpu, in->m) >> sh) & 0xffff, fps));
		break;
	case VFP_VCVT_F16_F32:
		r = fp_convert(FP_F16, FP_F32, sreg(cpu, in->m), fps);
		set_sreg(cpu, in->d, (sreg(cpu, in->d) & ~(0xffffu << sh)) | (uint32_t)r << sh);
		break;
	case VFP_VCVT_FF:
		if (dp)
			set_sreg(cpu, in->d, (uint32_t)fp_convert(FP_F32, FP_F64, m, fps));
		else
			cpu->d[in->d] = fp_convert(FP_F64, FP_F32, m, fps);
		break;
	case VFP_VCVT_TOINT:
		set_sreg(cpu, in->d, fp_to_fixed(f, m, 32, 0, uns, in->flags & VFP_RZ, fps));
		break;
	case VFP_VCVT_FROMINT:
		wr(cpu, dp, in->d, fp_from_fixed(f, sreg(cpu, in->m), 32, 0, uns, false, fps));
		break;
	case VFP_VCVT_TOFIXED:
		size = in->flags & VFP_SIZE16 ? 16 : 32;
		r = fp_to_fixed(f, m, size, in->aux, uns, true, fps);
		/* The result is sign- or zero-extended to the whole register. */
		wr(cpu, dp, in->d, uns ? r : (uint64_t)(int64_t)(int32_t)r);
		break;
	default:
		/* VFP_VCVT_FROMFIXED: the low bits of the register, always
		 * rounded to nearest (ARM ARM: round_nearest = !to_fixed). */
		size = in->flags & VFP_SIZE16 ? 16 : 32;
		wr(cpu, dp, in->d, fp_from_fixed(f, (uint32_t)m, size, in->aux, uns, true, fps));
		break;
	}
}

static enum arm_exit exec_vmrs(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	uint32_t v;

	if (in->aux != VFP_REG_FPSCR && !arm_privileged(cpu))
		return ARM_EXIT_UNDEF;
	switch (in->aux) {
	case VFP_REG_FPSCR:
		v = cpu->fpscr;
		break;
	case VFP_REG_FPSID:
		v = VFP_FPSID;
		break;
	case VFP_REG_MVFR0:
		v = VFP_MVFR0;
		break;
	case VFP_REG_MVFR1:
		v = VFP_MVFR1;
		break;
	default:
		v = cpu->fpexc;
		break;
	}
	if (in->rt == 15) {	/* VMRS APSR_nzcv, FPSCR */
		cpu->n = v >> 31;
		cpu->z = (v >> 30) & 1;
		cpu->c = (v >> 29) & 1;
		cpu->v = (v >> 28) & 1;
	} else {
		cpu->r[in->rt] = v;
	}
	return ARM_EXIT_NONE;
}

static enum arm_exit exec_vmsr(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	uint32_t v = arm_read_reg(cpu, in->rt);

	if (in->aux == VFP_REG_FPSCR) {
		cpu->fpscr = v & FPSCR_WRITABLE;
		return ARM_EXIT_NONE;
	}
	if (!arm_privileged(cpu))
		return ARM_EXIT_UNDEF;
	/* Only EN is writable: no asynchronous exceptions (EX, DEX, ...
	 * RAZ/WI). Writes to the ID registers are ignored. */
	if (in->aux == VFP_REG_FPEXC)
		cpu->fpexc = v & FPEXC_EN;
	return ARM_EXIT_NONE;
}

static enum arm_exit exec_xfer(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	bool to_core = in->flags & VFP_TO_CORE;
	unsigned idx;

	switch (in->op) {
	case VFP_VMOV_S:
		if (to_core)
			cpu->r[in->rt] = sreg(cpu, in->n);
		else
			set_sreg(cpu, in->n, arm_read_reg(cpu, in->rt));
		return ARM_EXIT_NONE;
	case VFP_VMOV_SS:
	case VFP_VMOV_D:
		idx = in->op == VFP_VMOV_D ? 2u * in->m : in->m;
		if (to_core) {
			cpu->r[in->rt] = sreg(cpu, idx);
			cpu->r[in->rt2] = sreg(cpu, idx + 1);
		} else {
			set_sreg(cpu, idx, arm_read_reg(cpu, in->rt));
			set_sreg(cpu, idx + 1, arm_read_reg(cpu, in->rt2));
		}
		return ARM_EXIT_NONE;
	case VFP_VMOV_SCALAR:
		idx = 2u * in->d + (unsigned)in->aux;
		if (to_core)
			cpu->r[in->rt] = sreg(cpu, idx);
		else
			set_sreg(cpu, idx, arm_read_reg(cpu, in->rt));
		return ARM_EXIT_NONE;
	case VFP_VMRS:
		return exec_vmrs(cpu, in);
	default:
		return exec_vmsr(cpu, in);
	}
}

/* A doubleword from two words in address order (CPSR.E swaps them). */
static uint64_t join_words(const struct arm_cpu *cpu, uint32_t first, uint32_t second)
{
	if (cpu->cpsr_ctl & CPSR_E)
		return (uint64_t)first << 32 | second;
	return (uint64_t)second << 32 | first;
}

static void store_double(struct arm_cpu *cpu, uint32_t addr, uint64_t v)
{
	bool be = cpu->cpsr_ctl & CPSR_E;

	arm_st32_aligned(cpu, addr, (uint32_t)(be ? v >> 32 : v));
	arm_st32_aligned(cpu, addr + 4, (uint32_t)(be ? v : v >> 32));
}

static void exec_vldr_vstr(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	bool dp = in->flags & VFP_DP;
	uint32_t base = in->n == 15 ? arm_read_reg(cpu, 15) & ~3u : cpu->r[in->n];
	uint32_t addr = in->flags & VFP_ADD ? base + in->imm : base - in->imm;
	uint32_t w0, w1;

	if (in->op == VFP_VSTR) {
		if (dp)
			store_double(cpu, addr, cpu->d[in->d]);
		else
			arm_st32_aligned(cpu, addr, sreg(cpu, in->d));
		return;
	}
	if (dp) {
		w0 = arm_ld32_aligned(cpu, addr);
		w1 = arm_ld32_aligned(cpu, addr + 4);
		cpu->d[in->d] = join_words(cpu, w0, w1);
	} else {
		set_sreg(cpu, in->d, arm_ld32_aligned(cpu, addr));
	}
}

/* VLDM/VSTM (and VPUSH/VPOP, FLDMX/FSTMX). Loads go to a buffer first and
 * the base is written back last, so a fault changes no register. */
static void exec_vldm_vstm(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	bool dp = in->flags & VFP_DP, add = in->flags & VFP_ADD;
	uint32_t base = arm_read_reg(cpu, in->n);
	uint32_t addr = add ? base : base - in->imm;
	unsigned regs = (unsigned)in->aux;
	uint32_t w[32];

	if (in->op == VFP_VSTM) {
		for (unsigned i = 0; i < regs; i++) {
			if (dp)
				store_double(cpu, addr + 8 * i, cpu->d[in->d + i]);
			else
				arm_st32_aligned(cpu, addr + 4 * i, sreg(cpu, in->d + i));
		}
	} else {
		for (unsigned i = 0; i < (dp ? 2 * regs : regs); i++)
			w[i] = arm_ld32_aligned(cpu, addr + 4 * i);
		for (unsigned i = 0; i < regs; i++) {
			if (dp)
				cpu->d[in->d + i] = join_words(cpu, w[2 * i], w[2 * i + 1]);
			else
				set_sreg(cpu, in->d + i, w[i]);
		}
	}
	if (in->flags & VFP_WBACK)
		cpu->r[in->n] = add ? base + in->imm : base - in->imm;
}

enum arm_exit vfp_execute(struct arm_cpu *cpu, const struct vfp_insn *in)
{
	if (!vfp_accessible(cpu, in))
		return ARM_EXIT_UNDEF;
	/* No short vectors (MVFR0[27:24] = 0): the vector-capable
	 * data-processing instructions are UNDEFINED while Len or Stride is
	 * nonzero. */
	if ((in->flags & VFP_SHVEC) && (cpu->fpscr & (FPSCR_LEN_MASK | FPSCR_STRIDE_MASK)))
		return ARM_EXIT_UNDEF;
	switch (in->op) {
	case VFP_VMLA ... VFP_VSQRT:
		exec_arith(cpu, in);
		return ARM_EXIT_NONE;
	case VFP_VCVT_F32_F16 ... VFP_VCVT_FROMFIXED:
		exec_convert(cpu, in);
		return ARM_EXIT_NONE;
	case VFP_VMOV_S ... VFP_VMSR:
		return exec_xfer(cpu, in);
	case VFP_VLDR:
	case VFP_VSTR:
		exec_vldr_vstr(cpu, in);
		return ARM_EXIT_NONE;
	case VFP_VLDM:
	case VFP_VSTM:
		exec_vldm_vstm(cpu, in);
		return ARM_EXIT_NONE;
	default:
		return ARM_EXIT_UNDEF;
	}
}
