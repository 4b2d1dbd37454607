/* a32.c — A32 (ARM state) decoder: encoding to struct arm_insn.
 *
 * Follows the decode tables of the ARM ARM (ARMv7-A/R, chapter A5) top
 * down; each leaf names the instruction it decodes. UNPREDICTABLE
 * encodings that a compiler or Linux never emit (PC as the destination of
 * a multiply, a base that is also loaded with write-back, ...) are
 * rejected as UNDEFINED so that the executor never has to give them a
 * meaning; those with a single sensible meaning are kept. */
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

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

static int undef(struct arm_insn *out)
{
	out->op = ARM_OP_UNDEF;
	return 0;
}

/* Fields the ARM ARM marks (0) or (1): any other value is UNPREDICTABLE.
 * We reject those encodings as QEMU and GNU objdump do, so that only
 * canonical encodings execute. */
static inline bool sbz(uint32_t w, uint32_t mask)
{
	return (w & mask) == 0;
}

static inline bool sbo(uint32_t w, uint32_t mask)
{
	return (w & mask) == mask;
}

/* ARMExpandImm: the rotated immediate; its carry-out is imm[31] only when
 * it was rotated (otherwise C is unchanged). */
static void expand_imm(struct arm_insn *out, uint32_t imm12)
{
	unsigned rot = 2 * bits(imm12, 11, 8);

	out->imm = ror32(imm12 & 0xff, rot);
	out->flags |= ARM_F_IMM;
	if (rot)
		out->flags |= ARM_F_IMM_C;
}

static const uint8_t dp_ops[16] = {
	ARM_OP_AND, ARM_OP_EOR, ARM_OP_SUB, ARM_OP_RSB, ARM_OP_ADD, ARM_OP_ADC,
	ARM_OP_SBC, ARM_OP_RSC, ARM_OP_TST, ARM_OP_TEQ, ARM_OP_CMP, ARM_OP_CMN,
	ARM_OP_ORR, ARM_OP_MOV, ARM_OP_BIC, ARM_OP_MVN,
};

/* Data processing, all three operand forms (A5.2.1-A5.2.3). */
static int data_processing(uint32_t w, struct arm_insn *out)
{
	unsigned opc = bits(w, 24, 21);

	out->op = dp_ops[opc];
	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	if (bit(w, 20))
		out->flags |= ARM_F_S;
	/* MOV/MVN have no Rn, the compares no Rd: those fields are (0). */
	if (((opc == 13 || opc == 15) && out->rn) || ((opc & 0xc) == 8 && out->rd))
		return undef(out);
	if (bit(w, 25)) {
		expand_imm(out, bits(w, 11, 0));
	} else if (bit(w, 4)) {
		/* Register-shifted register: PC anywhere is UNPREDICTABLE. */
		out->rm = (uint8_t)bits(w, 3, 0);
		out->ra = (uint8_t)bits(w, 11, 8);
		out->shift = (uint8_t)bits(w, 6, 5);
		out->flags |= ARM_F_REGSHIFT;
		if (out->rd == 15 || out->rm == 15 || out->ra == 15 ||
		    (out->rn == 15 && opc != 13 && opc != 15))
			return undef(out);
	} else {
		out->rm = (uint8_t)bits(w, 3, 0);
		arm_decode_imm_shift(out, bits(w, 6, 5), bits(w, 11, 7));
	}
	return 0;
}

/* Multiply and multiply accumulate (A5.2.5). */
static int multiply(uint32_t w, struct arm_insn *out)
{
	static const uint8_t ops[16] = {
		ARM_OP_MUL, ARM_OP_MUL, ARM_OP_MLA, ARM_OP_MLA, ARM_OP_UMAAL, ARM_OP_UNDEF,
		ARM_OP_MLS, ARM_OP_UNDEF, ARM_OP_UMULL, ARM_OP_UMULL, ARM_OP_UMLAL,
		ARM_OP_UMLAL, ARM_OP_SMULL, ARM_OP_SMULL, ARM_OP_SMLAL, ARM_OP_SMLAL,
	};
	unsigned o = bits(w, 23, 20);

	out->op = ops[o];
	out->rd = (uint8_t)bits(w, 19, 16);
	out->ra = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 11, 8);
	out->rn = (uint8_t)bits(w, 3, 0);
	if (bit(w, 20) && o != 4 && o != 6)
		out->flags |= ARM_F_S;
	if (out->op == ARM_OP_MUL) {
		if (out->ra)
			return undef(out);
		out->ra = ARM_REG_NONE;
	}
	if (out->rd == 15 || out->rm == 15 || out->rn == 15 || out->ra == 15)
		return undef(out);
	/* Long forms: RdHi == RdLo is UNPREDICTABLE. */
	if (o >= 8 || o == 4) {
		if (out->rd == out->ra)
			return undef(out);
	}
	return 0;
}

