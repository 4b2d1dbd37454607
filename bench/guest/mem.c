/* mem.c — the memory-bound workload: a working set far larger than any
 * TLB (32 MiB by default: 8,192 pages, 8 times the soft TLB's 1024
 * entries and beyond the host's TLB reach). It builds one random cycle
 * through all the words (Sattolo's algorithm), follows it, and sums the
 * array sequentially. Checks: the chase returns to its start after exactly
 * n steps (never earlier), and the sum of a permutation of 0..n-1 is
 * n(n-1)/2. The guest's first touch of every page is part of the time. */
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"

#define CHASES 1

int bench_mem(int argc, char **argv)
{
	uint32_t mib = argc > 0 ? (uint32_t)atoi(argv[0]) : 32, seed = 2463534242u;
	uint32_t n = mib * (1024 * 1024 / 4), *next;
	uint64_t sum = 0;

	if (!mib || !(next = malloc((size_t)n * 4)))
		return bench_fail("mem", "cannot allocate %u MiB", mib);
	for (uint32_t i = 0; i < n; i++)
		next[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {	/* Sattolo: one cycle of length n */
		/* j uniform in [0, i) by multiply-shift: a division per step
		 * would make this an arithmetic benchmark. */
		uint32_t j = (uint32_t)((uint64_t)bench_rand(&seed) * i >> 32), t = next[i];

		next[i] = next[j];
		next[j] = t;
	}
	for (int c = 0; c < CHASES; c++) {
		uint32_t p = c, steps = 0;

		do {
			p = next[p];
			steps++;
		} while (p != (uint32_t)c && steps <= n);
		if (steps != n)
			return bench_fail("mem", "chase %d: back at the start after %u steps, want %u",
					  c, steps, n);
	}
	for (uint32_t i = 0; i < n; i++)
		sum += next[i];
	free(next);
	if (sum != (uint64_t)n * (n - 1) / 2)
		return bench_fail("mem", "sum %llu, want %llu", (unsigned long long)sum,
				  (unsigned long long)n * (n - 1) / 2);
	return 0;
}
