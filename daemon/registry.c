/* registry.c — the VMs hsptd knows, and their definitions in the state
 * directory: one file per VM, STATE_DIR/vms/NAME.json, written whole to a
 * temporary file, fsync'ed and renamed over the old one (then the
 * directory is fsync'ed), so that a crash at any point leaves either the
 * old definition or the new one. Only definitions are kept: a VM's run
 * state is not, since its worker does not outlive the daemon
 * (docs/daemon.md). */
#include "daemon/server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "vcpu/gtimer.h"

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_STOPPED: return "stopped";
	case VM_STARTING: return "starting";
	case VM_RUNNING: return "running";
	case VM_PAUSED: return "paused";
	case VM_STOPPING: return "stopping";
	case VM_CRASHED: return "crashed";
	}
	return "?";
}

bool vm_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > VM_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

struct vm *vm_find(struct server *srv, const char *name)
{
	for (struct vm *vm = srv->vms; vm; vm = vm->next)
		if (!strcmp(vm->def.name, name))
			return vm;
	return NULL;
}

static void def_free(struct vm_def *def)
{
	free(def->kernel);
	free(def->initrd);
	free(def->append);
	def->kernel = def->initrd = def->append = NULL;
}

static json_t *def_json(const struct vm_def *d)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:s, s:s*, s:s*, s:s, s:b, s:I}",
			 "name", d->name, "owner", (json_int_t)d->owner,
			 "vcpus", (json_int_t)d->vcpus, "memory", (json_int_t)d->memory,
			 "kernel", d->kernel, "initrd", d->initrd, "append", d->append,
			 "spt", d->spt, "autostart", d->autostart, "created", (json_int_t)d->created);
}

