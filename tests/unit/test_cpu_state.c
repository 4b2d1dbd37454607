/* test_cpu_state.c — banking, the CPSR, exception entry and return, and the
 * exclusive monitor (translate/cpu.c), on a real shadow engine. */
#include <criterion/criterion.h>

#include "translate/cpu.h"

#define RAM_BASE 0x10000u

struct env {
	struct physmem pm;
	struct shadow_vm *vm;
	struct arm_cpu cpu;
	sigjmp_buf jb;
};

static void setup(struct env *e, enum shadow_org org)
{
	struct shadow_config cfg = { .org = org, .ncpus = 1 };

	cr_assert_eq(physmem_init(&e->pm), 0);
	cr_assert_eq(physmem_add_ram(&e->pm, RAM_BASE, 1 << 20), 0);
	cr_assert_eq(shadow_vm_create(&e->pm, &cfg, &e->vm), 0);
	memset(&e->cpu, 0, sizeof(e->cpu));
	e->cpu.mmu = shadow_vm_cpu(e->vm, 0);
	cr_assert_eq(shadow_cpu_attach(e->cpu.mmu), 0);
	e->cpu.mmu->recover = &e->jb;
	arm_cpu_reset(&e->cpu);
}

Test(cpu_state, reset_state)
{
	struct env e;

	setup(&e, SHADOW_ORG_PRIVATE);
	cr_assert_eq(arm_get_cpsr(&e.cpu), 0x1d3u, "SVC, A, I, F, ARM state");
	cr_assert_eq(e.cpu.r[15], 0);
	cr_assert_eq(e.cpu.mmu->pl, 1);
}

Test(cpu_state, banking_round_trip)
{
	struct env e;

	setup(&e, SHADOW_ORG_PRIVATE);
	for (unsigned i = 0; i < 15; i++)
		e.cpu.r[i] = 0x100 + i;			/* SVC's view */
	arm_set_cpsr(&e.cpu, ARM_MODE_FIQ, CPSR_M_MASK);
	cr_assert_eq(arm_mode(&e.cpu), ARM_MODE_FIQ);
	for (unsigned i = 8; i < 15; i++)
		cr_assert_eq(e.cpu.r[i], 0, "FIQ r%u starts banked (zero)", i);
	cr_assert_eq(e.cpu.r[7], 0x107, "r0-r7 are shared");
	for (unsigned i = 8; i < 15; i++)
		e.cpu.r[i] = 0x200 + i;
	cr_assert_eq(arm_get_user_reg(&e.cpu, 8), 0x108, "user r8 seen from FIQ");
	cr_assert_eq(arm_get_user_reg(&e.cpu, 13), 0, "user sp (never set)");
	arm_set_cpsr(&e.cpu, ARM_MODE_USR, CPSR_M_MASK);
	cr_assert_eq(e.cpu.mmu->pl, 0, "USR runs in the PL0 view");
	cr_assert_eq(e.cpu.r[8], 0x108);
	cr_assert_eq(e.cpu.r[13], 0, "USR sp");
	arm_switch_mode(&e.cpu, ARM_MODE_SVC);
	cr_assert_eq(e.cpu.r[13], 0x10d, "SVC sp restored");
	cr_assert_eq(e.cpu.r[14], 0x10e);
	arm_switch_mode(&e.cpu, ARM_MODE_FIQ);
	cr_assert_eq(e.cpu.r[12], 0x20c, "FIQ r12 restored");
	cr_assert_eq(e.cpu.r[14], 0x20e);
}

Test(cpu_state, cpsr_fields_and_invalid_mode)
{
	struct env e;

	setup(&e, SHADOW_ORG_SOFT);
	arm_set_cpsr(&e.cpu, 0xf80f0000u | 0x06000000u | 0xfc00u | ARM_MODE_SVC | CPSR_T,
		     0xffffffffu);
	cr_assert_eq(arm_get_cpsr(&e.cpu), 0xfe0ffc33u);
	cr_assert_eq(e.cpu.it, 0xff);
	cr_assert(e.cpu.thumb);
	/* Only the GE bits in the mask change. */
	arm_set_cpsr(&e.cpu, 0, 0x00030000u);
	cr_assert_eq(e.cpu.ge, 0xc);
	/* Monitor mode does not exist here: the mode stays SVC. */
	arm_set_cpsr(&e.cpu, ARM_MODE_MON, CPSR_M_MASK);
	cr_assert_eq(arm_mode(&e.cpu), ARM_MODE_SVC);
}

