/* psci.c — PSCI 1.0 firmware calls (see psci.h). */
#include "machine/psci.h"

#include <errno.h>

#include "util/log.h"

/* MPIDR affinity -> vCPU index. The board's MPIDRs are 0x80000000 | n:
 * Aff0 = n, higher levels 0. -1 when no such vCPU. */
static int target_index(const struct psci *p, uint32_t affinity)
{
	if (affinity & 0xffffff00u)
		return -1;
	return affinity < p->ncpus ? (int)affinity : -1;
}

static int32_t cpu_on(struct psci *p, uint32_t target, uint32_t entry, uint32_t context)
{
	struct vcpu_entry e = { .pc = entry, .r0 = context };
	int i = target_index(p, target);

	if (i < 0)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_thread_power_on(&p->cpus[i], &e)) {
	case 0:
		return PSCI_SUCCESS;
	case -EALREADY:
		return PSCI_ALREADY_ON;
	case -EINPROGRESS:
		return PSCI_ON_PENDING;
	default:
		return PSCI_INTERNAL_FAILURE;
	}
}

static int32_t affinity_info(struct psci *p, uint32_t target, uint32_t level)
{
	int i = target_index(p, target);

	if (i < 0 || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_thread_power(&p->cpus[i])) {
	case VCPU_POWER_ON:
		return 0;
	case VCPU_POWER_ON_PENDING:
		return 2;
	default:
		return 1;
	}
}

static int32_t features(uint32_t fn)
{
	switch (fn) {
	case PSCI_FN_VERSION:
	case PSCI_FN_CPU_SUSPEND:	/* flags 0: original StateID format */
	case PSCI_FN_CPU_OFF:
	case PSCI_FN_CPU_ON:
	case PSCI_FN_AFFINITY_INFO:
	case PSCI_FN_MIGRATE_INFO_TYPE:
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_FEATURES:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

int psci_call(struct psci *p, struct vcpu_thread *t, enum arm_exit exit)
{
	uint32_t *r = t->vcpu.cpu.r;
	int32_t ret;

	/* Only the conduit the device tree names is firmware; the other
	 * instruction stays UNDEFINED, as on hardware without that EL. */
	if (exit != p->conduit)
		return -ENOSYS;
	switch (r[0]) {
	case PSCI_FN_VERSION:
		ret = (int32_t)PSCI_VERSION_1_0;
		break;
	case PSCI_FN_CPU_SUSPEND:
		ret = PSCI_SUCCESS;
		break;
	case PSCI_FN_CPU_OFF:
		return VCPU_FW_OFF;
	case PSCI_FN_CPU_ON:
		ret = cpu_on(p, r[1], r[2], r[3]);
		break;
	case PSCI_FN_AFFINITY_INFO:
		ret = affinity_info(p, r[1], r[2]);
		break;
	case PSCI_FN_MIGRATE_INFO_TYPE:
		ret = 2;
		break;
	case PSCI_FN_SYSTEM_OFF:
		p->system_event(p->opaque, PSCI_EVENT_OFF);
		return VCPU_FW_STOP;
	case PSCI_FN_SYSTEM_RESET:
		p->system_event(p->opaque, PSCI_EVENT_RESET);
		return VCPU_FW_STOP;
	case PSCI_FN_FEATURES:
		ret = features(r[1]);
		break;
	default:
		log_debug("vcpu%u: PSCI function %#x not supported", t->vcpu.index, r[0]);
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	r[0] = (uint32_t)ret;
	return 0;
}
