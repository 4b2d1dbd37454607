/* difftest.c — the differential CPU tester's driver (docs/difftest.md).
 *
 * Builds a stream of sequences (generated from a seed, plus the
 * regression file), runs the test image on it under qemu-arm and under
 * hspt at the same time (two child processes, so that a crash or a hang
 * on either side is a reported failure, not a dead tester), and compares
 * the output records. A mismatching sequence is minimized: its prefixes
 * find the first item whose effect differs, and that item alone, started
 * from the state the prefix before it produced, becomes the reproduction
 * printed and (with --save) appended to the regression file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/diff/difftest.h"

enum mode { MODE_ARM, MODE_THUMB, MODE_MIXED };

struct opts {
	uint64_t seed;
	unsigned count;
	enum mode mode;
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
	bool quiet;
};

/* Where a sequence comes from. */
struct spec {
	bool thumb;
	uint64_t seed;
	uint32_t index;
	const struct regress *reg;	/* or from the regression file */
	const struct gen_seq *seq;	/* or given directly (minimization) */
};

struct ctx {
	struct opts o;
	char dir[512];
	char image[1024];
	bool tmpdir;
	unsigned mismatches, reports, harness_errors, gen_errors;
	unsigned saved;
};

/* ---- buffers ---- */

int buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ 0 };
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY);
	uint8_t tmp[65536];
	ssize_t n;

	if (fd < 0)
		return -errno;
	b->len = 0;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		if (buf_put(b, tmp, (size_t)n))
			break;
	close(fd);
	return n < 0 ? -errno : 0;
}

int buf_write_file(const struct buf *b, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n <= 0) {
			close(fd);
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	return close(fd) ? -errno : 0;
}

int blob_add(struct buf *blob, const struct gen_seq *s)
{
	static const uint8_t zero[4];
	int err = buf_put(blob, &s->in, sizeof(s->in));

	if (!err)
		err = buf_put(blob, s->code, s->in.code_len);
	if (!err)
		err = buf_put(blob, zero, (4 - (s->in.code_len & 3)) & 3);
	if (!err && (s->in.flags & DIFF_F_MEM))
		err = buf_put(blob, s->mem, DIFF_SCRATCH_SIZE);
	return err;
}

/* ---- sequences ---- */

static void materialize(const struct ctx *c, const struct spec *sp, uint32_t pos, struct gen_seq *s)
{
	if (sp->seq) {
		*s = *sp->seq;
	} else if (sp->reg) {
		*s = sp->reg->seq;
	} else {
		struct gen_opts go = { .thumb = sp->thumb, .vfp = c->o.vfp, .items = c->o.items };

		gen_sequence(s, sp->seed, sp->index, &go);
	}
	s->in.index = pos;
}

static void describe(const struct spec *sp, char *buf, size_t len)
{
	if (sp->reg)
		snprintf(buf, len, "regression \"%s\"", sp->reg->name);
	else if (sp->seq)
		snprintf(buf, len, "derived sequence");
	else
		snprintf(buf, len, "--seed %llu --index %u --%s", (unsigned long long)sp->seed,
			 sp->index, sp->thumb ? "thumb" : "arm");
}

/* ---- running both sides ---- */

struct outputs {
	struct buf q, h;
	bool q_ok, h_ok;	/* exited normally with status 0 */
	char q_why[128], h_why[256];
};

static void outputs_free(struct outputs *out)
{
	buf_free(&out->q);
	buf_free(&out->h);
}

static pid_t spawn_hspt(const struct ctx *c, const struct buf *blob, const char *out_path)
{
	pid_t pid = fork();

	if (pid == 0) {
		char err[256] = "";
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(3);
		if (runner_run(c->image, c->o.org, blob->p, blob->len, fd, err, sizeof(err))) {
			/* The reason goes to a side file the parent reads. */
			char p[640];
			int e;

			snprintf(p, sizeof(p), "%s.err", out_path);
			e = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (e >= 0 && write(e, err, strlen(err)) < 0)
				_exit(5);
			_exit(4);
		}
		close(fd);
		_exit(0);
	}
	return pid;
}

