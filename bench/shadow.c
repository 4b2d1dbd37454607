/* bench/shadow.c — the shadow-engine benchmark, run by `make bench`.
 *
 * Three measurements (bench/README.md says how to read them):
 *  1. what one shadow fault costs (SIGSEGV, walk, mmap, first touch) in
 *     private mode, one 4 KiB page per fault, on first touch and after a
 *     TLBIALL, next to a soft-TLB refill of the same pages;
 *  2. steady-state guest loads over a 64 MiB working set (16 times the
 *     reach of the 1024-entry soft TLB), soft against private HSPT, run
 *     interleaved so that host noise hits both modes alike;
 *  3. what a shadow fault costs while the process's second host thread
 *     is blocked, waking each millisecond, spinning, or filling too: the
 *     states the other vCPU of a 2-vCPU VM is in;
 *  4. the engine's counters for each mode (printed with 1 and 2).
 * The last line is the headline, for scripts:
 *     hspt/soft speedup: sequential X.XXx, random Y.YYx
 *
 * Every run builds its own guest (physmem, page tables, shadow_vm) on this
 * thread (section 3 adds a second thread) and tears it down; a guest fault during a run is a benchmark
 * error, since every page a run touches is mapped. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
 * short descriptors through TTBR0 only, the given ASID, MMU on, at PL1. */
static int program_mmu(struct shadow_cpu *cpu, uint32_t l1, uint32_t asid)
{
	int rc;

	shadow_cpu_set_ttbr0(cpu, l1);
	if ((rc = shadow_cpu_set_ttbcr(cpu, 0)) ||
	    (rc = shadow_cpu_set_dacr(cpu, DACR_CLIENT)) ||
	    (rc = shadow_cpu_set_contextidr(cpu, asid)))
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

/* Build a guest with npages data pages in the given layout, on a fresh
 * shadow_vm of organization org with ncpus vCPUs; vCPU 0 is attached to
 * this thread, any other is left for its own thread. */
static int guest_create(struct guest *g, uint32_t npages, enum layout layout,
			enum shadow_org org, unsigned ncpus)
{
	struct shadow_config cfg = { .org = org, .ncpus = ncpus };
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
	if ((rc = program_mmu(g->cpu, g->ptb.l1, ASID)))
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

/* Run body(g, arg) on this thread's vCPU cpu with its fault exit armed; a
 * fault ends the run with -EFAULT after describing it. */
static int guest_run(struct guest *g, struct shadow_cpu *cpu,
		     int (*body)(struct guest *g, void *arg), void *arg)
{
	sigjmp_buf jb;
	int rc;

	cpu->recover = &jb;
	if (sigsetjmp(jb, 1)) {
		cpu->recover = NULL;
		return report_fault(cpu);
	}
	rc = body(g, arg);
	cpu->recover = NULL;
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

/* Touch the first word of data pages [first, first+n) through cpu, timing
 * each touch alone (in HSPT modes every one is a shadow fault); us[i] gets
 * the µs of page first+i. */
static uint64_t touch_timed(struct shadow_cpu *cpu, uint32_t first, uint32_t n, double *us)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		compiler_barrier();
		sum += shadow_ld32(cpu, DATA_VA + (first + i) * PAGE_SIZE);
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
	sum = touch_timed(g->cpu, 0, g->npages, first);
	r->first_mean[j->rep] = (double)(now_ns() - t0) / 1e3 / r->npages;
	s1 = stats_now(g->cpu);
	r->first_delta = stats_sub(&s1, &s0);
	if ((rc = check_sum("first touch", sum, r->expected)) ||
	    (rc = tlbiall_timed(g, &r->tlbiall[j->rep])) ||
	    (rc = check_sum("warm-up", warm_lines(g), r->expected)))
		return rc;
	t0 = now_ns();
	sum = touch_timed(g->cpu, 0, g->npages, retouch);
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
	int rc = guest_create(&g, r->npages, LAYOUT_PAGES, org, 1);

	if (rc)
		return rc;
	if (!r->expected)
		for (uint32_t i = 0; i < g.npages; i++)
			r->expected += *(const uint32_t *)g.page[i];
	rc = guest_run(&g, g.cpu, org == SHADOW_ORG_SOFT ? fault_soft_body : fault_hspt_body, &j);
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
			      mode == 0 ? SHADOW_ORG_SOFT : SHADOW_ORG_PRIVATE, 1);

	if (rc)
		return rc;
	rc = guest_run(&g, g.cpu, steady_body, &j);
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

/* ---- 3. fault cost next to a second thread ---------------------------- */

/* What the process's second host thread does while vCPU 0 takes its
 * shadow faults: the states the other vCPU thread of a 2-vCPU hsptd is in
 * (bench/README.md). The fill's mmap changes the process's page tables, so
 * what the other thread does (and where it last ran) decides what the host
 * kernel must do besides the mmap: lock against its page faults, flush the
 * other host CPU's TLB. */
enum companion_kind {
	COMP_NONE,		/* no second thread */
	COMP_BLOCKED,		/* blocked in poll(): a vCPU in WFI */
	COMP_TICKING,		/* wakes each 1 ms and loads: an idle vCPU's timer */
	COMP_SPINNING,		/* runs loads on its own memory: a busy vCPU */
	COMP_FILLING,		/* vCPU 1 takes shadow faults on its own pages */
	COMP_FILLING_OTHER,	/* the same in another address space's window */
	NCOMP
};

/* Each state's row label and JSON key. */
static const struct {
	const char *label, *key;
} companions[NCOMP] = {
	[COMP_NONE] = { "alone", "alone" },
	[COMP_BLOCKED] = { "other thread blocked", "blocked" },
	[COMP_TICKING] = { "other thread waking each 1 ms", "ticking" },
	[COMP_SPINNING] = { "other thread spinning", "spinning" },
	[COMP_FILLING] = { "other vCPU filling too", "filling" },
	[COMP_FILLING_OTHER] = { "... in another window", "filling_other" },
};

/* The second thread of one run. */
struct companion {
	enum companion_kind kind;
	struct guest *g;
	pthread_t tid;
	bool started;			/* tid is to be joined */
	pthread_barrier_t ready;	/* both threads are about to start */
	int stop_fd[2];			/* a byte on [1] ends a blocked or ticking one */
	atomic_bool stop;		/* ends a spinning or filling one */
	uint32_t first, npages;		/* COMP_FILLING*: vCPU 1's data pages */
	double *us;			/* COMP_FILLING*: µs of each of its touches */
	uint64_t expected;		/* COMP_FILLING*: checksum of its touches */
	double mean_us;			/* COMP_FILLING*: its µs per touch */
	int rc;
};

/* The companion's own memory: 64 KiB, in its caches like a vCPU's state. */
#define COMP_WORDS 16384u

static uint64_t comp_loads(const volatile uint32_t *w)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < COMP_WORDS; i += 16)
		sum += w[i];
	return sum;
}

