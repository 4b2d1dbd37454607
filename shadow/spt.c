/* spt.c — SPT organizations: which window a vCPU's accesses go to.
 *
 * A slot is one guest address space (an ASID, or in shared mode whatever
 * the vCPU runs). Inside a slot, each DACR value in use has a key: a pair
 * of windows, the PL0 view and the PL1 view. So a DACR write (Linux's
 * software PAN, several per system call) only switches GS between windows
 * that keep their entries, and an exception entry or return switches
 * between the two views of the current key.
 *
 *   shared   one slot per vCPU, whose non-global entries are flushed when
 *            the vCPU's ASID changes
 *   private  one slot per ASID (256)
 *   group:N  N slots (at least one per vCPU) given to ASIDs by LRU; taking
 *            a slot from another ASID flushes its non-global entries
 *
 * With the MMU off every vCPU uses the flat slot, whose single window maps
 * guest RAM at its physical address. Slot and key assignment happen under
 * vm->lock; the fault path never takes that lock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/internal.h"
#include "util/log.h"

int spt_init(struct shadow_vm *vm)
{
	struct gdvas *flat = &vm->gdvas[vm->ngdvas - 1];

	vm->slots = calloc(vm->nslots, sizeof(*vm->slots));
	if (!vm->slots)
		return -ENOMEM;
	for (unsigned s = 0; s < vm->nslots; s++) {
		struct spt_slot *slot = &vm->slots[s];

		slot->keys = calloc(vm->nkeys, sizeof(*slot->keys));
		if (!slot->keys)
			return -ENOMEM;	/* spt_destroy frees what was made */
		slot->nkeys = vm->nkeys;
		slot->asid = vm->cfg.org == SHADOW_ORG_PRIVATE ? (int)s : -1;
		for (unsigned k = 0; k < vm->nkeys; k++)
			for (unsigned pl = 0; pl < 2; pl++) {
				struct gdvas *g = &vm->gdvas[(s * vm->nkeys + k) * 2 + pl];

				g->pl = (uint8_t)pl;
				slot->keys[k].view[pl] = g;
			}
	}
	flat->pl = 1;
	vm->flat_key = (struct spt_key){ .valid = true, .view = { flat, flat } };
	vm->flat = (struct spt_slot){ .asid = -1, .nkeys = 1, .keys = &vm->flat_key };
	for (unsigned a = 0; a < SHADOW_NUM_ASIDS; a++)
		vm->asid_slot[a] = -1;
	return 0;
}

void spt_destroy(struct shadow_vm *vm)
{
	if (!vm->slots)
		return;
	for (unsigned s = 0; s < vm->nslots; s++)
		free(vm->slots[s].keys);
	free(vm->slots);
	vm->slots = NULL;
}

/* The slot's address space ends (it changes hands, or TLBIASID): its
 * non-global entries go, and its global ones (the kernel's, in Linux)
 * stay, since they match every ASID. Keeping them spares the refaults of
 * the kernel's working set after each switch in shared mode, after each
 * steal in group mode, and after each TLBIASID (Linux's flush_tlb_mm, at
 * every fork and exit, unless the kernel works around Cortex-A9 erratum
 * 720789 with TLBIALLIS, as Debian's armmp does). */
int spt_forget_asid(struct shadow_vm *vm, struct spt_slot *s, struct shadow_stats *st)
{
	for (unsigned k = 0; k < s->nkeys; k++)
		for (unsigned pl = 0; pl < 2; pl++) {
			int err = gdvas_flush_nonglobal(vm, s->keys[k].view[pl], st);

			if (err)
				return err;
		}
	return 0;
}

static void set_slot_asid(struct spt_slot *s, int asid)
{
	/* Sequentially consistent: a TLBI that reads the old owner after its
	 * fence is guaranteed that fills under the new owner, which all
	 * follow this store, walk the guest's updated tables. */
	__atomic_store_n(&s->asid, asid, __ATOMIC_SEQ_CST);
}

/* The slot for `asid` in group mode, stealing the least recently used
 * idle slot if the ASID has none. */
