/* cpu.c — ARMv7-A processor state: modes and register banks, the CPSR,
 * exception entry and return, and data accesses as the ISA defines them
 * (endianness, alignment, privilege, exclusives). */
#include "translate/cpu.h"
#include "translate/run.h"

#include <stddef.h>
#include <string.h>

void arm_cpu_reset(struct arm_cpu *cpu)
{
	/* Reset clears the architectural state, everything before `fetch`
	 * (but SCTLR, which vcpu/ resets), and leaves the wiring: the MMU, the
	 * system and device hooks, the interrupt inputs (other threads drive
	 * them, so they are never rewritten here), a pending kick, the
	 * counters, and the decode cache (its contents depend only on memory,
	 * so they stay valid). */
	uint32_t sctlr = cpu->sctlr;

	memset(cpu, 0, offsetof(struct arm_cpu, fetch));
	cpu->sctlr = sctlr;
	cpu->fetch.valid = false;
	cpu->exit_imm = 0;
	cpu->slow = false;
	cpu->cpsr_ctl = ARM_MODE_SVC | CPSR_A | CPSR_I | CPSR_F;
	cpu->thumb = sctlr & SCTLR_TE_BIT;
	cpu->r[15] = (sctlr & SCTLR_V_BIT) ? 0xffff0000u : 0;
	cpu->next_pc = cpu->r[15];
	if (cpu->mmu)
		shadow_cpu_set_pl(cpu->mmu, 1);
}

void arm_run_flush(struct arm_cpu *cpu)
{
	cpu->fetch.valid = false;
}

int arm_bank_of(unsigned mode)
{
	switch (mode) {
	case ARM_MODE_USR:
	case ARM_MODE_SYS:
		return ARM_BANK_USR;
	case ARM_MODE_FIQ:
		return ARM_BANK_FIQ;
	case ARM_MODE_IRQ:
		return ARM_BANK_IRQ;
	case ARM_MODE_SVC:
		return ARM_BANK_SVC;
	case ARM_MODE_ABT:
		return ARM_BANK_ABT;
	case ARM_MODE_UND:
		return ARM_BANK_UND;
	default:
		return -1;	/* MON and HYP: not implemented */
	}
}

bool arm_mode_valid(unsigned m)
{
	return arm_bank_of(m) >= 0;
}

uint32_t arm_get_cpsr(const struct arm_cpu *cpu)
{
	return (uint32_t)cpu->n << 31 | (uint32_t)cpu->z << 30 | (uint32_t)cpu->c << 29 |
	       (uint32_t)cpu->v << 28 | (uint32_t)cpu->q << 27 |
	       (uint32_t)(cpu->it & 3u) << 25 | (uint32_t)(cpu->ge & 15u) << 16 |
	       (uint32_t)(cpu->it >> 2) << 10 | (cpu->thumb ? CPSR_T : 0) | cpu->cpsr_ctl;
}

void arm_switch_mode(struct arm_cpu *cpu, unsigned m)
{
	unsigned old = arm_mode(cpu);
	int ob = arm_bank_of(old), nb = arm_bank_of(m);

	if (nb < 0 || old == m)
		return;
	cpu->bank_r13[ob] = cpu->r[13];
	cpu->bank_r14[ob] = cpu->r[14];
	cpu->bank_spsr[ob] = cpu->spsr;
	if (old == ARM_MODE_FIQ) {
		memcpy(cpu->fiq_r8_12, &cpu->r[8], sizeof(cpu->fiq_r8_12));
		memcpy(&cpu->r[8], cpu->usr_r8_12, sizeof(cpu->usr_r8_12));
	} else if (m == ARM_MODE_FIQ) {
		memcpy(cpu->usr_r8_12, &cpu->r[8], sizeof(cpu->usr_r8_12));
		memcpy(&cpu->r[8], cpu->fiq_r8_12, sizeof(cpu->fiq_r8_12));
	}
	cpu->r[13] = cpu->bank_r13[nb];
	cpu->r[14] = cpu->bank_r14[nb];
	cpu->spsr = cpu->bank_spsr[nb];
	cpu->cpsr_ctl = (cpu->cpsr_ctl & ~CPSR_M_MASK) | m;
	/* The PL0 and PL1 shadow views differ: switch on every change of
	 * privilege (exception entry and return). */
	if (cpu->mmu)
		shadow_cpu_set_pl(cpu->mmu, m != ARM_MODE_USR);
}

