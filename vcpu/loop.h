/* loop.h — the vCPU's system-level run loop. */
#ifndef HSPT_VCPU_LOOP_H
#define HSPT_VCPU_LOOP_H

#include "vcpu/vcpu.h"

/* Run until `budget` instructions have retired or exceptions been taken: deliver IRQ/FIQ from v->irq_line and
 * v->fiq_line, take the exceptions instructions raise (with their fault
 * registers), emulate device accesses through cpu->mmio. Returns
 * ARM_EXIT_WFI/WFE when the vCPU waits with nothing pending,
 * ARM_EXIT_KICK when another thread called arm_cpu_kick(),
 * ARM_EXIT_SYSREG with v->fatal set when the shadow engine failed, or
 * ARM_EXIT_LIMIT. */
enum arm_exit vcpu_run(struct vcpu *v, uint64_t budget);

#endif
