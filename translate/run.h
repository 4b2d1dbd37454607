/* run.h — the instruction loop: fetch, decode, execute.
 *
 * Used by the vCPU thread (vcpu/) and by the user-mode test harness. It
 * owns the MMU recover point, so guest faults during an instruction end up
 * here as exits, never as crashes. */
#ifndef HSPT_TRANSLATE_RUN_H
#define HSPT_TRANSLATE_RUN_H

#include "translate/cpu.h"

/* Run from cpu->r[15] until an exit or until max_insns instructions have
 * retired (ARM_EXIT_LIMIT). On a synchronous exit (UNDEF, SVC, BKPT, data
 * or prefetch abort, MMIO) r[15] is the address of the instruction that
 * caused it and next_pc the address after it; nothing of that instruction
 * has been committed (except stores already done: contract rule 2). On
 * WFI/WFE/YIELD/SYSREG the instruction has completed and r[15] is the next
 * one. Exits are returned, never taken: see arm_take_exception(). */
enum arm_exit arm_run(struct arm_cpu *cpu, uint64_t max_insns);

/* After ARM_EXIT_MMIO: execute that one instruction again with its data
 * accesses going to the device (cpu->mmio). Returns ARM_EXIT_NONE when it
 * completed (r[15] is then the next instruction), or the exit it raised
 * (a data abort if the device refused the access, an exit of the
 * instruction itself). */
enum arm_exit arm_emulate_mmio(struct arm_cpu *cpu);

/* Release the run loop's caches (when the vCPU goes away). */
void arm_run_free(struct arm_cpu *cpu);

/* Forget cached translations and decoded code for this vCPU (called after
 * TLB maintenance, ASID/MMU changes, instruction-cache invalidation). */
void arm_run_flush(struct arm_cpu *cpu);

#endif
