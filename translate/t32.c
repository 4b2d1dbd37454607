/* t32.c — T32 (Thumb state) decoder: 16- and 32-bit encodings to struct
 * arm_insn, the same operations as A32 (ARM ARM ARMv7-A/R, chapter A6).
 *
 * What differs from A32 is resolved here or marked for the executor:
 * 16-bit data processing sets flags only outside an IT block
 * (ARM_F_S_OUTSIDE_IT), T32 literal loads and ADR use Align(PC, 4), the
 * condition of everything but B<c> comes from the IT state at run time
 * (cond is AL here). As in a32.c, UNPREDICTABLE encodings that no
 * compiler emits (PC or SP where the ARM ARM forbids them) become
 * ARM_OP_UNDEF. */
#include <string.h>

#include "translate/insn.h"

static inline uint32_t bits(uint32_t x, unsigned hi, unsigned lo)
{
	return (x >> lo) & ((2u << (hi - lo)) - 1);
}

static inline uint32_t bit(uint32_t x, unsigned n)
{
	return (x >> n) & 1;
}

static int undef(struct arm_insn *out)
{
	out->op = ARM_OP_UNDEF;
	return 0;
}

/* PC or SP: the registers most T32 operands may not be. */
static inline bool bad_reg(unsigned r)
{
	return r == 13 || r == 15;
}

/* ---- 16-bit encodings (A6.2) ---- */

static void dp16(struct arm_insn *out, unsigned op, unsigned rd, unsigned rn)
{
	out->op = (uint16_t)op;
	out->rd = (uint8_t)rd;
	out->rn = (uint8_t)rn;
	out->flags |= ARM_F_S_OUTSIDE_IT;
}

/* Shift (immediate), add, subtract, move, compare (A6.2.1). */
static int shift_add_sub_mov_cmp(uint16_t h, struct arm_insn *out)
{
	unsigned op = bits(h, 13, 9);

	if (op < 0x0c) {	/* LSL/LSR/ASR #imm5: MOV with a shift */
		dp16(out, ARM_OP_MOV, bits(h, 2, 0), ARM_REG_NONE);
		out->rm = (uint8_t)bits(h, 5, 3);
		arm_decode_imm_shift(out, op >> 2, bits(h, 10, 6));
		return 0;
	}
	if (op < 0x10) {	/* ADD/SUB register or imm3 */
		dp16(out, (op & 1) ? ARM_OP_SUB : ARM_OP_ADD, bits(h, 2, 0), bits(h, 5, 3));
		if (op & 2) {
			out->flags |= ARM_F_IMM;
			out->imm = bits(h, 8, 6);
		} else {
			out->rm = (uint8_t)bits(h, 8, 6);
		}
		return 0;
	}
	static const uint8_t ops[4] = { ARM_OP_MOV, ARM_OP_CMP, ARM_OP_ADD, ARM_OP_SUB };

	dp16(out, ops[bits(h, 12, 11)], bits(h, 10, 8), bits(h, 10, 8));
	out->flags |= ARM_F_IMM;
	out->imm = bits(h, 7, 0);
	if (out->op == ARM_OP_CMP)
		out->flags = ARM_F_S | ARM_F_IMM;
	return 0;
}

/* Data processing, two low registers (A6.2.2). */
static int dp_low(uint16_t h, struct arm_insn *out)
{
	static const uint8_t ops[16] = {
		ARM_OP_AND, ARM_OP_EOR, ARM_OP_MOV, ARM_OP_MOV, ARM_OP_MOV, ARM_OP_ADC,
		ARM_OP_SBC, ARM_OP_MOV, ARM_OP_TST, ARM_OP_RSB, ARM_OP_CMP, ARM_OP_CMN,
		ARM_OP_ORR, ARM_OP_MUL, ARM_OP_BIC, ARM_OP_MVN,
	};
	static const uint8_t shifts[16] = {
		[2] = ARM_SHIFT_LSL, [3] = ARM_SHIFT_LSR, [4] = ARM_SHIFT_ASR, [7] = ARM_SHIFT_ROR,
	};
	unsigned op = bits(h, 9, 6), rdn = bits(h, 2, 0), rm = bits(h, 5, 3);

	dp16(out, ops[op], rdn, rdn);
	out->rm = (uint8_t)rm;
	switch (op) {
	case 2: case 3: case 4: case 7:	/* shift Rdn by Rm */
		out->rm = (uint8_t)rdn;
		out->ra = (uint8_t)rm;
		out->shift = shifts[op];
		out->flags |= ARM_F_REGSHIFT;
		break;
	case 8: case 10: case 11:	/* TST, CMP, CMN: always set flags */
		out->flags = ARM_F_S;
		break;
	case 9:				/* RSBS Rd, Rn, #0 */
		out->rn = (uint8_t)rm;
		out->flags |= ARM_F_IMM;
		out->imm = 0;
		break;
	case 13:			/* MULS Rdm, Rn, Rdm */
		out->rn = (uint8_t)rm;
		out->rm = (uint8_t)rdn;
		out->ra = ARM_REG_NONE;
		break;
	default:
		break;
	}
	return 0;
}

/* Special data instructions and branch and exchange (A6.2.3). */
static int special_data_bx(uint16_t h, struct arm_insn *out)
{
	unsigned op = bits(h, 9, 6);
	unsigned rdn = bit(h, 7) << 3 | bits(h, 2, 0), rm = bits(h, 6, 3);

	out->rd = out->rn = (uint8_t)rdn;
	out->rm = (uint8_t)rm;
	switch (op >> 2) {
	case 0:		/* ADD Rdn, Rm (high registers, no flags) */
		out->op = ARM_OP_ADD;
		if (rdn == 15 && rm == 15)
			return undef(out);
		return 0;
	case 1:		/* CMP Rn, Rm (any registers; both low is
			 * UNPREDICTABLE but only means CMP) */
		if (rdn == 15 || rm == 15)
			return undef(out);
		out->op = ARM_OP_CMP;
		out->flags = ARM_F_S;
		return 0;
	case 2:		/* MOV Rd, Rm (no flags) */
		out->op = ARM_OP_MOV;
		out->rn = ARM_REG_NONE;
		return 0;
	default:	/* BX, BLX (register) */
		if (bits(h, 2, 0))
			return undef(out);
		out->rd = out->rn = ARM_REG_NONE;
		out->op = bit(h, 7) ? ARM_OP_BLX_REG : ARM_OP_BX;
		if (out->op == ARM_OP_BLX_REG && rm == 15)
			return undef(out);
		return 0;
	}
}