static int group_slot(struct shadow_vm *vm, unsigned asid, struct spt_slot **out,
		      struct shadow_stats *st)
{
	int idx = vm->asid_slot[asid];
	struct spt_slot *victim = NULL;
	int err;

	if (idx >= 0 && vm->slots[idx].asid == (int)asid) {
		*out = &vm->slots[idx];
		return 0;
	}
	for (unsigned s = 0; s < vm->nslots; s++) {
		struct spt_slot *c = &vm->slots[s];

		if (c->users)
			continue;
		if (c->asid < 0) {
			victim = c;
			break;
		}
		if (!victim || c->last_use < victim->last_use)
			victim = c;
	}
	if (!victim)
		return -EBUSY;	/* cannot happen: nslots >= ncpus */
	if (victim->asid >= 0) {
		__atomic_store_n(&vm->asid_slot[victim->asid], -1, __ATOMIC_SEQ_CST);
		err = spt_forget_asid(vm, victim, st);
		if (err)
			return err;
		STAT_INC(st, lru_steals);
	}
	/* Map first, then own: a TLBI that finds no slot for the ASID in the
	 * map (after its fence) knows every fill under the new owner comes
	 * later and walks the updated tables. */
	__atomic_store_n(&vm->asid_slot[asid], (int16_t)(victim - vm->slots), __ATOMIC_SEQ_CST);
	set_slot_asid(victim, (int)asid);
	*out = victim;
	return 0;
}

static int select_slot(struct shadow_cpu *cpu, struct spt_slot **out)
{
	struct shadow_vm *vm = cpu->vm;
	unsigned asid = cpu->regs.contextidr & 0xffu;
	struct spt_slot *s;
	int err;

	if (!(cpu->regs.sctlr & SCTLR_M)) {
		*out = &vm->flat;
		return 0;
	}
	switch (vm->cfg.org) {
	case SHADOW_ORG_PRIVATE:
		*out = &vm->slots[asid];
		return 0;
	case SHADOW_ORG_SHARED:
		s = &vm->slots[cpu->index];
		if (s->asid != (int)asid) {
			err = spt_forget_asid(vm, s, &cpu->stats);
			if (err)
				return err;
			set_slot_asid(s, (int)asid);
		}
		*out = s;
		return 0;
	case SHADOW_ORG_GROUP:
		return group_slot(vm, asid, out, &cpu->stats);
	default:
		return -EINVAL;
	}
}

/* The key for the vCPU's DACR in slot s, retagging the least recently used
 * idle key (and flushing its views) when none matches. */
static int select_key(struct shadow_cpu *cpu, struct spt_slot *s, int *out)
{
	int victim = -1;

	if (s == &cpu->vm->flat) {
		*out = 0;
		return 0;
	}
	for (unsigned k = 0; k < s->nkeys; k++) {
		struct spt_key *key = &s->keys[k];

		if (key->valid && key->dacr == cpu->regs.dacr) {
			*out = (int)k;
			return 0;
		}
		if (key->users)
			continue;
		if (!key->valid) {
			if (victim < 0 || s->keys[victim].valid)
				victim = (int)k;
		} else if (victim < 0 || (s->keys[victim].valid &&
					  key->last_use < s->keys[victim].last_use)) {
			victim = (int)k;
		}
	}
	if (victim < 0)
		return -EBUSY;	/* cannot happen: nkeys >= ncpus */
	if (s->keys[victim].valid) {
		for (unsigned pl = 0; pl < 2; pl++) {
			int err = gdvas_flush(cpu->vm, s->keys[victim].view[pl], &cpu->stats);

			if (err)
				return err;
		}
		STAT_INC(&cpu->stats, lru_steals);
	}
	s->keys[victim].valid = true;
	s->keys[victim].dacr = cpu->regs.dacr;
	*out = victim;
	return 0;
}

static void use_key(struct shadow_cpu *cpu, struct spt_slot *s, int k, int delta)
{
	struct spt_key *key = &s->keys[k];
	uint64_t now = vm_tick(cpu->vm);

	s->users += delta;
	key->users += delta;
	s->last_use = key->last_use = now;
	for (unsigned pl = 0; pl < 2; pl++) {
		__atomic_add_fetch(&key->view[pl]->users, delta, __ATOMIC_RELAXED);
		__atomic_store_n(&key->view[pl]->last_use, now, __ATOMIC_RELAXED);
	}
}

