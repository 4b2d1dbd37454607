/* fault.c — the SIGSEGV handler: filling the shadow from the guest's page
 * tables.
 *
 * Runs on the vCPU thread whose guest access faulted, inside the signal
 * handler: only async-signal-safe calls (mmap, futex, clock_gettime,
 * write), no malloc, no stdio, no pthread locks. The only lock taken is the
 * faulting window's hlock, which no code path holds while touching guest
 * memory, so the interrupted code cannot be holding it.
 *
 * Outcomes: the access was allowed → map it and return, the instruction
 * re-executes; a guest abort, an MMIO or an unassigned GPA → describe it in
 * cpu->fault and siglongjmp to cpu->recover. A fault in the arena that is
 * not in one of the thread's current windows, or a guest fault with no
 * recovery point, is an emulator bug: report and abort. Faults anywhere
 * else are not ours: the previous disposition is restored and the access
 * re-executes into it (normally a core dump). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "shadow/internal.h"
#include "util/log.h"

__thread struct shadow_cpu *shadow_self;
static __thread bool in_handler;
static struct sigaction previous_segv;

/* RETRY: return and let the access fault again (someone else filled it,
 * or the descriptor changed under us); NOMEM: the host refused the VMA. */
enum fill_result { FILL_DONE, FILL_RETRY, FILL_NOMEM, FILL_FAULT };

/* What to map for one fill: [va, va+len) -> memfd offset off. */
struct fill_plan {
	uint32_t va;
	uint64_t len;
	uint64_t off;
	bool write, global;
	unsigned size_code;
};

static __attribute__((noreturn)) void crash(const char *what, uint64_t value)
{
	log_raw_hex(what, value);
	signal(SIGABRT, SIG_DFL);
	abort();
}

