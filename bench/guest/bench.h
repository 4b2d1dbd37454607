/* bench.h — what the benchmark's guest workloads share (bench/README.md).
 *
 * Each workload is one function of hspt-bench, runs in the guest under
 * Linux, checks its own result and reports one line on the console:
 *
 *     hspt-bench: NAME PASS 1.234 s        (guest CLOCK_MONOTONIC)
 *     hspt-bench: NAME FAIL <reason>
 *
 * The host-side driver (bench/run.sh) parses exactly these lines. */
#ifndef HSPT_BENCH_GUEST_H
#define HSPT_BENCH_GUEST_H

#include <stdint.h>

/* Guest monotonic time in seconds. */
double bench_now(void);

/* Print the FAIL line for NAME with a printf-style reason; returns 1 so
 * that a workload can `return bench_fail(...)`. */
int bench_fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* xorshift32: the workloads' deterministic pseudo-random source. */
static inline uint32_t bench_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* The workloads. argc/argv are what follows the workload's name; each
 * returns 0 on PASS (having printed nothing) or 1 after bench_fail(). */
int bench_int(int argc, char **argv);
int bench_fp(int argc, char **argv);
int bench_mem(int argc, char **argv);
int bench_forkexec(int argc, char **argv);
int bench_forkexec_child(int argc, char **argv);
int bench_pipe(int argc, char **argv);
int bench_procs(int argc, char **argv);

#endif
