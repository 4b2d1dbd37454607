/* serve.c — `hsptd serve`: options, the control socket, clients, events,
 * signals and shutdown (docs/daemon.md).
 *
 * The socket is either handed over by systemd (socket activation) or
 * bound here with mode 0660. Each connection gets an rpc_session over the
 * methods of methods.c and the peer's credentials from SO_PEERCRED.
 * Everything a client is sent is queued without blocking; a client that
 * lets more than CLIENT_MAX_QUEUE bytes pile up (a console or events
 * follower that stopped reading) is disconnected rather than allowed to
 * grow the daemon's memory. */
#include "daemon/server.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/size.h"
#include "vcpu/gtimer.h"

#define LISTEN_BACKLOG	128
#define SHUTDOWN_SLACK_MS 5000	/* after the stop grace period, at daemon exit */

/* Sent to a connection over the limit, which is then closed. */
static const char too_many[] =
	"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32005,\"message\":"
	"\"too many connections\"},\"id\":null}\n";

/* ---- Clients ---- */

bool client_may(const struct client *c, uid_t uid)
{
	return c->uid == 0 || c->uid == c->srv->uid || c->uid == uid;
}

struct write_req {
	uv_write_t req;
	struct client *c;
	char data[];
};

static void client_close(struct client *c);

static void on_client_closed(uv_handle_t *h)
{
	free(h->data);
}

static void client_close(struct client *c)
{
	struct server *srv = c->srv;

	if (c->closing)
		return;
	c->closing = true;
	vm_console_unsubscribe(srv, c, NULL);
	if (c->prev)
		c->prev->next = c->next;
	else if (srv->clients == c)
		srv->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->session) {
		/* At once, even from inside the session (rpc.h allows it): no
		 * handler may run for this client again, or one could
		 * subscribe it to a console after the unsubscription above. */
		srv->nclients--;
		rpc_session_close(c->session);
		c->session = NULL;
	}
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
	server_check_shutdown(srv);
}

static void on_client_written(uv_write_t *req, int status)
{
	free(req);
}

/* rpc_session_conf.send, and every notification. */
static void client_send(void *ctx, const char *line, size_t len)
{
	struct client *c = ctx;
	struct write_req *r;
	uv_buf_t buf;
	size_t queued;

	if (c->closing)
		return;
	r = malloc(sizeof(*r) + len);
	if (!r) {
		log_error("client %u: no memory for a %zu-byte message: disconnecting", c->id, len);
		client_close(c);
		return;
	}
	memcpy(r->data, line, len);
	buf = uv_buf_init(r->data, (unsigned)len);
	if (uv_write(&r->req, (uv_stream_t *)&c->pipe, &buf, 1, on_client_written) < 0) {
		free(r);
		client_close(c);
		return;
	}
	queued = uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe);
	if (queued > CLIENT_MAX_QUEUE) {
		log_warn("client %u (uid %u): %zu bytes unread: disconnecting a slow reader",
			 c->id, (unsigned)c->uid, queued);
		client_close(c);
	}
}

void client_notify(struct client *c, const char *method, json_t *params)
{
	if (c->closing || !c->session) {
		json_decref(params);
		return;
	}
	rpc_session_send(c->session, rpc_notification(method, params));
}

void server_event(struct server *srv, struct vm *vm, const char *event, json_t *extra)
{
	json_t *params = extra ? extra : json_object();

	if (!params)
		return;
	json_object_set_new(params, "event", json_string(event));
	json_object_set_new(params, "name", json_string(vm->def.name));
	json_object_set_new(params, "state", json_string(vm_state_name(vm->state)));
	json_object_set_new(params, "time", json_integer((json_int_t)time(NULL)));
	log_info("VM '%s': %s", vm->def.name, event);
	for (struct client *c = srv->clients, *next; c; c = next) {
		next = c->next;	/* a slow reader may be dropped on the way */
		if (c->subscribed && client_may(c, vm->def.owner))
			client_notify(c, "event", json_incref(params));
	}
	json_decref(params);
}

static const struct rpc_session_conf client_conf = {
	.methods = server_methods,
	.send = client_send,
};

static void on_client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char space[64 << 10];

	*buf = uv_buf_init(space, sizeof(space));
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct client *c = s->data;

	if (n > 0 && c->session) {
		rpc_session_feed(c->session, buf->base, (size_t)n);
	} else if (n < 0) {
		log_debug("client %u: %s", c->id, n == UV_EOF ? "hung up" : uv_strerror((int)n));
		client_close(c);
	}
}

