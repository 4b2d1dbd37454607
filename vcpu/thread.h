/* thread.h — the host thread of one vCPU (shared/DESIGN.md §4): its run
 * loop, its eventfd, and the request bits through which other threads
 * reach it.
 *
 * Anything that must reach the vCPU (an interrupt line raised, a TLB
 * shootdown, pause, stop, power-on) sets state or a request bit, then
 * calls vcpu_thread_kick(): a running vCPU leaves arm_run() within
 * POLL_INTERVAL instructions, a sleeping one (WFI, paused, powered off)
 * is woken through its eventfd.
 *
 * Power: a vCPU is created off. vcpu_thread_power_on() starts it at an
 * entry point (the boot CPU at the kernel, secondaries through PSCI
 * CPU_ON); the guest powers itself off through its firmware (the ops'
 * `firmware` hook returns VCPU_FW_OFF). A powered-off vCPU's thread sleeps.
 *
 * WFI sleeps in ppoll() on the eventfd with the generic timer's next
 * deadline as timeout, outside the guest for the shadow engine (so IS TLB
 * operations do not wait for it). WFE sleeps the same way until the event
 * register is set (another vCPU's SEV: vcpu_thread_event) or a line is
 * asserted, at most WFE_MAX_SLEEP_NS: Linux waits in WFE for spin locks
 * (unlock sends SEV) and parks stopped CPUs in a WFE loop, and with more
 * vCPUs than host CPUs a spinning vCPU must give its host CPU to the lock
 * holder. */
#ifndef HSPT_VCPU_THREAD_H
#define HSPT_VCPU_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vcpu/vcpu.h"

/* Request bits (struct vcpu_thread.req). */
#define VCPU_REQ_STOP  (1u << 0)	/* leave the thread for good */
#define VCPU_REQ_PAUSE (1u << 1)	/* sleep until the bit is cleared */

/* Return values of the firmware hook besides 0 and -errno. */
#define VCPU_FW_OFF   1		/* power this vCPU off (PSCI CPU_OFF) */
#define VCPU_FW_STOP  2		/* stop the whole VM (SYSTEM_OFF/RESET) */

enum vcpu_power { VCPU_POWER_OFF, VCPU_POWER_ON_PENDING, VCPU_POWER_ON };

struct vcpu_thread;

/* What the board provides to its vCPU threads. Called on the vCPU's own
 * thread. */
struct vcpu_thread_ops {
	/* HVC or SMC (exit says which) with r[15] on the instruction: 0 when
	 * the call was emulated (registers set; the thread moves past it),
	 * -ENOSYS to make it UNDEFINED, VCPU_FW_OFF, VCPU_FW_STOP, or
	 * another -errno to stop the VM with an error. */
	int (*firmware)(void *opaque, struct vcpu_thread *t, enum arm_exit exit);
	/* The guest executed SEV: signal the event to the other vCPUs
	 * (vcpu_thread_event); may be NULL on a uniprocessor. */
	void (*sev)(void *opaque, struct vcpu_thread *t);
	/* The vCPU thread is about to end: `err` is 0 after a stop request
	 * or VCPU_FW_STOP, else the -errno that killed it (shadow engine,
	 * firmware, thread set-up). */
	void (*ended)(void *opaque, struct vcpu_thread *t, int err);
	/* Attach per-thread state before the vCPU first runs (the device
	 * dispatch table, for instance); may be NULL. 0 or -errno. */
	int (*thread_init)(void *opaque, struct vcpu_thread *t);
};

/* Where a powered-on vCPU starts: PSCI's entry point (bit 0 selects Thumb)
 * and context (r0), or the Linux boot protocol's r0-r2. */
struct vcpu_entry {
	uint32_t pc;
	uint32_t r0, r1, r2;
};

/* What a sleeping vCPU thread waits for, so that a waker can tell whether
 * it needs the eventfd. Ordered: a waker of level L wakes sleepers >= L. */
enum vcpu_sleep {
	VCPU_AWAKE,
	VCPU_SLEEP,		/* WFI, paused, off: interrupts and requests */
	VCPU_SLEEP_WFE,		/* WFE: events (SEV) too */
};

struct vcpu_thread {
	struct vcpu vcpu;
	int efd;			/* eventfd: wakes the thread when it sleeps */
	uint32_t req;			/* atomic: VCPU_REQ_* */
	enum vcpu_sleep sleeping;	/* atomic: in ppoll, needs the eventfd */

	pthread_mutex_t power_lock;	/* protects power, entry, running, ended */
	pthread_cond_t cond;		/* signals running and ended changes */
	enum vcpu_power power;
	struct vcpu_entry entry;
	bool running;			/* in the guest (not paused, not off) */
	bool ended;			/* the thread has returned */

	const struct vcpu_thread_ops *ops;
	void *opaque;
	pthread_t tid;
	bool started;
	uint64_t slice;			/* instructions per vcpu_run call */
	uint64_t sleeps;		/* atomic: WFI sleeps, for statistics */
	uint64_t wakeups;		/* atomic: eventfd wake-ups sent to it */
};

/* Set up vCPU `index` over its shadow vCPU, powered off. 0 or -errno (the
 * eventfd). */
int vcpu_thread_init(struct vcpu_thread *t, unsigned index, struct shadow_cpu *mmu,
		     const struct vcpu_thread_ops *ops, void *opaque);
/* Free what init took; the thread must have ended (vcpu_thread_join). */
void vcpu_thread_destroy(struct vcpu_thread *t);

/* Create the host thread. 0 or -errno. */
int vcpu_thread_start(struct vcpu_thread *t);
/* Ask the thread to end (VCPU_REQ_STOP) and wait for it. */
void vcpu_thread_stop(struct vcpu_thread *t);

/* Make the thread look at its requests and interrupt lines soon. Any
 * thread; cheap when the vCPU is running. */
void vcpu_thread_kick(struct vcpu_thread *t);
void vcpu_thread_request(struct vcpu_thread *t, uint32_t bits);
void vcpu_thread_clear(struct vcpu_thread *t, uint32_t bits);
/* Wait until the vCPU has stopped running guest code after a
 * VCPU_REQ_PAUSE (or has ended). */
void vcpu_thread_wait_paused(struct vcpu_thread *t);

/* Power the vCPU on at `e` (reset state, then the entry registers). 0,
 * -EALREADY if it is on, -EINPROGRESS if a power-on is pending. */
int vcpu_thread_power_on(struct vcpu_thread *t, const struct vcpu_entry *e);
enum vcpu_power vcpu_thread_power(struct vcpu_thread *t);

/* Set the vCPU's event register (an SEV elsewhere) and wake it if it
 * sleeps in WFE. Any thread. */
void vcpu_thread_event(struct vcpu_thread *t);

/* Drive the vCPU's IRQ or FIQ input (ARM_LINE_IRQ/FIQ). Any thread. */
void vcpu_thread_set_line(struct vcpu_thread *t, uint8_t line, bool level);

#endif
