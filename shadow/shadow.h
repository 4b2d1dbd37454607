/* shadow.h — the Hosted Shadow Page Table engine (shared/DESIGN.md §1–3).
 *
 * A VM (struct shadow_vm) owns the shadow state of one guest: a host arena of
 * GDVASes (4 GiB windows, one host byte per guest byte), the organization
 * that assigns them to guest address spaces, and the VMA budget. Each vCPU
 * (struct shadow_cpu) holds a copy of its MMU registers and its current view;
 * a guest load is `mov reg, gs:[va]` and the SIGSEGV handler fills the host
 * page table from the guest's. In `soft` mode the same API runs a software
 * TLB instead.
 *
 * Faults. Every access function either returns the data or leaves the
 * access by siglongjmp() to *cpu->recover with cpu->fault describing a guest
 * abort (with DFSR/IFSR ready), an MMIO access, or an unassigned physical
 * address. The caller re-executes the instruction on its slow path for MMIO
 * and raises the abort otherwise. Without a recover point a guest fault is
 * an emulator bug and aborts the process with a message.
 *
 * Threads. A shadow_cpu is driven by one thread at a time, the one that
 * called shadow_cpu_attach(). TLB maintenance may be issued by any attached
 * vCPU; see docs/shadow.md for the fill/invalidate protocol. */
#ifndef HSPT_SHADOW_SHADOW_H
#define HSPT_SHADOW_SHADOW_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "shadow/physmem.h"
#include "shadow/stats.h"
#include "shadow/walk.h"

#define SHADOW_MAX_CPUS 16
#define SHADOW_NUM_ASIDS 256

enum shadow_org {
	SHADOW_ORG_SOFT,	/* software MMU + software TLB (QEMU-style baseline) */
	SHADOW_ORG_SHARED,	/* one SPT per vCPU, flushed on every ASID switch */
	SHADOW_ORG_PRIVATE,	/* one SPT per ASID */
	SHADOW_ORG_GROUP,	/* N SPTs given to ASIDs by LRU */
};

struct shadow_config {
	enum shadow_org org;
	unsigned group_size;	/* N of group:N; raised to ncpus if smaller */
	unsigned ncpus;		/* 1..SHADOW_MAX_CPUS */
	/* Host VMAs the engine may hold. 0: derive from vm.max_map_count
	 * (read at creation) minus a reserve for the rest of the process. */
	unsigned long vma_limit;
	/* Map the whole GPA-contiguous run of equal-permission small pages of
	 * an L2 table on one fault (default on; off to measure its effect). */
	bool no_map_ahead;
};

/* Parse "soft", "shared", "private" or "group:N" into cfg->org and
 * cfg->group_size. 0 or -EINVAL. */
int shadow_parse_org(const char *s, struct shadow_config *cfg);
/* "soft", "shared", "private" or "group" */
const char *shadow_org_name(enum shadow_org org);

enum shadow_fault_kind {
	SHADOW_FAULT_NONE,
	SHADOW_FAULT_ABORT,	 /* guest data/prefetch abort: fs, fsr, va */
	SHADOW_FAULT_MMIO,	 /* device access: gpa, mmio_id, mmio_offset */
	SHADOW_FAULT_UNASSIGNED, /* GPA with neither RAM nor device: gpa */
};

struct shadow_fault {
	enum shadow_fault_kind kind;
	uint32_t va;		/* FAR */
	bool write;
	bool exec;
	unsigned fs;		/* FS code (walk.h) for ABORT */
	unsigned domain;
	uint32_t fsr;		/* DFSR (data) or IFSR (exec), ready to load */
	uint64_t gpa;		/* MMIO and UNASSIGNED */
	unsigned mmio_id;
	uint64_t mmio_offset;
};

/* Software TLB (soft mode): direct-mapped, one array per privilege level.
 * A hit needs tag == (va & (page | alignment mask)), so unaligned accesses
 * and page-crossers always take the slow path. */
