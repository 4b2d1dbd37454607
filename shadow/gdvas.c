/* gdvas.c — guest-dedicated virtual address spaces, the host-VMA model and
 * the VMA budget.
 *
 * The VMA model. Every shadow mapping is a host VMA, and Linux caps a
 * process at vm.max_map_count of them. Inside one window the kernel's VMAs
 * are the maximal runs of pages that it can merge: unmapped pages (our
 * PROT_NONE reservation, never touched, so anonymous VMAs merge freely) or
 * memfd pages with consecutive file offsets and equal protection. With
 * guard gaps between windows, the VMAs a window adds to the arena's one
 * reservation are exactly the number of "boundaries" between neighbouring
 * pages that cannot merge (the pages outside the window count as
 * unmapped). The per-page metadata records offset and protection, so every
 * map or unmap updates the count by re-counting the boundaries at its edges
 * and inside it. Tests compare the model with /proc/self/maps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "shadow/internal.h"
#include "util/log.h"

#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/* vm.max_map_count is per process, not per VM: the budget counts the
 * shadow VMAs of every VM in the process (normally one: DESIGN.md §5). */
static long process_vmas;

long gdvas_process_vmas(void)
{
	return __atomic_load_n(&process_vmas, __ATOMIC_RELAXED);
}

int gdvas_arena_init(struct shadow_vm *vm)
{
	vm->arena_size = (uint64_t)vm->ngdvas * GDVAS_STRIDE;
	vm->arena = mmap(NULL, vm->arena_size, PROT_NONE, RESERVE_FLAGS, -1, 0);
	if (vm->arena == MAP_FAILED) {
		vm->arena = NULL;
		return -errno;
	}
	vm->meta_size = (uint64_t)vm->ngdvas * GDVAS_PAGES * sizeof(uint32_t);
	vm->meta_arena = mmap(NULL, vm->meta_size, PROT_READ | PROT_WRITE, RESERVE_FLAGS, -1, 0);
	if (vm->meta_arena == MAP_FAILED) {
		vm->meta_arena = NULL;
		goto err_arena;
	}
	vm->gdvas = calloc(vm->ngdvas, sizeof(*vm->gdvas));
	vm->active = calloc((vm->ngdvas + 63) / 64, sizeof(uint64_t));
	if (!vm->gdvas || !vm->active)
		goto err_meta;
	for (unsigned i = 0; i < vm->ngdvas; i++) {
		struct gdvas *g = &vm->gdvas[i];

		g->index = i;
		g->base = vm->arena + (uint64_t)i * GDVAS_STRIDE;
		g->meta = vm->meta_arena + (uint64_t)i * GDVAS_PAGES;
	}
	return 0;

err_meta:
	free(vm->gdvas);
	free(vm->active);
	vm->gdvas = NULL;
	vm->active = NULL;
	munmap(vm->meta_arena, vm->meta_size);
	vm->meta_arena = NULL;
err_arena:
	munmap(vm->arena, vm->arena_size);
	vm->arena = NULL;
	return -ENOMEM;
}

void gdvas_arena_destroy(struct shadow_vm *vm)
{
	/* The arena goes away whole: so do its VMAs. */
	__atomic_sub_fetch(&process_vmas, __atomic_load_n(&vm->vmas, __ATOMIC_RELAXED),
			   __ATOMIC_RELAXED);
	if (vm->arena)
		munmap(vm->arena, vm->arena_size);
	if (vm->meta_arena)
		munmap(vm->meta_arena, vm->meta_size);
	free(vm->gdvas);
	free(vm->active);
	vm->arena = NULL;
	vm->meta_arena = NULL;
	vm->gdvas = NULL;
	vm->active = NULL;
}

struct gdvas *gdvas_of_addr(struct shadow_vm *vm, uintptr_t addr, uint32_t *va)
{
	uint64_t rel, off;

	if (addr < (uintptr_t)vm->arena || addr - (uintptr_t)vm->arena >= vm->arena_size)
		return NULL;
	rel = addr - (uintptr_t)vm->arena;
	off = rel % GDVAS_STRIDE;
	if (off >= GDVAS_SPAN)
		return NULL;	/* a guard gap: nothing is ever mapped there */
	*va = (uint32_t)off;
	return &vm->gdvas[rel / GDVAS_STRIDE];
}

