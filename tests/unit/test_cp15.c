/* test_cp15.c — the CP15 model (vcpu/cp15.c) and the generic timer
 * (vcpu/gtimer.c), through the accessors the executor uses. */
#include <criterion/criterion.h>
#include <time.h>

#include "tests/lib/ptb.h"
#include "vcpu/loop.h"

#define RAM_BASE 0x40000000u

struct env {
	struct physmem pm;
	struct shadow_vm *vm;
	struct vcpu v;
	struct ptb b;
	sigjmp_buf jb;
};

static void setup(struct env *e)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };

	cr_assert_eq(physmem_init(&e->pm), 0);
	cr_assert_eq(physmem_add_ram(&e->pm, RAM_BASE, 16 << 20), 0);
	cr_assert_eq(ptb_init(&e->b, &e->pm, RAM_BASE, 1 << 20), 0);
	cr_assert_eq(shadow_vm_create(&e->pm, &cfg, &e->vm), 0);
	vcpu_init(&e->v, 0, shadow_vm_cpu(e->vm, 0));
	cr_assert_eq(shadow_cpu_attach(e->v.cpu.mmu), 0);
	e->v.cpu.mmu->recover = &e->jb;
	cr_assert_eq(vcpu_reset(&e->v), 0);
}

static uint32_t mrc(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2)
{
	uint32_t val = 0xdeadbeef;

	cr_assert_eq(vcpu_sys_ops.mrc(&e->v.cpu, 15, opc1, crn, crm, opc2, &val), 0,
		     "MRC c%u, %u, c%u, %u is UNDEFINED", crn, opc1, crm, opc2);
	return val;
}

static int mcr(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2,
	       uint32_t val)
{
	return vcpu_sys_ops.mcr(&e->v.cpu, 15, opc1, crn, crm, opc2, val);
}

Test(cp15, identification)
{
	struct env e;

	setup(&e);
	cr_assert_eq(mrc(&e, 0, 0, 0, 0), 0x410fc075u, "MIDR: Cortex-A7 r0p5");
	cr_assert_eq(mrc(&e, 0, 0, 0, 5), 0x80000000u, "MPIDR: CPU 0, MP format");
	cr_assert_eq(mrc(&e, 0, 0, 1, 4) & 0xf, 4, "ID_MMFR0: VMSAv7 + PXN, no LPAE");
	cr_assert_eq((mrc(&e, 0, 0, 2, 0) >> 24) & 0xf, 2, "ID_ISAR0: SDIV/UDIV in both states");
	cr_assert_eq(mrc(&e, 0, 0, 1, 1) & 0xf0f0u, 0, "ID_PFR1: no Security, no Virtualization");
	cr_assert_eq(mcr(&e, 0, 2, 0, 0, 1), 0);
	cr_assert_eq(mrc(&e, 0, 1, 0, 0), 0x201fe00au, "CCSIDR of the L1 I-cache");
	cr_assert_eq(mrc(&e, 1, 0, 0, 0), 0x00c50078u, "SCTLR reset value");
}

