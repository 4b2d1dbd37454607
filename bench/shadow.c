/* bench/shadow.c — the shadow-engine benchmark, run by `make bench`.
 *
 * Three measurements (bench/README.md says how to read them):
 *  1. what one shadow fault costs (SIGSEGV, walk, mmap, first touch) in
 *     private mode, one 4 KiB page per fault, on first touch and after a
 *     TLBIALL, next to a soft-TLB refill of the same pages;
 *  2. steady-state guest loads over a 64 MiB working set (16 times the
 *     reach of the 1024-entry soft TLB), soft against private HSPT, run
 *     interleaved so that host noise hits both modes alike;
 *  3. the engine's counters for each mode.
 * The last line is the headline, for scripts:
 *     hspt/soft speedup: sequential X.XXx, random Y.YYx
 *
 * Every run builds its own guest (physmem, page tables, shadow_vm) on this
 * thread and tears it down; a guest fault during a run is a benchmark
 * error, since every page a run touches is mapped. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "shadow/shadow.h"
#include "tests/lib/ptb.h"

/* Guest physical layout: page tables at the start of RAM, then the data
 * pages, 1 MiB aligned so that the sections layout can use them. */
#define RAM_BASE   0x40000000u
#define POOL_SIZE  0x100000u
#define DATA_GPA   (RAM_BASE + POOL_SIZE)
#define DATA_VA    0x10000000u
#define PAGE_SIZE  4096u
#define ASID       1u
#define DACR_CLIENT 0x55555555u	/* every domain Client: AP bits decide */

/* The steady-state working set: 64 MiB, a power of two so that the random
 * pattern can pick a page with a mask. */
#define WS_PAGES   16384u

/* Multiplier of the frame permutation: VA page i lives in data frame
 * i * PERM_STEP mod n, so neighbouring VA pages are never GPA neighbours
 * and the engine's map-ahead cannot fill more than one page per fault. */
#define PERM_STEP  7919u

#define MAX_REPS   32u
#define NMODES     2u		/* index 0: soft, 1: private HSPT */

enum layout { LAYOUT_PAGES, LAYOUT_SECTIONS };

struct options {
	unsigned fault_pages;	/* pages first-touched per fault run */
	unsigned fault_reps;	/* fault runs */
	unsigned pairs;		/* (soft, hspt) steady-state run pairs */
	uint32_t random_loads;	/* loads per random pass */
	unsigned seq4_passes;	/* passes over the working set, stride 4 */
	unsigned seq64_passes;	/* passes over the working set, stride 64 */
	const char *json;	/* --json FILE, or NULL */
	bool quick;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from moving a guest load across a clock read. */
static inline void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* What guest RAM holds at gpa: a hash, so that a load from the wrong frame
 * changes the checksum. */
static uint32_t ram_word(uint64_t gpa)
{
	uint32_t x = (uint32_t)gpa * 0x9e3779b1u;

	return x ^ (x >> 15);
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* ---- statistics ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank quantile q (0..1) of v[0..n); sorts v. */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i];
}

