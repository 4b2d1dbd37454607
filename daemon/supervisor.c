/* supervisor.c — worker processes: one per running VM (DESIGN.md §5).
 *
 * A worker is `hsptd worker --fd 3` spawned from /proc/self/exe (the very
 * binary that runs the daemon, even if a package upgrade replaced the
 * file), with fd 3 one end of a socketpair (a libuv stdio pipe) and its
 * standard output and error on the daemon's standard error. The daemon
 * speaks JSON-RPC to it: requests with our own integer ids, answered in
 * supervisor_response(), and notifications from it (worker.state,
 * console.output) through a method table.
 *
 * A worker's end is decided only once both its process has exited and
 * its socket has reached end of file, so that the last notifications it
 * sent (why the guest stopped, the last console bytes) are read before
 * the outcome is judged:
 *   - it failed to start the VM: the VM is stopped, last_exit says why;
 *   - it reported why the guest stopped and exited 0: stopped;
 *   - we stopped it (vm.stop, also by SIGKILL when forced or when the
 *     grace period ran out): stopped;
 *   - anything else (a signal, a non-zero status, no report): crashed.
 * A request the worker does not answer in time fails with
 * PROTO_ERR_WORKER, and the worker is killed: a worker that stops
 * answering is no longer trusted with its VM. */
#include "daemon/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/base64.h"
#include "util/log.h"
#include "vcpu/gtimer.h"

#define TICK_MS		250	/* how often deadlines are checked */
#define EOF_EXIT_NS	(5ull * 1000000000u)	/* socket closed, process lingers */

struct pending {
	struct pending *next;
	json_int_t id;
	const char *method;
	struct rpc_call *call;		/* the client's, or NULL */
	worker_done_fn *done;
	uint64_t deadline_ns;
};

struct waiter {
	struct waiter *next;
	struct rpc_call *call;		/* finished when the worker has ended */
};

struct worker_proc {
	struct vm *vm;
	uv_process_t proc;
	uv_pipe_t pipe;
	uv_timer_t tick;
	unsigned open_handles;		/* freed when the last one has closed */
	struct rpc_session *session;
	int pid;
	json_int_t next_id;
	struct pending *pending;
	struct waiter *waiters;
	bool exited, pipe_closed, finished;
	int64_t exit_status;
	int term_signal;
	uint64_t eof_ns;		/* when the socket reached end of file */
	bool start_failed;		/* worker.start was refused */
	struct rpc_call *start_call;	/* ... answered with start_error at the end */
	struct rpc_error start_error;
	bool stop_requested;		/* vm.stop or the daemon's shutdown */
	bool stop_sent;			/* worker.stop is on its way */
	bool killed;			/* we sent SIGKILL */
	const char *kill_reason;
	json_t *report;			/* worker.state "stopped" params */
};

int supervisor_pid(const struct vm *vm)
{
	return vm->worker ? vm->worker->pid : 0;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct worker_proc *w = h->data;

	if (--w->open_handles == 0) {
		json_decref(w->report);
		free(w);
	}
}

static void kill_worker(struct worker_proc *w, const char *why)
{
	if (w->exited || w->killed)
		return;
	log_warn("VM '%s': killing worker %d: %s", w->vm->def.name, w->pid, why);
	w->killed = true;
	w->kill_reason = why;
	uv_process_kill(&w->proc, SIGKILL);
}

/* ---- Judging the end ---- */

static void fail_pending(struct worker_proc *w)
{
	while (w->pending) {
		struct pending *p = w->pending;
		struct rpc_error err = { .code = 0 };

		w->pending = p->next;
		rpc_error_set(&err, PROTO_ERR_WORKER, "VM '%s': the worker ended before answering %s",
			      w->vm->def.name, p->method);
		p->done(w->vm, p->call, NULL, &err);
		free(p);
	}
}

