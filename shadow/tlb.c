/* tlb.c — guest TLB maintenance (ARM ARM B4.2.2), one entry point per
 * operation, each invalidating exactly what the architecture names.
 *
 * In the HSPT modes the host mappings are process-wide, so an invalidation
 * done here is already visible to every vCPU thread when munmap/mmap
 * returns (the host kernel shoots down its own TLBs). What remains per vCPU
 * is whatever a vCPU caches on its own side: the soft TLB, and whatever the
 * CPU model caches by VA. Inner-shareable operations therefore also post a
 * flush request to every other vCPU; at the issuer's next DSB
 * (shadow_cpu_sync) it waits for the vCPUs that are running guest code to
 * acknowledge it (DESIGN.md §4).
 *
 * Ordering: each operation starts with a full fence, the DSB that must
 * precede a TLBI in the guest; the fill/invalidate protocol in
 * docs/shadow.md relies on it. */
#include <sched.h>

#include "shadow/internal.h"

#define FLAT_INDEX(vm) ((vm)->ngdvas - 1)

static void begin(struct shadow_cpu *cpu)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	STAT_INC(&cpu->stats, tlbi_ops);
}

bool shadow_cpu_poll(struct shadow_cpu *cpu)
{
	uint32_t req = __atomic_load_n(&cpu->flush_req, __ATOMIC_ACQUIRE);

	if (req == __atomic_load_n(&cpu->flush_ack, __ATOMIC_RELAXED))
		return false;
	if (cpu->soft)
		soft_flush(cpu);
	/* Release: the flush above is done before the issuer sees the ack. */
	__atomic_store_n(&cpu->flush_ack, req, __ATOMIC_RELEASE);
	return true;
}

void shadow_cpu_enter(struct shadow_cpu *cpu)
{
	/* Publish "in guest" before looking for requests: an issuer that saw
	 * us outside will not wait, so we must see its request here. */
	__atomic_store_n(&cpu->in_guest, true, __ATOMIC_SEQ_CST);
	shadow_cpu_poll(cpu);
}

void shadow_cpu_leave(struct shadow_cpu *cpu)
{
	__atomic_store_n(&cpu->in_guest, false, __ATOMIC_SEQ_CST);
}

/* Ask every other vCPU to drop its translation caches. The issuer waits
 * for them in shadow_cpu_sync(), at its next DSB: the architecture only
 * promises completion there, and Linux flushes a range with one TLBI per
 * page followed by a single DSB, so one wait covers the whole range. With
 * more vCPUs than host CPUs a wait can last a host time slice, which per
 * page made booting 4 vCPUs on 2 host CPUs take minutes. */
static void broadcast(struct shadow_cpu *cpu)
{
	struct shadow_vm *vm = cpu->vm;

	for (unsigned i = 0; i < vm->cfg.ncpus; i++) {
		struct shadow_cpu *t = vm->cpus[i];

		if (t == cpu)
			continue;
		/* Requests are counted: acknowledging the latest covers the
		 * earlier ones still outstanding. */
		cpu->sync_want[i] = __atomic_add_fetch(&t->flush_req, 1, __ATOMIC_SEQ_CST);
	}
	cpu->sync_pending = true;
}

void shadow_cpu_sync(struct shadow_cpu *cpu)
{
	struct shadow_vm *vm = cpu->vm;

	if (!cpu->sync_pending)
		return;
	cpu->sync_pending = false;
	for (unsigned i = 0; i < vm->cfg.ncpus; i++) {
		struct shadow_cpu *t = vm->cpus[i];
		bool kicked = false;

		if (t == cpu)
			continue;
		while (__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST) &&
		       (int32_t)(__atomic_load_n(&t->flush_ack, __ATOMIC_ACQUIRE) -
				 cpu->sync_want[i]) < 0) {
			/* A running vCPU polls every few microseconds anyway;
			 * the kick makes one that is busy elsewhere look. */
			if (!kicked && vm->kick) {
				vm->kick(vm->kick_opaque, i);
				kicked = true;
			}
			/* Serve requests aimed at us meanwhile, or two vCPUs
			 * synchronizing at once would wait for each other. */
			shadow_cpu_poll(cpu);
			sched_yield();
		}
	}
}

static int finish(struct shadow_cpu *cpu, bool is, int err)
{
	if (is && cpu->vm->cfg.ncpus > 1)
		broadcast(cpu);
	return err;
}

/* Call fn on every window that may hold entries (flat window excluded). */
#define FOR_EACH_ACTIVE(vm, g)                                                   \
	for (unsigned w_ = 0; w_ < ((vm)->ngdvas + 63) / 64; w_++)              \
		for (uint64_t b_ = __atomic_load_n(&(vm)->active[w_], __ATOMIC_SEQ_CST); \
		     b_; b_ &= b_ - 1)                                          \
			if (((g) = &(vm)->gdvas[w_ * 64 + __builtin_ctzll(b_)]), \
			    (g)->index != FLAT_INDEX(vm))

