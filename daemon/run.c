/* run.c — `hsptd run`: parse the options, build the board, put the console
 * on stdio, and wait for the guest to power off. A guest reset reboots
 * the VM from its images, unless it resets over and over. */
#include "daemon/run.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/console.h"
#include "machine/board.h"
#include "util/log.h"
#include "util/size.h"

struct run {
	struct board_config cfg;
	bool stats;
	struct console console;
	struct board *board;		/* the VM now running, if any */
	pthread_mutex_t lock;		/* protects board and quit */
	bool quit;			/* the user asked to stop */
	sigset_t signals;		/* handled by the signal thread */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hsptd run --kernel FILE [--initrd FILE] [--append STRING]\n"
		"                 [--vcpus N] [--memory SIZE] [--spt soft|shared|private|group:N]\n"
		"                 [--stats] [--guest-decompress] [--verbose]\n"
		"\n"
		"Runs one VM in the foreground with its console on standard input and\n"
		"output (C-a x quits when that is a terminal). Defaults: 1 vCPU,\n"
		"512M of RAM, --spt private, --append \"%s\".\n"
		"A zImage's kernel is decompressed on the host unless --guest-decompress\n"
		"asks for its own decompressor to run in the guest.\n"
		"Exit status: 0 the guest powered off, 1 the VM failed, 2 bad usage\n"
		"or images, 3 stopped by the user.\n",
		BOARD_DEFAULT_CMDLINE);
}