void arm_set_cpsr(struct arm_cpu *cpu, uint32_t val, uint32_t mask)
{
	if (mask & (1u << 31))
		cpu->n = val >> 31 & 1;
	if (mask & (1u << 30))
		cpu->z = val >> 30 & 1;
	if (mask & (1u << 29))
		cpu->c = val >> 29 & 1;
	if (mask & (1u << 28))
		cpu->v = val >> 28 & 1;
	if (mask & (1u << 27))
		cpu->q = val >> 27 & 1;
	if (mask & 0x000f0000u)
		cpu->ge = (uint8_t)((cpu->ge & ~(mask >> 16 & 15u)) | (val & mask) >> 16);
	if (mask & 0x0600fc00u) {
		uint32_t it = (val >> 25 & 3u) | (val >> 10 & 0x3fu) << 2;
		uint32_t itm = (mask >> 25 & 3u) | (mask >> 10 & 0x3fu) << 2;

		cpu->it = (uint8_t)((cpu->it & ~itm) | (it & itm));
	}
	if (mask & CPSR_T)
		cpu->thumb = val & CPSR_T;
	mask &= CPSR_E | CPSR_A | CPSR_I | CPSR_F | CPSR_M_MASK;
	if ((mask & CPSR_M_MASK) && (val & CPSR_M_MASK) != arm_mode(cpu)) {
		/* An invalid mode is UNPREDICTABLE: keep the current one. */
		if (arm_mode_valid(val & CPSR_M_MASK))
			arm_switch_mode(cpu, val & CPSR_M_MASK);
	}
	mask &= ~CPSR_M_MASK;
	cpu->cpsr_ctl = (cpu->cpsr_ctl & ~mask) | (val & mask);
	/* Unmasking an asserted interrupt: take it after this instruction,
	 * not at the end of the run loop's budget. */
	if ((mask & (CPSR_I | CPSR_F)) && arm_cpu_unmasked_lines(cpu))
		cpu->run_end = 0;
}

uint32_t arm_get_user_reg(const struct arm_cpu *cpu, unsigned n)
{
	unsigned m = arm_mode(cpu);

	if (n >= 8 && n <= 12 && m == ARM_MODE_FIQ)
		return cpu->usr_r8_12[n - 8];
	if ((n == 13 || n == 14) && m != ARM_MODE_USR && m != ARM_MODE_SYS)
		return n == 13 ? cpu->bank_r13[ARM_BANK_USR] : cpu->bank_r14[ARM_BANK_USR];
	return cpu->r[n];
}

void arm_set_user_reg(struct arm_cpu *cpu, unsigned n, uint32_t v)
{
	unsigned m = arm_mode(cpu);

	if (n >= 8 && n <= 12 && m == ARM_MODE_FIQ)
		cpu->usr_r8_12[n - 8] = v;
	else if ((n == 13 || n == 14) && m != ARM_MODE_USR && m != ARM_MODE_SYS)
		(n == 13 ? cpu->bank_r13 : cpu->bank_r14)[ARM_BANK_USR] = v;
	else
		cpu->r[n] = v;
}

void arm_exception_return(struct arm_cpu *cpu, uint32_t new_pc, uint32_t spsr)
{
	arm_set_cpsr(cpu, spsr, 0xffffffffu);
	cpu->next_pc = cpu->thumb ? new_pc & ~1u : new_pc & ~3u;
	/* Leaving an exception handler: a STREX must not pair with an LDREX
	 * from before it. */
	cpu->excl_valid = false;
}

