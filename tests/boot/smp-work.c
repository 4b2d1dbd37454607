/*
 * hspt-smp-work — the acceptance workload the guest's /init runs on every
 * CPU at once (scripts/guest-init.sh, hspt.workload=smp; tests/boot/README.md).
 *
 *   hspt-smp-work [-w WORKERS] [-j JOBS]
 *   hspt-smp-work --table          print the expected-results table
 *   hspt-smp-work --child          one job (internal: what workers exec)
 *
 * The parent starts WORKERS processes (default: one per online CPU), each
 * pinned to its own CPU. Worker w runs jobs w, w+WORKERS, ... one at a time:
 * it forks, the child execs this program again with --child, and the two
 * talk over a pair of pipes. The worker streams DATA_BYTES of pseudo-random
 * data to the child; the child hashes them, computes an integer part (a
 * prime sieve and 64-bit arithmetic with division) and a floating-point
 * part (a Mandelbrot grid, square roots and divisions) and writes one result
 * line back. The worker forwards the line to the parent, which checks every
 * job against the table below, checks that each child ran on its worker's
 * CPU, and prints one line: "hspt-work: PASS ..." or "hspt-work: FAIL ...".
 * Exit status 0 on PASS, 1 otherwise.
 *
 * The table holds exact bit patterns. Only integer operations and IEEE
 * add/sub/mul/div/sqrt are used, built with -ffp-contract=off, so a host
 * build of this file (gcc -O2 -ffp-contract=off -fno-math-errno ... -lm)
 * prints the same table with --table as the ARM build does; that is how
 * the table was made, and how it is regenerated if the work changes.
 *
 * Size: the 16 jobs' computation is 143 M ARM instructions (counted with
 * qemu-arm -singlestep; 0.4-0.8 s under qemu-system-arm on one vCPU with
 * the kernel's part), so that slower emulators still run it in seconds.
 * The 64-bit division is most of the integer part's cost: about 700
 * instructions a round in libgcc's Thumb-2 code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JOBS_MAX	16
#define DATA_BYTES	(96 * 1024)
#define CHUNK_BYTES	4096
#define SIEVE_BASE	120000
#define SIEVE_STEP	2048
#define LCG_ROUNDS	5000
#define MANDEL_W	48
#define MANDEL_H	36
#define MANDEL_ITERS	256
#define ROOT_ROUNDS	40000
#define SELF_EXE	"/proc/self/exe"

struct job_result {
	uint32_t data;		/* FNV-1a of the streamed data */
	uint32_t ints;		/* sieve and LCG hash */
	uint32_t iters;		/* Mandelbrot iterations */
	uint64_t fp;		/* bits of the floating-point sum */
};

/* Generated with --table by a host build (see the top of the file). */
static const struct job_result expected[JOBS_MAX] = {
#include "smp-work-table.h"
};

static const char *prog = "hspt-smp-work";

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static uint32_t data_seed(unsigned job)
{
	return 0x9e3779b9u * (job + 1);
}

/* The data a worker streams for JOB, CHUNK_BYTES at a time from STATE. */
static void data_fill(uint8_t *buf, size_t n, uint32_t *state)
{
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t v = xorshift32(state);

		memcpy(buf + i, &v, 4);
	}
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t int_work(unsigned job)
{
	static uint8_t composite[SIEVE_BASE + JOBS_MAX * SIEVE_STEP];
	unsigned limit = SIEVE_BASE + job * SIEVE_STEP;
	uint32_t h = 2166136261u;
	uint64_t x = job;

	memset(composite, 0, limit);
	for (unsigned p = 2; p < limit; p++) {
		if (composite[p])
			continue;
		h = (h ^ p) * 16777619u;
		for (unsigned m = p * 2; m < limit; m += p)
			composite[m] = 1;
	}
	/* 64-bit multiply and 32-bit division by a changing divisor. */
	for (uint32_t i = 0; i < LCG_ROUNDS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		h += (uint32_t)(x >> 33) % (i + 7) + (uint32_t)(x / (i + 3));
	}
	return h;
}

