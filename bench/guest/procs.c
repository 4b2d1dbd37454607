/* procs.c — many processes round-robin: N processes in a ring of pipes
 * pass a token TURNS times in all (TURNS / N laps each, so the work is the
 * same for every N). On each turn a process checks the token, then reads
 * and rewrites one word in each of its own PAGES pages, checking the value
 * it wrote on its previous lap. With N above the number of SPTs (group:N)
 * every turn needs a window taken from another address space; with shared
 * every turn starts from an empty window. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define TURNS 16384
#define PAGES 16
#define MAX_PROCS 256

static uint32_t stamp(int id, int lap)
{
	return (uint32_t)id << 16 | (uint32_t)lap;
}

/* Process id's life: laps turns, reading the token from in, writing it
 * to out (on the last lap to last_out: the last member hands the token
 * back to the parent there, not to member 0). Exits 0 when every check
 * held. */
static void member(int id, int nprocs, int laps, int in, int out, int last_out)
{
	uint32_t *mem = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		_exit(2);
	for (int lap = 0; lap < laps; lap++) {
		uint32_t token;

		if (read(in, &token, sizeof(token)) != sizeof(token) ||
		    token != (uint32_t)(lap * nprocs + id))
			_exit(3);
		for (int p = 0; p < PAGES; p++) {
			uint32_t *w = &mem[p * 1024 + (p * 67 + id) % 1024];

			if (*w != (lap ? stamp(id, lap - 1) : 0))
				_exit(4);
			*w = stamp(id, lap);
		}
		token++;
		if (write(lap == laps - 1 ? last_out : out, &token, sizeof(token)) != sizeof(token))
			_exit(5);
	}
	_exit(0);
}

int bench_procs(int argc, char **argv)
{
	int nprocs = argc > 0 ? atoi(argv[0]) : 8, turns = argc > 1 ? atoi(argv[1]) : TURNS;
	int laps = turns / (nprocs > 0 ? nprocs : 1), fds[MAX_PROCS][2], done[2], bad = 0, status;
	uint32_t token = 0;

	if (nprocs < 2 || nprocs > MAX_PROCS || laps < 1)
		return bench_fail("procs", "need 2..%d processes and TURNS >= N", MAX_PROCS);
	for (int i = 0; i < nprocs; i++)
		if (pipe(fds[i]))
			return bench_fail("procs", "pipe %d failed", i);
	if (pipe(done))
		return bench_fail("procs", "pipe failed");
	for (int i = 0; i < nprocs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return bench_fail("procs", "fork %d failed", i);
		if (pid == 0)
			member(i, nprocs, laps, fds[i][0], fds[(i + 1) % nprocs][1],
			       i == nprocs - 1 ? done[1] : fds[i + 1][1]);
	}
	if (write(fds[0][1], &token, sizeof(token)) != sizeof(token))
		return bench_fail("procs", "cannot start the ring");
	if (read(done[0], &token, sizeof(token)) != sizeof(token))
		return bench_fail("procs", "cannot read the token back");
	for (int i = 0; i < nprocs; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	if (bad)
		return bench_fail("procs", "%d of %d processes failed", bad, nprocs);
	if (token != (uint32_t)(laps * nprocs))
		return bench_fail("procs", "token %u after the ring, want %d", token, laps * nprocs);
	return 0;
}
