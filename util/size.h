/* size.h — parsing the sizes users type: "512M", "1G", "1GiB", "65536". */
#ifndef HSPT_UTIL_SIZE_H
#define HSPT_UTIL_SIZE_H

#include <stdint.h>

/* A decimal number of bytes with an optional binary suffix K, M, G (also
 * KiB, MiB, GiB; case-insensitive). 0, or -EINVAL for anything else
 * (including overflow and trailing junk). */
int parse_size(const char *s, uint64_t *out);

#endif
