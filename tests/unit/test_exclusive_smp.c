/* test_exclusive_smp.c — the exclusive monitor across vCPU threads: four
 * vCPUs run a guest LDREX/ADD/STREX loop on one counter at the same time;
 * no increment may be lost. Run on the HSPT shadow (where STREX is a host
 * compare-and-swap through the window) and on the soft MMU. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "translate/run.h"

#define RAM_BASE  0x10000u
#define CODE      RAM_BASE
#define COUNTER   (RAM_BASE + 0x1000u)
#define NCPUS     4
#define PER_CPU   20000u

/* loop: ldrex r1, [r0]; add r1, r1, #1; strex r2, r1, [r0]; cmp r2, #0;
 *       bne loop; subs r3, r3, #1; bne loop; svc #0 */
static const uint32_t increment_loop[] = {
	0xe1901f9f, 0xe2811001, 0xe1802f91, 0xe3520000,
	0x1afffffa, 0xe2533001, 0x1afffff8, 0xef000000,
};

struct worker {
	struct shadow_cpu *mmu;
	enum arm_exit exit;
	uint64_t insns;
};

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct arm_cpu cpu;

	memset(&cpu, 0, sizeof(cpu));
	cpu.mmu = w->mmu;
	if (shadow_cpu_attach(cpu.mmu) != 0) {
		w->exit = ARM_EXIT_UNDEF;
		return NULL;
	}
	arm_cpu_reset(&cpu);
	cpu.r[0] = COUNTER;
	cpu.r[3] = PER_CPU;
	cpu.r[15] = CODE;
	shadow_cpu_enter(cpu.mmu);
	w->exit = arm_run(&cpu, 100000000);
	shadow_cpu_leave(cpu.mmu);
	w->insns = cpu.insns;
	arm_run_free(&cpu);
	shadow_cpu_detach(cpu.mmu);
	return NULL;
}

static void race(enum shadow_org org)
{
	struct shadow_config cfg = { .org = org, .ncpus = NCPUS };
	struct worker w[NCPUS];
	pthread_t t[NCPUS];
	struct shadow_vm *vm;
	struct physmem pm;

	cr_assert_eq(physmem_init(&pm), 0);
	cr_assert_eq(physmem_add_ram(&pm, RAM_BASE, 1 << 20), 0);
	memcpy(physmem_ptr(&pm, CODE, sizeof(increment_loop)), increment_loop,
	       sizeof(increment_loop));
	*(uint32_t *)physmem_ptr(&pm, COUNTER, 4) = 0;
	cr_assert_eq(shadow_vm_create(&pm, &cfg, &vm), 0);
	for (unsigned i = 0; i < NCPUS; i++) {
		w[i] = (struct worker){ .mmu = shadow_vm_cpu(vm, i) };
		cr_assert_eq(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
	}
	for (unsigned i = 0; i < NCPUS; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].exit, ARM_EXIT_SVC, "vCPU %u stopped with exit %d", i, w[i].exit);
	}
	cr_assert_eq(*(uint32_t *)physmem_ptr(&pm, COUNTER, 4), NCPUS * PER_CPU,
		     "lost increments: the monitor let two STREX succeed on one value");
	shadow_vm_destroy(vm);
	physmem_destroy(&pm);
}

Test(exclusive_smp, four_vcpus_hspt, .timeout = 60)
{
	race(SHADOW_ORG_PRIVATE);
}

Test(exclusive_smp, four_vcpus_soft, .timeout = 60)
{
	race(SHADOW_ORG_SOFT);
}
