/* test_hspt_stress.c — the fill/invalidate protocol under concurrency
 * (shared/DESIGN.md §3 "SMP"): after a TLBI...IS returns, no vCPU may
 * access through the old translation.
 *
 * Four vCPU threads on one VM, each attached to its own shadow_cpu. One
 * writer repoints guest PTEs to fresh frames holding a higher generation
 * number, invalidates with the inner-shareable operation, then publishes
 * the generation (release). Readers load the published generation
 * (acquire) and then read the page through shadow_ld32(): they must never
 * see an older generation. Runs are bounded by iterations and by time; the
 * assertions do not depend on how many iterations happen.
 *
 *   stale_read_*     one non-global page, TLBIMVA...IS
 *   stale_global_*   one global page, readers in other ASIDs, TLBIMVA/MVAA
 *   many_pages_*     512 pages repointed at once, TLBIASID/TLBIALL...IS,
 *                    readers filling concurrently (map-ahead runs included)
 *   first_fill_*     first fills of fresh global sections racing with
 *                    their invalidation
 *   asid_churn_*     every vCPU switching among more ASIDs than SPTs
 *
 * Worker threads never call Criterion asserts: they record the first error
 * and the main thread asserts after joining. */
#include "tests/unit/hspt_fixture.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>

#define S_NCPUS		4
#define S_MAX_NS	600000000ll	/* writer stops after 0.6 s ... */
#define S_MAX_GENS	20000u		/* ... or this many generations */
#define S_BLOCK		32u		/* reader accesses between two polls */

/* Stale-read test: one page, a ring of frames. */
#define S_VA		0x00400000u
/* Frames are reused only after S_RING generations: a stale translation
 * would have to outlive that many generations to be masked. */
#define S_RING		4096u
#define S_RING_BASE	0x40000000u

/* Many-pages test: S_PAGES pages, S_SETS generations of frames. */
#define S_MANY_VA	0x00800000u
#define S_PAGES		512u
#define S_SETS		16u
#define S_SETS_BASE	0x41000000u

struct stress;

struct sworker {
	struct stress *st;
	struct shadow_cpu *cpu;
	unsigned index;
	uint64_t seed;
	uint64_t reads;
};

struct stress {
	struct hfx f;
	enum shadow_org org;
	bool many;			/* many-pages variant */
	bool global;			/* global page, readers in other ASIDs */
	uint32_t epoch;			/* atomic: last generation fully invalidated */
	bool done;			/* atomic: the writer has finished */
	pthread_barrier_t ready;
	uint32_t gens;			/* generations the writer completed */
	/* first error, under err_lock */
	pthread_mutex_t err_lock;
	int errors;
	char err[256];
	struct sworker w[S_NCPUS];
};

