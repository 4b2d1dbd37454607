/* show.c — hsptctl's output for people: tables and key/value lists. The
 * JSON (--json) is the daemon's own and is what scripts should read; this
 * layout may change. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl.h"

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;
	double v = (double)bytes;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 "%c", (uint64_t)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

void format_uptime(json_int_t ms, char *buf, size_t len)
{
	long long s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	else if (s < 86400)
		snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%lldd %02lld:%02lld:%02lld", s / 86400, s / 3600 % 24,
			 s / 60 % 60, s % 60);
}

static json_int_t get_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *get_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

void show_list(json_t *result)
{
	json_t *vms = json_object_get(result, "vms"), *vm;
	size_t i;

	printf("%-20s %-9s %5s %7s %12s %8s %6s\n", "NAME", "STATE", "VCPUS", "MEMORY", "UPTIME",
	       "PID", "OWNER");
	json_array_foreach(vms, i, vm) {
		char mem[16], up[32] = "-", pid[16] = "-";

		format_size((uint64_t)get_int(vm, "memory"), mem, sizeof(mem));
		if (json_object_get(vm, "uptime_ms"))
			format_uptime(get_int(vm, "uptime_ms"), up, sizeof(up));
		if (json_object_get(vm, "pid"))
			snprintf(pid, sizeof(pid), "%" JSON_INTEGER_FORMAT, get_int(vm, "pid"));
		printf("%-20s %-9s %5" JSON_INTEGER_FORMAT " %7s %12s %8s %6" JSON_INTEGER_FORMAT "\n",
		       get_str(vm, "name", "?"), get_str(vm, "state", "?"), get_int(vm, "vcpus"), mem,
		       up, pid, get_int(vm, "owner"));
	}
}

static void show_time(const char *label, json_int_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%-12s %s\n", label, buf);
}

void show_info(json_t *vm)
{
	json_t *exit = json_object_get(vm, "last_exit");
	char mem[16], up[32];

	format_size((uint64_t)get_int(vm, "memory"), mem, sizeof(mem));
	printf("%-12s %s\n", "name:", get_str(vm, "name", "?"));
	printf("%-12s %s%s%s\n", "state:", get_str(vm, "state", "?"),
	       json_object_get(vm, "operation") ? ", " : "", get_str(vm, "operation", ""));
	printf("%-12s %" JSON_INTEGER_FORMAT "\n", "owner:", get_int(vm, "owner"));
	printf("%-12s %" JSON_INTEGER_FORMAT "\n", "vcpus:", get_int(vm, "vcpus"));
	printf("%-12s %s\n", "memory:", mem);
	printf("%-12s %s\n", "spt:", get_str(vm, "spt", "?"));
	printf("%-12s %s\n", "kernel:", get_str(vm, "kernel", "?"));
	printf("%-12s %s\n", "initrd:", get_str(vm, "initrd", "-"));
	printf("%-12s %s\n", "append:", get_str(vm, "append", "-"));
	printf("%-12s %s\n", "autostart:", json_is_true(json_object_get(vm, "autostart")) ? "yes" : "no");
	show_time("created:", get_int(vm, "created"));
	if (json_object_get(vm, "pid")) {
		format_uptime(get_int(vm, "uptime_ms"), up, sizeof(up));
		printf("%-12s %" JSON_INTEGER_FORMAT "\n", "pid:", get_int(vm, "pid"));
		printf("%-12s %s\n", "uptime:", up);
	}
	if (exit) {
		printf("%-12s %s", "last exit:", get_str(exit, "reason", "?"));
		if (json_object_get(exit, "signal"))
			printf(", signal %" JSON_INTEGER_FORMAT, get_int(exit, "signal"));
		else if (json_object_get(exit, "status"))
			printf(", status %" JSON_INTEGER_FORMAT, get_int(exit, "status"));
		if (json_object_get(exit, "error"))
			printf(": %s", get_str(exit, "error", ""));
		putchar('\n');
	}
}

void show_daemon(json_t *d)
{
	json_t *lim = json_object_get(d, "limits"), *caller = json_object_get(d, "caller");
	char up[32];

	format_uptime(get_int(d, "uptime_ms"), up, sizeof(up));
	printf("%-12s %s\n", "version:", get_str(d, "version", "?"));
	printf("%-12s %" JSON_INTEGER_FORMAT " (uid %" JSON_INTEGER_FORMAT ")\n", "pid:",
	       get_int(d, "pid"), get_int(d, "uid"));
	printf("%-12s %s%s\n", "socket:", get_str(d, "socket", "?"),
	       json_is_true(json_object_get(d, "socket_activated")) ? " (from systemd)" : "");
	printf("%-12s %s\n", "state dir:", get_str(d, "state_dir", "?"));
	printf("%-12s %s\n", "uptime:", up);
	printf("%-12s %" JSON_INTEGER_FORMAT " defined, %" JSON_INTEGER_FORMAT " running (at most %"
	       JSON_INTEGER_FORMAT ")\n", "vms:", get_int(d, "vms"), get_int(d, "running"),
	       get_int(lim, "vms"));
	printf("%-12s %" JSON_INTEGER_FORMAT " (at most %" JSON_INTEGER_FORMAT ")\n", "clients:",
	       get_int(d, "clients"), get_int(lim, "clients"));
	printf("%-12s uid %" JSON_INTEGER_FORMAT "%s\n", "you:", get_int(caller, "uid"),
	       json_is_true(json_object_get(caller, "admin")) ? " (administrator)" : "");
}

/* One row: a counter for each vCPU, the total, and its rate. */
static void stat_row(const char *name, json_t *vcpus, const char *section, json_t *total,
		     json_t *prev_total, double interval_s)
{
	json_t *cpu;
	size_t i;
	json_int_t v = get_int(section ? json_object_get(total, section) : total, name);

	printf("%-20s", name);
	json_array_foreach(vcpus, i, cpu)
		printf(" %14" JSON_INTEGER_FORMAT,
		       get_int(section ? json_object_get(cpu, section) : cpu, name));
	if (json_array_size(vcpus) > 1)
		printf(" %14" JSON_INTEGER_FORMAT, v);
	if (prev_total && interval_s > 0) {
		json_t *p = section ? json_object_get(prev_total, section) : prev_total;

		printf(" %12.0f", (double)(v - get_int(p, name)) / interval_s);
	}
	putchar('\n');
}

