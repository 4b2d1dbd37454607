/* stats.h — a running board's statistics as JSON, the result of
 * worker.stats and vm.stats (docs/protocol.md describes the fields). */
#ifndef HSPT_DAEMON_STATS_H
#define HSPT_DAEMON_STATS_H

#include <jansson.h>
#include <stdint.h>

#include "machine/board.h"

/* {uptime_ms, vcpus: [...], total: {...}, vm: {...}} for board b, which
 * has run for uptime_ns; every shadow counter (SHADOW_STATS_FIELDS) per
 * vCPU and summed. A new reference, or NULL when out of memory. */
json_t *stats_json(struct board *b, uint64_t uptime_ns);

#endif
