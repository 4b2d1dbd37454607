/* cpu.h — ARMv7-A architectural state and the rules every instruction
 * implementation follows.
 *
 * translate/ owns the ISA: this state, the decoders (A32, T32, VFP) and the
 * executor. vcpu/ owns the system around it (CP15, the generic timer,
 * interrupts, the vCPU thread) and reaches in through struct arm_sys_ops.
 * Memory goes through shadow/ (shadow_ld32() and friends), wrapped here
 * for endianness, alignment and unprivileged accesses.
 *
 * Executor contract (every decoder/executor must follow it):
 *
 *  1. PC. While an instruction executes, r[15] holds its own address and
 *     next_pc the address of the next one (r[15] + 2 or 4). Reading R15 as
 *     an operand uses arm_read_reg(), which returns r[15] + 8 (A32) or + 4
 *     (T32). A branch or any other write to the PC goes through
 *     arm_branch_write_pc / arm_bx_write_pc / arm_alu_write_pc /
 *     arm_load_write_pc (ARM ARM A2.3.2), which set next_pc (and the
 *     instruction set). The run loop then sets r[15] = next_pc.
 *  2. Restartable. A memory access may leave the instruction at any point by
 *     siglongjmp (a data abort, an MMIO access, an alignment fault). So no
 *     architectural state (registers, flags, base write-back, PC, the
 *     exclusive monitor, the IT state) may change before the instruction's
 *     last memory access that can fault. Loads go into temporaries first.
 *     Stores may be partly done when a later one faults (STM, STRD): that is
 *     architecturally allowed. An MMIO access re-executes the whole
 *     instruction through the slow path, so loads are repeated but the
 *     registers are not.
 *  3. Exceptions are not taken by executors. An executor returns an exit
 *     code (ARM_EXIT_UNDEF, ARM_EXIT_SVC, ...) and the caller decides: the
 *     system run loop calls arm_take_exception(), and the user-mode test
 *     harness emulates the system call.
 *  4. Flags are the separate fields n, z, c, v, q, ge. arm_get_cpsr() and
 *     arm_set_cpsr() assemble and split them.
 */
#ifndef HSPT_TRANSLATE_CPU_H
#define HSPT_TRANSLATE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "shadow/shadow.h"

/* CPSR.M values. */
enum arm_mode {
	ARM_MODE_USR = 0x10,
	ARM_MODE_FIQ = 0x11,
	ARM_MODE_IRQ = 0x12,
	ARM_MODE_SVC = 0x13,
	ARM_MODE_MON = 0x16,
	ARM_MODE_ABT = 0x17,
	ARM_MODE_HYP = 0x1a,
	ARM_MODE_UND = 0x1b,
	ARM_MODE_SYS = 0x1f,
};

/* CPSR bits kept in arm_cpu.cpsr_ctl (everything but the flags, GE, IT
 * and T, which have their own fields). */
#define CPSR_M_MASK 0x1fu
#define CPSR_T      (1u << 5)
#define CPSR_F      (1u << 6)
#define CPSR_I      (1u << 7)
#define CPSR_A      (1u << 8)
#define CPSR_E      (1u << 9)

/* Why an instruction (or the run loop) stopped. */
enum arm_exit {
	ARM_EXIT_NONE = 0,	/* carry on */
	ARM_EXIT_UNDEF,		/* Undefined Instruction exception */
	ARM_EXIT_SVC,		/* SVC; imm in exit_imm */
	ARM_EXIT_BKPT,		/* BKPT: Prefetch Abort (debug) */
	ARM_EXIT_DATA_ABORT,	/* mmu->fault describes it */
	ARM_EXIT_PREFETCH_ABORT, /* mmu->fault describes it */
	ARM_EXIT_MMIO,		/* mmu->fault: device access to emulate */
	ARM_EXIT_WFI,
	ARM_EXIT_WFE,
	ARM_EXIT_SEV,		/* SEV: signal an event to the other vCPUs */
	ARM_EXIT_SYSREG,	/* a system register write that needs the run
				 * loop (MMU, ASID, caches): state already done */
	ARM_EXIT_LIMIT,		/* instruction budget used up */
	ARM_EXIT_KICK,		/* another thread asked (arm_cpu_kick) */
	ARM_EXIT_HVC,		/* HVC; imm in exit_imm: a firmware call */
	ARM_EXIT_SMC,		/* SMC; imm in exit_imm: a firmware call */
};