static int parse_options(struct run *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "spt", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, 'S' },
		{ "guest-decompress", no_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int o;

	r->cfg.ncpus = 1;
	r->cfg.ram_size = BOARD_DEFAULT_RAM;
	r->cfg.spt.org = SHADOW_ORG_PRIVATE;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'k': r->cfg.kernel = optarg; break;
		case 'i': r->cfg.initrd = optarg; break;
		case 'a': r->cfg.cmdline = optarg; break;
		case 'S': r->stats = true; break;
		case 'G': r->cfg.guest_decompress = true; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'c':
			if (parse_count(optarg, 1, VIRT_MAX_CPUS, &r->cfg.ncpus)) {
				fprintf(stderr, "hsptd run: --vcpus: '%s' is not a number in 1..%u\n",
					optarg, VIRT_MAX_CPUS);
				return -EINVAL;
			}
			break;
		case 'm':
			if (parse_size(optarg, &r->cfg.ram_size)) {
				fprintf(stderr, "hsptd run: --memory: '%s' is not a size "
						"(examples: 512M, 1G)\n", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			if (shadow_parse_org(optarg, &r->cfg.spt)) {
				fprintf(stderr, "hsptd run: --spt: '%s' is not soft, shared, "
						"private or group:N\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hsptd run: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!r->cfg.kernel) {
		fprintf(stderr, "hsptd run: --kernel FILE is required\n");
		return -EINVAL;
	}
	return 0;
}

/* Stop the running VM for the user (escape key or signal). */
static void user_quit(void *opaque)
{
	struct run *r = opaque;

	pthread_mutex_lock(&r->lock);
	r->quit = true;
	if (r->board)
		board_stop(r->board);
	pthread_mutex_unlock(&r->lock);
}

static void *signal_main(void *arg)
{
	struct run *r = arg;
	int sig;

	for (;;) {
		if (sigwait(&r->signals, &sig))
			continue;
		if (sig == SIGUSR1)
			return NULL;	/* run_main is done */
		log_info("hsptd run: %s: stopping the VM", strsignal(sig));
		user_quit(r);
	}
}

static void print_stats(struct board *b, uint64_t ns)
{
	struct shadow_stats total = { 0 };

	fprintf(stderr, "hsptd run: %u vCPUs, %.3f s, spt %s\n", b->ncpus, ns / 1e9,
		shadow_org_name(shadow_vm_config(b->svm)->org));
	for (unsigned i = 0; i < b->ncpus; i++) {
		struct board_cpu_stats st;

		board_cpu_stats(b, i, &st);
		fprintf(stderr, "  vcpu%u: %llu instructions (%.1f MIPS), %llu exceptions, "
				"%llu WFI sleeps, %llu wake-ups, pc %#x cpsr %#x\n", i,
			(unsigned long long)st.insns,
			st.insns / (ns / 1e3), (unsigned long long)st.exceptions,
			(unsigned long long)st.sleeps, (unsigned long long)st.wakeups, st.pc,
			st.cpsr);
#define PRINT(name, desc)                                                          \
		if (st.shadow.name)                                                \
			fprintf(stderr, "    %-20s %12llu  %s\n", #name,           \
				(unsigned long long)st.shadow.name, desc);         \
		total.name += st.shadow.name;
		SHADOW_STATS_FIELDS(PRINT)
#undef PRINT
	}
	if (b->ncpus > 1) {
		fprintf(stderr, "  total:\n");
#define PRINT(name, desc)                                                                 \
		if (total.name)                                                           \
			fprintf(stderr, "    %-20s %12llu  %s\n", #name,                  \
				(unsigned long long)total.name, desc);
		SHADOW_STATS_FIELDS(PRINT)
#undef PRINT
	}
}

/* One boot of the VM, until it stops. Returns why, or BOARD_STOP_ERROR
 * with *status set when it could not even start. */
static enum board_stop boot_once(struct run *r, int *status)
{
	char why[256];
	struct board *b;
	enum board_stop stop;
	uint64_t t0;
	int err;

	if ((err = board_create(&r->cfg, &b, why, sizeof(why)))) {
		fprintf(stderr, "hsptd run: %s\n", why);
		*status = err == -ENOMEM ? RUN_EXIT_FAILED : RUN_EXIT_USAGE;
		return BOARD_STOP_ERROR;
	}
	pthread_mutex_lock(&r->lock);
	r->board = b;
	if (r->quit)
		board_stop(b);
	pthread_mutex_unlock(&r->lock);
	if ((err = console_attach(&r->console, b)) || (err = board_start(b))) {
		fprintf(stderr, "hsptd run: cannot start the VM: %s\n", strerror(-err));
		*status = RUN_EXIT_FAILED;
		stop = BOARD_STOP_ERROR;
		goto out;
	}
	t0 = gtimer_now_ns();
	while ((stop = board_wait(b, UINT64_MAX)) == BOARD_STOP_NONE)
		;
	if (stop == BOARD_STOP_ERROR) {
		fprintf(stderr, "\r\nhsptd run: the VM failed: %s\r\n", b->error);
		*status = RUN_EXIT_FAILED;
	}
	if (r->stats)
		print_stats(b, gtimer_now_ns() - t0);
out:
	console_attach(&r->console, NULL);
	pthread_mutex_lock(&r->lock);
	r->board = NULL;
	pthread_mutex_unlock(&r->lock);
	board_destroy(b);
	return stop;
}

/* Boot until the guest powers off, fails, loops on reset, or the user
 * stops it. */
static int run_vm(struct run *r)
{
	struct board_reset_guard guard = { 0 };

	for (;;) {
		uint64_t t0 = gtimer_now_ns();
		int status = RUN_EXIT_FAILED;

		switch (boot_once(r, &status)) {
		case BOARD_STOP_POWEROFF:
			return RUN_EXIT_POWEROFF;
		case BOARD_STOP_REQUEST:
			return RUN_EXIT_STOPPED;
		case BOARD_STOP_RESET:
			if (board_reset_loop(&guard, t0)) {
				fprintf(stderr, "\r\nhsptd run: the guest reset %u times in a row "
						"within %llu s of booting: a reset loop, giving up\r\n",
					guard.quick, BOARD_RESET_LOOP_NS / 1000000000ull);
				return RUN_EXIT_FAILED;
			}
			log_info("hsptd run: the guest reset: rebooting");
			break;
		default:
			return status;
		}
	}
}

int run_main(int argc, char **argv)
{
	struct run r = { 0 };
	pthread_t sig_thread;
	int status, err;

	if (parse_options(&r, argc, argv))
		return RUN_EXIT_USAGE;
	pthread_mutex_init(&r.lock, NULL);
	/* Signals go to one thread (sigwait), never to a vCPU thread in the
	 * middle of guest code. SIGUSR1 ends that thread. */
	sigemptyset(&r.signals);
	sigaddset(&r.signals, SIGINT);
	sigaddset(&r.signals, SIGTERM);
	sigaddset(&r.signals, SIGHUP);
	sigaddset(&r.signals, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &r.signals, NULL);
	/* A console reader that went away must not kill the VM. */
	signal(SIGPIPE, SIG_IGN);
	if ((err = pthread_create(&sig_thread, NULL, signal_main, &r))) {
		fprintf(stderr, "hsptd run: cannot create a thread: %s\n", strerror(err));
		return RUN_EXIT_FAILED;
	}
	r.cfg.console_out = console_out;
	r.cfg.console_room = console_room;
	r.cfg.opaque = &r.console;
	if ((err = console_open(&r.console, STDIN_FILENO, STDOUT_FILENO, user_quit, &r))) {
		fprintf(stderr, "hsptd run: console: %s\n", strerror(-err));
		status = RUN_EXIT_FAILED;
	} else {
		status = run_vm(&r);
		console_close(&r.console);
	}
	pthread_kill(sig_thread, SIGUSR1);
	pthread_join(sig_thread, NULL);
	pthread_mutex_destroy(&r.lock);
	return status;
}