/* Wait for pid until deadline (CLOCK_MONOTONIC seconds); kill it then. */
static void wait_child(pid_t pid, double deadline, bool *ok, char *why, size_t len)
{
	int st;

	*ok = false;
	for (;;) {
		struct timespec now, nap = { 0, 2000000 };
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec + now.tv_nsec * 1e-9 > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(why, len, "timed out (killed)");
			return;
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		*ok = true;
	else if (WIFEXITED(st))
		snprintf(why, len, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(why, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Run blob under qemu-arm and (unless qemu_only) hspt, concurrently. */
static int run_both(struct ctx *c, const struct buf *blob, unsigned nseq, struct outputs *out)
{
	char in_path[600], q_path[600], h_path[600];
	double deadline = now_s() + 60 + nseq * 0.02;
	pid_t qpid, hpid = -1;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(in_path, sizeof(in_path), "%s/blob.bin", c->dir);
	snprintf(q_path, sizeof(q_path), "%s/qemu.out", c->dir);
	snprintf(h_path, sizeof(h_path), "%s/hspt.out", c->dir);
	err = buf_write_file(blob, in_path);
	if (err) {
		fprintf(stderr, "difftest: %s: %s\n", in_path, strerror(-err));
		return -1;
	}
	err = qemu_spawn(c->o.qemu, c->image, in_path, q_path, &qpid);
	if (err) {
		fprintf(stderr, "difftest: cannot run %s: %s (scripts/deps.sh installs qemu-user)\n",
			c->o.qemu, strerror(-err));
		return -1;
	}
	if (!c->o.qemu_only) {
		fflush(NULL);
		hpid = spawn_hspt(c, blob, h_path);
		if (hpid < 0)
			fprintf(stderr, "difftest: fork: %s\n", strerror(errno));
	}
	wait_child(qpid, deadline, &out->q_ok, out->q_why, sizeof(out->q_why));
	if (hpid > 0) {
		char e_path[640];
		struct buf e = { 0 };

		wait_child(hpid, deadline, &out->h_ok, out->h_why, sizeof(out->h_why));
		snprintf(e_path, sizeof(e_path), "%s.err", h_path);
		if (!out->h_ok && !buf_read_file(&e, e_path) && e.len) {
			snprintf(out->h_why, sizeof(out->h_why), "%.*s", (int)strcspn((char *)e.p, "\n"),
				 (char *)e.p);
			unlink(e_path);
		}
		buf_free(&e);
		buf_read_file(&out->h, h_path);
	}
	buf_read_file(&out->q, q_path);
	return 0;
}

static const struct diff_out *record(const struct buf *b, unsigned i)
{
	size_t off = (size_t)i * sizeof(struct diff_out);

	if (off + sizeof(struct diff_out) > b->len)
		return NULL;
	return (const struct diff_out *)(b->p + off);
}

/* ---- comparing and reporting ---- */

/* Print the differences between the qemu and hspt records (when f is
 * not NULL); return how many fields differ. */
static unsigned compare(const struct diff_out *q, const struct diff_out *h, FILE *f)
{
	unsigned n = 0;

#define DIFF32(name, a, b) do {							\
		if ((a) != (b)) {						\
			n++;							\
			if (f)							\
				fprintf(f, "    %-8s qemu %08x  hspt %08x\n", name,	\
					(unsigned)(a), (unsigned)(b));		\
		}								\
	} while (0)
	DIFF32("status", q->status, h->status);
	DIFF32("faultpc", q->fault_pc, h->fault_pc);
	for (int i = 0; i < 15; i++) {
		char name[8];

		snprintf(name, sizeof(name), "r%d", i);
		DIFF32(name, q->r[i], h->r[i]);
	}
	DIFF32("apsr", q->apsr, h->apsr);
	DIFF32("cpsr", q->cpsr, h->cpsr);
	DIFF32("fpscr", q->fpscr, h->fpscr);
#undef DIFF32
	for (int i = 0; i < 32; i++) {
		if (q->d[i] != h->d[i]) {
			n++;
			if (f)
				fprintf(f, "    d%-7d qemu %016llx  hspt %016llx\n", i,
					(unsigned long long)q->d[i], (unsigned long long)h->d[i]);
		}
	}
	for (unsigned i = 0; i < DIFF_SCRATCH_SIZE; i += 4) {
		uint32_t a, b;

		memcpy(&a, q->mem + i, 4);
		memcpy(&b, h->mem + i, 4);
		if (a != b) {
			n++;
			if (f)
				fprintf(f, "    mem+%03x  qemu %08x  hspt %08x  (word at %#x)\n", i, a, b,
					DIFF_SCRATCH_BASE + i);
		}
	}
	return n;
}

static void print_state(FILE *f, const struct gen_seq *s)
{
	const struct diff_in *in = &s->in;

	fprintf(f, "  state before:\n   ");
	for (int i = 0; i < 15; i++)
		fprintf(f, " r%d=%08x%s", i, in->r[i], i % 5 == 4 ? "\n   " : "");
	fprintf(f, " apsr=%08x fpscr=%08x\n   ", in->apsr, in->fpscr);
	for (int i = 0; i < 32; i++)
		fprintf(f, " d%d=%016llx%s", i, (unsigned long long)in->d[i], i % 4 == 3 ? "\n   " : "");
	if (in->flags & DIFF_F_MEM)
		fprintf(f, " scratch: explicit (see the regression entry)\n");
	else
		fprintf(f, " scratch: memseed %08x\n", in->mem_seed);
}

/* Disassemble with binutils, if present: readable reports only. */
static void print_disasm(FILE *f, const struct ctx *c, const struct gen_seq *s, unsigned from,
			 unsigned to)
{
	char path[600], cmd[1400], line[256];
	struct buf b = { 0 };
	FILE *p;

	if (from >= s->nitems)
		return;
	if (to > s->nitems)
		to = s->nitems;
	snprintf(path, sizeof(path), "%s/insn.bin", c->dir);
	buf_put(&b, s->code + s->items[from].off,
		s->items[to - 1].off + s->items[to - 1].len - s->items[from].off);
	if (buf_write_file(&b, path)) {
		buf_free(&b);
		return;
	}
	buf_free(&b);
	snprintf(cmd, sizeof(cmd),
		 "arm-linux-gnueabihf-objdump -D -b binary -marm %s --adjust-vma=%#x %s 2>/dev/null",
		 s->in.flags & DIFF_F_THUMB ? "-Mforce-thumb" : "",
		 DIFF_CODE_BASE + s->items[from].off, path);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, ":\t"))
			fprintf(f, "   %s", line);
	pclose(p);
}

/* The state a record describes, as the initial state of s. */
static void state_from(struct gen_seq *s, const struct diff_out *o)
{
	memcpy(s->in.r, o->r, sizeof(s->in.r));
	s->in.apsr = o->apsr;
	s->in.fpscr = o->fpscr;
	memcpy(s->in.d, o->d, sizeof(s->in.d));
	memcpy(s->mem, o->mem, DIFF_SCRATCH_SIZE);
	s->in.flags |= DIFF_F_MEM;
}

static bool differs(const struct outputs *out, unsigned i)
{
	const struct diff_out *q = record(&out->q, i), *h = record(&out->h, i);

	return !q || !h || compare(q, h, NULL);
}

/* Find the first item whose execution differs; print it with its input
 * state and the differing fields; optionally save the reproduction. */
static void minimize(struct ctx *c, const struct gen_seq *orig, const char *what, bool may_save)
{
	static struct gen_seq v;
	unsigned n = orig->nitems, k;
	struct buf blob = { 0 };
	struct outputs out;
	char code[1024];

	for (k = 0; k <= n; k++) {
		v = *orig;
		gen_nop_items(&v, k, n);
		v.in.index = k;
		blob_add(&blob, &v);
	}
	if (run_both(c, &blob, n + 1, &out)) {
		buf_free(&blob);
		return;
	}
	buf_free(&blob);
	for (k = 0; k <= n && !differs(&out, k); k++)
		;
	if (k > n) {
		printf("  (no prefix mismatches on its own: the mismatch depends on earlier sequences)\n");
		outputs_free(&out);
		return;
	}
	if (k == 0) {
		printf("  mismatch with every item replaced by NOPs: the harness path differs\n");
		if (record(&out.q, 0) && record(&out.h, 0))
			compare(record(&out.q, 0), record(&out.h, 0), stdout);
		outputs_free(&out);
		return;
	}
	/* Item k-1 is the culprit: isolate it, starting from the state the
	 * prefix before it left (identical on both sides). */
	v = *orig;
	if (k > 1 && record(&out.q, k - 1))
		state_from(&v, record(&out.q, k - 1));
	gen_nop_items(&v, 0, k - 1);
	gen_nop_items(&v, k, n);
	gen_format_code(&v, k - 1, k, code, sizeof(code));
	printf("  first differing item #%u (%s):%s\n", k - 1, v.items[k - 1].what, code);
	print_disasm(stdout, c, &v, k - 1, k);
	print_state(stdout, &v);
	printf("  differences after it:\n");
	if (record(&out.q, k) && record(&out.h, k))
		compare(record(&out.q, k), record(&out.h, k), stdout);
	else
		printf("    hspt produced no record\n");
	outputs_free(&out);

	/* Does the isolated item reproduce on its own? */
	blob = (struct buf){ 0 };
	v.in.index = 0;
	blob_add(&blob, &v);
	if (run_both(c, &blob, 1, &out) == 0) {
		bool alone = differs(&out, 0);

		printf("  isolated reproduction: %s\n", alone ? "yes" : "no (needs the prefix)");
		if (may_save && c->o.save && c->o.regressions) {
			char name[96];
			int err;

			snprintf(name, sizeof(name), "%s item %u %s", what, k - 1, v.items[k - 1].what);
			err = regress_append(c->o.regressions, name, alone ? &v : orig);
			if (err)
				fprintf(stderr, "difftest: %s: %s\n", c->o.regressions, strerror(-err));
			else
				c->saved++;
		}
		outputs_free(&out);
	}
	buf_free(&blob);
}

/* Compare the outputs of one batch; report and minimize mismatches. */
static void check_batch(struct ctx *c, const struct spec *specs, unsigned n, struct outputs *out)
{
	static struct gen_seq s;
	unsigned nq = (unsigned)(out->q.len / sizeof(struct diff_out));
	unsigned nh = (unsigned)(out->h.len / sizeof(struct diff_out));

	if (!out->q_ok || nq != n) {
		printf("qemu-arm failed after %u of %u sequences: %s\n", nq, n,
		       out->q_ok ? "short output" : out->q_why);
		c->harness_errors++;
	}
	if (!c->o.qemu_only && (!out->h_ok || nh != n))
		printf("hspt runner failed after %u of %u sequences: %s\n", nh, n,
		       out->h_ok ? "short output" : out->h_why);
	for (unsigned i = 0; i < n && i < nq; i++) {
		const struct diff_out *q = record(&out->q, i), *h = record(&out->h, i);
		char what[128], code[8 * DIFF_CODE_MAX];

		describe(&specs[i], what, sizeof(what));
		if (q->magic != DIFF_OUT_MAGIC || q->index != i) {
			printf("qemu output record %u is corrupt\n", i);
			c->harness_errors++;
			return;
		}
		if (q->status && !specs[i].reg && !specs[i].seq &&
		    (materialize(c, &specs[i], i, &s), !s.expect_fault)) {
			/* The generator promised a sequence that cannot fault. */
			c->gen_errors++;
			gen_format_code(&s, 0, s.nitems, code, sizeof(code));
			printf("GENERATOR BUG: %s faults under qemu (signal %u at %#x):\n  %s\n", what,
			       q->status, q->fault_pc, code);
			continue;
		}
		if (c->o.qemu_only)
			continue;
		if (h && !compare(q, h, NULL))
			continue;
		c->mismatches++;
		if (c->reports >= c->o.max_reports) {
			if (c->reports++ == c->o.max_reports)
				printf("(further mismatches not shown; --max-reports)\n");
			continue;
		}
		c->reports++;
		materialize(c, &specs[i], i, &s);
		gen_format_code(&s, 0, s.nitems, code, sizeof(code));
		printf("\nMISMATCH: %s\n  code:%s\n", what, code);
		if (!h) {
			printf("  hspt produced no record (crash or harness error above)\n");
			minimize(c, &s, what, !specs[i].reg);
			if (nh < n)
				return;	/* nothing after a crash can be compared */
			continue;
		}
		compare(q, h, stdout);
		minimize(c, &s, what, !specs[i].reg);
	}
}

/* Run specs[0..n) as one batch per c->o.batch sequences. */
static int run_specs(struct ctx *c, const struct spec *specs, unsigned n)
{
	static struct gen_seq s;

	for (unsigned base = 0; base < n; base += c->o.batch) {
		unsigned cnt = n - base < c->o.batch ? n - base : c->o.batch;
		struct buf blob = { 0 };
		struct outputs out;

		for (unsigned i = 0; i < cnt; i++) {
			materialize(c, &specs[base + i], i, &s);
			if (blob_add(&blob, &s)) {
				fprintf(stderr, "difftest: out of memory\n");
				return -1;
			}
		}
		if (run_both(c, &blob, cnt, &out)) {
			buf_free(&blob);
			return -1;
		}
		buf_free(&blob);
		check_batch(c, specs + base, cnt, &out);
		outputs_free(&out);
	}
	return 0;
}

static void make_specs(const struct ctx *c, uint64_t seed, struct spec *specs, unsigned n,
		       uint32_t first)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t idx = first + i;

		specs[i] = (struct spec){
			.seed = seed,
			.index = idx,
			.thumb = c->o.mode == MODE_THUMB || (c->o.mode == MODE_MIXED && (idx & 1)),
		};
	}
}

