/* insn.h — one decoded ARMv7-A instruction, shared by A32 and T32.
 *
 * T32 is mostly a re-encoding of A32's operations, so both decoders produce
 * the same operations and one executor (exec.c) runs them. A decoded
 * instruction depends only on its encoding (never on the CPU state), so it
 * can be cached by physical address and, later, handed to a binary
 * translator: everything state-dependent (the IT block, the mode, the
 * flags) is resolved when it executes.
 *
 * Field use per operation is listed next to each group of arm_op below.
 * Registers are 0-15; ARM_REG_NONE marks an absent one (for example the
 * accumulator of SMUAD, which is SMLAD without one). */
#ifndef HSPT_TRANSLATE_INSN_H
#define HSPT_TRANSLATE_INSN_H

#include <stdint.h>

#include "translate/cpu.h"
#include "translate/vfp.h"

#define ARM_REG_NONE 16

enum arm_op {
	ARM_OP_UNDEF = 0,	/* UNDEFINED, or UNPREDICTABLE that we reject */

	/* Data processing: rd = rn OP operand2. operand2 is imm (ARM_F_IMM;
	 * ARM_F_IMM_C: its bit 31 is the shifter carry-out), rm shifted by
	 * register ra (ARM_F_REGSHIFT), or rm shifted by shamt (shift:
	 * ARM_SHIFT_*, amount 0-32 already decoded). ARM_F_S sets flags;
	 * ARM_F_S_OUTSIDE_IT sets them only outside an IT block (16-bit T32).
	 * rd 15 with flags set is an exception return (SUBS PC, LR). */
	ARM_OP_AND, ARM_OP_EOR, ARM_OP_SUB, ARM_OP_RSB, ARM_OP_ADD,
	ARM_OP_ADC, ARM_OP_SBC, ARM_OP_RSC, ARM_OP_TST, ARM_OP_TEQ,
	ARM_OP_CMP, ARM_OP_CMN, ARM_OP_ORR, ARM_OP_MOV, ARM_OP_BIC,
	ARM_OP_MVN, ARM_OP_ORN,
	ARM_OP_ADR,		/* rd = Align(PC, 4) + imm (T32; imm signed) */
	ARM_OP_MOVT,		/* rd[31:16] = imm */

	/* Multiplies: rd = rn * rm (+ ra). Long forms: rd = RdHi, ra = RdLo.
	 * ARM_F_S sets N and Z (ARM_F_S_OUTSIDE_IT: 16-bit MULS).
	 * Halfword forms: aux bit ARM_AUX_NTOP / ARM_AUX_MTOP select the top
	 * halves of rn / rm; dual forms: ARM_AUX_X swaps rm's halves;
	 * SMMUL family: ARM_AUX_R rounds. ra == ARM_REG_NONE: no accumulate. */
	ARM_OP_MUL, ARM_OP_MLA, ARM_OP_MLS,
	ARM_OP_UMULL, ARM_OP_UMLAL, ARM_OP_SMULL, ARM_OP_SMLAL, ARM_OP_UMAAL,
	ARM_OP_SMLAXY,		/* SMLA<x><y>, SMUL<x><y> (ra NONE) */
	ARM_OP_SMLAWY,		/* SMLAW<y>, SMULW<y> (ra NONE) */
	ARM_OP_SMLALXY,		/* rd = RdHi, ra = RdLo */
	ARM_OP_SMLAD, ARM_OP_SMLSD,	/* and SMUAD, SMUSD (ra NONE) */
	ARM_OP_SMLALD, ARM_OP_SMLSLD,	/* rd = RdHi, ra = RdLo */
	ARM_OP_SMMLA, ARM_OP_SMMLS,	/* and SMMUL (SMMLA, ra NONE) */
	ARM_OP_SDIV, ARM_OP_UDIV,
	ARM_OP_USADA8,		/* and USAD8 (ra NONE) */

	/* Saturation. QADD family: rd = sat(rm +- [2*]rn). SSAT/USAT: rd =
	 * sat(rn shifted by shamt, type shift) to imm bits. */
	ARM_OP_QADD, ARM_OP_QSUB, ARM_OP_QDADD, ARM_OP_QDSUB,
	ARM_OP_SSAT, ARM_OP_USAT, ARM_OP_SSAT16, ARM_OP_USAT16,
	/* Parallel add/subtract: rd = rn OP rm; aux = ARM_PAR_* kind | lane op. */
	ARM_OP_PARALLEL,
	ARM_OP_SEL,

	/* Extend (and add): rd = rn + extend(ROR(rm, shamt)); rn NONE: no add.
	 * aux: ARM_EXT_*. */
	ARM_OP_EXTEND,
	ARM_OP_PKHBT, ARM_OP_PKHTB,	/* shamt: LSL / ASR amount (1-32) */
	ARM_OP_REV, ARM_OP_REV16, ARM_OP_REVSH, ARM_OP_RBIT, ARM_OP_CLZ,
	/* Bitfields: lsb in shamt, width in aux (BFI/BFC: msb - lsb + 1). */
	ARM_OP_BFC, ARM_OP_BFI, ARM_OP_UBFX, ARM_OP_SBFX,

