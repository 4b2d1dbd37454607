/* fparith.c — ARM floating-point arithmetic in software.
 *
 * Each function follows the ARM ARM pseudocode of the same name. Why not
 * the host FPU: SSE returns the first NaN operand where ARM prefers a
 * signalling one, detects tininess after rounding where ARMv7 detects it
 * before, flushes to zero with different flags, and an exact fused
 * multiply-add needs FMA3, which x86-64 does not guarantee. Integer
 * arithmetic on 128-bit mantissas is exact by construction instead.
 *
 * A finite nonzero value travels as (sign, mant, exp) meaning
 * mant * 2^exp exactly, or, with `sticky` set, that plus something in
 * (0, 2^exp): the bits a step had to drop, which matter to rounding only as
 * "not exact" and "above half". round_pack() is FPRound and the single place
 * that produces a finite nonzero result. */
#include "translate/fparith.h"

typedef unsigned __int128 u128;

struct fmt_info {
	unsigned ebits;		/* exponent field width */
	unsigned fbits;		/* fraction field width */
	int emin;		/* exponent of the smallest normal */
	int bias;
};

static const struct fmt_info fmts[] = {
	[FP_F16] = { .ebits = 5, .fbits = 10, .emin = -14, .bias = 15 },
	[FP_F32] = { .ebits = 8, .fbits = 23, .emin = -126, .bias = 127 },
	[FP_F64] = { .ebits = 11, .fbits = 52, .emin = -1022, .bias = 1023 },
};

enum fp_type { T_ZERO, T_NONZERO, T_INF, T_QNAN, T_SNAN };

struct unpacked {
	enum fp_type type;
	bool sign;
	int exp;		/* T_NONZERO: value = mant * 2^exp */
	uint64_t mant;
};

/* Where the dropped part of a value lies between two representable ones. */
enum rest { R_EXACT, R_BELOW_HALF, R_HALF, R_ABOVE_HALF };

static inline uint64_t mask64(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static inline int msb128(u128 m)
{
	uint64_t hi = (uint64_t)(m >> 64);

	return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)m);
}

static inline bool is_nan(enum fp_type t)
{
	return t == T_QNAN || t == T_SNAN;
}

static inline unsigned rmode(uint32_t fpscr)
{
	return (fpscr & FPSCR_RMODE_MASK) >> FPSCR_RMODE_SHIFT;
}

static inline uint64_t sign_bit(enum fp_fmt fmt, bool sign)
{
	const struct fmt_info *f = &fmts[fmt];

	return (uint64_t)sign << (f->ebits + f->fbits);
}

static uint64_t fp_zero(enum fp_fmt fmt, bool sign)
{
	return sign_bit(fmt, sign);
}

static uint64_t fp_inf(enum fp_fmt fmt, bool sign)
{
	const struct fmt_info *f = &fmts[fmt];

	return sign_bit(fmt, sign) | mask64(f->ebits) << f->fbits;
}

static uint64_t fp_max_normal(enum fp_fmt fmt, bool sign)
{
	const struct fmt_info *f = &fmts[fmt];

	return sign_bit(fmt, sign) | (mask64(f->ebits) - 1) << f->fbits | mask64(f->fbits);
}

uint64_t fp_default_nan(enum fp_fmt fmt)
{
	const struct fmt_info *f = &fmts[fmt];

	return fp_inf(fmt, false) | 1ull << (f->fbits - 1);
}

uint64_t fp_neg(enum fp_fmt fmt, uint64_t a)
{
	return a ^ sign_bit(fmt, true);
}

uint64_t fp_abs(enum fp_fmt fmt, uint64_t a)
{
	return a & ~sign_bit(fmt, true);
}

/* FPUnpack. Single and double denormals become zeros under FZ, raising
 * Input Denormal; half precision ignores FZ and, with AHP, has no
 * infinities or NaNs. */
static struct unpacked unpack(enum fp_fmt fmt, uint64_t v, uint32_t *fpscr)
{
	const struct fmt_info *f = &fmts[fmt];
	uint64_t frac = v & mask64(f->fbits);
	uint64_t e = (v >> f->fbits) & mask64(f->ebits);
	struct unpacked u = { .sign = (v >> (f->ebits + f->fbits)) & 1 };