/* Halfword multiplies (A5.2.7): SMLA<x><y>, SMLAW<y>, SMULW<y>,
 * SMLAL<x><y>, SMUL<x><y>. */
static int halfword_multiply(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 22, 21);

	out->rd = (uint8_t)bits(w, 19, 16);
	out->ra = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 11, 8);
	out->rn = (uint8_t)bits(w, 3, 0);
	if (bit(w, 5))
		out->aux |= ARM_AUX_NTOP;
	if (bit(w, 6))
		out->aux |= ARM_AUX_MTOP;
	switch (op1) {
	case 0:
		out->op = ARM_OP_SMLAXY;
		break;
	case 1:
		/* Bit 5 selects SMULW (no accumulate), not a half of Rn. */
		out->op = ARM_OP_SMLAWY;
		if (bit(w, 5)) {
			if (out->ra)
				return undef(out);
			out->ra = ARM_REG_NONE;
		}
		out->aux &= (uint8_t)~ARM_AUX_NTOP;
		break;
	case 2:
		out->op = ARM_OP_SMLALXY;
		if (out->rd == out->ra)
			return undef(out);
		break;
	default:
		out->op = ARM_OP_SMLAXY;
		if (out->ra)
			return undef(out);
		out->ra = ARM_REG_NONE;
		break;
	}
	if (out->rd == 15 || out->rm == 15 || out->rn == 15 || out->ra == 15)
		return undef(out);
	return 0;
}

/* SWP/SWPB (A8.8.229): ARMv7 with the Multiprocessing Extensions has them
 * only while SCTLR.SW is set, which the executor checks. */
static int swap(uint32_t w, struct arm_insn *out)
{
	if (bits(w, 21, 20) || bits(w, 11, 8))
		return undef(out);
	out->op = ARM_OP_SWP;
	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 3, 0);
	out->aux = bit(w, 22) ? 1 : 4;
	if (out->rn == 15 || out->rd == 15 || out->rm == 15 || out->rn == out->rd ||
	    out->rn == out->rm)
		return undef(out);
	return 0;
}

/* Synchronization primitives (A5.2.10). */
static int synchronization(uint32_t w, struct arm_insn *out)
{
	static const uint8_t size[4] = { 4, 8, 1, 2 };
	unsigned o = bits(w, 23, 20);

	if (!(o & 8))
		return swap(w, out);
	if (!sbo(w, 0xf00) || ((o & 1) && !sbo(w, 0xf)))
		return undef(out);
	out->rn = (uint8_t)bits(w, 19, 16);
	out->aux = size[bits(w, 22, 21)];
	if (o & 1) {
		out->op = ARM_OP_LDREX;
		out->rd = (uint8_t)bits(w, 15, 12);
	} else {
		out->op = ARM_OP_STREX;
		out->rm = (uint8_t)bits(w, 15, 12);
		out->rd = (uint8_t)bits(w, 3, 0);
		if (out->rm == 15 || out->rm == out->rn || out->rm == out->rd)
			return undef(out);
	}
	out->ra = (uint8_t)(out->rd + 1);
	if (out->rn == 15 || out->rd == 15)
		return undef(out);
	if (out->aux == 8 && ((out->rd & 1) || out->rd == 14))
		return undef(out);
	if (out->aux == 8 && !(o & 1) && out->rm == out->ra)
		return undef(out);
	return 0;
}

