/* exec.c — the executor: runs one decoded A32 or T32 instruction.
 *
 * One switch on the operation, following the ARM ARM's pseudocode for each
 * (ARMv7-A/R, chapters A8 and B9), under the contract of cpu.h: operands
 * that may be the PC go through arm_read_reg(), every PC write through the
 * arm_*_write_pc helpers, and nothing architectural changes before the
 * last memory access that can fault (loads go to temporaries first). */
#include "translate/insn.h"

/* ---- small arithmetic helpers ---- */

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

/* Shift_C (A8.4.3): shifts by register may be 0-255, so LSL/LSR by 32 or
 * more give 0 with the last bit shifted out as carry (none past 32), ASR
 * saturates at 31, and ROR by a multiple of 32 leaves the value but still
 * copies bit 31 to the carry. An amount of 0 changes neither. */
static uint32_t shift_c(uint32_t v, unsigned type, unsigned n, unsigned *carry)
{
	uint32_t r;

	if (type == ARM_SHIFT_RRX) {
		r = (uint32_t)*carry << 31 | v >> 1;
		*carry = v & 1;
		return r;
	}
	if (n == 0)
		return v;
	switch (type) {
	case ARM_SHIFT_LSL:
		if (n < 32) {
			*carry = (v >> (32 - n)) & 1;
			return v << n;
		}
		*carry = n == 32 ? (v & 1) : 0;
		return 0;
	case ARM_SHIFT_LSR:
		if (n < 32) {
			*carry = (v >> (n - 1)) & 1;
			return v >> n;
		}
		*carry = n == 32 ? v >> 31 : 0;
		return 0;
	case ARM_SHIFT_ASR:
		if (n < 32) {
			*carry = (v >> (n - 1)) & 1;
			return (uint32_t)((int32_t)v >> n);
		}
		*carry = v >> 31;
		return (uint32_t)((int32_t)v >> 31);
	default:
		r = ror32(v, n);
		*carry = r >> 31;
		return r;
	}
}

static uint32_t shift(uint32_t v, unsigned type, unsigned n, unsigned carry_in)
{
	return shift_c(v, type, n, &carry_in);
}

/* AddWithCarry (A2.2.1): the unsigned carry out of bit 31 and the signed
 * overflow (operands of equal sign, result of the other). */
static uint32_t add_with_carry(uint32_t x, uint32_t y, unsigned cin, unsigned *c, unsigned *v)
{
	uint64_t sum = (uint64_t)x + y + cin;
	uint32_t r = (uint32_t)sum;

	*c = (unsigned)(sum >> 32);
	*v = (~(x ^ y) & (x ^ r)) >> 31;
	return r;
}

/* SignedSatQ / UnsignedSatQ: clamp to n bits (1-32 signed, 0-31
 * unsigned) and report whether it clamped (which sets Q). */
static int32_t signed_sat(int64_t x, unsigned n, bool *sat)
{
	int64_t max = ((int64_t)1 << (n - 1)) - 1, min = -((int64_t)1 << (n - 1));

	if (x > max) {
		*sat = true;
		return (int32_t)max;
	}
	if (x < min) {
		*sat = true;
		return (int32_t)min;
	}
	return (int32_t)x;
}

static uint32_t unsigned_sat(int64_t x, unsigned n, bool *sat)
{
	int64_t max = ((int64_t)1 << n) - 1;

	if (x > max) {
		*sat = true;
		return (uint32_t)max;
	}
	if (x < 0) {
		*sat = true;
		return 0;
	}
	return (uint32_t)x;
}

static inline void set_nz(struct arm_cpu *cpu, uint32_t r)
{
	cpu->n = r >> 31;
	cpu->z = r == 0;
}

static inline int32_t lo16(uint32_t x)
{
	return (int16_t)(x & 0xffff);
}

static inline int32_t hi16(uint32_t x)
{
	return (int16_t)(x >> 16);
}

/* ---- IT state (A2.5.2) ---- */

static inline bool in_it_block(const struct arm_cpu *cpu)
{
	return (cpu->it & 0xf) != 0;
}

/* ITAdvance: the mask shifts left one bit per instruction; when only its
 * terminating 1 is left the block is over. */
static void it_advance(struct arm_cpu *cpu)
{
	if ((cpu->it & 7) == 0)
		cpu->it = 0;
	else
		cpu->it = (uint8_t)((cpu->it & 0xe0) | ((cpu->it << 1) & 0x1f));
}

static bool sets_flags(const struct arm_cpu *cpu, const struct arm_insn *in)
{
	if (in->flags & ARM_F_S)
		return true;
	return (in->flags & ARM_F_S_OUTSIDE_IT) && !in_it_block(cpu);
}

/* Set by the instructions that write the IT state themselves (IT, and
 * exception returns, which restore it from the SPSR): ITAdvance must then
 * leave it alone. */
struct exec_ctx {
	bool it_written;
};

/* ---- data processing ---- */

/* The second operand and the shifter's carry-out (A5.2.1-A5.2.4). */
static uint32_t operand2(const struct arm_cpu *cpu, const struct arm_insn *in, unsigned *carry)
{
	*carry = cpu->c;
	if (in->flags & ARM_F_IMM) {
		if (in->flags & ARM_F_IMM_C)
			*carry = in->imm >> 31;
		return in->imm;
	}
	if (in->flags & ARM_F_REGSHIFT)
		return shift_c(cpu->r[in->rm], in->shift, cpu->r[in->ra] & 0xff, carry);
	return shift_c(arm_read_reg(cpu, in->rm), in->shift, in->shamt, carry);
}

static enum arm_exit exec_dp(struct arm_cpu *cpu, const struct arm_insn *in, struct exec_ctx *ctx)
{
	unsigned c, v = cpu->v;
	uint32_t b = operand2(cpu, in, &c);
	uint32_t a = in->rn <= 15 ? arm_read_reg(cpu, in->rn) : 0;
	bool s = sets_flags(cpu, in), write = true, arith = true;
	uint32_t r;

