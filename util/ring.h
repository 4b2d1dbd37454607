/* ring.h — a fixed-size byte ring that keeps the newest bytes: the guest
 * console's transfer buffer in a worker and its scrollback in the daemon.
 *
 * Writing never blocks and never fails: when the ring is full the oldest
 * bytes make room and are counted as dropped, because a guest's vCPU must
 * never wait for a slow reader. Not thread-safe: the owner locks. */
#ifndef HSPT_UTIL_RING_H
#define HSPT_UTIL_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t cap;		/* bytes */
	size_t head;		/* index of the oldest byte */
	size_t len;		/* bytes held */
	uint64_t dropped;	/* oldest bytes overwritten, ever */
};

/* An empty ring of cap bytes (> 0). 0 or -ENOMEM. */
int ring_init(struct ring *r, size_t cap);
void ring_destroy(struct ring *r);

/* Append n bytes, dropping the oldest as needed (only the last cap bytes
 * of a larger write are kept). Returns how many old bytes were dropped. */
size_t ring_push(struct ring *r, const uint8_t *data, size_t n);

/* Remove up to max of the oldest bytes into out; returns how many. */
size_t ring_pop(struct ring *r, uint8_t *out, size_t max);

/* Copy the newest min(max, len) bytes into out, oldest first, leaving the
 * ring unchanged; returns how many. */
size_t ring_peek_tail(const struct ring *r, uint8_t *out, size_t max);

#endif
