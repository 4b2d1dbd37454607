/* forkexec.c — fork/exec churn: COUNT times, fork; the child execs this
 * program again (/proc/self/exe --child K), computes 1 + 2 + ... + K mod
 * 251 and exits with it; the parent waits and checks the status. Each
 * iteration makes two new address spaces (the fork's, then the exec's),
 * so it measures page-table creation, copy-on-write and the shadow's fill
 * of fresh address spaces. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define COUNT 150

static int expected(int k)
{
	return (int)((unsigned long long)k * (k + 1) / 2 % 251);
}

int bench_forkexec_child(int argc, char **argv)
{
	unsigned long long sum = 0;
	int k = argc > 0 ? atoi(argv[0]) : 0;

	for (int i = 1; i <= k; i++)
		sum += i;
	return (int)(sum % 251);
}

int bench_forkexec(int argc, char **argv)
{
	int count = argc > 0 ? atoi(argv[0]) : COUNT;

	for (int i = 0; i < count; i++) {
		char arg[16];
		int status, k = 1000 + i;
		pid_t pid;

		snprintf(arg, sizeof(arg), "%d", k);
		fflush(stdout);
		if ((pid = fork()) < 0)
			return bench_fail("forkexec", "fork %d failed", i);
		if (pid == 0) {
			execl("/proc/self/exe", "hspt-bench", "--child", arg, (char *)NULL);
			_exit(255);
		}
		if (waitpid(pid, &status, 0) != pid)
			return bench_fail("forkexec", "waitpid %d failed", i);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != expected(k))
			return bench_fail("forkexec", "child %d: status %#x, want exit %d", i,
					  status, expected(k));
	}
	return 0;
}