	if (e == 0) {
		if (frac == 0) {
			u.type = T_ZERO;
		} else if (fmt != FP_F16 && (*fpscr & FPSCR_FZ)) {
			u.type = T_ZERO;
			*fpscr |= FPSCR_IDC;
		} else {
			u.type = T_NONZERO;
			u.mant = frac;
			u.exp = f->emin - (int)f->fbits;
		}
	} else if (e == mask64(f->ebits) && !(fmt == FP_F16 && (*fpscr & FPSCR_AHP))) {
		if (frac == 0)
			u.type = T_INF;
		else
			u.type = (frac >> (f->fbits - 1)) & 1 ? T_QNAN : T_SNAN;
	} else {
		u.type = T_NONZERO;
		u.mant = frac | 1ull << f->fbits;
		u.exp = (int)e - f->bias - (int)f->fbits;
	}
	return u;
}

/* FPProcessNaN: quieten a signalling NaN (raising Invalid), or replace
 * any NaN by the default one under DN. */
static uint64_t process_nan(enum fp_fmt fmt, enum fp_type t, uint64_t op, uint32_t *fpscr)
{
	if (t == T_SNAN) {
		op |= 1ull << (fmts[fmt].fbits - 1);
		*fpscr |= FPSCR_IOC;
	}
	if (*fpscr & FPSCR_DN)
		op = fp_default_nan(fmt);
	return op;
}

/* FPProcessNaNs: the first signalling NaN wins, else the first quiet one. */
static bool process_nans(enum fp_fmt fmt, const struct unpacked *u1, const struct unpacked *u2,
			 uint64_t op1, uint64_t op2, uint32_t *fpscr, uint64_t *res)
{
	if (u1->type == T_SNAN)
		*res = process_nan(fmt, u1->type, op1, fpscr);
	else if (u2->type == T_SNAN)
		*res = process_nan(fmt, u2->type, op2, fpscr);
	else if (u1->type == T_QNAN)
		*res = process_nan(fmt, u1->type, op1, fpscr);
	else if (u2->type == T_QNAN)
		*res = process_nan(fmt, u2->type, op2, fpscr);
	else
		return false;
	return true;
}

/* FPProcessNaNs3, operands in the pseudocode's order (addend first). */
static bool process_nans3(enum fp_fmt fmt, const struct unpacked *u, const uint64_t *op,
			  uint32_t *fpscr, uint64_t *res)
{
	for (int quiet = 0; quiet < 2; quiet++) {
		for (int i = 0; i < 3; i++) {
			if (u[i].type == (quiet ? T_QNAN : T_SNAN)) {
				*res = process_nan(fmt, u[i].type, op[i], fpscr);
				return true;
			}
		}
	}
	return false;
}

/* Split m (with `sticky` below it) at bit `shift`: the integer part and
 * where the dropped part lies. m's top bit is below bit 127. */
static uint64_t split(u128 m, int shift, bool sticky, enum rest *rest)
{
	u128 rem, half;

	if (shift <= 0) {
		*rest = sticky ? R_BELOW_HALF : R_EXACT;
		return (uint64_t)(m << -shift);
	}
	if (shift >= 128) {
		*rest = R_BELOW_HALF;	/* m < 2^127 <= half */
		return 0;
	}
	rem = m & (((u128)1 << shift) - 1);
	half = (u128)1 << (shift - 1);
	if (rem == 0 && !sticky)
		*rest = R_EXACT;
	else if (rem < half)
		*rest = R_BELOW_HALF;
	else if (rem == half && !sticky)
		*rest = R_HALF;
	else
		*rest = R_ABOVE_HALF;
	return (uint64_t)(m >> shift);
}

/* FPRound of sign * (mant + sticky) * 2^exp, mant != 0. Tininess is
 * detected before rounding; FZ flushes such results to zero with UFC and
 * without IXC; otherwise Underflow needs the result to be inexact too. */