/* Load/store single data item (A6.2.4), LDR literal, SP-relative. */
static int load_store16(uint16_t h, struct arm_insn *out)
{
	static const uint8_t reg_ops[8] = {
		ARM_OP_STR, ARM_OP_STRH, ARM_OP_STRB, ARM_OP_LDRSB,
		ARM_OP_LDR, ARM_OP_LDRH, ARM_OP_LDRB, ARM_OP_LDRSH,
	};
	unsigned opa = bits(h, 15, 12);
	bool load = bit(h, 11);

	out->flags = ARM_F_P | ARM_F_U;
	out->rd = (uint8_t)bits(h, 2, 0);
	out->rn = (uint8_t)bits(h, 5, 3);
	switch (opa) {
	case 4:		/* LDR (literal) */
		out->op = ARM_OP_LDR;
		out->rd = (uint8_t)bits(h, 10, 8);
		out->rn = 15;
		out->flags |= ARM_F_IMM;
		out->imm = bits(h, 7, 0) << 2;
		return 0;
	case 5:		/* register offset */
		out->op = reg_ops[bits(h, 11, 9)];
		out->rm = (uint8_t)bits(h, 8, 6);
		out->shift = ARM_SHIFT_LSL;
		return 0;
	case 6:
		out->op = load ? ARM_OP_LDR : ARM_OP_STR;
		out->imm = bits(h, 10, 6) << 2;
		break;
	case 7:
		out->op = load ? ARM_OP_LDRB : ARM_OP_STRB;
		out->imm = bits(h, 10, 6);
		break;
	case 8:
		out->op = load ? ARM_OP_LDRH : ARM_OP_STRH;
		out->imm = bits(h, 10, 6) << 1;
		break;
	default:	/* 9: SP-relative */
		out->op = load ? ARM_OP_LDR : ARM_OP_STR;
		out->rd = (uint8_t)bits(h, 10, 8);
		out->rn = 13;
		out->imm = bits(h, 7, 0) << 2;
		break;
	}
	out->flags |= ARM_F_IMM;
	return 0;
}

/* Miscellaneous 16-bit instructions (A6.2.5). */
static int misc16(uint16_t h, struct arm_insn *out)
{
	unsigned op = bits(h, 11, 5);

	if ((op & 0x7c) == 0x00 || (op & 0x7c) == 0x04) {	/* ADD/SUB SP, SP, #imm7 */
		out->op = (op & 4) ? ARM_OP_SUB : ARM_OP_ADD;
		out->rd = out->rn = 13;
		out->flags = ARM_F_IMM;
		out->imm = bits(h, 6, 0) << 2;
		return 0;
	}
	if ((op & 0x28) == 0x08) {	/* CBZ, CBNZ */
		out->op = ARM_OP_CBZ;
		out->rn = (uint8_t)bits(h, 2, 0);
		out->imm = bit(h, 9) << 6 | bits(h, 7, 3) << 1;
		if (bit(h, 11))
			out->aux = ARM_AUX_NZ;
		return 0;
	}
	if ((op & 0x78) == 0x10) {	/* SXTH, SXTB, UXTH, UXTB */
		static const uint8_t ext[4] = { ARM_EXT_SH, ARM_EXT_SB, ARM_EXT_UH, ARM_EXT_UB };

		out->op = ARM_OP_EXTEND;
		out->aux = ext[bits(h, 7, 6)];
		out->rd = (uint8_t)bits(h, 2, 0);
		out->rm = (uint8_t)bits(h, 5, 3);
		return 0;
	}
	if ((op & 0x70) == 0x20 || (op & 0x70) == 0x60) {	/* PUSH, POP */
		bool pop = bit(h, 11);

		out->op = pop ? ARM_OP_LDM : ARM_OP_STM;
		out->rn = 13;
		out->imm = bits(h, 7, 0) | bit(h, 8) << (pop ? 15 : 14);
		out->flags = pop ? (ARM_F_U | ARM_F_W) : (ARM_F_P | ARM_F_W);
		return out->imm ? 0 : undef(out);
	}
	if (op == 0x32) {		/* SETEND */
		if (bits(h, 4, 4) != 1 || bits(h, 2, 0))
			return undef(out);
		out->op = ARM_OP_SETEND;
		out->imm = bit(h, 3);
		return 0;
	}
	if (op == 0x33) {		/* CPS */
		if (bit(h, 3) || !bits(h, 2, 0))
			return undef(out);
		out->op = ARM_OP_CPS;
		out->aux = (uint8_t)((bit(h, 4) ? ARM_CPS_DISABLE : ARM_CPS_ENABLE) |
				     (bit(h, 2) ? ARM_CPS_A : 0) | (bit(h, 1) ? ARM_CPS_I : 0) |
				     (bit(h, 0) ? ARM_CPS_F : 0));
		return 0;
	}
	if ((op & 0x78) == 0x50) {	/* REV, REV16, REVSH */
		static const uint8_t revs[4] = { ARM_OP_REV, ARM_OP_REV16, ARM_OP_UNDEF, ARM_OP_REVSH };

		out->op = revs[bits(h, 7, 6)];
		out->rd = (uint8_t)bits(h, 2, 0);
		out->rm = (uint8_t)bits(h, 5, 3);
		return 0;
	}
	if ((op & 0x78) == 0x70) {	/* BKPT */
		out->op = ARM_OP_BKPT;
		out->imm = bits(h, 7, 0);
		return 0;
	}
	if ((op & 0x78) == 0x78) {	/* IT and hints */
		static const uint8_t hints[5] = {
			ARM_OP_NOP, ARM_OP_YIELD, ARM_OP_WFE, ARM_OP_WFI, ARM_OP_SEV,
		};

		if (bits(h, 3, 0)) {
			/* firstcond 1111 is UNPREDICTABLE, and 1110 (AL) with
			 * a mask that has an else branch. */
			if (bits(h, 7, 4) == 15 ||
			    (bits(h, 7, 4) == 14 && __builtin_popcount(bits(h, 3, 0)) != 1))
				return undef(out);
			out->op = ARM_OP_IT;
			out->imm = bits(h, 7, 0);
			return 0;
		}
		out->op = bits(h, 7, 4) < 5 ? hints[bits(h, 7, 4)] : ARM_OP_NOP;
		return 0;
	}
	return undef(out);
}