/* Set vm's state and last_exit from how w ended; returns the event. */
static const char *judge(struct worker_proc *w)
{
	struct vm *vm = w->vm;
	json_t *exit = json_pack("{s:I}", "time", (json_int_t)time(NULL));
	const char *reason = json_string_value(json_object_get(w->report, "reason"));
	const char *event = "stopped";

	if (!exit)
		return event;
	if (w->term_signal)
		json_object_set_new(exit, "signal", json_integer(w->term_signal));
	else
		json_object_set_new(exit, "status", json_integer(w->exit_status));
	if (w->start_failed) {
		json_decref(exit);
		vm->state = VM_STOPPED;
		return NULL;	/* start_done() has recorded why */
	}
	if (w->report && !w->term_signal && w->exit_status == 0) {
		json_object_set_new(exit, "reason", json_string(reason ? reason : "unknown"));
		if (json_object_get(w->report, "error"))
			json_object_set(exit, "error", json_object_get(w->report, "error"));
		vm->state = VM_STOPPED;
	} else if (w->stop_requested) {
		json_object_set_new(exit, "reason", json_string(w->killed ? "killed" : "request"));
		vm->state = VM_STOPPED;
	} else {
		json_object_set_new(exit, "reason", json_string(w->killed ? w->kill_reason : "crashed"));
		vm->state = VM_CRASHED;
		event = "crashed";
	}
	if (w->report && json_object_get(w->report, "stats")) {
		json_decref(vm->last_stats);
		vm->last_stats = json_incref(json_object_get(w->report, "stats"));
	}
	json_decref(vm->last_exit);
	vm->last_exit = exit;
	return event;
}

static void finish(struct worker_proc *w)
{
	struct vm *vm = w->vm;
	const char *event;

	if (w->finished || !w->exited || !w->pipe_closed)
		return;
	w->finished = true;
	fail_pending(w);
	event = judge(w);
	vm->worker = NULL;
	vm->op = NULL;
	log_info("VM '%s': worker %d ended (%s %lld): %s", vm->def.name, w->pid,
		 w->term_signal ? "signal" : "status",
		 (long long)(w->term_signal ? w->term_signal : w->exit_status),
		 vm_state_name(vm->state));
	if (event)
		server_event(vm->srv, vm, event, json_deep_copy(vm->last_exit));
	/* A slow reader dropped on the way frees its own entry: step first. */
	for (struct console_sub *s = vm->consoles, *next; s; s = next) {
		next = s->next;
		client_notify(s->client, "console.closed",
			      json_pack("{s:s, s:s}", "name", vm->def.name, "state",
					vm_state_name(vm->state)));
	}
	if (w->start_call)
		rpc_call_fail(w->start_call, &w->start_error);
	rpc_error_clear(&w->start_error);
	while (w->waiters) {
		struct waiter *wt = w->waiters;

		w->waiters = wt->next;
		rpc_call_finish(wt->call, vm_info_json(vm));
		free(wt);
	}
	rpc_session_close(w->session);
	uv_close((uv_handle_t *)&w->tick, on_handle_closed);
	server_check_shutdown(vm->srv);
}

static void on_worker_exit(uv_process_t *proc, int64_t status, int term_signal)
{
	struct worker_proc *w = proc->data;

	w->exited = true;
	w->exit_status = status;
	w->term_signal = term_signal;
	uv_close((uv_handle_t *)&w->proc, on_handle_closed);
	finish(w);
}

static void on_pipe_closed(uv_handle_t *h)
{
	struct worker_proc *w = h->data;

	w->pipe_closed = true;
	finish(w);
	on_handle_closed(h);
}

/* ---- Talking to the worker ---- */

struct write_req {
	uv_write_t req;
	char data[];
};

static void on_written(uv_write_t *req, int status)
{
	free(req);
}