static uint64_t round_pack(enum fp_fmt fmt, bool sign, int exp, u128 mant, bool sticky, uint32_t *fpscr)
{
	const struct fmt_info *f = &fmts[fmt];
	uint32_t ctl = *fpscr;
	int exponent = exp + msb128(mant);	/* value in [2^exponent, 2^(exponent+1)) */
	int biased, lsb;
	enum rest rest;
	uint64_t int_mant, res;
	bool up, overflow_to_inf, inexact;

	if (fmt != FP_F16 && (ctl & FPSCR_FZ) && exponent < f->emin) {
		*fpscr |= FPSCR_UFC;
		return fp_zero(fmt, sign);
	}
	biased = exponent - f->emin + 1;
	if (biased < 0)
		biased = 0;
	/* Weight of the result's last bit: denormals keep emin's. */
	lsb = (biased == 0 ? f->emin : exponent) - (int)f->fbits;
	int_mant = split(mant, lsb - exp, sticky, &rest);
	if (biased == 0 && rest != R_EXACT)
		*fpscr |= FPSCR_UFC;

	switch (rmode(ctl)) {
	case FP_RN:
		up = rest == R_ABOVE_HALF || (rest == R_HALF && (int_mant & 1));
		overflow_to_inf = true;
		break;
	case FP_RP:
		up = rest != R_EXACT && !sign;
		overflow_to_inf = !sign;
		break;
	case FP_RM:
		up = rest != R_EXACT && sign;
		overflow_to_inf = sign;
		break;
	default:
		up = false;
		overflow_to_inf = false;
		break;
	}
	if (up) {
		int_mant++;
		if (int_mant == 1ull << f->fbits)	/* denormal rounded up to normal */
			biased = 1;
		if (int_mant == 2ull << f->fbits) {	/* carried into the exponent */
			biased++;
			int_mant >>= 1;
		}
	}

	inexact = rest != R_EXACT;
	if (fmt != FP_F16 || !(ctl & FPSCR_AHP)) {
		if (biased >= (int)mask64(f->ebits)) {
			res = overflow_to_inf ? fp_inf(fmt, sign) : fp_max_normal(fmt, sign);
			*fpscr |= FPSCR_OFC;
			inexact = true;
		} else {
			res = sign_bit(fmt, sign) | (uint64_t)biased << f->fbits |
			      (int_mant & mask64(f->fbits));
		}
	} else if (biased >= 1 << f->ebits) {
		/* Alternative half precision saturates and calls it Invalid. */
		res = sign_bit(fmt, sign) | 0x7fff;
		*fpscr |= FPSCR_IOC;
		inexact = false;
	} else {
		res = sign_bit(fmt, sign) | (uint64_t)biased << f->fbits | (int_mant & mask64(f->fbits));
	}
	if (inexact)
		*fpscr |= FPSCR_IXC;
	return res;
}

/* An exact zero result of an addition: its sign depends on RMode. */
static uint64_t exact_zero_sum(enum fp_fmt fmt, uint32_t fpscr)
{
	return fp_zero(fmt, rmode(fpscr) == FP_RM);
}

/* Round (sa, ma * 2^ea) + (sb, mb * 2^eb); mantissas below 2^126. Both are
 * left-justified to bit 125, then the smaller is shifted right with a
 * sticky bit. Bits are dropped only when the exponents differ by two or
 * more; the difference then still has its top bit at 124 or above, far
 * above the rounding point, so the sticky bit decides rounding exactly. */
static uint64_t add_round(enum fp_fmt fmt, bool sa, int ea, u128 ma, bool sb, int eb, u128 mb,
			  uint32_t *fpscr)
{
	bool sticky = false, ts;
	u128 m, tm;
	int sh, te;
	unsigned d;

	if (ma == 0 && mb == 0)
		return exact_zero_sum(fmt, *fpscr);
	if (ma == 0)
		return round_pack(fmt, sb, eb, mb, false, fpscr);
	if (mb == 0)
		return round_pack(fmt, sa, ea, ma, false, fpscr);
	sh = 125 - msb128(ma);
	ma <<= sh;
	ea -= sh;
	sh = 125 - msb128(mb);
	mb <<= sh;
	eb -= sh;
	if (ea < eb || (ea == eb && ma < mb)) {
		ts = sa, sa = sb, sb = ts;
		te = ea, ea = eb, eb = te;
		tm = ma, ma = mb, mb = tm;
	}
	d = (unsigned)(ea - eb);
	if (d >= 128) {
		sticky = true;
		mb = 0;
	} else if (d) {
		sticky = (mb & (((u128)1 << d) - 1)) != 0;
		mb >>= d;
	}
	if (sa == sb) {
		m = ma + mb;
	} else {
		m = ma - mb - sticky;
		if (m == 0 && !sticky)
			return exact_zero_sum(fmt, *fpscr);
	}
	return round_pack(fmt, sa, ea, m, sticky, fpscr);
}