/* Banked register sets: index for r13/r14/SPSR per mode. */
enum arm_bank {
	ARM_BANK_USR,		/* also SYS */
	ARM_BANK_FIQ,
	ARM_BANK_IRQ,
	ARM_BANK_SVC,
	ARM_BANK_ABT,
	ARM_BANK_UND,
	ARM_BANK_MON,
	ARM_BANK_HYP,
	ARM_NUM_BANKS,
};

struct arm_cpu;
struct dcache;
struct dcache_page;

/* The system around the ISA: coprocessor registers. vcpu/ implements it;
 * the user-mode test harness provides a minimal one. Each returns 0, or
 * -1 when the access is UNDEFINED (the executor then returns
 * ARM_EXIT_UNDEF), or 1 for "done, but the run loop must look"
 * (ARM_EXIT_SYSREG). */
struct arm_sys_ops {
	int (*mrc)(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t *val);
	int (*mcr)(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t val);
	int (*mrrc)(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm,
		    uint64_t *val);
	int (*mcrr)(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm,
		    uint64_t val);
};

/* Device accesses: the board's MMIO dispatch, by the physmem id of the
 * range. Return 0, or -1 for an access the device rejects (the guest gets
 * a synchronous external abort). */
struct arm_mmio_ops {
	int (*read)(void *opaque, unsigned id, uint64_t offset, unsigned size, uint64_t *val);
	int (*write)(void *opaque, unsigned id, uint64_t offset, unsigned size, uint64_t val);
};

struct arm_cpu {
	uint32_t r[16];		/* the current mode's view */
	uint32_t next_pc;	/* see contract rule 1 */
	uint8_t n, z, c, v, q;	/* each 0 or 1 */
	uint8_t ge;		/* GE[3:0] */
	uint8_t it;		/* ITSTATE[7:0] */
	bool thumb;		/* CPSR.T */
	uint32_t cpsr_ctl;	/* M, F, I, A, E (see CPSR_*) */
	uint32_t spsr;		/* the current mode's SPSR (unused in USR/SYS) */

	/* Banked copies of the registers not in the current mode's view. */
	uint32_t bank_r13[ARM_NUM_BANKS];
	uint32_t bank_r14[ARM_NUM_BANKS];
	uint32_t bank_spsr[ARM_NUM_BANKS];
	uint32_t usr_r8_12[5];	/* r8-r12 of every mode but FIQ */
	uint32_t fiq_r8_12[5];

	/* VFPv3-D32 (+VFPv4 FMA). d[i] holds s[2i] in bits 31:0 and s[2i+1]
	 * in bits 63:32. */
	uint64_t d[32];
	uint32_t fpscr;
	uint32_t fpexc;

	/* The local exclusive monitor: the VA and value seen by LDREX. A
	 * STREX succeeds if the monitor is set for that address and a
	 * compare-and-swap of the old value succeeds: the global monitor
	 * across vCPUs is the host's atomic CAS (value-based, as in QEMU). */
	bool excl_valid;
	uint32_t excl_addr;
	unsigned excl_size;
	uint64_t excl_val;

	/* System registers the ISA itself needs, mirrored by vcpu/. */
	uint32_t sctlr;		/* A (alignment), V (high vectors), TE, EE, M */
	uint32_t vbar;
	uint32_t cpacr;		/* cp10/cp11 access rights for VFP */