void arm_take_exception(struct arm_cpu *cpu, enum arm_exception exc, uint32_t pc)
{
	static const struct {
		uint8_t mode, vector, lr_arm, lr_thumb;
		bool mask_a, mask_f;
	} info[] = {
		[ARM_EXC_RESET] = { ARM_MODE_SVC, 0x00, 0, 0, true, true },
		[ARM_EXC_UNDEF] = { ARM_MODE_UND, 0x04, 4, 2, false, false },
		[ARM_EXC_SVC] = { ARM_MODE_SVC, 0x08, 4, 2, false, false },
		[ARM_EXC_PREFETCH_ABORT] = { ARM_MODE_ABT, 0x0c, 4, 4, true, false },
		[ARM_EXC_DATA_ABORT] = { ARM_MODE_ABT, 0x10, 8, 8, true, false },
		[ARM_EXC_IRQ] = { ARM_MODE_IRQ, 0x18, 4, 4, true, false },
		[ARM_EXC_FIQ] = { ARM_MODE_FIQ, 0x1c, 4, 4, true, true },
	};
	uint32_t old = arm_get_cpsr(cpu);
	uint32_t lr = pc + (cpu->thumb ? info[exc].lr_thumb : info[exc].lr_arm);
	uint32_t base = (cpu->sctlr & SCTLR_V_BIT) ? 0xffff0000u : cpu->vbar & ~0x1fu;
	uint32_t ctl;

	arm_switch_mode(cpu, info[exc].mode);
	cpu->spsr = old;
	cpu->r[14] = lr;
	ctl = (cpu->cpsr_ctl | CPSR_I) & ~CPSR_E;
	if (info[exc].mask_a)
		ctl |= CPSR_A;
	if (info[exc].mask_f)
		ctl |= CPSR_F;
	if (cpu->sctlr & SCTLR_EE_BIT)
		ctl |= CPSR_E;
	cpu->cpsr_ctl = ctl;
	cpu->it = 0;
	cpu->thumb = cpu->sctlr & SCTLR_TE_BIT;
	cpu->excl_valid = false;
	cpu->exceptions++;
	cpu->r[15] = cpu->next_pc = base + info[exc].vector;
}

/* ---- data accesses ---- */

void arm_alignment_fault(struct arm_cpu *cpu, uint32_t va, bool write)
{
	struct shadow_fault *f = &cpu->mmu->fault;

	*f = (struct shadow_fault){
		.kind = SHADOW_FAULT_ABORT,
		.va = va,
		.write = write,
		.fs = FS_ALIGNMENT,
		.fsr = walk_dfsr(FS_ALIGNMENT, 0, write),
	};
	shadow_raise(cpu->mmu);
}

void arm_external_abort(struct arm_cpu *cpu, uint32_t va, bool write)
{
	struct shadow_fault *f = &cpu->mmu->fault;

	*f = (struct shadow_fault){
		.kind = SHADOW_FAULT_ABORT,
		.va = va,
		.write = write,
		.fs = FS_EXTERNAL,
		.fsr = walk_dfsr(FS_EXTERNAL, 0, write),
	};
	shadow_raise(cpu->mmu);
}

/* The slow path of one data access of `size` bytes (little-endian value):
 * translate in software, then RAM through physmem or the device through
 * cpu->mmio. A device access that crosses a page is split into bytes. */
static uint64_t slow_access(struct arm_cpu *cpu, uint32_t va, unsigned size, unsigned pl,
			    bool write, uint64_t val)
{
	struct shadow_fault *f = &cpu->mmu->fault;
	struct walk_result res;
	uint64_t v = 0;
	void *p;

	if ((va & 0xfffu) + size > 0x1000) {
		for (unsigned i = 0; i < size; i++)
			v |= slow_access(cpu, va + i, 1, pl, write, val >> (8 * i)) << (8 * i);
		return v;
	}
	if (!shadow_translate(cpu->mmu, va, write ? WALK_WRITE : WALK_READ, pl, &res, f)) {
		p = physmem_ptr(shadow_vm_physmem(cpu->mmu->vm), res.pa, size);
		if (write)
			memcpy(p, &val, size);
		else
			memcpy(&v, p, size);
		return v;
	}
	if (f->kind == SHADOW_FAULT_ABORT)
		shadow_raise(cpu->mmu);
	if (f->kind != SHADOW_FAULT_MMIO || !cpu->mmio)
		arm_external_abort(cpu, va, write);
	if (write ? cpu->mmio->write(cpu->mmio_opaque, f->mmio_id, f->mmio_offset, size, val)
		  : cpu->mmio->read(cpu->mmio_opaque, f->mmio_id, f->mmio_offset, size, &v))
		arm_external_abort(cpu, va, write);
	return v;
}

static inline bool big_endian(const struct arm_cpu *cpu)
{
	return cpu->cpsr_ctl & CPSR_E;
}

/* SCTLR.A makes every access alignment-checked. */
static inline void strict_align(struct arm_cpu *cpu, uint32_t va, unsigned size, bool write)
{
	if (cpu->sctlr & SCTLR_A_BIT)
		arm_check_align(cpu, va, size, write);
}