static int decode16(uint16_t h, struct arm_insn *out)
{
	unsigned op = bits(h, 15, 10);

	if (op < 0x10)
		return shift_add_sub_mov_cmp(h, out);
	if (op == 0x10)
		return dp_low(h, out);
	if (op == 0x11)
		return special_data_bx(h, out);
	if (op < 0x28)
		return load_store16(h, out);
	if (op < 0x2c) {	/* ADR, ADD Rd, SP, #imm8 */
		out->rd = (uint8_t)bits(h, 10, 8);
		out->imm = bits(h, 7, 0) << 2;
		if (bit(h, 11)) {
			out->op = ARM_OP_ADD;
			out->rn = 13;
			out->flags = ARM_F_IMM;
		} else {
			out->op = ARM_OP_ADR;
		}
		return 0;
	}
	if (op < 0x30)
		return misc16(h, out);
	if (op < 0x34) {	/* STM (STMIA Rn!), LDM (LDMIA Rn!) */
		out->op = bit(h, 11) ? ARM_OP_LDM : ARM_OP_STM;
		out->rn = (uint8_t)bits(h, 10, 8);
		out->imm = bits(h, 7, 0);
		out->flags = ARM_F_U;
		/* LDM writes back only if the base is not loaded. */
		if (out->op == ARM_OP_STM || !(out->imm >> out->rn & 1))
			out->flags |= ARM_F_W;
		return out->imm ? 0 : undef(out);
	}
	if (op < 0x38) {	/* B<c>, UDF, SVC */
		unsigned cond = bits(h, 11, 8);

		if (cond == 14)
			return undef(out);
		if (cond == 15) {
			out->op = ARM_OP_SVC;
			out->imm = bits(h, 7, 0);
			return 0;
		}
		out->op = ARM_OP_B;
		out->cond = (uint8_t)cond;
		out->imm = (uint32_t)((int32_t)((uint32_t)h << 24) >> 23);
		return 0;
	}
	/* 11100: B (unconditional); 11101 is a 32-bit prefix. */
	out->op = ARM_OP_B;
	out->imm = (uint32_t)((int32_t)((uint32_t)h << 21) >> 20);
	return 0;
}

/* ---- 32-bit encodings (A6.3) ---- */

/* ThumbExpandImm_C (A6.3.2): a byte replicated in one of four patterns,
 * or a rotated 8-bit value with bit 7 set, whose rotation makes the
 * carry-out imm[31]. */
static void thumb_expand_imm(struct arm_insn *out, uint32_t imm12)
{
	uint32_t b = imm12 & 0xff;

	out->flags |= ARM_F_IMM;
	if (bits(imm12, 11, 10) == 0) {
		switch (bits(imm12, 9, 8)) {
		case 0: out->imm = b; break;
		case 1: out->imm = b << 16 | b; break;
		case 2: out->imm = b << 24 | b << 8; break;
		default: out->imm = b * 0x01010101u; break;
		}
		return;
	}
	b |= 0x80;
	{
		unsigned rot = bits(imm12, 11, 7);

		out->imm = (b >> rot) | (b << (32 - rot));
	}
	out->flags |= ARM_F_IMM_C;
}

/* The T32 data-processing opcodes (modified immediate and shifted
 * register share them); ARM_OP_UNDEF where none. */
static const uint8_t t32_dp_ops[16] = {
	ARM_OP_AND, ARM_OP_BIC, ARM_OP_ORR, ARM_OP_ORN, ARM_OP_EOR, ARM_OP_UNDEF,
	ARM_OP_UNDEF, ARM_OP_UNDEF, ARM_OP_ADD, ARM_OP_UNDEF, ARM_OP_ADC, ARM_OP_SBC,
	ARM_OP_UNDEF, ARM_OP_SUB, ARM_OP_RSB, ARM_OP_UNDEF,
};

/* Shared by A6.3.1 and A6.3.11: Rd 1111 with S turns AND/EOR/ADD/SUB
 * into TST/TEQ/CMN/CMP; Rn 1111 turns ORR/ORN into MOV/MVN. */
static int t32_dp(uint32_t w, unsigned opc, struct arm_insn *out)
{
	unsigned rd = bits(w, 11, 8), rn = bits(w, 19, 16);
	bool s = bit(w, 20);

	out->op = t32_dp_ops[opc];
	if (out->op == ARM_OP_UNDEF)
		return undef(out);
	out->rd = (uint8_t)rd;
	out->rn = (uint8_t)rn;
	if (s)
		out->flags |= ARM_F_S;
	if (rd == 15 && s) {
		switch (out->op) {
		case ARM_OP_AND: out->op = ARM_OP_TST; break;
		case ARM_OP_EOR: out->op = ARM_OP_TEQ; break;
		case ARM_OP_ADD: out->op = ARM_OP_CMN; break;
		case ARM_OP_SUB: out->op = ARM_OP_CMP; break;
		default: return undef(out);
		}
		out->rd = ARM_REG_NONE;
	} else if (rd == 15) {
		return undef(out);
	}
	if (rn == 15) {
		if (out->op == ARM_OP_ORR)
			out->op = ARM_OP_MOV;
		else if (out->op == ARM_OP_ORN)
			out->op = ARM_OP_MVN;
		else
			return undef(out);
		out->rn = ARM_REG_NONE;
	}
	/* SP as a destination is for ADD/SUB (SP arithmetic) and MOV only. */
	if (out->rd == 13 && out->op != ARM_OP_ADD && out->op != ARM_OP_SUB &&
	    out->op != ARM_OP_MOV)
		return undef(out);
	return 0;
}

