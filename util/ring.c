/* ring.c — see ring.h. */
#include "util/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ring_init(struct ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(cap);
	if (!r->buf)
		return -ENOMEM;
	r->cap = cap;
	return 0;
}

void ring_destroy(struct ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

size_t ring_push(struct ring *r, const uint8_t *data, size_t n)
{
	size_t dropped = 0, tail, first;

	if (n > r->cap) {
		/* Only the newest cap bytes can survive this write. */
		dropped = r->len + (n - r->cap);
		data += n - r->cap;
		n = r->cap;
		r->head = 0;
		r->len = 0;
	} else if (r->len + n > r->cap) {
		size_t drop = r->len + n - r->cap;

		r->head = (r->head + drop) % r->cap;
		r->len -= drop;
		dropped = drop;
	}
	tail = (r->head + r->len) % r->cap;
	first = n < r->cap - tail ? n : r->cap - tail;
	memcpy(r->buf + tail, data, first);
	memcpy(r->buf, data + first, n - first);
	r->len += n;
	r->dropped += dropped;
	return dropped;
}

/* Copy n bytes starting at logical offset off (0 = oldest) into out. */
static void copy_out(const struct ring *r, size_t off, uint8_t *out, size_t n)
{
	size_t start = (r->head + off) % r->cap;
	size_t first = n < r->cap - start ? n : r->cap - start;

	memcpy(out, r->buf + start, first);
	memcpy(out + first, r->buf, n - first);
}

size_t ring_pop(struct ring *r, uint8_t *out, size_t max)
{
	size_t n = max < r->len ? max : r->len;

	if (!n)
		return 0;
	copy_out(r, 0, out, n);
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	return n;
}

size_t ring_peek_tail(const struct ring *r, uint8_t *out, size_t max)
{
	size_t n = max < r->len ? max : r->len;

	if (n)
		copy_out(r, r->len - n, out, n);
	return n;
}
