/* worker.c — `hsptd worker`: one VM in its own process (DESIGN.md §5),
 * driven by the supervisor over a socketpair with JSON-RPC.
 *
 * Threads: the board's vCPU threads run the guest; the main thread runs a
 * libuv loop that serves the supervisor's requests (worker.start, .pause,
 * .resume, .stop, .stats, .input) and sends it notifications
 * (worker.state, console.output). Console bytes cross from the vCPU
 * threads to the loop through a mutex-protected ring and a uv_async: a
 * vCPU never waits for the supervisor. When the supervisor reads too
 * slowly (more than OUT_QUEUE_MAX bytes queued on the socket) the loop
 * stops draining and the ring overwrites its oldest bytes, which are
 * counted and reported as "dropped".
 *
 * The worker exits after the VM stops, whatever the reason: the guest
 * powered off, failed, or reset in a loop; the supervisor asked; SIGTERM;
 * or the supervisor went away (end of file on the socket). Exit status 0
 * means it reported why the VM stopped; anything else is a crash for the
 * supervisor. */
#include "daemon/worker.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "daemon/stats.h"
#include "machine/board.h"
#include "proto/rpc.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/ring.h"

#define OUT_RING	(256u << 10)	/* console bytes waiting for the loop */
#define OUT_CHUNK	(16u << 10)	/* bytes per console.output notification */
#define OUT_QUEUE_MAX	(1u << 20)	/* socket backlog that stops draining */
#define IN_MAX		(64u << 10)	/* console input waiting for the UART */
#define WATCH_MS	100		/* how often the loop looks at the board */

struct worker {
	uv_loop_t loop;
	uv_pipe_t pipe;
	struct rpc_session *session;
	uv_async_t out_async;		/* console bytes are waiting in out */
	uv_async_t room_async;		/* the UART took back-pressure off */
	uv_timer_t watch;		/* notices the guest stopping by itself */
	uv_timer_t quit_timer;		/* leaves on the next loop iteration */
	uv_signal_t sigterm, sigint;
	bool quitting;
	const char *name;

	struct board_config cfg;
	char *kernel, *initrd, *cmdline;	/* owned copies for cfg */
	struct board *board;
	uint64_t start_ns;		/* first boot, for uptime */
	uint64_t boot_ns;		/* this boot, for reset loops */
	struct board_reset_guard resets;

	pthread_mutex_t out_lock;	/* protects out: vCPU threads push, loop pops */
	struct ring out;
	uint64_t dropped_sent;		/* out.dropped already reported */

	uint8_t in[IN_MAX];		/* input the UART has not taken yet */
	size_t in_len;
};

static void request_quit(struct worker *w);

/* ---- Sending ---- */

struct out_req {
	uv_write_t req;
	struct worker *w;
	char data[];
};

static void drain_console(struct worker *w);

static void on_written(uv_write_t *req, int status)
{
	struct out_req *o = (struct out_req *)req;
	struct worker *w = o->w;

	free(o);
	if (status < 0 && status != UV_ECANCELED)
		log_debug("write to the supervisor: %s", uv_strerror(status));
	if (!w->quitting)
		drain_console(w);
}

/* rpc_session_conf.send: queue one frame for the supervisor. */
static void send_line(void *ctx, const char *line, size_t len)
{
	struct worker *w = ctx;
	struct out_req *o;
	uv_buf_t buf;
	int rc;

	if (uv_is_closing((uv_handle_t *)&w->pipe))
		return;
	o = malloc(sizeof(*o) + len);
	if (!o) {
		log_error("no memory for a %zu-byte message to the supervisor", len);
		return;
	}
	o->w = w;
	memcpy(o->data, line, len);
	buf = uv_buf_init(o->data, (unsigned)len);
	if ((rc = uv_write(&o->req, (uv_stream_t *)&w->pipe, &buf, 1, on_written)) < 0) {
		log_debug("write to the supervisor: %s", uv_strerror(rc));
		free(o);
	}
}