/* One guest load of `size` bytes at pl, fast path or slow path. */
static inline uint64_t load(struct arm_cpu *cpu, uint32_t va, unsigned size, unsigned pl)
{
	if (__builtin_expect(cpu->slow, 0))
		return slow_access(cpu, va, size, pl, false, 0);
	switch (size) {
	case 1:
		return shadow_ld8_pl(cpu->mmu, va, pl);
	case 2:
		return pl == cpu->mmu->pl ? shadow_ld16(cpu->mmu, va) : shadow_ld16_pl(cpu->mmu, va, pl);
	case 4:
		return pl == cpu->mmu->pl ? shadow_ld32(cpu->mmu, va) : shadow_ld32_pl(cpu->mmu, va, pl);
	default:
		return pl == cpu->mmu->pl ? shadow_ld64(cpu->mmu, va) : shadow_ld64_pl(cpu->mmu, va, pl);
	}
}

static inline void store(struct arm_cpu *cpu, uint32_t va, uint64_t v, unsigned size, unsigned pl)
{
	if (__builtin_expect(cpu->slow, 0)) {
		slow_access(cpu, va, size, pl, true, v);
		return;
	}
	switch (size) {
	case 1:
		if (pl == cpu->mmu->pl)
			shadow_st8(cpu->mmu, va, (uint8_t)v);
		else
			shadow_st8_pl(cpu->mmu, va, (uint8_t)v, pl);
		break;
	case 2:
		if (pl == cpu->mmu->pl)
			shadow_st16(cpu->mmu, va, (uint16_t)v);
		else
			shadow_st16_pl(cpu->mmu, va, (uint16_t)v, pl);
		break;
	default:
		if (pl == cpu->mmu->pl)
			shadow_st32(cpu->mmu, va, (uint32_t)v);
		else
			shadow_st32_pl(cpu->mmu, va, (uint32_t)v, pl);
		break;
	}
}

static inline uint32_t swap16(const struct arm_cpu *cpu, uint32_t v)
{
	return big_endian(cpu) ? __builtin_bswap16((uint16_t)v) : v;
}

static inline uint32_t swap32(const struct arm_cpu *cpu, uint32_t v)
{
	return big_endian(cpu) ? __builtin_bswap32(v) : v;
}

#define CUR(cpu) ((cpu)->mmu->pl)

uint8_t arm_ld8(struct arm_cpu *cpu, uint32_t va)
{
	return (uint8_t)load(cpu, va, 1, CUR(cpu));
}

uint16_t arm_ld16(struct arm_cpu *cpu, uint32_t va)
{
	strict_align(cpu, va, 2, false);
	return (uint16_t)swap16(cpu, (uint32_t)load(cpu, va, 2, CUR(cpu)));
}

uint32_t arm_ld32(struct arm_cpu *cpu, uint32_t va)
{
	strict_align(cpu, va, 4, false);
	return swap32(cpu, (uint32_t)load(cpu, va, 4, CUR(cpu)));
}

void arm_st8(struct arm_cpu *cpu, uint32_t va, uint8_t v)
{
	store(cpu, va, v, 1, CUR(cpu));
}

void arm_st16(struct arm_cpu *cpu, uint32_t va, uint16_t v)
{
	strict_align(cpu, va, 2, true);
	store(cpu, va, swap16(cpu, v), 2, CUR(cpu));
}

void arm_st32(struct arm_cpu *cpu, uint32_t va, uint32_t v)
{
	strict_align(cpu, va, 4, true);
	store(cpu, va, swap32(cpu, v), 4, CUR(cpu));
}

uint8_t arm_ld8_user(struct arm_cpu *cpu, uint32_t va)
{
	return (uint8_t)load(cpu, va, 1, 0);
}

uint16_t arm_ld16_user(struct arm_cpu *cpu, uint32_t va)
{
	strict_align(cpu, va, 2, false);
	return (uint16_t)swap16(cpu, (uint32_t)load(cpu, va, 2, 0));
}

uint32_t arm_ld32_user(struct arm_cpu *cpu, uint32_t va)
{
	strict_align(cpu, va, 4, false);
	return swap32(cpu, (uint32_t)load(cpu, va, 4, 0));
}

void arm_st8_user(struct arm_cpu *cpu, uint32_t va, uint8_t v)
{
	store(cpu, va, v, 1, 0);
}

void arm_st16_user(struct arm_cpu *cpu, uint32_t va, uint16_t v)
{
	strict_align(cpu, va, 2, true);
	store(cpu, va, swap16(cpu, v), 2, 0);
}

void arm_st32_user(struct arm_cpu *cpu, uint32_t va, uint32_t v)
{
	strict_align(cpu, va, 4, true);
	store(cpu, va, swap32(cpu, v), 4, 0);
}