Test(cp15, sctlr_writes_keep_res1_and_drive_the_mmu)
{
	struct env e;

	setup(&e);
	cr_assert_eq(mcr(&e, 1, 0, 0, 0, 0), 0);
	cr_assert_eq(mrc(&e, 1, 0, 0, 0), 0x00c50058u, "RES1 bits stay");
	/* Turn the MMU on over a table with one section. */
	ptb_section(&e.b, e.b.l1, 0xc0000000u, RAM_BASE + (4 << 20), (struct ptb_attr){ .ap = 1 });
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + (4 << 20), 4) = 0x5ec7104u;
	cr_assert_eq(mcr(&e, 2, 0, 0, 0, e.b.l1), 0);
	cr_assert_eq(mcr(&e, 3, 0, 0, 0, 0x55555555u), 0);
	cr_assert_eq(mcr(&e, 1, 0, 0, 0, 0x00c50079u), 0);
	cr_assert(e.v.cpu.mmu->regs.sctlr & SCTLR_M, "the shadow engine saw SCTLR.M");
	if (sigsetjmp(e.jb, 0))
		cr_assert_fail("fault %d fs %#x", e.v.cpu.mmu->fault.kind, e.v.cpu.mmu->fault.fs);
	cr_assert_eq(arm_ld32(&e.v.cpu, 0xc0000000u), 0x5ec7104u);
	/* ATS1CPR / ATS1CUR: PL1 translates, PL0 gets a permission fault. */
	cr_assert_eq(mcr(&e, 7, 0, 8, 0, 0xc0000123u), 0);
	cr_assert_eq(mrc(&e, 7, 0, 4, 0) & 0xfffff001u, RAM_BASE + (4 << 20));
	cr_assert_eq(mcr(&e, 7, 0, 8, 2, 0xc0000123u), 0);
	cr_assert_eq(mrc(&e, 7, 0, 4, 0), 1u | (FS_PERM_SECTION & 0xf) << 1, "PAR: F, FS");
	/* TLBIMVA through CP15 reaches the shadow. */
	uint64_t unmaps = e.v.cpu.mmu->stats.unmaps;
	cr_assert_eq(mcr(&e, 8, 0, 7, 1, 0xc0000000u), 0);
	cr_assert_eq(e.v.cpu.mmu->stats.unmaps, unmaps + 1);
}

Test(cp15, user_mode_access_rules)
{
	struct env e;
	uint32_t val;

	setup(&e);
	cr_assert_eq(mcr(&e, 13, 0, 0, 3, 0x1234), 0, "TPIDRURO written at PL1");
	arm_switch_mode(&e.v.cpu, ARM_MODE_USR);
	cr_assert_eq(mrc(&e, 13, 0, 0, 3), 0x1234, "PL0 reads TPIDRURO");
	cr_assert_eq(mcr(&e, 13, 0, 0, 3, 1), -1, "PL0 cannot write TPIDRURO");
	cr_assert_eq(mcr(&e, 13, 0, 0, 2, 7), 0, "PL0 writes TPIDRURW");
	cr_assert_eq(vcpu_sys_ops.mrc(&e.v.cpu, 15, 0, 1, 0, 0, &val), -1, "no SCTLR at PL0");
	cr_assert_eq(vcpu_sys_ops.mrc(&e.v.cpu, 15, 0, 0, 0, 0, &val), -1, "no MIDR at PL0");
	cr_assert_eq(mcr(&e, 8, 0, 7, 0, 0), -1, "no TLBIALL at PL0");
	cr_assert_eq(mcr(&e, 7, 0, 10, 5, 0), 0, "CP15DMB with SCTLR.CP15BEN");
	val = 1;
	cr_assert_eq(vcpu_sys_ops.mrc(&e.v.cpu, 14, 0, 0, 0, 0, &val), 0, "DBGDIDR readable");
	cr_assert_eq(val, 0, "DBGDIDR: no debug architecture version");
	cr_assert_eq(vcpu_sys_ops.mrc(&e.v.cpu, 14, 0, 0, 1, 0, &val), -1, "no other cp14");
	cr_assert_eq(vcpu_sys_ops.mrc(&e.v.cpu, 14, 6, 1, 0, 0, &val), -1, "no ThumbEE TEEHBR");
	uint64_t cnt;
	cr_assert_eq(vcpu_sys_ops.mrrc(&e.v.cpu, 15, 1, 14, &cnt), -1,
		     "CNTVCT at PL0 needs CNTKCTL.PL0VCTEN");
	arm_switch_mode(&e.v.cpu, ARM_MODE_SVC);
	cr_assert_eq(mcr(&e, 14, 0, 1, 0, 2), 0);
	arm_switch_mode(&e.v.cpu, ARM_MODE_USR);
	cr_assert_eq(vcpu_sys_ops.mrrc(&e.v.cpu, 15, 1, 14, &cnt), 0);
}