	switch (in->op) {
	case ARM_OP_AND: r = a & b; arith = false; break;
	case ARM_OP_EOR: r = a ^ b; arith = false; break;
	case ARM_OP_SUB: r = add_with_carry(a, ~b, 1, &c, &v); break;
	case ARM_OP_RSB: r = add_with_carry(~a, b, 1, &c, &v); break;
	case ARM_OP_ADD: r = add_with_carry(a, b, 0, &c, &v); break;
	case ARM_OP_ADC: r = add_with_carry(a, b, cpu->c, &c, &v); break;
	case ARM_OP_SBC: r = add_with_carry(a, ~b, cpu->c, &c, &v); break;
	case ARM_OP_RSC: r = add_with_carry(~a, b, cpu->c, &c, &v); break;
	case ARM_OP_TST: r = a & b; arith = false; write = false; break;
	case ARM_OP_TEQ: r = a ^ b; arith = false; write = false; break;
	case ARM_OP_CMP: r = add_with_carry(a, ~b, 1, &c, &v); write = false; break;
	case ARM_OP_CMN: r = add_with_carry(a, b, 0, &c, &v); write = false; break;
	case ARM_OP_ORR: r = a | b; arith = false; break;
	case ARM_OP_MOV: r = b; arith = false; break;
	case ARM_OP_BIC: r = a & ~b; arith = false; break;
	case ARM_OP_MVN: r = ~b; arith = false; break;
	default: r = a | ~b; arith = false; break;	/* ORN */
	}
	if (!write) {
		s = true;
	} else if (in->rd == 15) {
		if (s) {
			/* SUBS PC, LR and friends: CPSR <- SPSR. No SPSR in
			 * User/System mode: UNPREDICTABLE, we refuse. */
			if (!arm_has_spsr(cpu))
				return ARM_EXIT_UNDEF;
			arm_exception_return(cpu, r, cpu->spsr);
			ctx->it_written = true;
			return ARM_EXIT_NONE;
		}
		arm_alu_write_pc(cpu, r);
		return ARM_EXIT_NONE;
	} else {
		cpu->r[in->rd] = r;
	}
	if (s) {
		set_nz(cpu, r);
		cpu->c = (uint8_t)c;
		if (arith)
			cpu->v = (uint8_t)v;
	}
	return ARM_EXIT_NONE;
}

/* ---- multiplies ---- */

static void write64(struct arm_cpu *cpu, const struct arm_insn *in, uint64_t r)
{
	cpu->r[in->rd] = (uint32_t)(r >> 32);
	cpu->r[in->ra] = (uint32_t)r;
}

static uint64_t read64(const struct arm_cpu *cpu, const struct arm_insn *in)
{
	return (uint64_t)cpu->r[in->rd] << 32 | cpu->r[in->ra];
}

static void exec_multiply(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t n = cpu->r[in->rn], m = cpu->r[in->rm];
	bool s = sets_flags(cpu, in);
	uint64_t r64;
	uint32_t r;

	switch (in->op) {
	case ARM_OP_MUL:
	case ARM_OP_MLA:
	case ARM_OP_MLS:
		r = n * m;
		if (in->op == ARM_OP_MLA)
			r += cpu->r[in->ra];
		else if (in->op == ARM_OP_MLS)
			r = cpu->r[in->ra] - r;
		cpu->r[in->rd] = r;
		if (s)
			set_nz(cpu, r);	/* C and V unchanged in ARMv7 */
		return;
	case ARM_OP_UMULL:
		r64 = (uint64_t)n * m;
		break;
	case ARM_OP_UMLAL:
		r64 = (uint64_t)n * m + read64(cpu, in);
		break;
	case ARM_OP_SMULL:
		r64 = (uint64_t)((int64_t)(int32_t)n * (int32_t)m);
		break;
	case ARM_OP_SMLAL:
		r64 = (uint64_t)((int64_t)(int32_t)n * (int32_t)m) + read64(cpu, in);
		break;
	default:	/* UMAAL: cannot overflow 64 bits */
		r64 = (uint64_t)n * m + cpu->r[in->rd] + cpu->r[in->ra];
		break;
	}
	write64(cpu, in, r64);
	if (s) {
		cpu->n = (uint8_t)(r64 >> 63);
		cpu->z = r64 == 0;
	}
}

/* Signed DSP multiplies: halfword, word-by-halfword, dual, most
 * significant word. Accumulations that overflow 32 bits set Q. */
static void exec_dsp_multiply(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t n = cpu->r[in->rn], m = cpu->r[in->rm];
	bool acc = in->ra != ARM_REG_NONE;
	int32_t a = acc ? (int32_t)cpu->r[in->ra] : 0;
	int32_t hn = (in->aux & ARM_AUX_NTOP) ? hi16(n) : lo16(n);
	int32_t hm = (in->aux & ARM_AUX_MTOP) ? hi16(m) : lo16(m);
	int64_t p1, p2, r;
	uint64_t u;

	switch (in->op) {
	case ARM_OP_SMLAXY:
		r = (int64_t)hn * hm + a;
		break;
	case ARM_OP_SMLAWY:
		/* (n * m16 + a << 16) >> 16: a's low bits are zero, so the
		 * shift distributes exactly. */
		r = (((int64_t)(int32_t)n * hm) >> 16) + a;
		break;
	case ARM_OP_SMLALXY:
		write64(cpu, in, read64(cpu, in) + (uint64_t)(int64_t)(hn * hm));
		return;
	case ARM_OP_SMLAD:
	case ARM_OP_SMLSD:
	case ARM_OP_SMLALD:
	case ARM_OP_SMLSLD:
		if (in->aux & ARM_AUX_X)
			m = ror32(m, 16);
		p1 = (int64_t)lo16(n) * lo16(m);
		p2 = (int64_t)hi16(n) * hi16(m);
		if (in->op == ARM_OP_SMLSD || in->op == ARM_OP_SMLSLD)
			p2 = -p2;
		if (in->op == ARM_OP_SMLALD || in->op == ARM_OP_SMLSLD) {
			write64(cpu, in, read64(cpu, in) + (uint64_t)(p1 + p2));
			return;
		}
		r = p1 + p2 + a;
		break;
	default:	/* SMMLA, SMMLS, SMMUL: bits 63:32, modulo 2^64 */
		u = (uint64_t)(int64_t)a << 32;
		p1 = (int64_t)(int32_t)n * (int32_t)m;
		u = in->op == ARM_OP_SMMLS ? u - (uint64_t)p1 : u + (uint64_t)p1;
		if (in->aux & ARM_AUX_R)
			u += 0x80000000u;
		cpu->r[in->rd] = (uint32_t)(u >> 32);
		return;
	}
	cpu->r[in->rd] = (uint32_t)r;
	if (r != (int32_t)r)
		cpu->q = 1;
}

