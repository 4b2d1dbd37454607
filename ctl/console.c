/* console.c — hsptctl's long-running commands: console (interactive, raw
 * terminal, Ctrl-] detaches, like virsh console), events, and stats
 * --watch. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "util/base64.h"

#define ESCAPE_KEY 0x1d		/* Ctrl-] */
#define INPUT_CHUNK 4096	/* bytes of input per vm.console call */

static struct termios saved;
static bool raw_mode;

static void restore_terminal(void)
{
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	raw_mode = false;
}

static void on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void enter_raw_mode(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw))
		return;
	raw_mode = true;
	atexit(restore_terminal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
}

struct console_state {
	const char *name;
	bool closed;			/* the VM stopped */
	const char *closed_state;
};

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Decode base64 text and write it to standard output. */
static void write_b64(json_t *data)
{
	size_t len = json_string_length(data);
	uint8_t *bytes = malloc(len / 4 * 3 + 3);
	long n;

	if (!bytes)
		return;
	n = base64_decode(json_string_value(data), len, bytes);
	if (n > 0)
		write_all(STDOUT_FILENO, bytes, (size_t)n);
	free(bytes);
}

static void console_note(void *opaque, const char *method, json_t *params)
{
	struct console_state *cs = opaque;
	const char *name = json_string_value(json_object_get(params, "name"));

	if (!name || strcmp(name, cs->name))
		return;
	if (!strcmp(method, "console.output")) {
		write_b64(json_object_get(params, "data"));
	} else if (!strcmp(method, "console.closed")) {
		cs->closed = true;
		cs->closed_state = "stopped";
	}
}

/* Send typed bytes; the answers are collected later. Returns false when
 * the user typed the escape key. */
static bool send_input(struct ctl *ctl, const char *name, const uint8_t *buf, size_t n)
{
	static char b64[BASE64_ENCODED_LEN(INPUT_CHUNK) + 1];
	const uint8_t *esc = memchr(buf, ESCAPE_KEY, n);
	size_t len = esc ? (size_t)(esc - buf) : n;

	if (len) {
		base64_encode(buf, len, b64);
		ctl_send(&ctl->conn, "vm.console", json_pack("{s:s, s:s}", "name", name, "input", b64));
	}
	return !esc;
}

/* Errors among the answers to input (a stopped VM): report, then stop. */
static int check_answers(struct ctl *ctl)
{
	json_t *r;
	int rc = 0;

	while ((r = ctl_take_response(&ctl->conn))) {
		json_t *e = json_object_get(r, "error");

		if (e && !rc) {
			restore_terminal();
			fprintf(stderr, "\nhsptctl: %s\n", json_string_value(json_object_get(e, "message")));
			rc = CTL_EXIT_FAILED;
		}
		json_decref(r);
	}
	return rc;
}

static int console_loop(struct ctl *ctl, struct console_state *cs)
{
	uint8_t buf[INPUT_CHUNK];
	bool in_open = true;
	int rc = 0;

	while (!cs->closed && !rc) {
		struct pollfd pfd[2] = {
			{ .fd = ctl->conn.fd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return CTL_EXIT_FAILED;
		}
		if (pfd[0].revents && ctl_pump(&ctl->conn) < 0) {
			restore_terminal();
			fprintf(stderr, "\nhsptctl: hsptd closed the connection\n");
			return CTL_EXIT_CONNECT;
		}
		rc = check_answers(ctl);
		if (pfd[1].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return 0;	/* end of input: detach */
			if (!send_input(ctl, cs->name, buf, (size_t)n))
				return 0;	/* the escape key */
		}
	}
	if (cs->closed && !rc) {
		restore_terminal();
		fprintf(stderr, "\nhsptctl: VM '%s' stopped\n", cs->name);
	}
	return rc;
}

int cmd_console(struct ctl *ctl, int argc, char **argv)
{
	struct console_state cs = { .name = NULL };
	bool scrollback = true;
	const char *state;
	json_t *r;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-scrollback"))
			scrollback = false;
		else if (argv[i][0] != '-' && !cs.name)
			cs.name = argv[i];
		else {
			fprintf(stderr, "hsptctl: usage: console NAME [--no-scrollback]\n");
			return CTL_EXIT_USAGE;
		}
	}
	if (!cs.name) {
		fprintf(stderr, "hsptctl: usage: console NAME [--no-scrollback]\n");
		return CTL_EXIT_USAGE;
	}
	ctl->conn.on_note = console_note;
	ctl->conn.opaque = &cs;
	if ((rc = ctl_call(&ctl->conn, "vm.console",
			   json_pack("{s:s, s:b}", "name", cs.name, "scrollback", scrollback), &r)))
		return rc;
	write_b64(json_object_get(r, "scrollback"));
	state = json_string_value(json_object_get(r, "state"));
	if (!state || (strcmp(state, "running") && strcmp(state, "paused") &&
		       strcmp(state, "starting"))) {
		fprintf(stderr, "hsptctl: VM '%s' is %s\n", cs.name, state ? state : "?");
		json_decref(r);
		return CTL_EXIT_FAILED;
	}
	json_decref(r);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Connected to %s (Ctrl-] detaches)\r\n", cs.name);
	enter_raw_mode();
	rc = console_loop(ctl, &cs);
	restore_terminal();
	return rc;
}

static void event_note(void *opaque, const char *method, json_t *params)
{
	struct ctl *ctl = opaque;

	if (strcmp(method, "event"))
		return;
	if (ctl->json) {
		json_dumpf(params, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
	} else {
		show_event(params);
	}
}

int cmd_events(struct ctl *ctl, int argc, char **argv)
{
	json_t *r;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "hsptctl: events takes no arguments\n");
		return CTL_EXIT_USAGE;
	}
	ctl->conn.on_note = event_note;
	ctl->conn.opaque = ctl;
	if ((rc = ctl_call(&ctl->conn, "events.subscribe", NULL, &r)))
		return rc;
	json_decref(r);
	/* Lines go out as they come, also into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((rc = ctl_pump(&ctl->conn)) == 0)
		json_decref(ctl_take_response(&ctl->conn));
	fprintf(stderr, "hsptctl: hsptd closed the connection\n");
	return CTL_EXIT_CONNECT;
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ 0 },
	};
	double interval = 1.0;
	bool watch = false;
	json_t *prev = NULL, *r;
	int o, rc;

	optind = 0;	/* 0: glibc starts over (main parsed with "+") */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'w') {
			watch = true;
		} else if (o == 'i' && (interval = strtod(optarg, NULL)) >= 0.1) {
			continue;
		} else {
			fprintf(stderr, "hsptctl: usage: stats NAME [--watch] [--interval SECONDS]\n");
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "hsptctl: usage: stats NAME [--watch] [--interval SECONDS]\n");
		return CTL_EXIT_USAGE;
	}
	for (;;) {
		if ((rc = ctl_call(&ctl->conn, "vm.stats", json_pack("{s:s}", "name", argv[optind]),
				   &r)))
			break;
		if (watch && !ctl->json)
			printf("\033[H\033[2J");	/* home, clear: a refreshing screen */
		if (ctl->json)
			print_json(r);
		else
			show_stats(r, prev, interval);
		fflush(stdout);
		json_decref(prev);
		prev = r;
		if (!watch || json_is_true(json_object_get(r, "final")))
			break;
		usleep((useconds_t)(interval * 1e6));
	}
	json_decref(prev);
	return rc;
}
