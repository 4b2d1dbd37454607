/* methods.c — the methods clients call (docs/protocol.md, "Methods").
 *
 * Each handler checks access first: a VM belongs to the uid that created
 * it, and only that uid, root and the daemon's own uid may see or touch
 * it. Lifecycle methods are forwarded to the VM's worker and answered when
 * it does (RPC_DEFERRED); one lifecycle operation (start, pause, resume)
 * runs at a time per VM, a second one gets PROTO_ERR_BUSY. */
#include "daemon/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "machine/board.h"
#include "machine/loader.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/version.h"
#include "vcpu/gtimer.h"

#define KERNEL_FILE_MAX	(64u << 20)	/* a zImage larger than this is refused */
#define INPUT_MAX	(16u << 10)	/* console input bytes per call */

static const struct rpc_param name_only[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true, .max_len = VM_NAME_MAX },
	{ .name = 0 },
};

/* The VM params.name names, if the caller may act on it. */
static struct vm *lookup(struct client *c, json_t *params, struct rpc_error *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	struct vm *vm = vm_find(c->srv, name);

	if (!vm) {
		rpc_error_set(err, PROTO_ERR_NO_SUCH_VM, "no VM named '%s'", name);
		return NULL;
	}
	if (!client_may(c, vm->def.owner)) {
		rpc_error_set(err, PROTO_ERR_PERMISSION, "VM '%s' belongs to uid %u, not to uid %u",
			      name, (unsigned)vm->def.owner, (unsigned)c->uid);
		return NULL;
	}
	return vm;
}

/* ---- vm.create ---- */

/* A VM definition's params: vm.create requires the kernel, vm.set nothing
 * but the name. */
#define VM_DEF_PARAMS(kernel_required)                                                    \
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true, .max_len = VM_NAME_MAX }, \
	{ .name = "kernel", .type = RPC_TYPE_STRING, .required = (kernel_required),          \
	  .max_len = VM_PATH_MAX },                                                          \
	{ .name = "initrd", .type = RPC_TYPE_STRING, .max_len = VM_PATH_MAX },                \
	{ .name = "append", .type = RPC_TYPE_STRING, .max_len = VM_APPEND_MAX },              \
	{ .name = "vcpus", .type = RPC_TYPE_INTEGER, .min = 1, .max = VIRT_MAX_CPUS },        \
	{ .name = "memory", .type = RPC_TYPE_INTEGER, .min = BOARD_MIN_RAM,                  \
	  .max = VIRT_RAM_MAX },                                                             \
	{ .name = "spt", .type = RPC_TYPE_STRING, .max_len = 31 },                           \
	{ .name = "autostart", .type = RPC_TYPE_BOOLEAN },                                   \
	{ .name = 0 }

static const struct rpc_param create_params[] = { VM_DEF_PARAMS(true) };

/* May uid (group gid) read st? The daemon may run as root for everyone:
 * it must not read on a user's behalf what that user could not. The
 * check uses the file's mode against the caller's uid and primary gid
 * (supplementary groups are not known from SO_PEERCRED). */
static bool caller_may_read(const struct client *c, const struct stat *st)
{
	if (c->uid == 0 || c->uid == c->srv->uid)
		return true;
	if (st->st_uid == c->uid)
		return st->st_mode & S_IRUSR;
	if (st->st_gid == c->gid)
		return st->st_mode & S_IRGRP;
	return st->st_mode & S_IROTH;
}

/* Check a guest image path: absolute, a regular file the caller may read;
 * for the kernel, a zImage. */
static int check_image(struct client *c, const char *what, const char *path, bool kernel,
		       struct rpc_error *err)
{
	const char *why = NULL;
	struct stat st;
	uint8_t *img;
	int fd, rc = -EINVAL;

