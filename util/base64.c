/* base64.c — see base64.h. */
#include "util/base64.h"

#include <errno.h>
#include <stdbool.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* The 6-bit value of c, or -1 outside the alphabet. */
static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *text, size_t len, uint8_t *out)
{
	size_t o = 0;

	if (len % 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i += 4) {
		int a = value_of(text[i]), b = value_of(text[i + 1]);
		int c = value_of(text[i + 2]), d = value_of(text[i + 3]);
		bool last = i + 4 == len;

		if (a < 0 || b < 0)
			return -EINVAL;
		/* '=' only as padding at the very end: "xx==" or "xxx=". */
		if (c < 0 && !(last && text[i + 2] == '=' && text[i + 3] == '='))
			return -EINVAL;
		if (c >= 0 && d < 0 && !(last && text[i + 3] == '='))
			return -EINVAL;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (c >= 0)
			out[o++] = (uint8_t)((b & 15) << 4 | c >> 2);
		if (c >= 0 && d >= 0)
			out[o++] = (uint8_t)((c & 3) << 6 | d);
	}
	return (long)o;
}