	/* Branches. imm: signed offset from PC (read as +8/+4). */
	ARM_OP_B, ARM_OP_BL,
	ARM_OP_BLX_IMM,		/* to the other instruction set */
	ARM_OP_BX, ARM_OP_BLX_REG,	/* rm */
	ARM_OP_CBZ,		/* rn, imm; ARM_AUX_NZ: CBNZ */
	ARM_OP_TBB, ARM_OP_TBH,	/* rn, rm */

	/* Single loads/stores: rd = Rt, rn = base. Offset: imm (ARM_F_IMM)
	 * or rm shifted by shamt. ARM_F_P/U/W as in the A32 encoding
	 * (writeback when !P or W); ARM_F_USER: unprivileged (LDRT...).
	 * LDRD/STRD: ra = Rt2. A base of PC reads Align(PC, 4). */
	ARM_OP_LDR, ARM_OP_LDRB, ARM_OP_LDRH, ARM_OP_LDRSB, ARM_OP_LDRSH,
	ARM_OP_STR, ARM_OP_STRB, ARM_OP_STRH,
	ARM_OP_LDRD, ARM_OP_STRD,
	/* Multiple: rn, imm = register list, ARM_F_P (before), ARM_F_U
	 * (increment), ARM_F_W, ARM_F_USER (the ^ forms). */
	ARM_OP_LDM, ARM_OP_STM,
	/* Exclusives: rd = Rt, ra = Rt2 (D), rm = status (STREX), rn = base,
	 * imm = offset (T32), aux = size 1/2/4/8. */
	ARM_OP_LDREX, ARM_OP_STREX,
	ARM_OP_SWP,		/* rd <- [rn], [rn] <- rm, atomically; aux = size 1/4 */
	ARM_OP_CLREX,
	ARM_OP_PLD,		/* PLD, PLDW, PLI: hints, no access */

	/* Status registers and modes. */
	ARM_OP_MRS,		/* rd; ARM_F_R: SPSR */
	ARM_OP_MSR,		/* rn or imm (ARM_F_IMM); aux = mask; ARM_F_R */
	ARM_OP_MRS_BANKED,	/* rd; aux = SYSm; ARM_F_R */
	ARM_OP_MSR_BANKED,	/* rn; aux = SYSm; ARM_F_R */
	ARM_OP_CPS,		/* aux = imod:M:A:I:F as ARM_CPS_*; imm = mode */
	ARM_OP_SETEND,		/* imm = E */
	ARM_OP_SRS,		/* imm = mode; ARM_F_P/U/W */
	ARM_OP_RFE,		/* rn; ARM_F_P/U/W */

	/* Exceptions and hints. */
	ARM_OP_SVC,		/* imm */
	ARM_OP_BKPT,		/* imm */
	ARM_OP_HVC,		/* imm: UNDEFINED here (no Hyp mode) */
	ARM_OP_SMC,		/* imm: UNDEFINED here (no Security Extensions) */
	ARM_OP_NOP, ARM_OP_YIELD, ARM_OP_WFE, ARM_OP_WFI, ARM_OP_SEV,
	ARM_OP_BARRIER,		/* DMB, DSB, ISB: aux = ARM_BARRIER_* */
	ARM_OP_IT,		/* imm = firstcond:mask */

	/* Coprocessors: aux = coproc; rd = Rt, ra = Rt2 (MRRC/MCRR); rn =
	 * CRn, rm = CRm, shift = opc1, shamt = opc2. cp14/cp15 go to
	 * cpu->sys. */
	ARM_OP_MRC, ARM_OP_MCR, ARM_OP_MRRC, ARM_OP_MCRR,
	ARM_OP_VFP,		/* cp10/cp11: the vfp member */

	ARM_OP_COUNT
};

/* Shift types (ARM ARM SRType). */
enum arm_shift {
	ARM_SHIFT_LSL,
	ARM_SHIFT_LSR,
	ARM_SHIFT_ASR,
	ARM_SHIFT_ROR,
	ARM_SHIFT_RRX,
};

/* flags */
#define ARM_F_S			0x0001u	/* set flags */
#define ARM_F_S_OUTSIDE_IT	0x0002u	/* set flags unless in an IT block */
#define ARM_F_IMM		0x0004u	/* operand is imm */
#define ARM_F_IMM_C		0x0008u	/* imm was rotated: C = imm[31] */
#define ARM_F_REGSHIFT		0x0010u	/* shift amount in register ra */
#define ARM_F_P			0x0020u	/* index before (pre-indexed) */
#define ARM_F_U			0x0040u	/* add offset / increment */
#define ARM_F_W			0x0080u	/* write back */
#define ARM_F_USER		0x0100u	/* unprivileged access / user bank */
#define ARM_F_R			0x0200u	/* MRS/MSR: SPSR */