	if (path[0] != '/') {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.%s: '%s' is not an absolute path",
			      what, path);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rpc_error_set(err, PROTO_ERR_GUEST_IMAGE, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || !caller_may_read(c, &st)) {
		rpc_error_set(err, PROTO_ERR_GUEST_IMAGE, "%s %s: %s", what, path,
			      S_ISREG(st.st_mode) ? "you may not read it" : "not a regular file");
		goto out;
	}
	if (!kernel) {
		rc = 0;
		goto out;
	}
	if (st.st_size > KERNEL_FILE_MAX) {
		rpc_error_set(err, PROTO_ERR_GUEST_IMAGE, "kernel %s: larger than %u MiB", path,
			      KERNEL_FILE_MAX >> 20);
		goto out;
	}
	/* The header check compares the header's length with the file's: read
	 * it whole (a few MiB, from the page cache as a rule). */
	img = malloc((size_t)st.st_size + 1);
	if (!img) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(fd, img, (size_t)st.st_size, 0) != st.st_size)
		why = "cannot read it whole";
	else if (loader_check_zimage(img, (size_t)st.st_size, &why) == 0)
		rc = 0;
	if (rc)
		rpc_error_set(err, PROTO_ERR_GUEST_IMAGE, "kernel %s: %s", path, why);
	free(img);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static char *dup_opt(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return v ? strdup(json_string_value(v)) : NULL;
}

/* The definition fields vm.create and vm.set share: memory in whole MiB,
 * a known SPT organization, readable images (the kernel a zImage). */
static int check_def_fields(struct client *c, json_t *params, struct rpc_error *err)
{
	const char *spt = json_string_value(json_object_get(params, "spt"));
	json_t *mem = json_object_get(params, "memory");
	json_t *kernel = json_object_get(params, "kernel");
	json_t *initrd = json_object_get(params, "initrd");
	struct shadow_config sc;

	if (mem && json_integer_value(mem) % (1 << 20)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.memory: %" JSON_INTEGER_FORMAT
			      " is not a whole number of MiB", json_integer_value(mem));
		return -EINVAL;
	}
	if (spt && shadow_parse_org(spt, &sc)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.spt: '%s' is not soft, shared, "
			      "private or group:N", spt);
		return -EINVAL;
	}
	if (kernel && check_image(c, "kernel", json_string_value(kernel), true, err))
		return -EINVAL;
	/* vm.set's "initrd": "" removes it: nothing to check. */
	if (initrd && json_string_length(initrd) &&
	    check_image(c, "initrd", json_string_value(initrd), false, err))
		return -EINVAL;
	return 0;
}

static int check_create(struct client *c, json_t *params, struct rpc_error *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *initrd = json_object_get(params, "initrd");

	if (!vm_name_valid(name)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.name: '%s' is not a valid name "
			      "(letters, digits, '_', '.', '-'; not starting with '.' or '-')", name);
		return -EINVAL;
	}
	if (vm_find(c->srv, name)) {
		rpc_error_set(err, PROTO_ERR_VM_EXISTS, "a VM named '%s' exists already", name);
		return -EEXIST;
	}
	if (c->srv->nvms >= c->srv->max_vms) {
		rpc_error_set(err, PROTO_ERR_LIMIT, "%u VMs exist, the most this daemon keeps",
			      c->srv->nvms);
		return -ENOSPC;
	}
	if (initrd && !json_string_length(initrd)) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.initrd: empty path");
		return -EINVAL;
	}
	return check_def_fields(c, params, err);
}

static int m_create(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		    struct rpc_error *err)
{
	struct client *c = ctx;
	json_t *v;
	struct vm_def def = { .vcpus = 1, .memory = BOARD_DEFAULT_RAM };
	struct vm *vm;
	int rc;

	if ((rc = check_create(c, params, err)))
		return rc;
	snprintf(def.name, sizeof(def.name), "%s", json_string_value(json_object_get(params, "name")));
	snprintf(def.spt, sizeof(def.spt), "%s",
		 (v = json_object_get(params, "spt")) ? json_string_value(v) : "private");
	if ((v = json_object_get(params, "vcpus")))
		def.vcpus = (unsigned)json_integer_value(v);
	if ((v = json_object_get(params, "memory")))
		def.memory = (uint64_t)json_integer_value(v);
	def.autostart = json_is_true(json_object_get(params, "autostart"));
	def.owner = c->uid;
	def.created = time(NULL);
	def.kernel = dup_opt(params, "kernel");
	def.initrd = dup_opt(params, "initrd");
	def.append = dup_opt(params, "append");
	if ((rc = vm_add(c->srv, &def, &vm))) {
		rpc_error_set(err, PROTO_ERR_INTERNAL, "cannot save the definition in %s: %s",
			      c->srv->state_dir, strerror(-rc));
		return rc;
	}
	server_event(c->srv, vm, "created", NULL);
	*result = vm_info_json(vm);
	return 0;
}

