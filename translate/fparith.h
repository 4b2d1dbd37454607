/* fparith.h — ARM floating-point arithmetic, bit-exact with the ARM ARM
 * (ARMv7-A/R, A2.7 and the VFP pseudocode library: FPUnpack, FPRound,
 * FPProcessNaN(s), FPAdd, FPMul, FPMulAdd, FPDiv, FPSqrt, FPCompare,
 * FPToFixed, FixedToFP and the format conversions).
 *
 * Every operation takes its operands as raw bit patterns of one format and
 * a pointer to the FPSCR: it reads the controls there (AHP, DN, FZ, RMode)
 * and ORs in the cumulative exception flags it raises (IOC, DZC, OFC, UFC,
 * IXC, IDC). Trapped exceptions are not implemented (the enable bits are
 * RAZ/WI, as on Cortex-A7/A15), so a flag never stops an operation. */
#ifndef HSPT_TRANSLATE_FPARITH_H
#define HSPT_TRANSLATE_FPARITH_H

#include <stdbool.h>
#include <stdint.h>

/* FPSCR fields. */
#define FPSCR_IOC	(1u << 0)
#define FPSCR_DZC	(1u << 1)
#define FPSCR_OFC	(1u << 2)
#define FPSCR_UFC	(1u << 3)
#define FPSCR_IXC	(1u << 4)
#define FPSCR_IDC	(1u << 7)
#define FPSCR_LEN_MASK	(7u << 16)
#define FPSCR_STRIDE_MASK (3u << 20)
#define FPSCR_RMODE_SHIFT 22
#define FPSCR_RMODE_MASK (3u << 22)
#define FPSCR_FZ	(1u << 24)
#define FPSCR_DN	(1u << 25)
#define FPSCR_AHP	(1u << 26)
#define FPSCR_QC	(1u << 27)
#define FPSCR_NZCV_SHIFT 28
#define FPSCR_CUMULATIVE (FPSCR_IOC | FPSCR_DZC | FPSCR_OFC | FPSCR_UFC | FPSCR_IXC | FPSCR_IDC)

/* FPSCR.RMode values. */
enum fp_rmode {
	FP_RN = 0,	/* to nearest, ties to even */
	FP_RP = 1,	/* towards +infinity */
	FP_RM = 2,	/* towards -infinity */
	FP_RZ = 3,	/* towards zero */
};

/* Formats. Operands and results are the low 16, 32 or 64 bits. */
enum fp_fmt {
	FP_F16,
	FP_F32,
	FP_F64,
};

uint64_t fp_add(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr);
uint64_t fp_sub(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr);
uint64_t fp_mul(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr);
uint64_t fp_div(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr);
/* FPMulAdd: addend + op1 * op2 with a single rounding (VFPv4 VFMA). */
uint64_t fp_muladd(enum fp_fmt fmt, uint64_t addend, uint64_t op1, uint64_t op2,
		   uint32_t *fpscr);
uint64_t fp_sqrt(enum fp_fmt fmt, uint64_t a, uint32_t *fpscr);
/* FPNeg/FPAbs: sign-bit operations, no exceptions, no NaN processing. */
uint64_t fp_neg(enum fp_fmt fmt, uint64_t a);
uint64_t fp_abs(enum fp_fmt fmt, uint64_t a);

/* FPCompare: the NZCV nibble (0110 equal, 1000 less, 0010 greater, 0011
 * unordered). quiet_nan_exc: a quiet NaN raises Invalid too (VCMPE). */
unsigned fp_compare(enum fp_fmt fmt, uint64_t a, uint64_t b, bool quiet_nan_exc,
		    uint32_t *fpscr);

/* Format conversion (FPSingleToDouble, FPDoubleToSingle, FPHalfToSingle,
 * FPSingleToHalf); to != from. */
uint64_t fp_convert(enum fp_fmt to, enum fp_fmt from, uint64_t a, uint32_t *fpscr);

/* FPToFixed: a * 2^fbits to a size-bit (16 or 32) integer, saturating,
 * rounded towards zero if round_zero else by FPSCR.RMode. The result is
 * sign- or zero-extended to 32 bits. */
uint32_t fp_to_fixed(enum fp_fmt fmt, uint64_t a, unsigned size, int fbits,
		     bool is_unsigned, bool round_zero, uint32_t *fpscr);
/* FixedToFP: the low size bits of v as a (un)signed fixed-point number
 * with fbits fraction bits, rounded to nearest if round_nearest else by
 * FPSCR.RMode. */
uint64_t fp_from_fixed(enum fp_fmt fmt, uint32_t v, unsigned size, int fbits,
		       bool is_unsigned, bool round_nearest, uint32_t *fpscr);

uint64_t fp_default_nan(enum fp_fmt fmt);

#endif