static void on_reject_shutdown(uv_shutdown_t *req, int status)
{
	struct client *c = req->data;

	free(req);
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
}

/* Answer a connection over the limit with one error, then hang up. */
static void reject(struct client *c)
{
	uv_buf_t buf = uv_buf_init((char *)too_many, sizeof(too_many) - 1);
	uv_shutdown_t *req = malloc(sizeof(*req));

	c->closing = true;
	uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);
	if (req) {
		req->data = c;
		if (uv_shutdown(req, (uv_stream_t *)&c->pipe, on_reject_shutdown) == 0)
			return;
		free(req);
	}
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
}

static void on_connection(uv_stream_t *listener, int status)
{
	struct server *srv = listener->data;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	uv_os_fd_t fd;

	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->srv = srv;
	c->id = ++srv->next_client_id;
	uv_pipe_init(srv->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(listener, (uv_stream_t *)&c->pipe) < 0 || uv_fileno((uv_handle_t *)&c->pipe, &fd) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("client %u: cannot accept or identify it", c->id);
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, on_client_closed);
		return;
	}
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	if (srv->stopping || srv->nclients >= srv->max_clients) {
		log_warn("client %u (uid %u, pid %d): refused, %u connections already", c->id,
			 (unsigned)c->uid, (int)c->pid, srv->nclients);
		reject(c);
		return;
	}
	if (rpc_session_new(&client_conf, c, &c->session)) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, on_client_closed);
		return;
	}
	srv->nclients++;
	c->next = srv->clients;
	if (c->next)
		c->next->prev = c;
	srv->clients = c;
	log_debug("client %u: uid %u, pid %d", c->id, (unsigned)c->uid, (int)c->pid);
	uv_read_start((uv_stream_t *)&c->pipe, on_client_alloc, on_client_read);
}

/* ---- The socket ---- */

/* Is something already serving path? Removes a stale socket file. */
static int check_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (errno == ECONNREFUSED)
		unlink(path);	/* left by a daemon that did not exit cleanly */
	return 0;
}

/* Report the path the passed socket really has (daemon.info), whatever
 * the defaults would have been. */
static void activated_path(struct server *srv, int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.sun_path[0])
		snprintf(srv->socket_path, sizeof(srv->socket_path), "%.*s",
			 (int)sizeof(sa.sun_path), sa.sun_path);
}

static int listen_socket(struct server *srv)
{
	int n = sd_listen_fds(1), rc;
	mode_t old;

	uv_pipe_init(srv->loop, &srv->listener, 0);
	srv->listener.data = srv;
	if (n > 1 || n < 0) {
		log_error("systemd passed %d sockets; expected one", n);
		return -EINVAL;
	}
	if (n == 1) {
		if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
			log_error("the socket systemd passed is not a listening Unix stream socket");
			return -EINVAL;
		}
		if ((rc = uv_pipe_open(&srv->listener, SD_LISTEN_FDS_START)) < 0)
			return rc;
		srv->activated = true;
		activated_path(srv, SD_LISTEN_FDS_START);
		log_info("serving %s, passed by systemd", srv->socket_path);
	} else {
		if ((rc = check_stale(srv->socket_path)) == -EADDRINUSE) {
			log_error("%s: another hsptd is serving it", srv->socket_path);
			return rc;
		}
		/* Never world-accessible, not even for an instant. */
		old = umask(0117);
		rc = uv_pipe_bind(&srv->listener, srv->socket_path);
		umask(old);
		if (rc < 0) {
			log_error("%s: %s", srv->socket_path, uv_strerror(rc));
			return rc;
		}
		chmod(srv->socket_path, 0660);
		log_info("serving %s", srv->socket_path);
	}
	if ((rc = uv_listen((uv_stream_t *)&srv->listener, LISTEN_BACKLOG, on_connection)) < 0) {
		log_error("listen: %s", uv_strerror(rc));
		return rc;
	}
	srv->listening = true;
	return 0;
}

/* ---- Shutdown ---- */

void server_check_shutdown(struct server *srv)
{
	if (!srv->stopping)
		return;
	for (struct vm *vm = srv->vms; vm; vm = vm->next)
		if (vm->worker)
			return;
	/* Every worker has ended: close what is left and let the loop end. */
	while (srv->clients)
		client_close(srv->clients);
	if (!uv_is_closing((uv_handle_t *)&srv->shutdown_timer))
		uv_close((uv_handle_t *)&srv->shutdown_timer, NULL);
}

