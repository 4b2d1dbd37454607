/* run.h — `hsptd run`: one VM in the foreground, console on stdio. */
#ifndef HSPT_DAEMON_RUN_H
#define HSPT_DAEMON_RUN_H

/* Exit statuses of `hsptd run`. */
#define RUN_EXIT_POWEROFF 0	/* the guest powered off */
#define RUN_EXIT_FAILED   1	/* the VM failed: vCPU error, reset loop */
#define RUN_EXIT_USAGE    2	/* bad option, missing or malformed image */
#define RUN_EXIT_STOPPED  3	/* the user stopped it (escape key, signal) */

/* argv[0] is "run". Returns the process exit status. */
int run_main(int argc, char **argv);

#endif