/* SDIV/UDIV: division by zero gives 0 (no SCTLR.DZ trap on ARMv7-A);
 * INT_MIN / -1 wraps to INT_MIN. */
static uint32_t divide(uint32_t n, uint32_t m, bool is_signed)
{
	if (m == 0)
		return 0;
	if (!is_signed)
		return n / m;
	if (n == 0x80000000u && m == 0xffffffffu)
		return n;
	return (uint32_t)((int32_t)n / (int32_t)m);
}

/* ---- saturation, parallel arithmetic, bit manipulation ---- */

static void exec_saturate(struct arm_cpu *cpu, const struct arm_insn *in)
{
	/* SSAT/USAT have no Rm (ARM_REG_NONE): read only registers that exist. */
	uint32_t rm = in->rm < 16 ? cpu->r[in->rm] : 0;
	int64_t m = (int32_t)rm, n = (int32_t)cpu->r[in->rn];
	bool sat = false;
	uint32_t x = cpu->r[in->rn], r;

	switch (in->op) {
	case ARM_OP_QADD:
		r = (uint32_t)signed_sat(m + n, 32, &sat);
		break;
	case ARM_OP_QSUB:
		r = (uint32_t)signed_sat(m - n, 32, &sat);
		break;
	case ARM_OP_QDADD:
		r = (uint32_t)signed_sat(m + signed_sat(2 * n, 32, &sat), 32, &sat);
		break;
	case ARM_OP_QDSUB:
		r = (uint32_t)signed_sat(m - signed_sat(2 * n, 32, &sat), 32, &sat);
		break;
	case ARM_OP_SSAT:
		r = (uint32_t)signed_sat((int32_t)shift(x, in->shift, in->shamt, 0), in->imm, &sat);
		break;
	case ARM_OP_USAT:
		r = unsigned_sat((int32_t)shift(x, in->shift, in->shamt, 0), in->imm, &sat);
		break;
	case ARM_OP_SSAT16:
		r = ((uint32_t)signed_sat(lo16(x), in->imm, &sat) & 0xffff) |
		    (uint32_t)signed_sat(hi16(x), in->imm, &sat) << 16;
		break;
	default:	/* USAT16 */
		r = unsigned_sat(lo16(x), in->imm, &sat) | unsigned_sat(hi16(x), in->imm, &sat) << 16;
		break;
	}
	cpu->r[in->rd] = r;
	if (sat)
		cpu->q = 1;
}

/* The 36 parallel add/subtract instructions (A5.4.1, A5.4.2): per lane
 * (two halfwords or four bytes), an add or subtract of sign- or
 * zero-extended operands, then the result kept modulo the lane (setting
 * GE), saturated, or halved. ASX/SAX pair n's low lane with m's high one. */
static void exec_parallel(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t n = cpu->r[in->rn], m = cpu->r[in->rm], r = 0;
	unsigned kind = in->aux >> 3, lanes_op = in->aux & 7;
	bool is_signed = kind <= ARM_PAR_SH;
	bool bytes = lanes_op >= ARM_PAR_ADD8;
	unsigned width = bytes ? 8 : 16, nlanes = bytes ? 4 : 2;
	uint32_t mask = bytes ? 0xff : 0xffff;
	uint8_t ge = 0;
	bool sat = false;

	for (unsigned i = 0; i < nlanes; i++) {
		unsigned mi = i;
		bool sub;
		int64_t a, b, x;
		uint32_t lane;

		switch (lanes_op) {
		case ARM_PAR_ASX: sub = i == 0; mi = 1 - i; break;
		case ARM_PAR_SAX: sub = i == 1; mi = 1 - i; break;
		case ARM_PAR_SUB16:
		case ARM_PAR_SUB8: sub = true; break;
		default: sub = false; break;
		}
		a = (n >> (i * width)) & mask;
		b = (m >> (mi * width)) & mask;
		if (is_signed) {
			a = bytes ? (int8_t)a : (int16_t)a;
			b = bytes ? (int8_t)b : (int16_t)b;
		}
		x = sub ? a - b : a + b;
		switch (kind) {
		case ARM_PAR_S:
		case ARM_PAR_U:
			/* GE: signed result >= 0; unsigned add carried out;
			 * unsigned subtract did not borrow. */
			if ((kind == ARM_PAR_S || sub) ? x >= 0 : x >= (int64_t)mask + 1)
				ge |= (uint8_t)(bytes ? 1u << i : 3u << (2 * i));
			lane = (uint32_t)x;
			break;
		case ARM_PAR_Q:
			lane = (uint32_t)signed_sat(x, width, &sat);
			break;
		case ARM_PAR_UQ:
			lane = unsigned_sat(x, width, &sat);
			break;
		default:	/* halving: exact sum, arithmetic shift */
			lane = (uint32_t)(x >> 1);
			break;
		}
		r |= (lane & mask) << (i * width);
	}
	cpu->r[in->rd] = r;
	if (kind == ARM_PAR_S || kind == ARM_PAR_U)
		cpu->ge = ge;
}

static uint32_t exec_extend(const struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t x = ror32(cpu->r[in->rm], in->shamt);
	uint32_t a = in->rn == ARM_REG_NONE ? 0 : cpu->r[in->rn];
	uint32_t lo, hi;

	switch (in->aux) {
	case ARM_EXT_SB: return a + (uint32_t)(int32_t)(int8_t)x;
	case ARM_EXT_SH: return a + (uint32_t)(int32_t)(int16_t)x;
	case ARM_EXT_UB: return a + (x & 0xff);
	case ARM_EXT_UH: return a + (x & 0xffff);
	case ARM_EXT_SB16:
		lo = a + (uint32_t)(int32_t)(int8_t)x;
		hi = (a >> 16) + (uint32_t)(int32_t)(int8_t)(x >> 16);
		return (lo & 0xffff) | hi << 16;
	default:	/* UB16 */
		lo = a + (x & 0xff);
		hi = (a >> 16) + ((x >> 16) & 0xff);
		return (lo & 0xffff) | hi << 16;
	}
}