static uint64_t fp_work(unsigned job, uint32_t *iters)
{
	double sum = 0.0;
	uint64_t bits;

	*iters = 0;
	for (int py = 0; py < MANDEL_H; py++) {
		for (int px = 0; px < MANDEL_W; px++) {
			double cr = -2.1 + (px + job * 0.37) * (2.7 / MANDEL_W);
			double ci = -1.2 + py * (2.4 / MANDEL_H);
			double zr = 0.0, zi = 0.0;
			int n = 0;

			while (n < MANDEL_ITERS && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;

				zi = 2.0 * zr * zi + ci;
				zr = t;
				n++;
			}
			*iters += n;
			sum += zr * zr + zi * zi > 4.0 ? 1.0 / (zr * zr + zi * zi) : zr - zi;
		}
	}
	for (int i = 1; i <= ROOT_ROUNDS; i++) {
		double v = i * 0.5 + job;

		sum += sqrt(v) / (1.0 + v) - 1.0 / (v + 3.0);
	}
	memcpy(&bits, &sum, sizeof(bits));
	return bits;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until N bytes or end of file; returns the count or -1. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * --child: stdin carries "job J BYTES\n" then BYTES of data; stdout gets
 * "result J cpu=C data=... ints=... iters=... fp=...\n".
 */
static int child_main(void)
{
	static uint8_t buf[DATA_BYTES];
	char header[64];
	unsigned job, bytes;
	struct job_result r;
	size_t len = 0;

	/* The header is read a byte at a time so no data is consumed with it. */
	while (len + 1 < sizeof(header)) {
		if (read_full(0, header + len, 1) != 1)
			break;
		if (header[len++] == '\n')
			break;
	}
	header[len] = '\0';
	if (sscanf(header, "job %u %u", &job, &bytes) != 2 || job >= JOBS_MAX || bytes != DATA_BYTES) {
		fprintf(stderr, "%s: child: bad header '%s'\n", prog, header);
		return 1;
	}
	if (read_full(0, buf, bytes) != (ssize_t)bytes) {
		fprintf(stderr, "%s: child: job %u: short data\n", prog, job);
		return 1;
	}
	r.data = fnv1a(2166136261u, buf, bytes);
	r.ints = int_work(job);
	r.fp = fp_work(job, &r.iters);
	printf("result %u cpu=%d data=%08" PRIx32 " ints=%08" PRIx32 " iters=%" PRIu32 " fp=%016" PRIx64 "\n",
	       job, sched_getcpu(), r.data, r.ints, r.iters, r.fp);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Runs JOB in a fork+exec'd child; its result line goes to OUT. */
static int worker_job(unsigned job, FILE *out)
{
	uint8_t chunk[CHUNK_BYTES];
	uint32_t state = data_seed(job);
	int to_child[2], from_child[2], status = 0;
	char line[160], header[32];
	ssize_t n;
	pid_t pid;

	if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0) {
		fprintf(out, "error job %u: pipe: %s\n", job, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(out, "error job %u: fork: %s\n", job, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0)
			_exit(126);
		close(to_child[0]); close(to_child[1]);
		close(from_child[0]); close(from_child[1]);
		execl(SELF_EXE, prog, "--child", (char *)NULL);
		fprintf(stderr, "%s: exec %s: %s\n", prog, SELF_EXE, strerror(errno));
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	snprintf(header, sizeof(header), "job %u %u\n", job, DATA_BYTES);
	int bad = write_all(to_child[1], header, strlen(header));
	for (size_t off = 0; !bad && off < DATA_BYTES; off += CHUNK_BYTES) {
		data_fill(chunk, CHUNK_BYTES, &state);
		bad = write_all(to_child[1], chunk, CHUNK_BYTES);
	}
	close(to_child[1]);
	n = read_full(from_child[0], line, sizeof(line) - 1);
	close(from_child[0]);
	line[n > 0 ? n : 0] = '\0';
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(out, "error job %u: child failed (status 0x%x)\n", job, status);
		return -1;
	}
	if (bad || n <= 0 || line[n - 1] != '\n') {
		fprintf(out, "error job %u: no result over the pipe\n", job);
		return -1;
	}
	fputs(line, out);
	return 0;
}

/* Worker W of NW, pinned to CPU: jobs W, W+NW, ...; results to FD. */
static int worker_main(unsigned w, unsigned nw, unsigned jobs, int cpu, int fd)
{
	FILE *out = fdopen(fd, "w");
	cpu_set_t set;
	int rc = 0;

	if (!out)
		return 1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(out, "error worker %u: cannot pin to cpu %d: %s\n", w, cpu, strerror(errno));
		rc = 1;
	}
	fprintf(out, "worker %u cpu=%d\n", w, cpu);
	for (unsigned j = w; rc == 0 && j < jobs; j += nw)
		if (worker_job(j, out) < 0)
			rc = 1;
	return fclose(out) == 0 ? rc : 1;
}

struct tally {
	unsigned done[JOBS_MAX];
	int worker_cpu[JOBS_MAX];	/* indexed by worker */
	unsigned bad;
	char why[200];
};

static void tally_fail(struct tally *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tally_fail(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	/* The first reason is the one reported; the first ten go to stderr. */
	va_start(ap, fmt);
	if (t->bad++ == 0)
		vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	if (t->bad <= 10) {
		fprintf(stderr, "%s: ", prog);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

/* Checks one line a worker sent. */
static void check_line(struct tally *t, unsigned w, unsigned nw, const char *line)
{
	struct job_result r;
	unsigned job, wk;
	int cpu;

	if (sscanf(line, "worker %u cpu=%d", &wk, &cpu) == 2) {
		t->worker_cpu[w] = cpu;
		return;
	}
	if (sscanf(line, "result %u cpu=%d data=%" SCNx32 " ints=%" SCNx32 " iters=%" SCNu32 " fp=%" SCNx64,
		   &job, &cpu, &r.data, &r.ints, &r.iters, &r.fp) != 6) {
		tally_fail(t, "worker %u: %.120s", w, line);
		return;
	}
	if (job >= JOBS_MAX || job % nw != w) {
		tally_fail(t, "worker %u reported job %u", w, job);
		return;
	}
	t->done[job]++;
	const struct job_result *e = &expected[job];
	if (r.data != e->data)
		tally_fail(t, "job %u: pipe data hash %08" PRIx32 " != %08" PRIx32, job, r.data, e->data);
	if (r.ints != e->ints)
		tally_fail(t, "job %u: integer result %08" PRIx32 " != %08" PRIx32, job, r.ints, e->ints);
	if (r.iters != e->iters || r.fp != e->fp)
		tally_fail(t, "job %u: floating-point result %" PRIu32 "/%016" PRIx64 " != %" PRIu32 "/%016" PRIx64,
			   job, r.iters, r.fp, e->iters, e->fp);
	if (cpu != t->worker_cpu[w])
		tally_fail(t, "job %u ran on cpu %d, its worker is pinned to cpu %d", job, cpu, t->worker_cpu[w]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The CPUs this process may run on, in order; returns how many. */
static unsigned online_cpus(int *cpus, unsigned max)
{
	cpu_set_t set;
	unsigned n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static int run(unsigned nw, unsigned jobs)
{
	int cpus[JOBS_MAX], fds[JOBS_MAX], status = 0;
	pid_t pids[JOBS_MAX];
	struct tally t = { .bad = 0 };
	unsigned ncpu = online_cpus(cpus, JOBS_MAX);
	double t0 = now();
	char line[200];

	/* A child that dies early must not kill its worker with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (ncpu == 0) {
		printf("hspt-work: FAIL cannot read the CPU affinity mask\n");
		return 1;
	}
	if (nw == 0)
		nw = ncpu < jobs ? ncpu : jobs;
	for (unsigned w = 0; w < nw; w++) {
		int p[2];

		t.worker_cpu[w] = -1;
		if (pipe2(p, O_CLOEXEC) < 0 || (pids[w] = fork()) < 0) {
			printf("hspt-work: FAIL cannot start worker %u: %s\n", w, strerror(errno));
			return 1;
		}
		if (pids[w] == 0) {
			close(p[0]);
			for (unsigned v = 0; v < w; v++)
				close(fds[v]);
			_exit(worker_main(w, nw, jobs, cpus[w % ncpu], p[1]));
		}
		close(p[1]);
		fds[w] = p[0];
	}
	for (unsigned w = 0; w < nw; w++) {
		FILE *in = fdopen(fds[w], "r");

		while (in && fgets(line, sizeof(line), in))
			check_line(&t, w, nw, line);
		if (in)
			fclose(in);
		if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			tally_fail(&t, "worker %u failed (status 0x%x)", w, status);
	}
	for (unsigned j = 0; j < jobs; j++)
		if (t.done[j] != 1)
			tally_fail(&t, "job %u reported %u times", j, t.done[j]);
	if (t.bad) {
		if (t.bad > 1)
			printf("hspt-work: FAIL %s (and %u more)\n", t.why, t.bad - 1);
		else
			printf("hspt-work: FAIL %s\n", t.why);
		return 1;
	}
	printf("hspt-work: PASS %u jobs (fork+exec, pipes, integer and FP) on %u workers over %u cpus in %.2f s\n",
	       jobs, nw, nw < ncpu ? nw : ncpu, now() - t0);
	return 0;
}

static void print_table(void)
{
	for (unsigned j = 0; j < JOBS_MAX; j++) {
		uint32_t state = data_seed(j), h = 2166136261u;
		uint8_t chunk[CHUNK_BYTES];
		struct job_result r;

		for (size_t off = 0; off < DATA_BYTES; off += CHUNK_BYTES) {
			data_fill(chunk, CHUNK_BYTES, &state);
			h = fnv1a(h, chunk, CHUNK_BYTES);
		}
		r.data = h;
		r.ints = int_work(j);
		r.fp = fp_work(j, &r.iters);
		printf("\t{ .data = 0x%08" PRIx32 ", .ints = 0x%08" PRIx32 ", .iters = %" PRIu32
		       ", .fp = 0x%016" PRIx64 " },\n", r.data, r.ints, r.iters, r.fp);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: %s [-w WORKERS] [-j JOBS (1-%d)] | --table | --child\n", prog, JOBS_MAX);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned workers = 0, jobs = JOBS_MAX;
	int opt;

	/* Lines in order with stderr's when /init pipes them through tee. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 2 && strcmp(argv[1], "--child") == 0)
		return child_main();
	if (argc == 2 && strcmp(argv[1], "--table") == 0) {
		print_table();
		return 0;
	}
	while ((opt = getopt(argc, argv, "w:j:")) != -1) {
		switch (opt) {
		case 'w':
			workers = (unsigned)atoi(optarg);
			break;
		case 'j':
			jobs = (unsigned)atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || jobs < 1 || jobs > JOBS_MAX || workers > jobs)
		return usage();
	return run(workers, jobs);
}