/* FPAdd. */
uint64_t fp_add(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr)
{
	struct unpacked u1 = unpack(fmt, a, fpscr);
	struct unpacked u2 = unpack(fmt, b, fpscr);
	bool inf1 = u1.type == T_INF, inf2 = u2.type == T_INF;
	uint64_t res;

	if (process_nans(fmt, &u1, &u2, a, b, fpscr, &res))
		return res;
	if (inf1 && inf2 && u1.sign != u2.sign) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	if (inf1)
		return fp_inf(fmt, u1.sign);
	if (inf2)
		return fp_inf(fmt, u2.sign);
	if (u1.type == T_ZERO && u2.type == T_ZERO && u1.sign == u2.sign)
		return fp_zero(fmt, u1.sign);
	return add_round(fmt, u1.sign, u1.exp, u1.mant, u2.sign, u2.exp, u2.mant, fpscr);
}

/* FPSub (FPAdd with the second operand's sign flipped, except NaNs). */
uint64_t fp_sub(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr)
{
	struct unpacked u1 = unpack(fmt, a, fpscr);
	struct unpacked u2 = unpack(fmt, b, fpscr);
	bool inf1 = u1.type == T_INF, inf2 = u2.type == T_INF;
	uint64_t res;

	if (process_nans(fmt, &u1, &u2, a, b, fpscr, &res))
		return res;
	if (inf1 && inf2 && u1.sign == u2.sign) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	if (inf1)
		return fp_inf(fmt, u1.sign);
	if (inf2)
		return fp_inf(fmt, !u2.sign);
	if (u1.type == T_ZERO && u2.type == T_ZERO && u1.sign != u2.sign)
		return fp_zero(fmt, u1.sign);
	return add_round(fmt, u1.sign, u1.exp, u1.mant, !u2.sign, u2.exp, u2.mant, fpscr);
}

/* FPMul. */
uint64_t fp_mul(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr)
{
	struct unpacked u1 = unpack(fmt, a, fpscr);
	struct unpacked u2 = unpack(fmt, b, fpscr);
	bool sign = u1.sign ^ u2.sign;
	uint64_t res;

	if (process_nans(fmt, &u1, &u2, a, b, fpscr, &res))
		return res;
	if ((u1.type == T_INF && u2.type == T_ZERO) || (u1.type == T_ZERO && u2.type == T_INF)) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	if (u1.type == T_INF || u2.type == T_INF)
		return fp_inf(fmt, sign);
	if (u1.type == T_ZERO || u2.type == T_ZERO)
		return fp_zero(fmt, sign);
	return round_pack(fmt, sign, u1.exp + u2.exp, (u128)u1.mant * u2.mant, false, fpscr);
}

/* FPMulAdd: addend + op1 * op2, rounded once. The product is exact in 128
 * bits (at most 106 significant bits). */
uint64_t fp_muladd(enum fp_fmt fmt, uint64_t addend, uint64_t op1, uint64_t op2, uint32_t *fpscr)
{
	const uint64_t op[3] = { addend, op1, op2 };
	struct unpacked u[3];
	bool inf1, inf2, zero1, zero2, inv_product, infa, infp, signp;
	uint64_t res;

	for (int i = 0; i < 3; i++)
		u[i] = unpack(fmt, op[i], fpscr);
	inf1 = u[1].type == T_INF;
	inf2 = u[2].type == T_INF;
	zero1 = u[1].type == T_ZERO;
	zero2 = u[2].type == T_ZERO;
	inv_product = (inf1 && zero2) || (zero1 && inf2);

	if (process_nans3(fmt, u, op, fpscr, &res)) {
		/* A quiet NaN addend does not hide 0 * inf. */
		if (u[0].type == T_QNAN && inv_product) {
			*fpscr |= FPSCR_IOC;
			res = fp_default_nan(fmt);
		}
		return res;
	}
	infa = u[0].type == T_INF;
	infp = inf1 || inf2;
	signp = u[1].sign ^ u[2].sign;
	if (inv_product || (infa && infp && u[0].sign != signp)) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	if (infa)
		return fp_inf(fmt, u[0].sign);
	if (infp)
		return fp_inf(fmt, signp);
	if (u[0].type == T_ZERO && (zero1 || zero2) && u[0].sign == signp)
		return fp_zero(fmt, signp);
	return add_round(fmt, u[0].sign, u[0].exp, u[0].mant, signp, u[1].exp + u[2].exp,
			 (u128)u[1].mant * u[2].mant, fpscr);
}

