/* main.c — hsptctl: the command-line client of hsptd (hsptctl(1)).
 *
 * Every command is one or a few JSON-RPC calls (docs/protocol.md).
 * Results print as tables for people, or as the daemon's JSON with
 * --json; an error is one line on standard error and a non-zero exit
 * status (client.h lists them). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "util/size.h"
#include "util/version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hsptctl [--socket PATH] [--json] COMMAND [ARGS]\n"
		"\n"
		"  create NAME --kernel FILE [--initrd FILE] [--append STRING] [--vcpus N]\n"
		"              [--memory SIZE] [--spt soft|shared|private|group:N] [--autostart]\n"
		"  set NAME [--autostart | --no-autostart] [--kernel FILE] [--initrd FILE |\n"
		"           --no-initrd] [--append STRING] [--vcpus N] [--memory SIZE] [--spt ORG]\n"
		"  start NAME...            pause NAME...          resume NAME...\n"
		"  stop NAME... [--force] [--timeout SECONDS]\n"
		"  destroy NAME... [--force]  (--force stops a running VM first)\n"
		"  list                     info NAME              daemon\n"
		"  stats NAME [--watch] [--interval SECONDS]\n"
		"  console NAME [--no-scrollback]   (Ctrl-] detaches)\n"
		"  events                   (state changes as they happen)\n"
		"\n"
		"The socket defaults to $HSPTD_SOCKET, $XDG_RUNTIME_DIR/hsptd.sock if it\n"
		"exists, else /run/hsptd/hsptd.sock. Exit status: 0 done, 1 the daemon\n"
		"refused or the operation failed, 2 bad usage, 3 no daemon to talk to.\n");
}

void print_json(json_t *result)
{
	json_dumpf(result, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
}

/* Daemon paths are its own: send absolute ones. */
static json_t *abs_path(const char *path)
{
	char buf[PATH_MAX], cwd[PATH_MAX];

	if (realpath(path, buf))
		return json_string(buf);
	/* It does not exist (yet): let the daemon say so, with the full path. */
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)) ||
	    snprintf(buf, sizeof(buf), "%s/%s", cwd, path) >= (int)sizeof(buf))
		return json_string(path);
	return json_string(buf);
}

/* The definition options of create and set (set: also --no-autostart and
 * --no-initrd, and no --kernel required). */
static int parse_def(int argc, char **argv, json_t *p, bool set)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "spt", required_argument, NULL, 's' },
		{ "autostart", no_argument, NULL, 'A' },
		{ "no-autostart", no_argument, NULL, 'N' },
		{ "no-initrd", no_argument, NULL, 'I' },
		{ 0 },
	};
	uint64_t bytes;
	unsigned n;
	int o;

	optind = 0;	/* 0: glibc starts over (main parsed with "+") */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'k': json_object_set_new(p, "kernel", abs_path(optarg)); break;
		case 'i': json_object_set_new(p, "initrd", abs_path(optarg)); break;
		case 'a': json_object_set_new(p, "append", json_string(optarg)); break;
		case 's': json_object_set_new(p, "spt", json_string(optarg)); break;
		case 'A': json_object_set_new(p, "autostart", json_true()); break;
		case 'N':
		case 'I':
			if (!set) {
				fprintf(stderr, "hsptctl: --no-autostart and --no-initrd are for set\n");
				return CTL_EXIT_USAGE;
			}
			json_object_set_new(p, o == 'N' ? "autostart" : "initrd",
					    o == 'N' ? json_false() : json_string(""));
			break;
		case 'c':
			if (parse_count(optarg, 1, INT_MAX, &n)) {
				fprintf(stderr, "hsptctl: --vcpus: '%s' is not a number\n", optarg);
				return CTL_EXIT_USAGE;
			}
			json_object_set_new(p, "vcpus", json_integer(n));
			break;
		case 'm':
			if (parse_size(optarg, &bytes) || bytes > INT64_MAX) {
				fprintf(stderr, "hsptctl: --memory: '%s' is not a size (512M, 1G)\n",
					optarg);
				return CTL_EXIT_USAGE;
			}
			json_object_set_new(p, "memory", json_integer((json_int_t)bytes));
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (!set && !json_object_get(p, "kernel")) ||
	    (set && !json_object_size(p))) {
		fprintf(stderr, set ? "hsptctl: usage: set NAME OPTION...\n"
				    : "hsptctl: usage: create NAME --kernel FILE [options]\n");
		return CTL_EXIT_USAGE;
	}
	json_object_set_new(p, "name", json_string(argv[optind]));
	return 0;
}

/* create and set: one call with the definition options. */
static int cmd_def(struct ctl *ctl, int argc, char **argv, bool set)
{
	json_t *p = json_object(), *r;
	int rc;

	if ((rc = parse_def(argc, argv, p, set))) {
		json_decref(p);
		return rc;
	}
	if ((rc = ctl_call(&ctl->conn, set ? "vm.set" : "vm.create", p, &r)))
		return rc;
	if (ctl->json)
		print_json(r);
	else if (set)
		show_info(r);
	else
		printf("created %s\n", json_string_value(json_object_get(r, "name")));
	json_decref(r);
	return 0;
}