#define SOFT_TLB_BITS 10
#define SOFT_TLB_SIZE (1u << SOFT_TLB_BITS)
#define SOFT_TLB_INVALID 0xfffu
struct soft_tlb_entry {
	uint32_t tag_read;
	uint32_t tag_write;
	uintptr_t addend;	/* host address = va + addend */
};

struct shadow_vm;
struct gdvas;
struct spt_slot;

struct shadow_cpu {
	/* Hot fields first: the accessors read these on every access. */
	bool soft;			/* SHADOW_ORG_SOFT */
	uint8_t pl;			/* current privilege level, 0 or 1 */
	sigjmp_buf *recover;		/* where faults leave to; NULL = bug */
	struct soft_tlb_entry (*tlb)[SOFT_TLB_SIZE];	/* [pl][index] */
	uint8_t *view_base[2];		/* host address of VA 0, PL0 and PL1 */

	struct shadow_fault fault;	/* last fault, valid after a longjmp */
	struct walk_regs regs;		/* this vCPU's MMU registers */

	struct shadow_vm *vm;
	unsigned index;
	struct spt_slot *slot;		/* address space in use (HSPT modes) */
	int key;			/* DACR key within the slot */
	struct gdvas *view[2];		/* current views, [pl] */
	uint64_t gs_base;		/* what GS holds while attached */

	/* Cross-vCPU invalidation requests (IS operations): an issuer bumps
	 * flush_req and kicks; the owner acknowledges in shadow_cpu_poll(). */
	uint32_t flush_req;	/* atomic */
	uint32_t flush_ack;	/* atomic */
	bool in_guest;		/* atomic: between shadow_cpu_enter/leave */
	/* Broadcasts this vCPU issued and has not waited for yet: the
	 * flush_req value each other vCPU must acknowledge. */
	bool sync_pending;
	uint32_t sync_want[SHADOW_MAX_CPUS];

	/* Soft mode: VA range covered by entries filled from blocks larger
	 * than a page (TLBIMVA inside it flushes everything). */
	uint32_t soft_large_lo, soft_large_hi;

	struct shadow_stats stats;
};

/* Create the shadow state of one VM over pm (which must outlive it), with
 * cfg->ncpus vCPUs. Installs the process-wide SIGSEGV handler on first use.
 * 0 or -errno (-EINVAL for a bad config, -ENOMEM when the host cannot
 * reserve the arena). */
int shadow_vm_create(struct physmem *pm, const struct shadow_config *cfg,
		     struct shadow_vm **out) __attribute__((warn_unused_result));
void shadow_vm_destroy(struct shadow_vm *vm);

struct shadow_cpu *shadow_vm_cpu(struct shadow_vm *vm, unsigned index);
const struct shadow_config *shadow_vm_config(const struct shadow_vm *vm);
struct physmem *shadow_vm_physmem(const struct shadow_vm *vm);

/* How a board or CPU model reaches a sleeping or running vCPU (the kick of
 * DESIGN.md §4); called by IS operations that need an acknowledgement. */
void shadow_vm_set_kick(struct shadow_vm *vm, void (*kick)(void *opaque, unsigned cpu),
			void *opaque);

/* VM-wide gauges, for statistics. */
struct shadow_vm_info {
	enum shadow_org org;
	unsigned slots;			/* address spaces that can be resident */
	unsigned gdvas_total;		/* windows in the arena */
	unsigned gdvas_mapped;		/* windows that hold at least one entry */
	unsigned long vma_limit;	/* budget for shadow VMAs */
	long vmas;			/* modelled shadow VMAs in use */
	uint64_t arena_bytes;		/* host address space reserved */
};
void shadow_vm_info(struct shadow_vm *vm, struct shadow_vm_info *info);
/* Sum of every vCPU's counters (a relaxed snapshot). */
void shadow_vm_stats(struct shadow_vm *vm, struct shadow_stats *total);

/* Bind cpu to the calling thread: sets the thread's GS base to the current
 * view and makes the fault handler find cpu. One thread per cpu. */
int shadow_cpu_attach(struct shadow_cpu *cpu) __attribute__((warn_unused_result));
void shadow_cpu_detach(struct shadow_cpu *cpu);

/* MMU register writes. Each returns 0 or -errno; an error means a flush
 * failed and translations could be stale: the VM must stop. */