/* Extra load/store: halfwords, signed bytes, doublewords (A5.2.8, A5.2.9). */
static int extra_load_store(uint32_t w, struct arm_insn *out)
{
	unsigned op2 = bits(w, 6, 5);
	bool load = bit(w, 20);
	bool p = bit(w, 24), wb = bit(w, 21);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	if (p)
		out->flags |= ARM_F_P;
	if (bit(w, 23))
		out->flags |= ARM_F_U;
	if (wb)
		out->flags |= ARM_F_W;
	if (bit(w, 22)) {
		out->flags |= ARM_F_IMM;
		out->imm = bits(w, 11, 8) << 4 | bits(w, 3, 0);
	} else {
		out->rm = (uint8_t)bits(w, 3, 0);
		out->shift = ARM_SHIFT_LSL;
		if (out->rm == 15 || !sbz(w, 0xf00))
			return undef(out);
	}
	if (!p && wb) {
		/* LDRHT, STRHT, LDRSBT, LDRSHT: post-indexed, unprivileged. */
		if (op2 != 1 && !load)
			return undef(out);
		out->flags = (uint16_t)((out->flags & ~ARM_F_W) | ARM_F_USER);
	}
	if (op2 == 1)
		out->op = load ? ARM_OP_LDRH : ARM_OP_STRH;
	else if (load)
		out->op = op2 == 2 ? ARM_OP_LDRSB : ARM_OP_LDRSH;
	else
		out->op = op2 == 2 ? ARM_OP_LDRD : ARM_OP_STRD;

	if (out->op == ARM_OP_LDRD || out->op == ARM_OP_STRD) {
		/* Rt even, Rt2 = Rt + 1, not PC; a written-back base is
		 * neither; an LDRD index register is neither. */
		out->ra = (uint8_t)(out->rd + 1);
		if ((out->rd & 1) || out->rd == 14)
			return undef(out);
		if ((!p || wb) && (out->rn == 15 || out->rn == out->rd || out->rn == out->ra))
			return undef(out);
		if (out->op == ARM_OP_LDRD && !(out->flags & ARM_F_IMM) &&
		    (out->rm == out->rd || out->rm == out->ra))
			return undef(out);
		return 0;
	}
	if (out->rd == 15)
		return undef(out);
	if ((!p || wb) && (out->rn == 15 || (load && out->rn == out->rd)))
		return undef(out);
	return 0;
}

/* BX/BLX/CLZ/saturating add/BKPT/MRS/MSR... (A5.2.12). */
static int miscellaneous(uint32_t w, struct arm_insn *out)
{
	unsigned op = bits(w, 22, 21), op2 = bits(w, 6, 4);

	out->rd = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 3, 0);
	out->rn = (uint8_t)bits(w, 19, 16);
	/* BX, BXJ, BLX and CLZ have all-ones fields around their operands. */
	if ((op2 == 1 || op2 == 2 || op2 == 3) && !sbo(w, op == 3 ? 0xf0f00 : 0xfff00))
		return undef(out);
	switch (op2) {
	case 0:
		if (bit(w, 22))
			out->flags |= ARM_F_R;
		if (bit(w, 9)) {
			/* Banked register transfers (Virtualization Extensions). */
			out->aux = (uint8_t)(bit(w, 8) << 4 | bits(w, 19, 16));
			if (!sbz(w, 0xc00))
				return undef(out);
			if (op & 1) {
				out->op = ARM_OP_MSR_BANKED;
				out->rn = out->rm;
				return (out->rn == 15 || !sbo(w, 0xf000)) ? undef(out) : 0;
			}
			out->op = ARM_OP_MRS_BANKED;
			return (out->rd == 15 || !sbz(w, 0xf)) ? undef(out) : 0;
		}
		if (op & 1) {
			out->op = ARM_OP_MSR;
			out->aux = (uint8_t)bits(w, 19, 16);
			out->rn = out->rm;
			if (out->aux == 0 || out->rn == 15 || !sbo(w, 0xf000) || !sbz(w, 0xf00))
				return undef(out);
			return 0;
		}
		out->op = ARM_OP_MRS;
		return (out->rd == 15 || !sbo(w, 0xf0000) || !sbz(w, 0xfff)) ? undef(out) : 0;
	case 1:
		if (op == 1) {
			out->op = ARM_OP_BX;
			return 0;
		}
		if (op == 3) {
			out->op = ARM_OP_CLZ;
			return (out->rd == 15 || out->rm == 15) ? undef(out) : 0;
		}
		return undef(out);
	case 2:
		/* BXJ: no Jazelle, so it is BX. */
		if (op != 1)
			return undef(out);
		out->op = ARM_OP_BX;
		return 0;
	case 3:
		if (op != 1)
			return undef(out);
		out->op = ARM_OP_BLX_REG;
		return out->rm == 15 ? undef(out) : 0;
	case 5: {
		static const uint8_t ops[4] = { ARM_OP_QADD, ARM_OP_QSUB, ARM_OP_QDADD, ARM_OP_QDSUB };

		out->op = ops[op];
		if (out->rd == 15 || out->rn == 15 || out->rm == 15 || !sbz(w, 0xf00))
			return undef(out);
		return 0;
	}
	case 7:
		if (op == 1) {
			out->op = ARM_OP_BKPT;
			out->cond = 14;	/* BKPT is unconditional */
			out->imm = bits(w, 19, 8) << 4 | bits(w, 3, 0);
			return 0;
		}
		/* HVC and SMC decode so that a firmware conduit (PSCI)
		 * could later take them; the executor makes them UNDEFINED. */
		if (op == 2) {
			out->op = ARM_OP_HVC;
			out->imm = bits(w, 19, 8) << 4 | bits(w, 3, 0);
			return 0;
		}
		if (op == 3 && sbz(w, 0xfff00)) {
			out->op = ARM_OP_SMC;
			out->imm = bits(w, 3, 0);
			return 0;
		}
		return undef(out);
	default:
		/* ERET (op2 110) needs Hyp mode, which this CPU lacks. */
		return undef(out);
	}
}

