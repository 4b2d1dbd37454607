/* zimage.h — the kernel inside an ARM zImage, decompressed on the host.
 *
 * A zImage is a small decompressor followed by the compressed kernel
 * Image ("piggy" data) and the Image's size as a 32-bit little-endian word
 * (the kernel build's size_append). Running that decompressor in the
 * guest is pure computation: Debian's xz-compressed armmp kernel takes
 * over 2 billion guest instructions, which dominates an interpreted boot.
 * The board can instead decompress the payload here and start the Image
 * directly: the Linux boot protocol is the same for zImage and Image (MMU
 * off, r0 = 0, r1 = ~0, r2 = the device tree), so the kernel that runs is
 * byte for byte the one the decompressor would have produced.
 *
 * Formats: xz (with the ARM BCJ filter, as the kernel build uses) through
 * liblzma and gzip through zlib; other payloads (lzo, lz4, lzma, zstd)
 * are reported as unsupported and the caller boots the zImage as is. */
#ifndef HSPT_MACHINE_ZIMAGE_H
#define HSPT_MACHINE_ZIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* The Image must run at RAM start + TEXT_OFFSET, which the kernel was
 * built with and nothing in the Image's header records (Debian's armmp
 * kernels use 0x208000, not the usual 0x8000, because some platforms they
 * support need it). Head.S computes PHYS_OFFSET as its own address minus
 * TEXT_OFFSET with a `sub r8, r8, #TEXT_OFFSET` among its first
 * instructions; this finds that immediate. 0 with *offset set, or -ENOENT
 * when the code is not recognized (the caller then boots the zImage). */
int zimage_text_offset(const uint8_t *image, size_t len, uint32_t *offset);

/* Largest Image accepted (the decompressor's own limit is RAM). */
#define ZIMAGE_MAX_IMAGE (128u << 20)

/* Find and decompress the payload of the zImage img[0..len). On success
 * *out is a malloc'ed Image of *out_len bytes (checked against the size
 * word the build appended). 0, -ENOTSUP (no payload in a supported
 * format), -EINVAL (a payload that does not decompress consistently) or
 * -ENOMEM, with *why saying which. */
int zimage_extract(const uint8_t *img, size_t len, uint8_t **out, size_t *out_len,
		   const char **why);

#endif