/* Median of a small array, leaving it unsorted. */
static double median_of(const double *v, size_t n)
{
	double tmp[MAX_REPS];

	memcpy(tmp, v, n * sizeof(*v));
	return quantile(tmp, n, 0.5);
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];

	for (size_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_of(const double *v, size_t n)
{
	double m = v[0];

	for (size_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---- counters --------------------------------------------------------- */

struct stat_field {
	const char *name;
	const char *desc;
	size_t offset;
};

#define STAT_FIELD_ROW(n, d) { .name = #n, .desc = d, .offset = offsetof(struct shadow_stats, n) },
static const struct stat_field stat_fields[] = {
	SHADOW_STATS_FIELDS(STAT_FIELD_ROW)
};
#undef STAT_FIELD_ROW
#define NSTAT_FIELDS (sizeof(stat_fields) / sizeof(stat_fields[0]))

static uint64_t stat_get(const struct shadow_stats *s, size_t i)
{
	return *(const uint64_t *)((const char *)s + stat_fields[i].offset);
}

static struct shadow_stats stats_now(const struct shadow_cpu *cpu)
{
	struct shadow_stats s;

	shadow_stats_snapshot(&s, &cpu->stats);
	return s;
}

/* a - b, field by field. */
static struct shadow_stats stats_sub(const struct shadow_stats *a, const struct shadow_stats *b)
{
	struct shadow_stats d;

#define STAT_SUB(n, desc) d.n = a->n - b->n;
	SHADOW_STATS_FIELDS(STAT_SUB)
#undef STAT_SUB
	return d;
}

static void print_stats(const char *label, const struct shadow_stats *s)
{
	printf("  counters, %s (nonzero only):\n", label);
	for (size_t i = 0; i < NSTAT_FIELDS; i++) {
		uint64_t v = stat_get(s, i);

		if (v)
			printf("    %-20s %12" PRIu64 "  %s\n", stat_fields[i].name, v,
			       stat_fields[i].desc);
	}
	if (s->faults_filled)
		printf("    %-20s %12.2f  fault_ns / faults_filled, µs\n", "(fault cost)",
		       (double)s->fault_ns / (double)s->faults_filled / 1e3);
}

/* Lines of /proc/self/maps: the host VMAs the process really has, to set
 * against the engine's model of them. -1 if unreadable. */
static long count_host_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc_unlocked(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* host_added: /proc/self/maps lines added since the guest was created
 * (the model's count plus the arena, metadata and RAM mappings). */
static void print_vm_info(const struct shadow_vm_info *in, long host_added)
{
	printf("  vm: org %s, vmas %ld of limit %lu (host maps +%ld), slots %u, "
	       "gdvas %u mapped of %u, arena %.0f GiB\n", shadow_org_name(in->org), in->vmas,
	       in->vma_limit, host_added, in->slots, in->gdvas_mapped, in->gdvas_total,
	       (double)in->arena_bytes / (double)(1ull << 30));
}

/* ---- guests ----------------------------------------------------------- */

struct guest {
	struct physmem pm;
	struct ptb ptb;
	struct shadow_vm *vm;
	struct shadow_cpu *cpu;
	bool attached;
	long host_vmas;		/* /proc/self/maps lines before creation */
	uint32_t npages;	/* data pages, mapped from DATA_VA up */
	uint32_t *frame;	/* data frame of each VA page */
	const uint8_t **page;	/* host address of each VA page (native loads) */
};

/* Write every data word before the run: the memfd pages then exist, as in
 * a running guest, and fault timings leave out shmem page allocation. */
static int fill_ram(struct guest *g)
{
	uint64_t bytes = (uint64_t)g->npages * PAGE_SIZE;
	uint32_t *w = physmem_ptr(&g->pm, DATA_GPA, bytes);

	if (!w)
		return -EINVAL;
	for (uint64_t i = 0; i < bytes / 4; i++)
		w[i] = ram_word(DATA_GPA + i * 4);
	return 0;
}

/* Write the guest page tables: small pages with permuted frames, or 1 MiB
 * sections mapped linearly. Both give PL1 and PL0 read/write, no execute. */
static int map_data(struct guest *g, enum layout layout)
{
	struct ptb_attr a = { .ap = 3, .domain = 0, .xn = true };
	uint32_t step = PERM_STEP % g->npages;

	while (layout == LAYOUT_PAGES && (gcd(step, g->npages) != 1 || step <= 1))
		step++;
	for (uint32_t i = 0; i < g->npages; i++) {
		g->frame[i] = layout == LAYOUT_PAGES ?
			(uint32_t)((uint64_t)i * step % g->npages) : i;
		g->page[i] = physmem_ptr(&g->pm, DATA_GPA + (uint64_t)g->frame[i] * PAGE_SIZE,
					 PAGE_SIZE);
		if (!g->page[i])
			return -EINVAL;
	}
	if (layout == LAYOUT_SECTIONS) {
		if (g->npages % 256)
			return -EINVAL;
		for (uint32_t s = 0; s < g->npages / 256; s++)
			ptb_section(&g->ptb, g->ptb.l1, DATA_VA + (s << 20), DATA_GPA + (s << 20), a);
		return 0;
	}
	for (uint32_t i = 0; i < g->npages; i++)
		ptb_page(&g->ptb, g->ptb.l1, DATA_VA + i * PAGE_SIZE,
			 DATA_GPA + g->frame[i] * PAGE_SIZE, a);
	return 0;
}

/* Program the MMU the way a kernel would before touching its data:
 * short descriptors through TTBR0 only, ASID 1, MMU on, at PL1. */
static int program_mmu(struct guest *g)
{
	struct shadow_cpu *cpu = g->cpu;
	int rc;

	shadow_cpu_set_ttbr0(cpu, g->ptb.l1);
	if ((rc = shadow_cpu_set_ttbcr(cpu, 0)) ||
	    (rc = shadow_cpu_set_dacr(cpu, DACR_CLIENT)) ||
	    (rc = shadow_cpu_set_contextidr(cpu, ASID)))
		return rc;
	shadow_cpu_set_pl(cpu, 1);
	return shadow_cpu_set_sctlr(cpu, SCTLR_M);
}

static void guest_destroy(struct guest *g)
{
	if (g->attached)
		shadow_cpu_detach(g->cpu);
	if (g->vm)
		shadow_vm_destroy(g->vm);
	physmem_destroy(&g->pm);
	free(g->frame);
	free(g->page);
	memset(g, 0, sizeof(*g));
}

/* Build a guest with npages data pages in the given layout, running on a
 * fresh shadow_vm of organization org attached to this thread. */
static int guest_create(struct guest *g, uint32_t npages, enum layout layout,
			enum shadow_org org)
{
	struct shadow_config cfg = { .org = org, .ncpus = 1 };
	int rc;

	memset(g, 0, sizeof(*g));
	g->host_vmas = count_host_vmas();
	g->npages = npages;
	rc = physmem_init(&g->pm);
	if (rc)
		return rc;
	g->frame = calloc(npages, sizeof(*g->frame));
	g->page = calloc(npages, sizeof(*g->page));
	rc = -ENOMEM;
	if (!g->frame || !g->page)
		goto err;
	if ((rc = physmem_add_ram(&g->pm, RAM_BASE, POOL_SIZE + (uint64_t)npages * PAGE_SIZE)) ||
	    (rc = fill_ram(g)) ||
	    (rc = ptb_init(&g->ptb, &g->pm, RAM_BASE, POOL_SIZE)) ||
	    (rc = map_data(g, layout)) ||
	    (rc = shadow_vm_create(&g->pm, &cfg, &g->vm)))
		goto err;
	g->cpu = shadow_vm_cpu(g->vm, 0);
	if ((rc = shadow_cpu_attach(g->cpu)))
		goto err;
	g->attached = true;
	if ((rc = program_mmu(g)))
		goto err;
	return 0;
err:
	guest_destroy(g);
	return rc;
}

static int report_fault(const struct shadow_cpu *cpu)
{
	static const char *const kinds[] = {
		[SHADOW_FAULT_NONE] = "none", [SHADOW_FAULT_ABORT] = "abort",
		[SHADOW_FAULT_MMIO] = "mmio", [SHADOW_FAULT_UNASSIGNED] = "unassigned",
	};
	const struct shadow_fault *f = &cpu->fault;

	fprintf(stderr, "bench/shadow: unexpected guest fault: kind %s va %#" PRIx32
		" %s fs %#x domain %u fsr %#" PRIx32 " gpa %#" PRIx64 "\n",
		f->kind <= SHADOW_FAULT_UNASSIGNED ? kinds[f->kind] : "?", f->va,
		f->exec ? "exec" : f->write ? "write" : "read", f->fs, f->domain,
		f->fsr, f->gpa);
	return -EFAULT;
}

/* Run body(g, arg) with the guest's fault exit armed; a fault ends the run
 * with -EFAULT after describing it. */
static int guest_run(struct guest *g, int (*body)(struct guest *g, void *arg), void *arg)
{
	sigjmp_buf jb;
	int rc;

	g->cpu->recover = &jb;
	if (sigsetjmp(jb, 1)) {
		g->cpu->recover = NULL;
		return report_fault(g->cpu);
	}
	rc = body(g, arg);
	g->cpu->recover = NULL;
	return rc;
}

/* ---- 1. fault cost ---------------------------------------------------- */

/* Load the first word of each data page through the emulator's own RAM
 * mapping, so that the touch passes find the data lines in the cache and
 * time translation, not DRAM. Returns the checksum of a touch pass. */
static uint64_t warm_lines(const struct guest *g)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < g->npages; i++)
		sum += *(const volatile uint32_t *)g->page[i];
	return sum;
}

/* Touch the first word of each data page, timing each touch alone (in HSPT
 * modes every one is a shadow fault); us[i] gets page i's µs. */
static uint64_t touch_timed(const struct guest *g, double *us)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < g->npages; i++) {
		uint64_t t0 = now_ns();

		compiler_barrier();
		sum += shadow_ld32(g->cpu, DATA_VA + i * PAGE_SIZE);
		compiler_barrier();
		us[i] = (double)(now_ns() - t0) / 1e3;
	}
	return sum;
}

/* The same touches timed as a whole: a soft-TLB refill is too short to
 * time one at a time. Returns the mean µs per touch. */
static double touch_mean(const struct guest *g, uint64_t *sum)
{
	uint64_t t0 = now_ns();

	*sum = 0;
	compiler_barrier();
	for (uint32_t i = 0; i < g->npages; i++)
		*sum += shadow_ld32(g->cpu, DATA_VA + i * PAGE_SIZE);
	compiler_barrier();
	return (double)(now_ns() - t0) / 1e3 / g->npages;
}

struct fault_results {
	unsigned npages, reps;
	uint64_t expected;		/* checksum of one touch pass */
	double *first, *retouch;	/* per-fault µs, npages * reps each */
	double first_mean[MAX_REPS], retouch_mean[MAX_REPS], tlbiall[MAX_REPS];
	double soft_first[MAX_REPS], soft_retouch[MAX_REPS], soft_tlbiall[MAX_REPS];
	struct shadow_stats first_delta;	/* last HSPT run, first touches */
	struct shadow_stats hspt_total, soft_total;	/* last run of each */
	struct shadow_vm_info hspt_info;
	long hspt_host_added;
	double clock_pair_us;		/* cost of the timing itself */
};

struct fault_job {
	struct fault_results *r;
	unsigned rep;
};

static int check_sum(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	fprintf(stderr, "bench/shadow: %s: checksum %#" PRIx64 ", expected %#" PRIx64 "\n",
		what, got, want);
	return -EIO;
}

static int tlbiall_timed(struct guest *g, double *us)
{
	uint64_t t0 = now_ns();
	int rc = shadow_tlbi_all(g->cpu, false);

	*us = (double)(now_ns() - t0) / 1e3;
	return rc;
}

static int fault_hspt_body(struct guest *g, void *arg)
{
	struct fault_job *j = arg;
	struct fault_results *r = j->r;
	double *first = r->first + (size_t)j->rep * r->npages;
	double *retouch = r->retouch + (size_t)j->rep * r->npages;
	struct shadow_stats s0, s1;
	uint64_t t0, sum;
	int rc;

	if ((rc = check_sum("warm-up", warm_lines(g), r->expected)))
		return rc;
	s0 = stats_now(g->cpu);
	t0 = now_ns();
	sum = touch_timed(g, first);
	r->first_mean[j->rep] = (double)(now_ns() - t0) / 1e3 / r->npages;
	s1 = stats_now(g->cpu);
	r->first_delta = stats_sub(&s1, &s0);
	if ((rc = check_sum("first touch", sum, r->expected)) ||
	    (rc = tlbiall_timed(g, &r->tlbiall[j->rep])) ||
	    (rc = check_sum("warm-up", warm_lines(g), r->expected)))
		return rc;
	t0 = now_ns();
	sum = touch_timed(g, retouch);
	r->retouch_mean[j->rep] = (double)(now_ns() - t0) / 1e3 / r->npages;
	return check_sum("re-touch", sum, r->expected);
}

static int fault_soft_body(struct guest *g, void *arg)
{
	struct fault_job *j = arg;
	struct fault_results *r = j->r;
	uint64_t sum;
	int rc;

	if ((rc = check_sum("warm-up", warm_lines(g), r->expected)))
		return rc;
	r->soft_first[j->rep] = touch_mean(g, &sum);
	if ((rc = check_sum("soft first touch", sum, r->expected)) ||
	    (rc = tlbiall_timed(g, &r->soft_tlbiall[j->rep])) ||
	    (rc = check_sum("warm-up", warm_lines(g), r->expected)))
		return rc;
	r->soft_retouch[j->rep] = touch_mean(g, &sum);
	return check_sum("soft re-touch", sum, r->expected);
}

/* One fault run in one mode: a fresh guest, its touches, its counters. */
static int fault_run(struct fault_results *r, unsigned rep, enum shadow_org org)
{
	struct fault_job j = { .r = r, .rep = rep };
	struct guest g;
	int rc = guest_create(&g, r->npages, LAYOUT_PAGES, org);

	if (rc)
		return rc;
	if (!r->expected)
		for (uint32_t i = 0; i < g.npages; i++)
			r->expected += *(const uint32_t *)g.page[i];
	rc = guest_run(&g, org == SHADOW_ORG_SOFT ? fault_soft_body : fault_hspt_body, &j);
	if (org == SHADOW_ORG_SOFT) {
		r->soft_total = stats_now(g.cpu);
	} else {
		r->hspt_total = stats_now(g.cpu);
		shadow_vm_info(g.vm, &r->hspt_info);
		r->hspt_host_added = count_host_vmas() - g.host_vmas;
	}
	guest_destroy(&g);
	return rc;
}

static double clock_pair_cost_us(void)
{
	double v[MAX_REPS];

	for (unsigned i = 0; i < MAX_REPS; i++) {
		uint64_t t0 = now_ns(), t1;

		for (unsigned k = 0; k < 1000; k++)
			now_ns();
		t1 = now_ns();
		v[i] = (double)(t1 - t0) / 1000 / 1e3;
	}
	return quantile(v, MAX_REPS, 0.5);
}

static void print_fault_row(const char *what, double *v, size_t n)
{
	double p10 = quantile(v, n, 0.10), p50 = quantile(v, n, 0.5), p90 = quantile(v, n, 0.9);

	printf("  %-30s %8.2f %8.2f %8.2f\n", what, p50, p10, p90);
}

static void print_faults(struct fault_results *r)
{
	size_t n = (size_t)r->npages * r->reps;
	const struct shadow_stats *d = &r->first_delta;

	printf("== 1. Shadow fault cost: private HSPT, %u pages x %u runs, permuted frames "
	       "(one page per fault) ==\n", r->npages, r->reps);
	printf("  data lines pre-loaded before each pass; each touch timed alone with "
	       "CLOCK_MONOTONIC\n  (a clock pair costs %.3f µs, included)\n", r->clock_pair_us);
	printf("  %-30s %8s %8s %8s   (µs per touch, %zu samples)\n", "", "median", "p10", "p90", n);
	print_fault_row("first touch (shadow fault)", r->first, n);
	print_fault_row("re-touch after TLBIALL", r->retouch, n);
	printf("  per-run mean, first touch:      median %.2f µs (min %.2f, max %.2f)\n",
	       median_of(r->first_mean, r->reps), min_of(r->first_mean, r->reps),
	       max_of(r->first_mean, r->reps));
	printf("  per-run mean, re-touch:         median %.2f µs (min %.2f, max %.2f)\n",
	       median_of(r->retouch_mean, r->reps), min_of(r->retouch_mean, r->reps),
	       max_of(r->retouch_mean, r->reps));
	printf("  TLBIALL with %u pages mapped:  median %.1f µs\n", r->npages,
	       median_of(r->tlbiall, r->reps));
	if (d->faults_filled)
		printf("  engine's own measure (last run, first touches): fault_ns/faults_filled "
		       "%.2f µs; faults_filled %" PRIu64 ", map_calls %" PRIu64 " for %u pages\n",
		       (double)d->fault_ns / (double)d->faults_filled / 1e3, d->faults_filled,
		       d->map_calls, r->npages);
	else
		printf("  engine's own measure: faults_filled is 0 (engine does not count?)\n");
	printf("  soft mode, same pages: TLB refill %.3f µs mean, re-touch after TLBIALL %.3f µs, "
	       "TLBIALL %.1f µs\n", median_of(r->soft_first, r->reps),
	       median_of(r->soft_retouch, r->reps), median_of(r->soft_tlbiall, r->reps));
	printf("  one shadow fault costs as much as %.0f soft-TLB refills\n",
	       median_of(r->first_mean, r->reps) / median_of(r->soft_first, r->reps));
	print_stats("private, last run (first touch + TLBIALL + re-touch)", &r->hspt_total);
	print_vm_info(&r->hspt_info, r->hspt_host_added);
	print_stats("soft, last run", &r->soft_total);
	printf("\n");
}

static int bench_faults(const struct options *o, struct fault_results *r)
{
	size_t n = (size_t)o->fault_pages * o->fault_reps;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->npages = o->fault_pages;
	r->reps = o->fault_reps;
	r->first = calloc(n, sizeof(double));
	r->retouch = calloc(n, sizeof(double));
	if (!r->first || !r->retouch)
		return -ENOMEM;
	r->clock_pair_us = clock_pair_cost_us();
	for (unsigned rep = 0; rep < r->reps && !rc; rep++) {
		rc = fault_run(r, rep, SHADOW_ORG_PRIVATE);
		if (!rc)
			rc = fault_run(r, rep, SHADOW_ORG_SOFT);
	}
	if (!rc)
		print_faults(r);
	return rc;
}

/* ---- 2. steady-state loads -------------------------------------------- */

enum pattern_kind { PAT_SEQ, PAT_RANDOM };

struct pattern {
	const char *name;
	enum pattern_kind kind;
	uint32_t stride;	/* PAT_SEQ: bytes between loads */
};

static const struct pattern patterns[] = {
	{ .name = "sequential, stride 4", .kind = PAT_SEQ, .stride = 4 },
	{ .name = "sequential, stride 64", .kind = PAT_SEQ, .stride = 64 },
	{ .name = "random page+offset", .kind = PAT_RANDOM },
};
#define NPATTERNS (sizeof(patterns) / sizeof(patterns[0]))
enum { PAT_SEQ4, PAT_SEQ64, PAT_RAND };

static uint32_t xorshift32(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* ctx is the vCPU for engine loads, the frame table for native ones; it
 * is a parameter, so the loop keeps it in a register as an emulator's
 * dispatch loop keeps its CPU pointer. */
typedef uint32_t load_fn(const void *ctx, uint32_t va);

/* A guest load through the engine: soft TLB or GS, as the vCPU is set. */
static inline __attribute__((always_inline)) uint32_t load_guest(const void *ctx, uint32_t va)
{
	return shadow_ld32((struct shadow_cpu *)ctx, va);
}

/* The same load done by the host through a flat frame table: the floor
 * any emulator's memory path is compared with. */
static inline __attribute__((always_inline)) uint32_t load_native(const void *ctx, uint32_t va)
{
	const uint8_t *const *page = ctx;
	uint32_t off = va - DATA_VA;

	return *(const uint32_t *)(page[off >> 12] + (off & 0xfffu));
}

/* Run pattern p over the npages-page working set, returning the checksum.
 * Inlined into one copy per loader, so both modes of the engine run the
 * very same loop and VA sequence, and the checksum keeps every load alive. */
static inline __attribute__((always_inline)) uint64_t
sweep(const void *ctx, uint32_t npages, const struct pattern *p, uint64_t n, load_fn *ld)
{
	const uint32_t span = npages * PAGE_SIZE, mask = npages - 1, stride = p->stride;
	uint64_t sum = 0;
	uint32_t x = 2463534242u;

	if (p->kind == PAT_SEQ) {
		const uint64_t passes = n / (span / stride);

		for (uint64_t pass = 0; pass < passes; pass++)
			for (uint32_t off = 0; off < span; off += stride)
				sum += ld(ctx, DATA_VA + off);
		return sum;
	}
	/* Page from the low bits, word offset from the high ones. */
	for (uint64_t i = 0; i < n; i++) {
		x = xorshift32(x);
		sum += ld(ctx, DATA_VA + ((x & mask) << 12) + ((x >> 18) & 0xffcu));
	}
	return sum;
}

static __attribute__((noinline)) uint64_t sweep_guest(const struct guest *g,
						      const struct pattern *p, uint64_t n)
{
	return sweep(g->cpu, g->npages, p, n, load_guest);
}

static __attribute__((noinline)) uint64_t sweep_native(const struct guest *g,
						       const struct pattern *p, uint64_t n)
{
	return sweep(g->page, g->npages, p, n, load_native);
}

struct steady_results {
	enum layout layout;
	unsigned pairs;
	uint64_t nloads[NPATTERNS];
	uint64_t checksum[NPATTERNS];		/* from the native loads */
	double ns[NMODES][NPATTERNS][MAX_REPS];	/* per load, [mode][pattern][pair] */
	double native_ns[NPATTERNS][MAX_REPS];
	/* Last run of each mode: shadow fills or soft refills per load in
	 * the timed passes, and the counters of the whole run. */
	double misses[NMODES][NPATTERNS];
	struct shadow_stats stats[NMODES];
	struct shadow_vm_info info[NMODES];
	long host_added[NMODES];
};

struct steady_job {
	struct steady_results *r;
	unsigned mode, pair;
};

/* One warm-up pass (fills the shadow or the soft TLB, and the caches),
 * then one timed pass; returns ns per load and, in *miss, the shadow fills
 * plus soft-TLB refills per load of the timed pass. */
static double time_sweep(const struct guest *g, const struct pattern *p, uint64_t n,
			 bool native, uint64_t *sum, double *miss)
{
	struct shadow_stats s0, s1;
	uint64_t t0, t1;

	*sum = native ? sweep_native(g, p, n) : sweep_guest(g, p, n);
	s0 = stats_now(g->cpu);
	t0 = now_ns();
	*sum = native ? sweep_native(g, p, n) : sweep_guest(g, p, n);
	t1 = now_ns();
	s1 = stats_now(g->cpu);
	*miss = (double)(s1.faults_filled - s0.faults_filled + s1.soft_refills -
			 s0.soft_refills) / (double)n;
	return (double)(t1 - t0) / (double)n;
}

static int steady_body(struct guest *g, void *arg)
{
	struct steady_job *j = arg;
	struct steady_results *r = j->r;
	uint64_t sum;
	double miss;
	int rc;

	for (unsigned p = 0; p < NPATTERNS; p++) {
		/* The soft run also times the native loop; its checksum is the
		 * reference both modes of the engine must reproduce. */
		if (j->mode == 0) {
			r->native_ns[p][j->pair] = time_sweep(g, &patterns[p], r->nloads[p],
							      true, &sum, &miss);
			if (j->pair == 0)
				r->checksum[p] = sum;
			if ((rc = check_sum("native loads", sum, r->checksum[p])))
				return rc;
		}
		r->ns[j->mode][p][j->pair] = time_sweep(g, &patterns[p], r->nloads[p], false,
							&sum, &r->misses[j->mode][p]);
		if ((rc = check_sum(patterns[p].name, sum, r->checksum[p])))
			return rc;
	}
	return 0;
}

static int steady_run(struct steady_results *r, unsigned mode, unsigned pair)
{
	struct steady_job j = { .r = r, .mode = mode, .pair = pair };
	struct guest g;
	int rc = guest_create(&g, WS_PAGES, r->layout,
			      mode == 0 ? SHADOW_ORG_SOFT : SHADOW_ORG_PRIVATE);

	if (rc)
		return rc;
	rc = guest_run(&g, steady_body, &j);
	r->stats[mode] = stats_now(g.cpu);
	shadow_vm_info(g.vm, &r->info[mode]);
	r->host_added[mode] = count_host_vmas() - g.host_vmas;
	guest_destroy(&g);
	return rc;
}

static double pair_ratio_median(const struct steady_results *r, unsigned p)
{
	double ratio[MAX_REPS];

	for (unsigned i = 0; i < r->pairs; i++)
		ratio[i] = r->ns[0][p][i] / r->ns[1][p][i];
	return median_of(ratio, r->pairs);
}

static void print_steady(const struct steady_results *r)
{
	printf("== 2%s. Steady-state 32-bit loads, 64 MiB working set (%u pages; soft TLB %u "
	       "entries per PL), %s ==\n", r->layout == LAYOUT_PAGES ? "a" : "b", WS_PAGES,
	       SOFT_TLB_SIZE, r->layout == LAYOUT_PAGES ?
	       "4 KiB pages, permuted frames" : "1 MiB sections");
	printf("  %u interleaved pairs (soft, hspt); ns per load, median [min-max] of the "
	       "runs; ratio = median of per-pair soft/hspt\n", r->pairs);
	printf("  %-22s %9s  %-18s %-18s %-18s %-21s %s\n", "pattern", "loads", "native ns",
	       "soft ns", "hspt ns", "soft/hspt", "misses/load soft,hspt");
	for (unsigned p = 0; p < NPATTERNS; p++) {
		double ratio[MAX_REPS] = { 0 };
		char cell[4][32];
		const double *col[3] = { r->native_ns[p], r->ns[0][p], r->ns[1][p] };

		for (unsigned c = 0; c < 3; c++)
			snprintf(cell[c], sizeof(cell[c]), "%.2f [%.2f-%.2f]",
				 median_of(col[c], r->pairs), min_of(col[c], r->pairs),
				 max_of(col[c], r->pairs));
		for (unsigned i = 0; i < r->pairs; i++)
			ratio[i] = r->ns[0][p][i] / r->ns[1][p][i];
		snprintf(cell[3], sizeof(cell[3]), "%.2fx [%.2f-%.2f]",
			 pair_ratio_median(r, p), min_of(ratio, r->pairs), max_of(ratio, r->pairs));
		printf("  %-22s %9" PRIu64 "  %-18s %-18s %-18s %-21s %.4f, %.4f\n",
		       patterns[p].name, r->nloads[p], cell[0], cell[1], cell[2], cell[3],
		       r->misses[0][p], r->misses[1][p]);
	}
	printf("  checksums (identical in native, soft and hspt):");
	for (unsigned p = 0; p < NPATTERNS; p++)
		printf(" %#" PRIx64, r->checksum[p]);
	printf("\n");
	print_stats("soft, last run (setup + warm-up + timed)", &r->stats[0]);
	print_vm_info(&r->info[0], r->host_added[0]);
	print_stats("private, last run (setup + warm-up + timed)", &r->stats[1]);
	print_vm_info(&r->info[1], r->host_added[1]);
	printf("\n");
}

static int bench_steady(const struct options *o, enum layout layout, struct steady_results *r)
{
	uint64_t span_words = (uint64_t)WS_PAGES * PAGE_SIZE;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->layout = layout;
	r->pairs = o->pairs;
	r->nloads[PAT_SEQ4] = o->seq4_passes * (span_words / 4);
	r->nloads[PAT_SEQ64] = o->seq64_passes * (span_words / 64);
	r->nloads[PAT_RAND] = o->random_loads;
	/* Interleaved, so that drift in host load shows in both columns. */
	for (unsigned i = 0; i < r->pairs && !rc; i++) {
		rc = steady_run(r, 0, i);
		if (!rc)
			rc = steady_run(r, 1, i);
	}
	if (!rc)
		print_steady(r);
	return rc;
}

/* ---- output, options, main -------------------------------------------- */

static void print_header(const struct options *o)
{
	char date[64], model[128] = "?", line[256];
	time_t t = time(NULL);
	struct utsname u;
	FILE *f;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
	if (uname(&u))
		strcpy(u.release, "?");
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	printf("hspt shadow-engine benchmark, %s%s\n", date, o->quick ? " (--quick)" : "");
	printf("host: Linux %s, %s, %ld CPUs\n\n", u.release, model, sysconf(_SC_NPROCESSORS_ONLN));
}

static void json_steady(FILE *f, const char *name, const struct steady_results *r)
{
	fprintf(f, "  \"%s\": {\n", name);
	for (unsigned p = 0; p < NPATTERNS; p++)
		fprintf(f, "    \"%s\": {\"loads\": %" PRIu64 ", \"native_ns\": %.3f, "
			"\"soft_ns\": %.3f, \"hspt_ns\": %.3f, \"speedup\": %.3f}%s\n",
			p == PAT_SEQ4 ? "seq4" : p == PAT_SEQ64 ? "seq64" : "random",
			r->nloads[p], median_of(r->native_ns[p], r->pairs),
			median_of(r->ns[0][p], r->pairs), median_of(r->ns[1][p], r->pairs),
			pair_ratio_median(r, p), p + 1 < NPATTERNS ? "," : "");
	fprintf(f, "  }");
}

/* The key figures as one JSON object, for tracking them across commits. */
static int write_json(const char *path, struct fault_results *fr,
		      const struct steady_results *pages, const struct steady_results *sections)
{
	size_t n = (size_t)fr->npages * fr->reps;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "{\n  \"fault_us\": {\"pages\": %u, \"runs\": %u, \"first_median\": %.3f, "
		"\"first_p10\": %.3f, \"first_p90\": %.3f, \"retouch_median\": %.3f, "
		"\"tlbiall\": %.1f, \"soft_refill\": %.4f},\n", fr->npages, fr->reps,
		quantile(fr->first, n, 0.5), quantile(fr->first, n, 0.1),
		quantile(fr->first, n, 0.9), quantile(fr->retouch, n, 0.5),
		median_of(fr->tlbiall, fr->reps), median_of(fr->soft_first, fr->reps));
	json_steady(f, "pages", pages);
	fprintf(f, ",\n");
	json_steady(f, "sections", sections);
	fprintf(f, "\n}\n");
	return fclose(f) ? -errno : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: shadow [--quick] [--json FILE]\n"
		"  --quick      fewer pages, runs and loads (a smoke test, ~5 s)\n"
		"  --json FILE  also write the key figures to FILE\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){
		.fault_pages = 20000, .fault_reps = 7, .pairs = 7,
		.random_loads = 1u << 22, .seq4_passes = 1, .seq64_passes = 4,
	};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			o->quick = true;
			o->fault_pages = 4000;
			o->fault_reps = 2;
			o->pairs = 2;
			o->random_loads = 1u << 20;
			o->seq64_passes = 1;
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			o->json = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct fault_results faults;
	static struct steady_results pages, sections;
	struct options o;
	int rc;

	if (parse_options(argc, argv, &o))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_header(&o);
	if ((rc = bench_faults(&o, &faults)) ||
	    (rc = bench_steady(&o, LAYOUT_PAGES, &pages)) ||
	    (rc = bench_steady(&o, LAYOUT_SECTIONS, &sections)))
		goto out;
	if (o.json && (rc = write_json(o.json, &faults, &pages, &sections)))
		fprintf(stderr, "bench/shadow: cannot write %s: %s\n", o.json, strerror(-rc));
	/* The headline: 4 KiB pages, as a guest process's memory is mapped. */
	printf("hspt/soft speedup: sequential %.2fx, random %.2fx\n",
	       pair_ratio_median(&pages, PAT_SEQ4), pair_ratio_median(&pages, PAT_RAND));
out:
	free(faults.first);
	free(faults.retouch);
	if (rc)
		fprintf(stderr, "bench/shadow: failed: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
