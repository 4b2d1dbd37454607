/* vfp.h — the VFP extension: VFPv3-D32 with the VFPv4 fused multiply-add
 * and half-precision conversions, no Advanced SIMD.
 *
 * The integer decoders hand every cp10/cp11 coprocessor encoding here:
 * vfp_decode() turns it into a struct vfp_insn (cached with the decoded
 * instruction) and vfp_execute() runs it after the caller has checked the
 * condition. Arithmetic lives in fparith.c.
 *
 * ID registers (what a guest sees):
 *   FPSID 0x41023075  Cortex-A7 r0p5: implementer ARM, no software-only
 *                     VFP, subarchitecture 2 (common VFPv3+), part 0x30.
 *   MVFR0 0x10110222  rounding modes, no short vectors, sqrt, divide, no
 *                     trapping, double, single, 32 doubleword registers.
 *   MVFR1 0x11000011  [31:28]=1 fused MAC (VFPv4; Linux's HWCAP_VFPv4
 *                     test), [27:24]=1 VFP half-precision conversion,
 *                     [23:8]=0 no Advanced SIMD (half, single, integer,
 *                     load/store), [7:4]=1 NaN propagation (not only
 *                     default NaN), [3:0]=1 full denormal arithmetic. */
#ifndef HSPT_TRANSLATE_VFP_H
#define HSPT_TRANSLATE_VFP_H

#include <stdint.h>

#include "translate/cpu.h"

#define VFP_FPSID 0x41023075u
#define VFP_MVFR0 0x10110222u
#define VFP_MVFR1 0x11000011u

#define FPEXC_EN (1u << 30)

/* VMRS/VMSR register numbers (the reg field). */
enum vfp_sysreg {
	VFP_REG_FPSID = 0,
	VFP_REG_FPSCR = 1,
	VFP_REG_MVFR1 = 6,
	VFP_REG_MVFR0 = 7,
	VFP_REG_FPEXC = 8,
};

enum vfp_op {
	/* data processing, three registers */
	VFP_VMLA, VFP_VMLS, VFP_VNMLA, VFP_VNMLS, VFP_VNMUL, VFP_VMUL,
	VFP_VADD, VFP_VSUB, VFP_VDIV,
	VFP_VFMA, VFP_VFMS, VFP_VFNMA, VFP_VFNMS,
	/* data processing, two registers or immediate */
	VFP_VMOV_IMM,		/* aux = imm8 */
	VFP_VMOV_REG, VFP_VABS, VFP_VNEG, VFP_VSQRT,
	VFP_VCVT_F32_F16,	/* VCVTB/VCVTT.F32.F16 (VFP_TOP: Sm[31:16]) */
	VFP_VCVT_F16_F32,	/* VCVTB/VCVTT.F16.F32 (VFP_TOP: Sd[31:16]) */
	VFP_VCMP,		/* VFP_CMPE, VFP_ZERO */
	VFP_VCVT_FF,		/* single <-> double; VFP_DP: from double */
	VFP_VCVT_TOINT,		/* float to (un)signed int in Sd; VFP_RZ */
	VFP_VCVT_FROMINT,	/* (un)signed int in Sm to float */
	VFP_VCVT_TOFIXED,	/* in place; aux = fraction bits; VFP_SIZE16 */
	VFP_VCVT_FROMFIXED,
	/* transfers */
	VFP_VMOV_S,		/* Sn <-> Rt (VFP_TO_CORE) */
	VFP_VMOV_SS,		/* Sm, Sm+1 <-> Rt, Rt2 */
	VFP_VMOV_D,		/* Dm <-> Rt, Rt2 */
	VFP_VMOV_SCALAR,	/* Dd[aux] <-> Rt, 32-bit */
	VFP_VMRS,		/* aux = enum vfp_sysreg; Rt 15 = APSR_nzcv */
	VFP_VMSR,
	VFP_VLDR, VFP_VSTR,	/* imm = byte offset; VFP_ADD */
	VFP_VLDM, VFP_VSTM,	/* aux = registers, imm = bytes moved; VFP_ADD, VFP_WBACK */
};

/* flags */
#define VFP_DP		0x01	/* double-precision registers / operation */
#define VFP_CP11	0x02	/* coprocessor 11 (for CPACR) */
#define VFP_TO_CORE	0x04	/* transfers: towards the core registers */
#define VFP_UNSIGNED	0x08	/* conversions */
#define VFP_SHVEC	0x10	/* UNDEFINED while FPSCR.Len/Stride != 0 */
#define VFP_RZ		0x20	/* VCVT to integer rounds towards zero */
#define VFP_CMPE	0x20	/* VCMPE */
#define VFP_TOP		0x20	/* VCVTT */
#define VFP_ADD		0x20	/* loads/stores: U, add the offset */
#define VFP_ZERO	0x40	/* VCMP with #0.0 */
#define VFP_SIZE16	0x40	/* fixed-point VCVT on 16-bit values */
#define VFP_WBACK	0x40	/* VLDM/VSTM write-back */

/* One decoded instruction. Register numbers are S indices (0-31) or D
 * indices (0-31) as the operation needs; rt/rt2/n are core registers for
 * transfers (n is the base register of loads and stores). */
struct vfp_insn {
	uint8_t op;		/* enum vfp_op */
	uint8_t flags;
	uint8_t d, n, m;
	uint8_t rt, rt2;
	int8_t aux;		/* see enum vfp_op */
	uint16_t imm;
};

_Static_assert(sizeof(struct vfp_insn) <= 16, "vfp_insn is embedded in decoded insns");

/* Decode raw, an A32 cp10/cp11 encoding (bits 31:28 are ignored: the
 * caller checks the condition) or a T32 one as hw1 << 16 | hw2 with the
 * same low 28 bits. Returns 0, or -1 if raw is not a VFP instruction this
 * CPU implements (the caller raises UNDEFINED). UNPREDICTABLE encodings
 * decode as -1 too. */
int vfp_decode(uint32_t raw, struct vfp_insn *out);

/* Execute one decoded instruction: ARM_EXIT_NONE, or ARM_EXIT_UNDEF when
 * CPACR, FPEXC.EN, the privilege level or FPSCR.Len/Stride forbid it.
 * Loads and stores follow the executor contract (cpu.h): a fault leaves
 * through cpu->mmu->recover with no register changed. */
enum arm_exit vfp_execute(struct arm_cpu *cpu, const struct vfp_insn *in);

#endif
