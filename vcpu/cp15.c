/* cp15.c — the system control coprocessor of the emulated Cortex-A7
 * (ARM ARM B4.1, B4.2; Cortex-A7 TRM chapter 4 for the ID values).
 *
 * Registers that change translation go to the shadow engine; TLB
 * maintenance maps one-to-one onto shadow_tlbi_*; cache maintenance is a
 * no-op for data (the emulator is coherent) and flushes the decoded-code
 * and fetch caches for instructions. Accesses the architecture makes
 * UNDEFINED (PL0 access to PL1 registers, unimplemented encodings) return
 * -1 and the guest takes an Undefined Instruction exception. */
#include <string.h>

#include "translate/run.h"
#include "vcpu/vcpu.h"

#define KEY(crn, opc1, crm, opc2) ((crn) << 12 | (opc1) << 8 | (crm) << 4 | (opc2))

/* SCTLR: the bits the guest can change (M, A, C, CP15BEN, SW, I, V, RR,
 * EE, TRE, AFE, TE) and the Cortex-A7 reset value (RES1 bits 3, 4, 6, 16,
 * 18, 22, 23 and CP15BEN; MMU and caches off, little-endian). */
#define SCTLR_WRITABLE 0x72007427u
#define SCTLR_RESET    0x00c50078u

static const uint32_t id_regs[8] = {
	/* c1, 0, c1, opc2: ID_PFR0, ID_PFR1, ID_DFR0, ID_AFR0, ID_MMFR0-3 */
	/* ARM, Thumb-2, trivial Jazelle. Not ThumbEE (which a real A7 has):
	 * ENTERX is not implemented, and with ThumbEE reported Linux saves
	 * TEEHBR (cp14) on every context switch. */
	0x00000031u,
	0x00010001u,	/* programmers' model, generic timer; no Security/Virt */
	0x00000000u,	/* no debug architecture exposed */
	0x00000000u,
	0x10101104u,	/* VMSAv7 with PXN, no long descriptors */
	0x40000000u,
	0x01240000u,
	0x02102211u,
};

static const uint32_t isar_regs[6] = {
	0x02101110u, 0x13112111u, 0x21232041u, 0x11112131u, 0x10011142u, 0x00000000u,
};

/* CCSIDR for CSSELR = L1 data, L1 instruction, L2 unified (Cortex-A7 with
 * 32 KiB L1s and a 512 KiB L2). */
static uint32_t ccsidr(uint32_t csselr)
{
	switch (csselr & 0xfu) {
	case 0:
		return 0x700fe01au;	/* L1D: 32 KiB, 4 ways, 64-byte lines */
	case 1:
		return 0x201fe00au;	/* L1I: 32 KiB, 2 ways, 32-byte lines */
	case 2:
		return 0x707fe03au;	/* L2: 512 KiB, 8 ways, 64-byte lines */
	default:
		return 0;
	}
}

static bool pl1(struct arm_cpu *cpu)
{
	return arm_privileged(cpu);
}

/* PAR after an ATS1C* operation (B4.1.113, short-descriptor format). */
static uint32_t translate_to_par(struct vcpu *v, uint32_t va, unsigned op)
{
	struct shadow_cpu *mmu = v->cpu.mmu;
	enum walk_access acc = (op & 1) ? WALK_WRITE : WALK_READ;
	unsigned pl = op >= 2 ? 0 : 1;
	struct walk_result res;
	struct shadow_fault f;

	if (shadow_translate(mmu, va, acc, pl, &res, &f) && f.kind == SHADOW_FAULT_ABORT)
		return 1u | (f.fs & 0xfu) << 1 | ((f.fs >> 4) & 1u) << 5;
	/* Success (RAM, device or nothing: the translation itself worked).
	 * Attributes: SH from the descriptor; Inner/Outer report
	 * Non-cacheable, which the emulator is in effect. A supersection
	 * reports SS with PA[31:24] and PA[39:32] in bits 31:24 and 23:16. */
	if (res.block_size == 0x1000000u && !res.flat)
		return ((uint32_t)res.pa & 0xff000000u) | (uint32_t)(res.pa >> 32 & 0xffu) << 16 |
		       1u << 1 | (res.shareable ? 1u << 7 : 0);
	return ((uint32_t)res.pa & 0xfffff000u) | (res.shareable ? 1u << 7 : 0);
}