static void s_error(struct stress *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_error(struct stress *st, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&st->err_lock);
	if (!st->errors++) {
		va_start(ap, fmt);
		vsnprintf(st->err, sizeof(st->err), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&st->err_lock);
}

static int64_t s_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void s_noop_kick(void *opaque, unsigned cpu)
{
	(void)opaque;
	(void)cpu;
}

/* Attach and program like hfx_program(), without Criterion asserts. */
static int s_program(struct stress *st, struct shadow_cpu *cpu, uint32_t asid)
{
	int err = shadow_cpu_attach(cpu);

	if (err)
		return err;
	shadow_cpu_set_ttbr0(cpu, st->f.ptb.l1);
	shadow_cpu_set_ttbr1(cpu, 0);
	if ((err = shadow_cpu_set_ttbcr(cpu, 0)) || (err = shadow_cpu_set_dacr(cpu, HFX_DACR_CLIENT)) ||
	    (err = shadow_cpu_set_contextidr(cpu, asid)) || (err = shadow_cpu_set_sctlr(cpu, SCTLR_M)))
		return err;
	shadow_cpu_set_pl(cpu, 1);
	return 0;
}

static uint32_t s_ring_frame(uint32_t gen)
{
	return S_RING_BASE + (gen % S_RING) * HFX_PAGE;
}

static uint32_t s_set_frame(uint32_t set, uint32_t page)
{
	return S_SETS_BASE + (set * S_PAGES + page) * HFX_PAGE;
}

static uint32_t s_many_value(uint32_t gen, uint32_t page)
{
	return gen << 16 | page;
}

/* RAM word at gpa (always inside RAM here; no asserts in worker threads). */
static uint32_t *s_ram32(struct stress *st, uint32_t gpa)
{
	return physmem_ptr(&st->f.pm, gpa, 4);
}

/* Point the guest at generation gen: write its content into its frames
 * first, then the PTEs. The fence orders both before the TLBI, as the
 * guest's DSB would. */
static void s_publish_tables(struct stress *st, uint32_t gen)
{
	struct ptb_attr a = { .ap = 3, .ng = !st->global };

	if (!st->many) {
		__atomic_store_n(s_ram32(st, s_ring_frame(gen)), gen, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ptb_page(&st->f.ptb, st->f.ptb.l1, S_VA, s_ring_frame(gen), a);
	} else {
		uint32_t set = gen % S_SETS;

		for (uint32_t p = 0; p < S_PAGES; p++)
			__atomic_store_n(s_ram32(st, s_set_frame(set, p)),
					 s_many_value(gen, p), __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		for (uint32_t p = 0; p < S_PAGES; p++)
			ptb_page(&st->f.ptb, st->f.ptb.l1, S_MANY_VA + p * HFX_PAGE,
				 s_set_frame(set, p), a);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void *s_writer(void *arg)
{
	struct sworker *w = arg;
	struct stress *st = w->st;
	struct shadow_cpu *cpu = w->cpu;
	int64_t t0;
	uint32_t gen;
	int err;

	if ((err = s_program(st, cpu, 1))) {
		s_error(st, "writer: programming the MMU failed: %d", err);
		pthread_barrier_wait(&st->ready);
		shadow_cpu_detach(cpu);
		goto out;
	}
	shadow_cpu_enter(cpu);
	pthread_barrier_wait(&st->ready);
	t0 = s_now();
	for (gen = 1; gen < S_MAX_GENS && s_now() - t0 < S_MAX_NS; gen++) {
		struct hacc r;

		shadow_cpu_poll(cpu);
		s_publish_tables(st, gen);
		if (st->global)
			err = gen & 1 ? shadow_tlbi_mva(cpu, S_VA | 1, true)
				      : shadow_tlbi_mvaa(cpu, S_VA, true);
		else if (!st->many)
			err = shadow_tlbi_mva(cpu, S_VA | 1, true);
		else if (gen & 1)
			err = shadow_tlbi_asid(cpu, 1, true);
		else
			err = shadow_tlbi_all(cpu, true);
		if (err) {
			s_error(st, "writer: TLBI...IS for generation %u failed: %d", gen, err);
			break;
		}
		shadow_cpu_sync(cpu);	/* the DSB after the TLBI */
		/* The TLBI is complete everywhere: generation gen is visible. */
		__atomic_store_n(&st->epoch, gen, __ATOMIC_RELEASE);
		/* The writer's own view must show exactly the new generation. */
		r = hfx_ld32(cpu, st->many ? S_MANY_VA + (gen % S_PAGES) * HFX_PAGE : S_VA);
		if (!r.ok || r.v != (st->many ? s_many_value(gen, gen % S_PAGES) : gen)) {
			s_error(st, "writer: read %#llx (ok %d, fault kind %d fs %#x) after "
				"generation %u", (unsigned long long)r.v, r.ok, r.fault.kind,
				r.fault.fs, gen);
			break;
		}
	}
	st->gens = gen - 1;
	shadow_cpu_leave(cpu);
	shadow_cpu_detach(cpu);
out:
	__atomic_store_n(&st->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* One read; false (and an error recorded) if it shows a stale generation. */
static bool s_check(struct stress *st, struct sworker *w, uint32_t page)
{
	uint32_t e = __atomic_load_n(&st->epoch, __ATOMIC_ACQUIRE);
	uint32_t va = st->many ? S_MANY_VA + page * HFX_PAGE : S_VA;
	struct hacc r = hfx_ld32(w->cpu, va);
	uint32_t gen, later;

	if (!r.ok) {
		s_error(st, "reader %u: va %#x faulted: kind %d fs %#x fsr %#x at epoch %u",
			w->index, va, r.fault.kind, r.fault.fs, r.fault.fsr, e);
		return false;
	}
	gen = st->many ? (uint32_t)r.v >> 16 : (uint32_t)r.v;
	if (st->many && (r.v & 0xffff) != page) {
		s_error(st, "reader %u: page %u read %#llx, another page's frame", w->index, page,
			(unsigned long long)r.v);
		return false;
	}
	if (gen < e) {
		s_error(st, "reader %u: STALE read: page %u generation %u after epoch %u was "
			"published (TLBI...IS had returned)", w->index, page, gen, e);
		return false;
	}
	/* Not garbage either: a generation the writer has started. */
	later = __atomic_load_n(&st->epoch, __ATOMIC_ACQUIRE);
	if (gen > later + 1) {
		s_error(st, "reader %u: page %u read generation %u, beyond epoch %u + 1",
			w->index, page, gen, later);
		return false;
	}
	return true;
}

static void *s_reader(void *arg)
{
	struct sworker *w = arg;
	struct stress *st = w->st;
	int err;

	/* The global variant runs each reader in an ASID of its own. */
	if ((err = s_program(st, w->cpu, st->global ? 1 + w->index : 1))) {
		s_error(st, "reader %u: programming the MMU failed: %d", w->index, err);
		pthread_barrier_wait(&st->ready);
		shadow_cpu_detach(w->cpu);
		return NULL;
	}
	shadow_cpu_enter(w->cpu);
	pthread_barrier_wait(&st->ready);
	while (!__atomic_load_n(&st->done, __ATOMIC_ACQUIRE)) {
		/* A block boundary: perform requested remote invalidations.
		 * Then a block's worth of accesses through whatever the vCPU
		 * caches: an issuer that did not wait for our acknowledgement
		 * would publish its epoch inside this window. */
		shadow_cpu_poll(w->cpu);
		for (unsigned k = 0; k < S_BLOCK; k++) {
			uint32_t page = st->many ? hfx_below(&w->seed, S_PAGES) : 0;

			if (!s_check(st, w, page))
				goto out;
			w->reads++;
		}
		/* Four busy threads share two cores here: yield so that an
		 * issuer waiting for our acknowledgement gets to run within
		 * microseconds rather than a scheduler tick. */
		sched_yield();
	}
out:
	shadow_cpu_leave(w->cpu);
	shadow_cpu_detach(w->cpu);
	return NULL;
}

static void s_run(enum shadow_org org, bool many, bool global)
{
	struct stress *st = calloc(1, sizeof(*st));
	struct shadow_config cfg = { .org = org, .group_size = 2, .ncpus = S_NCPUS };
	pthread_t th[S_NCPUS];
	uint64_t reads = 0;

	cr_assert_not_null(st);
	st->org = org;
	st->many = many;
	st->global = global;
	pthread_mutex_init(&st->err_lock, NULL);
	hfx_setup_cfg(&st->f, 64, &cfg, false);
	shadow_vm_set_kick(st->f.vm, s_noop_kick, NULL);
	/* Generation 0. */
	s_publish_tables(st, 0);
	cr_assert_eq(pthread_barrier_init(&st->ready, NULL, S_NCPUS), 0);
	for (unsigned i = 0; i < S_NCPUS; i++) {
		st->w[i] = (struct sworker){ .st = st, .cpu = shadow_vm_cpu(st->f.vm, i), .index = i,
					     .seed = 0x5eed0000u + i };
		cr_assert_not_null(st->w[i].cpu);
		cr_assert_eq(pthread_create(&th[i], NULL, i == 0 ? s_writer : s_reader, &st->w[i]), 0);
	}
	for (unsigned i = 0; i < S_NCPUS; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 1; i < S_NCPUS; i++)
		reads += st->w[i].reads;

	cr_assert_eq(st->errors, 0, "%s, %s: %d errors; first: %s", shadow_org_name(org),
		     many ? "many pages" : global ? "global page" : "one page", st->errors, st->err);
	cr_assert_gt(st->gens, 0, "the writer completed no generation");
	cr_log_info("%s %s: %u generations, %llu reads", shadow_org_name(org),
		    many ? "many" : global ? "global" : "one", st->gens, (unsigned long long)reads);
	shadow_vm_destroy(st->f.vm);
	physmem_destroy(&st->f.pm);
	pthread_barrier_destroy(&st->ready);
	free(st);
}

/* First fills of global sections racing with their invalidation. For
 * generation g a fresh MiB VA_g is mapped (global) to the OLD section and
 * announced; readers in other ASIDs fill it at once while the writer
 * repoints it to NEW and issues TLBIMVA(VA_g, own ASID) or TLBIMVAA, IS.
 * A fill that walked OLD must not survive that TLBI, although no ASID-2..4
 * entry existed at VA_g when it was issued (the engine's global filter). */
#define F_BASE		0x10000000u
#define F_GENS		2000u
#define F_OLD		0x40000000u
#define F_NEW		0x40100000u

struct first {
	struct hfx f;
	uint32_t cur;		/* atomic: generation being set up */
	uint32_t epoch;		/* atomic: generation whose TLBI returned */
	uint32_t seen;		/* atomic: newest generation a reader has read */
	bool done;
	pthread_barrier_t ready;
	pthread_mutex_t err_lock;
	int errors;
	char err[256];
	uint32_t gens;
	struct fworker { struct first *ff; struct shadow_cpu *cpu; unsigned index; uint64_t reads; } w[S_NCPUS];
};

static void f_error(struct first *ff, const char *msg, unsigned who, uint32_t g, uint64_t v)
{
	pthread_mutex_lock(&ff->err_lock);
	if (!ff->errors++)
		snprintf(ff->err, sizeof(ff->err), "reader %u, generation %u: %s (value %#llx)",
			 who, g, msg, (unsigned long long)v);
	pthread_mutex_unlock(&ff->err_lock);
}

static int f_program(struct first *ff, struct shadow_cpu *cpu, uint32_t asid)
{
	int err = shadow_cpu_attach(cpu);

	if (err)
		return err;
	shadow_cpu_set_ttbr0(cpu, ff->f.ptb.l1);
	if ((err = shadow_cpu_set_ttbcr(cpu, 0)) || (err = shadow_cpu_set_dacr(cpu, HFX_DACR_CLIENT)) ||
	    (err = shadow_cpu_set_contextidr(cpu, asid)) || (err = shadow_cpu_set_sctlr(cpu, SCTLR_M)))
		return err;
	shadow_cpu_set_pl(cpu, 1);
	return 0;
}

static void *f_writer(void *arg)
{
	struct first *ff = ((struct fworker *)arg)->ff;
	struct shadow_cpu *cpu = ff->w[0].cpu;
	struct ptb_attr a = { .ap = 3 };
	int64_t t0;
	uint32_t g;
	int err = f_program(ff, cpu, 1);

	if (!err)
		shadow_cpu_enter(cpu);
	pthread_barrier_wait(&ff->ready);
	t0 = s_now();
	for (g = 1; !err && g <= F_GENS && s_now() - t0 < S_MAX_NS; g++) {
		uint32_t va = F_BASE + g * HFX_SECTION;

		shadow_cpu_poll(cpu);
		ptb_section(&ff->f.ptb, ff->f.ptb.l1, va, F_OLD, a);
		__atomic_store_n(&ff->cur, g, __ATOMIC_SEQ_CST);
		/* Every fourth generation, wait (boundedly) until a reader has
		 * filled the OLD entry; otherwise give the readers a varying
		 * moment, so that some fills race with the repointing. */
		if (g % 4 == 1) {
			for (int64_t t1 = s_now();
			     __atomic_load_n(&ff->seen, __ATOMIC_SEQ_CST) < g && s_now() - t1 < 1000000;)
				sched_yield();
		} else {
			for (unsigned k = 0, n = (g * 2654435761u >> 20) & 4095; k < n; k++)
				__atomic_load_n(&ff->epoch, __ATOMIC_SEQ_CST);
		}
		ptb_section(&ff->f.ptb, ff->f.ptb.l1, va, F_NEW, a);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		err = g & 1 ? shadow_tlbi_mva(cpu, va | 1, true) : shadow_tlbi_mvaa(cpu, va, true);
		shadow_cpu_sync(cpu);	/* the DSB after the TLBI */
		__atomic_store_n(&ff->epoch, g, __ATOMIC_RELEASE);
	}
	if (err)
		f_error(ff, "writer: programming or TLBI failed", 0, g, (uint64_t)err);
	ff->gens = g - 1;
	if (!err)
		shadow_cpu_leave(cpu);
	shadow_cpu_detach(cpu);
	__atomic_store_n(&ff->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void *f_reader(void *arg)
{
	struct fworker *w = arg;
	struct first *ff = w->ff;
	unsigned idx = w->index;
	struct shadow_cpu *cpu = w->cpu;
	int err = f_program(ff, cpu, 1 + idx);

	if (err)
		f_error(ff, "programming the MMU failed", idx, 0, (uint64_t)err);
	else
		shadow_cpu_enter(cpu);
	pthread_barrier_wait(&ff->ready);
	while (!err && !__atomic_load_n(&ff->done, __ATOMIC_ACQUIRE)) {
		shadow_cpu_poll(cpu);
		for (unsigned k = 0; k < S_BLOCK; k++) {
			uint32_t e = __atomic_load_n(&ff->epoch, __ATOMIC_ACQUIRE);
			uint32_t g = __atomic_load_n(&ff->cur, __ATOMIC_ACQUIRE);
			struct hacc r;

			/* Alternately: race the writer's setup of the newest
			 * generation, and check the last invalidated one. */
			if (k & 1)
				g = e;
			if (!g)
				break;
			r = hfx_ld32(cpu, F_BASE + g * HFX_SECTION);
			w->reads++;
			if (!r.ok) {
				f_error(ff, "faulted", idx, g, r.fault.kind << 8 | r.fault.fs);
				err = 1;
				break;
			}
			if (__atomic_load_n(&ff->seen, __ATOMIC_RELAXED) < g)
				__atomic_store_n(&ff->seen, g, __ATOMIC_SEQ_CST);
			if (r.v != hfx_word(F_NEW) && (r.v != hfx_word(F_OLD) || e >= g)) {
				f_error(ff, e >= g ? "STALE: OLD section after its TLBI returned"
						   : "neither OLD nor NEW", idx, g, r.v);
				err = 1;
				break;
			}
		}
		sched_yield();
	}
	if (cpu->in_guest)
		shadow_cpu_leave(cpu);
	shadow_cpu_detach(cpu);
	return NULL;
}

static void f_run(enum shadow_org org)
{
	struct first *ff = calloc(1, sizeof(*ff));
	struct shadow_config cfg = { .org = org, .group_size = S_NCPUS, .ncpus = S_NCPUS };
	pthread_t th[S_NCPUS];

	cr_assert_not_null(ff);
	pthread_mutex_init(&ff->err_lock, NULL);
	hfx_setup_cfg(&ff->f, 32, &cfg, false);
	shadow_vm_set_kick(ff->f.vm, s_noop_kick, NULL);
	cr_assert_eq(pthread_barrier_init(&ff->ready, NULL, S_NCPUS), 0);
	for (unsigned i = 0; i < S_NCPUS; i++) {
		ff->w[i].ff = ff;
		ff->w[i].cpu = shadow_vm_cpu(ff->f.vm, i);
		ff->w[i].index = i;
	}
	for (unsigned i = 0; i < S_NCPUS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, i ? f_reader : f_writer, &ff->w[i]), 0);
	for (unsigned i = 0; i < S_NCPUS; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(ff->errors, 0, "%s: %d errors; first: %s", shadow_org_name(org), ff->errors,
		     ff->err);
	cr_assert_gt(ff->gens, 0);
	cr_log_info("%s first-fill: %u generations, %llu reads", shadow_org_name(org), ff->gens,
		    (unsigned long long)(ff->w[1].reads + ff->w[2].reads + ff->w[3].reads));
	shadow_vm_destroy(ff->f.vm);
	physmem_destroy(&ff->f.pm);
	pthread_barrier_destroy(&ff->ready);
	free(ff);
}

Test(hspt_stress, stale_read_private, .timeout = 30) { s_run(SHADOW_ORG_PRIVATE, false, false); }
Test(hspt_stress, stale_read_soft, .timeout = 30) { s_run(SHADOW_ORG_SOFT, false, false); }
Test(hspt_stress, stale_read_shared, .timeout = 30) { s_run(SHADOW_ORG_SHARED, false, false); }
Test(hspt_stress, stale_read_group, .timeout = 30) { s_run(SHADOW_ORG_GROUP, false, false); }
Test(hspt_stress, stale_global_private, .timeout = 30) { s_run(SHADOW_ORG_PRIVATE, false, true); }
Test(hspt_stress, stale_global_soft, .timeout = 30) { s_run(SHADOW_ORG_SOFT, false, true); }
Test(hspt_stress, many_pages_private, .timeout = 30) { s_run(SHADOW_ORG_PRIVATE, true, false); }
Test(hspt_stress, many_pages_soft, .timeout = 30) { s_run(SHADOW_ORG_SOFT, true, false); }
Test(hspt_stress, many_pages_shared, .timeout = 30) { s_run(SHADOW_ORG_SHARED, true, false); }
Test(hspt_stress, first_fill_global_private, .timeout = 30) { f_run(SHADOW_ORG_PRIVATE); }
Test(hspt_stress, first_fill_global_group, .timeout = 30) { f_run(SHADOW_ORG_GROUP); }

/* ASID churn: every vCPU switches among more ASIDs than there are SPTs, so
 * group:N steals slots that other vCPUs have just left, while IS TLBIASID
 * operations fly. Each ASID maps X and Y to frames of its own and a global
 * kernel page K to a common frame; every read must match the ASID the
 * vCPU is running. The tables never change, so any wrong value is a
 * translation of another address space. */
#define C_ASIDS		9u
#define C_X		0x00100000u
#define C_Y		0x00805000u
#define C_K		0xc0010000u
#define C_SWITCHES	4000u

struct churn {
	struct hfx f;
	uint32_t tables[C_ASIDS];
	pthread_barrier_t ready;
	pthread_mutex_t err_lock;
	int errors;
	char err[256];
	struct cworker { struct churn *c; struct shadow_cpu *cpu; unsigned index; uint64_t seed, switches; } w[S_NCPUS];
};

static uint32_t c_frame(uint32_t asid, unsigned which)
{
	return 0x40200000u + asid * 0x20000u + which * 0x7000u;
}

static void *c_worker(void *arg)
{
	struct cworker *w = arg;
	struct churn *c = w->c;
	struct shadow_cpu *cpu = w->cpu;
	int64_t t0;
	int err = shadow_cpu_attach(cpu);
	char msg[200] = "";

	if (!err) {
		shadow_cpu_set_ttbr0(cpu, c->tables[1]);
		if (!(err = shadow_cpu_set_dacr(cpu, HFX_DACR_CLIENT)) &&
		    !(err = shadow_cpu_set_contextidr(cpu, 1)) && !(err = shadow_cpu_set_sctlr(cpu, SCTLR_M)))
			shadow_cpu_enter(cpu);
	}
	if (err)
		snprintf(msg, sizeof(msg), "vCPU %u: programming the MMU failed: %d", w->index, err);
	pthread_barrier_wait(&c->ready);
	t0 = s_now();
	for (; !*msg && w->switches < C_SWITCHES && s_now() - t0 < S_MAX_NS; w->switches++) {
		uint32_t asid = 1 + hfx_below(&w->seed, C_ASIDS - 1);
		static const uint32_t vas[3] = { C_X, C_Y, C_K };

		shadow_cpu_poll(cpu);
		shadow_cpu_set_ttbr0(cpu, c->tables[asid]);
		if ((err = shadow_cpu_set_contextidr(cpu, asid))) {
			snprintf(msg, sizeof(msg), "vCPU %u: CONTEXTIDR %u failed: %d", w->index, asid, err);
			break;
		}
		for (unsigned k = 0; k < 3 * 4; k++) {
			unsigned which = k % 3;
			uint32_t expect = which == 2 ? hfx_word(0x40100000) : hfx_word(c_frame(asid, which));
			struct hacc r;

			shadow_cpu_set_pl(cpu, k & 1);
			r = hfx_ld32(cpu, vas[which]);
			/* K is PL1-only. */
			if (which == 2 && !(k & 1)) {
				if (r.ok || r.fault.kind != SHADOW_FAULT_ABORT || r.fault.fs != FS_PERM_PAGE) {
					snprintf(msg, sizeof(msg), "vCPU %u, ASID %u: PL0 read of K did not "
						 "abort with a permission fault", w->index, asid);
					break;
				}
			} else if (!r.ok || r.v != expect) {
				snprintf(msg, sizeof(msg), "vCPU %u, ASID %u, va %#x: %s %#llx, expected %#x",
					 w->index, asid, vas[which], r.ok ? "read" : "fault",
					 (unsigned long long)(r.ok ? r.v : r.fault.fs), expect);
				break;
			}
		}
		shadow_cpu_set_pl(cpu, 1);
		if (hfx_below(&w->seed, 8) == 0 &&
		    (err = shadow_tlbi_asid(cpu, 1 + hfx_below(&w->seed, C_ASIDS - 1), true)))
			snprintf(msg, sizeof(msg), "vCPU %u: TLBIASID failed: %d", w->index, err);
		shadow_cpu_sync(cpu);
	}
	if (cpu->in_guest)
		shadow_cpu_leave(cpu);
	shadow_cpu_detach(cpu);
	if (*msg) {
		pthread_mutex_lock(&c->err_lock);
		if (!c->errors++)
			snprintf(c->err, sizeof(c->err), "%s", msg);
		pthread_mutex_unlock(&c->err_lock);
	}
	return NULL;
}

static void c_run(enum shadow_org org)
{
	struct churn *c = calloc(1, sizeof(*c));
	struct shadow_config cfg = { .org = org, .group_size = S_NCPUS, .ncpus = S_NCPUS };
	struct shadow_stats total;
	pthread_t th[S_NCPUS];
	uint64_t switches = 0;

	cr_assert_not_null(c);
	pthread_mutex_init(&c->err_lock, NULL);
	hfx_setup_cfg(&c->f, 32, &cfg, false);
	shadow_vm_set_kick(c->f.vm, s_noop_kick, NULL);
	for (uint32_t a = 1; a < C_ASIDS; a++) {
		struct ptb_attr ng = { .ap = 3, .ng = true }, gl = { .ap = 1 };

		c->tables[a] = a == 1 ? c->f.ptb.l1 : ptb_new_l1(&c->f.ptb);
		cr_assert_neq(c->tables[a], 0);
		ptb_page(&c->f.ptb, c->tables[a], C_X, c_frame(a, 0), ng);
		ptb_page(&c->f.ptb, c->tables[a], C_Y, c_frame(a, 1), ng);
		ptb_page(&c->f.ptb, c->tables[a], C_K, 0x40100000, gl);
	}
	cr_assert_eq(pthread_barrier_init(&c->ready, NULL, S_NCPUS), 0);
	for (unsigned i = 0; i < S_NCPUS; i++) {
		c->w[i] = (struct cworker){ .c = c, .cpu = shadow_vm_cpu(c->f.vm, i), .index = i,
					    .seed = 0xc0ffee00u + i };
		cr_assert_eq(pthread_create(&th[i], NULL, c_worker, &c->w[i]), 0);
	}
	for (unsigned i = 0; i < S_NCPUS; i++) {
		pthread_join(th[i], NULL);
		switches += c->w[i].switches;
	}
	cr_assert_eq(c->errors, 0, "%s: %d errors; first: %s", shadow_org_name(org), c->errors, c->err);
	shadow_vm_stats(c->f.vm, &total);
	if (org == SHADOW_ORG_GROUP)
		cr_assert_gt(total.lru_steals, 0, "ASID churn without a steal");
	cr_log_info("%s churn: %llu switches, %llu steals", shadow_org_name(org),
		    (unsigned long long)switches, (unsigned long long)total.lru_steals);
	shadow_vm_destroy(c->f.vm);
	physmem_destroy(&c->f.pm);
	pthread_barrier_destroy(&c->ready);
	free(c);
}

Test(hspt_stress, asid_churn_group, .timeout = 30) { c_run(SHADOW_ORG_GROUP); }
Test(hspt_stress, asid_churn_shared, .timeout = 30) { c_run(SHADOW_ORG_SHARED); }
Test(hspt_stress, asid_churn_private, .timeout = 30) { c_run(SHADOW_ORG_PRIVATE); }
Test(hspt_stress, asid_churn_soft, .timeout = 30) { c_run(SHADOW_ORG_SOFT); }
