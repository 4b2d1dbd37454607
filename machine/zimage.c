/* zimage.c — see zimage.h. */
#include "machine/zimage.h"

#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t gzip_magic[] = { 0x1f, 0x8b, 0x08 };

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Decode one xz stream at in[0..len) into out[0..cap). Returns the bytes
 * produced and sets *used to the input consumed, or -1. */
static long xz_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *used)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;
	long n = -1;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return -1;
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	r = lzma_code(&s, LZMA_FINISH);
	if (r == LZMA_STREAM_END) {
		n = (long)s.total_out;
		*used = (size_t)s.total_in;
	}
	lzma_end(&s);
	return n;
}

/* The same for one gzip member. */
static long gzip_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *used)
{
	z_stream s;
	long n = -1;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)	/* 16: gzip header */
		return -1;
	/* zlib's counters are uInt: the sizes here fit (ZIMAGE_MAX_IMAGE). */
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (inflate(&s, Z_FINISH) == Z_STREAM_END) {
		n = (long)s.total_out;
		*used = (size_t)s.total_in;
	}
	inflateEnd(&s);
	return n;
}

/* Try a payload at img[off]: it must decode, and the word after it must
 * be the decoded size (size_append). Stream padding (xz pads to 4 bytes)
 * may sit in between. */
static bool try_payload(const uint8_t *img, size_t len, size_t off, bool xz, uint8_t *out,
			size_t *out_len)
{
	size_t used = 0;
	long n = xz ? xz_decode(img + off, len - off, out, ZIMAGE_MAX_IMAGE, &used)
		    : gzip_decode(img + off, len - off, out, ZIMAGE_MAX_IMAGE, &used);

	if (n <= 0)
		return false;
	for (size_t pad = 0; pad <= 4; pad++) {
		size_t at = off + used + pad;

		if (at + 4 <= len && le32(img + at) == (uint32_t)n) {
			*out_len = (size_t)n;
			return true;
		}
	}
	return false;
}

int zimage_extract(const uint8_t *img, size_t len, uint8_t **out, size_t *out_len,
		   const char **why)
{
	uint8_t *buf = malloc(ZIMAGE_MAX_IMAGE);
	bool seen = false;

	if (!buf) {
		*why = "out of memory for the decompressed kernel";
		return -ENOMEM;
	}
	/* The magic may also occur by chance inside the decompressor's code,
	 * so every occurrence is a candidate until one decodes consistently. */
	for (size_t off = 0; off + sizeof(xz_magic) <= len; off++) {
		bool xz = !memcmp(img + off, xz_magic, sizeof(xz_magic));
		bool gz = !xz && !memcmp(img + off, gzip_magic, sizeof(gzip_magic));

		if (!xz && !gz)
			continue;
		seen = true;
		if (try_payload(img, len, off, xz, buf, out_len)) {
			uint8_t *shrunk = realloc(buf, *out_len);

			*out = shrunk ? shrunk : buf;
			return 0;
		}
	}
	free(buf);
	*why = seen ? "the compressed kernel inside the zImage does not decompress consistently"
		    : "no xz or gzip payload found in the zImage";
	return seen ? -EINVAL : -ENOTSUP;
}

int zimage_text_offset(const uint8_t *image, size_t len, uint32_t *offset)
{
	/* head.S reaches that instruction within its first 32 words. */
	for (size_t i = 0; i + 4 <= len && i < 32 * 4; i += 4) {
		uint32_t w = le32(image + i);
		uint32_t imm, rot, val;

		/* SUB r8, r8, #imm (A32, always): 0xe2488000 | rot << 8 | imm8 */
		if ((w & 0xfffff000u) != 0xe2488000u)
			continue;
		imm = w & 0xffu;
		rot = (w >> 8 & 0xfu) * 2;
		val = rot ? (imm >> rot | imm << (32 - rot)) : imm;
		/* TEXT_OFFSET is 0x8000 plus whole MiBs on every platform. */
		if ((val & 0xfffffu) != 0x8000u || val >= (16u << 20))
			return -ENOENT;
		*offset = val;
		return 0;
	}
	return -ENOENT;
}