/* ---- vm.set ---- */

static const struct rpc_param set_params[] = { VM_DEF_PARAMS(false) };

/* *out = a copy of params' string `key` if given, else of `old`; "" and
 * NULL give NULL (no initrd, no command line). 0 or -ENOMEM. */
static int def_string(json_t *params, const char *key, const char *old, char **out)
{
	json_t *v = json_object_get(params, key);
	const char *str = v ? json_string_value(v) : old;

	*out = str && *str ? strdup(str) : NULL;
	return str && *str && !*out ? -ENOMEM : 0;
}

/* Change a VM's definition. autostart may change in any state; the fields
 * a boot reads only while the VM is stopped, so that what vm.info shows is
 * what runs. The new definition is saved before it replaces the old one:
 * if the state directory refuses it, nothing changes. */
static int m_set(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		 struct rpc_error *err)
{
	static const char *const boot_fields[] = { "kernel", "initrd", "append", "vcpus",
						   "memory", "spt", NULL };
	struct client *c = ctx;
	struct vm *vm = lookup(c, params, err);
	struct vm_def old, def;
	const char *busy = NULL;
	json_t *v;
	int rc;

	if (!vm)
		return -EINVAL;
	if (json_object_size(params) < 2) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params: nothing to set (give autostart, "
			      "kernel, initrd, append, vcpus, memory or spt)");
		return -EINVAL;
	}
	for (unsigned i = 0; boot_fields[i] && !busy; i++)
		if (json_object_get(params, boot_fields[i]))
			busy = boot_fields[i];
	if (busy && vm->state != VM_STOPPED && vm->state != VM_CRASHED) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s: stop it to change %s",
			      vm->def.name, vm_state_name(vm->state), busy);
		return -EINVAL;
	}
	if ((rc = check_def_fields(c, params, err)))
		return rc;	/* (a "kernel": "" is not an absolute path) */

	/* def: the definition with the changes applied, with its own strings
	 * (`|`, not `||`: all three run, so that `out` frees what was made). */
	def = vm->def;
	if (def_string(params, "kernel", vm->def.kernel, &def.kernel) |
	    def_string(params, "initrd", vm->def.initrd, &def.initrd) |
	    def_string(params, "append", vm->def.append, &def.append)) {
		rc = -ENOMEM;
		goto out;
	}
	if ((v = json_object_get(params, "spt")))
		snprintf(def.spt, sizeof(def.spt), "%s", json_string_value(v));
	if ((v = json_object_get(params, "vcpus")))
		def.vcpus = (unsigned)json_integer_value(v);
	if ((v = json_object_get(params, "memory")))
		def.memory = (uint64_t)json_integer_value(v);
	if ((v = json_object_get(params, "autostart")))
		def.autostart = json_is_true(v);

	old = vm->def;
	vm->def = def;
	if ((rc = vm_save(vm))) {
		vm->def = old;	/* and the new strings in def are freed below */
		rpc_error_set(err, PROTO_ERR_INTERNAL, "cannot save the definition in %s: %s",
			      c->srv->state_dir, strerror(-rc));
		goto out;
	}
	def = old;	/* the strings to free now are the old ones */
	server_event(c->srv, vm, "changed", NULL);
	*result = vm_info_json(vm);
	rc = *result ? 0 : -ENOMEM;
out:
	free(def.kernel);
	free(def.initrd);
	free(def.append);
	return rc;
}

/* ---- Lifecycle ---- */

static int m_start(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct vm *vm = lookup(ctx, params, err);
	int rc;

	if (!vm)
		return -EINVAL;
	if (vm->state != VM_STOPPED && vm->state != VM_CRASHED) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s", vm->def.name,
			      vm_state_name(vm->state));
		return -EINVAL;
	}
	if (vm->srv->stopping) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "the daemon is shutting down");
		return -EINVAL;
	}
	rc = supervisor_start(vm, call, err);
	return rc ? rc : RPC_DEFERRED;
}

/* pause/resume: the worker answered (result) or not (err). */
static void transition_done(struct vm *vm, struct rpc_call *call, json_t *result,
			    struct rpc_error *err, enum vm_state to, const char *event)
{
	if (vm->worker && vm->op && strcmp(vm->op, "stop"))
		vm->op = NULL;
	if (!result) {
		rpc_call_fail(call, err);
		return;
	}
	if (vm->state != VM_STOPPING) {
		vm->state = to;
		server_event(vm->srv, vm, event, NULL);
	}
	rpc_call_finish(call, vm_info_json(vm));
}