Test(cpu_state, exception_entry_and_return)
{
	struct env e;

	setup(&e, SHADOW_ORG_PRIVATE);
	e.cpu.vbar = 0x8000;
	arm_set_cpsr(&e.cpu, ARM_MODE_USR | CPSR_T | 0x20000000u, 0xffffffffu);
	e.cpu.it = 0x04;
	e.cpu.r[13] = 0x1234;
	arm_take_exception(&e.cpu, ARM_EXC_SVC, 0x4000);
	cr_assert_eq(arm_mode(&e.cpu), ARM_MODE_SVC);
	cr_assert_eq(e.cpu.r[14], 0x4002, "Thumb SVC: LR = address + 2");
	cr_assert_eq(e.cpu.r[15], 0x8008, "VBAR + 8");
	cr_assert_not(e.cpu.thumb, "SCTLR.TE = 0: handler in ARM state");
	cr_assert_eq(e.cpu.it, 0);
	cr_assert_eq(e.cpu.spsr, 0x20000000u | ARM_MODE_USR | CPSR_T | (0x04u >> 2) << 10);
	cr_assert_eq(arm_get_cpsr(&e.cpu) & (CPSR_I | CPSR_A | CPSR_F), CPSR_I,
		     "SVC masks IRQ only");
	cr_assert_eq(e.cpu.mmu->pl, 1);

	/* Return to user: everything restored. */
	arm_exception_return(&e.cpu, e.cpu.r[14], e.cpu.spsr);
	cr_assert_eq(arm_mode(&e.cpu), ARM_MODE_USR);
	cr_assert_eq(e.cpu.next_pc, 0x4002);
	cr_assert(e.cpu.thumb);
	cr_assert_eq(e.cpu.it, 0x04);
	cr_assert_eq(e.cpu.r[13], 0x1234);
	cr_assert_eq(e.cpu.mmu->pl, 0);

	/* Data abort from ARM state with high vectors and SCTLR.EE. */
	e.cpu.sctlr = SCTLR_V_BIT | SCTLR_EE_BIT | SCTLR_TE_BIT;
	e.cpu.thumb = false;
	arm_take_exception(&e.cpu, ARM_EXC_DATA_ABORT, 0x5000);
	cr_assert_eq(arm_mode(&e.cpu), ARM_MODE_ABT);
	cr_assert_eq(e.cpu.r[14], 0x5008);
	cr_assert_eq(e.cpu.r[15], 0xffff0010u);
	cr_assert(e.cpu.thumb, "SCTLR.TE = 1: handler in Thumb state");
	cr_assert_eq(arm_get_cpsr(&e.cpu) & (CPSR_I | CPSR_A | CPSR_E),
		     CPSR_I | CPSR_A | CPSR_E);
	/* FIQ masks F too. */
	arm_take_exception(&e.cpu, ARM_EXC_FIQ, 0x6000);
	cr_assert_eq(e.cpu.r[14], 0x6004);
	cr_assert(arm_get_cpsr(&e.cpu) & CPSR_F);
}

static void exclusives(enum shadow_org org)
{
	struct env e;
	volatile int faulted = 0;

	setup(&e, org);
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x100, 4) = 7;
	if (sigsetjmp(e.jb, 0)) {
		faulted = 1;
	} else {
		cr_assert_eq(arm_ldrex(&e.cpu, RAM_BASE + 0x100, 4), 7);
		cr_assert_eq(arm_strex(&e.cpu, RAM_BASE + 0x100, 8, 4), 0, "pair succeeds");
		cr_assert_eq(*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x100, 4), 8);
		cr_assert_eq(arm_strex(&e.cpu, RAM_BASE + 0x100, 9, 4), 1, "monitor cleared");
		(void)arm_ldrex(&e.cpu, RAM_BASE + 0x100, 4);
		/* Another agent changes the word: the global monitor sees it. */
		*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x100, 4) = 42;
		cr_assert_eq(arm_strex(&e.cpu, RAM_BASE + 0x100, 9, 4), 1);
		cr_assert_eq(*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x100, 4), 42);
		(void)arm_ldrex(&e.cpu, RAM_BASE + 0x100, 4);
		arm_clrex(&e.cpu);
		cr_assert_eq(arm_strex(&e.cpu, RAM_BASE + 0x100, 9, 4), 1, "CLREX");
		(void)arm_ldrex(&e.cpu, RAM_BASE + 0x108, 8);
		cr_assert_eq(arm_strex(&e.cpu, RAM_BASE + 0x108, 0x1122334455667788ull, 8), 0);
		cr_assert_eq(*(uint64_t *)physmem_ptr(&e.pm, RAM_BASE + 0x108, 8),
			     0x1122334455667788ull);
		(void)arm_ldrex(&e.cpu, RAM_BASE + 0x102, 4);	/* misaligned */
	}
	cr_assert(faulted, "misaligned LDREX must fault");
	cr_assert_eq(e.cpu.mmu->fault.fs, FS_ALIGNMENT);
	cr_assert_eq(e.cpu.mmu->fault.va, RAM_BASE + 0x102);
}

