/* test_proto_frame.c — the newline framer (proto/frame.c): frames split
 * anywhere, CRLF, blank lines, oversized frames and NUL bytes, each
 * reported once, and the memory bound. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"
#include "tests/unit/leak_check.h"

TestSuite(proto_frame, .fini = assert_no_leaks);

/* Everything the reader reports, as text: "[frame]" for a frame and
 * "<EMSGSIZE>" or "<EBADMSG>" for an error, so that a whole sequence of
 * events compares as one string. */
struct events {
	char text[4096];
	size_t len;
};

static void note(struct events *ev, const char *s, size_t n)
{
	cr_assert_lt(ev->len + n, sizeof(ev->text));
	memcpy(ev->text + ev->len, s, n);
	ev->len += n;
	ev->text[ev->len] = '\0';
}

static void drain(struct frame_reader *r, struct events *ev)
{
	const char *line;
	size_t len;
	int rc;

	while ((rc = frame_reader_next(r, &line, &len)) != 0) {
		cr_assert_leq(r->cap, r->max, "held %zu bytes, limit %zu", r->cap, r->max);
		if (rc > 0) {
			cr_assert_gt(len, 0, "empty frames are skipped");
			cr_assert_leq(len, r->max);
			cr_assert_null(memchr(line, '\n', len));
			note(ev, "[", 1);
			note(ev, line, len);
			note(ev, "]", 1);
		} else if (rc == -EMSGSIZE) {
			note(ev, "<EMSGSIZE>", 10);
		} else if (rc == -EBADMSG) {
			note(ev, "<EBADMSG>", 9);
		} else {
			cr_assert_fail("unexpected %d", rc);
		}
	}
	cr_assert_leq(r->cap, r->max);
}

static void feed(struct frame_reader *r, struct events *ev, const char *buf, size_t n)
{
	cr_assert_eq(frame_reader_feed(r, buf, n), 0);
	drain(r, ev);
}

Test(proto_frame, whole_frames_in_one_feed)
{
	static const char in[] = "{\"a\":1}\nsecond\nthird\n";
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 0);
	cr_assert_eq(r.max, PROTO_MAX_FRAME);
	feed(&r, &ev, in, sizeof(in) - 1);
	cr_assert_str_eq(ev.text, "[{\"a\":1}][second][third]");
	cr_assert_null(r.buf, "frames inside one feed are not copied");
	cr_assert_not(frame_reader_partial(&r));
	frame_reader_destroy(&r);
}

Test(proto_frame, frame_pointer_into_input)
{
	static const char in[] = "abc\ndef\n";
	struct frame_reader r;
	const char *line;
	size_t len;

	frame_reader_init(&r, 0);
	cr_assert_eq(frame_reader_feed(&r, in, 8), 0);
	cr_assert_eq(frame_reader_feed(&r, in, 8), -EBUSY, "input not drained yet");
	cr_assert_eq(frame_reader_next(&r, &line, &len), 1);
	cr_assert_eq(line, in);
	cr_assert_eq(len, 3);
	cr_assert_eq(frame_reader_next(&r, &line, &len), 1);
	cr_assert_eq(line, in + 4);
	cr_assert_eq(frame_reader_next(&r, &line, &len), 0);
	cr_assert_eq(frame_reader_next(&r, &line, &len), 0, "stays drained");
	cr_assert_eq(frame_reader_feed(&r, in, 8), 0);
	frame_reader_destroy(&r);
}

Test(proto_frame, crlf_and_blank_lines)
{
	static const char in[] = "\n\n\r\none\r\n\r\ntwo\rthree\n\n\r\r\nfour\n";
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 0);
	feed(&r, &ev, in, sizeof(in) - 1);
	/* Only the '\r' just before the '\n' goes; "\r\r\n" leaves one. */
	cr_assert_str_eq(ev.text, "[one][two\rthree][\r][four]");
	frame_reader_destroy(&r);
}

/* The same stream, cut into two or three feeds at every pair of places,
 * gives the same events: frames, CRLF, blank lines, an oversized frame
 * and a NUL byte included (limit 10). */
Test(proto_frame, split_at_every_boundary)
{
	static const char in[] = "short\n0123456789abc\nok\r\n\r\n\nnul\0x\n0123456789\n"
				 "0123456789\r\nlast\n";
	static const char want[] = "[short]<EMSGSIZE>[ok]<EBADMSG>[0123456789]<EMSGSIZE>[last]";
	const size_t n = sizeof(in) - 1;

	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			struct frame_reader r;
			struct events ev = { .len = 0 };

			frame_reader_init(&r, 10);
			feed(&r, &ev, in, i);
			feed(&r, &ev, in + i, j - i);
			feed(&r, &ev, in + j, n - j);
			cr_assert_str_eq(ev.text, want, "cut at %zu and %zu", i, j);
			cr_assert_not(frame_reader_partial(&r));
			frame_reader_destroy(&r);
		}
	}
}

