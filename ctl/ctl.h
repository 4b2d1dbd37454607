/* ctl.h — hsptctl's commands, shared between its files. */
#ifndef HSPT_CTL_CTL_H
#define HSPT_CTL_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctl/client.h"

struct ctl {
	const char *socket;
	bool json;			/* --json: print results as JSON */
	struct ctl_conn conn;
};

/* show.c: human output. */
void show_list(json_t *result);
void show_info(json_t *vm);
void show_daemon(json_t *info);
/* The stats table; prev (may be NULL) adds a per-second column over
 * interval_s. */
void show_stats(json_t *stats, json_t *prev, double interval_s);
void show_event(json_t *params);
/* "512M", "1.5G": a size for people. */
void format_size(uint64_t bytes, char *buf, size_t len);
/* "3d 04:05:06", "12.3 s". */
void format_uptime(json_int_t ms, char *buf, size_t len);

/* console.c: the interactive and streaming commands. */
int cmd_console(struct ctl *ctl, int argc, char **argv);
int cmd_events(struct ctl *ctl, int argc, char **argv);
int cmd_stats(struct ctl *ctl, int argc, char **argv);

/* main.c: print result as JSON (--json) on standard output. */
void print_json(json_t *result);

#endif