Test(cpu_state, exclusives_hspt)
{
	exclusives(SHADOW_ORG_PRIVATE);
}

Test(cpu_state, exclusives_soft)
{
	exclusives(SHADOW_ORG_SOFT);
}

Test(cpu_state, big_endian_data)
{
	struct env e;

	setup(&e, SHADOW_ORG_PRIVATE);
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x200, 4) = 0x11223344;
	if (sigsetjmp(e.jb, 0))
		cr_assert_fail("unexpected fault");
	e.cpu.cpsr_ctl |= CPSR_E;
	cr_assert_eq(arm_ld32(&e.cpu, RAM_BASE + 0x200), 0x44332211u);
	cr_assert_eq(arm_ld16(&e.cpu, RAM_BASE + 0x200), 0x4433u);
	arm_st16(&e.cpu, RAM_BASE + 0x204, 0xaabb);
	cr_assert_eq(*(uint16_t *)physmem_ptr(&e.pm, RAM_BASE + 0x204, 2), 0xbbaau);
	/* Unaligned words are allowed unless SCTLR.A. */
	cr_assert_eq(arm_ld32(&e.cpu, RAM_BASE + 0x201), 0x332211aau);
}

/* ---- the slow path: RAM and devices through software translation ---- */

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned last_size, writes;
};

static int dev_read(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t *val)
{
	(void)opaque;
	if (off >= 0x100)
		return -1;	/* refused: an external abort */
	*val = 0xa0000000u | id << 8 | (uint32_t)off | size << 16;
	return 0;
}

static int dev_write(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t val)
{
	struct fake_dev *d = opaque;

	d->last_off = off;
	d->last_val = val;
	d->last_size = size;
	d->writes++;
	return 0;
}

static const struct arm_mmio_ops dev_ops = { .read = dev_read, .write = dev_write };

Test(cpu_state, slow_path_reaches_ram_and_devices)
{
	struct env e;
	struct fake_dev dev = { 0 };
	volatile int faults = 0;

	setup(&e, SHADOW_ORG_PRIVATE);
	cr_assert_eq(physmem_add_mmio(&e.pm, 0x09000000, 0x1000, 3), 0);
	e.cpu.mmio = &dev_ops;
	e.cpu.mmio_opaque = &dev;
	e.cpu.slow = true;
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + 0x40, 4) = 0xcafef00d;
	if (sigsetjmp(e.jb, 0)) {
		faults++;
		cr_assert_eq(e.cpu.mmu->fault.fs, FS_EXTERNAL);
		cr_assert_eq(e.cpu.mmu->fault.va, 0x09000200u);
		cr_assert_eq(e.cpu.mmu->fault.fsr, 0x008u, "DFSR: sync external, read");
	} else {
		cr_assert_eq(arm_ld32(&e.cpu, RAM_BASE + 0x40), 0xcafef00du, "RAM via slow path");
		arm_st16(&e.cpu, RAM_BASE + 0x44, 0x1234);
		cr_assert_eq(*(uint16_t *)physmem_ptr(&e.pm, RAM_BASE + 0x44, 2), 0x1234);
		cr_assert_eq(arm_ld32(&e.cpu, 0x09000010u), 0xa0040310u, "device read");
		arm_st32(&e.cpu, 0x09000020u, 0x55);
		cr_assert_eq(dev.last_off, 0x20);
		cr_assert_eq(dev.last_val, 0x55);
		cr_assert_eq(dev.last_size, 4);
		(void)arm_ld32(&e.cpu, 0x09000200u);	/* refused by the device */
	}
	cr_assert_eq(faults, 1);
}

Test(cpu_state, reset_keeps_the_wiring)
{
	struct env e;
	struct fake_dev dev = { 0 };

	setup(&e, SHADOW_ORG_SOFT);
	e.cpu.mmio = &dev_ops;
	e.cpu.mmio_opaque = &dev;
	e.cpu.r[3] = 77;
	arm_cpu_reset(&e.cpu);
	cr_assert_eq(e.cpu.mmio, &dev_ops, "device hooks survive a reset");
	cr_assert_eq(e.cpu.mmio_opaque, &dev);
	cr_assert_not_null(e.cpu.mmu);
	cr_assert_eq(e.cpu.r[3], 0, "registers do not");
}