static void send_line(void *ctx, const char *line, size_t len)
{
	struct worker_proc *w = ctx;
	struct write_req *r;
	uv_buf_t buf;

	if (uv_is_closing((uv_handle_t *)&w->pipe))
		return;
	r = malloc(sizeof(*r) + len);
	if (!r) {
		kill_worker(w, "out of memory");
		return;
	}
	memcpy(r->data, line, len);
	buf = uv_buf_init(r->data, (unsigned)len);
	if (uv_write(&r->req, (uv_stream_t *)&w->pipe, &buf, 1, on_written) < 0)
		free(r);
}

static void response(void *ctx, const struct rpc_msg *msg)
{
	struct worker_proc *w = ctx;
	struct pending **pp = &w->pending, *p;
	struct rpc_error err = { .code = 0 };

	while (*pp && !(json_is_integer(msg->id) && json_integer_value(msg->id) == (*pp)->id))
		pp = &(*pp)->next;
	if (!(p = *pp)) {
		log_warn("VM '%s': an answer to no request of ours", w->vm->def.name);
		return;
	}
	*pp = p->next;
	if (msg->error) {
		/* The worker's errors are ours (same codes): pass them on. */
		rpc_error_set(&err, msg->error_code, "%s", msg->error_message);
		p->done(w->vm, p->call, NULL, &err);
	} else {
		p->done(w->vm, p->call, msg->result, NULL);
	}
	free(p);
}

static int n_state(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct worker_proc *w = ctx;
	const char *state = json_string_value(json_object_get(params, "state"));
	const char *reason = json_string_value(json_object_get(params, "reason"));

	if (state && !strcmp(state, "stopped")) {
		json_decref(w->report);
		w->report = json_incref(params);
		log_info("VM '%s': the guest stopped: %s", w->vm->def.name, reason ? reason : "?");
	} else if (state && !strcmp(state, "running") && reason && !strcmp(reason, "reset")) {
		server_event(w->vm->srv, w->vm, "reset", NULL);
	}
	return 0;
}

static int n_console(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		     struct rpc_error *err)
{
	static uint8_t bytes[64 << 10];
	struct worker_proc *w = ctx;
	struct vm *vm = w->vm;
	json_t *data = json_object_get(params, "data");
	long n = -EINVAL;

	if (json_string_length(data) <= BASE64_ENCODED_LEN(sizeof(bytes)))
		n = base64_decode(json_string_value(data), json_string_length(data), bytes);
	if (n < 0) {
		log_warn("VM '%s': bad console.output from the worker", vm->def.name);
		return 0;
	}
	ring_push(&vm->scrollback, bytes, (size_t)n);
	/* A slow reader dropped on the way frees its own entry: step first. */
	for (struct console_sub *s = vm->consoles, *next; s; s = next) {
		next = s->next;
		client_notify(s->client, "console.output",
			      json_pack("{s:s, s:O}", "name", vm->def.name, "data", data));
	}
	return 0;
}

static const struct rpc_param state_params[] = {
	{ .name = "state", .type = RPC_TYPE_STRING, .required = true },
	{ .name = "reason", .type = RPC_TYPE_STRING },
	{ .name = "error", .type = RPC_TYPE_STRING },
	{ .name = "stats", .type = RPC_TYPE_OBJECT },
	{ .name = 0 },
};

static const struct rpc_param console_params[] = {
	{ .name = "data", .type = RPC_TYPE_STRING, .required = true },
	{ .name = "dropped", .type = RPC_TYPE_INTEGER },
	{ .name = 0 },
};

static const struct rpc_method worker_methods[] = {
	{ .name = "worker.state", .handler = n_state, .params = state_params },
	{ .name = "console.output", .handler = n_console, .params = console_params },
	{ .name = NULL },
};

static const struct rpc_session_conf worker_conf = {
	.methods = worker_methods,
	.send = send_line,
	.response = response,
};

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char space[64 << 10];

	*buf = uv_buf_init(space, sizeof(space));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct worker_proc *w = s->data;

	if (n > 0) {
		rpc_session_feed(w->session, buf->base, (size_t)n);
	} else if (n < 0) {
		w->eof_ns = gtimer_now_ns();
		uv_close((uv_handle_t *)&w->pipe, on_pipe_closed);
	}
}