static void pause_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	transition_done(vm, call, result, err, VM_PAUSED, "paused");
}

static void resume_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	transition_done(vm, call, result, err, VM_RUNNING, "resumed");
}

static int transition(struct client *c, json_t *params, struct rpc_call *call,
		      struct rpc_error *err, enum vm_state from, const char *op, const char *method,
		      worker_done_fn *done)
{
	struct vm *vm = lookup(c, params, err);
	int rc;

	if (!vm)
		return -EINVAL;
	if (vm->op) {
		rpc_error_set(err, PROTO_ERR_BUSY, "VM '%s': %s is under way", vm->def.name, vm->op);
		return -EBUSY;
	}
	if (vm->state != from) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s", vm->def.name,
			      vm_state_name(vm->state));
		return -EINVAL;
	}
	if ((rc = supervisor_request(vm, method, NULL, WORKER_TIMEOUT_MS, call, done, err)))
		return rc;
	vm->op = op;
	return RPC_DEFERRED;
}

static int m_pause(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	return transition(ctx, params, call, err, VM_RUNNING, "pause", "worker.pause", pause_done);
}

static int m_resume(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		    struct rpc_error *err)
{
	return transition(ctx, params, call, err, VM_PAUSED, "resume", "worker.resume", resume_done);
}

static const struct rpc_param stop_params[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true, .max_len = VM_NAME_MAX },
	{ .name = "force", .type = RPC_TYPE_BOOLEAN },
	{ .name = "timeout", .type = RPC_TYPE_INTEGER, .min = 1, .max = 3600 },
	{ .name = 0 },
};

static int m_stop(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	struct vm *vm = lookup(ctx, params, err);
	json_t *t = json_object_get(params, "timeout");
	unsigned grace = t ? (unsigned)json_integer_value(t) * 1000 : STOP_GRACE_MS;
	int rc;

	if (!vm)
		return -EINVAL;
	if (json_is_true(json_object_get(params, "force")))
		grace = 0;
	rc = supervisor_stop(vm, grace, call, err);
	return rc ? rc : RPC_DEFERRED;
}

static int m_destroy(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		     struct rpc_error *err)
{
	struct vm *vm = lookup(ctx, params, err);
	struct server *srv = ctx ? ((struct client *)ctx)->srv : NULL;
	char name[VM_NAME_MAX + 1];
	int rc;

	if (!vm)
		return -EINVAL;
	if (vm->worker) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s: stop it first", vm->def.name,
			      vm_state_name(vm->state));
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%s", vm->def.name);
	/* Subscribers hear of it while the VM still exists to be named. */
	server_event(srv, vm, "destroyed", NULL);
	if ((rc = vm_remove(vm))) {
		rpc_error_set(err, PROTO_ERR_INTERNAL, "cannot remove the definition of '%s': %s",
			      name, strerror(-rc));
		return rc;
	}
	*result = json_pack("{s:s, s:b}", "name", name, "destroyed", 1);
	return 0;
}

/* ---- Looking ---- */

static int m_list(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	struct client *c = ctx;
	json_t *vms = json_array();

	for (struct vm *vm = c->srv->vms; vm && vms; vm = vm->next) {
		json_t *e;

		if (!client_may(c, vm->def.owner))
			continue;
		e = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}", "name", vm->def.name,
			      "state", vm_state_name(vm->state), "owner", (json_int_t)vm->def.owner,
			      "vcpus", (json_int_t)vm->def.vcpus, "memory", (json_int_t)vm->def.memory,
			      "autostart", vm->def.autostart);
		if (e && vm->worker) {
			json_object_set_new(e, "pid", json_integer(supervisor_pid(vm)));
			json_object_set_new(e, "uptime_ms",
				json_integer((json_int_t)((gtimer_now_ns() - vm->started_ns) / 1000000)));
		}
		if (json_array_append_new(vms, e)) {
			json_decref(vms);
			return -ENOMEM;
		}
	}
	*result = json_pack("{s:o}", "vms", vms);
	return *result ? 0 : -ENOMEM;
}

static int m_info(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		  struct rpc_error *err)
{
	struct vm *vm = lookup(ctx, params, err);

	if (!vm)
		return -EINVAL;
	*result = vm_info_json(vm);
	return *result ? 0 : -ENOMEM;
}