/* MSR (immediate) and hints (A5.2.11). */
static int msr_imm_hints(uint32_t w, struct arm_insn *out)
{
	if (!sbo(w, 0xf000))
		return undef(out);
	if (!bit(w, 22) && bits(w, 19, 16) == 0) {
		static const uint8_t hints[5] = {
			ARM_OP_NOP, ARM_OP_YIELD, ARM_OP_WFE, ARM_OP_WFI, ARM_OP_SEV,
		};
		unsigned h = bits(w, 7, 0);

		/* Other hint numbers (DBG included) execute as NOP. */
		out->op = h < 5 ? hints[h] : ARM_OP_NOP;
		return sbz(w, 0xf00) ? 0 : undef(out);
	}
	out->op = ARM_OP_MSR;
	out->aux = (uint8_t)bits(w, 19, 16);
	if (bit(w, 22))
		out->flags |= ARM_F_R;
	out->imm = ror32(bits(w, 7, 0), 2 * bits(w, 11, 8));
	out->flags |= ARM_F_IMM;
	return 0;
}

/* Data processing and miscellaneous instructions (A5.2). */
static int dp_and_misc(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 24, 20), op2 = bits(w, 7, 4);
	bool is_test_no_s = (op1 & 0x19) == 0x10;	/* 10xx0 */

	if (bit(w, 25)) {
		if (op1 == 0x10) {	/* MOVW */
			out->op = ARM_OP_MOV;
			out->rd = (uint8_t)bits(w, 15, 12);
			out->imm = bits(w, 19, 16) << 12 | bits(w, 11, 0);
			out->flags |= ARM_F_IMM;
			return out->rd == 15 ? undef(out) : 0;
		}
		if (op1 == 0x14) {	/* MOVT */
			out->op = ARM_OP_MOVT;
			out->rd = (uint8_t)bits(w, 15, 12);
			out->imm = bits(w, 19, 16) << 12 | bits(w, 11, 0);
			return out->rd == 15 ? undef(out) : 0;
		}
		if (is_test_no_s)
			return msr_imm_hints(w, out);
		return data_processing(w, out);
	}
	if ((op2 & 1) == 0 || (op2 & 9) == 1) {
		if (!is_test_no_s)
			return data_processing(w, out);
		if (!(op2 & 8))
			return miscellaneous(w, out);
		return halfword_multiply(w, out);
	}
	if (op2 == 9)
		return (op1 & 0x10) ? synchronization(w, out) : multiply(w, out);
	return extra_load_store(w, out);
}