Test(proto_frame, byte_by_byte)
{
	static const char in[] = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}\r\n{\"id\":1}\n";
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 0);
	for (size_t i = 0; i < sizeof(in) - 1; i++)
		feed(&r, &ev, in + i, 1);
	cr_assert_str_eq(ev.text, "[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}][{\"id\":1}]");
	frame_reader_destroy(&r);
}

Test(proto_frame, limit_is_inclusive_and_counts_cr)
{
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 4);
	feed(&r, &ev, "abcd\n", 5);
	feed(&r, &ev, "abcde\n", 6);
	feed(&r, &ev, "abc\r\n", 5);
	feed(&r, &ev, "abcd\r\n", 6);
	feed(&r, &ev, "ab", 2);
	feed(&r, &ev, "cd", 2);
	feed(&r, &ev, "\n", 1);
	cr_assert_str_eq(ev.text, "[abcd]<EMSGSIZE>[abc]<EMSGSIZE>[abcd]");
	frame_reader_destroy(&r);
}

/* An endless frame: one report, no growth past the limit, and the reader
 * picks up at the frame after it. */
Test(proto_frame, oversized_reported_once_then_resync)
{
	struct frame_reader r;
	struct events ev = { .len = 0 };
	char chunk[1000];

	memset(chunk, 'x', sizeof(chunk));
	frame_reader_init(&r, 4096);
	feed(&r, &ev, "good\nxx", 7);
	for (int i = 0; i < 100; i++) {
		feed(&r, &ev, chunk, sizeof(chunk));
		cr_assert(frame_reader_partial(&r));
	}
	cr_assert_str_eq(ev.text, "[good]<EMSGSIZE>");
	cr_assert_leq(r.cap, 4096);
	feed(&r, &ev, "xxx\nnext\n", 9);
	cr_assert_str_eq(ev.text, "[good]<EMSGSIZE>[next]");
	cr_assert_not(frame_reader_partial(&r));
	frame_reader_destroy(&r);
}

Test(proto_frame, nul_byte_reported_once)
{
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 8);
	feed(&r, &ev, "a\0b", 3);
	cr_assert(frame_reader_partial(&r), "the rest of the frame is still to drop");
	feed(&r, &ev, "\0more\0 and far too long", 24);
	feed(&r, &ev, "\nok\n", 4);
	/* A NUL after the start of a frame held from an earlier feed. */
	feed(&r, &ev, "ab", 2);
	feed(&r, &ev, "c\0\nok2\n", 7);
	cr_assert_str_eq(ev.text, "<EBADMSG>[ok]<EBADMSG>[ok2]");
	frame_reader_destroy(&r);
}

/* The default limit: a frame of exactly 1 MiB in 4 KiB reads is whole, one
 * byte more is refused, and the buffer never passes 1 MiB. */
Test(proto_frame, default_limit_one_mib)
{
	const size_t max = PROTO_MAX_FRAME, step = 4096;
	char *big = malloc(max + 2);
	struct frame_reader r;
	const char *line;
	size_t len;
	int got = 0;

	cr_assert_not_null(big);
	memset(big, '7', max + 1);
	big[max] = '\n';
	frame_reader_init(&r, 0);
	for (size_t off = 0; off < max + 1; off += step) {
		size_t n = max + 1 - off < step ? max + 1 - off : step;

		cr_assert_eq(frame_reader_feed(&r, big + off, n), 0);
		while (frame_reader_next(&r, &line, &len) == 1) {
			cr_assert_eq(len, max);
			cr_assert_eq(line[0], '7');
			cr_assert_eq(line[max - 1], '7');
			got++;
		}
	}
	cr_assert_eq(got, 1);
	cr_assert_eq(r.cap, max);

	big[max] = '7';
	big[max + 1] = '\n';
	cr_assert_eq(frame_reader_feed(&r, big, max + 2), 0);
	cr_assert_eq(frame_reader_next(&r, &line, &len), -EMSGSIZE);
	cr_assert_eq(frame_reader_next(&r, &line, &len), 0);
	cr_assert_eq(r.cap, max);
	frame_reader_destroy(&r);
	free(big);
}

Test(proto_frame, partial_and_reinit)
{
	struct frame_reader r;
	struct events ev = { .len = 0 };

	frame_reader_init(&r, 0);
	cr_assert_not(frame_reader_partial(&r));
	feed(&r, &ev, "abc", 3);
	cr_assert(frame_reader_partial(&r));
	cr_assert_str_eq(ev.text, "");
	feed(&r, &ev, "\n", 1);
	cr_assert_not(frame_reader_partial(&r));
	cr_assert_str_eq(ev.text, "[abc]");
	feed(&r, &ev, "\r", 1);
	cr_assert(frame_reader_partial(&r), "a lone \\r could begin a frame");
	frame_reader_destroy(&r);
	frame_reader_init(&r, 16);
	feed(&r, &ev, "x\n", 2);
	cr_assert_str_eq(ev.text, "[abc][x]");
	frame_reader_destroy(&r);
}