int shadow_cpu_set_sctlr(struct shadow_cpu *cpu, uint32_t v) __attribute__((warn_unused_result));
int shadow_cpu_set_ttbcr(struct shadow_cpu *cpu, uint32_t v) __attribute__((warn_unused_result));
void shadow_cpu_set_ttbr0(struct shadow_cpu *cpu, uint32_t v);
void shadow_cpu_set_ttbr1(struct shadow_cpu *cpu, uint32_t v);
/* A CONTEXTIDR write: an ASID switch selects (or steals) the address
 * space's SPT, or flushes in shared mode. */
int shadow_cpu_set_contextidr(struct shadow_cpu *cpu, uint32_t v) __attribute__((warn_unused_result));
/* A DACR write: switches to the views keyed by the new value; never
 * flushes unless more DACR values are live than keys exist. */
int shadow_cpu_set_dacr(struct shadow_cpu *cpu, uint32_t v) __attribute__((warn_unused_result));
/* Exception entry/return: switch between the PL0 and PL1 views. */
void shadow_cpu_set_pl(struct shadow_cpu *cpu, unsigned pl);

/* TLB maintenance, one entry point per ARMv7 operation. `is` selects the
 * inner-shareable form: complete on every vCPU after the issuer's next
 * shadow_cpu_sync() (its DSB).
 * mva_asid is the value written to the CP15 register (MVA[31:12] | ASID). */
int shadow_tlbi_all(struct shadow_cpu *cpu, bool is) __attribute__((warn_unused_result));
int shadow_tlbi_mva(struct shadow_cpu *cpu, uint32_t mva_asid, bool is) __attribute__((warn_unused_result));
int shadow_tlbi_asid(struct shadow_cpu *cpu, uint32_t asid, bool is) __attribute__((warn_unused_result));
int shadow_tlbi_mvaa(struct shadow_cpu *cpu, uint32_t mva, bool is) __attribute__((warn_unused_result));

/* A DSB: wait until every running vCPU has acknowledged the IS TLB
 * operations this vCPU issued since its last DSB. Cheap when none. */
void shadow_cpu_sync(struct shadow_cpu *cpu);

/* The vCPU is about to run guest code / has stopped (WFI, pause). IS
 * operations wait only for vCPUs in guest. */
void shadow_cpu_enter(struct shadow_cpu *cpu);
void shadow_cpu_leave(struct shadow_cpu *cpu);
/* Called by the owner at block boundaries: performs requested remote
 * invalidations. Returns true if it did (so CPU-side caches of
 * translations must be dropped too). */
bool shadow_cpu_poll(struct shadow_cpu *cpu);

/* Translate va for an access at pl without touching the shadow or the soft
 * TLB. Returns 0 when the access is allowed and lands in RAM; otherwise
 * -EFAULT with *fault filled exactly as a real access would (kind ABORT,
 * MMIO or UNASSIGNED; *res is valid for MMIO and UNASSIGNED). For
 * instruction fetch, ATS1C*, and tests. */
int shadow_translate(struct shadow_cpu *cpu, uint32_t va, enum walk_access acc,
		     unsigned pl, struct walk_result *res, struct shadow_fault *fault);

/* Host address of guest va for an atomic read-modify-write (STREX) at pl.
 * HSPT modes: a pointer into the view, with no translation now; a fault
 * when it is used goes through the fill path like any access. Soft mode:
 * the TLB translation, raising the fault if there is one. */
void *shadow_host_ptr(struct shadow_cpu *cpu, uint32_t va, unsigned pl, bool write);

/* Soft-MMU slow paths (soft.c). Never return on a fault. */
uint64_t soft_load(struct shadow_cpu *cpu, uint32_t va, unsigned size, unsigned pl);
void soft_store(struct shadow_cpu *cpu, uint32_t va, uint64_t v, unsigned size, unsigned pl);

/* Leave the current access through cpu->recover (or abort if none). */
__attribute__((noreturn)) void shadow_raise(struct shadow_cpu *cpu);

#include "shadow/access.h"

#endif