static uint32_t rbit32(uint32_t x)
{
	x = (x & 0x55555555u) << 1 | ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) << 2 | ((x >> 2) & 0x33333333u);
	x = (x & 0x0f0f0f0fu) << 4 | ((x >> 4) & 0x0f0f0f0fu);
	return __builtin_bswap32(x);
}

static uint32_t usad8(uint32_t n, uint32_t m)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < 32; i += 8) {
		int a = (int)((n >> i) & 0xff), b = (int)((m >> i) & 0xff);

		sum += (uint32_t)(a > b ? a - b : b - a);
	}
	return sum;
}

/* ---- loads and stores ---- */

/* The address a single load/store accesses and the value its base is
 * written back with (A8.6: offset_addr, address). A PC base reads
 * Align(PC, 4), which T32 literal loads need and A32 gets anyway. */
static uint32_t ls_address(const struct arm_cpu *cpu, const struct arm_insn *in, uint32_t *wb)
{
	uint32_t base = in->rn == 15 ? arm_read_reg(cpu, 15) & ~3u : cpu->r[in->rn];
	uint32_t off = (in->flags & ARM_F_IMM) ? in->imm :
		       shift(cpu->r[in->rm], in->shift, in->shamt, cpu->c);
	uint32_t oa = (in->flags & ARM_F_U) ? base + off : base - off;

	*wb = oa;
	return (in->flags & ARM_F_P) ? oa : base;
}

static inline bool ls_wback(const struct arm_insn *in)
{
	return !(in->flags & ARM_F_P) || (in->flags & ARM_F_W);
}

static enum arm_exit exec_load(struct arm_cpu *cpu, const struct arm_insn *in)
{
	bool user = in->flags & ARM_F_USER;
	uint32_t wb, addr = ls_address(cpu, in, &wb), v;

	switch (in->op) {
	case ARM_OP_LDR:
		v = user ? arm_ld32_user(cpu, addr) : arm_ld32(cpu, addr);
		break;
	case ARM_OP_LDRB:
		v = user ? arm_ld8_user(cpu, addr) : arm_ld8(cpu, addr);
		break;
	case ARM_OP_LDRSB:
		v = (uint32_t)(int32_t)(int8_t)(user ? arm_ld8_user(cpu, addr) : arm_ld8(cpu, addr));
		break;
	case ARM_OP_LDRH:
		v = user ? arm_ld16_user(cpu, addr) : arm_ld16(cpu, addr);
		break;
	default:	/* LDRSH */
		v = (uint32_t)(int32_t)(int16_t)(user ? arm_ld16_user(cpu, addr) : arm_ld16(cpu, addr));
		break;
	}
	if (ls_wback(in))
		cpu->r[in->rn] = wb;
	if (in->rd == 15)
		arm_load_write_pc(cpu, v);
	else
		cpu->r[in->rd] = v;
	return ARM_EXIT_NONE;
}

static enum arm_exit exec_store(struct arm_cpu *cpu, const struct arm_insn *in)
{
	bool user = in->flags & ARM_F_USER;
	uint32_t wb, addr = ls_address(cpu, in, &wb);
	uint32_t v = arm_read_reg(cpu, in->rd);

	switch (in->op) {
	case ARM_OP_STR:
		if (user)
			arm_st32_user(cpu, addr, v);
		else
			arm_st32(cpu, addr, v);
		break;
	case ARM_OP_STRB:
		if (user)
			arm_st8_user(cpu, addr, (uint8_t)v);
		else
			arm_st8(cpu, addr, (uint8_t)v);
		break;
	default:	/* STRH */
		if (user)
			arm_st16_user(cpu, addr, (uint16_t)v);
		else
			arm_st16(cpu, addr, (uint16_t)v);
		break;
	}
	if (ls_wback(in))
		cpu->r[in->rn] = wb;
	return ARM_EXIT_NONE;
}

/* LDRD/STRD: two word accesses, each word aligned (ARMv7 without LPAE). */
static void exec_dual(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t wb, addr = ls_address(cpu, in, &wb);

	if (in->op == ARM_OP_LDRD) {
		uint32_t v1 = arm_ld32_aligned(cpu, addr);
		uint32_t v2 = arm_ld32_aligned(cpu, addr + 4);

		if (ls_wback(in))
			cpu->r[in->rn] = wb;
		cpu->r[in->rd] = v1;
		cpu->r[in->ra] = v2;
		return;
	}
	arm_st32_aligned(cpu, addr, cpu->r[in->rd]);
	arm_st32_aligned(cpu, addr + 4, cpu->r[in->ra]);
	if (ls_wback(in))
		cpu->r[in->rn] = wb;
}

/* Lowest address of an LDM/STM/SRS/RFE transfer of `count` words and the
 * base's written-back value (IA, IB, DA, DB). */
static uint32_t block_start(uint32_t base, unsigned count, uint16_t flags, uint32_t *wb)
{
	if (flags & ARM_F_U) {
		*wb = base + 4 * count;
		return (flags & ARM_F_P) ? base + 4 : base;
	}
	*wb = base - 4 * count;
	return (flags & ARM_F_P) ? base - 4 * count : base - 4 * count + 4;
}

static enum arm_exit exec_ldm(struct arm_cpu *cpu, const struct arm_insn *in, struct exec_ctx *ctx)
{
	uint32_t list = in->imm, vals[16], wb;
	uint32_t addr = block_start(cpu->r[in->rn], (unsigned)__builtin_popcount(list), in->flags, &wb);
	bool user = in->flags & ARM_F_USER;
	bool exc_return = user && (list & 0x8000);

	/* LDM ^ with the PC returns from an exception: there must be an
	 * SPSR. Checked before anything is loaded or written. */
	if (exc_return && !arm_has_spsr(cpu))
		return ARM_EXIT_UNDEF;
	for (unsigned i = 0; i < 16; i++) {
		if (list & (1u << i)) {
			vals[i] = arm_ld32_aligned(cpu, addr);
			addr += 4;
		}
	}
	if (user && !exc_return) {
		/* User-bank registers, no write-back (the decoder refuses it). */
		for (unsigned i = 0; i < 15; i++)
			if (list & (1u << i))
				arm_set_user_reg(cpu, i, vals[i]);
		return ARM_EXIT_NONE;
	}
	/* Write back first: a loaded base (T32 16-bit LDM, where the
	 * decoder then drops W) keeps the loaded value. */
	if (in->flags & ARM_F_W)
		cpu->r[in->rn] = wb;
	for (unsigned i = 0; i < 15; i++)
		if (list & (1u << i))
			cpu->r[i] = vals[i];
	if (exc_return) {
		arm_exception_return(cpu, vals[15], cpu->spsr);
		ctx->it_written = true;
	} else if (list & 0x8000) {
		arm_load_write_pc(cpu, vals[15]);
	}
	return ARM_EXIT_NONE;
}

