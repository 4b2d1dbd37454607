/* vcpu.h — one virtual Cortex-A7: the ISA state (translate/), its CP15
 * system registers and generic timer, and the system-level handling of the
 * run loop's exits (exceptions, fault registers).
 *
 * The CPU model is a Cortex-A7 MPCore without the Security, Virtualization
 * and Large Physical Address Extensions and without Advanced SIMD. A7
 * rather than A15: Linux's Spectre hardening invalidates the instruction
 * cache (ICIALLU) on every context switch on A15, and branch predictors on
 * A8/A9/A12/A17, while the A7 needs neither, so the decoded-code cache is
 * not thrown away per switch. */
#ifndef HSPT_VCPU_VCPU_H
#define HSPT_VCPU_VCPU_H

#include <stdint.h>

#include "translate/cpu.h"
#include "vcpu/gtimer.h"

struct cp15 {
	uint32_t sctlr, actlr, cpacr;
	uint32_t ttbr0, ttbr1, ttbcr, dacr;
	uint32_t dfsr, ifsr, dfar, ifar;
	uint32_t par;
	uint32_t prrr, nmrr;
	uint32_t vbar;
	uint32_t contextidr;
	uint32_t tpidrurw, tpidruro, tpidrprw;
	uint32_t csselr;
	uint32_t mpidr;
};

struct vcpu {
	struct arm_cpu cpu;	/* first: the sys ops get back here from it */
	struct cp15 cp15;
	struct gtimer timer;
	unsigned index;
	/* An operation on the shadow engine failed: translations may be stale
	 * and the VM must stop. */
	int fatal;
};

/* Cortex-A7 r0p5 identification. */
#define VCPU_MIDR 0x410fc075u

/* Set a vCPU up in its reset state on top of its shadow vCPU (which must
 * belong to the caller's thread once it runs). */
void vcpu_init(struct vcpu *v, unsigned index, struct shadow_cpu *mmu);
/* Architectural reset (CPU and CP15). 0 or -errno from the shadow engine. */
int vcpu_reset(struct vcpu *v);

/* The CP15/CP14 accessors the executor calls (struct arm_sys_ops). */
extern const struct arm_sys_ops vcpu_sys_ops;

static inline struct vcpu *vcpu_of(struct arm_cpu *cpu)
{
	return (struct vcpu *)cpu;
}

/* Take the exception an exit asks for (UNDEF, SVC, BKPT, aborts), writing
 * DFSR/DFAR or IFSR/IFAR as the architecture says. */
void vcpu_take_exit_exception(struct vcpu *v, enum arm_exit exit);

#endif