/* Data processing (modified immediate) (A6.3.1). */
static int dp_modified_imm(uint32_t w, struct arm_insn *out)
{
	thumb_expand_imm(out, bit(w, 26) << 11 | bits(w, 14, 12) << 8 | bits(w, 7, 0));
	return t32_dp(w, bits(w, 24, 21), out);
}

/* Data processing (plain binary immediate) (A6.3.3). */
static int dp_plain_imm(uint32_t w, struct arm_insn *out)
{
	unsigned op = bits(w, 24, 20), rn = bits(w, 19, 16), rd = bits(w, 11, 8);
	unsigned imm3 = bits(w, 14, 12), imm2 = bits(w, 7, 6), low5 = bits(w, 4, 0);
	uint32_t imm12 = bit(w, 26) << 11 | imm3 << 8 | bits(w, 7, 0);

	out->rd = (uint8_t)rd;
	out->rn = (uint8_t)rn;
	/* Saturate and bitfield forms have (0) at hw1[10] and hw2[5]. */
	if (op >= 0x10 && (bit(w, 26) || bit(w, 5)))
		return undef(out);
	switch (op) {
	case 0x00:	/* ADDW, ADR (add) */
	case 0x0a:	/* SUBW, ADR (subtract) */
		if (rn == 15) {
			out->op = ARM_OP_ADR;
			out->imm = op ? (uint32_t)-imm12 : imm12;
			out->rn = ARM_REG_NONE;
			return bad_reg(rd) ? undef(out) : 0;
		}
		out->op = op ? ARM_OP_SUB : ARM_OP_ADD;
		out->flags = ARM_F_IMM;
		out->imm = imm12;
		return (rd == 15 || (rd == 13 && rn != 13)) ? undef(out) : 0;
	case 0x04:	/* MOVW */
	case 0x0c:	/* MOVT */
		out->op = op == 4 ? ARM_OP_MOV : ARM_OP_MOVT;
		out->flags = op == 4 ? ARM_F_IMM : 0;
		out->imm = rn << 12 | imm12;
		out->rn = ARM_REG_NONE;
		return bad_reg(rd) ? undef(out) : 0;
	case 0x10:	/* SSAT */
	case 0x12:	/* SSAT, SSAT16 */
	case 0x18:	/* USAT */
	case 0x1a:	/* USAT, USAT16 */
		if (bad_reg(rd) || bad_reg(rn))
			return undef(out);
		if ((op & 2) && imm3 == 0 && imm2 == 0) {
			out->op = (op & 8) ? ARM_OP_USAT16 : ARM_OP_SSAT16;
			out->imm = (op & 8) ? bits(w, 3, 0) : bits(w, 3, 0) + 1;
			return bit(w, 4) || bit(w, 5) ? undef(out) : 0;
		}
		out->op = (op & 8) ? ARM_OP_USAT : ARM_OP_SSAT;
		out->imm = (op & 8) ? low5 : low5 + 1;
		arm_decode_imm_shift(out, (op & 2) ? ARM_SHIFT_ASR : ARM_SHIFT_LSL, imm3 << 2 | imm2);
		return 0;
	case 0x14:	/* SBFX */
	case 0x1c:	/* UBFX */
		out->op = op == 0x14 ? ARM_OP_SBFX : ARM_OP_UBFX;
		out->shamt = (uint8_t)(imm3 << 2 | imm2);
		out->aux = (uint8_t)(low5 + 1);
		if (out->shamt + out->aux > 32 || bad_reg(rd) || bad_reg(rn))
			return undef(out);
		return 0;
	case 0x16:	/* BFI, BFC */
		out->op = rn == 15 ? ARM_OP_BFC : ARM_OP_BFI;
		out->shamt = (uint8_t)(imm3 << 2 | imm2);
		if (low5 < out->shamt || bad_reg(rd) || rn == 13)
			return undef(out);
		out->aux = (uint8_t)(low5 - out->shamt + 1);
		return 0;
	default:
		return undef(out);
	}
}

/* The J1/J2 branch offsets: I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S). */
static uint32_t branch_imm(uint32_t w, bool cond_form)
{
	uint32_t s = bit(w, 26), j1 = bit(w, 13), j2 = bit(w, 11);
	uint32_t v;

	if (cond_form) {
		v = s << 20 | j2 << 19 | j1 << 18 | bits(w, 21, 16) << 12 | bits(w, 10, 0) << 1;
		return (uint32_t)((int32_t)(v << 11) >> 11);
	}
	v = s << 24 | (~(j1 ^ s) & 1) << 23 | (~(j2 ^ s) & 1) << 22 | bits(w, 25, 16) << 12 |
	    bits(w, 10, 0) << 1;
	return (uint32_t)((int32_t)(v << 7) >> 7);
}