/* STM: a base in the list stores its original value (the ARM ARM makes
 * it UNKNOWN unless it is the lowest register; this is the natural one). */
static void exec_stm(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t list = in->imm, wb;
	uint32_t addr = block_start(cpu->r[in->rn], (unsigned)__builtin_popcount(list), in->flags, &wb);
	bool user = in->flags & ARM_F_USER;

	for (unsigned i = 0; i < 16; i++) {
		if (list & (1u << i)) {
			uint32_t v = (user && i < 15) ? arm_get_user_reg(cpu, i) : arm_read_reg(cpu, i);

			arm_st32_aligned(cpu, addr, v);
			addr += 4;
		}
	}
	if (in->flags & ARM_F_W)
		cpu->r[in->rn] = wb;
}

/* ---- exclusives ---- */

static void exec_ldrex(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t addr = cpu->r[in->rn] + in->imm;
	uint64_t v = arm_ldrex(cpu, addr, in->aux);

	cpu->r[in->rd] = (uint32_t)v;
	if (in->aux == 8)
		cpu->r[in->ra] = (uint32_t)(v >> 32);
}

static void exec_strex(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t addr = cpu->r[in->rn] + in->imm;
	uint64_t v = cpu->r[in->rd];

	switch (in->aux) {
	case 1: v &= 0xff; break;
	case 2: v &= 0xffff; break;
	case 8: v |= (uint64_t)cpu->r[in->ra] << 32; break;
	default: break;
	}
	/* The status register is written only once the store (or its
	 * failure) is decided: arm_strex may fault. */
	cpu->r[in->rm] = arm_strex(cpu, addr, v, in->aux);
}

/* ---- status registers and modes ---- */

/* The bits MSR may write in the CPSR (CPSRWriteByInstr, B1.3.3): mask is
 * the instruction's <fields> (bit 0 c, 1 x, 2 s, 3 f). Unprivileged code
 * reaches only the flags, GE and E; the execution state bits (IT, J, T)
 * are never written by MSR. */
static uint32_t msr_cpsr_mask(const struct arm_cpu *cpu, unsigned fields)
{
	bool priv = arm_privileged(cpu);
	uint32_t m = 0;

	if (fields & 8)
		m |= 0xf8000000u;
	if (fields & 4)
		m |= 0x000f0000u;
	if (fields & 2)
		m |= CPSR_E | (priv ? CPSR_A : 0);
	if ((fields & 1) && priv)
		m |= CPSR_I | CPSR_F | CPSR_M_MASK;
	return m;
}

static uint32_t bytes_mask(unsigned fields)
{
	return ((fields & 1) ? 0xffu : 0) | ((fields & 2) ? 0xff00u : 0) |
	       ((fields & 4) ? 0xff0000u : 0) | ((fields & 8) ? 0xff000000u : 0);
}

/* Where the banked SP of `mode` is kept right now. */
static uint32_t *mode_sp(struct arm_cpu *cpu, unsigned mode)
{
	int b = arm_bank_of(mode);

	if (b < 0)
		return NULL;
	if (b == arm_bank_of(arm_mode(cpu)))
		return &cpu->r[13];
	return &cpu->bank_r13[b];
}

/* The register that MRS/MSR (banked) name with R:SYSm (B9.2.3), or NULL
 * when the access is UNPREDICTABLE (from User mode, to the current mode's
 * own registers) or names Monitor or Hyp registers, which do not exist. */
static uint32_t *banked_reg(struct arm_cpu *cpu, unsigned rsysm)
{
	static const uint8_t mode_of[8] = {
		ARM_MODE_IRQ, ARM_MODE_SVC, ARM_MODE_ABT, ARM_MODE_UND, 0, 0, ARM_MODE_MON, ARM_MODE_HYP,
	};
	unsigned cur = arm_mode(cpu), sysm = rsysm & 0x1f;
	int cb = arm_bank_of(cur), b;

	if (!arm_privileged(cpu))
		return NULL;
	if (rsysm & 0x20) {	/* R: SPSRs */
		unsigned mode = sysm == 0x0e ? ARM_MODE_FIQ :
				(sysm & 0x11) == 0x10 ? mode_of[(sysm >> 1) & 7] : 0;

		b = mode ? arm_bank_of(mode) : -1;
		if (b < 0 || b == cb)
			return NULL;
		return &cpu->bank_spsr[b];
	}
	if (sysm < 0x08) {	/* r8_usr .. r14_usr */
		if (sysm == 7 || cb == ARM_BANK_USR)
			return NULL;
		if (sysm < 5)	/* shared with every mode but FIQ */
			return cur == ARM_MODE_FIQ ? &cpu->usr_r8_12[sysm] : &cpu->r[8 + sysm];
		return sysm == 5 ? &cpu->bank_r13[ARM_BANK_USR] : &cpu->bank_r14[ARM_BANK_USR];
	}
	if (sysm < 0x10) {	/* r8_fiq .. r14_fiq */
		if (sysm == 0x0f || cur == ARM_MODE_FIQ)
			return NULL;
		if (sysm < 0x0d)
			return &cpu->fiq_r8_12[sysm - 8];
		return sysm == 0x0d ? &cpu->bank_r13[ARM_BANK_FIQ] : &cpu->bank_r14[ARM_BANK_FIQ];
	}
	/* LR and SP of IRQ, SVC, ABT, UND (MON, HYP: none here). */
	b = arm_bank_of(mode_of[(sysm >> 1) & 7]);
	if (b < 0 || b == cb)
		return NULL;
	return (sysm & 1) ? &cpu->bank_r13[b] : &cpu->bank_r14[b];
}