static void notify(struct worker *w, const char *method, json_t *params)
{
	int rc = rpc_session_send(w->session, rpc_notification(method, params));

	if (rc < 0)
		log_error("cannot send %s: %s", method, strerror(-rc));
}

/* Move console bytes from the ring to the supervisor while its socket
 * keeps up. */
static void drain_console(struct worker *w)
{
	static uint8_t chunk[OUT_CHUNK];
	static char text[BASE64_ENCODED_LEN(OUT_CHUNK) + 1];

	while (uv_stream_get_write_queue_size((uv_stream_t *)&w->pipe) < OUT_QUEUE_MAX) {
		uint64_t dropped;
		json_t *params;
		size_t n;

		pthread_mutex_lock(&w->out_lock);
		n = ring_pop(&w->out, chunk, sizeof(chunk));
		dropped = w->out.dropped;
		pthread_mutex_unlock(&w->out_lock);
		if (!n)
			return;
		base64_encode(chunk, n, text);
		params = json_pack("{s:s}", "data", text);
		if (params && dropped != w->dropped_sent) {
			json_object_set_new(params, "dropped", json_integer((json_int_t)dropped));
			w->dropped_sent = dropped;
		}
		notify(w, "console.output", params);
	}
}

static void on_out_async(uv_async_t *a)
{
	drain_console(a->data);
}

/* board_config.console_out: on a vCPU thread, UART lock held. Never
 * blocks beyond the ring's short critical section. */
static void console_out(void *opaque, uint8_t byte)
{
	struct worker *w = opaque;
	bool wake;

	pthread_mutex_lock(&w->out_lock);
	wake = w->out.len == 0;
	ring_push(&w->out, &byte, 1);
	pthread_mutex_unlock(&w->out_lock);
	/* The loop drains the whole ring per wake-up, so one wake per
	 * empty-to-non-empty transition is enough (uv_async_send coalesces
	 * anyway and is safe from any thread). */
	if (wake)
		uv_async_send(&w->out_async);
}

static void console_room(void *opaque)
{
	struct worker *w = opaque;

	uv_async_send(&w->room_async);
}

/* Offer the waiting input to the UART. */
static void feed_input(struct worker *w)
{
	size_t n;

	if (!w->board || !w->in_len)
		return;
	n = board_console_input(w->board, w->in, w->in_len);
	memmove(w->in, w->in + n, w->in_len - n);
	w->in_len -= n;
}

static void on_room_async(uv_async_t *a)
{
	feed_input(a->data);
}

/* ---- The board ---- */

/* Create and start the board from w->cfg; on failure *why says why. The
 * vCPU threads inherit a mask that blocks the signals the loop handles,
 * so that those are delivered to the loop's thread, never in guest code. */
static int boot(struct worker *w, char *why, size_t len)
{
	sigset_t block, old;
	int err;

	if ((err = board_create(&w->cfg, &w->board, why, len)))
		return err;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = board_start(w->board);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		snprintf(why, len, "cannot start the vCPUs: %s", strerror(-err));
		board_destroy(w->board);
		w->board = NULL;
		return err;
	}
	w->boot_ns = gtimer_now_ns();
	return 0;
}

/* Stop the board (if still running), and free it. Returns its final
 * statistics (NULL if there was no board). */
static json_t *halt(struct worker *w)
{
	json_t *stats;

	if (!w->board)
		return NULL;
	board_stop(w->board);
	while (board_wait(w->board, UINT64_MAX) == BOARD_STOP_NONE)
		;
	stats = stats_json(w->board, gtimer_now_ns() - w->start_ns);
	board_destroy(w->board);
	w->board = NULL;
	return stats;
}

/* The guest stopped by itself (or failed): report why and leave. */
static void report_stop(struct worker *w, const char *reason, const char *error)
{
	json_t *stats, *params;

	if (w->quitting)
		return;
	stats = halt(w);
	params = json_pack("{s:s, s:s}", "state", "stopped", "reason", reason);

	if (params && error)
		json_object_set_new(params, "error", json_string(error));
	if (params && stats)
		json_object_set(params, "stats", stats);
	json_decref(stats);
	drain_console(w);
	notify(w, "worker.state", params);
	request_quit(w);
}