/* Branches and miscellaneous control (A6.3.4). */
static int branch_misc(uint32_t w, struct arm_insn *out)
{
	unsigned op = bits(w, 26, 20), op1 = bits(w, 14, 12);

	if (op1 & 1) {	/* B (T4), BL */
		out->op = (op1 & 4) ? ARM_OP_BL : ARM_OP_B;
		out->imm = branch_imm(w, false);
		return 0;
	}
	if (op1 & 4) {	/* BLX (immediate): H must be 0 */
		if (bit(w, 0))
			return undef(out);
		out->op = ARM_OP_BLX_IMM;
		out->imm = branch_imm(w, false);
		return 0;
	}
	if ((op & 0x38) != 0x38) {	/* B<c> (T3) */
		out->op = ARM_OP_B;
		out->cond = (uint8_t)bits(w, 25, 22);
		out->imm = branch_imm(w, true);
		return 0;
	}
	if (op1 == 2)	/* UDF, or undefined */
		return undef(out);
	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 11, 8);
	switch (op) {
	case 0x38:
	case 0x39:	/* MSR (register), MSR (banked) */
		if (bit(w, 20))
			out->flags |= ARM_F_R;
		if (bad_reg(out->rn))
			return undef(out);
		if (bit(w, 5)) {
			out->op = ARM_OP_MSR_BANKED;
			out->aux = (uint8_t)(bit(w, 4) << 4 | bits(w, 11, 8));
			return 0;
		}
		out->op = ARM_OP_MSR;
		out->aux = (uint8_t)bits(w, 11, 8);
		return out->aux ? 0 : undef(out);
	case 0x3a:	/* CPS and hints */
		if (bits(w, 10, 8) == 0) {
			static const uint8_t hints[5] = {
				ARM_OP_NOP, ARM_OP_YIELD, ARM_OP_WFE, ARM_OP_WFI, ARM_OP_SEV,
			};
			unsigned hint = bits(w, 7, 0);

			out->op = hint < 5 ? hints[hint] : ARM_OP_NOP;
			return 0;
		} else {
			unsigned imod = bits(w, 10, 9), aif = bits(w, 7, 5);

			out->op = ARM_OP_CPS;
			out->imm = bits(w, 4, 0);
			if (imod == 1 || (imod == 0 && !bit(w, 8)))
				return undef(out);
			if (bit(w, 8))
				out->aux |= ARM_CPS_M;
			else if (out->imm)
				return undef(out);
			if (imod & 2) {
				if (!aif)
					return undef(out);
				out->aux |= (uint8_t)((imod == 2 ? ARM_CPS_ENABLE : ARM_CPS_DISABLE) |
						      (bit(w, 7) ? ARM_CPS_A : 0) |
						      (bit(w, 6) ? ARM_CPS_I : 0) |
						      (bit(w, 5) ? ARM_CPS_F : 0));
			} else if (aif) {
				return undef(out);
			}
			return 0;
		}
	case 0x3b:	/* CLREX, DSB, DMB, ISB */
		switch (bits(w, 7, 4)) {
		case 2:
			out->op = ARM_OP_CLREX;
			return 0;
		case 4:
			out->op = ARM_OP_BARRIER;
			out->aux = ARM_BARRIER_DSB;
			return 0;
		case 5:
			out->op = ARM_OP_BARRIER;
			out->aux = ARM_BARRIER_DMB;
			return 0;
		case 6:
			out->op = ARM_OP_BARRIER;
			out->aux = ARM_BARRIER_ISB;
			return 0;
		default:
			return undef(out);
		}
	case 0x3c:	/* BXJ: no Jazelle, so BX */
		out->op = ARM_OP_BX;
		out->rm = out->rn;
		out->rn = out->rd = ARM_REG_NONE;
		return bad_reg(out->rm) ? undef(out) : 0;
	case 0x3d:	/* SUBS PC, LR, #imm8 (ERET when imm8 is 0) */
		if (out->rn != 14 || bits(w, 11, 8) != 15)
			return undef(out);
		out->op = ARM_OP_SUB;
		out->rd = 15;
		out->flags = ARM_F_S | ARM_F_IMM;
		out->imm = bits(w, 7, 0);
		return 0;
	case 0x3e:
	case 0x3f:	/* MRS, MRS (banked) */
		if (bit(w, 20))
			out->flags |= ARM_F_R;
		if (bad_reg(out->rd))
			return undef(out);
		if (bit(w, 5)) {
			out->op = ARM_OP_MRS_BANKED;
			out->aux = (uint8_t)(bit(w, 4) << 4 | bits(w, 19, 16));
			return 0;
		}
		out->op = ARM_OP_MRS;
		return 0;
	case 0x7e:	/* HVC */
		if (op1 != 0)
			return undef(out);
		out->op = ARM_OP_HVC;
		out->imm = bits(w, 19, 16) << 12 | bits(w, 11, 0);
		out->rn = out->rd = ARM_REG_NONE;
		return 0;
	case 0x7f:	/* SMC */
		if (op1 != 0 || bits(w, 11, 0))
			return undef(out);
		out->op = ARM_OP_SMC;
		out->imm = bits(w, 19, 16);
		out->rn = out->rd = ARM_REG_NONE;
		return 0;
	default:
		return undef(out);
	}
}

/* Load/store multiple, SRS, RFE (A6.3.5). */
static int load_store_multiple(uint32_t w, struct arm_insn *out)
{
	unsigned op = bits(w, 24, 23);
	bool load = bit(w, 20);

	out->rn = (uint8_t)bits(w, 19, 16);
	if (bit(w, 21))
		out->flags |= ARM_F_W;
	if (op == 0 || op == 3) {
		/* SRSDB/RFEDB (op 00), SRSIA/RFEIA (op 11). */
		out->flags |= op == 3 ? ARM_F_U : ARM_F_P;
		if (load) {
			out->op = ARM_OP_RFE;
			return out->rn == 15 ? undef(out) : 0;
		}
		out->op = ARM_OP_SRS;
		out->imm = bits(w, 4, 0);
		out->rn = 13;
		return 0;
	}
	out->op = load ? ARM_OP_LDM : ARM_OP_STM;
	out->flags |= op == 1 ? ARM_F_U : ARM_F_P;
	out->imm = bits(w, 15, 0);
	if (out->rn == 15 || out->imm == 0 || bit(w, 13))
		return undef(out);
	if (load ? (bit(w, 15) && bit(w, 14)) : bit(w, 15))
		return undef(out);
	if ((out->flags & ARM_F_W) && (out->imm >> out->rn & 1))
		return undef(out);
	return 0;
}

