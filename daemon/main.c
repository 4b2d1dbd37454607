/* main.c — hsptd: the hspt emulator daemon. `hsptd serve` (the default)
 * is the supervisor with the control socket; `hsptd run` runs one VM in
 * the foreground; `hsptd worker` is one VM's process, started by serve. */
#include <stdio.h>
#include <string.h>

#include "daemon/run.h"
#include "daemon/server.h"
#include "daemon/worker.h"
#include "util/version.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hsptd [serve] [options]            (hsptd serve --help)\n"
		   "       hsptd run --kernel FILE [options]   (hsptd run --help)\n"
		   "       hsptd --version\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "worker"))
		return worker_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("hsptd %s\n", HSPT_VERSION);
		return 0;
	}
	/* No subcommand, or options only: serve. */
	if (argc < 2 || argv[1][0] == '-')
		return serve_main(argc, argv);
	usage(stderr);
	return 2;
}