static void on_tick(uv_timer_t *t)
{
	struct worker_proc *w = t->data;
	uint64_t now = gtimer_now_ns();
	bool late = false;

	for (struct pending *p = w->pending; p; p = p->next)
		late |= now >= p->deadline_ns;
	if (late)
		kill_worker(w, w->stop_requested ? "stop grace period over" : "unresponsive");
	if (w->eof_ns && now - w->eof_ns > EOF_EXIT_NS)
		kill_worker(w, "closed its socket but did not exit");
}

int supervisor_request(struct vm *vm, const char *method, json_t *params, unsigned timeout_ms,
		       struct rpc_call *call, worker_done_fn *done, struct rpc_error *err)
{
	struct worker_proc *w = vm->worker;
	struct pending *p;
	int rc;

	if (!w || w->pipe_closed || uv_is_closing((uv_handle_t *)&w->pipe)) {
		json_decref(params);
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is not running", vm->def.name);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_decref(params);
		return -ENOMEM;
	}
	p->id = ++w->next_id;
	if ((rc = rpc_session_send(w->session, rpc_request(p->id, method, params))) < 0) {
		free(p);
		rpc_error_set(err, PROTO_ERR_INTERNAL, "cannot send %s: %s", method, strerror(-rc));
		return rc;
	}
	p->method = method;
	p->call = call;
	p->done = done;
	p->deadline_ns = gtimer_now_ns() + timeout_ms * 1000000ull;
	p->next = w->pending;
	w->pending = p;
	return 0;
}

/* ---- Start and stop ---- */

static void start_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	struct worker_proc *w = vm->worker;

	if (result) {
		vm->state = VM_RUNNING;
		vm->op = NULL;
		server_event(vm->srv, vm, "started", NULL);
		if (call)
			rpc_call_finish(call, vm_info_json(vm));
		return;
	}
	json_decref(vm->last_exit);
	vm->last_exit = json_pack("{s:s, s:s, s:I, s:I}", "reason", "start-failed",
				  "error", err->message, "code", (json_int_t)err->code,
				  "time", (json_int_t)time(NULL));
	log_warn("VM '%s': cannot start: %s", vm->def.name, err->message);
	if (!w) {
		if (call)
			rpc_call_fail(call, err);
		else
			rpc_error_clear(err);
		return;
	}
	/* Answer once the worker is gone (finish()), so that the caller
	 * finds the VM stopped and free to start or destroy again. */
	w->start_failed = true;
	w->start_call = call;
	w->start_error = *err;
	err->data = NULL;
	rpc_error_clear(err);
}