/* ---- lint: the generator's output through binutils' disassembler ---- */

static int lint(struct ctx *c, const struct spec *specs, unsigned n)
{
	static struct gen_seq s;
	unsigned bad = 0;

	for (int thumb = 0; thumb < 2; thumb++) {
		char path[600], cmd[800], line[512];
		struct buf b = { 0 };
		uint32_t *start = calloc(n + 1, sizeof(*start));
		unsigned cnt = 0;
		FILE *p;

		for (unsigned i = 0; i < n; i++) {
			if (specs[i].thumb != thumb)
				continue;
			materialize(c, &specs[i], i, &s);
			start[cnt++] = (uint32_t)b.len;
			buf_put(&b, s.code, s.in.code_len);
		}
		snprintf(path, sizeof(path), "%s/lint.bin", c->dir);
		if (!cnt || buf_write_file(&b, path)) {
			buf_free(&b);
			free(start);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "arm-linux-gnueabihf-objdump -D -b binary -marm %s %s",
			 thumb ? "-Mforce-thumb" : "", path);
		p = popen(cmd, "r");
		while (p && fgets(line, sizeof(line), p)) {
			if (strstr(line, "UNPREDICTABLE") || strstr(line, "undefined") ||
			    strstr(line, "illegal") || strstr(line, "<und>")) {
				unsigned long addr = strtoul(line, NULL, 16);
				unsigned j = 0;

				while (j + 1 < cnt && start[j + 1] <= addr)
					j++;
				if (bad++ < 50)
					printf("%s seq %u+%#lx: %s", thumb ? "T32" : "A32", j,
					       addr - start[j], line);
			}
		}
		if (p)
			pclose(p);
		buf_free(&b);
		free(start);
	}
	printf("lint: %u suspicious instructions\n", bad);
	return bad ? 1 : 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: difftest [--seed S] [--count N] [--arm|--thumb|--mixed] [--no-vfp]\n"
		"                [--items N] [--index I] [--regressions FILE [--save]]\n"
		"                [--fuzz [--seconds T]] [--keep DIR] [--image ELF] [--qemu BIN]\n"
		"                [--org soft|private|shared|group:N] [--batch N]\n"
		"                [--max-reports N] [--qemu-only] [--lint] [--dump]\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "seed", 1, 0, 's' }, { "count", 1, 0, 'n' }, { "arm", 0, 0, 'A' },
		{ "thumb", 0, 0, 'T' }, { "mixed", 0, 0, 'M' }, { "vfp", 0, 0, 'V' },
		{ "no-vfp", 0, 0, 'v' }, { "items", 1, 0, 'i' }, { "index", 1, 0, 'x' },
		{ "keep", 1, 0, 'k' }, { "image", 1, 0, 'I' }, { "qemu", 1, 0, 'q' },
		{ "org", 1, 0, 'o' }, { "regressions", 1, 0, 'r' }, { "save", 0, 0, 'S' },
		{ "fuzz", 0, 0, 'f' }, { "seconds", 1, 0, 't' }, { "qemu-only", 0, 0, 'Q' },
		{ "lint", 0, 0, 'L' }, { "batch", 1, 0, 'b' }, { "max-reports", 1, 0, 'm' },
		{ "dump", 0, 0, 'D' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int ch;

	*o = (struct opts){ .seed = 1, .count = 1000, .mode = MODE_MIXED, .vfp = true,
			    .index = -1, .qemu = "qemu-arm", .org = "private", .batch = 4000,
			    .max_reports = 10 };
	if (getenv("QEMU_ARM"))
		o->qemu = getenv("QEMU_ARM");
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'n': o->count = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'A': o->mode = MODE_ARM; break;
		case 'T': o->mode = MODE_THUMB; break;
		case 'M': o->mode = MODE_MIXED; break;
		case 'V': o->vfp = true; break;
		case 'v': o->vfp = false; break;
		case 'i': o->items = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'x': o->index = strtol(optarg, NULL, 0); break;
		case 'k': o->keep = optarg; break;
		case 'I': o->image = optarg; break;
		case 'q': o->qemu = optarg; break;
		case 'o': o->org = optarg; break;
		case 'r': o->regressions = optarg; break;
		case 'S': o->save = true; break;
		case 'f': o->fuzz = true; break;
		case 't': o->seconds = strtod(optarg, NULL); break;
		case 'Q': o->qemu_only = true; break;
		case 'L': o->lint = true; break;
		case 'D': o->dump = true; break;
		case 'b': o->batch = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'm': o->max_reports = (unsigned)strtoul(optarg, NULL, 0); break;
		default: usage(); return -1;
		}
	}
	if (optind != argc || !o->batch) {
		usage();
		return -1;
	}
	return 0;
}

