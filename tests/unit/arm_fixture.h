/* arm_fixture.h — a CPU over a real shadow engine for the decoder and
 * executor tests (test_a32.c, test_t32.c).
 *
 * Every test file under tests/unit is linked into one binary, so all here
 * is static inline. RAM is 1 MiB at AFX_RAM (MMU off: VA == PA); the
 * software MMU keeps the tests independent of the host's GS support. */
#ifndef HSPT_TESTS_UNIT_ARM_FIXTURE_H
#define HSPT_TESTS_UNIT_ARM_FIXTURE_H

#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "translate/insn.h"
#include "translate/run.h"

#define AFX_RAM		0x10000u
#define AFX_RAM_SIZE	(1u << 20)
#define AFX_CODE	0x10000u	/* programs */
#define AFX_DATA	0x40000u	/* scratch memory */
#define AFX_STACK	0x80000u
#define AFX_NO_RAM	(AFX_RAM + AFX_RAM_SIZE)	/* first address past RAM */

/* A synchronous fault seen by afx_step (not an arm_exit of the executor). */
#define AFX_FAULT ((enum arm_exit)100)

struct afx {
	struct physmem pm;
	struct shadow_vm *vm;
	struct arm_cpu cpu;
	sigjmp_buf jb;
};

/* Reset state but in the given mode, flags clear, r13 at AFX_STACK. */
static inline void afx_setup(struct afx *f, unsigned mode, bool thumb)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_SOFT, .ncpus = 1 };

	memset(f, 0, sizeof(*f));
	cr_assert_eq(physmem_init(&f->pm), 0);
	cr_assert_eq(physmem_add_ram(&f->pm, AFX_RAM, AFX_RAM_SIZE), 0);
	cr_assert_eq(shadow_vm_create(&f->pm, &cfg, &f->vm), 0);
	f->cpu.mmu = shadow_vm_cpu(f->vm, 0);
	cr_assert_eq(shadow_cpu_attach(f->cpu.mmu), 0);
	arm_cpu_reset(&f->cpu);
	arm_set_cpsr(&f->cpu, mode, CPSR_M_MASK);
	f->cpu.thumb = thumb;
	f->cpu.r[13] = AFX_STACK;
	f->cpu.r[15] = AFX_CODE;
}

static inline void afx_teardown(struct afx *f)
{
	shadow_cpu_detach(f->cpu.mmu);
	shadow_vm_destroy(f->vm);
	physmem_destroy(&f->pm);
}

static inline uint32_t *afx_mem32(struct afx *f, uint32_t va)
{
	uint32_t *p = physmem_ptr(&f->pm, va, 4);

	cr_assert_not_null(p, "no RAM at %#x", va);
	return p;
}

static inline uint16_t *afx_mem16(struct afx *f, uint32_t va)
{
	uint16_t *p = physmem_ptr(&f->pm, va, 2);

	cr_assert_not_null(p, "no RAM at %#x", va);
	return p;
}

static inline uint32_t afx_rd32(struct afx *f, uint32_t va)
{
	return *afx_mem32(f, va);
}

static inline void afx_wr32(struct afx *f, uint32_t va, uint32_t v)
{
	*afx_mem32(f, va) = v;
}

/* Execute one decoded instruction at r[15] as the run loop does: commit
 * next_pc on completion, leave r[15] on a synchronous exit. A memory fault
 * returns AFX_FAULT with nothing of the instruction committed. */
static inline enum arm_exit afx_exec(struct afx *f, const struct arm_insn *in)
{
	struct arm_cpu *cpu = &f->cpu;
	enum arm_exit e;

	cpu->mmu->recover = &f->jb;
	if (sigsetjmp(f->jb, 0)) {
		cpu->mmu->recover = NULL;
		return AFX_FAULT;
	}
	cpu->next_pc = cpu->r[15] + in->len;
	e = arm_execute(cpu, in);
	cpu->mmu->recover = NULL;
	switch (e) {
	case ARM_EXIT_NONE:
	case ARM_EXIT_WFI:
	case ARM_EXIT_WFE:
	case ARM_EXIT_SEV:
	case ARM_EXIT_SYSREG:
		cpu->r[15] = cpu->next_pc;
		break;
	default:
		break;
	}
	return e;
}

static inline enum arm_exit afx_a32(struct afx *f, uint32_t raw)
{
	struct arm_insn in;

	cr_assert_eq(a32_decode(raw, &in), 0);
	return afx_exec(f, &in);
}

/* hw2 is ignored for 16-bit encodings. */
static inline enum arm_exit afx_t32(struct afx *f, uint16_t hw1, uint16_t hw2)
{
	struct arm_insn in;

	cr_assert_eq(t32_decode(hw1, hw2, &in), 0);
	return afx_exec(f, &in);
}

/* Copy A32 words to AFX_CODE and point r[15] at them. */
static inline void afx_load_a32(struct afx *f, const uint32_t *words, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		afx_wr32(f, AFX_CODE + 4 * i, words[i]);
	f->cpu.r[15] = AFX_CODE;
	f->cpu.thumb = false;
}

/* Copy T32 halfwords (a 32-bit instruction is two, hw1 first). */
static inline void afx_load_t32(struct afx *f, const uint16_t *hws, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		*afx_mem16(f, AFX_CODE + 2 * i) = hws[i];
	f->cpu.r[15] = AFX_CODE;
	f->cpu.thumb = true;
}

/* Run a loaded program through the real loop until it stops. */
static inline enum arm_exit afx_run(struct afx *f, uint64_t max)
{
	return arm_run(&f->cpu, max);
}

static inline unsigned afx_nzcv(const struct afx *f)
{
	return (unsigned)(f->cpu.n << 3 | f->cpu.z << 2 | f->cpu.c << 1 | f->cpu.v);
}

static inline void afx_set_nzcv(struct afx *f, unsigned nzcv)
{
	f->cpu.n = (nzcv >> 3) & 1;
	f->cpu.z = (nzcv >> 2) & 1;
	f->cpu.c = (nzcv >> 1) & 1;
	f->cpu.v = nzcv & 1;
}

#endif