static int companion_fill_body(struct guest *g, void *arg)
{
	struct companion *c = arg;
	uint64_t t0, sum;

	pthread_barrier_wait(&c->ready);
	t0 = now_ns();
	sum = touch_timed(shadow_vm_cpu(g->vm, 1), c->first, c->npages, c->us);
	c->mean_us = (double)(now_ns() - t0) / 1e3 / c->npages;
	return check_sum("vCPU 1 first touch", sum, c->expected);
}

/* vCPU 1: attach, program the MMU like vCPU 0 (same tables; the same ASID,
 * so that both fill the one window, or in COMP_FILLING_OTHER another, so
 * that they share only the host's locks), then touch its pages, then keep
 * running (it spins in companion_main) as a vCPU would. The barrier is
 * passed exactly once whatever fails, so vCPU 0 never waits for ever. */
static int companion_fill(struct companion *c)
{
	struct shadow_cpu *cpu = shadow_vm_cpu(c->g->vm, 1);
	int rc = shadow_cpu_attach(cpu);

	if (rc) {
		pthread_barrier_wait(&c->ready);
		return rc;
	}
	rc = program_mmu(cpu, c->g->ptb.l1, c->kind == COMP_FILLING ? ASID : ASID + 1);
	if (rc)
		pthread_barrier_wait(&c->ready);
	else
		rc = guest_run(c->g, cpu, companion_fill_body, c);
	shadow_cpu_detach(cpu);
	return rc;
}