/* Load/store dual, exclusive, table branch (A6.3.6). */
static int dual_excl_tb(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 24, 23), op2 = bits(w, 21, 20), op3 = bits(w, 7, 4);
	unsigned rn = bits(w, 19, 16), rt = bits(w, 15, 12), rt2 = bits(w, 11, 8);

	out->rn = (uint8_t)rn;
	out->rd = (uint8_t)rt;
	if ((op1 & 2) || (op2 & 2)) {	/* LDRD/STRD (immediate, literal) */
		out->op = bit(w, 20) ? ARM_OP_LDRD : ARM_OP_STRD;
		out->ra = (uint8_t)rt2;
		out->flags = ARM_F_IMM;
		if (bit(w, 24))
			out->flags |= ARM_F_P;
		if (bit(w, 23))
			out->flags |= ARM_F_U;
		if (bit(w, 21))
			out->flags |= ARM_F_W;
		out->imm = bits(w, 7, 0) << 2;
		if (bit(w, 21) && (rn == 15 || rn == rt || rn == rt2))
			return undef(out);
		if (bad_reg(rt) || bad_reg(rt2) || (out->op == ARM_OP_LDRD && rt == rt2))
			return undef(out);
		if (out->op == ARM_OP_STRD && rn == 15)
			return undef(out);
		return 0;
	}
	if (op1 == 0) {	/* STREX, LDREX: [Rn, #imm8 << 2] */
		out->aux = 4;
		out->imm = bits(w, 7, 0) << 2;
		if (op2 == 0) {
			out->op = ARM_OP_STREX;
			out->rm = (uint8_t)rt2;
			if (bad_reg(rt2) || rt2 == rn || rt2 == rt)
				return undef(out);
		} else {
			out->op = ARM_OP_LDREX;
			if (rt2 != 15)
				return undef(out);
		}
		return (bad_reg(rt) || rn == 15) ? undef(out) : 0;
	}
	if (op2 == 1 && (op3 == 0 || op3 == 1)) {	/* TBB, TBH */
		out->op = op3 ? ARM_OP_TBH : ARM_OP_TBB;
		out->rm = (uint8_t)bits(w, 3, 0);
		out->rd = ARM_REG_NONE;
		if (rn == 13 || bad_reg(out->rm) || bits(w, 15, 8) != 0xf0)
			return undef(out);
		return 0;
	}
	/* LDREX{B,H,D}, STREX{B,H,D}: op3 0100 B, 0101 H, 0111 D. */
	switch (op3) {
	case 4: out->aux = 1; break;
	case 5: out->aux = 2; break;
	case 7: out->aux = 8; break;
	default: return undef(out);
	}
	out->ra = (uint8_t)rt2;
	if (op2 == 1) {
		out->op = ARM_OP_LDREX;
		if (bits(w, 3, 0) != 15 || (out->aux != 8 && rt2 != 15))
			return undef(out);
		if (out->aux == 8 && (bad_reg(rt2) || rt == rt2))
			return undef(out);
	} else {
		unsigned rd = bits(w, 3, 0);

		out->op = ARM_OP_STREX;
		out->rm = (uint8_t)rd;
		if (bad_reg(rd) || rd == rn || rd == rt)
			return undef(out);
		if (out->aux != 8 && rt2 != 15)
			return undef(out);
		if (out->aux == 8 && (bad_reg(rt2) || rd == rt2))
			return undef(out);
	}
	return (bad_reg(rt) || rn == 15) ? undef(out) : 0;
}

/* Data processing (shifted register) (A6.3.11), PKHBT/PKHTB. */
static int dp_shifted_reg(uint32_t w, struct arm_insn *out)
{
	unsigned opc = bits(w, 24, 21), rm = bits(w, 3, 0);

	out->rm = (uint8_t)rm;
	arm_decode_imm_shift(out, bits(w, 5, 4), bits(w, 14, 12) << 2 | bits(w, 7, 6));
	if (bit(w, 15))		/* (0) */
		return undef(out);
	if (opc == 6) {
		if (bit(w, 20) || bit(w, 4))
			return undef(out);
		out->op = bit(w, 5) ? ARM_OP_PKHTB : ARM_OP_PKHBT;
		out->rd = (uint8_t)bits(w, 11, 8);
		out->rn = (uint8_t)bits(w, 19, 16);
		if (bad_reg(out->rd) || bad_reg(out->rn) || bad_reg(rm))
			return undef(out);
		return 0;
	}
	if (t32_dp(w, opc, out) != 0 || out->op == ARM_OP_UNDEF)
		return undef(out);
	if (rm == 15)
		return undef(out);
	return 0;
}

/* Data processing (register): shifts by register, extends, parallel
 * arithmetic, and the miscellaneous operations (A6.3.12-A6.3.15). */
static int dp_register(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 23, 20), op2 = bits(w, 7, 4);
	unsigned rn = bits(w, 19, 16), rd = bits(w, 11, 8), rm = bits(w, 3, 0);

	out->rd = (uint8_t)rd;
	out->rn = (uint8_t)rn;
	out->rm = (uint8_t)rm;
	if (bits(w, 15, 12) != 15 || bad_reg(rd) || bad_reg(rm))
		return undef(out);
	if (!(op1 & 8) && op2 == 0) {	/* LSL/LSR/ASR/ROR (register) */
		out->op = ARM_OP_MOV;
		out->shift = (uint8_t)(op1 >> 1);
		out->rm = (uint8_t)rn;
		out->ra = (uint8_t)rm;
		out->rn = ARM_REG_NONE;
		out->flags = ARM_F_REGSHIFT | (bit(w, 20) ? ARM_F_S : 0);
		return bad_reg(rn) ? undef(out) : 0;
	}
	if (!(op1 & 8) && (op2 & 8)) {	/* extend and add */
		static const int8_t ext[8] = {
			ARM_EXT_SH, ARM_EXT_UH, ARM_EXT_SB16, ARM_EXT_UB16, ARM_EXT_SB, ARM_EXT_UB, -1, -1,
		};

		if (ext[op1] < 0 || bit(w, 6))
			return undef(out);
		out->op = ARM_OP_EXTEND;
		out->aux = (uint8_t)ext[op1];
		out->shamt = (uint8_t)(8 * bits(w, 5, 4));
		if (rn == 15)
			out->rn = ARM_REG_NONE;
		else if (rn == 13)
			return undef(out);
		return 0;
	}
	if (bad_reg(rn))
		return undef(out);
	if ((op1 & 8) && !(op2 & 8)) {	/* parallel add/subtract */
		static const int8_t lanes[8] = {
			ARM_PAR_ADD8, ARM_PAR_ADD16, ARM_PAR_ASX, -1, ARM_PAR_SUB8, ARM_PAR_SUB16, ARM_PAR_SAX, -1,
		};
		unsigned kind = bits(w, 5, 4);

		if (lanes[op1 & 7] < 0 || kind == 3)
			return undef(out);
		out->op = ARM_OP_PARALLEL;
		out->aux = (uint8_t)(((bit(w, 6) ? 3 : 0) + kind) << 3 | (unsigned)lanes[op1 & 7]);
		return 0;
	}
	if ((op1 & 0xc) == 8 && (op2 & 0xc) == 8) {	/* A6.3.15 */
		static const uint8_t ops[16] = {
			ARM_OP_QADD, ARM_OP_QDADD, ARM_OP_QSUB, ARM_OP_QDSUB,
			ARM_OP_REV, ARM_OP_REV16, ARM_OP_RBIT, ARM_OP_REVSH,
			ARM_OP_SEL, ARM_OP_UNDEF, ARM_OP_UNDEF, ARM_OP_UNDEF,
			ARM_OP_CLZ, ARM_OP_UNDEF, ARM_OP_UNDEF, ARM_OP_UNDEF,
		};

		out->op = ops[(op1 & 3) << 2 | (op2 & 3)];
		/* One-operand forms name Rm twice (Rn field and Rm field). */
		if (out->op >= ARM_OP_REV) {
			if (rn != rm)
				return undef(out);
			out->rn = ARM_REG_NONE;
		}
		return 0;
	}
	return undef(out);
}