/* A write that changes how addresses translate: the shadow engine has been
 * told; drop cached fetch translations. Only a failure (translations may
 * be stale) makes the run loop stop, through ARM_EXIT_SYSREG. */
static int mmu_write(struct vcpu *v, int err)
{
	arm_run_flush(&v->cpu);
	if (!err)
		return 0;
	v->fatal = err;
	return 1;
}

static int tlb_op(struct vcpu *v, unsigned crm, unsigned opc2, uint32_t val)
{
	struct shadow_cpu *mmu = v->cpu.mmu;
	bool is = crm == 3;
	int err;

	switch (opc2) {
	case 0:
		err = shadow_tlbi_all(mmu, is);
		break;
	case 1:
		err = shadow_tlbi_mva(mmu, val, is);
		break;
	case 2:
		err = shadow_tlbi_asid(mmu, val, is);
		break;
	case 3:
		if (crm != 3 && crm != 7)
			return -1;
		err = shadow_tlbi_mvaa(mmu, val, is);
		break;
	default:
		return -1;
	}
	return mmu_write(v, err);
}

/* c7: cache and branch-predictor maintenance, barriers, ATS. */
static int c7_write(struct vcpu *v, unsigned crm, unsigned opc2, uint32_t val)
{
	struct arm_cpu *cpu = &v->cpu;

	switch (crm << 4 | opc2) {
	case 0x54:	/* CP15ISB */
	case 0xa4:	/* CP15DSB */
	case 0xa5:	/* CP15DMB */
		if (!(v->cp15.sctlr & (1u << 5)))
			return -1;	/* SCTLR.CP15BEN = 0: UNDEFINED at any PL */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if ((crm << 4 | opc2) == 0xa4)
			shadow_cpu_sync(cpu->mmu);	/* completes IS TLB operations */
		return 0;
	}
	if (!pl1(cpu))
		return -1;
	switch (crm << 4 | opc2) {
	case 0x10:	/* ICIALLUIS */
	case 0x50:	/* ICIALLU */
	case 0x51:	/* ICIMVAU */
		arm_run_flush(cpu);
		return 0;
	case 0x16:	/* BPIALLIS */
	case 0x56:	/* BPIALL */
	case 0x57:	/* BPIMVA */
	case 0x61: case 0x62:		/* DCIMVAC, DCISW */
	case 0xa1: case 0xa2:		/* DCCMVAC, DCCSW */
	case 0xb1:			/* DCCMVAU */
	case 0xe1: case 0xe2:		/* DCCIMVAC, DCCISW */
		return 0;	/* the emulator's caches are coherent */
	case 0x80: case 0x81: case 0x82: case 0x83:	/* ATS1CPR/PW/UR/UW */
		v->cp15.par = translate_to_par(v, val, opc2);
		return 0;
	default:
		return -1;
	}
}

/* May the current privilege level use this timer? PL0 needs CNTKCTL's
 * PL0PTEN (physical) or PL0VTEN (virtual). */
static bool timer_allowed(struct vcpu *v, enum gtimer_which w)
{
	return pl1(&v->cpu) || (v->timer.cntkctl & (w == GTIMER_PHYS ? 1u << 9 : 1u << 8));
}

/* CNTP_TVAL/CTL (c14, c2) and CNTV_TVAL/CTL (c14, c3): opc2 0 is TVAL,
 * 1 is CTL. */