/* A guest reset reboots it from its images, unless it keeps resetting. */
static void reboot(struct worker *w)
{
	char why[256];

	if (board_reset_loop(&w->resets, w->boot_ns)) {
		snprintf(why, sizeof(why), "the guest reset %u times within %llu s of booting",
			 w->resets.quick, BOARD_RESET_LOOP_NS / 1000000000ull);
		report_stop(w, "reset-loop", why);
		return;
	}
	board_destroy(w->board);
	w->board = NULL;
	if (boot(w, why, sizeof(why))) {
		report_stop(w, "error", why);
		return;
	}
	log_info("the guest reset: rebooted");
	notify(w, "worker.state", json_pack("{s:s, s:s}", "state", "running", "reason", "reset"));
	feed_input(w);
}

static void on_watch(uv_timer_t *t)
{
	struct worker *w = t->data;
	enum board_stop why;

	if (!w->board)
		return;
	/* A deadline just past now returns at once but ticks the RTC, which
	 * board_wait() does between waits (pl031.h). */
	why = board_wait(w->board, gtimer_now_ns() + 1);
	switch (why) {
	case BOARD_STOP_NONE:
	case BOARD_STOP_REQUEST:	/* only halt() asks, and it waits itself */
		break;
	case BOARD_STOP_POWEROFF:
		report_stop(w, "poweroff", NULL);
		break;
	case BOARD_STOP_RESET:
		reboot(w);
		break;
	case BOARD_STOP_ERROR:
		report_stop(w, "error", w->board->error);
		break;
	}
}

/* ---- Methods ---- */

static const struct rpc_param start_params[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .max_len = 64 },
	{ .name = "vcpus", .type = RPC_TYPE_INTEGER, .required = true, .min = 1, .max = VIRT_MAX_CPUS },
	{ .name = "memory", .type = RPC_TYPE_INTEGER, .required = true, .min = BOARD_MIN_RAM,
	  .max = VIRT_RAM_MAX },
	{ .name = "kernel", .type = RPC_TYPE_STRING, .required = true, .max_len = 4096 },
	{ .name = "initrd", .type = RPC_TYPE_STRING, .max_len = 4096 },
	{ .name = "append", .type = RPC_TYPE_STRING, .max_len = 4096 },
	{ .name = "spt", .type = RPC_TYPE_STRING, .max_len = 32 },
	{ .name = 0 },
};

static char *dup_param(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return v ? strdup(json_string_value(v)) : NULL;
}

static int m_start(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct worker *w = ctx;
	const char *spt = json_string_value(json_object_get(params, "spt"));
	char why[256];
	int rc;

	if (w->board || w->start_ns) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "the VM has already started");
		return -EINVAL;
	}
	w->cfg.ncpus = (unsigned)json_integer_value(json_object_get(params, "vcpus"));
	w->cfg.ram_size = (uint64_t)json_integer_value(json_object_get(params, "memory"));
	w->cfg.spt.org = SHADOW_ORG_PRIVATE;
	if (spt && shadow_parse_org(spt, &w->cfg.spt)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.spt: '%s' is not soft, "
			      "shared, private or group:N", spt);
		return -EINVAL;
	}
	w->kernel = dup_param(params, "kernel");
	w->initrd = dup_param(params, "initrd");
	w->cmdline = dup_param(params, "append");
	w->cfg.kernel = w->kernel;
	w->cfg.initrd = w->initrd;
	w->cfg.cmdline = w->cmdline;
	w->cfg.console_out = console_out;
	w->cfg.console_room = console_room;
	w->cfg.opaque = w;
	if ((rc = boot(w, why, sizeof(why)))) {
		rpc_error_set(err, rc == -ENOMEM ? PROTO_ERR_LIMIT : PROTO_ERR_GUEST_IMAGE, "%s", why);
		/* Nothing to run: leave once the answer is out. */
		request_quit(w);
		return rc;
	}
	w->start_ns = w->boot_ns;
	uv_timer_start(&w->watch, on_watch, WATCH_MS, WATCH_MS);
	log_info("started: %u vCPU(s), %llu MiB, spt %s", w->cfg.ncpus,
		 (unsigned long long)(w->cfg.ram_size >> 20), shadow_org_name(w->cfg.spt.org));
	*result = json_pack("{s:I}", "pid", (json_int_t)getpid());
	return 0;
}