/* LDR/STR/LDRB/STRB and their unprivileged forms (A5.3). */
static int load_store_word_byte(uint32_t w, struct arm_insn *out)
{
	bool load = bit(w, 20), byte = bit(w, 22), p = bit(w, 24), wb = bit(w, 21);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	if (load)
		out->op = byte ? ARM_OP_LDRB : ARM_OP_LDR;
	else
		out->op = byte ? ARM_OP_STRB : ARM_OP_STR;
	if (p)
		out->flags |= ARM_F_P;
	if (bit(w, 23))
		out->flags |= ARM_F_U;
	if (wb)
		out->flags |= ARM_F_W;
	if (bit(w, 25)) {
		out->rm = (uint8_t)bits(w, 3, 0);
		arm_decode_imm_shift(out, bits(w, 6, 5), bits(w, 11, 7));
		if (out->rm == 15)
			return undef(out);
	} else {
		out->flags |= ARM_F_IMM;
		out->imm = bits(w, 11, 0);
	}
	if (!p && wb) {	/* LDRT, STRT, LDRBT, STRBT */
		out->flags = (uint16_t)((out->flags & ~ARM_F_W) | ARM_F_USER);
		if (load && out->rd == 15)
			return undef(out);
	}
	if ((!p || wb) && (out->rn == 15 || (load && out->rn == out->rd)))
		return undef(out);
	if (byte && out->rd == 15)
		return undef(out);
	return 0;
}

/* Packing, unpacking, saturation and reversal (A5.4.3). */
static int pack_sat_rev(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 22, 20), op2 = bits(w, 7, 5);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 3, 0);
	if ((op1 & 2) && !(op2 & 1)) {
		/* SSAT / USAT: Rn is in bits 3:0 here, sat_imm in 20:16. */
		out->op = (op1 & 4) ? ARM_OP_USAT : ARM_OP_SSAT;
		out->rn = out->rm;
		out->imm = bits(w, 20, 16) + ((op1 & 4) ? 0 : 1);
		arm_decode_imm_shift(out, bit(w, 6) ? ARM_SHIFT_ASR : ARM_SHIFT_LSL, bits(w, 11, 7));
		return (out->rd == 15 || out->rn == 15) ? undef(out) : 0;
	}
	if (op2 == 3) {
		static const int8_t ext[8] = {
			ARM_EXT_SB16, -1, ARM_EXT_SB, ARM_EXT_SH,
			ARM_EXT_UB16, -1, ARM_EXT_UB, ARM_EXT_UH,
		};

		if (ext[op1] < 0)
			return undef(out);
		out->op = ARM_OP_EXTEND;
		out->aux = (uint8_t)ext[op1];
		out->shamt = (uint8_t)(8 * bits(w, 11, 10));
		if (out->rn == 15)
			out->rn = ARM_REG_NONE;
		return (out->rd == 15 || out->rm == 15 || !sbz(w, 0x300)) ? undef(out) : 0;
	}
	/* SEL, SSAT16, USAT16, REV* and RBIT have (1) fields: 11:8, and
	 * 19:16 for the one-operand forms. */
	if ((op2 & 1) && !sbo(w, (op1 & 1) ? 0xf0f00 : 0xf00))
		return undef(out);
	switch (op1 << 3 | op2) {
	case 0x00: case 0x02: case 0x04: case 0x06:
		out->op = bit(w, 6) ? ARM_OP_PKHTB : ARM_OP_PKHBT;
		arm_decode_imm_shift(out, bit(w, 6) ? ARM_SHIFT_ASR : ARM_SHIFT_LSL, bits(w, 11, 7));
		break;
	case 0x05:
		out->op = ARM_OP_SEL;
		break;
	case 0x11:
		out->op = ARM_OP_SSAT16;
		out->rn = out->rm;
		out->imm = bits(w, 19, 16) + 1;
		return (out->rd == 15 || out->rn == 15) ? undef(out) : 0;
	case 0x31:
		out->op = ARM_OP_USAT16;
		out->rn = out->rm;
		out->imm = bits(w, 19, 16);
		return (out->rd == 15 || out->rn == 15) ? undef(out) : 0;
	case 0x19:
		out->op = ARM_OP_REV;
		break;
	case 0x1d:
		out->op = ARM_OP_REV16;
		break;
	case 0x39:
		out->op = ARM_OP_RBIT;
		break;
	case 0x3d:
		out->op = ARM_OP_REVSH;
		break;
	default:
		return undef(out);
	}
	if (out->op >= ARM_OP_REV)	/* one-operand forms: Rn field is 1111 */
		out->rn = ARM_REG_NONE;
	if (out->rd == 15 || out->rn == 15 || out->rm == 15)
		return undef(out);
	return 0;
}

