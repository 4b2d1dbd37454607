/* stats.c — see stats.h. */
#include "shadow/stats.h"

void shadow_stats_snapshot(struct shadow_stats *dst, const struct shadow_stats *src)
{
#define SNAP(name, desc) dst->name = __atomic_load_n(&src->name, __ATOMIC_RELAXED);
	SHADOW_STATS_FIELDS(SNAP)
#undef SNAP
}

void shadow_stats_accumulate(struct shadow_stats *dst, const struct shadow_stats *src)
{
#define ACC(name, desc) dst->name += __atomic_load_n(&src->name, __ATOMIC_RELAXED);
	SHADOW_STATS_FIELDS(ACC)
#undef ACC
}