/* aux, multiplies */
#define ARM_AUX_NTOP	0x01u
#define ARM_AUX_MTOP	0x02u
#define ARM_AUX_X	0x04u
#define ARM_AUX_R	0x08u
/* aux, CBZ */
#define ARM_AUX_NZ	0x01u

/* aux, ARM_OP_PARALLEL: kind << 3 | lane operation. */
enum arm_par_kind {
	ARM_PAR_S,	/* signed, modular, sets GE */
	ARM_PAR_Q,	/* signed saturating */
	ARM_PAR_SH,	/* signed halving */
	ARM_PAR_U,	/* unsigned, modular, sets GE */
	ARM_PAR_UQ,	/* unsigned saturating */
	ARM_PAR_UH,	/* unsigned halving */
};
enum arm_par_lanes {
	ARM_PAR_ADD16,
	ARM_PAR_ASX,
	ARM_PAR_SAX,
	ARM_PAR_SUB16,
	ARM_PAR_ADD8,
	ARM_PAR_SUB8,
};

/* aux, ARM_OP_EXTEND */
enum arm_ext {
	ARM_EXT_SB16,	/* SXTAB16 */
	ARM_EXT_SB,
	ARM_EXT_SH,
	ARM_EXT_UB16,
	ARM_EXT_UB,
	ARM_EXT_UH,
};

/* aux, ARM_OP_CPS */
#define ARM_CPS_F	0x01u
#define ARM_CPS_I	0x02u
#define ARM_CPS_A	0x04u
#define ARM_CPS_M	0x08u	/* change mode to imm */
#define ARM_CPS_ENABLE	0x10u	/* clear A/I/F (CPSIE) */
#define ARM_CPS_DISABLE	0x20u	/* set A/I/F (CPSID) */

/* aux, ARM_OP_BARRIER */
enum arm_barrier {
	ARM_BARRIER_DMB,
	ARM_BARRIER_DSB,
	ARM_BARRIER_ISB,
};

/* 24 bytes: it is cached per instruction. */
struct arm_insn {
	uint16_t op;		/* enum arm_op */
	uint8_t cond;		/* condition; 14 (AL) for T32 outside B<c> */
	uint8_t len;		/* 2 or 4 */
	uint32_t raw;		/* A32 word; T32: hw1 << 16 | hw2, or hw1 */
	union {
		struct {
			uint8_t rd, rn, rm, ra;
			uint8_t shift;	/* enum arm_shift */
			uint8_t shamt;
			uint8_t aux;
			uint8_t pad_;
			uint16_t flags;	/* ARM_F_* */
			uint16_t pad2_;
			uint32_t imm;
		};
		struct vfp_insn vfp;	/* ARM_OP_VFP */
	};
};

_Static_assert(sizeof(struct arm_insn) <= 24, "arm_insn is cached per instruction");

/* Decode one A32 instruction. Always returns 0: anything UNDEFINED (or
 * UNPREDICTABLE that we choose to reject) becomes ARM_OP_UNDEF. */
int a32_decode(uint32_t raw, struct arm_insn *out);

/* Decode one T32 instruction from its first halfword and the next one
 * (ignored when hw1 is a 16-bit encoding). Sets out->len to 2 or 4.
 * Always returns 0, like a32_decode. */
int t32_decode(uint16_t hw1, uint16_t hw2, struct arm_insn *out);

/* DecodeImmShift (ARM ARM A8.4.3), shared by both decoders: imm5 == 0
 * means 32 for LSR/ASR and RRX for ROR. */
static inline void arm_decode_imm_shift(struct arm_insn *out, unsigned type, unsigned imm5)
{
	out->shift = (uint8_t)type;
	out->shamt = (uint8_t)imm5;
	if (imm5 == 0) {
		if (type == ARM_SHIFT_LSR || type == ARM_SHIFT_ASR) {
			out->shamt = 32;
		} else if (type == ARM_SHIFT_ROR) {
			out->shift = ARM_SHIFT_RRX;
			out->shamt = 1;
		}
	}
}

/* Is hw1 the first half of a 32-bit T32 instruction? */
static inline int t32_is_32bit(uint16_t hw1)
{
	return (hw1 >> 11) >= 0x1d;
}

/* Execute one decoded instruction under the contract of cpu.h: checks the
 * condition (A32 cond, or the IT state for T32), runs it, advances the IT
 * state after a T32 instruction. Returns ARM_EXIT_NONE or why it stopped.
 * A memory fault leaves through the MMU's recover point with nothing
 * committed. */
enum arm_exit arm_execute(struct arm_cpu *cpu, const struct arm_insn *in);

#endif
