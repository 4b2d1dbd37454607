/* int.c — the compute-bound integer workload: a bit-packed prime sieve,
 * CRC32 computed bit by bit and by table, and 64-bit division. Each part
 * is checked against a fact that does not depend on the emulator: the
 * number of primes below 2^21, the two CRCs agreeing (and the CRC of
 * "123456789" being 0xcbf43926), and q * d + r == x with r < d. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define SIEVE_N (1u << 21)
#define PRIMES_BELOW_2_21 155611u	/* pi(2097152) */
#define CRC_BYTES (64 * 1024)
#define ROUNDS 6

static uint32_t sieve_count(uint32_t *bits)
{
	uint32_t count = 0;

	memset(bits, 0, SIEVE_N / 8);
	for (uint32_t i = 2; i * i < SIEVE_N; i++)
		if (!(bits[i / 32] >> (i % 32) & 1))
			for (uint32_t j = i * i; j < SIEVE_N; j += i)
				bits[j / 32] |= 1u << (j % 32);
	for (uint32_t i = 2; i < SIEVE_N; i++)
		count += !(bits[i / 32] >> (i % 32) & 1);
	return count;
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint32_t crc_table(const uint32_t *t, const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++)
		c = t[(c ^ p[i]) & 0xff] ^ c >> 8;
	return ~c;
}

static void crc_make_table(uint32_t *t)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
		t[i] = c;
	}
}

/* 64-bit division through the EABI helpers (ARMv7-A has no 64-bit divide):
 * returns the number of wrong quotients, 0 when all are right. */
static unsigned div64_check(uint32_t *seed, unsigned n)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t x = (uint64_t)bench_rand(seed) << 32 | bench_rand(seed);
		uint64_t d = (bench_rand(seed) >> (i % 31)) | 1;
		uint64_t q = x / d, r = x % d;

		bad += q * d + r != x || r >= d;
	}
	return bad;
}

int bench_int(int argc, char **argv)
{
	static uint32_t bits[SIEVE_N / 32];
	static uint8_t data[CRC_BYTES];
	uint32_t table[256], seed = 12345;
	int rounds = argc > 0 ? atoi(argv[0]) : ROUNDS;

	crc_make_table(table);
	if (crc_bitwise((const uint8_t *)"123456789", 9) != 0xcbf43926u)
		return bench_fail("int", "CRC32 of \"123456789\" is not 0xcbf43926");
	for (int r = 0; r < rounds; r++) {
		uint32_t n = sieve_count(bits), a, b;
		unsigned bad;

		if (n != PRIMES_BELOW_2_21)
			return bench_fail("int", "round %d: %u primes below 2^21, want %u",
					  r, n, PRIMES_BELOW_2_21);
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = bench_rand(&seed) >> 24;
		a = crc_bitwise(data, sizeof(data));
		b = crc_table(table, data, sizeof(data));
		if (a != b)
			return bench_fail("int", "round %d: CRC32 bitwise %#x != table %#x", r, a, b);
		if ((bad = div64_check(&seed, 200000)))
			return bench_fail("int", "round %d: %u wrong 64-bit divisions", r, bad);
	}
	return 0;
}
