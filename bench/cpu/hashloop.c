/* hashloop.c — a compute-bound bare-metal guest for `make bench`: integer
 * hashing over a 16 KiB table (no TLB pressure: it measures the CPU, not
 * the MMU). Runs on the test machine (tests/guest/runner.c) and reports
 * through its test device; 99 M instructions. */
#include <stdint.h>

#define TDEV_EXIT 0x0a000004u
#define TABLE ((uint32_t *)0x40400000u)

void main_c(void)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < 4096; i++)
		TABLE[i] = i * 2654435761u;
	for (uint32_t round = 0; round < 6000; round++)
		for (uint32_t i = 0; i < 4096; i += 4) {
			h = (h ^ TABLE[i]) * 16777619u;
			h ^= h >> 13;
			TABLE[(i + h) & 4095] += h;
		}
	/* Pass unless the hash degenerated (which a CPU bug would show). */
	*(volatile uint32_t *)TDEV_EXIT = h == 0;
	for (;;)
		;
}
