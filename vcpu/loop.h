/* loop.h — the vCPU's system-level run loop. */
#ifndef HSPT_VCPU_LOOP_H
#define HSPT_VCPU_LOOP_H

#include "vcpu/vcpu.h"

/* Run until `budget` instructions have retired or exceptions been taken:
 * deliver IRQ/FIQ from the CPU's input lines (arm_cpu_set_line), take the
 * exceptions instructions raise (with their fault registers), emulate
 * device accesses through cpu->mmio. Returns
 * ARM_EXIT_WFI/WFE when the vCPU waits with no line asserted,
 * ARM_EXIT_KICK when another thread called arm_cpu_kick(),
 * ARM_EXIT_HVC/SMC with r[15] on the instruction (next_pc after it) for
 * the caller's firmware, which either emulates the call and sets r[15] to
 * next_pc, or makes it UNDEFINED with vcpu_take_exit_exception(),
 * ARM_EXIT_SYSREG with v->fatal set when the shadow engine failed, or
 * ARM_EXIT_LIMIT. */
enum arm_exit vcpu_run(struct vcpu *v, uint64_t budget);

#endif