void shadow_raise(struct shadow_cpu *cpu)
{
	if (!cpu->recover)
		crash("guest fault with no recovery point; va", cpu->fault.va);
	siglongjmp(*cpu->recover, 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned size_code(uint32_t block_size)
{
	return (unsigned)(__builtin_ctz(block_size) - 12) / 4;
}

/* Extend a small-page fill to the run of neighbouring L2 entries that map
 * consecutive frames with identical attributes: one mmap, one VMA, and the
 * faults the guest would take walking through the run are gone. Mapping
 * valid entries early is what a TLB prefetch may do. */
static void map_ahead(const struct physmem *pm, const struct walk_result *res,
		      struct fill_plan *p, uint64_t avail_after)
{
	uint64_t table = res->l2_gpa & ~0x3ffull;
	unsigned idx = (unsigned)(res->l2_gpa & 0x3ffu) / 4, lo = idx, hi = idx;
	const uint32_t *t = physmem_ptr(pm, table, 1024);
	uint32_t d0 = res->l2_desc;

	if (!t)
		return;
	while (lo > 0) {
		uint32_t d = __atomic_load_n(&t[lo - 1], __ATOMIC_RELAXED);

		if ((d & 0xfffu) != (d0 & 0xfffu) ||
		    (d >> 12) != (d0 >> 12) - (idx - lo + 1))
			break;
		lo--;
	}
	while (hi < 255 && (uint64_t)(hi - idx + 1) * 4096 < avail_after) {
		uint32_t d = __atomic_load_n(&t[hi + 1], __ATOMIC_RELAXED);

		if ((d & 0xfffu) != (d0 & 0xfffu) ||
		    (d >> 12) != (d0 >> 12) + (hi + 1 - idx))
			break;
		hi++;
	}
	/* The run must stay inside the RAM bank on the left side too. */
	while (lo < idx && !physmem_ptr(pm, (uint64_t)((d0 >> 12) - (idx - lo)) << 12,
					 (uint64_t)(idx - lo + 1) << 12))
		lo++;
	p->va -= (idx - lo) << 12;
	p->off -= (uint64_t)(idx - lo) << 12;
	p->len = (uint64_t)(hi - lo + 1) << 12;
}

/* MMU off: map the whole RAM bank holding va at its physical address, if
 * it fits in the window. */
static bool map_bank(const struct physmem *pm, uint32_t va, struct fill_plan *p)
{
	for (unsigned i = 0; i < pm->nbanks; i++) {
		const struct physmem_bank *b = &pm->banks[i];

		if (va - b->gpa < b->size && b->gpa + b->size <= GDVAS_SPAN) {
			*p = (struct fill_plan){ .va = (uint32_t)b->gpa, .len = b->size,
						 .off = b->offset, .write = true, .global = true };
			return true;
		}
	}
	return false;
}

/* Decide what a successful walk maps. 0, or fills cpu->fault for MMIO and
 * unassigned GPAs. */
static int plan_fill(struct shadow_cpu *cpu, const struct walk_result *res,
		     uint32_t va, bool write, unsigned rights, struct fill_plan *p)
{
	const struct physmem *pm = cpu->vm->pm;
	struct physmem_loc loc;

	p->write = rights & WALK_W;
	p->global = !res->ng;
	if (res->flat && map_bank(pm, va, p))
		return 0;
	loc = physmem_lookup(pm, res->block_pa);
	if (loc.kind == PHYSMEM_RAM && loc.avail >= res->block_size) {
		p->va = res->block_va;
		p->len = res->block_size;
		p->off = loc.offset;
		p->size_code = size_code(res->block_size);
		/* Not for global pages: their fill re-validates only the
		 * descriptor it faulted on (publish_global), and global small
		 * pages are the kernel's short-lived ones (kmap, fixmap). */
		if (res->block_size == 0x1000 && res->level == 2 && res->ng &&
		    !cpu->vm->cfg.no_map_ahead)
			map_ahead(pm, res, p, loc.avail);
		return 0;
	}
	loc = physmem_lookup(pm, res->pa & ~0xfffull);
	if (loc.kind == PHYSMEM_RAM) {
		/* A block only partly backed by RAM: map page by page. */
		p->va = va & ~0xfffu;
		p->len = 0x1000;
		p->off = loc.offset;
		p->size_code = size_code(res->block_size);
		return 0;
	}
	shadow_fault_from_pa(pm, &cpu->fault, res->pa, va, write ? WALK_WRITE : WALK_READ);
	shadow_count_fault(&cpu->stats, &cpu->fault);
	return -EFAULT;
}

/* Record that global entries may now exist in p's VA range, then check the
 * descriptors did not change meanwhile (see docs/shadow.md: a TLBIMVA that
 * read the filter clear must not miss this fill). */
static bool publish_global(struct shadow_vm *vm, const struct walk_result *res,
			   const struct fill_plan *p)
{
	for (uint64_t mib = p->va >> 20; mib <= (p->va + p->len - 1) >> 20; mib++)
		__atomic_fetch_or(&vm->global_filter[mib / 64], 1ull << (mib % 64),
				  __ATOMIC_SEQ_CST);
	if (__atomic_load_n((uint32_t *)physmem_ptr(vm->pm, res->l1_gpa, 4), __ATOMIC_SEQ_CST) !=
	    res->l1_desc)
		return false;
	return !res->l2_gpa ||
	       __atomic_load_n((uint32_t *)physmem_ptr(vm->pm, res->l2_gpa, 4),
			       __ATOMIC_SEQ_CST) == res->l2_desc;
}

/* Walk, check and map, with g->lock held. */
static enum fill_result fill_locked(struct shadow_cpu *cpu, struct gdvas *g,
				    uint32_t va, bool write)
{
	struct shadow_vm *vm = cpu->vm;
	enum walk_access acc = write ? WALK_WRITE : WALK_READ;
	struct walk_result res;
	struct fill_plan p = { 0 };
	unsigned fs, rights;
	int err;

	fs = walk_translate(&cpu->regs, vm->pm, va, &res);
	if (!fs)
		fs = walk_check(&cpu->regs, &res, g->pl, acc);
	if (fs) {
		shadow_fault_from_walk(cpu, &cpu->fault, va, acc, fs, res.domain);
		shadow_count_fault(&cpu->stats, &cpu->fault);
		return FILL_FAULT;
	}
	rights = walk_rights(&cpu->regs, &res, g->pl);
	if (plan_fill(cpu, &res, va, write, rights, &p))
		return FILL_FAULT;
	if (p.global && !res.flat && !publish_global(vm, &res, &p))
		return FILL_RETRY;
	err = gdvas_map(vm, g, p.va, p.len, p.off, p.write, p.global, p.size_code, &cpu->stats);
	if (err == -ENOMEM)
		return FILL_NOMEM;
	if (err)
		crash("shadow mmap failed; errno", (uint64_t)-err);
	STAT_INC(&cpu->stats, faults_filled);
	if (p.len >= 0x100000)
		STAT_ADD(&cpu->stats, sections_mapped, p.len >> 20);
	else
		STAT_ADD(&cpu->stats, pages_mapped, p.len >> 12);
	return FILL_DONE;
}

static enum fill_result fill(struct shadow_cpu *cpu, struct gdvas *g, uint32_t va, bool write)
{
	struct shadow_vm *vm = cpu->vm;
	uint32_t m = __atomic_load_n(&g->meta[va >> 12], __ATOMIC_RELAXED);
	enum fill_result r;

	/* Another vCPU filled it between our fault and now. */
	if ((m & META_VALID) && (!write || (m & META_WRITE)))
		return FILL_RETRY;
	gdvas_budget_reserve(vm, 2, &cpu->stats);
	hlock_lock(&g->lock);
	/* Both sequentially consistent, and before the walk: an invalidator
	 * that finds this window inactive, or idle with nothing at its VA,
	 * knows our walk will see its new descriptor. */
	__atomic_store_n(&g->filling, true, __ATOMIC_SEQ_CST);
	if (!gdvas_is_active(vm, g))
		gdvas_set_active(vm, g);
	r = fill_locked(cpu, g, va, write);
	__atomic_store_n(&g->filling, false, __ATOMIC_SEQ_CST);
	hlock_unlock(&g->lock);
	if (r == FILL_NOMEM) {
		/* The budget model said yes and the host said no: something
		 * else in the process took VMAs. Shrink, then fault again. */
		gdvas_budget_emergency(vm, &cpu->stats);
		r = FILL_RETRY;
	}
	return r;
}

static void not_ours(void)
{
	/* Re-executing the access now reaches whoever handled SIGSEGV before
	 * us (normally the default action: a core dump). */
	sigaction(SIGSEGV, &previous_segv, NULL);
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	struct shadow_cpu *cpu = shadow_self;
	uintptr_t addr = (uintptr_t)si->si_addr;
	ucontext_t *uc = ctx;
	int saved_errno = errno;
	enum fill_result r;
	struct gdvas *g;
	uint64_t t0;
	uint32_t va;

	if (in_handler)
		crash("fault inside the shadow fault handler at", addr);
	if (!cpu || cpu->soft) {
		not_ours();
		return;
	}
	g = gdvas_of_addr(cpu->vm, addr, &va);
	if (!g) {
		if (addr - (uintptr_t)cpu->vm->arena < cpu->vm->arena_size)
			crash("fault in a shadow guard gap at", addr);
		not_ours();
		return;
	}
	if (g != cpu->view[0] && g != cpu->view[1])
		crash("fault outside the vCPU's current windows at", addr);
	in_handler = true;
	t0 = now_ns();
	/* Bit 1 of the x86 page-fault error code: the access was a write. */
	r = fill(cpu, g, va, uc->uc_mcontext.gregs[REG_ERR] & 2);
	STAT_ADD(&cpu->stats, fault_ns, now_ns() - t0);
	in_handler = false;
	errno = saved_errno;
	if (r == FILL_FAULT)
		shadow_raise(cpu);
}

static int install_error;

static void install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	/* NODEFER: we leave the handler by siglongjmp without restoring the
	 * signal mask, so SIGSEGV must never be blocked by it. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous_segv) != 0)
		install_error = -errno;
}

int fault_install(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_once);
	return install_error;
}
