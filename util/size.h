/* size.h — parsing the numbers users type: sizes ("512M", "1G", "1GiB",
 * "65536") and counts ("4"). */
#ifndef HSPT_UTIL_SIZE_H
#define HSPT_UTIL_SIZE_H

#include <stdint.h>

/* A decimal number of bytes with an optional binary suffix K, M, G (also
 * KiB, MiB, GiB; case-insensitive). 0, or -EINVAL for anything else
 * (including overflow and trailing junk). */
int parse_size(const char *s, uint64_t *out);

/* A decimal count in [min, max], digits only (no sign, space or suffix).
 * 0, or -EINVAL. */
int parse_count(const char *s, unsigned min, unsigned max, unsigned *out);

#endif
