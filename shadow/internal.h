/* internal.h — the shadow engine's own structures; nothing outside shadow/
 * includes this. See docs/shadow.md for how the pieces fit. */
#ifndef HSPT_SHADOW_INTERNAL_H
#define HSPT_SHADOW_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "shadow/hlock.h"
#include "shadow/shadow.h"

/* A GDVAS is 4 GiB of host address space, one byte per guest byte. They sit
 * in one arena, separated by guard gaps so that no two windows' mappings can
 * ever merge into one host VMA (which keeps the VMA model per window). */
#define GDVAS_SPAN   (1ull << 32)
#define GDVAS_GUARD  (2ull << 20)
#define GDVAS_STRIDE (GDVAS_SPAN + GDVAS_GUARD)
#define GDVAS_PAGES  (1u << 20)

/* Bookkeeping granule: 1024 pages (4 MiB of VA), whose metadata is exactly
 * one 4 KiB host page. Eviction works a chunk at a time. */
#define CHUNK_SHIFT  22
#define CHUNK_PAGES  1024u
#define GDVAS_CHUNKS 1024u

/* Per-page metadata word: what the shadow maps at this guest page. */
#define META_VALID      (1u << 31)
#define META_WRITE      (1u << 30)
#define META_GLOBAL     (1u << 29)
#define META_SIZE_SHIFT 27		/* log2(block)/4 - 3: 0 4K, 1 64K, 2 1M, 3 16M */
#define META_SIZE_MASK  (3u << META_SIZE_SHIFT)
#define META_FRAME_MASK 0x07ffffffu	/* memfd page index */

struct gdvas {
	uint8_t *base;		/* host address of guest VA 0 */
	uint32_t *meta;		/* GDVAS_PAGES words, lazily backed */
	/* Held across walk + mmap by the fill path and by every invalidation
	 * of this window (see the protocol in docs/shadow.md). */
	struct hlock lock;
	bool filling;		/* atomic; a fill holds the lock */
	unsigned index;
	uint8_t pl;		/* which view this window is */
	long vmas;		/* modelled host VMAs this window adds (under lock) */
	uint32_t mapped;	/* valid pages (under lock) */
	uint16_t chunk_mapped[GDVAS_CHUNKS];	/* valid pages per chunk */
	uint64_t chunk_ref[GDVAS_CHUNKS / 64];	/* clock: filled since last sweep */
	unsigned clock_hand;
	uint64_t last_use;	/* atomic; VM tick of the last switch to it */
	unsigned users;		/* atomic; vCPUs whose current view it is */
};

/* One DACR value's pair of views inside an address-space slot. */
struct spt_key {
	uint32_t dacr;
	bool valid;
	unsigned users;		/* vCPUs using this key (under vm->lock) */
	uint64_t last_use;
	struct gdvas *view[2];	/* [pl] */
};

/* An address space: the SPT of one ASID (or of the vCPU in shared mode). */
struct spt_slot {
	int asid;		/* owner, -1 when free; atomic for readers */
	unsigned users;		/* vCPUs in this slot (under vm->lock) */
	uint64_t last_use;
	unsigned nkeys;
	struct spt_key *keys;
};

struct shadow_vm {
	struct physmem *pm;
	struct shadow_config cfg;

	uint8_t *arena;
	uint64_t arena_size;
	uint32_t *meta_arena;
	uint64_t meta_size;
	unsigned ngdvas;
	struct gdvas *gdvas;
	/* Windows that may hold entries or have a fill in progress; set by
	 * fills under the window lock, cleared by a flush that empties it. */
	uint64_t *active;

	/* 1 MiB regions of guest VA where some window may hold a global
	 * entry: lets TLBIMVA for a user VA skip every other address space. */
	uint64_t global_filter[4096 / 64];

	/* Slots: [0, nslots) for ASIDs, plus the MMU-off slot. Assignment of
	 * ASIDs to slots and DACR values to keys happens under lock; the
	 * fault path never takes it. */
	pthread_mutex_t lock;
	unsigned nslots, nkeys;
	struct spt_slot *slots;
	struct spt_slot flat;
	struct spt_key flat_key;
	int16_t asid_slot[SHADOW_NUM_ASIDS];	/* group mode */
	uint64_t tick;