/* start/pause/resume/stop/destroy NAME...: one call per name, all tried;
 * the worst status is returned. */
static int cmd_each(struct ctl *ctl, int argc, char **argv, const char *method, const char *done)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 },
	};
	bool force = false, is_stop = !strcmp(method, "vm.stop");
	bool is_destroy = !strcmp(method, "vm.destroy");
	long timeout = 0;
	int o, status = 0;

	optind = 0;	/* 0: glibc starts over (main parsed with "+") */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'f' && (is_stop || is_destroy)) {
			force = true;
		} else if (o == 't' && is_stop) {
			timeout = strtol(optarg, NULL, 10);
		} else {
			fprintf(stderr, "hsptctl: %s: unknown option\n", argv[0]);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "hsptctl: usage: %s NAME...\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		json_t *p = json_pack("{s:s}", "name", argv[i]), *r;
		int rc;

		if (is_stop && force)
			json_object_set_new(p, "force", json_true());
		if (is_stop && timeout > 0)
			json_object_set_new(p, "timeout", json_integer(timeout));
		if (is_destroy && force) {
			/* A stopped VM answers "wrong state": that is fine here. */
			json_t *sp = json_pack("{s:s, s:b}", "name", argv[i], "force", 1);
			json_int_t id = ctl_send(&ctl->conn, "vm.stop", sp);

			if (id < 0 || ctl_wait(&ctl->conn, id, -1, &r) < 0)
				return CTL_EXIT_CONNECT;
			json_decref(r);
		}
		rc = ctl_call(&ctl->conn, method, p, &r);
		if (rc) {
			status = status > rc ? status : rc;
			continue;
		}
		if (ctl->json)
			print_json(r);
		else
			printf("%s %s\n", done, argv[i]);
		json_decref(r);
	}
	return status;
}

static int cmd_simple(struct ctl *ctl, int argc, char **argv, const char *method,
		      void (*show)(json_t *))
{
	json_t *p = NULL, *r;
	int rc;

	if (!strcmp(method, "vm.info")) {
		if (argc != 2) {
			fprintf(stderr, "hsptctl: usage: info NAME\n");
			return CTL_EXIT_USAGE;
		}
		p = json_pack("{s:s}", "name", argv[1]);
	} else if (argc != 1) {
		fprintf(stderr, "hsptctl: %s takes no arguments\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	if ((rc = ctl_call(&ctl->conn, method, p, &r)))
		return rc;
	if (ctl->json)
		print_json(r);
	else
		show(r);
	json_decref(r);
	return 0;
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!strcmp(cmd, "create")) return cmd_def(ctl, argc, argv, false);
	if (!strcmp(cmd, "set")) return cmd_def(ctl, argc, argv, true);
	if (!strcmp(cmd, "start")) return cmd_each(ctl, argc, argv, "vm.start", "started");
	if (!strcmp(cmd, "pause")) return cmd_each(ctl, argc, argv, "vm.pause", "paused");
	if (!strcmp(cmd, "resume")) return cmd_each(ctl, argc, argv, "vm.resume", "resumed");
	if (!strcmp(cmd, "stop")) return cmd_each(ctl, argc, argv, "vm.stop", "stopped");
	if (!strcmp(cmd, "destroy")) return cmd_each(ctl, argc, argv, "vm.destroy", "destroyed");
	if (!strcmp(cmd, "list")) return cmd_simple(ctl, argc, argv, "vm.list", show_list);
	if (!strcmp(cmd, "info")) return cmd_simple(ctl, argc, argv, "vm.info", show_info);
	if (!strcmp(cmd, "daemon")) return cmd_simple(ctl, argc, argv, "daemon.info", show_daemon);
	if (!strcmp(cmd, "stats")) return cmd_stats(ctl, argc, argv);
	if (!strcmp(cmd, "console")) return cmd_console(ctl, argc, argv);
	if (!strcmp(cmd, "events")) return cmd_events(ctl, argc, argv);
	fprintf(stderr, "hsptctl: unknown command '%s' (hsptctl --help)\n", cmd);
	return CTL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct ctl ctl = { .socket = NULL };
	int o, rc;

	/* Options before the command only ("+"): the command parses its own. */
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case 's': ctl.socket = optarg; break;
		case 'j': ctl.json = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("hsptctl %s\n", HSPT_VERSION); return 0;
		default: usage(stderr); return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	/* `hsptctl list --json` reads naturally too: take --json anywhere
	 * before a "--". */
	for (int i = optind, j = optind, plain = 0;; i++) {
		if (i == argc) {
			argc = j;
			argv[argc] = NULL;
			break;
		}
		plain |= !strcmp(argv[i], "--");
		if (!plain && !strcmp(argv[i], "--json"))
			ctl.json = true;
		else
			argv[j++] = argv[i];
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!ctl.socket)
		ctl.socket = ctl_default_socket();
	if (ctl_connect(&ctl.conn, ctl.socket))
		return CTL_EXIT_CONNECT;
	rc = dispatch(&ctl, argc - optind, argv + optind);
	ctl_close(&ctl.conn);
	return rc;
}
