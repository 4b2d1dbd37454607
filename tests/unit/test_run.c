/* test_run.c — the run loop: kicks from another thread, the budget, and
 * the decoded-instruction cache seeing modified code. */
#include <pthread.h>
#include <time.h>

#include "tests/unit/arm_fixture.h"

static void *kicker(void *arg)
{
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	arm_cpu_kick(arg);
	return NULL;
}

Test(run, kick_stops_a_running_loop)
{
	struct afx f;
	pthread_t t;
	enum arm_exit exit;

	afx_setup(&f, ARM_MODE_SVC, false);
	/* b . : an endless loop. */
	*(uint32_t *)physmem_ptr(&f.pm, AFX_CODE, 4) = 0xeafffffe;
	f.cpu.r[15] = AFX_CODE;
	cr_assert_eq(pthread_create(&t, NULL, kicker, &f.cpu), 0);
	exit = arm_run(&f.cpu, UINT64_MAX / 2);
	pthread_join(t, NULL);
	cr_assert_eq(exit, ARM_EXIT_KICK, "exit %d", exit);
	cr_assert_gt(f.cpu.insns, 1000, "it ran before the kick (%llu)",
		     (unsigned long long)f.cpu.insns);
	cr_assert_eq(f.cpu.r[15], AFX_CODE, "stopped at an instruction boundary");
	cr_assert_not(f.cpu.kick, "the kick was consumed");
	uint64_t before = f.cpu.insns;

	cr_assert_eq(arm_run(&f.cpu, 100), ARM_EXIT_LIMIT, "and runs on afterwards");
	cr_assert_eq(f.cpu.insns, before + 100, "the budget counts retired instructions");
}

Test(run, modified_code_is_seen_without_cache_maintenance)
{
	struct afx f;
	uint32_t *code;

	afx_setup(&f, ARM_MODE_SVC, false);
	code = physmem_ptr(&f.pm, AFX_CODE, 8);
	code[0] = 0xe3a00001;	/* mov r0, #1 */
	code[1] = 0xeafffffd;	/* b AFX_CODE */
	f.cpu.r[15] = AFX_CODE;
	cr_assert_eq(arm_run(&f.cpu, 1), ARM_EXIT_LIMIT);
	cr_assert_eq(f.cpu.r[0], 1);
	cr_assert_eq(arm_run(&f.cpu, 1), ARM_EXIT_LIMIT);	/* the branch back */
	code[0] = 0xe3a00002;	/* mov r0, #2: rewritten in place */
	cr_assert_eq(arm_run(&f.cpu, 1), ARM_EXIT_LIMIT);
	cr_assert_eq(f.cpu.r[0], 2, "the decode cache noticed the new bytes");
}