static void *companion_main(void *arg)
{
	struct companion *c = arg;
	struct pollfd pfd = { .fd = c->stop_fd[0], .events = POLLIN };
	volatile uint64_t sink = 0;
	uint32_t words[COMP_WORDS];

	memset(words, 0, sizeof(words));

	switch (c->kind) {
	case COMP_FILLING:
	case COMP_FILLING_OTHER:
		c->rc = companion_fill(c);
		while (!atomic_load_explicit(&c->stop, memory_order_relaxed))
			sink += comp_loads(words);
		break;
	case COMP_BLOCKED:
		pthread_barrier_wait(&c->ready);
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		break;
	case COMP_TICKING:
		pthread_barrier_wait(&c->ready);
		for (;;) {
			int n = poll(&pfd, 1, 1);

			if (n > 0 || (n < 0 && errno != EINTR))
				break;
			sink += comp_loads(words);
		}
		break;
	case COMP_SPINNING:
		pthread_barrier_wait(&c->ready);
		while (!atomic_load_explicit(&c->stop, memory_order_relaxed))
			sink += comp_loads(words);
		break;
	case COMP_NONE:
	case NCOMP:
		break;
	}
	(void)sink;
	return NULL;
}

struct mt_results {
	unsigned npages, reps;		/* pages vCPU 0 touches per run */
	double mean[NCOMP][MAX_REPS];	/* vCPU 0's µs per first touch */
	double handler[NCOMP][MAX_REPS];	/* its fault_ns / faults_filled, µs */
	double host_faults[NCOMP][MAX_REPS];	/* its host page faults per fill */
	double shootdowns[NCOMP][MAX_REPS];	/* host TLB shootdowns per fill, or -1 */
	double unmap[NCOMP][MAX_REPS];		/* µs per TLBIMVA of a filled page */
	double unmap_ipi[NCOMP][MAX_REPS];	/* host TLB shootdowns per TLBIMVA */
	double other_mean[2][MAX_REPS];	/* COMP_FILLING*: vCPU 1's µs per touch */
	double *touch[NCOMP];		/* vCPU 0's per-touch µs, npages * reps */
	double *other_touch;		/* vCPU 1's per-touch µs (only its means are shown) */
};

static uint64_t thread_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : (uint64_t)(ru.ru_minflt + ru.ru_majflt);
}

/* TLB-shootdown interrupts taken so far, summed over the host's CPUs (the
 * "TLB:" row of /proc/interrupts, x86): the IPIs an mmap or munmap sends
 * to flush another CPU's TLB. System-wide, so other work on the host
 * shows too; -1 when the row is missing. */
static int64_t tlb_shootdowns(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	int64_t total = -1;

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (strncmp(p, "TLB:", 4))
			continue;
		total = 0;
		for (p += 4;;) {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
			p = end;
		}
		break;
	}
	if (f)
		fclose(f);
	return total;
}

static uint64_t expected_sum(const struct guest *g, uint32_t first, uint32_t n)
{
	uint64_t sum = 0;

	for (uint32_t i = first; i < first + n; i++)
		sum += *(const uint32_t *)g->page[i];
	return sum;
}

/* Start c's thread in its state. Returns once both threads are past the
 * barrier. */
static int companion_start(struct companion *c)
{
	int rc;

	if (c->kind == COMP_NONE)
		return 0;
	if (pipe2(c->stop_fd, O_CLOEXEC))
		return -errno;
	if ((rc = -pthread_barrier_init(&c->ready, NULL, 2)))
		goto err_pipe;
	if ((rc = -pthread_create(&c->tid, NULL, companion_main, c)))
		goto err_barrier;
	c->started = true;
	pthread_barrier_wait(&c->ready);
	return 0;
err_barrier:
	pthread_barrier_destroy(&c->ready);
err_pipe:
	close(c->stop_fd[0]);
	close(c->stop_fd[1]);
	return rc;
}

static int companion_stop(struct companion *c)
{
	if (!c->started)
		return 0;
	atomic_store(&c->stop, true);
	if (write(c->stop_fd[1], "x", 1) != 1) {
		fprintf(stderr, "bench/shadow: cannot stop the second thread: %s\n",
			strerror(errno));
		abort();	/* joining would wait for ever */
	}
	pthread_join(c->tid, NULL);
	c->started = false;
	pthread_barrier_destroy(&c->ready);
	close(c->stop_fd[0]);
	close(c->stop_fd[1]);
	return c->rc;
}

struct mt_job {
	struct mt_results *r;
	unsigned rep;
	struct companion *c;
};

static double per(int64_t a, int64_t b, uint64_t n)
{
	return a < 0 || b < 0 ? -1 : (double)(b - a) / (double)n;
}

/* TLBIMVA every page vCPU 0 filled, timing the pass: each one puts the
 * reservation back over a page the host has in its page table, which it
 * must flush from every host CPU that may cache the process's entries. */