static void stats_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	json_t *r;

	if (!result) {
		rpc_call_fail(call, err);
		return;
	}
	r = json_deep_copy(result);
	if (r) {
		json_object_set_new(r, "name", json_string(vm->def.name));
		json_object_set_new(r, "state", json_string(vm_state_name(vm->state)));
		json_object_set_new(r, "final", json_false());
	}
	rpc_call_finish(call, r);
}

static int m_stats(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		   struct rpc_error *err)
{
	struct vm *vm = lookup(ctx, params, err);
	int rc;

	if (!vm)
		return -EINVAL;
	if (vm->state == VM_RUNNING || vm->state == VM_PAUSED) {
		rc = supervisor_request(vm, "worker.stats", NULL, WORKER_TIMEOUT_MS, call, stats_done,
					err);
		return rc ? rc : RPC_DEFERRED;
	}
	if (!vm->last_stats) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s and has no statistics from "
			      "an earlier run", vm->def.name, vm_state_name(vm->state));
		return -EINVAL;
	}
	/* The last run's final counters. */
	*result = json_deep_copy(vm->last_stats);
	if (!*result)
		return -ENOMEM;
	json_object_set_new(*result, "name", json_string(vm->def.name));
	json_object_set_new(*result, "state", json_string(vm_state_name(vm->state)));
	json_object_set_new(*result, "final", json_true());
	return 0;
}

/* ---- Console ---- */

static const struct rpc_param console_params[] = {
	{ .name = "name", .type = RPC_TYPE_STRING, .required = true, .max_len = VM_NAME_MAX },
	{ .name = "input", .type = RPC_TYPE_STRING, .max_len = BASE64_ENCODED_LEN(INPUT_MAX) },
	{ .name = "text", .type = RPC_TYPE_STRING, .max_len = INPUT_MAX },
	{ .name = "follow", .type = RPC_TYPE_BOOLEAN },
	{ .name = "scrollback", .type = RPC_TYPE_BOOLEAN },
	{ .name = 0 },
};

static void input_done(struct vm *vm, struct rpc_call *call, json_t *result, struct rpc_error *err)
{
	if (!result) {
		rpc_call_fail(call, err);
		return;
	}
	rpc_call_finish(call, json_pack("{s:s, s:O}", "name", vm->def.name, "accepted",
					json_object_get(result, "accepted")));
}

/* Send console input, base64 (input) or UTF-8 text (text). */
static int console_input(struct vm *vm, json_t *input, json_t *text, struct rpc_call *call,
			 struct rpc_error *err)
{
	static uint8_t bytes[INPUT_MAX];
	static char b64[BASE64_ENCODED_LEN(INPUT_MAX) + 1];
	const char *data = b64;
	int rc;

	if (input && text) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params: input and text together");
		return -EINVAL;
	}
	if (input && base64_decode(json_string_value(input), json_string_length(input), bytes) < 0) {
		rpc_error_set(err, PROTO_ERR_INVALID_PARAMS, "params.input: not base64");
		return -EINVAL;
	}
	if (vm->state != VM_RUNNING && vm->state != VM_PAUSED) {
		rpc_error_set(err, PROTO_ERR_BAD_STATE, "VM '%s' is %s", vm->def.name,
			      vm_state_name(vm->state));
		return -EINVAL;
	}
	if (input)
		data = json_string_value(input);
	else
		base64_encode((const uint8_t *)json_string_value(text), json_string_length(text), b64);
	rc = supervisor_request(vm, "worker.input", json_pack("{s:s}", "data", data),
				WORKER_TIMEOUT_MS, call, input_done, err);
	return rc ? rc : RPC_DEFERRED;
}