struct irq_log {
	int changes;
	bool level[GTIMER_COUNT];
};

static void on_timer(void *opaque, enum gtimer_which w, bool level)
{
	struct irq_log *log = opaque;

	log->changes++;
	log->level[w] = level;
}

Test(gtimer, counts_and_fires)
{
	struct gtimer t;
	struct irq_log log = { 0 };
	struct timespec pause = { .tv_nsec = 2000000 };
	uint64_t c0, c1;

	gtimer_init(&t, gtimer_now_ns());
	t.irq = on_timer;
	t.opaque = &log;
	c0 = gtimer_count(&t);
	nanosleep(&pause, NULL);
	c1 = gtimer_count(&t);
	cr_assert_geq(c1 - c0, 2000000 / GTIMER_NS_PER_TICK, "62.5 MHz: 2 ms is 125000 ticks");

	/* TVAL = -1: the condition already holds. Masked: no interrupt. */
	gtimer_write_ctl(&t, GTIMER_VIRT, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	gtimer_write_tval(&t, GTIMER_VIRT, 0xffffffffu);
	cr_assert(gtimer_read_ctl(&t, GTIMER_VIRT) & CNT_CTL_ISTATUS);
	cr_assert_eq(log.changes, 0);
	gtimer_write_ctl(&t, GTIMER_VIRT, CNT_CTL_ENABLE);
	cr_assert(log.level[GTIMER_VIRT], "unmasking raises the line");
	gtimer_write_ctl(&t, GTIMER_VIRT, 0);
	cr_assert_not(log.level[GTIMER_VIRT], "disabling lowers it");

	/* A deadline 1 ms out: reported as the next deadline, fires after. */
	gtimer_write_tval(&t, GTIMER_PHYS, 1000000 / GTIMER_NS_PER_TICK);
	gtimer_write_ctl(&t, GTIMER_PHYS, CNT_CTL_ENABLE);
	cr_assert_not(log.level[GTIMER_PHYS]);
	uint64_t dl = gtimer_next_deadline_ns(&t), now = gtimer_now_ns();
	cr_assert(dl > now && dl <= now + 1000000, "deadline %llu ns away",
		  (unsigned long long)(dl - now));
	nanosleep(&pause, NULL);
	gtimer_update(&t);
	cr_assert(log.level[GTIMER_PHYS], "fired after its deadline");
	cr_assert_eq(gtimer_next_deadline_ns(&t), UINT64_MAX, "nothing else pending");
	/* TVAL reads as the signed distance: negative once passed. */
	cr_assert((int32_t)gtimer_read_tval(&t, GTIMER_PHYS) < 0);
}

/* A guest whose Undefined Instruction handler is itself undefined takes
 * exceptions forever without retiring anything: the loop must still end
 * its budget and obey kicks. */
Test(vcpu_loop, exception_storm_ends_and_obeys_kicks, .timeout = 10)
{
	struct env e;
	uint32_t *ram;

	setup(&e);
	ram = physmem_ptr(&e.pm, RAM_BASE + (8 << 20), 0x100);
	for (unsigned i = 0; i < 8; i++)
		ram[i] = 0xe7f000f0;	/* UDF at every vector */
	cr_assert_eq(mcr(&e, 12, 0, 0, 0, RAM_BASE + (8 << 20)), 0);	/* VBAR */
	e.v.cpu.r[15] = RAM_BASE + (8 << 20);
	e.v.cpu.mmu->recover = NULL;
	cr_assert_eq(vcpu_run(&e.v, 5000), ARM_EXIT_LIMIT);
	cr_assert_eq(e.v.cpu.insns, 0, "nothing retires");
	cr_assert_geq(e.v.cpu.exceptions, 5000);
	cr_assert_eq(arm_mode(&e.v.cpu), ARM_MODE_UND);
	arm_cpu_kick(&e.v.cpu);
	cr_assert_eq(vcpu_run(&e.v, 1000000), ARM_EXIT_KICK);
}