static int unmap_timed(struct guest *g, struct mt_results *r, enum companion_kind k,
		       unsigned rep)
{
	struct shadow_stats s0 = stats_now(g->cpu), s1;
	int64_t ipi0 = tlb_shootdowns(), ipi1;
	uint64_t t0 = now_ns(), t1;

	for (uint32_t i = 0; i < r->npages; i++) {
		int rc = shadow_tlbi_mva(g->cpu, (DATA_VA + i * PAGE_SIZE) | ASID, false);

		if (rc)
			return rc;
	}
	t1 = now_ns();
	ipi1 = tlb_shootdowns();
	s1 = stats_now(g->cpu);
	if (s1.unmaps - s0.unmaps != r->npages) {
		fprintf(stderr, "bench/shadow: %u TLBIMVAs made %" PRIu64 " unmaps\n",
			r->npages, s1.unmaps - s0.unmaps);
		return -EIO;
	}
	r->unmap[k][rep] = (double)(t1 - t0) / 1e3 / r->npages;
	r->unmap_ipi[k][rep] = per(ipi0, ipi1, r->npages);
	return 0;
}

/* vCPU 0's side, with the companion running: pages [0, npages)
 * first-touched, then invalidated, both timed. */
static int mt_body(struct guest *g, void *arg)
{
	struct mt_job *j = arg;
	struct mt_results *r = j->r;
	enum companion_kind k = j->c->kind;
	uint64_t want = expected_sum(g, 0, r->npages), t0, t1, f0, f1, sum, fills;
	struct shadow_stats s0, s1;
	int64_t ipi0, ipi1;
	int rc;

	ipi0 = tlb_shootdowns();
	s0 = stats_now(g->cpu);
	f0 = thread_minflt();
	t0 = now_ns();
	sum = touch_timed(g->cpu, 0, r->npages, r->touch[k] + (size_t)j->rep * r->npages);
	t1 = now_ns();
	f1 = thread_minflt();
	s1 = stats_now(g->cpu);
	ipi1 = tlb_shootdowns();
	rc = unmap_timed(g, r, k, j->rep);
	r->mean[k][j->rep] = (double)(t1 - t0) / 1e3 / r->npages;
	fills = s1.faults_filled - s0.faults_filled;
	if (fills) {
		r->handler[k][j->rep] = (double)(s1.fault_ns - s0.fault_ns) / 1e3 / (double)fills;
		r->host_faults[k][j->rep] = (double)(f1 - f0) / (double)fills;
		r->shootdowns[k][j->rep] = per(ipi0, ipi1, fills);
	}
	return rc ? rc : check_sum("vCPU 0 first touch", sum, want);
}

/* One run: a fresh private guest with two vCPUs and twice the pages, vCPU
 * 0 on this thread; vCPU 1 fills the upper half only in COMP_FILLING*.
 * The companion is stopped before the guest goes, even after a guest
 * fault, since a filling one uses the guest. */
static int mt_run(struct mt_results *r, unsigned rep, enum companion_kind k)
{
	struct companion c = { .kind = k };
	struct mt_job j = { .r = r, .rep = rep, .c = &c };
	struct guest g;
	int rc = guest_create(&g, 2 * r->npages, LAYOUT_PAGES, SHADOW_ORG_PRIVATE, 2), stop_rc;

	if (rc)
		return rc;
	c.g = &g;
	c.first = r->npages;
	c.npages = r->npages;
	c.us = r->other_touch + (size_t)rep * r->npages;
	c.expected = expected_sum(&g, c.first, c.npages);
	warm_lines(&g);
	if (!(rc = companion_start(&c)))
		rc = guest_run(&g, g.cpu, mt_body, &j);
	stop_rc = companion_stop(&c);
	if (!rc)
		rc = stop_rc;
	if (k >= COMP_FILLING)
		r->other_mean[k - COMP_FILLING][rep] = c.mean_us;
	guest_destroy(&g);
	return rc;
}

/* Median over the runs of each run's ratio to the alone run of its round. */
static double mt_ratio(const struct mt_results *r, enum companion_kind k)
{
	double v[MAX_REPS];

	for (unsigned i = 0; i < r->reps; i++)
		v[i] = r->mean[k][i] / r->mean[COMP_NONE][i];
	return median_of(v, r->reps);
}