/* Signed multiplies and divides in the media space (A5.4.4). */
static int signed_multiply(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 22, 20), op2 = bits(w, 7, 5);

	out->rd = (uint8_t)bits(w, 19, 16);
	out->ra = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 11, 8);
	out->rn = (uint8_t)bits(w, 3, 0);
	if (bit(w, 5))
		out->aux = ARM_AUX_X | ARM_AUX_R;	/* M bit: swap or round */
	switch (op1 << 3 | (op2 & 6)) {
	case 0x00: out->op = ARM_OP_SMLAD; break;
	case 0x02: out->op = ARM_OP_SMLSD; break;
	case 0x20: out->op = ARM_OP_SMLALD; break;
	case 0x22: out->op = ARM_OP_SMLSLD; break;
	case 0x28: out->op = ARM_OP_SMMLA; break;
	case 0x2e: out->op = ARM_OP_SMMLS; break;
	case 0x08:
	case 0x18:
		if (op2 != 0 || out->ra != 15)
			return undef(out);
		out->op = op1 == 1 ? ARM_OP_SDIV : ARM_OP_UDIV;
		out->ra = ARM_REG_NONE;
		break;
	default:
		return undef(out);
	}
	if (out->op == ARM_OP_SMLALD || out->op == ARM_OP_SMLSLD) {
		if (out->rd == out->ra || out->ra == 15)
			return undef(out);
	} else if (out->ra == 15) {
		/* SMUAD, SMUSD, SMMUL; SMMLS has no such form. */
		if (out->op == ARM_OP_SMMLS)
			return undef(out);
		out->ra = ARM_REG_NONE;
	}
	if (out->rd == 15 || out->rn == 15 || out->rm == 15)
		return undef(out);
	return 0;
}

/* Media instructions (A5.4). */
static int media(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 24, 20), op2 = bits(w, 7, 5);

	out->rn = (uint8_t)bits(w, 19, 16);
	out->rd = (uint8_t)bits(w, 15, 12);
	out->rm = (uint8_t)bits(w, 3, 0);
	if ((op1 & 0x18) == 0) {
		/* Parallel add/subtract: op1[2] unsigned, op1[1:0] kind. */
		static const int8_t lanes[8] = {
			ARM_PAR_ADD16, ARM_PAR_ASX, ARM_PAR_SAX, ARM_PAR_SUB16,
			ARM_PAR_ADD8, -1, -1, ARM_PAR_SUB8,
		};
		unsigned kind = bits(w, 21, 20);

		if (kind == 0 || lanes[op2] < 0 || bits(w, 11, 8) != 15)
			return undef(out);
		out->op = ARM_OP_PARALLEL;
		out->aux = (uint8_t)(((bit(w, 22) ? 3 : 0) + kind - 1) << 3 | (unsigned)lanes[op2]);
		return (out->rd == 15 || out->rn == 15 || out->rm == 15) ? undef(out) : 0;
	}
	if ((op1 & 0x18) == 0x08)
		return pack_sat_rev(w, out);
	if ((op1 & 0x18) == 0x10)
		return signed_multiply(w, out);
	if (op1 == 0x18 && op2 == 0) {
		/* USAD8 / USADA8: Rd in 19:16, Ra in 15:12, Rm 11:8, Rn 3:0. */
		out->op = ARM_OP_USADA8;
		out->rd = (uint8_t)bits(w, 19, 16);
		out->ra = (uint8_t)bits(w, 15, 12);
		out->rm = (uint8_t)bits(w, 11, 8);
		out->rn = (uint8_t)bits(w, 3, 0);
		if (out->ra == 15)
			out->ra = ARM_REG_NONE;
		return (out->rd == 15 || out->rn == 15 || out->rm == 15) ? undef(out) : 0;
	}
	if ((op1 & 0x1e) == 0x1a && (op2 & 3) == 2) {
		out->op = ARM_OP_SBFX;
	} else if ((op1 & 0x1e) == 0x1e && (op2 & 3) == 2) {
		out->op = ARM_OP_UBFX;
	} else if ((op1 & 0x1e) == 0x1c && (op2 & 3) == 0) {
		unsigned msb = bits(w, 20, 16), lsb = bits(w, 11, 7);

		out->op = out->rm == 15 ? ARM_OP_BFC : ARM_OP_BFI;
		out->rn = out->rm;
		out->shamt = (uint8_t)lsb;
		if (msb < lsb || out->rd == 15)
			return undef(out);
		out->aux = (uint8_t)(msb - lsb + 1);
		return 0;
	} else {
		/* Includes UDF (permanently UNDEFINED). */
		return undef(out);
	}
	/* SBFX/UBFX: widthminus1 in 20:16, lsb in 11:7, Rn in 3:0. */
	out->rn = out->rm;
	out->shamt = (uint8_t)bits(w, 11, 7);
	out->aux = (uint8_t)(bits(w, 20, 16) + 1);
	if (out->shamt + out->aux > 32 || out->rd == 15 || out->rn == 15)
		return undef(out);
	return 0;
}