static int need_board(struct worker *w, struct rpc_error *err)
{
	if (w->board)
		return 0;
	rpc_error_set(err, PROTO_ERR_BAD_STATE, "the VM is not running");
	return -EINVAL;
}

static int m_pause(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct worker *w = ctx;

	if (need_board(w, err))
		return -EINVAL;
	board_pause(w->board);
	*result = json_pack("{s:s}", "state", "paused");
	return 0;
}

static int m_resume(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		    struct rpc_error *err)
{
	struct worker *w = ctx;

	if (need_board(w, err))
		return -EINVAL;
	board_resume(w->board);
	*result = json_pack("{s:s}", "state", "running");
	return 0;
}

static int m_stop(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	struct worker *w = ctx;
	json_t *stats = halt(w);

	drain_console(w);
	*result = json_pack("{s:s, s:o?}", "state", "stopped", "stats", stats);
	request_quit(w);
	return 0;
}

static int m_stats(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct worker *w = ctx;

	if (need_board(w, err))
		return -EINVAL;
	*result = stats_json(w->board, gtimer_now_ns() - w->start_ns);
	return *result ? 0 : -ENOMEM;
}

static const struct rpc_param input_params[] = {
	{ .name = "data", .type = RPC_TYPE_STRING, .required = true,
	  .max_len = BASE64_ENCODED_LEN(IN_MAX) },
	{ .name = 0 },
};

static int m_input(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct worker *w = ctx;
	json_t *data = json_object_get(params, "data");
	static uint8_t bytes[IN_MAX];
	long n;
	size_t take;

	if (need_board(w, err))
		return -EINVAL;
	n = base64_decode(json_string_value(data), json_string_length(data), bytes);
	if (n < 0) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.data: not base64");
		return -EINVAL;
	}
	/* Input beyond what is waiting already is refused, not queued
	 * without bound: the caller learns how much was taken. */
	take = (size_t)n < IN_MAX - w->in_len ? (size_t)n : IN_MAX - w->in_len;
	memcpy(w->in + w->in_len, bytes, take);
	w->in_len += take;
	feed_input(w);
	*result = json_pack("{s:I}", "accepted", (json_int_t)take);
	return 0;
}

static const struct rpc_method methods[] = {
	{ .name = "worker.start", .handler = m_start, .params = start_params },
	{ .name = "worker.pause", .handler = m_pause },
	{ .name = "worker.resume", .handler = m_resume },
	{ .name = "worker.stop", .handler = m_stop },
	{ .name = "worker.stats", .handler = m_stats },
	{ .name = "worker.input", .handler = m_input, .params = input_params },
	{ .name = NULL },
};

static const struct rpc_session_conf session_conf = {
	.methods = methods,
	.send = send_line,
};

/* ---- The loop ---- */

static void on_pipe_closed(uv_handle_t *h)
{
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	struct worker *w = req->data;

	free(req);
	uv_close((uv_handle_t *)&w->pipe, on_pipe_closed);
}

/* Leave the loop once everything queued for the supervisor is written. */
static void on_quit_timer(uv_timer_t *t)
{
	struct worker *w = t->data;
	uv_shutdown_t *req;

	uv_close((uv_handle_t *)&w->quit_timer, NULL);
	uv_read_stop((uv_stream_t *)&w->pipe);
	uv_close((uv_handle_t *)&w->out_async, NULL);
	uv_close((uv_handle_t *)&w->room_async, NULL);
	uv_close((uv_handle_t *)&w->watch, NULL);
	uv_close((uv_handle_t *)&w->sigterm, NULL);
	uv_close((uv_handle_t *)&w->sigint, NULL);
	req = malloc(sizeof(*req));
	if (req) {
		req->data = w;
		if (uv_shutdown(req, (uv_stream_t *)&w->pipe, on_shutdown) == 0)
			return;
		free(req);
	}
	uv_close((uv_handle_t *)&w->pipe, on_pipe_closed);
}

