/* base64.h — RFC 4648 base64 (standard alphabet, '=' padding), for the
 * console bytes that travel in JSON strings: a guest's output is not
 * always valid UTF-8, and JSON strings must be. */
#ifndef HSPT_UTIL_BASE64_H
#define HSPT_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64_encode writes for n bytes, NUL excluded. */
#define BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)

/* Encode in[0..n) into out, which holds BASE64_ENCODED_LEN(n) + 1 bytes;
 * out is NUL-terminated. Returns the length written, NUL excluded. */
size_t base64_encode(const uint8_t *in, size_t n, char *out);

/* Decode text[0..len) into out, which holds at least len / 4 * 3 bytes.
 * Padding is required (len a multiple of 4); whitespace and any other
 * character outside the alphabet are refused. Returns the number of bytes
 * written, or -EINVAL. */
long base64_decode(const char *text, size_t len, uint8_t *out);

#endif
