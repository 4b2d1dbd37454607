/* main.c — hsptd: the hspt emulator daemon. `hsptd run` runs one VM in
 * the foreground; the supervisor (`hsptd serve`) arrives with the control
 * socket. */
#include <stdio.h>
#include <string.h>

#include "daemon/run.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hsptd run --kernel FILE [options]   (hsptd run --help)\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