	/* Everything above is architectural state (arm_cpu_reset clears it);
	 * everything below is the wiring and the run loop's own state.
	 *
	 * The run loop's instruction-fetch translation: the last code page,
	 * and its page in the decoded-instruction cache (run.c). */
	struct {
		bool valid;
		bool thumb;
		uint8_t pl;
		uint32_t va_page;
		const uint8_t *host;	/* host address of that page's bytes */
		struct dcache_page *decoded;
	} fetch;
	struct dcache *dcache;	/* run.c's, allocated on first use */

	uint32_t exit_imm;	/* SVC/BKPT immediate */
	struct shadow_cpu *mmu;
	/* The slow path: every data access translates in software and goes
	 * to RAM or to a device. Set while re-executing one instruction that
	 * touched MMIO (arm_emulate_mmio). */
	bool slow;
	const struct arm_mmio_ops *mmio;
	void *mmio_opaque;
	const struct arm_sys_ops *sys;
	void *sys_opaque;
	uint64_t insns;		/* instructions retired */
	/* Exceptions taken. Budgets count insns + exceptions: a guest in an
	 * exception storm retires nothing, yet must still run out of budget
	 * and see kicks. */
	uint64_t exceptions;
	/* Set by another thread to stop the run loop at an instruction
	 * boundary (pause, stop, an interrupt to deliver): DESIGN.md §4. */
	bool kick;		/* atomic */
	/* Interrupt inputs (ARM_LINE_IRQ, ARM_LINE_FIQ), driven by the board
	 * from any thread; the board kicks after raising one. */
	uint8_t lines;		/* atomic */
	/* The event register (B1.8.13): set by another vCPU's SEV, consumed
	 * by WFE. */
	bool event;		/* atomic */
	/* arm_run() stops when insns reaches run_end: its budget, or sooner
	 * when an instruction unmasks an asserted interrupt line. */
	uint64_t run_end;
};

#define ARM_LINE_IRQ 1u
#define ARM_LINE_FIQ 2u

/* Drive an interrupt input. Any thread; kick the vCPU after raising. */
static inline void arm_cpu_set_line(struct arm_cpu *cpu, uint8_t line, bool level)
{
	/* Release: pairs with the acquire in arm_cpu_lines(), so the state
	 * behind the interrupt (a GIC pending bit) is visible first. */
	if (level)
		__atomic_fetch_or(&cpu->lines, line, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&cpu->lines, (uint8_t)~line, __ATOMIC_RELEASE);
}

static inline uint8_t arm_cpu_lines(const struct arm_cpu *cpu)
{
	return __atomic_load_n(&cpu->lines, __ATOMIC_ACQUIRE);
}

/* The asserted lines that CPSR.I/F do not mask. */
static inline uint8_t arm_cpu_unmasked_lines(const struct arm_cpu *cpu)
{
	uint8_t masked = (cpu->cpsr_ctl & (1u << 7) ? ARM_LINE_IRQ : 0) |
			 (cpu->cpsr_ctl & (1u << 6) ? ARM_LINE_FIQ : 0);

	return arm_cpu_lines(cpu) & (uint8_t)~masked;
}

/* Ask the thread running cpu to leave arm_run() at the next instruction
 * boundary it checks (within POLL_INTERVAL instructions, ~10 µs). Safe
 * from any thread; a sleeping vCPU must also be woken by its eventfd. */
static inline void arm_cpu_kick(struct arm_cpu *cpu)
{
	/* Release: whatever the kicker set up before (request bits) is seen
	 * by the vCPU once it sees the kick. */
	__atomic_store_n(&cpu->kick, true, __ATOMIC_RELEASE);
}

#define SCTLR_A_BIT  (1u << 1)
#define SCTLR_SW_BIT (1u << 10)
#define SCTLR_V_BIT  (1u << 13)
#define SCTLR_TE_BIT (1u << 30)
#define SCTLR_EE_BIT (1u << 25)

/* Reset state: SVC mode, A/I/F masked, ARM state, PC at the reset vector
 * (0, or 0xffff0000 with SCTLR.V). */
void arm_cpu_reset(struct arm_cpu *cpu);

static inline unsigned arm_mode(const struct arm_cpu *cpu)
{
	return cpu->cpsr_ctl & CPSR_M_MASK;
}

