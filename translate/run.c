/* run.c — the interpreter loop: fetch, decode, execute, commit.
 *
 * Instruction fetch translates the code page once (walk + execute
 * permission) and then reads instruction words straight from guest RAM
 * through physmem, until the PC leaves the page or the translation is
 * flushed (arm_run_flush, or an IS invalidation from another vCPU seen in
 * shadow_cpu_poll). Guest faults inside an instruction come back here by
 * siglongjmp and become exits. */
#include "translate/run.h"

#include <errno.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>

#include "translate/insn.h"

/* How often (in instructions) to look for remote invalidation requests. */
#define POLL_INTERVAL 1024

/* The decoded-instruction cache: per vCPU, direct-mapped by guest-physical
 * page and instruction set. A slot holds the decoded form of the
 * instruction at that halfword (T32) or word (A32) of the page, and is
 * used only while the bytes in memory still equal its raw encoding. So
 * self-modifying code is always seen, instruction-cache maintenance never
 * has to throw anything away, and a hit costs one load and one compare
 * instead of a decode. Decoded forms depend only on the encoding
 * (insn.h), which is what makes caching by physical address valid. */
#define DCACHE_PAGES 256
#define DCACHE_SLOTS 2048	/* halfwords per page */

struct dcache_page {
	uint64_t tag;		/* PA of the page | thumb; DCACHE_EMPTY if none */
	uint64_t valid[DCACHE_SLOTS / 64];
	struct arm_insn slot[DCACHE_SLOTS];
};

struct dcache {
	struct dcache_page page[DCACHE_PAGES];
};

#define DCACHE_EMPTY UINT64_MAX

static struct dcache_page *dcache_page(struct arm_cpu *cpu, uint64_t pa_page, bool thumb)
{
	struct dcache_page *p;
	uint64_t tag = pa_page | thumb;

	if (!cpu->dcache) {
		/* 12 MiB of address space, touched only where code runs. */
		void *m = mmap(NULL, sizeof(struct dcache), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m == MAP_FAILED)
			return NULL;	/* decode every time: slower, still right */
		cpu->dcache = m;
		for (unsigned i = 0; i < DCACHE_PAGES; i++)
			cpu->dcache->page[i].tag = DCACHE_EMPTY;
	}
	p = &cpu->dcache->page[(pa_page >> 12) % DCACHE_PAGES];
	if (p->tag != tag) {
		p->tag = tag;
		memset(p->valid, 0, sizeof(p->valid));
	}
	return p;
}

void arm_run_free(struct arm_cpu *cpu)
{
	if (cpu->dcache)
		munmap(cpu->dcache, sizeof(struct dcache));
	cpu->dcache = NULL;
	cpu->fetch.valid = false;
}

/* Translate the code page holding va for execution at the current
 * privilege level. 0, or -EFAULT with cpu->mmu->fault filled. */
static int fetch_page(struct arm_cpu *cpu, uint32_t va)
{
	struct shadow_cpu *mmu = cpu->mmu;
	struct walk_result res;
	const uint8_t *host;

	if (shadow_translate(mmu, va, WALK_EXEC, mmu->pl, &res, &mmu->fault)) {
		if (mmu->fault.kind != SHADOW_FAULT_ABORT) {
			/* Executing from a device or from nothing: a
			 * synchronous external abort on the fetch. */
			mmu->fault.kind = SHADOW_FAULT_ABORT;
			mmu->fault.fs = FS_EXTERNAL;
			mmu->fault.fsr = walk_ifsr(FS_EXTERNAL);
			mmu->fault.exec = true;
		}
		return -EFAULT;
	}
	host = physmem_ptr(shadow_vm_physmem(mmu->vm), res.pa & ~0xfffull, 0x1000);
	cpu->fetch.valid = true;
	cpu->fetch.thumb = cpu->thumb;
	cpu->fetch.pl = mmu->pl;
	cpu->fetch.va_page = va & ~0xfffu;
	cpu->fetch.host = host;
	cpu->fetch.decoded = dcache_page(cpu, res.pa & ~0xfffull, cpu->thumb);
	return 0;
}

static inline bool fetch_hit(const struct arm_cpu *cpu, uint32_t va)
{
	return cpu->fetch.valid && cpu->fetch.va_page == (va & ~0xfffu) &&
	       cpu->fetch.pl == cpu->mmu->pl && cpu->fetch.thumb == cpu->thumb;
}

static inline int fetch16(struct arm_cpu *cpu, uint32_t va, uint16_t *out)
{
	if (!fetch_hit(cpu, va) && fetch_page(cpu, va))
		return -EFAULT;
	*out = *(const uint16_t *)(cpu->fetch.host + (va & 0xfffu));
	return 0;
}

/* The decoded instruction at r[15]: from the cache when its bytes are
 * unchanged, otherwise decoded now (into the cache, or into *scratch for a
 * T32 instruction that straddles a page). NULL on a fetch abort. */
