/* loop.c — the system-level run loop of one vCPU: interrupts in,
 * exceptions taken, devices emulated, until something the caller must
 * handle (WFI, the budget, a fatal engine error). */
#include "translate/run.h"
#include "vcpu/loop.h"

/* Take a pending, unmasked interrupt before the next instruction. */
static bool deliver_interrupt(struct vcpu *v)
{
	struct arm_cpu *cpu = &v->cpu;
	uint8_t lines = arm_cpu_unmasked_lines(cpu);

	if (lines & ARM_LINE_FIQ) {
		arm_take_exception(cpu, ARM_EXC_FIQ, cpu->r[15]);
		return true;
	}
	if (lines & ARM_LINE_IRQ) {
		arm_take_exception(cpu, ARM_EXC_IRQ, cpu->r[15]);
		return true;
	}
	return false;
}

/* Progress: instructions retired plus exceptions taken (see cpu.h). */
static uint64_t progress(const struct arm_cpu *cpu)
{
	return cpu->insns + cpu->exceptions;
}

enum arm_exit vcpu_run(struct vcpu *v, uint64_t budget)
{
	struct arm_cpu *cpu = &v->cpu;
	uint64_t end = progress(cpu) + budget;

	while (progress(cpu) < end) {
		enum arm_exit exit;

		/* arm_run sees kicks only while instructions retire. */
		if (__atomic_load_n(&cpu->kick, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&cpu->kick, false, __ATOMIC_RELAXED);
			return ARM_EXIT_KICK;
		}
		deliver_interrupt(v);
		exit = arm_run(cpu, end - progress(cpu));
		if (exit == ARM_EXIT_MMIO)
			exit = arm_emulate_mmio(cpu);
		switch (exit) {
		case ARM_EXIT_NONE:
		case ARM_EXIT_LIMIT:
			break;
		case ARM_EXIT_SYSREG:
			if (v->fatal)
				return exit;
			break;
		case ARM_EXIT_KICK:
		case ARM_EXIT_SEV:
		case ARM_EXIT_HVC:
		case ARM_EXIT_SMC:
			return exit;
		case ARM_EXIT_WFI:
		case ARM_EXIT_WFE:
			/* An asserted interrupt wakes WFI even while CPSR masks
			 * it (B1.8.13: Linux idles with IRQs masked); otherwise
			 * the caller sleeps until an event. */
			if (!arm_cpu_lines(cpu))
				return exit;
			break;
		default:
			vcpu_take_exit_exception(v, exit);
			break;
		}
	}
	return ARM_EXIT_LIMIT;
}