/* The image sits next to this binary unless --image says otherwise. */
static int find_image(struct ctx *c)
{
	char self[900];
	ssize_t n;

	if (c->o.image) {
		snprintf(c->image, sizeof(c->image), "%s", c->o.image);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return -1;
		self[n] = 0;
		*strrchr(self, '/') = 0;
		snprintf(c->image, sizeof(c->image), "%s/diff-image.elf", self);
	}
	if (access(c->image, R_OK)) {
		fprintf(stderr, "difftest: test image %s: %s\n", c->image, strerror(errno));
		return -1;
	}
	return 0;
}

static int make_dir(struct ctx *c)
{
	if (c->o.keep) {
		snprintf(c->dir, sizeof(c->dir), "%s", c->o.keep);
		if (mkdir(c->dir, 0755) && errno != EEXIST)
			return -1;
		return 0;
	}
	snprintf(c->dir, sizeof(c->dir), "%s/hspt-difftest.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(c->dir))
		return -1;
	c->tmpdir = true;
	return 0;
}

static void remove_dir(struct ctx *c)
{
	static const char *const files[] = { "blob.bin", "qemu.out", "hspt.out", "insn.bin", "lint.bin" };
	char p[600];

	if (!c->tmpdir)
		return;
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, files[i]);
		unlink(p);
	}
	rmdir(c->dir);
}

