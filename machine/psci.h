/* psci.h — the Power State Coordination Interface (ARM DEN 0022, PSCI
 * 1.0, 32-bit calling convention) as the board's firmware: the guest's
 * HVC or SMC (whichever the device tree names) lands here with the
 * function ID in r0 and arguments in r1-r3; the result goes in r0.
 *
 * Implemented: PSCI_VERSION (1.0), CPU_SUSPEND (standby only: returns at
 * once, as an early wake-up may), CPU_OFF, CPU_ON, AFFINITY_INFO (level
 * 0), MIGRATE_INFO_TYPE (2: no Trusted OS), SYSTEM_OFF, SYSTEM_RESET,
 * PSCI_FEATURES. Everything else answers NOT_SUPPORTED. */
#ifndef HSPT_MACHINE_PSCI_H
#define HSPT_MACHINE_PSCI_H

#include <stdint.h>

#include "vcpu/thread.h"

#define PSCI_FN_VERSION         0x84000000u
#define PSCI_FN_CPU_SUSPEND     0x84000001u
#define PSCI_FN_CPU_OFF         0x84000002u
#define PSCI_FN_CPU_ON          0x84000003u
#define PSCI_FN_AFFINITY_INFO   0x84000004u
#define PSCI_FN_MIGRATE         0x84000005u
#define PSCI_FN_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_FN_SYSTEM_OFF      0x84000008u
#define PSCI_FN_SYSTEM_RESET    0x84000009u
#define PSCI_FN_FEATURES        0x8400000au

#define PSCI_SUCCESS            0
#define PSCI_NOT_SUPPORTED      (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED             (-3)
#define PSCI_ALREADY_ON         (-4)
#define PSCI_ON_PENDING         (-5)
#define PSCI_INTERNAL_FAILURE   (-6)

#define PSCI_VERSION_1_0        0x00010000u

/* Why the guest asked the machine to stop. */
enum psci_system_event { PSCI_EVENT_NONE, PSCI_EVENT_OFF, PSCI_EVENT_RESET };

struct psci {
	struct vcpu_thread *cpus;	/* the board's vCPUs, index = Aff0 */
	unsigned ncpus;
	enum arm_exit conduit;		/* ARM_EXIT_HVC or ARM_EXIT_SMC */
	/* SYSTEM_OFF or SYSTEM_RESET: the board stops the VM. Called on the
	 * calling vCPU's thread. */
	void (*system_event)(void *opaque, enum psci_system_event ev);
	void *opaque;
};

/* The firmware hook of struct vcpu_thread_ops: handle the call on vCPU t
 * (a return value for that hook: 0, -ENOSYS for a call through the other
 * conduit, VCPU_FW_OFF or VCPU_FW_STOP). */
int psci_call(struct psci *p, struct vcpu_thread *t, enum arm_exit exit);

#endif