static void print_mt(struct mt_results *r)
{
	size_t n = (size_t)r->npages * r->reps;

	printf("== 3. Shadow fault cost next to a second host thread: private HSPT, vCPU 0 "
	       "first-touches %u pages x %u runs ==\n", r->npages, r->reps);
	printf("  runs interleaved, every state once per round; µs per touch; handler = "
	       "fault_ns/fill; flt = vCPU 0's host page\n  faults; IPI = host TLB shootdowns "
	       "(/proc/interrupts, all CPUs); ratio = median of per-round ratios to alone;\n"
	       "  TLBIMVA = µs per invalidation of one filled page afterwards, IPI/op its "
	       "shootdowns\n");
	printf("  %-30s %-20s %6s %6s %8s %9s %9s %6s %8s %8s\n", "second thread",
	       "mean [min-max]", "p50", "p90", "handler", "flt/fill", "IPI/fill", "ratio",
	       "TLBIMVA", "IPI/op");
	for (unsigned k = 0; k < NCOMP; k++) {
		char cell[40];

		snprintf(cell, sizeof(cell), "%.2f [%.2f-%.2f]", median_of(r->mean[k], r->reps),
			 min_of(r->mean[k], r->reps), max_of(r->mean[k], r->reps));
		printf("  %-30s %-20s %6.2f %6.2f %8.2f %9.2f %9.2f %5.2fx %8.2f %8.2f\n",
		       companions[k].label, cell, quantile(r->touch[k], n, 0.5),
		       quantile(r->touch[k], n, 0.9), median_of(r->handler[k], r->reps),
		       median_of(r->host_faults[k], r->reps), median_of(r->shootdowns[k], r->reps),
		       mt_ratio(r, (enum companion_kind)k), median_of(r->unmap[k], r->reps),
		       median_of(r->unmap_ipi[k], r->reps));
	}
	printf("  vCPU 1's own fills: mean %.2f µs per touch in the same window, %.2f in "
	       "another\n\n", median_of(r->other_mean[0], r->reps),
	       median_of(r->other_mean[1], r->reps));
}

static int bench_mt(const struct options *o, struct mt_results *r)
{
	size_t n;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	/* Half of section 1's pages per vCPU: together the two vCPUs map as
	 * many as section 1 does, within the VMA budget. */
	r->npages = o->fault_pages / 2;
	r->reps = o->fault_reps;
	n = (size_t)r->npages * r->reps;
	for (unsigned k = 0; k < NCOMP; k++)
		if (!(r->touch[k] = calloc(n, sizeof(double))))
			return -ENOMEM;
	if (!(r->other_touch = calloc(n, sizeof(double))))
		return -ENOMEM;
	for (unsigned rep = 0; rep < r->reps && !rc; rep++)
		for (unsigned k = 0; k < NCOMP && !rc; k++)
			rc = mt_run(r, rep, (enum companion_kind)k);
	if (!rc)
		print_mt(r);
	return rc;
}

static void mt_free(struct mt_results *r)
{
	for (unsigned k = 0; k < NCOMP; k++)
		free(r->touch[k]);
	free(r->other_touch);
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
		      const struct steady_results *pages, const struct steady_results *sections,
		      const struct mt_results *mt)
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
	fprintf(f, ",\n  \"fault_mt_us\": {\"pages\": %u, \"runs\": %u", mt->npages, mt->reps);
	for (unsigned k = 0; k < NCOMP; k++)
		fprintf(f, ", \"%s\": %.3f", companions[k].key, median_of(mt->mean[k], mt->reps));
	fprintf(f, "}\n}\n");
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
	static struct mt_results mt;
	struct options o;
	int rc;

	if (parse_options(argc, argv, &o))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_header(&o);
	if ((rc = bench_faults(&o, &faults)) ||
	    (rc = bench_steady(&o, LAYOUT_PAGES, &pages)) ||
	    (rc = bench_steady(&o, LAYOUT_SECTIONS, &sections)) ||
	    (rc = bench_mt(&o, &mt)))
		goto out;
	if (o.json && (rc = write_json(o.json, &faults, &pages, &sections, &mt)))
		fprintf(stderr, "bench/shadow: cannot write %s: %s\n", o.json, strerror(-rc));
	/* The headline: 4 KiB pages, as a guest process's memory is mapped. */
	printf("hspt/soft speedup: sequential %.2fx, random %.2fx\n",
	       pair_ratio_median(&pages, PAT_SEQ4), pair_ratio_median(&pages, PAT_RAND));
out:
	free(faults.first);
	free(faults.retouch);
	mt_free(&mt);
	if (rc)
		fprintf(stderr, "bench/shadow: failed: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
