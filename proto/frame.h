/* frame.h — newline-delimited framing for the control protocol.
 *
 * A frame is the bytes between two '\n'. The reader is fed whatever a
 * socket read returned and hands back complete frames, without the '\n'
 * and without a '\r' just before it. Empty frames (blank lines, a lone
 * "\r") are skipped.
 *
 * The reader never holds more than max bytes of a frame: the limit counts
 * every byte before the '\n', a '\r' included. A frame that grows past it
 * is reported once, as soon as the limit is crossed, and the reader then
 * drops everything up to the next '\n' and carries on with the frame after
 * it. A frame containing a NUL byte (never valid JSON) is reported the same
 * way. So a hostile peer costs at most max bytes of memory and one error
 * per bad frame.
 *
 * Usage, from a read callback:
 *
 *	frame_reader_feed(&r, buf, n);
 *	while ((rc = frame_reader_next(&r, &line, &len)) != 0)
 *		rc > 0 ? handle(line, len) : answer_error(rc);
 *
 * Not thread-safe: one reader belongs to one connection and one thread. */
#ifndef HSPT_PROTO_FRAME_H
#define HSPT_PROTO_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#define PROTO_MAX_FRAME	(1u << 20)	/* default bound on a frame: 1 MiB */

struct frame_reader {
	size_t max;		/* longest frame accepted, '\n' excluded */
	char *buf;		/* the start of a frame split across feeds */
	size_t len, cap;	/* cap <= max, always */
	const char *in;		/* fed bytes not yet scanned (the caller's) */
	size_t in_len;
	bool skipping;		/* in a reported frame: drop up to the '\n' */
};

/* Set up an empty reader for frames of at most max bytes (0: the default,
 * PROTO_MAX_FRAME). Allocates nothing until a frame spans two feeds. */
void frame_reader_init(struct frame_reader *r, size_t max);

/* Free what the reader holds; it may be initialised again afterwards. */
void frame_reader_destroy(struct frame_reader *r);

/* Hand the reader n bytes. They are not copied: buf must stay valid and
 * unchanged until frame_reader_next() has returned 0. 0, or -EBUSY when
 * the previous input has not been drained yet (it is kept; buf is not). */
int frame_reader_feed(struct frame_reader *r, const void *buf, size_t n);

/* The next event in the input fed so far:
 *   1          a frame: *line, *len (not NUL-terminated, non-empty, no NUL
 *              byte), valid until the next call on r;
 *   0          the input is used up; feed more;
 *   -EMSGSIZE  a frame longer than the limit (reported once per frame);
 *   -EBADMSG   a frame containing a NUL byte (reported once per frame);
 *   -ENOMEM    no memory to hold a split frame, which is dropped.
 * After an error the rest of that frame is dropped, and the next call
 * carries on. */
int frame_reader_next(struct frame_reader *r, const char **line, size_t *len);

/* Does the reader hold an unfinished frame (good or being dropped)? For
 * saying "connection closed mid-frame" when the peer hangs up. */
bool frame_reader_partial(const struct frame_reader *r);

#endif