static void on_shutdown_timer(uv_timer_t *t)
{
	struct server *srv = t->data;
	struct rpc_error err = { .code = 0 };

	log_warn("workers still running after the stop timeout: killing them");
	for (struct vm *vm = srv->vms; vm; vm = vm->next)
		if (vm->worker)
			supervisor_stop(vm, 0, NULL, &err);
	rpc_error_clear(&err);
}

static void begin_shutdown(struct server *srv, const char *why)
{
	struct rpc_error err = { .code = 0 };

	if (srv->stopping)
		return;
	srv->stopping = true;
	log_info("%s: stopping the running VMs and exiting", why);
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping the running VMs");
	if (srv->listening) {
		uv_close((uv_handle_t *)&srv->listener, NULL);
		srv->listening = false;
		if (!srv->activated)
			unlink(srv->socket_path);
	}
	uv_close((uv_handle_t *)&srv->sigterm, NULL);
	uv_close((uv_handle_t *)&srv->sigint, NULL);
	uv_close((uv_handle_t *)&srv->sighup, NULL);
	for (struct vm *vm = srv->vms; vm; vm = vm->next)
		if (vm->worker && vm->state != VM_STOPPING)
			supervisor_stop(vm, srv->stop_grace_ms, NULL, &err);
	rpc_error_clear(&err);
	uv_timer_start(&srv->shutdown_timer, on_shutdown_timer,
		       srv->stop_grace_ms + SHUTDOWN_SLACK_MS, 0);
	server_check_shutdown(srv);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;

	if (signum == SIGHUP) {
		log_info("SIGHUP: nothing to reload (definitions are read at start)");
		return;
	}
	begin_shutdown(srv, strsignal(signum));
}

/* ---- Options and start-up ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hsptd [serve] [--socket PATH] [--state-dir DIR] [--max-clients N]\n"
		"             [--max-vms N] [--stop-timeout SECONDS] [--verbose]\n"
		"\n"
		"Serves the JSON-RPC control socket (docs/protocol.md) and runs each VM\n"
		"in its own worker process. Defaults: as root, /run/hsptd/hsptd.sock and\n"
		"/var/lib/hsptd; otherwise $XDG_RUNTIME_DIR/hsptd.sock and\n"
		"$XDG_STATE_HOME/hsptd (~/.local/state/hsptd). A socket passed by systemd\n"
		"(socket activation) is used instead of --socket. SIGTERM stops every\n"
		"running VM (waiting --stop-timeout seconds, default %u, before killing\n"
		"it) and exits.\n", STOP_GRACE_MS / 1000);
}

/* The defaults for a system daemon (root) or a user's own. */
static int default_paths(struct server *srv)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (getuid() == 0) {
		if (!srv->socket_path[0])
			snprintf(srv->socket_path, sizeof(srv->socket_path), "/run/hsptd/hsptd.sock");
		if (!srv->state_dir[0])
			snprintf(srv->state_dir, sizeof(srv->state_dir), "/var/lib/hsptd");
		return 0;
	}
	if (!srv->socket_path[0]) {
		if (!run || run[0] != '/') {
			fprintf(stderr, "hsptd: XDG_RUNTIME_DIR is not set: use --socket PATH\n");
			return -EINVAL;
		}
		n = snprintf(srv->socket_path, sizeof(srv->socket_path), "%s/hsptd.sock", run);
		if (n >= (int)sizeof(srv->socket_path))
			goto too_long;
	}
	if (!srv->state_dir[0]) {
		if (state && state[0] == '/')
			n = snprintf(srv->state_dir, sizeof(srv->state_dir), "%s/hsptd", state);
		else if (home && home[0] == '/')
			n = snprintf(srv->state_dir, sizeof(srv->state_dir), "%s/.local/state/hsptd",
				     home);
		else {
			fprintf(stderr, "hsptd: neither XDG_STATE_HOME nor HOME is set: "
					"use --state-dir DIR\n");
			return -EINVAL;
		}
		if (n >= (int)sizeof(srv->state_dir))
			goto too_long;
	}
	return 0;
too_long:
	fprintf(stderr, "hsptd: the default socket or state path is too long\n");
	return -ENAMETOOLONG;
}

