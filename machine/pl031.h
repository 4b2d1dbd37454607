/* pl031.h — the ARM PrimeCell PL031 real-time clock (DDI 0224), Linux's
 * rtc-pl031.c: a 32-bit seconds counter with a match interrupt.
 *
 * The counter is the host's wall-clock time (CLOCK_REALTIME seconds) plus
 * an offset that RTCLR writes set, so it keeps running between accesses
 * and across guest pauses, as a battery-backed clock does. The RTC is
 * started at reset (RTCCR reads 1): there is no firmware here to start it.
 *
 * The match interrupt: the counter is checked against RTCMR on every
 * register access and whenever the board calls pl031_tick(). A match that
 * happens while nobody looks is therefore seen at the next tick: the board
 * should tick about once a second (or sleep until pl031_next_match_ns()).
 *
 * Threads: a mutex protects the state; the interrupt line is driven with
 * it held (the callee must not call back into the RTC). */
#ifndef HSPT_MACHINE_PL031_H
#define HSPT_MACHINE_PL031_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"

#define PL031_SIZE	0x1000

struct pl031 {
	pthread_mutex_t lock;	/* protects everything below */
	struct irq_line irq;
	/* Host wall-clock time in ns. clock_gettime(CLOCK_REALTIME) after
	 * pl031_init(); tests replace it to control time. */
	int64_t (*host_ns)(void);

	int64_t offset;		/* counter = host seconds + offset (mod 2^32) */
	uint32_t checked;	/* counter value the match was last checked at */
	uint32_t mr, lr, imsc, ris;
	bool level;		/* last level driven on irq */
};

/* Reset state: the counter reads the host's time. 0 or -errno. */
int pl031_init(struct pl031 *r, struct irq_line irq);
void pl031_destroy(struct pl031 *r);

/* Check the counter against the match register now (see above). */
void pl031_tick(struct pl031 *r);
/* Host wall-clock time (ns, as host_ns counts) at which the counter next
 * reaches RTCMR, or INT64_MAX if the match interrupt is masked. */
int64_t pl031_next_match_ns(struct pl031 *r);

/* MMIO over PL031_SIZE bytes; opaque is the struct pl031. */
extern const struct mmio_ops pl031_ops;

#endif
