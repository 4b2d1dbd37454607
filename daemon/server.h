/* server.h — `hsptd serve`: the supervisor (DESIGN.md §5, docs/daemon.md).
 *
 * One libuv loop thread does everything: the control socket and its
 * clients (serve.c), the VM registry and its state directory
 * (registry.c), the worker processes (supervisor.c) and the methods
 * clients call (methods.c). Nothing here is thread-safe, and nothing here
 * blocks on a client or a worker: requests to workers are asynchronous
 * and time out. */
#ifndef HSPT_DAEMON_SERVER_H
#define HSPT_DAEMON_SERVER_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "proto/rpc.h"
#include "util/ring.h"

/* Limits (docs/daemon.md). */
#define SERVER_MAX_CLIENTS	256		/* default --max-clients */
#define SERVER_MAX_VMS		64		/* default --max-vms */
#define CLIENT_MAX_QUEUE	(8u << 20)	/* unsent bytes before a client is dropped */
#define VM_NAME_MAX		64
#define VM_PATH_MAX		4096
#define VM_APPEND_MAX		4096
#define VM_SCROLLBACK		(64u << 10)	/* console output kept per VM */
#define WORKER_TIMEOUT_MS	10000		/* a worker's answer to a request */
#define WORKER_START_TIMEOUT_MS	60000		/* ... to worker.start (loads images) */
#define STOP_GRACE_MS		10000		/* default vm.stop timeout */

enum vm_state { VM_STOPPED, VM_STARTING, VM_RUNNING, VM_PAUSED, VM_STOPPING, VM_CRASHED };

/* What the state directory keeps of a VM. */
struct vm_def {
	char name[VM_NAME_MAX + 1];
	uid_t owner;
	unsigned vcpus;
	uint64_t memory;		/* bytes */
	char *kernel, *initrd, *append;	/* owned; initrd and append may be NULL */
	char spt[32];
	bool autostart;
	int64_t created;		/* Unix time */
};

struct client;
struct worker_proc;

/* A client following a VM's console. */
struct console_sub {
	struct console_sub *next;
	struct client *client;
};

struct vm {
	struct server *srv;
	struct vm *next;		/* the registry, sorted by name */
	struct vm_def def;
	enum vm_state state;
	struct worker_proc *worker;	/* NULL: no process */
	const char *op;			/* lifecycle operation under way, or NULL */
	int64_t started_at;		/* Unix time of the last start */
	uint64_t started_ns;		/* CLOCK_MONOTONIC of the same */
	json_t *last_exit;		/* how the last run ended, or NULL */
	json_t *last_stats;		/* that run's final statistics, or NULL */
	struct ring scrollback;
	struct console_sub *consoles;
};

struct client {
	struct server *srv;
	struct client *prev, *next;
	uv_pipe_t pipe;
	struct rpc_session *session;
	unsigned id;			/* for logs */
	uid_t uid;			/* from SO_PEERCRED */
	gid_t gid;
	pid_t pid;
	bool subscribed;		/* receives "event" notifications */
	bool closing;
};

struct server {
	uv_loop_t *loop;
	uv_pipe_t listener;
	bool listening;
	bool activated;			/* the socket came from systemd */
	char socket_path[108];		/* sun_path */
	char state_dir[PATH_MAX];
	uid_t uid;			/* the daemon's own: an administrator */
	struct vm *vms;
	unsigned nvms, max_vms;
	struct client *clients;
	unsigned nclients, max_clients, next_client_id;
	unsigned stop_grace_ms;		/* for workers on daemon shutdown */
	bool verbose;			/* passed on to workers */
	uint64_t start_ns;
	int64_t started_at;
	bool stopping;
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t shutdown_timer;
};

/* ---- serve.c ---- */

/* argv[0] is "serve" (or the program when no subcommand was given).
 * Returns the process exit status. */
int serve_main(int argc, char **argv);

/* May the client act on VMs owned by uid? Root and the daemon's own uid
 * may act on every VM. */
bool client_may(const struct client *c, uid_t uid);

/* Send a notification (params stolen) to one client. */
void client_notify(struct client *c, const char *method, json_t *params);

/* Tell every subscribed client that may see vm about a state change:
 * an "event" notification {event, name, state, time, ...extra} (extra
 * stolen, may be NULL). */
void server_event(struct server *srv, struct vm *vm, const char *event, json_t *extra);

/* Every worker has ended: continue a shutdown under way. */
void server_check_shutdown(struct server *srv);

/* ---- registry.c ---- */

const char *vm_state_name(enum vm_state s);

/* Is name acceptable for a VM (1..64 of [A-Za-z0-9_.-], not starting
 * with '.' or '-')? */
bool vm_name_valid(const char *name);

struct vm *vm_find(struct server *srv, const char *name);

/* A new VM from def (its strings are taken), added to the registry and
 * saved to the state directory. 0 with *out, or -errno (the registry and
 * the directory are unchanged; def's strings are freed). */
int vm_add(struct server *srv, struct vm_def *def, struct vm **out);

/* Remove a VM that has no worker from the registry and the state
 * directory, and free it. 0, or -errno if its file could not be removed
 * (the VM then stays). */
int vm_remove(struct vm *vm);

/* Save vm's definition again (autostart changed). 0 or -errno. */
int vm_save(struct vm *vm);

/* Load every definition in the state directory; a bad file is logged and
 * skipped. 0, or -errno when the directory cannot be created or read. */
int registry_load(struct server *srv);

/* Free every VM (at exit; workers must have ended). */
void registry_free(struct server *srv);

/* vm.info's result: definition, state, pid, uptime, last exit. */
json_t *vm_info_json(struct vm *vm);

/* Drop a client's console subscriptions (all VMs, or just vm). */
void vm_console_unsubscribe(struct server *srv, struct client *c, struct vm *vm);

/* ---- supervisor.c ---- */

/* Called with the outcome of a request forwarded to vm's worker: result
 * (borrowed) when it answered, else err (the worker's error, a timeout,
 * or its end); call is the client's, possibly NULL. The callback must
 * finish call. */
typedef void worker_done_fn(struct vm *vm, struct rpc_call *call, json_t *result,
			    struct rpc_error *err);

/* Start vm's worker process and ask it to boot; call (may be NULL) is
 * finished when it has. 0, or -errno with err set. */
int supervisor_start(struct vm *vm, struct rpc_call *call, struct rpc_error *err);

/* Forward method(params, stolen) to vm's worker; done runs exactly once.
 * 0, or -errno with err set (done does not run). */
int supervisor_request(struct vm *vm, const char *method, json_t *params, unsigned timeout_ms,
		       struct rpc_call *call, worker_done_fn *done, struct rpc_error *err);

/* Stop vm: ask its worker to stop the board, and SIGKILL it if it has not
 * exited after grace_ms (0: at once). call (may be NULL) is finished once
 * the worker has exited. 0, or -errno with err set. */
int supervisor_stop(struct vm *vm, unsigned grace_ms, struct rpc_call *call,
		    struct rpc_error *err);

/* The worker's pid, or 0. */
int supervisor_pid(const struct vm *vm);

/* ---- methods.c ---- */

extern const struct rpc_method server_methods[];

#endif
