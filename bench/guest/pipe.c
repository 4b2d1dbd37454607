/* pipe.c — pipe ping-pong: a parent and a child pass a counter back and
 * forth through two pipes, each adding one; ROUND-TRIPS times. Every
 * hand-over is a context switch between two address spaces, which is what
 * the SPT organizations differ on (shared flushes its one window; the
 * others switch GS base). The parent checks every value it gets back and
 * the child's exit status. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define ROUND_TRIPS 20000

static int xfer(int fd, uint32_t *v, int out)
{
	ssize_t n = out ? write(fd, v, sizeof(*v)) : read(fd, v, sizeof(*v));

	return n == sizeof(*v) ? 0 : -1;
}

static void child(int in, int out, int trips)
{
	uint32_t v;

	for (int i = 0; i < trips; i++) {
		if (xfer(in, &v, 0) || v != 2u * i)
			_exit(1);
		v++;
		if (xfer(out, &v, 1))
			_exit(1);
	}
	_exit(0);
}

int bench_pipe(int argc, char **argv)
{
	int trips = argc > 0 ? atoi(argv[0]) : ROUND_TRIPS, down[2], up[2], status;
	uint32_t v = 0;
	pid_t pid;

	if (pipe(down) || pipe(up))
		return bench_fail("pipe", "pipe() failed");
	if ((pid = fork()) < 0)
		return bench_fail("pipe", "fork failed");
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		child(down[0], up[1], trips);
	}
	close(down[0]);
	close(up[1]);
	for (int i = 0; i < trips; i++) {
		if (xfer(down[1], &v, 1) || xfer(up[0], &v, 0))
			return bench_fail("pipe", "round trip %d: pipe read/write failed", i);
		if (v != 2u * i + 1)
			return bench_fail("pipe", "round trip %d: got %u, want %u", i, v, 2 * i + 1);
		v++;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return bench_fail("pipe", "child failed (status %#x)", status);
	return 0;
}
