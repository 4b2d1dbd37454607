/* test_shadow_core.c — physmem, configuration parsing, the VMA model
 * against the kernel's own count, and the fault handler's safety rules. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "shadow/internal.h"
#include "shadow/shadow.h"
#include "tests/lib/ptb.h"

#define RAM_BASE 0x40000000u

/* ---- physmem ---- */

Test(physmem, lookup_and_overlap_rules)
{
	struct physmem pm;
	struct physmem_loc loc;

	cr_assert_eq(physmem_init(&pm), 0);
	cr_assert_eq(physmem_add_ram(&pm, RAM_BASE, 1 << 20), 0);
	cr_assert_eq(physmem_add_ram(&pm, 0x80000000u, 2 << 20), 0);
	cr_assert_eq(physmem_add_mmio(&pm, 0x09000000, 0x1000, 7), 0);
	/* Overlaps, misalignment and empty ranges are refused. */
	cr_assert_eq(physmem_add_ram(&pm, RAM_BASE + 0x1000, 0x1000), -EEXIST);
	cr_assert_eq(physmem_add_mmio(&pm, 0x09000800, 0x1000, 8), -EINVAL);
	cr_assert_eq(physmem_add_mmio(&pm, 0x08fff000, 0x2000, 8), -EEXIST);
	cr_assert_eq(physmem_add_ram(&pm, 0x50000000, 0), -EINVAL);

	loc = physmem_lookup(&pm, 0x80000010);
	cr_assert_eq(loc.kind, PHYSMEM_RAM);
	cr_assert_eq(loc.offset, (1u << 20) + 0x10, "second bank follows the first in the memfd");
	cr_assert_eq(loc.avail, (2u << 20) - 0x10);
	loc = physmem_lookup(&pm, 0x09000004);
	cr_assert_eq(loc.kind, PHYSMEM_MMIO);
	cr_assert_eq(loc.id, 7);
	cr_assert_eq(loc.offset, 4);
	cr_assert_eq(physmem_lookup(&pm, 0x3ffff000).kind, PHYSMEM_NONE);
	cr_assert_eq(physmem_lookup(&pm, 0x40100000).kind, PHYSMEM_NONE, "end is exclusive");

	/* physmem_ptr refuses ranges that leave a bank. */
	cr_assert_not_null(physmem_ptr(&pm, RAM_BASE + 0xff000, 0x1000));
	cr_assert_null(physmem_ptr(&pm, RAM_BASE + 0xff000, 0x1001));
	*(uint32_t *)physmem_ptr(&pm, 0x80000000u, 4) = 0xfeedf00d;
	cr_assert_eq(*(uint32_t *)(pm.host + (1u << 20)), 0xfeedf00d);
	physmem_destroy(&pm);
}

/* ---- configuration ---- */

Test(shadow_config, parse_org)
{
	struct shadow_config c = { 0 };

	cr_assert_eq(shadow_parse_org("soft", &c), 0);
	cr_assert_eq(c.org, SHADOW_ORG_SOFT);
	cr_assert_eq(shadow_parse_org("private", &c), 0);
	cr_assert_eq(c.org, SHADOW_ORG_PRIVATE);
	cr_assert_eq(shadow_parse_org("group:8", &c), 0);
	cr_assert_eq(c.org, SHADOW_ORG_GROUP);
	cr_assert_eq(c.group_size, 8);
	cr_assert_eq(shadow_parse_org("shared", &c), 0);
	cr_assert_eq(c.org, SHADOW_ORG_SHARED);
	const char *bad[] = { "", "group", "group:", "group:0", "group:257", "group:8x",
			      "group:-1", "Private", "soft ", "hspt" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(shadow_parse_org(bad[i], &c), -EINVAL, "\"%s\" accepted", bad[i]);
}

Test(shadow_config, rejects_bad_vm_configs)
{
	struct physmem pm;
	struct shadow_vm *vm = NULL;

	cr_assert_eq(physmem_init(&pm), 0);
	cr_assert_eq(physmem_add_ram(&pm, RAM_BASE, 1 << 20), 0);
	struct shadow_config zero_cpus = { .org = SHADOW_ORG_PRIVATE, .ncpus = 0 };
	struct shadow_config too_many = { .org = SHADOW_ORG_PRIVATE, .ncpus = SHADOW_MAX_CPUS + 1 };
	struct shadow_config group0 = { .org = SHADOW_ORG_GROUP, .ncpus = 1, .group_size = 0 };
	cr_assert_eq(shadow_vm_create(&pm, &zero_cpus, &vm), -EINVAL);
	cr_assert_eq(shadow_vm_create(&pm, &too_many, &vm), -EINVAL);
	cr_assert_eq(shadow_vm_create(&pm, &group0, &vm), -EINVAL);

	/* group:N smaller than the vCPU count is raised: each vCPU needs a slot. */
	struct shadow_config small = { .org = SHADOW_ORG_GROUP, .ncpus = 4, .group_size = 1 };
	cr_assert_eq(shadow_vm_create(&pm, &small, &vm), 0);
	cr_assert_eq(shadow_vm_config(vm)->group_size, 4);
	shadow_vm_destroy(vm);
	physmem_destroy(&pm);
}

/* ---- VMA model: the engine's count must equal the kernel's ---- */

static long kernel_vmas_in(const uint8_t *lo, uint64_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	long n = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < (uintptr_t)lo + len &&
		    b > (uintptr_t)lo)
			n++;
	}
	fclose(f);
	return n;
}