/* LDM/STM and B/BL (A5.5). */
static int branch_block(uint32_t w, struct arm_insn *out)
{
	if (bit(w, 25)) {
		out->op = bit(w, 24) ? ARM_OP_BL : ARM_OP_B;
		out->imm = (uint32_t)((int32_t)(w << 8) >> 6);
		return 0;
	}
	out->op = bit(w, 20) ? ARM_OP_LDM : ARM_OP_STM;
	out->rn = (uint8_t)bits(w, 19, 16);
	out->imm = bits(w, 15, 0);
	if (bit(w, 24))
		out->flags |= ARM_F_P;
	if (bit(w, 23))
		out->flags |= ARM_F_U;
	if (bit(w, 21))
		out->flags |= ARM_F_W;
	if (bit(w, 22)) {
		out->flags |= ARM_F_USER;
		/* User-bank forms (no PC in an LDM) cannot write back. */
		if (bit(w, 21) && (out->op == ARM_OP_STM || !bit(w, 15)))
			return undef(out);
	}
	if (out->rn == 15 || out->imm == 0)
		return undef(out);
	/* LDM with write-back of a loaded base is UNPREDICTABLE (v7). */
	if (out->op == ARM_OP_LDM && bit(w, 21) && (out->imm >> out->rn & 1))
		return undef(out);
	return 0;
}

/* Coprocessor instructions and SVC (A5.6). */
static int coproc_svc(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 25, 20), cp = bits(w, 11, 8);

	if ((op1 & 0x30) == 0x30) {
		out->op = ARM_OP_SVC;
		out->imm = bits(w, 23, 0);
		return 0;
	}
	if ((op1 & 0x3e) == 0)
		return undef(out);
	if ((cp & 0xe) == 0xa) {
		if (vfp_decode(w, &out->vfp) < 0)
			return undef(out);
		out->op = ARM_OP_VFP;
		return 0;
	}
	out->aux = (uint8_t)cp;
	if ((op1 & 0x3e) == 0x04) {	/* MCRR / MRRC */
		out->op = bit(w, 20) ? ARM_OP_MRRC : ARM_OP_MCRR;
		out->ra = (uint8_t)bits(w, 19, 16);
		out->rd = (uint8_t)bits(w, 15, 12);
		out->shift = (uint8_t)bits(w, 7, 4);
		out->rm = (uint8_t)bits(w, 3, 0);
		if (out->rd == 15 || out->ra == 15 || (bit(w, 20) && out->rd == out->ra))
			return undef(out);
	} else if ((op1 & 0x30) == 0x20 && bit(w, 4)) {	/* MCR / MRC */
		out->op = bit(w, 20) ? ARM_OP_MRC : ARM_OP_MCR;
		out->shift = (uint8_t)bits(w, 23, 21);
		out->rn = (uint8_t)bits(w, 19, 16);
		out->rd = (uint8_t)bits(w, 15, 12);
		out->shamt = (uint8_t)bits(w, 7, 5);
		out->rm = (uint8_t)bits(w, 3, 0);
		if (out->op == ARM_OP_MCR && out->rd == 15)
			return undef(out);
	} else {
		/* LDC, STC, CDP: no coprocessor here takes them. */
		return undef(out);
	}
	if (cp != 14 && cp != 15)
		return undef(out);
	return 0;
}

/* CPS (A32): imod 10 enables, 11 disables the A/I/F it names; M changes
 * mode. Combinations that do nothing, or name flags without an effect,
 * are UNPREDICTABLE. */