static inline bool arm_privileged(const struct arm_cpu *cpu)
{
	return arm_mode(cpu) != ARM_MODE_USR;
}

/* Does the mode have an SPSR (all but USR and SYS)? */
static inline bool arm_has_spsr(const struct arm_cpu *cpu)
{
	return arm_mode(cpu) != ARM_MODE_USR && arm_mode(cpu) != ARM_MODE_SYS;
}

/* Is m a mode this CPU implements? (No Monitor or Hyp: no Security or
 * Virtualization Extensions.) */
bool arm_mode_valid(unsigned m);

uint32_t arm_get_cpsr(const struct arm_cpu *cpu);
/* Write the CPSR bits in mask, switching register banks on a mode change
 * and telling the MMU about the new privilege level. An invalid mode is
 * ignored (UNPREDICTABLE; we keep the old mode). */
void arm_set_cpsr(struct arm_cpu *cpu, uint32_t val, uint32_t mask);
/* Switch to mode m (banking only; no other CPSR bit changes). */
void arm_switch_mode(struct arm_cpu *cpu, unsigned m);

/* Registers of another mode (for LDM/STM ^, MRS/MSR banked, SRS). */
uint32_t arm_get_user_reg(const struct arm_cpu *cpu, unsigned n);
void arm_set_user_reg(struct arm_cpu *cpu, unsigned n, uint32_t v);
int arm_bank_of(unsigned mode);	/* -1 if invalid */

static inline uint32_t arm_read_reg(const struct arm_cpu *cpu, unsigned n)
{
	if (n == 15)
		return cpu->r[15] + (cpu->thumb ? 4 : 8);
	return cpu->r[n];
}

/* PC writes (ARM ARM A2.3.2). */
static inline void arm_branch_write_pc(struct arm_cpu *cpu, uint32_t addr)
{
	cpu->next_pc = cpu->thumb ? addr & ~1u : addr & ~3u;
}

static inline void arm_bx_write_pc(struct arm_cpu *cpu, uint32_t addr)
{
	if (addr & 1) {
		cpu->thumb = true;
		cpu->next_pc = addr & ~1u;
	} else {
		/* addr[1] set in ARM state is UNPREDICTABLE: we clear it. */
		cpu->thumb = false;
		cpu->next_pc = addr & ~3u;
	}
}

/* ALU writes to the PC interwork in ARM state only. */
static inline void arm_alu_write_pc(struct arm_cpu *cpu, uint32_t addr)
{
	if (cpu->thumb)
		arm_branch_write_pc(cpu, addr);
	else
		arm_bx_write_pc(cpu, addr);
}

static inline void arm_load_write_pc(struct arm_cpu *cpu, uint32_t addr)
{
	arm_bx_write_pc(cpu, addr);
}

/* Does condition cond (0-15) pass with the current flags? */
static inline bool arm_cond_pass(const struct arm_cpu *cpu, unsigned cond)
{
	bool r;

	switch (cond >> 1) {
	case 0: r = cpu->z; break;
	case 1: r = cpu->c; break;
	case 2: r = cpu->n; break;
	case 3: r = cpu->v; break;
	case 4: r = cpu->c && !cpu->z; break;
	case 5: r = cpu->n == cpu->v; break;
	case 6: r = cpu->n == cpu->v && !cpu->z; break;
	default: return true;	/* AL, and 0b1111 where it is a condition */
	}
	return (cond & 1) ? !r : r;
}

/* Exception return: CPSR <- SPSR (all bits), then PC (ARM ARM B1.9.10). */
void arm_exception_return(struct arm_cpu *cpu, uint32_t new_pc, uint32_t spsr);

/* ---- memory: data accesses as the ISA sees them ---- */

/* Alignment fault (raised through the MMU's recover point). */
__attribute__((noreturn)) void arm_alignment_fault(struct arm_cpu *cpu, uint32_t va, bool write);