/* FPDiv. The quotient gets 67+ bits; the remainder becomes the sticky bit. */
uint64_t fp_div(enum fp_fmt fmt, uint64_t a, uint64_t b, uint32_t *fpscr)
{
	struct unpacked u1 = unpack(fmt, a, fpscr);
	struct unpacked u2 = unpack(fmt, b, fpscr);
	bool sign = u1.sign ^ u2.sign;
	uint64_t res;
	u128 n;
	int sh;

	if (process_nans(fmt, &u1, &u2, a, b, fpscr, &res))
		return res;
	if ((u1.type == T_INF && u2.type == T_INF) || (u1.type == T_ZERO && u2.type == T_ZERO)) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	if (u1.type == T_INF || u2.type == T_ZERO) {
		if (u1.type != T_INF)
			*fpscr |= FPSCR_DZC;
		return fp_inf(fmt, sign);
	}
	if (u1.type == T_ZERO || u2.type == T_INF)
		return fp_zero(fmt, sign);
	sh = 120 - msb128(u1.mant);
	n = (u128)u1.mant << sh;
	return round_pack(fmt, sign, u1.exp - sh - u2.exp, n / u2.mant, n % u2.mant != 0, fpscr);
}

/* floor(sqrt(x)), bit by bit. */
static uint64_t isqrt128(u128 x)
{
	u128 res = 0, bit = (u128)1 << 126;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)res;
}

/* FPSqrt. The radicand is scaled by an even power of two to ~124 bits, so
 * the root has ~62 bits and a nonzero remainder becomes the sticky bit. */
uint64_t fp_sqrt(enum fp_fmt fmt, uint64_t a, uint32_t *fpscr)
{
	struct unpacked u = unpack(fmt, a, fpscr);
	uint64_t r;
	u128 m;
	int e, sh;

	if (is_nan(u.type))
		return process_nan(fmt, u.type, a, fpscr);
	/* A flushed denormal gives a zero of its sign, like a true zero. */
	if (u.type == T_ZERO)
		return fp_zero(fmt, u.sign);
	if (u.type == T_INF && !u.sign)
		return a;
	if (u.sign) {
		*fpscr |= FPSCR_IOC;
		return fp_default_nan(fmt);
	}
	m = u.mant;
	e = u.exp;
	if (e & 1) {
		m <<= 1;
		e--;
	}
	sh = (124 - msb128(m)) & ~1;
	m <<= sh;
	e -= sh;
	r = isqrt128(m);
	return round_pack(fmt, false, e / 2, r, (u128)r * r != m, fpscr);
}

/* FPCompare. */
unsigned fp_compare(enum fp_fmt fmt, uint64_t a, uint64_t b, bool quiet_nan_exc, uint32_t *fpscr)
{
	struct unpacked u1 = unpack(fmt, a, fpscr);
	struct unpacked u2 = unpack(fmt, b, fpscr);
	uint64_t mag_mask = ~sign_bit(fmt, true) & mask64(1 + fmts[fmt].ebits + fmts[fmt].fbits);
	int64_t k1, k2;

	if (is_nan(u1.type) || is_nan(u2.type)) {
		if (u1.type == T_SNAN || u2.type == T_SNAN || quiet_nan_exc)
			*fpscr |= FPSCR_IOC;
		return 0x3;
	}
	/* Same format: magnitudes order like their bit patterns. Zeros
	 * (including flushed denormals) are equal whatever their sign. */
	k1 = u1.type == T_ZERO ? 0 : (int64_t)(a & mag_mask);
	k2 = u2.type == T_ZERO ? 0 : (int64_t)(b & mag_mask);
	if (u1.sign)
		k1 = -k1;
	if (u2.sign)
		k2 = -k2;
	if (k1 == k2)
		return 0x6;
	return k1 < k2 ? 0x8 : 0x2;
}