bool gdvas_is_active(struct shadow_vm *vm, const struct gdvas *g)
{
	return __atomic_load_n(&vm->active[g->index / 64], __ATOMIC_SEQ_CST) &
	       (1ull << (g->index % 64));
}

void gdvas_set_active(struct shadow_vm *vm, struct gdvas *g)
{
	/* Sequentially consistent: an invalidator that reads the bit clear
	 * after its own fence is guaranteed that this fill's walk, which comes
	 * after this store, sees the guest's new descriptor. */
	__atomic_fetch_or(&vm->active[g->index / 64], 1ull << (g->index % 64),
			  __ATOMIC_SEQ_CST);
}

static void clear_active(struct shadow_vm *vm, struct gdvas *g)
{
	__atomic_fetch_and(&vm->active[g->index / 64], ~(1ull << (g->index % 64)),
			   __ATOMIC_SEQ_CST);
}

/* ---- the VMA model ---- */

static uint32_t meta_at(const struct gdvas *g, int64_t page)
{
	if (page < 0 || page >= GDVAS_PAGES)
		return 0;
	return g->meta[page];
}

static bool mergeable(uint32_t a, uint32_t b)
{
	if (!(a & META_VALID) || !(b & META_VALID))
		return !(a & META_VALID) && !(b & META_VALID);
	return (a & META_WRITE) == (b & META_WRITE) &&
	       (b & META_FRAME_MASK) == (a & META_FRAME_MASK) + 1;
}

/* Boundaries between page i-1 and page i for i in [first, last]. */
static long boundaries(const struct gdvas *g, int64_t first, int64_t last)
{
	long n = 0;
	uint32_t prev = meta_at(g, first - 1);

	for (int64_t i = first; i <= last; i++) {
		uint32_t cur = meta_at(g, i);

		n += !mergeable(prev, cur);
		prev = cur;
	}
	return n;
}

/* Rewrite the metadata of pages [p0, p0+n) (value 0 = unmapped, otherwise
 * first, first+1, ...) and account the VMA and page counts. */
static void set_meta(struct shadow_vm *vm, struct gdvas *g, uint32_t p0, uint32_t n,
		     uint32_t first)
{
	long before = boundaries(g, p0, (int64_t)p0 + n), after;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t old = g->meta[p0 + i], val = first ? first + i : 0;
		unsigned c = (p0 + i) / CHUNK_PAGES;

		if ((old & META_VALID) && !(val & META_VALID)) {
			g->mapped--;
			g->chunk_mapped[c]--;
		} else if (!(old & META_VALID) && (val & META_VALID)) {
			g->mapped++;
			g->chunk_mapped[c]++;
		}
		g->meta[p0 + i] = val;
	}
	after = boundaries(g, p0, (int64_t)p0 + n);
	__atomic_store_n(&g->vmas, g->vmas + after - before, __ATOMIC_RELAXED);
	__atomic_add_fetch(&vm->vmas, after - before, __ATOMIC_RELAXED);
	__atomic_add_fetch(&process_vmas, after - before, __ATOMIC_RELAXED);
}