static void load_gs(struct shadow_cpu *cpu)
{
	uint64_t base = (uintptr_t)cpu->view_base[cpu->pl];

	if (base != cpu->gs_base) {
		cpu->gs_base = base;
		if (shadow_self == cpu)
			gsbase_set(base);
		STAT_INC(&cpu->stats, gdvas_switches);
	}
}

int spt_bind(struct shadow_cpu *cpu)
{
	struct shadow_vm *vm = cpu->vm;
	struct spt_slot *s;
	int k, err;

	pthread_mutex_lock(&vm->lock);
	if (cpu->slot)
		use_key(cpu, cpu->slot, cpu->key, -1);
	cpu->slot = NULL;
	err = select_slot(cpu, &s);
	if (!err)
		err = select_key(cpu, s, &k);
	if (!err) {
		use_key(cpu, s, k, +1);
		cpu->slot = s;
		cpu->key = k;
		for (unsigned pl = 0; pl < 2; pl++) {
			cpu->view[pl] = s->keys[k].view[pl];
			cpu->view_base[pl] = cpu->view[pl]->base;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	if (err) {
		log_error("shadow: vCPU %u cannot select an SPT: %s", cpu->index, strerror(-err));
		return err;
	}
	load_gs(cpu);
	return 0;
}

/* ---- MMU register writes ---- */

int shadow_cpu_set_sctlr(struct shadow_cpu *cpu, uint32_t v)
{
	uint32_t old = cpu->regs.sctlr;
	uint32_t changed = old ^ v;

	cpu->regs.sctlr = v;
	/* AFE and TRE change how every entry reads: no TLB may survive. */
	if (changed & (SCTLR_AFE | SCTLR_TRE)) {
		int err = shadow_tlbi_all(cpu, false);

		if (err)
			return err;
	}
	if (!(changed & SCTLR_M))
		return 0;
	if (cpu->soft) {
		soft_flush(cpu);
		return 0;
	}
	return spt_bind(cpu);
}

int shadow_cpu_set_ttbcr(struct shadow_cpu *cpu, uint32_t v)
{
	/* Entries are tagged by VA and ASID, not by which TTBR produced them:
	 * architecturally they stay valid until the guest invalidates them. */
	cpu->regs.ttbcr = v;
	return 0;
}

void shadow_cpu_set_ttbr0(struct shadow_cpu *cpu, uint32_t v)
{
	cpu->regs.ttbr0 = v;
}

void shadow_cpu_set_ttbr1(struct shadow_cpu *cpu, uint32_t v)
{
	cpu->regs.ttbr1 = v;
}

int shadow_cpu_set_contextidr(struct shadow_cpu *cpu, uint32_t v)
{
	bool asid_changed = (cpu->regs.contextidr ^ v) & 0xffu;

	cpu->regs.contextidr = v;
	if (!asid_changed)
		return 0;
	if (cpu->soft) {
		/* Like QEMU: the software TLB is not ASID-tagged. */
		soft_flush(cpu);
		return 0;
	}
	if (!(cpu->regs.sctlr & SCTLR_M))
		return 0;
	return spt_bind(cpu);
}

int shadow_cpu_set_dacr(struct shadow_cpu *cpu, uint32_t v)
{
	if (cpu->regs.dacr == v)
		return 0;
	cpu->regs.dacr = v;
	if (cpu->soft) {
		/* Like QEMU: permissions are baked into TLB entries. */
		soft_flush(cpu);
		return 0;
	}
	if (cpu->slot == &cpu->vm->flat)
		return 0;
	return spt_bind(cpu);
}

void shadow_cpu_set_pl(struct shadow_cpu *cpu, unsigned pl)
{
	cpu->pl = (uint8_t)(pl ? 1 : 0);
	if (!cpu->soft)
		load_gs(cpu);
}