int shadow_tlbi_all(struct shadow_cpu *cpu, bool is)
{
	struct shadow_vm *vm = cpu->vm;
	struct gdvas *g;
	int err = 0;

	begin(cpu);
	if (cpu->soft) {
		soft_flush(cpu);
		return finish(cpu, is, 0);
	}
	FOR_EACH_ACTIVE(vm, g) {
		int e = gdvas_flush(vm, g, &cpu->stats);

		if (e && !err)
			err = e;
	}
	return finish(cpu, is, err);
}

/* Call fn on the slots that may hold entries of `asid`: its own slot in
 * private mode, the slot the group map gives (whatever its owner now:
 * over-invalidating is allowed), every vCPU slot running it in shared mode.
 * Reads pair with the sequentially consistent stores in spt.c. */
static int for_asid_slots(struct shadow_cpu *cpu, unsigned asid,
			  int (*fn)(struct shadow_cpu *, struct spt_slot *, uint32_t),
			  uint32_t arg)
{
	struct shadow_vm *vm = cpu->vm;
	int err = 0, idx;

	switch (vm->cfg.org) {
	case SHADOW_ORG_PRIVATE:
		return fn(cpu, &vm->slots[asid], arg);
	case SHADOW_ORG_GROUP:
		idx = __atomic_load_n(&vm->asid_slot[asid], __ATOMIC_SEQ_CST);
		return idx >= 0 ? fn(cpu, &vm->slots[idx], arg) : 0;
	default:
		for (unsigned s = 0; s < vm->nslots; s++) {
			if (__atomic_load_n(&vm->slots[s].asid, __ATOMIC_SEQ_CST) != (int)asid)
				continue;
			int e = fn(cpu, &vm->slots[s], arg);

			if (e && !err)
				err = e;
		}
		return err;
	}
}

static int invalidate_in_slot(struct shadow_cpu *cpu, struct spt_slot *s, uint32_t va)
{
	int err = 0;

	for (unsigned k = 0; k < s->nkeys; k++)
		for (unsigned pl = 0; pl < 2; pl++) {
			int e = gdvas_invalidate_va(cpu->vm, s->keys[k].view[pl], va,
						    false, &cpu->stats);

			if (e && !err)
				err = e;
		}
	return err;
}

static int forget_slot(struct shadow_cpu *cpu, struct spt_slot *s, uint32_t unused)
{
	return spt_forget_asid(cpu->vm, s, &cpu->stats);
}

static bool may_be_global(struct shadow_vm *vm, uint32_t va)
{
	unsigned mib = va >> 20;

	return __atomic_load_n(&vm->global_filter[mib / 64], __ATOMIC_SEQ_CST) &
	       (1ull << (mib % 64));
}

int shadow_tlbi_mva(struct shadow_cpu *cpu, uint32_t mva_asid, bool is)
{
	struct shadow_vm *vm = cpu->vm;
	uint32_t va = mva_asid & ~0xfffu;
	struct gdvas *g;
	int err;

	begin(cpu);
	if (cpu->soft) {
		soft_flush_va(cpu, va);
		return finish(cpu, is, 0);
	}
	/* The ASID's own entries, global or not... */
	err = for_asid_slots(cpu, mva_asid & 0xffu, invalidate_in_slot, va);
	/* ...and global entries at va in every other address space. */
	if (may_be_global(vm, va)) {
		FOR_EACH_ACTIVE(vm, g) {
			int e = gdvas_invalidate_va(vm, g, va, true, &cpu->stats);

			if (e && !err)
				err = e;
		}
	}
	return finish(cpu, is, err);
}

int shadow_tlbi_asid(struct shadow_cpu *cpu, uint32_t asid, bool is)
{
	begin(cpu);
	if (cpu->soft) {
		soft_flush(cpu);
		return finish(cpu, is, 0);
	}
	/* The slot's non-global entries, not its global ones, which belong to
	 * no ASID: dropping them too would be allowed (a TLB may lose any
	 * entry), but Linux's flush_tlb_mm is a TLBIASID at every fork and
	 * exit, and the kernel's whole working set would be refaulted after
	 * each. (Not Debian's armmp kernel: built with ARM_ERRATA_720789, it
	 * issues TLBIALLIS there instead, which must drop everything.) */
	return finish(cpu, is, for_asid_slots(cpu, asid & 0xffu, forget_slot, 0));
}

int shadow_tlbi_mvaa(struct shadow_cpu *cpu, uint32_t mva, bool is)
{
	struct shadow_vm *vm = cpu->vm;
	uint32_t va = mva & ~0xfffu;
	struct gdvas *g;
	int err = 0;

	begin(cpu);
	if (cpu->soft) {
		soft_flush_va(cpu, va);
		return finish(cpu, is, 0);
	}
	FOR_EACH_ACTIVE(vm, g) {
		int e = gdvas_invalidate_va(vm, g, va, false, &cpu->stats);

		if (e && !err)
			err = e;
	}
	return finish(cpu, is, err);
}