static int timer_reg(struct vcpu *v, unsigned key, bool write, uint32_t *val)
{
	enum gtimer_which w = ((key >> 4) & 15u) == 2 ? GTIMER_PHYS : GTIMER_VIRT;
	struct gtimer *t = &v->timer;

	if (!timer_allowed(v, w))
		return -1;
	if (key & 1) {
		if (write)
			gtimer_write_ctl(t, w, *val);
		else
			*val = gtimer_read_ctl(t, w);
	} else {
		if (write)
			gtimer_write_tval(t, w, *val);
		else
			*val = gtimer_read_tval(t, w);
	}
	return 0;
}

static int timer_access(struct vcpu *v, unsigned key, bool write, uint32_t *val)
{
	struct gtimer *t = &v->timer;
	bool user = !pl1(&v->cpu);

	switch (key) {
	case KEY(14, 0, 0, 0):	/* CNTFRQ: writable only in Secure PL1 */
		if (write || (user && !(t->cntkctl & 3u)))
			return -1;
		*val = GTIMER_FREQ;
		return 0;
	case KEY(14, 0, 1, 0):	/* CNTKCTL */
		if (user)
			return -1;
		if (write)
			t->cntkctl = *val & 0x3ffu;
		else
			*val = t->cntkctl;
		return 0;
	case KEY(14, 0, 2, 0):
	case KEY(14, 0, 2, 1):
	case KEY(14, 0, 3, 0):
	case KEY(14, 0, 3, 1):
		return timer_reg(v, key, write, val);
	default:
		return -1;
	}
}

/* Registers PL0 may read: the thread ID registers. */
static int user_read(struct vcpu *v, unsigned key, uint32_t *val)
{
	switch (key) {
	case KEY(13, 0, 0, 2):
		*val = v->cp15.tpidrurw;
		return 0;
	case KEY(13, 0, 0, 3):
		*val = v->cp15.tpidruro;
		return 0;
	default:
		return -1;
	}
}

static int cp15_read(struct vcpu *v, unsigned key, uint32_t *val)
{
	struct cp15 *c = &v->cp15;

	if (key >> 12 == 14)
		return timer_access(v, key, false, val);
	if (!pl1(&v->cpu))
		return user_read(v, key, val);
	if ((key & 0xfff8u) == KEY(0, 0, 1, 0)) {
		*val = id_regs[key & 7u];
		return 0;
	}
	if ((key & 0xfff8u) == KEY(0, 0, 2, 0)) {
		*val = (key & 7u) < 6 ? isar_regs[key & 7u] : 0;
		return 0;
	}
	switch (key) {
	case KEY(0, 0, 0, 0): *val = VCPU_MIDR; return 0;
	case KEY(0, 0, 0, 1): *val = 0x84448003u; return 0;	/* CTR */
	case KEY(0, 0, 0, 2): *val = 0; return 0;		/* TCMTR */
	case KEY(0, 0, 0, 3): *val = 0; return 0;		/* TLBTR: unified */
	case KEY(0, 0, 0, 5): *val = c->mpidr; return 0;
	case KEY(0, 0, 0, 6): *val = 0; return 0;		/* REVIDR */
	case KEY(0, 1, 0, 0): *val = ccsidr(c->csselr); return 0;
	case KEY(0, 1, 0, 1): *val = 0x0a200023u; return 0;	/* CLIDR */
	case KEY(0, 1, 0, 7): *val = 0; return 0;		/* AIDR */
	case KEY(0, 2, 0, 0): *val = c->csselr; return 0;
	case KEY(1, 0, 0, 0): *val = c->sctlr; return 0;
	case KEY(1, 0, 0, 1): *val = c->actlr; return 0;
	case KEY(1, 0, 0, 2): *val = c->cpacr; return 0;
	case KEY(2, 0, 0, 0): *val = c->ttbr0; return 0;
	case KEY(2, 0, 0, 1): *val = c->ttbr1; return 0;
	case KEY(2, 0, 0, 2): *val = c->ttbcr; return 0;
	case KEY(3, 0, 0, 0): *val = c->dacr; return 0;
	case KEY(5, 0, 0, 0): *val = c->dfsr; return 0;
	case KEY(5, 0, 0, 1): *val = c->ifsr; return 0;
	case KEY(5, 0, 1, 0): case KEY(5, 0, 1, 1): *val = 0; return 0;	/* ADFSR, AIFSR */
	case KEY(6, 0, 0, 0): *val = c->dfar; return 0;
	case KEY(6, 0, 0, 2): *val = c->ifar; return 0;
	case KEY(7, 0, 4, 0): *val = c->par; return 0;
	case KEY(10, 0, 2, 0): *val = c->prrr; return 0;
	case KEY(10, 0, 2, 1): *val = c->nmrr; return 0;
	case KEY(12, 0, 0, 0): *val = c->vbar; return 0;
	case KEY(12, 0, 1, 0):	/* ISR: pending A, I, F */
		{
			uint8_t l = arm_cpu_lines(&v->cpu);

			*val = (l & ARM_LINE_IRQ ? 1u << 7 : 0) | (l & ARM_LINE_FIQ ? 1u << 6 : 0);
		}
		return 0;
	case KEY(13, 0, 0, 0): *val = 0; return 0;		/* FCSEIDR */
	case KEY(13, 0, 0, 1): *val = c->contextidr; return 0;
	case KEY(13, 0, 0, 2): *val = c->tpidrurw; return 0;
	case KEY(13, 0, 0, 3): *val = c->tpidruro; return 0;
	case KEY(13, 0, 0, 4): *val = c->tpidrprw; return 0;
	default:
		/* c9 performance monitors and c15 implementation-defined
		 * registers read as zero: no PMU or L2 controls exposed. */
		if (key >> 12 == 9 || key >> 12 == 15) {
			*val = 0;
			return 0;
		}
		return -1;
	}
}