static enum arm_exit exec_cps(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t val = 0, mask = 0, aif = 0;

	/* CPS is a NOP in User mode. */
	if (!arm_privileged(cpu))
		return ARM_EXIT_NONE;
	if (in->aux & ARM_CPS_A)
		aif |= CPSR_A;
	if (in->aux & ARM_CPS_I)
		aif |= CPSR_I;
	if (in->aux & ARM_CPS_F)
		aif |= CPSR_F;
	if (in->aux & (ARM_CPS_ENABLE | ARM_CPS_DISABLE)) {
		mask |= aif;
		if (in->aux & ARM_CPS_DISABLE)
			val |= aif;
	}
	if (in->aux & ARM_CPS_M) {
		mask |= CPSR_M_MASK;
		val |= in->imm;
	}
	arm_set_cpsr(cpu, val, mask);
	return ARM_EXIT_NONE;
}

/* SRS: store LR and SPSR of the current mode on the stack of `mode`
 * (B9.3.16). UNPREDICTABLE in User and System mode (no SPSR): refused. */
static enum arm_exit exec_srs(struct arm_cpu *cpu, const struct arm_insn *in)
{
	uint32_t *sp = mode_sp(cpu, in->imm), wb, addr;

	if (!arm_has_spsr(cpu) || !sp)
		return ARM_EXIT_UNDEF;
	addr = block_start(*sp, 2, in->flags, &wb);
	arm_st32_aligned(cpu, addr, cpu->r[14]);
	arm_st32_aligned(cpu, addr + 4, cpu->spsr);
	if (in->flags & ARM_F_W)
		*sp = wb;
	return ARM_EXIT_NONE;
}

/* RFE: load PC and CPSR from memory (B9.3.13). UNPREDICTABLE in User
 * mode: refused. */
static enum arm_exit exec_rfe(struct arm_cpu *cpu, const struct arm_insn *in, struct exec_ctx *ctx)
{
	uint32_t wb, addr, pc, psr;

	if (!arm_privileged(cpu))
		return ARM_EXIT_UNDEF;
	addr = block_start(cpu->r[in->rn], 2, in->flags, &wb);
	pc = arm_ld32_aligned(cpu, addr);
	psr = arm_ld32_aligned(cpu, addr + 4);
	if (in->flags & ARM_F_W)
		cpu->r[in->rn] = wb;
	arm_exception_return(cpu, pc, psr);
	ctx->it_written = true;
	return ARM_EXIT_NONE;
}

/* ---- coprocessors ---- */

static enum arm_exit sys_result(int rc)
{
	if (rc < 0)
		return ARM_EXIT_UNDEF;
	return rc > 0 ? ARM_EXIT_SYSREG : ARM_EXIT_NONE;
}

static enum arm_exit exec_coproc(struct arm_cpu *cpu, const struct arm_insn *in)
{
	const struct arm_sys_ops *sys = cpu->sys;
	uint32_t v32;
	uint64_t v64;
	int rc;

	if (!sys)
		return ARM_EXIT_UNDEF;
	switch (in->op) {
	case ARM_OP_MRC:
		rc = sys->mrc(cpu, in->aux, in->shift, in->rn, in->rm, in->shamt, &v32);
		if (rc < 0)
			return ARM_EXIT_UNDEF;
		if (in->rd == 15) {	/* APSR_nzcv */
			cpu->n = v32 >> 31;
			cpu->z = (v32 >> 30) & 1;
			cpu->c = (v32 >> 29) & 1;
			cpu->v = (v32 >> 28) & 1;
		} else {
			cpu->r[in->rd] = v32;
		}
		return sys_result(rc);
	case ARM_OP_MCR:
		return sys_result(sys->mcr(cpu, in->aux, in->shift, in->rn, in->rm, in->shamt,
					   cpu->r[in->rd]));
	case ARM_OP_MRRC:
		rc = sys->mrrc(cpu, in->aux, in->shift, in->rm, &v64);
		if (rc < 0)
			return ARM_EXIT_UNDEF;
		cpu->r[in->rd] = (uint32_t)v64;
		cpu->r[in->ra] = (uint32_t)(v64 >> 32);
		return sys_result(rc);
	default:	/* MCRR */
		v64 = (uint64_t)cpu->r[in->ra] << 32 | cpu->r[in->rd];
		return sys_result(sys->mcrr(cpu, in->aux, in->shift, in->rm, v64));
	}
}

/* ---- the dispatcher ---- */

static enum arm_exit execute_op(struct arm_cpu *cpu, const struct arm_insn *in, struct exec_ctx *ctx)
{
	uint32_t *p, v;