/* FPSingleToDouble, FPDoubleToSingle, FPHalfToSingle, FPSingleToHalf. */
uint64_t fp_convert(enum fp_fmt to, enum fp_fmt from, uint64_t a, uint32_t *fpscr)
{
	const struct fmt_info *ft = &fmts[to], *ff = &fmts[from];
	struct unpacked u = unpack(from, a, fpscr);
	bool ahp = to == FP_F16 && (*fpscr & FPSCR_AHP);
	uint64_t frac, res;

	switch (u.type) {
	case T_QNAN:
	case T_SNAN:
		if (ahp) {
			res = fp_zero(to, u.sign);
		} else if (*fpscr & FPSCR_DN) {
			res = fp_default_nan(to);
		} else {
			/* Keep the payload's top bits; force the quiet bit. */
			frac = a & mask64(ff->fbits);
			frac = ft->fbits > ff->fbits ? frac << (ft->fbits - ff->fbits)
						     : frac >> (ff->fbits - ft->fbits);
			res = fp_inf(to, u.sign) | frac | 1ull << (ft->fbits - 1);
		}
		if (u.type == T_SNAN || ahp)
			*fpscr |= FPSCR_IOC;
		return res;
	case T_INF:
		if (ahp) {
			*fpscr |= FPSCR_IOC;
			return sign_bit(to, u.sign) | 0x7fff;
		}
		return fp_inf(to, u.sign);
	case T_ZERO:
		return fp_zero(to, u.sign);
	default:
		return round_pack(to, u.sign, u.exp, u.mant, false, fpscr);
	}
}

/* FPToFixed, on the magnitude: truncate, then decide from the dropped part,
 * the sign and the rounding mode whether the magnitude goes up by one. */
uint32_t fp_to_fixed(enum fp_fmt fmt, uint64_t a, unsigned size, int fbits, bool is_unsigned,
		     bool round_zero, uint32_t *fpscr)
{
	struct unpacked u = unpack(fmt, a, fpscr);
	unsigned mode = round_zero ? FP_RZ : rmode(*fpscr);
	int64_t lo = is_unsigned ? 0 : -(1ll << (size - 1));
	int64_t hi = is_unsigned ? (1ll << size) - 1 : (1ll << (size - 1)) - 1;
	enum rest rest = R_EXACT;
	uint64_t mag;
	int64_t v;
	bool up;
	int e;

	if (is_nan(u.type)) {
		*fpscr |= FPSCR_IOC;
		return 0;
	}
	if (u.type == T_ZERO)
		return 0;
	if (u.type == T_INF) {
		*fpscr |= FPSCR_IOC;
		return (uint32_t)(u.sign ? lo : hi);
	}
	e = u.exp + fbits;
	if (e >= 0) {
		if (e + msb128(u.mant) >= 62) {	/* far beyond any 32-bit range */
			*fpscr |= FPSCR_IOC;
			return (uint32_t)(u.sign ? lo : hi);
		}
		mag = u.mant << e;
	} else {
		mag = split(u.mant, -e, false, &rest);
	}
	switch (mode) {
	case FP_RN:
		up = rest == R_ABOVE_HALF || (rest == R_HALF && (mag & 1));
		break;
	case FP_RP:
		up = rest != R_EXACT && !u.sign;
		break;
	case FP_RM:
		up = rest != R_EXACT && u.sign;
		break;
	default:
		up = false;
		break;
	}
	mag += up;
	v = u.sign ? -(int64_t)mag : (int64_t)mag;
	if (v < lo || v > hi) {
		*fpscr |= FPSCR_IOC;
		return (uint32_t)(v < lo ? lo : hi);
	}
	if (rest != R_EXACT)
		*fpscr |= FPSCR_IXC;
	return (uint32_t)v;
}

/* FixedToFP. round_nearest overrides FPSCR.RMode with round to nearest. */
uint64_t fp_from_fixed(enum fp_fmt fmt, uint32_t v, unsigned size, int fbits, bool is_unsigned,
		       bool round_nearest, uint32_t *fpscr)
{
	uint32_t env = *fpscr;
	uint64_t res;
	int64_t x;

	if (size == 16)
		x = is_unsigned ? (int64_t)(uint16_t)v : (int64_t)(int16_t)v;
	else
		x = is_unsigned ? (int64_t)v : (int64_t)(int32_t)v;
	if (x == 0)
		return fp_zero(fmt, false);
	if (round_nearest)
		env &= ~FPSCR_RMODE_MASK;
	res = round_pack(fmt, x < 0, -fbits, (u128)(x < 0 ? -x : x), false, &env);
	*fpscr |= env & FPSCR_CUMULATIVE;
	return res;
}