static int cp15_write(struct vcpu *v, unsigned key, uint32_t val)
{
	struct cp15 *c = &v->cp15;
	struct shadow_cpu *mmu = v->cpu.mmu;

	if (key >> 12 == 14)
		return timer_access(v, key, true, &val);
	if (!pl1(&v->cpu)) {
		if (key == KEY(13, 0, 0, 2)) {
			c->tpidrurw = val;
			return 0;
		}
		if (key >> 12 == 7)
			return c7_write(v, (key >> 4) & 15u, key & 7u, val);
		return -1;
	}
	switch (key) {
	case KEY(0, 2, 0, 0): c->csselr = val & 0xfu; return 0;
	case KEY(1, 0, 0, 0):
		c->sctlr = (SCTLR_RESET & ~SCTLR_WRITABLE) | (val & SCTLR_WRITABLE);
		v->cpu.sctlr = c->sctlr;
		return mmu_write(v, shadow_cpu_set_sctlr(mmu, c->sctlr));
	case KEY(1, 0, 0, 1): c->actlr = val & (1u << 6); return 0;	/* SMP bit */
	case KEY(1, 0, 0, 2):
		/* cp10/cp11 rights; ASEDIS reads as one: no Advanced SIMD. */
		c->cpacr = (val & 0x00f00000u) | (1u << 31);
		v->cpu.cpacr = c->cpacr;
		return 0;
	case KEY(2, 0, 0, 0):
		c->ttbr0 = val;
		shadow_cpu_set_ttbr0(mmu, val);
		return 0;
	case KEY(2, 0, 0, 1):
		c->ttbr1 = val;
		shadow_cpu_set_ttbr1(mmu, val);
		return 0;
	case KEY(2, 0, 0, 2):
		/* EAE is RAZ/WI: no long-descriptor format. */
		c->ttbcr = val & (TTBCR_N_MASK | TTBCR_PD0 | TTBCR_PD1);
		return mmu_write(v, shadow_cpu_set_ttbcr(mmu, c->ttbcr));
	case KEY(3, 0, 0, 0):
		c->dacr = val;
		return mmu_write(v, shadow_cpu_set_dacr(mmu, val));
	case KEY(5, 0, 0, 0): c->dfsr = val & 0x3fffu; return 0;
	case KEY(5, 0, 0, 1): c->ifsr = val & 0x140fu; return 0;
	case KEY(5, 0, 1, 0): case KEY(5, 0, 1, 1): return 0;
	case KEY(6, 0, 0, 0): c->dfar = val; return 0;
	case KEY(6, 0, 0, 2): c->ifar = val; return 0;
	case KEY(7, 0, 4, 0): c->par = val; return 0;
	case KEY(10, 0, 2, 0): c->prrr = val; return 0;
	case KEY(10, 0, 2, 1): c->nmrr = val; return 0;
	case KEY(12, 0, 0, 0):
		c->vbar = val & ~0x1fu;
		v->cpu.vbar = c->vbar;
		return 0;
	case KEY(13, 0, 0, 0): return 0;	/* FCSE not implemented: WI */
	case KEY(13, 0, 0, 1):
		c->contextidr = val;
		return mmu_write(v, shadow_cpu_set_contextidr(mmu, val));
	case KEY(13, 0, 0, 2): c->tpidrurw = val; return 0;
	case KEY(13, 0, 0, 3): c->tpidruro = val; return 0;
	case KEY(13, 0, 0, 4): c->tpidrprw = val; return 0;
	}
	switch (key >> 12) {
	case 7:
		return c7_write(v, (key >> 4) & 15u, key & 7u, val);
	case 8:
		return tlb_op(v, (key >> 4) & 15u, key & 7u, val);
	case 9:
	case 15:
		return 0;	/* PMU and implementation-defined: WI */
	default:
		return -1;
	}
}