/* Multiply, multiply accumulate, absolute difference (A6.3.16). */
static int multiply32(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 22, 20), op2 = bits(w, 5, 4);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->ra = (uint8_t)bits(w, 15, 12);
	out->rd = (uint8_t)bits(w, 11, 8);
	out->rm = (uint8_t)bits(w, 3, 0);
	if (bits(w, 7, 6) != 0)
		return undef(out);
	switch (op1) {
	case 0:
		if (op2 > 1)
			return undef(out);
		out->op = op2 ? ARM_OP_MLS : (out->ra == 15 ? ARM_OP_MUL : ARM_OP_MLA);
		break;
	case 1:
		out->op = ARM_OP_SMLAXY;
		out->aux = (uint8_t)((bit(w, 5) ? ARM_AUX_NTOP : 0) | (bit(w, 4) ? ARM_AUX_MTOP : 0));
		break;
	case 2:
	case 4:
		if (op2 > 1)
			return undef(out);
		out->op = op1 == 2 ? ARM_OP_SMLAD : ARM_OP_SMLSD;
		out->aux = bit(w, 4) ? ARM_AUX_X : 0;
		break;
	case 3:
		if (op2 > 1)
			return undef(out);
		out->op = ARM_OP_SMLAWY;
		out->aux = bit(w, 4) ? ARM_AUX_MTOP : 0;
		break;
	case 5:
	case 6:
		if (op2 > 1)
			return undef(out);
		out->op = op1 == 5 ? ARM_OP_SMMLA : ARM_OP_SMMLS;
		out->aux = bit(w, 4) ? ARM_AUX_R : 0;
		if (op1 == 6 && out->ra == 15)
			return undef(out);
		break;
	default:
		if (op2 != 0)
			return undef(out);
		out->op = ARM_OP_USADA8;
		break;
	}
	if (out->ra == 15 && out->op != ARM_OP_MLS)
		out->ra = ARM_REG_NONE;
	if (bad_reg(out->rd) || bad_reg(out->rn) || bad_reg(out->rm) || out->ra == 13 ||
	    out->ra == 15)
		return undef(out);
	return 0;
}

/* Long multiply, long multiply accumulate, divide (A6.3.17). */
static int long_multiply(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 22, 20), op2 = bits(w, 7, 4);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->ra = (uint8_t)bits(w, 15, 12);	/* RdLo */
	out->rd = (uint8_t)bits(w, 11, 8);	/* RdHi */
	out->rm = (uint8_t)bits(w, 3, 0);
	switch (op1 << 4 | op2) {
	case 0x00: out->op = ARM_OP_SMULL; break;
	case 0x20: out->op = ARM_OP_UMULL; break;
	case 0x40: out->op = ARM_OP_SMLAL; break;
	case 0x60: out->op = ARM_OP_UMLAL; break;
	case 0x66: out->op = ARM_OP_UMAAL; break;
	case 0x48: case 0x49: case 0x4a: case 0x4b:
		out->op = ARM_OP_SMLALXY;
		out->aux = (uint8_t)((bit(w, 5) ? ARM_AUX_NTOP : 0) | (bit(w, 4) ? ARM_AUX_MTOP : 0));
		break;
	case 0x4c: case 0x4d:
		out->op = ARM_OP_SMLALD;
		out->aux = bit(w, 4) ? ARM_AUX_X : 0;
		break;
	case 0x5c: case 0x5d:
		out->op = ARM_OP_SMLSLD;
		out->aux = bit(w, 4) ? ARM_AUX_X : 0;
		break;
	case 0x1f:
	case 0x3f:
		if (out->ra != 15)
			return undef(out);
		out->op = op1 == 1 ? ARM_OP_SDIV : ARM_OP_UDIV;
		out->ra = ARM_REG_NONE;
		return (bad_reg(out->rd) || bad_reg(out->rn) || bad_reg(out->rm)) ? undef(out) : 0;
	default:
		return undef(out);
	}
	if (bad_reg(out->rd) || bad_reg(out->ra) || bad_reg(out->rn) || bad_reg(out->rm) ||
	    out->rd == out->ra)
		return undef(out);
	return 0;
}

/* Single loads and stores, 32-bit (A6.3.7-A6.3.10). hw1[6:5] is the
 * size, hw1[8] signed, hw1[7] the 12-bit positive immediate form. Loads
 * of a byte or halfword to PC are the PLD/PLI hints. */