	long vma_limit;
	long vmas;		/* atomic; modelled shadow VMAs, all windows */

	struct shadow_cpu *cpus[SHADOW_MAX_CPUS];
	void (*kick)(void *opaque, unsigned cpu);
	void *kick_opaque;
};

extern __thread struct shadow_cpu *shadow_self;

/* gsbase.c */
void gsbase_init(void);
void gsbase_set(uint64_t base);
bool gsbase_fast(void);

/* gdvas.c: windows, the VMA model and the budget. */
int gdvas_arena_init(struct shadow_vm *vm);
void gdvas_arena_destroy(struct shadow_vm *vm);
struct gdvas *gdvas_of_addr(struct shadow_vm *vm, uintptr_t addr, uint32_t *va);
/* Install [va, va+len) -> memfd offset off with write permission or not.
 * Caller holds g->lock. 0 or -errno. */
int gdvas_map(struct shadow_vm *vm, struct gdvas *g, uint32_t va, uint64_t len,
	      uint64_t off, bool write, bool global, unsigned size_code,
	      struct shadow_stats *st);
/* Remove [va, va+len). Caller holds g->lock. 0 or -errno. */
int gdvas_unmap(struct shadow_vm *vm, struct gdvas *g, uint32_t va, uint64_t len,
		struct shadow_stats *st);
/* Drop every entry (locks g). 0 or -errno. */
int gdvas_flush(struct shadow_vm *vm, struct gdvas *g, struct shadow_stats *st);
/* Drop every entry but the global ones (locks g): what an address-space
 * change must forget, since global entries match every ASID. */
int gdvas_flush_nonglobal(struct shadow_vm *vm, struct gdvas *g, struct shadow_stats *st);
/* Invalidate the block mapped at va, if any (and, if global_only, only if
 * it is a global entry). Lock-free pre-check, then locks g. 0 or -errno. */
int gdvas_invalidate_va(struct shadow_vm *vm, struct gdvas *g, uint32_t va,
			bool global_only, struct shadow_stats *st);
bool gdvas_is_active(struct shadow_vm *vm, const struct gdvas *g);
void gdvas_set_active(struct shadow_vm *vm, struct gdvas *g);
/* Make room for `need` more VMAs, evicting if the budget demands it. Must
 * be called with no window lock held. */
void gdvas_budget_reserve(struct shadow_vm *vm, long need, struct shadow_stats *st);
/* Modelled shadow VMAs of all VMs in this process. */
long gdvas_process_vmas(void);
/* Evict hard after the host refused a mapping (ENOMEM). */
void gdvas_budget_emergency(struct shadow_vm *vm, struct shadow_stats *st);

/* spt.c: organizations. */
int spt_init(struct shadow_vm *vm);
void spt_destroy(struct shadow_vm *vm);
int spt_bind(struct shadow_cpu *cpu);		/* (re)select slot+key+views */
/* Drop the slot's non-global entries, keep its global ones. */
int spt_forget_asid(struct shadow_vm *vm, struct spt_slot *s, struct shadow_stats *st);

/* fault.c */
int fault_install(void);

/* soft.c */
int soft_init(struct shadow_cpu *cpu);
void soft_destroy(struct shadow_cpu *cpu);
void soft_flush(struct shadow_cpu *cpu);
void soft_flush_va(struct shadow_cpu *cpu, uint32_t va);

/* vm.c */
void shadow_fault_from_walk(struct shadow_cpu *cpu, struct shadow_fault *f, uint32_t va,
			    enum walk_access acc, unsigned fs, unsigned domain);
/* Count a guest fault (abort by FS class; MMIO and unassigned together). */
void shadow_count_fault(struct shadow_stats *st, const struct shadow_fault *f);
bool shadow_fault_from_pa(const struct physmem *pm, struct shadow_fault *f, uint64_t pa,
			  uint32_t va, enum walk_access acc);

static inline uint64_t vm_tick(struct shadow_vm *vm)
{
	return __atomic_add_fetch(&vm->tick, 1, __ATOMIC_RELAXED);
}

#endif