static int sys_mrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t *val)
{
	if (cp == 14) {
		/* The debug architecture is not exposed (ID_DFR0 is 0), but
		 * DBGDIDR exists on every ARMv7 CPU and Linux reads it
		 * unconditionally at boot: version 0 there makes it decide
		 * that hardware breakpoints are unsupported. */
		if (opc1 == 0 && crn == 0 && crm == 0 && opc2 == 0) {
			*val = 0;
			return 0;
		}
		return -1;
	}
	if (cp != 15)
		return -1;
	return cp15_read(vcpu_of(cpu), KEY(crn, opc1, crm, opc2), val);
}

static int sys_mcr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t val)
{
	if (cp != 15)
		return -1;
	return cp15_write(vcpu_of(cpu), KEY(crn, opc1, crm, opc2), val);
}

/* 64-bit accesses (B8.2): CNTPCT (opc1 0), CNTVCT (1), CNTP_CVAL (2),
 * CNTV_CVAL (3). The counts are read-only; CNTVOFF (4) is Hyp's. */
static int sys_mrrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm,
		    uint64_t *val)
{
	struct vcpu *v = vcpu_of(cpu);

	if (cp != 15 || crm != 14)
		return -1;
	switch (opc1) {
	case 0:
	case 1:
		/* PL0 needs CNTKCTL.PL0PCTEN (bit 0) or PL0VCTEN (bit 1). */
		if (!pl1(cpu) && !(v->timer.cntkctl & (1u << opc1)))
			return -1;
		*val = gtimer_count(&v->timer);
		return 0;
	case 2:
	case 3:
		if (!timer_allowed(v, opc1 == 2 ? GTIMER_PHYS : GTIMER_VIRT))
			return -1;
		*val = gtimer_read_cval(&v->timer, opc1 == 2 ? GTIMER_PHYS : GTIMER_VIRT);
		return 0;
	default:
		return -1;
	}
}

static int sys_mcrr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm,
		    uint64_t val)
{
	struct vcpu *v = vcpu_of(cpu);
	enum gtimer_which w = opc1 == 2 ? GTIMER_PHYS : GTIMER_VIRT;

	if (cp != 15 || crm != 14 || (opc1 != 2 && opc1 != 3) || !timer_allowed(v, w))
		return -1;
	gtimer_write_cval(&v->timer, w, val);
	return 0;
}

const struct arm_sys_ops vcpu_sys_ops = {
	.mrc = sys_mrc,
	.mcr = sys_mcr,
	.mrrc = sys_mrrc,
	.mcrr = sys_mcrr,
};
