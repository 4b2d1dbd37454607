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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/diff/difftest.h"

/* Where a sequence comes from. */
struct spec {
	bool thumb;
	uint64_t seed;
	uint32_t index;
	const struct regress *reg;	/* or from the regression file */
};

/* Set by SIGINT/SIGTERM: finish the batch at hand, then stop. */
static volatile sig_atomic_t diff_interrupted;

static void on_interrupt(int sig)
{
	diff_interrupted = 1;
}

/* ---- sequences ---- */

static void materialize(const struct diff_ctx *c, const struct spec *sp, uint32_t pos, struct gen_seq *s)
{
	if (sp->reg) {
		*s = sp->reg->seq;
	} else {
		struct gen_opts go = { .thumb = sp->thumb, .vfp = c->o.vfp, .items = c->o.items };

		gen_sequence(s, sp->seed, sp->index, &go);
	}
	s->in.index = pos;
}

/* How to get the sequence again (difftest --dump shows it). */
static void describe(const struct diff_ctx *c, const struct spec *sp, char *buf, size_t len)
{
	char items[32] = "";

	if (c->o.items)
		snprintf(items, sizeof(items), " --items %u", c->o.items);
	if (sp->reg)
		snprintf(buf, len, "regression \"%s\"", sp->reg->name);
	else
		snprintf(buf, len, "--seed %llu --index %u --%s%s%s", (unsigned long long)sp->seed,
			 sp->index, sp->thumb ? "thumb" : "arm", c->o.vfp ? "" : " --no-vfp", items);
}

/* Compare the outputs of one batch; report and minimize mismatches. */
static void check_batch(struct diff_ctx *c, const struct spec *specs, unsigned n, struct outputs *out)
{
	static struct gen_seq s;
	unsigned nq = (unsigned)(out->q.len / sizeof(struct diff_out));
	unsigned nh = (unsigned)(out->h.len / sizeof(struct diff_out));

	if (diff_interrupted)
		return;		/* the children got the signal too */
	if (!out->q_ok || nq != n) {
		printf("qemu-arm failed after %u of %u sequences: %s\n", nq, n,
		       out->q_ok ? "short output" : out->q_why);
		c->harness_errors++;
	}
	if (!c->o.qemu_only && (!out->h_ok || nh != n))
		printf("hspt runner failed after %u of %u sequences: %s\n", nh, n,
		       out->h_ok ? "short output" : out->h_why);
	for (unsigned i = 0; i < n && i < nq; i++) {
		const struct diff_out *q = batch_record(&out->q, i), *h = batch_record(&out->h, i);
		char what[128], code[8 * DIFF_CODE_MAX];

		describe(c, &specs[i], what, sizeof(what));
		if (q->magic != DIFF_OUT_MAGIC || q->index != i) {
			printf("qemu output record %u is corrupt\n", i);
			c->harness_errors++;
			return;
		}
		if (q->status && !specs[i].reg &&
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
		if (h && !report_compare(q, h, NULL))
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
			report_minimize(c, &s, what, !specs[i].reg);
			if (nh < n)
				return;	/* nothing after a crash can be compared */
			continue;
		}
		report_compare(q, h, stdout);
		report_minimize(c, &s, what, !specs[i].reg);
	}
}

/* Run specs[0..n) as one batch per c->o.batch sequences. */
static int run_specs(struct diff_ctx *c, const struct spec *specs, unsigned n)
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
		if (batch_run(c, &blob, cnt, &out)) {
			buf_free(&blob);
			return -1;
		}
		buf_free(&blob);
		check_batch(c, specs + base, cnt, &out);
		batch_outputs_free(&out);
	}
	return 0;
}

