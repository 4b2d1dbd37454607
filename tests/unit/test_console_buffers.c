/* test_console_buffers.c — what carries console bytes between a guest and
 * hsptctl: the ring that keeps the newest bytes (util/ring.c) and base64
 * (util/base64.c), against RFC 4648's test vectors and hostile input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "util/base64.h"
#include "util/ring.h"

Test(ring, keeps_order_across_the_wrap)
{
	struct ring r;
	uint8_t out[8];

	cr_assert_eq(ring_init(&r, 8), 0);
	cr_assert_eq(ring_push(&r, (const uint8_t *)"abcdef", 6), 0);
	cr_assert_eq(ring_pop(&r, out, 4), 4);
	cr_assert_eq(memcmp(out, "abcd", 4), 0);
	/* 2 held + 6 = 8: fits exactly, wrapping round the end. */
	cr_assert_eq(ring_push(&r, (const uint8_t *)"ghijkl", 6), 0);
	cr_assert_eq(ring_pop(&r, out, sizeof(out)), 8);
	cr_assert_eq(memcmp(out, "efghijkl", 8), 0);
	cr_assert_eq(ring_pop(&r, out, sizeof(out)), 0);
	ring_destroy(&r);
}

Test(ring, drops_the_oldest_and_counts_them)
{
	struct ring r;
	uint8_t out[8];

	cr_assert_eq(ring_init(&r, 4), 0);
	cr_assert_eq(ring_push(&r, (const uint8_t *)"abc", 3), 0);
	cr_assert_eq(ring_push(&r, (const uint8_t *)"de", 2), 1);
	cr_assert_eq(ring_peek_tail(&r, out, 8), 4);
	cr_assert_eq(memcmp(out, "bcde", 4), 0);
	/* A write larger than the ring keeps its newest bytes only. */
	cr_assert_eq(ring_push(&r, (const uint8_t *)"0123456789", 10), 4 + 6);
	cr_assert_eq(r.dropped, 11);
	cr_assert_eq(ring_peek_tail(&r, out, 2), 2);
	cr_assert_eq(memcmp(out, "89", 2), 0);
	cr_assert_eq(ring_pop(&r, out, 8), 4);
	cr_assert_eq(memcmp(out, "6789", 4), 0);
	ring_destroy(&r);
}

Test(base64, rfc4648_vectors)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy" };
	char text[16];
	uint8_t back[16];

	for (int i = 0; i < 7; i++) {
		size_t n = strlen(plain[i]);

		cr_assert_eq(base64_encode((const uint8_t *)plain[i], n, text), strlen(coded[i]));
		cr_assert_str_eq(text, coded[i]);
		cr_assert_eq(base64_decode(coded[i], strlen(coded[i]), back), (long)n);
		cr_assert_eq(memcmp(back, plain[i], n), 0);
	}
}

Test(base64, every_byte_round_trips)
{
	uint8_t all[256], back[256];
	char text[BASE64_ENCODED_LEN(256) + 1];

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	base64_encode(all, sizeof(all), text);
	cr_assert_eq(base64_decode(text, strlen(text), back), 256);
	cr_assert_eq(memcmp(all, back, 256), 0);
}

Test(base64, refuses_what_is_not_base64)
{
	static const char *const bad[] = { "Zg=", "Zg", "Z===", "=Zg=", "Zm9v\n", "Zg==Zg==",
					   "Zm=v", "Zm9*", "Zg== " };
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(base64_decode(bad[i], strlen(bad[i]), out), -EINVAL, "%s", bad[i]);
}
