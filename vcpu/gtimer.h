/* gtimer.h — the ARM generic timer of one vCPU (ARM ARM B8): the physical
 * and virtual count, backed by the host's monotonic clock, and the two
 * timers (physical, virtual) whose conditions drive PPIs on the board.
 *
 * There is no Hyp mode, so CNTVOFF is 0 and CNTVCT == CNTPCT. The count
 * runs at CNTFRQ = 62.5 MHz (one tick per 16 ns, as on QEMU's virt). */
#ifndef HSPT_VCPU_GTIMER_H
#define HSPT_VCPU_GTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define GTIMER_FREQ 62500000u
#define GTIMER_NS_PER_TICK 16u

enum gtimer_which { GTIMER_PHYS, GTIMER_VIRT, GTIMER_COUNT };

#define CNT_CTL_ENABLE  (1u << 0)
#define CNT_CTL_IMASK   (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

struct gtimer {
	uint64_t cval[GTIMER_COUNT];
	uint32_t ctl[GTIMER_COUNT];	/* ENABLE and IMASK; ISTATUS computed */
	uint32_t cntkctl;
	uint64_t epoch_ns;		/* host time at which the count was 0 */
	/* Tell the board the timer's interrupt output changed level. */
	void (*irq)(void *opaque, enum gtimer_which which, bool level);
	void *opaque;
	bool level[GTIMER_COUNT];	/* last level reported */
};

void gtimer_init(struct gtimer *t, uint64_t epoch_ns);
uint64_t gtimer_now_ns(void);
uint64_t gtimer_count(const struct gtimer *t);

uint32_t gtimer_read_ctl(const struct gtimer *t, enum gtimer_which w);
void gtimer_write_ctl(struct gtimer *t, enum gtimer_which w, uint32_t v);
uint64_t gtimer_read_cval(const struct gtimer *t, enum gtimer_which w);
void gtimer_write_cval(struct gtimer *t, enum gtimer_which w, uint64_t v);
/* TVAL is the signed 32-bit distance CVAL - count. */
uint32_t gtimer_read_tval(const struct gtimer *t, enum gtimer_which w);
void gtimer_write_tval(struct gtimer *t, enum gtimer_which w, uint32_t v);

/* Re-evaluate both timers' outputs now (call when the count may have
 * passed a compare value: on a timeout, before sleeping, at block
 * boundaries). Reports changes through t->irq. */
void gtimer_update(struct gtimer *t);
/* Host time (CLOCK_MONOTONIC ns) at which an output next rises, or
 * UINT64_MAX if none will: the deadline a sleeping vCPU waits for. */
uint64_t gtimer_next_deadline_ns(const struct gtimer *t);

#endif
