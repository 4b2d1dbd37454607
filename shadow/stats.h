/* stats.h — shadow-engine counters. Each vCPU owns one struct shadow_stats
 * and is its only writer; readers take a snapshot with relaxed loads, so the
 * counters cost one plain store each and stay on in production builds. */
#ifndef HSPT_SHADOW_STATS_H
#define HSPT_SHADOW_STATS_H

#include <stdint.h>

/* X(name, description): the one list every printer and serializer walks. */
#define SHADOW_STATS_FIELDS(X)                                                  \
	X(faults_filled, "shadow faults resolved by mapping guest RAM")         \
	X(faults_translation, "guest translation faults (incl. walk aborts)")  \
	X(faults_access_flag, "guest access-flag faults")                      \
	X(faults_domain, "guest domain faults")                                \
	X(faults_permission, "guest permission faults")                        \
	X(faults_mmio, "accesses sent to the MMIO/unassigned slow path")                  \
	X(fault_ns, "nanoseconds spent in the shadow fault path")              \
	X(map_calls, "mmap calls that installed shadow entries")               \
	X(pages_mapped, "4 KiB pages installed by page-sized fills")           \
	X(sections_mapped, "1 MiB sections installed whole")                   \
	X(unmaps, "ranges invalidated (one syscall each)")                     \
	X(full_flushes, "whole-GDVAS flushes")                                 \
	X(asid_flushes, "GDVASes emptied of their non-global entries")         \
	X(gdvas_switches, "GS base switches between views")                    \
	X(lru_steals, "SPTs taken from another ASID (group:N, DACR keys)")     \
	X(vma_evictions, "ranges evicted to stay under vm.max_map_count")      \
	X(tlbi_ops, "guest TLB maintenance operations")                        \
	X(soft_refills, "soft-MMU TLB refills")                                \
	X(soft_flushes, "soft-MMU TLB flushes")

struct shadow_stats {
#define SHADOW_STATS_DECLARE(name, desc) uint64_t name;
	SHADOW_STATS_FIELDS(SHADOW_STATS_DECLARE)
#undef SHADOW_STATS_DECLARE
};

/* Owner-thread increment: a relaxed load and store, no lock prefix. */
#define STAT_ADD(stats, field, n)                                              \
	__atomic_store_n(&(stats)->field,                                       \
			 __atomic_load_n(&(stats)->field, __ATOMIC_RELAXED) + (n), \
			 __ATOMIC_RELAXED)
#define STAT_INC(stats, field) STAT_ADD(stats, field, 1)

/* Copy src into dst with relaxed loads (safe against a running owner). */
void shadow_stats_snapshot(struct shadow_stats *dst, const struct shadow_stats *src);
/* dst += src, field by field. */
void shadow_stats_accumulate(struct shadow_stats *dst, const struct shadow_stats *src);

#endif