static int run_regressions(struct ctx *c)
{
	struct regress *regs;
	struct spec *specs;
	unsigned n;
	char err[256];
	int r;

	if (regress_load(c->o.regressions, &regs, &n, err, sizeof(err))) {
		fprintf(stderr, "difftest: %s\n", err);
		return -1;
	}
	if (!n)
		return 0;
	specs = calloc(n, sizeof(*specs));
	for (unsigned i = 0; i < n; i++)
		specs[i] = (struct spec){ .reg = &regs[i], .thumb = regs[i].seq.in.flags & DIFF_F_THUMB };
	r = run_specs(c, specs, n);
	if (!c->o.quiet)
		printf("regressions: %u sequences from %s\n", n, c->o.regressions);
	free(specs);
	free(regs);
	return r;
}

int main(int argc, char **argv)
{
	static struct ctx c;
	struct spec *specs;
	double t0 = now_s();
	unsigned total = 0;
	int r = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &c.o) || find_image(&c))
		return 2;
	if (make_dir(&c)) {
		fprintf(stderr, "difftest: work directory: %s\n", strerror(errno));
		return 2;
	}
	specs = calloc(c.o.batch, sizeof(*specs));
	if (c.o.lint) {
		make_specs(&c, c.o.seed, specs, c.o.count < c.o.batch ? c.o.count : c.o.batch, 0);
		r = lint(&c, specs, c.o.count < c.o.batch ? c.o.count : c.o.batch);
		remove_dir(&c);
		return r;
	}
	if (c.o.regressions && run_regressions(&c))
		r = 2;
	if (c.o.fuzz) {
		/* New seeds until the time is up (or forever). */
		uint64_t seed = c.o.seed != 1 ? c.o.seed : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;

		for (; !r; seed++) {
			make_specs(&c, seed, specs, c.o.batch, 0);
			if (run_specs(&c, specs, c.o.batch))
				r = 2;
			total += c.o.batch;
			printf("fuzz: seed %llu done, %u sequences, %u mismatches, %.0f s\n",
			       (unsigned long long)seed, total, c.mismatches, now_s() - t0);
			if (c.o.seconds > 0 && now_s() - t0 >= c.o.seconds)
				break;
		}
	} else if (c.o.index >= 0) {
		make_specs(&c, c.o.seed, specs, 1, (uint32_t)c.o.index);
		if (c.o.mode == MODE_MIXED)
			specs[0].thumb = c.o.index & 1;
		total = 1;
		if (c.o.dump) {
			static struct gen_seq s;

			materialize(&c, &specs[0], 0, &s);
			print_state(stdout, &s);
			for (unsigned i = 0; i < s.nitems; i++) {
				printf("  item %u (%s):\n", i, s.items[i].what);
				print_disasm(stdout, &c, &s, i, i + 1);
			}
		}
		if (run_specs(&c, specs, 1))
			r = 2;
	} else {
		for (unsigned base = 0; base < c.o.count && !r; base += c.o.batch) {
			unsigned cnt = c.o.count - base < c.o.batch ? c.o.count - base : c.o.batch;

			make_specs(&c, c.o.seed, specs, cnt, base);
			if (run_specs(&c, specs, cnt))
				r = 2;
			total += cnt;
		}
	}
	printf("difftest: %u sequences (seed %llu), %u mismatches, %u generator errors, "
	       "%u harness errors, %.1f s%s\n", total, (unsigned long long)c.o.seed,
	       c.mismatches, c.gen_errors, c.harness_errors, now_s() - t0,
	       c.o.qemu_only ? " [qemu only]" : "");
	if (c.saved)
		printf("difftest: %u reproductions appended to %s\n", c.saved, c.o.regressions);
	free(specs);
	remove_dir(&c);
	if (r)
		return r;
	return c.mismatches || c.gen_errors || c.harness_errors ? 1 : 0;
}