struct model_env {
	struct physmem pm;
	struct shadow_vm *vm;
	struct shadow_cpu *cpu;
	struct gdvas *g;
};

static void model_setup(struct model_env *e)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };

	cr_assert_eq(physmem_init(&e->pm), 0);
	cr_assert_eq(physmem_add_ram(&e->pm, RAM_BASE, 64 << 20), 0);
	cr_assert_eq(shadow_vm_create(&e->pm, &cfg, &e->vm), 0);
	e->cpu = shadow_vm_cpu(e->vm, 0);
	e->g = &e->vm->gdvas[3];	/* any window of slot 0 */
}

/* Random maps and unmaps of runs with random offsets, protections and
 * adjacency: after each step the modelled count of extra VMAs in the window
 * plus the reservation itself must be what /proc/self/maps shows. */
Test(vma_model, matches_kernel_under_random_operations)
{
	struct model_env e;
	unsigned seed = 12345;

	model_setup(&e);
	for (int step = 0; step < 400; step++) {
		uint32_t page = (uint32_t)(rand_r(&seed) % 96);
		uint32_t n = 1 + (uint32_t)(rand_r(&seed) % 8);
		uint32_t va = 0x10000000u + page * 4096;
		int err;

		hlock_lock(&e.g->lock);
		if (rand_r(&seed) % 3) {
			/* Offsets from a small window so neighbours often line up. */
			uint64_t off = (uint64_t)(page + (rand_r(&seed) % 3)) * 4096;
			bool write = rand_r(&seed) % 2;

			err = gdvas_map(e.vm, e.g, va, (uint64_t)n * 4096, off, write, false, 0,
					&e.cpu->stats);
		} else {
			err = gdvas_unmap(e.vm, e.g, va, (uint64_t)n * 4096, &e.cpu->stats);
		}
		hlock_unlock(&e.g->lock);
		cr_assert_eq(err, 0, "step %d", step);
		cr_assert_eq(e.g->vmas + 1, kernel_vmas_in(e.g->base, GDVAS_SPAN),
			     "step %d: model %ld + 1, kernel %ld", step, e.g->vmas,
			     kernel_vmas_in(e.g->base, GDVAS_SPAN));
	}
	cr_assert_eq(gdvas_flush(e.vm, e.g, &e.cpu->stats), 0);
	cr_assert_eq(e.g->vmas, 0);
	cr_assert_eq(kernel_vmas_in(e.g->base, GDVAS_SPAN), 1, "a flush leaves one reservation");
	shadow_vm_destroy(e.vm);
	physmem_destroy(&e.pm);
}

/* ---- the handler tells guest faults from emulator bugs ---- */

struct guest_env {
	struct physmem pm;
	struct ptb b;
	struct shadow_vm *vm;
	struct shadow_cpu *cpu;
};

static void guest_setup(struct guest_env *e)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };

	cr_assert_eq(physmem_init(&e->pm), 0);
	cr_assert_eq(physmem_add_ram(&e->pm, RAM_BASE, 16 << 20), 0);
	cr_assert_eq(ptb_init(&e->b, &e->pm, RAM_BASE, 1 << 20), 0);
	ptb_page(&e->b, e->b.l1, 0x10000000, RAM_BASE + (2 << 20), (struct ptb_attr){ .ap = 3 });
	cr_assert_eq(shadow_vm_create(&e->pm, &cfg, &e->vm), 0);
	e->cpu = shadow_vm_cpu(e->vm, 0);
	cr_assert_eq(shadow_cpu_attach(e->cpu), 0);
	shadow_cpu_set_ttbr0(e->cpu, e->b.l1);
	cr_assert_eq(shadow_cpu_set_dacr(e->cpu, 0x55555555), 0);
	cr_assert_eq(shadow_cpu_set_contextidr(e->cpu, 1), 0);
	cr_assert_eq(shadow_cpu_set_sctlr(e->cpu, SCTLR_M), 0);
}