/* --opt N: a count in [min, max], or a message and -EINVAL. */
static int parse_option_count(const char *opt, const char *arg, unsigned min, unsigned max,
			      unsigned *out)
{
	if (parse_count(arg, min, max, out) == 0)
		return 0;
	fprintf(stderr, "hsptd: --%s: '%s' is not a number in %u..%u\n", opt, arg, min, max);
	return -EINVAL;
}

static int parse_options(struct server *srv, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "max-clients", required_argument, NULL, 'c' },
		{ "max-vms", required_argument, NULL, 'm' },
		{ "stop-timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned secs;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (strlen(optarg) >= sizeof(srv->socket_path)) {
				fprintf(stderr, "hsptd: --socket: longer than %zu bytes\n",
					sizeof(srv->socket_path) - 1);
				return -EINVAL;
			}
			snprintf(srv->socket_path, sizeof(srv->socket_path), "%s", optarg);
			break;
		case 'd':
			if (optarg[0] != '/' || strlen(optarg) >= sizeof(srv->state_dir) - 64) {
				fprintf(stderr, "hsptd: --state-dir: an absolute path, please\n");
				return -EINVAL;
			}
			snprintf(srv->state_dir, sizeof(srv->state_dir), "%s", optarg);
			break;
		case 'c':
			if (parse_option_count("max-clients", optarg, 1, 65536, &srv->max_clients))
				return -EINVAL;
			break;
		case 'm':
			if (parse_option_count("max-vms", optarg, 1, 4096, &srv->max_vms))
				return -EINVAL;
			break;
		case 't':
			if (parse_option_count("stop-timeout", optarg, 1, 3600, &secs))
				return -EINVAL;
			srv->stop_grace_ms = secs * 1000;
			break;
		case 'v':
			srv->verbose = true;
			log_set_level(LOG_DEBUG);
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
		fprintf(stderr, "hsptd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return default_paths(srv);
}

static void autostart(struct server *srv)
{
	for (struct vm *vm = srv->vms; vm; vm = vm->next) {
		struct rpc_error err = { .code = 0 };

		if (vm->def.autostart && supervisor_start(vm, NULL, &err))
			log_warn("VM '%s': autostart failed: %s", vm->def.name, err.message);
		rpc_error_clear(&err);
	}
}

static void init_signals(struct server *srv)
{
	uv_signal_init(srv->loop, &srv->sigterm);
	uv_signal_init(srv->loop, &srv->sigint);
	uv_signal_init(srv->loop, &srv->sighup);
	srv->sigterm.data = srv->sigint.data = srv->sighup.data = srv;
	uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	uv_signal_start(&srv->sigint, on_signal, SIGINT);
	uv_signal_start(&srv->sighup, on_signal, SIGHUP);
}

int serve_main(int argc, char **argv)
{
	static struct server srv;
	uv_loop_t loop;
	int err;

	srv.max_clients = SERVER_MAX_CLIENTS;
	srv.max_vms = SERVER_MAX_VMS;
	srv.stop_grace_ms = STOP_GRACE_MS;
	log_set_ident("hsptd");
	if (getenv("JOURNAL_STREAM"))
		log_set_syslog_prefix(1);
	if (parse_options(&srv, argc, argv))
		return 2;
	/* A client that hangs up must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	srv.uid = getuid();
	srv.start_ns = gtimer_now_ns();
	srv.started_at = time(NULL);
	if ((err = registry_load(&srv))) {
		log_error("state directory %s: %s", srv.state_dir, strerror(-err));
		return 1;
	}
	if ((err = uv_loop_init(&loop))) {
		log_error("event loop: %s", uv_strerror(err));
		return 1;
	}
	srv.loop = &loop;
	uv_timer_init(&loop, &srv.shutdown_timer);
	srv.shutdown_timer.data = &srv;
	if (listen_socket(&srv)) {
		uv_close((uv_handle_t *)&srv.listener, NULL);
		uv_close((uv_handle_t *)&srv.shutdown_timer, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		registry_free(&srv);
		return 1;
	}
	init_signals(&srv);
	autostart(&srv);
	sd_notifyf(0, "READY=1\nSTATUS=Serving %s", srv.socket_path);
	uv_run(&loop, UV_RUN_DEFAULT);
	log_info("exiting");
	registry_free(&srv);
	if (uv_loop_close(&loop))
		log_debug("event loop: handles still open at exit");
	return 0;
}
