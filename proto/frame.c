/* frame.c — see frame.h.
 *
 * Frames that arrive whole inside one feed are handed back in place, as
 * pointers into the caller's buffer; only the head of a frame that a feed
 * boundary splits is copied, into buf, which therefore never needs to hold
 * more than one frame. */
#include "proto/frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP	4096

void frame_reader_init(struct frame_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max ? max : PROTO_MAX_FRAME;
}

void frame_reader_destroy(struct frame_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int frame_reader_feed(struct frame_reader *r, const void *buf, size_t n)
{
	if (r->in_len)
		return -EBUSY;
	r->in = buf;
	r->in_len = n;
	return 0;
}

/* Append n bytes to the held frame. The caller has checked that the frame
 * stays within max, so growing never goes past it. */
static int hold(struct frame_reader *r, const char *p, size_t n)
{
	size_t need = r->len + n;

	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : FIRST_CAP;
		char *nbuf;

		while (cap < need)
			cap *= 2;
		if (cap > r->max)
			cap = r->max;
		nbuf = realloc(r->buf, cap);
		if (!nbuf)
			return -ENOMEM;
		r->buf = nbuf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len = need;
	return 0;
}

int frame_reader_next(struct frame_reader *r, const char **line, size_t *len)
{
	while (r->in_len) {
		const char *p = r->in;
		const char *nl = memchr(p, '\n', r->in_len);
		size_t seg = nl ? (size_t)(nl - p) : r->in_len;
		int rc = 0;

		r->in += nl ? seg + 1 : seg;
		r->in_len -= nl ? seg + 1 : seg;
		if (r->skipping) {
			r->skipping = !nl;
			continue;
		}

		if (memchr(p, '\0', seg))
			rc = -EBADMSG;
		else if (seg > r->max - r->len)
			rc = -EMSGSIZE;
		else if (r->len || !nl)
			rc = hold(r, p, seg);
		if (rc < 0) {
			/* One report per frame: drop what was held, and the
			 * rest of the frame when its '\n' is still to come. */
			r->len = 0;
			r->skipping = !nl;
			return rc;
		}
		if (!nl)
			continue;

		if (r->len) {
			p = r->buf;
			seg = r->len;
			r->len = 0;	/* buf stays intact until the next call */
		}
		if (seg && p[seg - 1] == '\r')
			seg--;
		if (!seg)
			continue;
		*line = p;
		*len = seg;
		return 1;
	}
	return 0;
}

bool frame_reader_partial(const struct frame_reader *r)
{
	return r->len || r->skipping;
}
