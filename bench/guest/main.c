/* main.c — hspt-bench, the benchmark's guest program (bench/README.md).
 *
 *     hspt-bench NAME [ARGS]
 *
 * Runs one workload, times it with the guest's CLOCK_MONOTONIC and prints
 * "hspt-bench: NAME PASS T s" (or the workload's FAIL line). One static
 * binary for every workload keeps the initramfs small, and fork/exec
 * churn execs this same file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int bench_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("hspt-bench: %s FAIL ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

static const struct workload {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
	/* The first argument is part of the reported name (procs 8: procs8). */
	int name_arg;
} workloads[] = {
	{ .name = "int", .run = bench_int, .what = "integer: sieve, CRC32 two ways, 64-bit division" },
	{ .name = "fp", .run = bench_fp, .what = "floating point: integration, orthogonal matrices, Newton square roots" },
	{ .name = "mem", .run = bench_mem, .what = "memory: pointer chase through a 32 MiB random cycle [MiB]" },
	{ .name = "forkexec", .run = bench_forkexec, .what = "fork + exec + wait churn [COUNT]" },
	{ .name = "--child", .run = bench_forkexec_child, .what = "(the exec'd child of forkexec)" },
	{ .name = "pipe", .run = bench_pipe, .what = "pipe ping-pong between two processes [ROUND-TRIPS]" },
	{ .name = "procs", .run = bench_procs, .name_arg = 1,
	  .what = "token ring through N processes, each touching its pages: N [TURNS]" },
};

static void usage(void)
{
	fprintf(stderr, "usage: hspt-bench NAME [ARGS]\n");
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		fprintf(stderr, "  %-9s %s\n", workloads[i].name, workloads[i].what);
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	char name[64];
	double t0, t1;

	for (size_t i = 0; argc > 1 && i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(argv[1], workloads[i].name))
			w = &workloads[i];
	if (!w) {
		usage();
		return 2;
	}
	if (w->run == bench_forkexec_child)
		return w->run(argc - 2, argv + 2);
	snprintf(name, sizeof(name), "%s%s", w->name, w->name_arg && argc > 2 ? argv[2] : "");
	t0 = bench_now();
	if (w->run(argc - 2, argv + 2))
		return 1;
	t1 = bench_now();
	printf("hspt-bench: %s PASS %.3f s\n", name, t1 - t0);
	return 0;
}