/* Check that va is aligned to `align` bytes (a power of two) and raise an
 * alignment fault if not. ARMv7 allows unaligned LDR/STR/LDRH/STRH unless
 * SCTLR.A is set; everything else (LDM/STM, LDRD/STRD, exclusives, VFP
 * loads) must be aligned whatever SCTLR.A says. */
static inline void arm_check_align(struct arm_cpu *cpu, uint32_t va, unsigned align, bool write)
{
	if (va & (align - 1))
		arm_alignment_fault(cpu, va, write);
}

/* Loads and stores at the current privilege; _user at PL0 (LDRT and
 * friends). They apply CPSR.E (big-endian data) and, for the word and
 * halfword forms, SCTLR.A. Each is one guest access. */
uint8_t arm_ld8(struct arm_cpu *cpu, uint32_t va);
uint16_t arm_ld16(struct arm_cpu *cpu, uint32_t va);
uint32_t arm_ld32(struct arm_cpu *cpu, uint32_t va);
void arm_st8(struct arm_cpu *cpu, uint32_t va, uint8_t v);
void arm_st16(struct arm_cpu *cpu, uint32_t va, uint16_t v);
void arm_st32(struct arm_cpu *cpu, uint32_t va, uint32_t v);
uint8_t arm_ld8_user(struct arm_cpu *cpu, uint32_t va);
uint16_t arm_ld16_user(struct arm_cpu *cpu, uint32_t va);
uint32_t arm_ld32_user(struct arm_cpu *cpu, uint32_t va);
void arm_st8_user(struct arm_cpu *cpu, uint32_t va, uint8_t v);
void arm_st16_user(struct arm_cpu *cpu, uint32_t va, uint16_t v);
void arm_st32_user(struct arm_cpu *cpu, uint32_t va, uint32_t v);
/* Aligned word accesses for LDM/STM/LDRD/VLDM (always checked). */
uint32_t arm_ld32_aligned(struct arm_cpu *cpu, uint32_t va);
void arm_st32_aligned(struct arm_cpu *cpu, uint32_t va, uint32_t v);

/* Exclusives (size 1, 2, 4 or 8). arm_ldrex sets the local monitor;
 * arm_strex returns 0 on success and 1 on failure, and clears it. */
uint64_t arm_ldrex(struct arm_cpu *cpu, uint32_t va, unsigned size);
uint32_t arm_strex(struct arm_cpu *cpu, uint32_t va, uint64_t v, unsigned size);
/* SWP/SWPB: atomically store v and return the old value (size 1 or 4;
 * a word must be aligned). */
uint32_t arm_swap(struct arm_cpu *cpu, uint32_t va, uint32_t v, unsigned size);
static inline void arm_clrex(struct arm_cpu *cpu)
{
	cpu->excl_valid = false;
}

/* Synchronous external abort on a data access (raised through the MMU's
 * recover point): a device refused it, or nothing is at that address. */
__attribute__((noreturn)) void arm_external_abort(struct arm_cpu *cpu, uint32_t va, bool write);

/* ---- exceptions (taken by the run loop, never by an executor) ---- */

enum arm_exception {
	ARM_EXC_RESET,
	ARM_EXC_UNDEF,
	ARM_EXC_SVC,
	ARM_EXC_PREFETCH_ABORT,
	ARM_EXC_DATA_ABORT,
	ARM_EXC_IRQ,
	ARM_EXC_FIQ,
};

/* Enter exception exc (ARM ARM B1.8): bank switch, LR and SPSR, CPSR.{M,
 * T=SCTLR.TE, E=SCTLR.EE, IT=0, A, I, F}, PC at the vector (VBAR or high
 * vectors). pc is the address of the instruction that caused a
 * synchronous exception, or of the next instruction to execute for
 * IRQ/FIQ; LR gets the architectural offset from it (UNDEF/SVC: +4 in ARM
 * state, +2 in Thumb state; prefetch abort +4; data abort +8; IRQ/FIQ +4). */
void arm_take_exception(struct arm_cpu *cpu, enum arm_exception exc, uint32_t pc);

#endif