static void make_specs(const struct diff_ctx *c, uint64_t seed, struct spec *specs, unsigned n,
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

static int lint(struct diff_ctx *c, const struct spec *specs, unsigned n)
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

static int parse_opts(int argc, char **argv, struct diff_opts *o)
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

	*o = (struct diff_opts){ .seed = 1, .count = 1000, .mode = MODE_MIXED, .vfp = true,
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
static int find_image(struct diff_ctx *c)
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

static int make_dir(struct diff_ctx *c)
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

static void remove_dir(struct diff_ctx *c)
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

static int run_regressions(struct diff_ctx *c)
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
	for (unsigned i = 0; i < n; i++) {
		unsigned key;

		specs[i] = (struct spec){ .reg = &regs[i], .thumb = regs[i].seq.in.flags & DIFF_F_THUMB };
		if (sscanf(regs[i].name, "%*s %8x", &key) == 1)
			report_seen(c, key);
	}
	r = run_specs(c, specs, n);
	printf("regressions: %u sequences from %s\n", n, c->o.regressions);
	free(specs);
	free(regs);
	return r;
}

/* New seeds, one batch each, until the time is up (or forever). */
static int run_fuzz(struct diff_ctx *c, struct spec *specs, unsigned *total, double t0)
{
	uint64_t seed = c->o.seed != 1 ? c->o.seed
		: ((uint64_t)time(NULL) ^ (uint64_t)getpid() << 16) & 0xffffffffu;

	c->o.seed = seed;
	for (; !diff_interrupted; seed++) {
		make_specs(c, seed, specs, c->o.batch, 0);
		if (run_specs(c, specs, c->o.batch))
			return -1;
		*total += c->o.batch;
		printf("fuzz: seed %llu done, %u sequences, %u mismatches, %.0f s\n",
		       (unsigned long long)seed, *total, c->mismatches, batch_now() - t0);
		if (c->o.seconds > 0 && batch_now() - t0 >= c->o.seconds)
			break;
	}
	return 0;
}

/* --index I: that one sequence, disassembled first with --dump. */
static int run_index(struct diff_ctx *c, struct spec *specs)
{
	static struct gen_seq s;

	make_specs(c, c->o.seed, specs, 1, (uint32_t)c->o.index);
	if (c->o.mode == MODE_MIXED)
		specs[0].thumb = c->o.index & 1;
	if (c->o.dump) {
		materialize(c, &specs[0], 0, &s);
		report_state(stdout, &s);
		for (unsigned i = 0; i < s.nitems; i++) {
			printf("  item %u (%s):\n", i, s.items[i].what);
			report_disasm(stdout, c, &s, i, i + 1);
		}
	}
	return run_specs(c, specs, 1);
}

int main(int argc, char **argv)
{
	static struct diff_ctx c;
	struct spec *specs;
	double t0 = batch_now();
	unsigned total = 0;
	int r = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	if (parse_opts(argc, argv, &c.o) || find_image(&c))
		return 2;
	if (make_dir(&c)) {
		fprintf(stderr, "difftest: work directory: %s\n", strerror(errno));
		return 2;
	}
	specs = calloc(c.o.batch, sizeof(*specs));
	if (c.o.lint) {
		unsigned n = c.o.count < c.o.batch ? c.o.count : c.o.batch;

		make_specs(&c, c.o.seed, specs, n, 0);
		r = lint(&c, specs, n);
		remove_dir(&c);
		return r;
	}
	if (c.o.regressions && run_regressions(&c))
		r = 2;
	if (!r && c.o.fuzz) {
		r = run_fuzz(&c, specs, &total, t0) ? 2 : 0;
	} else if (!r && c.o.index >= 0) {
		total = 1;
		r = run_index(&c, specs) ? 2 : 0;
	} else {
		for (unsigned base = 0; base < c.o.count && !r && !diff_interrupted; base += c.o.batch) {
			unsigned cnt = c.o.count - base < c.o.batch ? c.o.count - base : c.o.batch;

			make_specs(&c, c.o.seed, specs, cnt, base);
			r = run_specs(&c, specs, cnt) ? 2 : 0;
			total += cnt;
		}
	}
	printf("difftest: %u sequences (seed %llu%s), %u mismatches, %u generator errors, "
	       "%u harness errors, %.1f s%s\n", total, (unsigned long long)c.o.seed,
	       c.o.fuzz ? " and up" : "", c.mismatches, c.gen_errors, c.harness_errors,
	       batch_now() - t0, c.o.qemu_only ? " [qemu only]" : "");
	if (c.saved)
		printf("difftest: %u reproductions appended to %s\n", c.saved, c.o.regressions);
	free(specs);
	remove_dir(&c);
	if (r)
		return r;
	return c.mismatches || c.gen_errors || c.harness_errors ? 1 : 0;
}
