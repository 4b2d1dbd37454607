/* worker.h — `hsptd worker`: the process that runs one VM for the
 * supervisor (worker.c describes the protocol it serves). */
#ifndef HSPT_DAEMON_WORKER_H
#define HSPT_DAEMON_WORKER_H

/* argv[0] is "worker"; --fd N is the socketpair end the supervisor gave
 * it. Returns the process exit status: 0 when the worker reported why
 * its VM stopped (or never started one), 1 when it could not serve, 2 on
 * bad usage. */
int worker_main(int argc, char **argv);

#endif