static int cps(uint32_t w, struct arm_insn *out)
{
	unsigned imod = bits(w, 19, 18), aif = bits(w, 8, 6);

	if (bit(w, 5) || bits(w, 15, 9) != 0 || imod == 1)
		return undef(out);
	out->op = ARM_OP_CPS;
	out->imm = bits(w, 4, 0);
	if (bit(w, 17))
		out->aux |= ARM_CPS_M;
	else if (out->imm)
		return undef(out);
	if (imod & 2) {
		if (!aif)
			return undef(out);
		out->aux |= (uint8_t)((imod == 2 ? ARM_CPS_ENABLE : ARM_CPS_DISABLE) |
				      (bit(w, 8) ? ARM_CPS_A : 0) | (bit(w, 7) ? ARM_CPS_I : 0) |
				      (bit(w, 6) ? ARM_CPS_F : 0));
	} else if (aif || !bit(w, 17)) {
		return undef(out);
	}
	return 0;
}

/* Memory hints, barriers, CPS, SETEND (A5.7.1). Advanced SIMD is not
 * implemented: its space is UNDEFINED. */
static int uncond_misc(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 26, 20), op2 = bits(w, 7, 4);

	if (op1 == 0x10) {
		if (bit(w, 16)) {
			if ((w & 0x000efdffu) != 0)
				return undef(out);
			out->op = ARM_OP_SETEND;
			out->imm = bit(w, 9);
			return 0;
		}
		return cps(w, out);
	}
	if (op1 == 0x57) {
		switch (op2) {
		case 1:
			out->op = ARM_OP_CLREX;
			return 0;
		case 4:
		case 5:
		case 6:
			out->op = ARM_OP_BARRIER;
			out->aux = op2 == 4 ? ARM_BARRIER_DSB :
				   op2 == 5 ? ARM_BARRIER_DMB : ARM_BARRIER_ISB;
			return 0;
		default:
			return undef(out);
		}
	}
	/* Memory hints, NOPs here (they never fault): PLI, PLD, PLDW with an
	 * immediate or literal (op1 10xx?01), with a register (11xx?01,
	 * op2[0] clear), and the unallocated hints among them. */
	if ((op1 & 0x67) == 0x45 || (op1 & 0x67) == 0x41 ||
	    ((op1 & 0x67) == 0x65 && !(op2 & 1)) || ((op1 & 0x67) == 0x61 && !(op2 & 1))) {
		out->op = ARM_OP_PLD;
		return 0;
	}
	return undef(out);
}

/* Unconditional instructions, cond == 1111 (A5.7). */
static int unconditional(uint32_t w, struct arm_insn *out)
{
	unsigned op1 = bits(w, 27, 20);

	out->cond = 14;
	if (!(op1 & 0x80))
		return uncond_misc(w, out);
	if ((op1 & 0xe5) == 0x84) {	/* SRS: 100PU1W0, Rn = 1101 */
		out->op = ARM_OP_SRS;
		out->imm = bits(w, 4, 0);
		out->rn = 13;
	} else if ((op1 & 0xe5) == 0x81) {	/* RFE: 100PU0W1 */
		out->op = ARM_OP_RFE;
		out->rn = (uint8_t)bits(w, 19, 16);
		if (out->rn == 15)
			return undef(out);
	} else if ((op1 & 0xe0) == 0xa0) {	/* BLX (immediate) */
		out->op = ARM_OP_BLX_IMM;
		out->imm = (uint32_t)((int32_t)(w << 8) >> 6) | bit(w, 24) << 1;
		return 0;
	} else {
		/* STC2, LDC2, MCRR2, MRRC2, CDP2, MCR2, MRC2: no coprocessor
		 * implements them. */
		return undef(out);
	}
	if (bit(w, 24))
		out->flags |= ARM_F_P;
	if (bit(w, 23))
		out->flags |= ARM_F_U;
	if (bit(w, 21))
		out->flags |= ARM_F_W;
	return 0;
}

int a32_decode(uint32_t w, struct arm_insn *out)
{
	memset(out, 0, sizeof(*out));
	out->raw = w;
	out->len = 4;
	out->cond = (uint8_t)bits(w, 31, 28);
	out->rn = out->rm = out->rd = out->ra = ARM_REG_NONE;
	if (out->cond == 15)
		return unconditional(w, out);
	switch (bits(w, 27, 25)) {
	case 0:
	case 1:
		return dp_and_misc(w, out);
	case 2:
		return load_store_word_byte(w, out);
	case 3:
		if (bit(w, 4))
			return media(w, out);
		return load_store_word_byte(w, out);
	case 4:
	case 5:
		return branch_block(w, out);
	default:
		return coproc_svc(w, out);
	}
}