/* Parse a saved definition. 0, or -EINVAL with *why. */
static int def_parse(json_t *j, struct vm_def *d, const char **why)
{
	const char *name, *kernel, *initrd = NULL, *append = NULL, *spt;
	json_int_t owner, vcpus, memory, created;
	json_error_t jerr;
	int autostart;

	memset(d, 0, sizeof(*d));
	if (json_unpack_ex(j, &jerr, 0, "{s:s, s:I, s:I, s:I, s:s, s?s, s?s, s:s, s:b, s:I}",
			   "name", &name, "owner", &owner, "vcpus", &vcpus, "memory", &memory,
			   "kernel", &kernel, "initrd", &initrd, "append", &append, "spt", &spt,
			   "autostart", &autostart, "created", &created)) {
		*why = "missing or mistyped fields";
		return -EINVAL;
	}
	if (!vm_name_valid(name) || owner < 0 || vcpus < 1 || vcpus > 64 || memory <= 0 ||
	    strlen(spt) >= sizeof(d->spt)) {
		*why = "a field is out of range";
		return -EINVAL;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->spt, sizeof(d->spt), "%s", spt);
	d->owner = (uid_t)owner;
	d->vcpus = (unsigned)vcpus;
	d->memory = (uint64_t)memory;
	d->autostart = autostart;
	d->created = created;
	d->kernel = strdup(kernel);
	d->initrd = initrd ? strdup(initrd) : NULL;
	d->append = append ? strdup(append) : NULL;
	if (!d->kernel || (initrd && !d->initrd) || (append && !d->append)) {
		def_free(d);
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

static int vms_dir(const struct server *srv, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/vms", srv->state_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Write text to dir/name atomically. */
static int write_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	size_t len = strlen(text), off = 0;
	int fd, dfd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto err_file;
		}
		off += (size_t)n;
	}
	/* The data must be on disk before the rename makes it the file. */
	if (fsync(fd) < 0) {
		err = -errno;
		goto err_file;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	/* ... and the rename itself before we report success. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
err_file:
	close(fd);
	unlink(tmp);
	return err;
}

int vm_save(struct vm *vm)
{
	char dir[PATH_MAX], file[VM_NAME_MAX + 8];
	json_t *j = def_json(&vm->def);
	char *text;
	int err;

	if (!j)
		return -ENOMEM;
	text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	snprintf(file, sizeof(file), "%s.json", vm->def.name);
	err = vms_dir(vm->srv, dir, sizeof(dir));
	if (!err)
		err = write_atomic(dir, file, text);
	free(text);
	return err;
}

static struct vm *vm_alloc(struct server *srv, struct vm_def *def)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm || ring_init(&vm->scrollback, VM_SCROLLBACK)) {
		free(vm);
		return NULL;
	}
	vm->srv = srv;
	vm->def = *def;
	memset(def, 0, sizeof(*def));
	vm->state = VM_STOPPED;
	return vm;
}

static void vm_free(struct vm *vm)
{
	while (vm->consoles) {
		struct console_sub *sub = vm->consoles;

		vm->consoles = sub->next;
		free(sub);
	}
	def_free(&vm->def);
	json_decref(vm->last_exit);
	json_decref(vm->last_stats);
	ring_destroy(&vm->scrollback);
	free(vm);
}

/* Insert in name order, so that listings are sorted. */
static void link_vm(struct server *srv, struct vm *vm)
{
	struct vm **p = &srv->vms;

	while (*p && strcmp((*p)->def.name, vm->def.name) < 0)
		p = &(*p)->next;
	vm->next = *p;
	*p = vm;
	srv->nvms++;
}

int vm_add(struct server *srv, struct vm_def *def, struct vm **out)
{
	struct vm *vm = vm_alloc(srv, def);
	int err;

	if (!vm) {
		def_free(def);
		return -ENOMEM;
	}
	if ((err = vm_save(vm))) {
		vm_free(vm);
		return err;
	}
	link_vm(srv, vm);
	*out = vm;
	return 0;
}

int vm_remove(struct vm *vm)
{
	struct server *srv = vm->srv;
	char path[PATH_MAX];
	struct vm **p;

	if (snprintf(path, sizeof(path), "%s/vms/%s.json", srv->state_dir, vm->def.name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	for (p = &srv->vms; *p != vm; p = &(*p)->next)
		;
	*p = vm->next;
	srv->nvms--;
	vm_free(vm);
	return 0;
}

/* mkdir -p for the state directory, private to the daemon's user. */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void load_one(struct server *srv, const char *dir, const char *file)
{
	char path[PATH_MAX];
	json_error_t jerr;
	struct vm_def def;
	const char *why;
	struct vm *vm;
	json_t *j;
	size_t n = strlen(file);

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return;
	if (file[0] == '.') {
		/* A temporary file left by a crash in write_atomic(). */
		unlink(path);
		return;
	}
	if (n < 6 || strcmp(file + n - 5, ".json"))
		return;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		log_warn("%s: skipped: %s (line %d)", path, jerr.text, jerr.line);
		return;
	}
	if (def_parse(j, &def, &why)) {
		log_warn("%s: skipped: %s", path, why);
	} else if (strlen(def.name) != n - 5 || strncmp(def.name, file, n - 5)) {
		log_warn("%s: skipped: it defines VM '%s'", path, def.name);
		def_free(&def);
	} else if (srv->nvms >= srv->max_vms) {
		log_warn("%s: skipped: more than %u VMs", path, srv->max_vms);
		def_free(&def);
	} else if (!(vm = vm_alloc(srv, &def))) {
		log_warn("%s: skipped: out of memory", path);
		def_free(&def);
	} else {
		link_vm(srv, vm);
	}
	json_decref(j);
}

int registry_load(struct server *srv)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int err;

	if ((err = vms_dir(srv, dir, sizeof(dir))) || (err = make_dirs(dir)))
		return err;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			load_one(srv, dir, e->d_name);
	closedir(d);
	log_info("%u VM definition(s) in %s", srv->nvms, dir);
	return 0;
}

void registry_free(struct server *srv)
{
	while (srv->vms) {
		struct vm *vm = srv->vms;

		srv->vms = vm->next;
		vm_free(vm);
	}
	srv->nvms = 0;
}

json_t *vm_info_json(struct vm *vm)
{
	json_t *j = def_json(&vm->def);

	if (!j)
		return NULL;
	json_object_set_new(j, "state", json_string(vm_state_name(vm->state)));
	if (vm->worker) {
		json_object_set_new(j, "pid", json_integer(supervisor_pid(vm)));
		json_object_set_new(j, "started_at", json_integer(vm->started_at));
		json_object_set_new(j, "uptime_ms",
				    json_integer((json_int_t)((gtimer_now_ns() - vm->started_ns) / 1000000)));
	}
	if (vm->op)
		json_object_set_new(j, "operation", json_string(vm->op));
	if (vm->last_exit)
		json_object_set(j, "last_exit", vm->last_exit);
	return j;
}

void vm_console_unsubscribe(struct server *srv, struct client *c, struct vm *only)
{
	for (struct vm *vm = srv->vms; vm; vm = vm->next) {
		struct console_sub **p = &vm->consoles;

		if (only && vm != only)
			continue;
		while (*p) {
			struct console_sub *s = *p;

			if (!c || s->client == c) {
				*p = s->next;
				free(s);
			} else {
				p = &s->next;
			}
		}
	}
}
