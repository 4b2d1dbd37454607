/* vcpu.c — reset and the system-level side of the run loop's exits. */
#include "vcpu/vcpu.h"

#include <string.h>

void vcpu_init(struct vcpu *v, unsigned index, struct shadow_cpu *mmu)
{
	memset(v, 0, sizeof(*v));
	v->index = index;
	v->cpu.mmu = mmu;
	v->cpu.sys = &vcpu_sys_ops;
	v->cpu.sys_opaque = v;
	gtimer_init(&v->timer, gtimer_now_ns());
}

int vcpu_reset(struct vcpu *v)
{
	struct shadow_cpu *mmu = v->cpu.mmu;
	int err;

	memset(&v->cp15, 0, sizeof(v->cp15));
	v->cp15.sctlr = 0x00c50078u;
	/* Cluster 0, CPU index; bit 31 set: the multiprocessor format. */
	v->cp15.mpidr = 0x80000000u | (v->index & 0xffu);
	v->cpu.sctlr = v->cp15.sctlr;
	v->cpu.vbar = 0;
	v->cpu.cpacr = 0;
	arm_cpu_reset(&v->cpu);
	err = shadow_cpu_set_sctlr(mmu, v->cp15.sctlr);
	if (!err)
		err = shadow_cpu_set_ttbcr(mmu, 0);
	if (!err)
		err = shadow_cpu_set_dacr(mmu, 0);
	if (!err)
		err = shadow_cpu_set_contextidr(mmu, 0);
	shadow_cpu_set_ttbr0(mmu, 0);
	shadow_cpu_set_ttbr1(mmu, 0);
	return err;
}

void vcpu_take_exit_exception(struct vcpu *v, enum arm_exit exit)
{
	struct arm_cpu *cpu = &v->cpu;
	const struct shadow_fault *f = &cpu->mmu->fault;

	switch (exit) {
	case ARM_EXIT_HVC:
	case ARM_EXIT_SMC:
		/* No firmware answered: UNDEFINED without Hyp/Monitor. */
	case ARM_EXIT_UNDEF:
		arm_take_exception(cpu, ARM_EXC_UNDEF, cpu->r[15]);
		break;
	case ARM_EXIT_SVC:
		arm_take_exception(cpu, ARM_EXC_SVC, cpu->r[15]);
		break;
	case ARM_EXIT_BKPT:
		/* A debug event taken as a Prefetch Abort: IFSR debug event. */
		v->cp15.ifsr = 0x2;
		v->cp15.ifar = cpu->r[15];
		arm_take_exception(cpu, ARM_EXC_PREFETCH_ABORT, cpu->r[15]);
		break;
	case ARM_EXIT_PREFETCH_ABORT:
		v->cp15.ifsr = f->fsr;
		v->cp15.ifar = f->va;
		arm_take_exception(cpu, ARM_EXC_PREFETCH_ABORT, cpu->r[15]);
		break;
	case ARM_EXIT_DATA_ABORT:
		v->cp15.dfsr = f->fsr;
		v->cp15.dfar = f->va;
		arm_take_exception(cpu, ARM_EXC_DATA_ABORT, cpu->r[15]);
		break;
	default:
		break;
	}
}