static int load_store32(uint32_t w, struct arm_insn *out)
{
	static const uint8_t loads[2][3] = {
		{ ARM_OP_LDRB, ARM_OP_LDRH, ARM_OP_LDR },
		{ ARM_OP_LDRSB, ARM_OP_LDRSH, ARM_OP_UNDEF },
	};
	static const uint8_t stores[3] = { ARM_OP_STRB, ARM_OP_STRH, ARM_OP_STR };
	unsigned size = bits(w, 22, 21), rn = bits(w, 19, 16), rt = bits(w, 15, 12);
	bool load = bit(w, 20), sign = bit(w, 24), wback = false;

	if (size == 3 || (!load && sign))
		return undef(out);
	out->op = load ? loads[sign][size] : stores[size];
	if (out->op == ARM_OP_UNDEF)
		return undef(out);
	out->rn = (uint8_t)rn;
	out->rd = (uint8_t)rt;
	if (rn == 15) {		/* literal: Align(PC, 4) +/- imm12 */
		if (!load)
			return undef(out);
		out->flags = ARM_F_IMM | ARM_F_P | (bit(w, 23) ? ARM_F_U : 0);
		out->imm = bits(w, 11, 0);
	} else if (bit(w, 23)) {	/* [Rn, #imm12] */
		out->flags = ARM_F_IMM | ARM_F_P | ARM_F_U;
		out->imm = bits(w, 11, 0);
	} else if (bit(w, 11)) {	/* imm8 with P, U, W */
		unsigned puw = bits(w, 10, 8);

		out->flags = ARM_F_IMM | (bit(w, 10) ? ARM_F_P : 0) | (bit(w, 9) ? ARM_F_U : 0) |
			     (bit(w, 8) ? ARM_F_W : 0);
		out->imm = bits(w, 7, 0);
		if (puw == 6) {
			out->flags |= ARM_F_USER;	/* LDRT, STRT, ... */
			if (rt == 15)
				return undef(out);
		} else if (!(puw & 4) && !(puw & 1)) {
			return undef(out);	/* P = 0, W = 0 */
		}
		wback = !(puw & 4) || (puw & 1);
	} else if (bits(w, 11, 6) == 0) {	/* [Rn, Rm, LSL #imm2] */
		out->rm = (uint8_t)bits(w, 3, 0);
		out->shift = ARM_SHIFT_LSL;
		out->shamt = (uint8_t)bits(w, 5, 4);
		out->flags = ARM_F_P | ARM_F_U;
		if (bad_reg(out->rm))
			return undef(out);
	} else {
		return undef(out);
	}
	if (wback && (rn == rt))
		return undef(out);
	if (rt == 15) {
		/* LDR PC (LoadWritePC, POP.W {pc} included); byte and
		 * halfword loads to PC are the PLD/PLDW/PLI hints. */
		if (!load || (wback && size < 2))
			return undef(out);
		if (size < 2)
			out->op = ARM_OP_PLD;
	}
	return 0;
}

/* Coprocessor space (A6.3.18): cp10/cp11 go to the VFP decoder; cp14
 * and cp15 take MCR/MRC/MCRR/MRRC. Advanced SIMD is not implemented. */
static int coprocessor32(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 25, 20), cp = bits(w, 11, 8);

	if (bit(w, 28) || (op1 & 0x30) == 0x30 || (op1 & 0x3e) == 0)
		return undef(out);	/* the "2" forms, Advanced SIMD */
	if ((cp & 0xe) == 0xa) {
		if (vfp_decode(w, &out->vfp) < 0)
			return undef(out);
		out->op = ARM_OP_VFP;
		return 0;
	}
	if (cp != 14 && cp != 15)
		return undef(out);
	out->aux = (uint8_t)cp;
	if ((op1 & 0x3e) == 0x04) {	/* MCRR, MRRC */
		out->op = bit(w, 20) ? ARM_OP_MRRC : ARM_OP_MCRR;
		out->ra = (uint8_t)bits(w, 19, 16);
		out->rd = (uint8_t)bits(w, 15, 12);
		out->shift = (uint8_t)bits(w, 7, 4);
		out->rm = (uint8_t)bits(w, 3, 0);
		if (bad_reg(out->rd) || bad_reg(out->ra) || (bit(w, 20) && out->rd == out->ra))
			return undef(out);
		return 0;
	}
	if ((op1 & 0x30) == 0x20 && bit(w, 4)) {	/* MCR, MRC */
		out->op = bit(w, 20) ? ARM_OP_MRC : ARM_OP_MCR;
		out->shift = (uint8_t)bits(w, 23, 21);
		out->rn = (uint8_t)bits(w, 19, 16);
		out->rd = (uint8_t)bits(w, 15, 12);
		out->shamt = (uint8_t)bits(w, 7, 5);
		out->rm = (uint8_t)bits(w, 3, 0);
		if (out->rd == 13 || (out->op == ARM_OP_MCR && out->rd == 15))
			return undef(out);
		return 0;
	}
	return undef(out);	/* LDC, STC, CDP */
}

static int decode32(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 28, 27), op2 = bits(w, 26, 20);

	if (op1 == 1) {
		if ((op2 & 0x64) == 0x00)
			return load_store_multiple(w, out);
		if ((op2 & 0x64) == 0x04)
			return dual_excl_tb(w, out);
		if ((op2 & 0x60) == 0x20)
			return dp_shifted_reg(w, out);
		return coprocessor32(w, out);
	}
	if (op1 == 2) {
		if (bit(w, 15))
			return branch_misc(w, out);
		return bit(w, 25) ? dp_plain_imm(w, out) : dp_modified_imm(w, out);
	}
	if ((op2 & 0x71) == 0x00 || (op2 & 0x67) == 0x01 || (op2 & 0x67) == 0x03 ||
	    (op2 & 0x67) == 0x05)
		return load_store32(w, out);
	if ((op2 & 0x70) == 0x20)
		return dp_register(w, out);
	if ((op2 & 0x78) == 0x30)
		return multiply32(w, out);
	if ((op2 & 0x78) == 0x38)
		return long_multiply(w, out);
	if (op2 & 0x40)
		return coprocessor32(w, out);
	return undef(out);	/* Advanced SIMD structure loads, 00xx111 */
}

int t32_decode(uint16_t hw1, uint16_t hw2, struct arm_insn *out)
{
	memset(out, 0, sizeof(*out));
	out->cond = 14;
	out->rn = out->rm = out->rd = out->ra = ARM_REG_NONE;
	if (!t32_is_32bit(hw1)) {
		out->len = 2;
		out->raw = hw1;
		return decode16(hw1, out);
	}
	out->len = 4;
	out->raw = (uint32_t)hw1 << 16 | hw2;
	return decode32(out->raw, out);
}