static int m_console(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		     struct rpc_error *err)
{
	static uint8_t tail[VM_SCROLLBACK];
	static char b64[BASE64_ENCODED_LEN(VM_SCROLLBACK) + 1];
	struct client *c = ctx;
	struct vm *vm = lookup(c, params, err);
	json_t *input = json_object_get(params, "input"), *text = json_object_get(params, "text");
	json_t *follow = json_object_get(params, "follow"), *sb = json_object_get(params, "scrollback");
	struct console_sub *s;
	bool want_scrollback;
	size_t n = 0;

	if (!vm)
		return -EINVAL;
	if (input || text)
		return console_input(vm, input, text, call, err);
	if (c->closing)
		return -EPIPE;	/* nobody to stream to */
	want_scrollback = sb ? json_is_true(sb) : true;
	if (follow && !json_is_true(follow)) {
		vm_console_unsubscribe(c->srv, c, vm);
	} else {
		for (s = vm->consoles; s && s->client != c; s = s->next)
			;
		if (!s) {
			if (!(s = calloc(1, sizeof(*s))))
				return -ENOMEM;
			s->client = c;
			s->next = vm->consoles;
			vm->consoles = s;
		}
	}
	if (want_scrollback)
		n = ring_peek_tail(&vm->scrollback, tail, sizeof(tail));
	base64_encode(tail, n, b64);
	*result = json_pack("{s:s, s:s, s:b, s:s}", "name", vm->def.name,
			    "state", vm_state_name(vm->state),
			    "following", !follow || json_is_true(follow), "scrollback", b64);
	return *result ? 0 : -ENOMEM;
}

/* ---- Events and the daemon ---- */

static const struct rpc_param subscribe_params[] = {
	{ .name = "enable", .type = RPC_TYPE_BOOLEAN },
	{ .name = 0 },
};

static int m_subscribe(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
		       struct rpc_error *err)
{
	struct client *c = ctx;
	json_t *en = json_object_get(params, "enable");

	c->subscribed = en ? json_is_true(en) : true;
	*result = json_pack("{s:b}", "subscribed", c->subscribed);
	return *result ? 0 : -ENOMEM;
}

static int m_daemon_info(void *ctx, json_t *params, struct rpc_call *call, json_t **result,
			 struct rpc_error *err)
{
	struct client *c = ctx;
	struct server *srv = c->srv;
	unsigned running = 0;

	for (struct vm *vm = srv->vms; vm; vm = vm->next)
		running += vm->worker != NULL;
	*result = json_pack("{s:s, s:I, s:I, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I,"
			    " s:{s:I, s:I, s:I, s:I, s:I, s:I},"
			    " s:{s:I, s:I, s:I, s:b}}",
			    "version", HSPT_VERSION, "pid", (json_int_t)getpid(),
			    "uid", (json_int_t)srv->uid, "socket", srv->socket_path,
			    "socket_activated", srv->activated, "state_dir", srv->state_dir,
			    "started_at", (json_int_t)srv->started_at,
			    "uptime_ms", (json_int_t)((gtimer_now_ns() - srv->start_ns) / 1000000),
			    "vms", (json_int_t)srv->nvms, "running", (json_int_t)running,
			    "clients", (json_int_t)srv->nclients,
			    "limits", "clients", (json_int_t)srv->max_clients,
			    "vms", (json_int_t)srv->max_vms, "frame", (json_int_t)PROTO_MAX_FRAME,
			    "client_queue", (json_int_t)CLIENT_MAX_QUEUE,
			    "scrollback", (json_int_t)VM_SCROLLBACK,
			    "stop_timeout_ms", (json_int_t)srv->stop_grace_ms,
			    "caller", "uid", (json_int_t)c->uid, "gid", (json_int_t)c->gid,
			    "pid", (json_int_t)c->pid, "admin", c->uid == 0 || c->uid == srv->uid);
	return *result ? 0 : -ENOMEM;
}

const struct rpc_method server_methods[] = {
	{ .name = "vm.create", .handler = m_create, .params = create_params },
	{ .name = "vm.set", .handler = m_set, .params = set_params },
	{ .name = "vm.start", .handler = m_start, .params = name_only },
	{ .name = "vm.pause", .handler = m_pause, .params = name_only },
	{ .name = "vm.resume", .handler = m_resume, .params = name_only },
	{ .name = "vm.stop", .handler = m_stop, .params = stop_params },
	{ .name = "vm.destroy", .handler = m_destroy, .params = name_only },
	{ .name = "vm.list", .handler = m_list },
	{ .name = "vm.info", .handler = m_info, .params = name_only },
	{ .name = "vm.stats", .handler = m_stats, .params = name_only },
	{ .name = "vm.console", .handler = m_console, .params = console_params },
	{ .name = "events.subscribe", .handler = m_subscribe, .params = subscribe_params },
	{ .name = "daemon.info", .handler = m_daemon_info },
	{ .name = NULL },
};