static const struct arm_insn *fetch_decode(struct arm_cpu *cpu, struct arm_insn *scratch)
{
	uint32_t pc = cpu->r[15], off, raw;
	struct dcache_page *p;
	struct arm_insn *in;
	uint16_t hw1, hw2 = 0;

	if (!fetch_hit(cpu, pc) && fetch_page(cpu, pc))
		return NULL;
	off = pc & 0xfffu;
	p = cpu->fetch.decoded;
	if (!cpu->thumb) {
		raw = *(const uint32_t *)(cpu->fetch.host + off);
		in = p ? &p->slot[off >> 1] : scratch;
		if (!p || !(p->valid[off >> 7] & (1ull << ((off >> 1) % 64))) || in->raw != raw) {
			a32_decode(raw, in);
			if (p)
				p->valid[off >> 7] |= 1ull << ((off >> 1) % 64);
		}
		return in;
	}
	hw1 = *(const uint16_t *)(cpu->fetch.host + off);
	if (t32_is_32bit(hw1)) {
		if (off == 0xffe) {
			/* Second half on the next page: fetch it (which moves
			 * the fetch cache) and decode without caching. */
			if (fetch16(cpu, pc + 2, &hw2))
				return NULL;
			t32_decode(hw1, hw2, scratch);
			return scratch;
		}
		hw2 = *(const uint16_t *)(cpu->fetch.host + off + 2);
		raw = (uint32_t)hw1 << 16 | hw2;
	} else {
		raw = hw1;
	}
	in = p ? &p->slot[off >> 1] : scratch;
	if (!p || !(p->valid[off >> 7] & (1ull << ((off >> 1) % 64))) || in->raw != raw) {
		t32_decode(hw1, hw2, in);
		if (p)
			p->valid[off >> 7] |= 1ull << ((off >> 1) % 64);
	}
	return in;
}
/* A fault left an instruction: turn cpu->mmu->fault into an exit. */
static enum arm_exit fault_exit(struct arm_cpu *cpu)
{
	struct shadow_fault *f = &cpu->mmu->fault;

	switch (f->kind) {
	case SHADOW_FAULT_MMIO:
		return ARM_EXIT_MMIO;
	case SHADOW_FAULT_UNASSIGNED:
		/* Nothing answers at that address: a synchronous external
		 * abort, as on the QEMU virt board. */
		f->kind = SHADOW_FAULT_ABORT;
		f->fs = FS_EXTERNAL;
		f->fsr = walk_dfsr(FS_EXTERNAL, 0, f->write);
		return ARM_EXIT_DATA_ABORT;
	default:
		return f->exec ? ARM_EXIT_PREFETCH_ABORT : ARM_EXIT_DATA_ABORT;
	}
}

enum arm_exit arm_run(struct arm_cpu *cpu, uint64_t max_insns)
{
	struct shadow_cpu *mmu = cpu->mmu;
	sigjmp_buf *outer = mmu->recover;
	enum arm_exit exit;
	sigjmp_buf jb;

	cpu->run_end = cpu->insns + max_insns;
	mmu->recover = &jb;
	if (sigsetjmp(jb, 0)) {
		/* r[15] still holds the faulting instruction (rule 2). */
		exit = fault_exit(cpu);
		goto out;
	}
	for (;;) {
		const struct arm_insn *in;
		struct arm_insn scratch;

		if (cpu->insns >= cpu->run_end) {
			exit = ARM_EXIT_LIMIT;
			break;
		}
		if ((cpu->insns & (POLL_INTERVAL - 1)) == 0) {
			if (shadow_cpu_poll(mmu))
				arm_run_flush(cpu);
			/* Acquire: pairs with arm_cpu_kick(). */
			if (__atomic_load_n(&cpu->kick, __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&cpu->kick, false, __ATOMIC_RELAXED);
				exit = ARM_EXIT_KICK;
				break;
			}
		}
		in = fetch_decode(cpu, &scratch);
		if (!in) {
			exit = ARM_EXIT_PREFETCH_ABORT;
			break;
		}
		cpu->next_pc = cpu->r[15] + in->len;
		exit = arm_execute(cpu, in);
		switch (exit) {
		case ARM_EXIT_NONE:
			cpu->r[15] = cpu->next_pc;
			cpu->insns++;
			continue;
		case ARM_EXIT_WFI:
		case ARM_EXIT_WFE:
		case ARM_EXIT_SEV:
		case ARM_EXIT_SYSREG:
			cpu->r[15] = cpu->next_pc;
			cpu->insns++;
			goto out;
		default:
			goto out;	/* synchronous: r[15] stays on it */
		}
	}
out:
	mmu->recover = outer;
	return exit;
}

enum arm_exit arm_emulate_mmio(struct arm_cpu *cpu)
{
	enum arm_exit exit;

	/* Re-execute the instruction with every data access on the slow path:
	 * its loads are repeated (from RAM or the device), its registers were
	 * never written (contract rule 2). */
	cpu->slow = true;
	exit = arm_run(cpu, 1);
	cpu->slow = false;
	return exit == ARM_EXIT_LIMIT ? ARM_EXIT_NONE : exit;
}
