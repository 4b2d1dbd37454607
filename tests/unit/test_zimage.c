/* test_zimage.c — host-side decompression of a zImage's kernel, on
 * synthetic zImages (xz and gzip payloads built here) and, when the
 * reference guest is fetched, on Debian's own. */
#include <criterion/criterion.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "machine/zimage.h"

#define IMAGE_LEN (300u << 10)

/* A kernel-like Image: an ARM head with `sub r8, r8, #0x208000`, then
 * compressible but not trivial bytes. */
static uint8_t *make_image(void)
{
	uint8_t *img = malloc(IMAGE_LEN);
	uint32_t x = 12345;

	cr_assert_not_null(img);
	for (size_t i = 0; i < IMAGE_LEN; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)((x >> 16) % 7);
	}
	memcpy(img + 0x50, (uint8_t[]){ 0x82, 0x89, 0x48, 0xe2 }, 4);
	return img;
}

static size_t xz_compress(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0;

	cr_assert_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, out, &pos, cap),
		     LZMA_OK);
	return pos;
}

static size_t gzip_compress(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream s = { 0 };

	cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	deflateEnd(&s);
	return s.total_out;
}

/* decompressor code (with a decoy xz magic, as the real decoder's tables
 * have) + payload + little-endian size word. */
static size_t make_zimage(uint8_t *z, size_t cap, const uint8_t *image, bool xz, bool good_size)
{
	static const uint8_t decoy[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00, 1, 2, 3 };
	size_t off = 4096, n;
	uint32_t size = good_size ? IMAGE_LEN : IMAGE_LEN + 1;

	memset(z, 0x11, off);
	memcpy(z + 1000, decoy, sizeof(decoy));
	n = xz ? xz_compress(image, IMAGE_LEN, z + off, cap - off - 8)
	       : gzip_compress(image, IMAGE_LEN, z + off, cap - off - 8);
	off += n;
	memcpy(z + off, &size, 4);	/* x86 is little-endian too */
	return off + 4;
}

Test(zimage, xz_and_gzip_payloads)
{
	uint8_t *image = make_image(), *z = malloc(IMAGE_LEN * 2), *out;
	size_t len, out_len;
	const char *why = NULL;
	uint32_t text;

	for (int xz = 0; xz <= 1; xz++) {
		len = make_zimage(z, IMAGE_LEN * 2, image, xz, true);
		cr_assert_eq(zimage_extract(z, len, &out, &out_len, &why), 0, "xz %d: %s", xz,
			     why ? why : "");
		cr_assert_eq(out_len, IMAGE_LEN);
		cr_assert_eq(memcmp(out, image, IMAGE_LEN), 0);
		cr_assert_eq(zimage_text_offset(out, out_len, &text), 0);
		cr_assert_eq(text, 0x208000u);
		free(out);
	}
	free(z);
	free(image);
}

Test(zimage, inconsistent_or_missing_payloads)
{
	uint8_t *image = make_image(), *z = malloc(IMAGE_LEN * 2), *out;
	size_t len, out_len;
	const char *why = NULL;

	/* The size word disagrees: not the kernel. */
	len = make_zimage(z, IMAGE_LEN * 2, image, true, false);
	cr_assert_eq(zimage_extract(z, len, &out, &out_len, &why), -EINVAL);
	cr_assert_not_null(strstr(why, "consistently"));
	/* Truncated payload. */
	len = make_zimage(z, IMAGE_LEN * 2, image, true, true);
	cr_assert_eq(zimage_extract(z, len - 100, &out, &out_len, &why), -EINVAL);
	/* No payload at all (an lz4 kernel, say). */
	memset(z, 0x22, 8192);
	cr_assert_eq(zimage_extract(z, 8192, &out, &out_len, &why), -ENOTSUP);
	cr_assert_not_null(strstr(why, "no xz or gzip"));
	free(z);
	free(image);
}

Test(zimage, text_offset)
{
	uint8_t head[128] = { 0 };
	uint32_t text = 0;

	memcpy(head + 0x20, (uint8_t[]){ 0x02, 0x89, 0x48, 0xe2 }, 4);	/* #0x8000 */
	cr_assert_eq(zimage_text_offset(head, sizeof(head), &text), 0);
	cr_assert_eq(text, 0x8000u);
	memcpy(head + 0x20, (uint8_t[]){ 0x01, 0x88, 0x48, 0xe2 }, 4);	/* #0x10000 */
	cr_assert_eq(zimage_text_offset(head, sizeof(head), &text), -ENOENT, "not 0x8000 + MiBs");
	memset(head, 0, sizeof(head));
	cr_assert_eq(zimage_text_offset(head, sizeof(head), &text), -ENOENT);
}

/* Debian's zImage: xz with the ARM BCJ filter, TEXT_OFFSET 0x208000. */
Test(zimage, debian_kernel)
{
	FILE *f = fopen("build/guest/vmlinuz", "rb");
	uint8_t *z, *out;
	size_t len, out_len;
	const char *why = NULL;
	uint32_t text;

	if (!f)
		cr_skip_test("the reference guest is not fetched (make guest)");
	z = malloc(64u << 20);
	len = fread(z, 1, 64u << 20, f);
	fclose(f);
	cr_assert_eq(zimage_extract(z, len, &out, &out_len, &why), 0, "%s", why ? why : "");
	cr_assert_gt(out_len, 4u << 20);
	cr_assert_eq(zimage_text_offset(out, out_len, &text), 0);
	cr_assert_eq(text, 0x208000u);
	free(out);
	free(z);
}
