/* difftest.h — the differential CPU tester's host side (docs/difftest.md):
 * the driver (difftest.c), running both sides (batch.c), the two back
 * ends that run the test image (qemu.c: Debian's qemu-arm; runner.c:
 * hspt), reports and minimization (report.c) and the regression file
 * (regress.c). */
#ifndef HSPT_TESTS_DIFF_DIFFTEST_H
#define HSPT_TESTS_DIFF_DIFFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tests/diff/gen.h"

enum diff_mode { MODE_ARM, MODE_THUMB, MODE_MIXED };

/* Command-line options (difftest.c parse_opts). */
struct diff_opts {
	uint64_t seed;
	unsigned count;
	enum diff_mode mode;
	bool vfp;
	unsigned items;
	long index;		/* only this sequence (-1: all) */
	const char *keep;
	const char *image;
	const char *qemu;
	const char *org;
	const char *regressions;
	bool save;
	bool fuzz;
	double seconds;
	bool qemu_only;
	bool lint;
	bool dump;
	unsigned batch;
	unsigned max_reports;
};

/* One run of the tester. */
struct diff_ctx {
	struct diff_opts o;
	char dir[512];		/* work directory: blob, outputs */
	char image[1024];	/* the test image */
	bool tmpdir;
	unsigned mismatches, reports, harness_errors, gen_errors;
	unsigned saved;
	uint32_t keys[1024];	/* culprits saved (or already in the file) */
	unsigned nkeys;
};

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

/* ---- batch.c: running a blob on both sides ---- */

/* What the two sides wrote, and how they ended. */
struct outputs {
	struct buf q, h;
	bool q_ok, h_ok;	/* exited normally with status 0 */
	char q_why[128], h_why[256];
};

/* Run blob (nseq records) under qemu-arm and, unless qemu_only, hspt, at
 * the same time, each in a child process with a deadline. 0, or -1 when
 * a side could not even be started (message printed). */
int batch_run(struct diff_ctx *c, const struct buf *blob, unsigned nseq, struct outputs *out);
void batch_outputs_free(struct outputs *out);
/* Record i of an output stream, or NULL past its end. */
const struct diff_out *batch_record(const struct buf *b, unsigned i);
double batch_now(void);	/* CLOCK_MONOTONIC seconds */

/* ---- report.c: comparing, minimizing, saving ---- */

/* Print (to f, if not NULL) and count the fields that differ. */
unsigned report_compare(const struct diff_out *q, const struct diff_out *h, FILE *f);
void report_state(FILE *f, const struct gen_seq *s);
/* Disassemble items [from, to) of s with binutils, when it is installed. */
void report_disasm(FILE *f, const struct diff_ctx *c, const struct gen_seq *s, unsigned from,
		   unsigned to);
/* Find, print and (with --save, may_save) record the first item of orig
 * whose result differs; what names orig in messages. */
void report_minimize(struct diff_ctx *c, const struct gen_seq *orig, const char *what,
		     bool may_save);
/* Has the culprit key been saved already? Records it if not. */
bool report_seen(struct diff_ctx *c, uint32_t key);

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