uint32_t arm_ld32_aligned(struct arm_cpu *cpu, uint32_t va)
{
	arm_check_align(cpu, va, 4, false);
	return arm_ld32(cpu, va);
}

void arm_st32_aligned(struct arm_cpu *cpu, uint32_t va, uint32_t v)
{
	arm_check_align(cpu, va, 4, true);
	arm_st32(cpu, va, v);
}

/* ---- exclusives ---- */

static uint64_t swap_size(uint64_t v, unsigned size)
{
	switch (size) {
	case 2:
		return __builtin_bswap16((uint16_t)v);
	case 4:
		return __builtin_bswap32((uint32_t)v);
	case 8:
		/* LDREXD: each word is swapped, the words stay in order. */
		return (uint64_t)__builtin_bswap32((uint32_t)(v >> 32)) << 32 |
		       __builtin_bswap32((uint32_t)v);
	default:
		return v;
	}
}

uint64_t arm_ldrex(struct arm_cpu *cpu, uint32_t va, unsigned size)
{
	uint64_t v;

	arm_check_align(cpu, va, size, false);
	v = load(cpu, va, size, CUR(cpu));	/* one access: single-copy atomic */
	cpu->excl_valid = true;
	cpu->excl_addr = va;
	cpu->excl_size = size;
	cpu->excl_val = v;
	return big_endian(cpu) ? swap_size(v, size) : v;
}

/* Compare-and-swap of `size` bytes at host address p. */
static bool cas(void *p, uint64_t old, uint64_t new, unsigned size)
{
	switch (size) {
	case 1: {
		uint8_t o = (uint8_t)old;
		return __atomic_compare_exchange_n((uint8_t *)p, &o, (uint8_t)new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	case 2: {
		uint16_t o = (uint16_t)old;
		return __atomic_compare_exchange_n((uint16_t *)p, &o, (uint16_t)new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	case 4: {
		uint32_t o = (uint32_t)old;
		return __atomic_compare_exchange_n((uint32_t *)p, &o, (uint32_t)new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	default:
		return __atomic_compare_exchange_n((uint64_t *)p, &old, new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

uint32_t arm_strex(struct arm_cpu *cpu, uint32_t va, uint64_t v, unsigned size)
{
	bool ok;
	void *p;

	arm_check_align(cpu, va, size, true);
	if (!cpu->excl_valid || cpu->excl_addr != va || cpu->excl_size != size) {
		cpu->excl_valid = false;
		return 1;
	}
	/* The global monitor is the host's compare-and-swap: the store happens
	 * only if memory still holds what LDREX read (value-based, like QEMU;
	 * an ABA change in between goes unnoticed, which Linux tolerates). A
	 * fault inside the CAS goes through the shadow fill path like any
	 * write and the CAS re-executes. */
	if (cpu->slow) {
		/* A device or a re-executed instruction: no atomicity to keep
		 * beyond the single access itself. */
		slow_access(cpu, va, size, CUR(cpu), true, big_endian(cpu) ? swap_size(v, size) : v);
		cpu->excl_valid = false;
		return 0;
	}
	p = shadow_host_ptr(cpu->mmu, va, cpu->mmu->pl, true);
	ok = cas(p, cpu->excl_val, big_endian(cpu) ? swap_size(v, size) : v, size);
	cpu->excl_valid = false;
	return ok ? 0 : 1;
}

uint32_t arm_swap(struct arm_cpu *cpu, uint32_t va, uint32_t v, unsigned size)
{
	uint32_t old;
	void *p;

	arm_check_align(cpu, va, size, true);
	if (size == 4)
		v = swap32(cpu, v);
	if (cpu->slow) {
		/* A device: a read then a write, which is all a bus can do. */
		old = (uint32_t)slow_access(cpu, va, size, CUR(cpu), false, 0);
		slow_access(cpu, va, size, CUR(cpu), true, v);
	} else {
		/* A fault inside the exchange goes through the shadow fill path
		 * like any write, and the exchange re-executes. */
		p = shadow_host_ptr(cpu->mmu, va, CUR(cpu), true);
		old = size == 1 ? __atomic_exchange_n((uint8_t *)p, (uint8_t)v, __ATOMIC_SEQ_CST)
				: __atomic_exchange_n((uint32_t *)p, v, __ATOMIC_SEQ_CST);
	}
	return size == 4 ? swap32(cpu, old) : old;
}
