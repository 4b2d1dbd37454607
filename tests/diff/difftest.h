/* difftest.h — the differential CPU tester's host side (docs/difftest.md):
 * the driver (difftest.c), the two back ends that run the test image
 * (qemu.c: Debian's qemu-arm; runner.c: hspt) and the regression file
 * (regress.c). */
#ifndef HSPT_TESTS_DIFF_DIFFTEST_H
#define HSPT_TESTS_DIFF_DIFFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tests/diff/gen.h"

/* A growable byte buffer (blobs and output streams). */
struct buf {
	uint8_t *p;
	size_t len, cap;
};
int buf_put(struct buf *b, const void *data, size_t len);
void buf_free(struct buf *b);
/* Read a whole file into b. 0 or -errno. */
int buf_read_file(struct buf *b, const char *path);
int buf_write_file(const struct buf *b, const char *path);

/* Append the diff_in record of s to blob (with its code and, if
 * DIFF_F_MEM, its scratch bytes). */
int blob_add(struct buf *blob, const struct gen_seq *s);

/* Start qemu-arm on image with stdin from in_path and stdout to
 * out_path. 0 and *pid, or -errno. */
int qemu_spawn(const char *qemu, const char *image, const char *in_path,
	       const char *out_path, pid_t *pid);

/* Run the image under hspt in this process: stdin is the blob, stdout
 * goes to out_fd record by record. org: "soft", "private", ...
 * Returns 0, or -1 with a message in err when the harness itself failed
 * (an exit the image cannot cause, an emulator error). */
int runner_run(const char *image, const char *org, const uint8_t *blob, size_t len,
	       int out_fd, char *err, size_t errlen);

/* Regression file: sequences with their exact initial state. */
struct regress {
	char name[96];
	struct gen_seq seq;	/* items: one per instruction */
};
/* Parse path; *out is malloc'd (count in *n). 0, or -1 with a message
 * (file:line) in err. A missing file is an empty list. */
int regress_load(const char *path, struct regress **out, unsigned *n, char *err, size_t errlen);
/* Append one entry to path. 0 or -errno. */
int regress_append(const char *path, const char *name, const struct gen_seq *s);

#endif