static int spawn(struct worker_proc *w, struct server *srv, char *why, size_t len)
{
	char *args[8];
	int n = 0, rc;
	uv_stdio_container_t stdio[4] = {
		{ .flags = UV_IGNORE },
		{ .flags = UV_INHERIT_FD, .data.fd = 2 },
		{ .flags = UV_INHERIT_FD, .data.fd = 2 },
		{ .flags = UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE,
		  .data.stream = (uv_stream_t *)&w->pipe },
	};
	uv_process_options_t opts = {
		.exit_cb = on_worker_exit,
		.file = "/proc/self/exe",
		.args = args,
		.stdio = stdio,
		.stdio_count = 4,
		/* Its own session: a terminal's ^C reaches the daemon, which
		 * stops its VMs in order, not every worker at once. */
		.flags = UV_PROCESS_DETACHED,
	};

	args[n++] = "hsptd";
	args[n++] = "worker";
	args[n++] = "--fd=3";
	args[n++] = "--name";
	args[n++] = w->vm->def.name;
	if (srv->verbose)
		args[n++] = "--verbose";
	args[n] = NULL;
	w->proc.data = w;
	rc = uv_spawn(srv->loop, &w->proc, &opts);
	w->open_handles++;
	if (rc < 0) {
		snprintf(why, len, "cannot start a worker process: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&w->proc, on_handle_closed);
		return rc;
	}
	w->pid = w->proc.pid;
	return 0;
}

int supervisor_start(struct vm *vm, struct rpc_call *call, struct rpc_error *err)
{
	struct server *srv = vm->srv;
	struct worker_proc *w;
	char why[200];
	json_t *params;
	int rc;

	if (vm->worker) {
		rpc_error_set(err, PROTO_ERR_BUSY, "VM '%s': its previous worker is still ending",
			      vm->def.name);
		return -EBUSY;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->vm = vm;
	uv_pipe_init(srv->loop, &w->pipe, 0);
	uv_timer_init(srv->loop, &w->tick);
	w->pipe.data = w->tick.data = w;
	w->open_handles = 2;
	if ((rc = spawn(w, srv, why, sizeof(why))) ||
	    (rc = rpc_session_new(&worker_conf, w, &w->session))) {
		rpc_error_set(err, PROTO_ERR_WORKER, "VM '%s': %s", vm->def.name,
			      rc == -ENOMEM ? "out of memory" : why);
		if (w->pid)
			uv_process_kill(&w->proc, SIGKILL);
		/* Not yet vm's worker: on_worker_exit() must not judge anything. */
		w->finished = true;
		uv_close((uv_handle_t *)&w->pipe, on_handle_closed);
		uv_close((uv_handle_t *)&w->tick, on_handle_closed);
		return rc;
	}
	uv_read_start((uv_stream_t *)&w->pipe, on_alloc, on_read);
	uv_timer_start(&w->tick, on_tick, TICK_MS, TICK_MS);
	vm->worker = w;
	vm->state = VM_STARTING;
	vm->op = "start";
	vm->started_at = time(NULL);
	vm->started_ns = gtimer_now_ns();
	/* A new run, a new console log. */
	vm->scrollback.len = 0;
	json_decref(vm->last_stats);
	vm->last_stats = NULL;
	log_info("VM '%s': worker %d started", vm->def.name, w->pid);
	params = json_pack("{s:s, s:I, s:I, s:s, s:s*, s:s*, s:s}", "name", vm->def.name,
			   "vcpus", (json_int_t)vm->def.vcpus, "memory", (json_int_t)vm->def.memory,
			   "kernel", vm->def.kernel, "initrd", vm->def.initrd,
			   "append", vm->def.append, "spt", vm->def.spt);
	rc = supervisor_request(vm, "worker.start", params, WORKER_START_TIMEOUT_MS, call,
				start_done, err);
	if (rc) {
		/* It would wait for a request forever. */
		w->start_failed = true;
		kill_worker(w, "cannot send it worker.start");
	}
	return rc;
}

static void stop_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	json_t *stats = json_object_get(result, "stats");

	if (stats) {
		json_decref(vm->last_stats);
		vm->last_stats = json_incref(stats);
	}
	if (err)
		rpc_error_clear(err);
}

int supervisor_stop(struct vm *vm, unsigned grace_ms, struct rpc_call *call,
		    struct rpc_error *err)
{
	struct worker_proc *w = vm->worker;
	struct waiter *wt;

	if (!w) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s", vm->def.name,
			      vm_state_name(vm->state));
		return -EINVAL;
	}
	if (call) {
		if (!(wt = calloc(1, sizeof(*wt))))
			return -ENOMEM;
		wt->call = call;
		wt->next = w->waiters;
		w->waiters = wt;
	}
	w->stop_requested = true;
	vm->state = VM_STOPPING;
	vm->op = "stop";
	if (!grace_ms) {
		kill_worker(w, "forced stop");
		return 0;
	}
	if (!w->stop_sent) {
		struct rpc_error ignored = { .code = 0 };

		w->stop_sent = true;
		if (supervisor_request(vm, "worker.stop", NULL, grace_ms, NULL, stop_done, &ignored))
			kill_worker(w, "cannot ask it to stop");
		rpc_error_clear(&ignored);
	}
	return 0;
}