/* Put the PROT_NONE reservation back over [va, va+len). */
static int reserve(struct gdvas *g, uint32_t va, uint64_t len)
{
	void *p = mmap(g->base + va, len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

static void evict_others(struct shadow_vm *vm, struct gdvas *keep, struct shadow_stats *st);

/* Is every page of [va, va+len) mapped by something? mincore() fails with
 * ENOMEM on a hole and is async-signal-safe. */
static bool range_mapped(struct gdvas *g, uint32_t va, uint64_t len)
{
	unsigned char vec[256];

	for (uint64_t done = 0; done < len; done += sizeof(vec) * 4096) {
		uint64_t n = len - done < sizeof(vec) * 4096 ? len - done : sizeof(vec) * 4096;

		if (mincore(g->base + va + done, n, vec) != 0)
			return false;
	}
	return true;
}

/* A MAP_FIXED mmap failed (the host refused a VMA). Recent kernels leave
 * the old mappings in place; older ones may have removed them, leaving a
 * hole where some unrelated host mapping could later land inside the
 * window. If there is a hole, put the reservation back, evicting this VM's
 * other entries until the host accepts it. Called with g->lock held. */
static void repair_after_failed_map(struct shadow_vm *vm, struct gdvas *g, uint32_t va,
				    uint64_t len, struct shadow_stats *st)
{
	if (range_mapped(g, va, len))
		return;		/* nothing changed: the metadata still holds */
	for (int attempt = 0; attempt < 8; attempt++) {
		if (reserve(g, va, len) == 0) {
			set_meta(vm, g, va >> 12, (uint32_t)(len >> 12), 0);
			return;
		}
		evict_others(vm, g, st);
	}
	log_raw_hex("cannot restore the shadow reservation (host out of VMAs) at",
		    (uintptr_t)g->base + va);
	abort();
}

int gdvas_map(struct shadow_vm *vm, struct gdvas *g, uint32_t va, uint64_t len,
	      uint64_t off, bool write, bool global, unsigned size_code,
	      struct shadow_stats *st)
{
	int prot = PROT_READ | (write ? PROT_WRITE : 0);
	/* No MAP_POPULATE: measured inside this engine (bench/shadow, four
	 * interleaved pairs) it made the shadow fault slower, median 7.8-8.3
	 * against 8.2-10.5 µs, because the host's own first-touch fault on an
	 * already-allocated memfd page is cheap, and for sections it would
	 * allocate RAM the guest never touches. */
	int flags = MAP_SHARED | MAP_FIXED;
	uint32_t first = META_VALID | (write ? META_WRITE : 0) | (global ? META_GLOBAL : 0) |
			 size_code << META_SIZE_SHIFT | (uint32_t)(off >> 12);
	void *p = mmap(g->base + va, len, prot, flags, vm->pm->memfd, (off_t)off);

	if (p == MAP_FAILED) {
		int err = -errno;

		repair_after_failed_map(vm, g, va, len, st);
		return err;
	}
	set_meta(vm, g, va >> 12, (uint32_t)(len >> 12), first);
	g->chunk_ref[(va >> CHUNK_SHIFT) / 64] |= 1ull << ((va >> CHUNK_SHIFT) % 64);
	STAT_INC(st, map_calls);
	return 0;
}

int gdvas_unmap(struct shadow_vm *vm, struct gdvas *g, uint32_t va, uint64_t len,
		struct shadow_stats *st)
{
	int err = reserve(g, va, len);

	if (err)
		return err;
	set_meta(vm, g, va >> 12, (uint32_t)(len >> 12), 0);
	STAT_INC(st, unmaps);
	return 0;
}

int gdvas_flush(struct shadow_vm *vm, struct gdvas *g, struct shadow_stats *st)
{
	int err = 0;

	hlock_lock(&g->lock);
	if (g->mapped) {
		err = reserve(g, 0, GDVAS_SPAN);
		if (!err) {
			for (unsigned c = 0; c < GDVAS_CHUNKS; c++) {
				if (!g->chunk_mapped[c])
					continue;
				memset(g->meta + (uint64_t)c * CHUNK_PAGES, 0,
				       CHUNK_PAGES * sizeof(uint32_t));
				g->chunk_mapped[c] = 0;
			}
			__atomic_sub_fetch(&vm->vmas, g->vmas, __ATOMIC_RELAXED);
			__atomic_sub_fetch(&process_vmas, g->vmas, __ATOMIC_RELAXED);
			__atomic_store_n(&g->vmas, 0, __ATOMIC_RELAXED);
			g->mapped = 0;
			memset(g->chunk_ref, 0, sizeof(g->chunk_ref));
			STAT_INC(st, full_flushes);
		}
	}
	if (!err)
		clear_active(vm, g);
	hlock_unlock(&g->lock);
	return err;
}

static uint32_t block_size(uint32_t m)
{
	return 0x1000u << (4 * ((m & META_SIZE_MASK) >> META_SIZE_SHIFT));
}

/* A valid entry of one address space only (not global). */
static bool private_entry(uint32_t m)
{
	return (m & META_VALID) && !(m & META_GLOBAL);
}

/* Unmap the reservation-coalesced range [lo, hi) of pages, then clear the
 * metadata of the non-global entries inside it (empty pages in between are
 * already 0; there are no global ones by construction). */
static int flush_range(struct shadow_vm *vm, struct gdvas *g, uint32_t lo, uint32_t hi,
		       struct shadow_stats *st)
{
	int err = reserve(g, (uint32_t)lo << 12, (uint64_t)(hi - lo) << 12);

	if (err)
		return err;
	for (uint32_t p = lo; p < hi;) {
		uint32_t c = p / CHUNK_PAGES, q;

		if (!g->chunk_mapped[c]) {
			p = (c + 1) * CHUNK_PAGES;
			continue;
		}
		if (!private_entry(g->meta[p])) {
			p++;
			continue;
		}
		for (q = p + 1; q < hi && private_entry(g->meta[q]); q++)
			;
		set_meta(vm, g, p, q - p, 0);
		p = q;
	}
	STAT_INC(st, unmaps);
	return 0;
}

int gdvas_flush_nonglobal(struct shadow_vm *vm, struct gdvas *g, struct shadow_stats *st)
{
	/* [lo, hi): pages to give back, bridging empty pages and chunks (one
	 * mmap over a hole costs no more than over nothing) and broken only
	 * by global entries, which must survive. The scan steps over empty
	 * chunks and whole blocks, so the kernel's sections cost a metadata
	 * read each, not 256. */
	uint32_t lo = 0, hi = 0, p = 0;
	bool had;
	int err = 0;

	hlock_lock(&g->lock);
	had = g->mapped != 0;
	while (p < GDVAS_PAGES && g->mapped) {
		uint32_t c = p / CHUNK_PAGES, m = g->meta[p], next;

		if (!g->chunk_mapped[c]) {
			p = (c + 1) * CHUNK_PAGES;
			continue;
		}
		if (!(m & META_VALID)) {
			p++;
			continue;
		}
		next = (p | ((block_size(m) >> 12) - 1)) + 1;	/* the end of p's block */
		if (!(m & META_GLOBAL)) {
			lo = lo == hi ? p : lo;
			hi = next;
		} else if (lo != hi) {
			if ((err = flush_range(vm, g, lo, hi, st)))
				break;
			lo = hi = 0;
		}
		p = next;
	}
	if (!err && lo != hi)
		err = flush_range(vm, g, lo, hi, st);
	if (!err && had)
		STAT_INC(st, asid_flushes);
	if (!err && !g->mapped)
		clear_active(vm, g);
	hlock_unlock(&g->lock);
	return err;
}

int gdvas_invalidate_va(struct shadow_vm *vm, struct gdvas *g, uint32_t va,
			bool global_only, struct shadow_stats *st)
{
	uint32_t m, size, base;
	int err = 0;

	if (!gdvas_is_active(vm, g))
		return 0;
	/* Lock-free pre-check, in this order: a fill publishes `filling`
	 * before it walks and clears it only after writing the metadata, so
	 * reading `filling` first and the metadata second can never miss a
	 * mapping that a fill already made. */
	if (!__atomic_load_n(&g->filling, __ATOMIC_SEQ_CST)) {
		m = __atomic_load_n(&g->meta[va >> 12], __ATOMIC_SEQ_CST);
		if (!(m & META_VALID) || (global_only && !(m & META_GLOBAL)))
			return 0;
	}
	hlock_lock(&g->lock);
	m = g->meta[va >> 12];
	if ((m & META_VALID) && (!global_only || (m & META_GLOBAL))) {
		size = block_size(m);
		base = va & ~(size - 1);
		err = gdvas_unmap(vm, g, base, size, st);
	}
	hlock_unlock(&g->lock);
	return err;
}

/* ---- the budget ---- */

/* The least recently used window that holds entries and is nobody's
 * current view: the cheapest thing to give up whole. */
static struct gdvas *lru_idle(struct shadow_vm *vm)
{
	struct gdvas *best = NULL;

	for (unsigned i = 0; i < vm->ngdvas; i++) {
		struct gdvas *g = &vm->gdvas[i];

		if (!__atomic_load_n(&g->mapped, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&g->users, __ATOMIC_RELAXED))
			continue;
		if (!best || __atomic_load_n(&g->last_use, __ATOMIC_RELAXED) <
			     __atomic_load_n(&best->last_use, __ATOMIC_RELAXED))
			best = g;
	}
	return best;
}

static struct gdvas *most_vmas(struct shadow_vm *vm)
{
	struct gdvas *best = NULL;

	for (unsigned i = 0; i < vm->ngdvas; i++) {
		struct gdvas *g = &vm->gdvas[i];

		if (__atomic_load_n(&g->vmas, __ATOMIC_RELAXED) > 0 &&
		    (!best || __atomic_load_n(&g->vmas, __ATOMIC_RELAXED) >
				      __atomic_load_n(&best->vmas, __ATOMIC_RELAXED)))
			best = g;
	}
	return best;
}

/* Second-chance clock over a window's chunks: a chunk filled since the last
 * sweep is spared once. Unmaps one chunk; false if the window is empty. */
static bool evict_chunk(struct shadow_vm *vm, struct gdvas *g, struct shadow_stats *st)
{
	bool done = false;

	hlock_lock(&g->lock);
	for (unsigned n = 0; n < 2 * GDVAS_CHUNKS && g->mapped; n++) {
		unsigned c = g->clock_hand++ % GDVAS_CHUNKS;
		uint64_t bit = 1ull << (c % 64);

		if (!g->chunk_mapped[c])
			continue;
		if (g->chunk_ref[c / 64] & bit) {
			g->chunk_ref[c / 64] &= ~bit;
			continue;
		}
		if (gdvas_unmap(vm, g, c << CHUNK_SHIFT, 1u << CHUNK_SHIFT, st) == 0) {
			STAT_INC(st, vma_evictions);
			done = true;
		}
		break;
	}
	hlock_unlock(&g->lock);
	return done;
}

static void evict_until(struct shadow_vm *vm, long target, struct shadow_stats *st)
{
	/* Only this VM's windows are evicted: another VM's may be freed under
	 * our feet. If the others hold the budget, this VM shrinks to nothing
	 * first, and its fills still fit in the reserve. */
	while (__atomic_load_n(&process_vmas, __ATOMIC_RELAXED) > target &&
	       __atomic_load_n(&vm->vmas, __ATOMIC_RELAXED) > 0) {
		struct gdvas *g = lru_idle(vm);

		if (g) {
			if (gdvas_flush(vm, g, st) == 0)
				STAT_INC(st, vma_evictions);
			continue;
		}
		g = most_vmas(vm);
		if (!g || !evict_chunk(vm, g, st))
			break;
	}
}

void gdvas_budget_reserve(struct shadow_vm *vm, long need, struct shadow_stats *st)
{
	if (__atomic_load_n(&process_vmas, __ATOMIC_RELAXED) + need <= vm->vma_limit)
		return;
	/* Evict down to 7/8 of the budget so that the next evictions are a
	 * batch away, not one fault away. */
	evict_until(vm, vm->vma_limit - vm->vma_limit / 8 - need, st);
}

void gdvas_budget_emergency(struct shadow_vm *vm, struct shadow_stats *st)
{
	evict_until(vm, __atomic_load_n(&process_vmas, __ATOMIC_RELAXED) -
			       __atomic_load_n(&vm->vmas, __ATOMIC_RELAXED) / 2 - 1, st);
}

/* Free VMAs without touching `keep`, whose lock the caller holds: idle
 * windows first, then half of the busy ones' chunks. */
static void evict_others(struct shadow_vm *vm, struct gdvas *keep, struct shadow_stats *st)
{
	for (unsigned i = 0; i < vm->ngdvas; i++) {
		struct gdvas *g = &vm->gdvas[i];

		if (g == keep || !__atomic_load_n(&g->mapped, __ATOMIC_RELAXED))
			continue;
		if (__atomic_load_n(&g->users, __ATOMIC_RELAXED)) {
			for (unsigned n = 0; n < GDVAS_CHUNKS / 2; n++)
				if (!evict_chunk(vm, g, st))
					break;
		} else if (gdvas_flush(vm, g, st) == 0) {
			STAT_INC(st, vma_evictions);
		}
	}
}