/* Quit once the current callback is over: a handler's answer is only
 * queued after it returns, and a shut-down socket takes no more writes. */
static void request_quit(struct worker *w)
{
	if (w->quitting)
		return;
	w->quitting = true;
	uv_timer_start(&w->quit_timer, on_quit_timer, 0, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char space[64 << 10];

	*buf = uv_buf_init(space, sizeof(space));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct worker *w = s->data;

	if (n > 0) {
		rpc_session_feed(w->session, buf->base, (size_t)n);
	} else if (n < 0) {
		/* The supervisor is gone: nobody is left to serve. */
		log_info("the supervisor closed the connection (%s): stopping the VM",
			 uv_strerror((int)n));
		json_decref(halt(w));
		request_quit(w);
	}
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct worker *w = h->data;

	log_info("%s: stopping the VM", strsignal(signum));
	report_stop(w, "signal", NULL);
}

static int parse_options(int argc, char **argv, int *fd, const char **name)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	char *end;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			*fd = (int)strtol(optarg, &end, 10);
			if (*end || *fd < 3)
				return -EINVAL;
			break;
		case 'n': *name = optarg; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		default: return -EINVAL;
		}
	}
	return *fd >= 3 && *name && optind == argc ? 0 : -EINVAL;
}

static int open_handles(struct worker *w, int fd)
{
	int rc;

	if ((rc = uv_pipe_init(&w->loop, &w->pipe, 0)) || (rc = uv_pipe_open(&w->pipe, fd)))
		return rc;
	w->pipe.data = w;
	uv_async_init(&w->loop, &w->out_async, on_out_async);
	uv_async_init(&w->loop, &w->room_async, on_room_async);
	uv_timer_init(&w->loop, &w->watch);
	uv_timer_init(&w->loop, &w->quit_timer);
	w->quit_timer.data = w;
	uv_signal_init(&w->loop, &w->sigterm);
	uv_signal_init(&w->loop, &w->sigint);
	w->out_async.data = w->room_async.data = w->watch.data = w;
	w->sigterm.data = w->sigint.data = w;
	uv_signal_start(&w->sigterm, on_signal, SIGTERM);
	uv_signal_start(&w->sigint, on_signal, SIGINT);
	return uv_read_start((uv_stream_t *)&w->pipe, on_alloc, on_read);
}

int worker_main(int argc, char **argv)
{
	static char ident[96];
	static struct worker w;
	const char *name = NULL;
	int fd = -1, rc;

	if (parse_options(argc, argv, &fd, &name)) {
		fprintf(stderr, "usage: hsptd worker --fd N --name NAME [--verbose]\n"
				"(started by hsptd serve, not by hand)\n");
		return 2;
	}
	snprintf(ident, sizeof(ident), "hsptd[vm %s]", name);
	log_set_ident(ident);
	if (getenv("JOURNAL_STREAM"))
		log_set_syslog_prefix(1);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);	/* the daemon's terminal is not the VM's */
	w.name = name;
	pthread_mutex_init(&w.out_lock, NULL);
	if (ring_init(&w.out, OUT_RING) || uv_loop_init(&w.loop) ||
	    rpc_session_new(&session_conf, &w, &w.session)) {
		log_error("out of memory");
		return 1;
	}
	if ((rc = open_handles(&w, fd)) < 0) {
		log_error("fd %d: %s", fd, uv_strerror(rc));
		return 1;
	}
	uv_run(&w.loop, UV_RUN_DEFAULT);
	json_decref(halt(&w));
	rpc_session_close(w.session);
	uv_loop_close(&w.loop);
	ring_destroy(&w.out);
	free(w.kernel);
	free(w.initrd);
	free(w.cmdline);
	return 0;
}