void show_stats(json_t *st, json_t *prev, double interval_s)
{
	json_t *vcpus = json_object_get(st, "vcpus"), *total = json_object_get(st, "total");
	json_t *vm = json_object_get(st, "vm"), *cpu, *v;
	json_t *prev_total = prev ? json_object_get(prev, "total") : NULL;
	const char *key;
	char up[32];
	size_t i;

	format_uptime(get_int(st, "uptime_ms"), up, sizeof(up));
	printf("%s: %s%s, up %s, spt %s, %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
	       " shadow VMAs\n", get_str(st, "name", "?"), get_str(st, "state", "?"),
	       json_is_true(json_object_get(st, "final")) ? " (final counters of the last run)" : "",
	       up, get_str(vm, "spt", "?"), get_int(vm, "vmas"), get_int(vm, "vma_limit"));
	printf("%-20s", "");
	json_array_foreach(vcpus, i, cpu)
		printf(" %13s%zu", "vcpu", i);
	if (json_array_size(vcpus) > 1)
		printf(" %14s", "total");
	if (prev_total && interval_s > 0)
		printf(" %12s", "per second");
	putchar('\n');
	stat_row("instructions", vcpus, NULL, total, prev_total, interval_s);
	stat_row("exceptions", vcpus, NULL, total, prev_total, interval_s);
	stat_row("wfi_sleeps", vcpus, NULL, total, prev_total, interval_s);
	stat_row("wakeups", vcpus, NULL, total, prev_total, interval_s);
	json_object_foreach(json_object_get(total, "shadow"), key, v)
		stat_row(key, vcpus, "shadow", total, prev_total, interval_s);
}

void show_event(json_t *p)
{
	json_int_t t = get_int(p, "time");
	time_t tt = (time_t)t;
	char buf[32];
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s %-20s %-9s", buf, get_str(p, "name", "?"), get_str(p, "event", "?"));
	if (json_object_get(p, "reason"))
		printf(" reason=%s", get_str(p, "reason", ""));
	if (json_object_get(p, "signal"))
		printf(" signal=%" JSON_INTEGER_FORMAT, get_int(p, "signal"));
	else if (json_object_get(p, "status"))
		printf(" status=%" JSON_INTEGER_FORMAT, get_int(p, "status"));
	if (json_object_get(p, "error"))
		printf(" error=\"%s\"", get_str(p, "error", ""));
	putchar('\n');
	fflush(stdout);
}