	switch ((enum arm_op)in->op) {
	case ARM_OP_AND: case ARM_OP_EOR: case ARM_OP_SUB: case ARM_OP_RSB:
	case ARM_OP_ADD: case ARM_OP_ADC: case ARM_OP_SBC: case ARM_OP_RSC:
	case ARM_OP_TST: case ARM_OP_TEQ: case ARM_OP_CMP: case ARM_OP_CMN:
	case ARM_OP_ORR: case ARM_OP_MOV: case ARM_OP_BIC: case ARM_OP_MVN:
	case ARM_OP_ORN:
		return exec_dp(cpu, in, ctx);
	case ARM_OP_ADR:
		cpu->r[in->rd] = (arm_read_reg(cpu, 15) & ~3u) + in->imm;
		return ARM_EXIT_NONE;
	case ARM_OP_MOVT:
		cpu->r[in->rd] = (cpu->r[in->rd] & 0xffff) | in->imm << 16;
		return ARM_EXIT_NONE;

	case ARM_OP_MUL: case ARM_OP_MLA: case ARM_OP_MLS:
	case ARM_OP_UMULL: case ARM_OP_UMLAL: case ARM_OP_SMULL: case ARM_OP_SMLAL:
	case ARM_OP_UMAAL:
		exec_multiply(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_SMLAXY: case ARM_OP_SMLAWY: case ARM_OP_SMLALXY:
	case ARM_OP_SMLAD: case ARM_OP_SMLSD: case ARM_OP_SMLALD: case ARM_OP_SMLSLD:
	case ARM_OP_SMMLA: case ARM_OP_SMMLS:
		exec_dsp_multiply(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_SDIV:
	case ARM_OP_UDIV:
		cpu->r[in->rd] = divide(cpu->r[in->rn], cpu->r[in->rm], in->op == ARM_OP_SDIV);
		return ARM_EXIT_NONE;
	case ARM_OP_USADA8:
		cpu->r[in->rd] = usad8(cpu->r[in->rn], cpu->r[in->rm]) +
				 (in->ra == ARM_REG_NONE ? 0 : cpu->r[in->ra]);
		return ARM_EXIT_NONE;

	case ARM_OP_QADD: case ARM_OP_QSUB: case ARM_OP_QDADD: case ARM_OP_QDSUB:
	case ARM_OP_SSAT: case ARM_OP_USAT: case ARM_OP_SSAT16: case ARM_OP_USAT16:
		exec_saturate(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_PARALLEL:
		exec_parallel(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_SEL: {
		uint32_t n = cpu->r[in->rn], m = cpu->r[in->rm], r = 0;

		for (unsigned i = 0; i < 4; i++)
			r |= (((cpu->ge >> i) & 1) ? n : m) & (0xffu << (8 * i));
		cpu->r[in->rd] = r;
		return ARM_EXIT_NONE;
	}

	case ARM_OP_EXTEND:
		cpu->r[in->rd] = exec_extend(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_PKHBT:
		cpu->r[in->rd] = (cpu->r[in->rn] & 0xffff) |
				 (shift(cpu->r[in->rm], ARM_SHIFT_LSL, in->shamt, 0) & 0xffff0000u);
		return ARM_EXIT_NONE;
	case ARM_OP_PKHTB:
		cpu->r[in->rd] = (cpu->r[in->rn] & 0xffff0000u) |
				 (shift(cpu->r[in->rm], ARM_SHIFT_ASR, in->shamt, 0) & 0xffff);
		return ARM_EXIT_NONE;
	case ARM_OP_REV:
		cpu->r[in->rd] = __builtin_bswap32(cpu->r[in->rm]);
		return ARM_EXIT_NONE;
	case ARM_OP_REV16:
		v = cpu->r[in->rm];
		cpu->r[in->rd] = ((v & 0x00ff00ffu) << 8) | ((v >> 8) & 0x00ff00ffu);
		return ARM_EXIT_NONE;
	case ARM_OP_REVSH:
		cpu->r[in->rd] = (uint32_t)(int32_t)(int16_t)__builtin_bswap16((uint16_t)cpu->r[in->rm]);
		return ARM_EXIT_NONE;
	case ARM_OP_RBIT:
		cpu->r[in->rd] = rbit32(cpu->r[in->rm]);
		return ARM_EXIT_NONE;
	case ARM_OP_CLZ:
		v = cpu->r[in->rm];
		cpu->r[in->rd] = v ? (uint32_t)__builtin_clz(v) : 32;
		return ARM_EXIT_NONE;
	case ARM_OP_BFC:
	case ARM_OP_BFI: {
		uint32_t mask = (uint32_t)(((1ull << in->aux) - 1) << in->shamt);
		uint32_t src = in->op == ARM_OP_BFI ? cpu->r[in->rn] << in->shamt : 0;

		cpu->r[in->rd] = (cpu->r[in->rd] & ~mask) | (src & mask);
		return ARM_EXIT_NONE;
	}
	case ARM_OP_UBFX:
		cpu->r[in->rd] = (uint32_t)((cpu->r[in->rn] >> in->shamt) & ((1ull << in->aux) - 1));
		return ARM_EXIT_NONE;
	case ARM_OP_SBFX:
		cpu->r[in->rd] = (uint32_t)((int32_t)(cpu->r[in->rn] << (32 - in->shamt - in->aux)) >>
					    (32 - in->aux));
		return ARM_EXIT_NONE;

	case ARM_OP_B:
		arm_branch_write_pc(cpu, arm_read_reg(cpu, 15) + in->imm);
		return ARM_EXIT_NONE;
	case ARM_OP_BL:
		cpu->r[14] = (cpu->r[15] + in->len) | (cpu->thumb ? 1 : 0);
		arm_branch_write_pc(cpu, arm_read_reg(cpu, 15) + in->imm);
		return ARM_EXIT_NONE;
	case ARM_OP_BLX_IMM:
		/* To the other instruction set: Thumb targets get bit 0. */
		v = (arm_read_reg(cpu, 15) & ~3u) + in->imm;
		cpu->r[14] = (cpu->r[15] + in->len) | (cpu->thumb ? 1 : 0);
		arm_bx_write_pc(cpu, cpu->thumb ? v & ~1u : v | 1);
		return ARM_EXIT_NONE;
	case ARM_OP_BX:
		arm_bx_write_pc(cpu, arm_read_reg(cpu, in->rm));
		return ARM_EXIT_NONE;
	case ARM_OP_BLX_REG:
		v = cpu->r[in->rm];
		cpu->r[14] = (cpu->r[15] + in->len) | (cpu->thumb ? 1 : 0);
		arm_bx_write_pc(cpu, v);
		return ARM_EXIT_NONE;
	case ARM_OP_CBZ:
		if ((cpu->r[in->rn] == 0) != !!(in->aux & ARM_AUX_NZ))
			arm_branch_write_pc(cpu, arm_read_reg(cpu, 15) + in->imm);
		return ARM_EXIT_NONE;
	case ARM_OP_TBB:
	case ARM_OP_TBH: {
		uint32_t base = arm_read_reg(cpu, in->rn), off;

		if (in->op == ARM_OP_TBB)
			off = arm_ld8(cpu, base + cpu->r[in->rm]);
		else
			off = arm_ld16(cpu, base + (cpu->r[in->rm] << 1));
		arm_branch_write_pc(cpu, arm_read_reg(cpu, 15) + 2 * off);
		return ARM_EXIT_NONE;
	}

	case ARM_OP_LDR: case ARM_OP_LDRB: case ARM_OP_LDRH: case ARM_OP_LDRSB:
	case ARM_OP_LDRSH:
		return exec_load(cpu, in);
	case ARM_OP_STR: case ARM_OP_STRB: case ARM_OP_STRH:
		return exec_store(cpu, in);
	case ARM_OP_LDRD:
	case ARM_OP_STRD:
		exec_dual(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_LDM:
		return exec_ldm(cpu, in, ctx);
	case ARM_OP_STM:
		exec_stm(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_LDREX:
		exec_ldrex(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_STREX:
		exec_strex(cpu, in);
		return ARM_EXIT_NONE;
	case ARM_OP_CLREX:
		arm_clrex(cpu);
		return ARM_EXIT_NONE;
	case ARM_OP_SWP:
		if (!(cpu->sctlr & SCTLR_SW_BIT))
			return ARM_EXIT_UNDEF;
		/* The old value lands in rd only after the swap has happened. */
		cpu->r[in->rd] = arm_swap(cpu, cpu->r[in->rn], cpu->r[in->rm], in->aux);
		return ARM_EXIT_NONE;
	case ARM_OP_PLD:
		return ARM_EXIT_NONE;

	case ARM_OP_MRS:
		if (in->flags & ARM_F_R) {
			if (!arm_has_spsr(cpu))
				return ARM_EXIT_UNDEF;
			cpu->r[in->rd] = cpu->spsr;
		} else {
			/* The execution state bits other than E read as 0. */
			cpu->r[in->rd] = arm_get_cpsr(cpu) & 0xf8ff03dfu;
		}
		return ARM_EXIT_NONE;
	case ARM_OP_MSR:
		v = (in->flags & ARM_F_IMM) ? in->imm : cpu->r[in->rn];
		if (in->flags & ARM_F_R) {
			uint32_t m = bytes_mask(in->aux);

			if (!arm_has_spsr(cpu))
				return ARM_EXIT_UNDEF;
			cpu->spsr = (cpu->spsr & ~m) | (v & m);
		} else {
			arm_set_cpsr(cpu, v, msr_cpsr_mask(cpu, in->aux));
		}
		return ARM_EXIT_NONE;
	case ARM_OP_MRS_BANKED:
		p = banked_reg(cpu, (in->flags & ARM_F_R) ? in->aux | 0x20u : in->aux);
		if (!p)
			return ARM_EXIT_UNDEF;
		cpu->r[in->rd] = *p;
		return ARM_EXIT_NONE;
	case ARM_OP_MSR_BANKED:
		p = banked_reg(cpu, (in->flags & ARM_F_R) ? in->aux | 0x20u : in->aux);
		if (!p)
			return ARM_EXIT_UNDEF;
		*p = cpu->r[in->rn];
		return ARM_EXIT_NONE;
	case ARM_OP_CPS:
		return exec_cps(cpu, in);
	case ARM_OP_SETEND:
		arm_set_cpsr(cpu, in->imm ? CPSR_E : 0, CPSR_E);
		return ARM_EXIT_NONE;
	case ARM_OP_SRS:
		return exec_srs(cpu, in);
	case ARM_OP_RFE:
		return exec_rfe(cpu, in, ctx);

	case ARM_OP_SVC:
		cpu->exit_imm = in->imm;
		return ARM_EXIT_SVC;
	case ARM_OP_BKPT:
		cpu->exit_imm = in->imm;
		return ARM_EXIT_BKPT;
	case ARM_OP_HVC:
	case ARM_OP_SMC:
		/* No Virtualization or Security Extensions: there is no Hyp
		 * or Monitor mode to enter. The run loop decides: a firmware
		 * call (the board's PSCI), or UNDEFINED. */
		cpu->exit_imm = in->imm;
		return in->op == ARM_OP_HVC ? ARM_EXIT_HVC : ARM_EXIT_SMC;
	case ARM_OP_NOP:
		return ARM_EXIT_NONE;
	case ARM_OP_YIELD:
		/* A hint: Linux's spin loops on ARMv7 do not use it, and a
		 * host yield per iteration would cost more than it saves. */
		return ARM_EXIT_NONE;
	case ARM_OP_SEV:
		/* The event goes to every PE, this one included; the run
		 * loop signals the others. */
		__atomic_store_n(&cpu->event, true, __ATOMIC_RELEASE);
		return ARM_EXIT_SEV;
	case ARM_OP_WFE:
		/* With the event register set, WFE clears it and completes;
		 * otherwise the vCPU waits for an event or an interrupt. */
		if (__atomic_exchange_n(&cpu->event, false, __ATOMIC_ACQUIRE))
			return ARM_EXIT_NONE;
		return ARM_EXIT_WFE;
	case ARM_OP_WFI:
		return ARM_EXIT_WFI;
	case ARM_OP_BARRIER:
		/* DMB/DSB/ISB: order this vCPU's guest accesses against other
		 * vCPUs' (the host's accesses are the guest's). A DSB also
		 * completes the broadcast TLB maintenance issued before it. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (in->aux == ARM_BARRIER_DSB)
			shadow_cpu_sync(cpu->mmu);
		return ARM_EXIT_NONE;
	case ARM_OP_IT:
		cpu->it = (uint8_t)in->imm;
		ctx->it_written = true;
		return ARM_EXIT_NONE;

	case ARM_OP_MRC: case ARM_OP_MCR: case ARM_OP_MRRC: case ARM_OP_MCRR:
		return exec_coproc(cpu, in);
	case ARM_OP_VFP:
		return vfp_execute(cpu, &in->vfp);

	case ARM_OP_UNDEF:
	case ARM_OP_COUNT:
		break;
	}
	return ARM_EXIT_UNDEF;
}

enum arm_exit arm_execute(struct arm_cpu *cpu, const struct arm_insn *in)
{
	struct exec_ctx ctx = { .it_written = false };
	bool thumb = cpu->thumb;
	unsigned cond = in->cond;
	enum arm_exit e;

	/* In an IT block the condition is the block's; BKPT ignores it. */
	if (thumb && in_it_block(cpu))
		cond = cpu->it >> 4;
	if (cond < 14 && in->op != ARM_OP_BKPT && !arm_cond_pass(cpu, cond)) {
		if (thumb)
			it_advance(cpu);
		return ARM_EXIT_NONE;
	}
	e = execute_op(cpu, in, &ctx);
	/* The IT state moves on once the instruction has completed: not for
	 * UNDEF and BKPT, which return to it, but for SVC, whose handler
	 * returns after it (TakeSVCException does ITAdvance). */
	if (thumb && !ctx.it_written && e != ARM_EXIT_UNDEF && e != ARM_EXIT_BKPT)
		it_advance(cpu);
	return e;
}
