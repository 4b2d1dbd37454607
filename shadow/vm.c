/* vm.c — creating and tearing down a VM's shadow state, binding vCPUs to
 * threads, and the engine's read-only services (translate, info, stats). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shadow/internal.h"
#include "util/log.h"

static const char *const org_names[] = {
	[SHADOW_ORG_SOFT] = "soft",
	[SHADOW_ORG_SHARED] = "shared",
	[SHADOW_ORG_PRIVATE] = "private",
	[SHADOW_ORG_GROUP] = "group",
};

const char *shadow_org_name(enum shadow_org org)
{
	return (unsigned)org < sizeof(org_names) / sizeof(org_names[0]) ? org_names[org] : "?";
}

int shadow_parse_org(const char *s, struct shadow_config *cfg)
{
	char *end;
	unsigned long n;

	for (unsigned o = SHADOW_ORG_SOFT; o <= SHADOW_ORG_PRIVATE; o++)
		if (strcmp(s, org_names[o]) == 0) {
			cfg->org = o;
			cfg->group_size = 0;
			return 0;
		}
	if (strncmp(s, "group:", 6) != 0)
		return -EINVAL;
	errno = 0;
	n = strtoul(s + 6, &end, 10);
	if (errno || end == s + 6 || *end || n == 0 || n > SHADOW_NUM_ASIDS)
		return -EINVAL;
	cfg->org = SHADOW_ORG_GROUP;
	cfg->group_size = (unsigned)n;
	return 0;
}

/* Count this process's VMAs (lines of /proc/self/maps) with plain read(2). */
static long count_process_vmas(void)
{
	char buf[65536];
	long lines = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

static long read_max_map_count(void)
{
	long v = 65530;	/* the kernel's default, if /proc says nothing */
	FILE *f = fopen("/proc/sys/vm/max_map_count", "re");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

/* The shadow's share of vm.max_map_count: what is left after the process's
 * own mappings and a reserve for what it will still map (thread stacks,
 * malloc arenas, devices), so the host can never refuse the emulator
 * itself a mapping because the shadow took them all. */
static int compute_budget(struct shadow_vm *vm)
{
	long max = read_max_map_count(), used = count_process_vmas(), reserve, limit;

	if (used < 0)
		return (int)used;
	/* The limit is for the shadow VMAs of the whole process (other VMs'
	 * included), so those are not "used" by the rest of the process. */
	used -= gdvas_process_vmas();
	reserve = max / 16 > 1024 ? max / 16 : 1024;
	limit = max - used - reserve;
	if (vm->cfg.vma_limit && (long)vm->cfg.vma_limit < limit)
		limit = (long)vm->cfg.vma_limit;
	if (limit < 256) {
		log_error("shadow: vm.max_map_count %ld leaves only %ld VMAs for the shadow", max, limit);
		return -ENOMEM;
	}
	vm->vma_limit = limit;
	return 0;
}

static int create_cpus(struct shadow_vm *vm)
{
	for (unsigned i = 0; i < vm->cfg.ncpus; i++) {
		struct shadow_cpu *cpu = calloc(1, sizeof(*cpu));
		int err;

		if (!cpu)
			return -ENOMEM;
		vm->cpus[i] = cpu;
		cpu->vm = vm;
		cpu->index = i;
		cpu->soft = vm->cfg.org == SHADOW_ORG_SOFT;
		cpu->pl = 1;	/* reset is in SVC mode */
		cpu->soft_large_lo = UINT32_MAX;
		if (cpu->soft) {
			err = soft_init(cpu);
		} else {
			err = spt_bind(cpu);
		}
		if (err)
			return err;
	}
	return 0;
}

static int check_config(struct shadow_config *cfg)
{
	if (cfg->ncpus < 1 || cfg->ncpus > SHADOW_MAX_CPUS)
		return -EINVAL;
	if (cfg->org > SHADOW_ORG_GROUP)
		return -EINVAL;
	if (cfg->org == SHADOW_ORG_GROUP) {
		if (cfg->group_size < 1 || cfg->group_size > SHADOW_NUM_ASIDS)
			return -EINVAL;
		/* Every vCPU must be able to hold a slot at once. */
		if (cfg->group_size < cfg->ncpus) {
			log_info("shadow: group:%u raised to group:%u (one SPT per vCPU at least)",
				 cfg->group_size, cfg->ncpus);
			cfg->group_size = cfg->ncpus;
		}
	}
	return 0;
}

int shadow_vm_create(struct physmem *pm, const struct shadow_config *cfg,
		     struct shadow_vm **out)
{
	struct shadow_vm *vm;
	int err;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->pm = pm;
	vm->cfg = *cfg;
	pthread_mutex_init(&vm->lock, NULL);
	err = check_config(&vm->cfg);
	if (err)
		goto err_free;
	err = compute_budget(vm);
	if (err)
		goto err_free;
	if (vm->cfg.org != SHADOW_ORG_SOFT) {
		vm->nslots = vm->cfg.org == SHADOW_ORG_PRIVATE ? SHADOW_NUM_ASIDS :
			     vm->cfg.org == SHADOW_ORG_SHARED  ? vm->cfg.ncpus :
								  vm->cfg.group_size;
		/* One DACR key per vCPU guarantees a free key when a vCPU
		 * switches; two keep Linux's PAN pair resident on one vCPU. */
		vm->nkeys = vm->cfg.ncpus > 2 ? vm->cfg.ncpus : 2;
		vm->ngdvas = vm->nslots * vm->nkeys * 2 + 1;
		gsbase_init();
		err = gdvas_arena_init(vm);
		if (!err)
			err = spt_init(vm);
		if (!err)
			err = fault_install();
		if (err)
			goto err_destroy;
	}
	err = create_cpus(vm);
	if (err)
		goto err_destroy;
	*out = vm;
	return 0;

err_destroy:
	shadow_vm_destroy(vm);
	return err;
err_free:
	pthread_mutex_destroy(&vm->lock);
	free(vm);
	return err;
}

void shadow_vm_destroy(struct shadow_vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < SHADOW_MAX_CPUS; i++) {
		struct shadow_cpu *cpu = vm->cpus[i];

		if (!cpu)
			continue;
		if (shadow_self == cpu)
			shadow_cpu_detach(cpu);
		if (cpu->soft)
			soft_destroy(cpu);
		free(cpu);
	}
	spt_destroy(vm);
	gdvas_arena_destroy(vm);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

struct shadow_cpu *shadow_vm_cpu(struct shadow_vm *vm, unsigned index)
{
	return index < vm->cfg.ncpus ? vm->cpus[index] : NULL;
}

const struct shadow_config *shadow_vm_config(const struct shadow_vm *vm)
{
	return &vm->cfg;
}

struct physmem *shadow_vm_physmem(const struct shadow_vm *vm)
{
	return vm->pm;
}

void shadow_vm_set_kick(struct shadow_vm *vm, void (*kick)(void *opaque, unsigned cpu),
			void *opaque)
{
	vm->kick = kick;
	vm->kick_opaque = opaque;
}

int shadow_cpu_attach(struct shadow_cpu *cpu)
{
	if (shadow_self && shadow_self != cpu)
		return -EBUSY;
	shadow_self = cpu;
	if (!cpu->soft) {
		cpu->gs_base = (uintptr_t)cpu->view_base[cpu->pl];
		gsbase_set(cpu->gs_base);
	}
	return 0;
}

void shadow_cpu_detach(struct shadow_cpu *cpu)
{
	if (shadow_self != cpu)
		return;
	shadow_self = NULL;
	if (!cpu->soft)
		gsbase_set(0);
}

void shadow_vm_info(struct shadow_vm *vm, struct shadow_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->org = vm->cfg.org;
	info->slots = vm->nslots;
	info->gdvas_total = vm->ngdvas;
	for (unsigned i = 0; i < vm->ngdvas; i++)
		info->gdvas_mapped += __atomic_load_n(&vm->gdvas[i].mapped, __ATOMIC_RELAXED) != 0;
	info->vma_limit = (unsigned long)vm->vma_limit;
	info->vmas = __atomic_load_n(&vm->vmas, __ATOMIC_RELAXED);
	info->arena_bytes = vm->arena_size;
}

void shadow_vm_stats(struct shadow_vm *vm, struct shadow_stats *total)
{
	memset(total, 0, sizeof(*total));
	for (unsigned i = 0; i < vm->cfg.ncpus; i++)
		shadow_stats_accumulate(total, &vm->cpus[i]->stats);
}

void shadow_fault_from_walk(struct shadow_cpu *cpu, struct shadow_fault *f, uint32_t va,
			    enum walk_access acc, unsigned fs, unsigned domain)
{
	*f = (struct shadow_fault){
		.kind = SHADOW_FAULT_ABORT,
		.va = va,
		.write = acc == WALK_WRITE,
		.exec = acc == WALK_EXEC,
		.fs = fs,
		.domain = domain,
		.fsr = acc == WALK_EXEC ? walk_ifsr(fs) : walk_dfsr(fs, domain, acc == WALK_WRITE),
	};
}

bool shadow_fault_from_pa(const struct physmem *pm, struct shadow_fault *f, uint64_t pa,
			  uint32_t va, enum walk_access acc)
{
	struct physmem_loc loc = physmem_lookup(pm, pa);

	if (loc.kind == PHYSMEM_RAM)
		return false;
	*f = (struct shadow_fault){
		.kind = loc.kind == PHYSMEM_MMIO ? SHADOW_FAULT_MMIO : SHADOW_FAULT_UNASSIGNED,
		.va = va,
		.write = acc == WALK_WRITE,
		.exec = acc == WALK_EXEC,
		.gpa = pa,
		.mmio_id = loc.id,
		.mmio_offset = loc.offset,
	};
	return true;
}

void shadow_count_fault(struct shadow_stats *st, const struct shadow_fault *f)
{
	if (f->kind != SHADOW_FAULT_ABORT) {
		STAT_INC(st, faults_mmio);
		return;
	}
	switch (f->fs) {
	case FS_ACCESS_SECTION:
	case FS_ACCESS_PAGE:
		STAT_INC(st, faults_access_flag);
		break;
	case FS_DOMAIN_SECTION:
	case FS_DOMAIN_PAGE:
		STAT_INC(st, faults_domain);
		break;
	case FS_PERM_SECTION:
	case FS_PERM_PAGE:
		STAT_INC(st, faults_permission);
		break;
	default:
		STAT_INC(st, faults_translation);
		break;
	}
}

int shadow_translate(struct shadow_cpu *cpu, uint32_t va, enum walk_access acc,
		     unsigned pl, struct walk_result *res, struct shadow_fault *fault)
{
	unsigned fs = walk_translate(&cpu->regs, cpu->vm->pm, va, res);

	if (!fs)
		fs = walk_check(&cpu->regs, res, pl, acc);
	if (fs) {
		shadow_fault_from_walk(cpu, fault, va, acc, fs, res->domain);
		return -EFAULT;
	}
	if (shadow_fault_from_pa(cpu->vm->pm, fault, res->pa, va, acc))
		return -EFAULT;
	fault->kind = SHADOW_FAULT_NONE;
	return 0;
}