Test(fault_safety, guest_fault_without_recovery_point_aborts, .signal = SIGABRT)
{
	struct guest_env e;

	guest_setup(&e);
	e.cpu->recover = NULL;
	(void)shadow_ld32(e.cpu, 0x20000000);	/* unmapped: a guest abort */
}

Test(fault_safety, access_to_a_window_not_current_aborts, .signal = SIGABRT)
{
	struct guest_env e;
	sigjmp_buf jb;

	guest_setup(&e);
	e.cpu->recover = &jb;
	if (sigsetjmp(jb, 0))
		cr_assert_fail("a bug must not be reported as a guest fault");
	/* Another ASID's window: no vCPU thread may touch it. */
	(void)*(volatile uint32_t *)(e.vm->slots[7].keys[0].view[1]->base + 0x10000000);
}

Test(fault_safety, guard_gap_access_aborts, .signal = SIGABRT)
{
	struct guest_env e;

	guest_setup(&e);
	(void)*(volatile uint32_t *)(e.cpu->view[1]->base + GDVAS_SPAN + 16);
}

Test(fault_safety, foreign_segfault_is_not_swallowed, .signal = SIGSEGV)
{
	struct guest_env e;
	volatile uint32_t *p;

	guest_setup(&e);
	p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	(void)*p;	/* a real bug outside any window: must crash as usual */
}

Test(fault_safety, guest_fault_recovers_and_thread_keeps_working)
{
	struct guest_env e;
	sigjmp_buf jb;
	volatile int faults = 0;

	guest_setup(&e);
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + (2 << 20), 4) = 0x600dcafe;
	e.cpu->recover = &jb;
	for (int i = 0; i < 1000; i++) {
		if (sigsetjmp(jb, 0)) {
			faults++;
			continue;
		}
		(void)shadow_ld32(e.cpu, 0x20000000);
	}
	cr_assert_eq(faults, 1000, "every access to an unmapped page aborts");
	cr_assert_eq(e.cpu->fault.kind, SHADOW_FAULT_ABORT);
	cr_assert_eq(e.cpu->fault.fs, FS_TRANS_SECTION);
	cr_assert_eq(e.cpu->stats.faults_translation, 1000);
	cr_assert_eq(shadow_ld32(e.cpu, 0x10000000), 0x600dcafe, "the handler still works");
	shadow_vm_destroy(e.vm);
	physmem_destroy(&e.pm);
}

/* ---- GS base: both ways of setting it ---- */

static void gs_roundtrip(void)
{
	struct guest_env e;
	sigjmp_buf jb;

	guest_setup(&e);
	ptb_section(&e.b, e.b.l1, 0xc0000000, RAM_BASE + (4 << 20), (struct ptb_attr){ .ap = 1 });
	*(uint32_t *)physmem_ptr(&e.pm, RAM_BASE + (4 << 20), 4) = 0x1234abcd;
	e.cpu->recover = &jb;
	if (sigsetjmp(jb, 0))
		cr_assert_fail("unexpected fault kind %d fs %#x", e.cpu->fault.kind, e.cpu->fault.fs);
	cr_assert_eq(shadow_ld32(e.cpu, 0xc0000000), 0x1234abcd);
	/* PL0 may not read a PL1-only section: the switch really changed GS. */
	shadow_cpu_set_pl(e.cpu, 0);
	if (sigsetjmp(jb, 0)) {
		cr_assert_eq(e.cpu->fault.fs, FS_PERM_SECTION);
		shadow_cpu_set_pl(e.cpu, 1);
		cr_assert_eq(shadow_ld32(e.cpu, 0xc0000000), 0x1234abcd);
		return;
	}
	(void)shadow_ld32(e.cpu, 0xc0000000);
	cr_assert_fail("PL0 read a PL1-only page");
}

Test(gsbase, wrgsbase_or_default)
{
	gs_roundtrip();
}

Test(gsbase, arch_prctl_path)
{
	setenv("HSPT_NO_WRGSBASE", "1", 1);
	gs_roundtrip();
	cr_assert_not(gsbase_fast(), "the override must force arch_prctl");
}
