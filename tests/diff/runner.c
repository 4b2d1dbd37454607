/* runner.c — the hspt side of the differential tester: a user-mode
 * harness that runs the test image on hspt's CPU (translate/) and shadow
 * MMU (shadow/).
 *
 * The image is a static ARM Linux ELF; it needs only flat memory where it
 * links (the MMU stays off: VA == GPA), a User-mode CPU with VFP enabled,
 * and a handful of Linux system calls, which arm_run() hands back as
 * ARM_EXIT_SVC and this file emulates. A fault inside the code under test
 * is delivered the way the image's signal handler delivers it under
 * qemu-arm: straight to diff_fault_entry with r0 = signal, r1 = PC. */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shadow/shadow.h"
#include "tests/diff/difftest.h"
#include "translate/cpu.h"
#include "translate/run.h"

#define RUNNER_RAM_SIZE (4u << 20)	/* from GPA 0: covers every segment */
/* A hang guard: the image makes system calls between any two sequences,
 * and a sequence is at most a few thousand instructions. */
#define RUNNER_QUIET_MAX (50ull << 20)

#define SCTLR_SW_BIT (1u << 10)

#define SIGILL_	4
#define SIGTRAP_ 5
#define SIGBUS_	7
#define SIGSEGV_ 11

struct runner {
	struct physmem pm;
	struct shadow_vm *vm;
	struct arm_cpu cpu;
	uint32_t entry, fault_entry;
	uint32_t saved_r, saved_cpsr;	/* where the image keeps the state at a fault */
	const uint8_t *blob;
	size_t len, pos;
	int out_fd;
	uint32_t tpidrurw;
	char *err;
	size_t errlen;
};

/* ---- coprocessor registers a User-mode program may touch ---- */

static int sys_mrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t *val)
{
	struct runner *r = cpu->sys_opaque;

	if (cp == 15 && opc1 == 0 && crn == 13 && crm == 0 && (opc2 == 2 || opc2 == 3)) {
		*val = opc2 == 2 ? r->tpidrurw : 0;	/* TPIDRURW, TPIDRURO */
		return 0;
	}
	return -1;
}

static int sys_mcr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crn,
		   unsigned crm, unsigned opc2, uint32_t val)
{
	struct runner *r = cpu->sys_opaque;

	if (cp == 15 && opc1 == 0 && crn == 13 && crm == 0 && opc2 == 2) {
		r->tpidrurw = val;
		return 0;
	}
	return -1;
}

static int sys_mrrc(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm, uint64_t *val)
{
	return -1;
}

static int sys_mcrr(struct arm_cpu *cpu, unsigned cp, unsigned opc1, unsigned crm, uint64_t val)
{
	return -1;
}

static const struct arm_sys_ops runner_sys = {
	.mrc = sys_mrc,
	.mcr = sys_mcr,
	.mrrc = sys_mrrc,
	.mcrr = sys_mcrr,
};

/* ---- loading the image ---- */

static int fail(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t find_symbol(const struct buf *f, const char *name)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f->p;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)(f->p + eh->e_shoff);

	if (eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > f->len)
		return 0;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf32_Shdr *str;
		const Elf32_Sym *sym;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > f->len || str->sh_offset + str->sh_size > f->len)
			return 0;
		sym = (const Elf32_Sym *)(f->p + sh[i].sh_offset);
		for (unsigned k = 0; k < sh[i].sh_size / sizeof(*sym); k++)
			if (sym[k].st_name < str->sh_size &&
			    !strcmp((const char *)f->p + str->sh_offset + sym[k].st_name, name))
				return sym[k].st_value;
	}
	return 0;
}

static int load_image(struct runner *r, const char *path)
{
	struct buf f = { 0 };
	const Elf32_Ehdr *eh;
	const Elf32_Phdr *ph;
	int err = buf_read_file(&f, path);

	if (err)
		return fail(r, "%s: %s", path, strerror(-err));
	eh = (const Elf32_Ehdr *)f.p;
	if (f.len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_ARM ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(*ph) > f.len) {
		buf_free(&f);
		return fail(r, "%s: not a 32-bit ARM ELF", path);
	}
	ph = (const Elf32_Phdr *)(f.p + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD)
			continue;
		dst = physmem_ptr(&r->pm, ph[i].p_vaddr, ph[i].p_memsz);
		if (!dst || ph[i].p_filesz > ph[i].p_memsz ||
		    ph[i].p_offset + (size_t)ph[i].p_filesz > f.len) {
			buf_free(&f);
			return fail(r, "%s: segment %#x+%#x outside the runner's RAM", path,
				    ph[i].p_vaddr, ph[i].p_memsz);
		}
		memcpy(dst, f.p + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	r->entry = eh->e_entry;
	r->fault_entry = find_symbol(&f, "diff_fault_entry");
	r->saved_r = find_symbol(&f, "diff_saved_r");
	r->saved_cpsr = find_symbol(&f, "diff_saved_cpsr");
	buf_free(&f);
	if (!r->fault_entry || !r->saved_r || !r->saved_cpsr)
		return fail(r, "%s: no diff_fault_entry/diff_saved_r/diff_saved_cpsr symbol", path);
	return 0;
}

/* ---- system calls ---- */

/* Guest memory [va, va + len) as a host pointer (flat, MMU off). */
static uint8_t *guest(struct runner *r, uint32_t va, uint32_t len)
{
	return physmem_ptr(&r->pm, va, len ? len : 1);
}

/* Returns 1 when the image exited cleanly, 0 to go on, -1 on error. */
static int syscall_(struct runner *r)
{
	struct arm_cpu *cpu = &r->cpu;
	uint32_t nr = cpu->r[7], a0 = cpu->r[0], a1 = cpu->r[1], a2 = cpu->r[2];
	int32_t ret = 0;

	switch (nr) {
	case 3: {	/* read(0, buf, len): the blob */
		uint32_t n = (uint32_t)(r->len - r->pos) < a2 ? (uint32_t)(r->len - r->pos) : a2;
		uint8_t *p = guest(r, a1, n);

		if (a0 != 0 || !p)
			return fail(r, "read(%u, %#x, %u): bad arguments", a0, a1, a2);
		memcpy(p, r->blob + r->pos, n);
		r->pos += n;
		ret = (int32_t)n;
		break;
	}
	case 4: {	/* write(1, buf, len): the output records */
		uint8_t *p = guest(r, a1, a2);
		size_t done = 0;

		if (a0 != 1 || !p)
			return fail(r, "write(%u, %#x, %u): bad arguments", a0, a1, a2);
		while (done < a2) {
			ssize_t n = write(r->out_fd, p + done, a2 - done);

			if (n <= 0)
				return fail(r, "writing the output: %s", strerror(errno));
			done += (size_t)n;
		}
		ret = (int32_t)a2;
		break;
	}
	case 1:		/* exit */
	case 248:	/* exit_group */
		if (a0)
			return fail(r, "the image exited with status %u (pc %#x)", a0, cpu->r[15]);
		return 1;
	case 174:	/* rt_sigaction: faults are delivered by deliver_fault */
	case 186:	/* sigaltstack */
		break;
	case 0xf0002:	/* cacheflush */
		arm_run_flush(cpu);
		break;
	default:
		return fail(r, "unexpected system call %u at %#x", nr, cpu->r[15]);
	}
	cpu->r[0] = (uint32_t)ret;
	cpu->r[15] = cpu->next_pc;
	return 0;
}

/* A fault in the code under test: what the image's signal handler does
 * under qemu-arm (image.c on_signal), with the state at the fault. */
static int deliver_fault(struct runner *r, enum arm_exit exit)
{
	struct arm_cpu *cpu = &r->cpu;
	uint32_t pc = cpu->r[15], sig, cpsr = arm_get_cpsr(cpu);
	uint8_t *regs = guest(r, r->saved_r, 15 * 4), *psr = guest(r, r->saved_cpsr, 4);

	if (pc - DIFF_CODE_AREA >= DIFF_CODE_AREA_SIZE)
		return fail(r, "exit %d at %#x, outside the code under test", exit, pc);
	if (!regs || !psr)
		return fail(r, "the image's fault area is not in RAM");
	memcpy(regs, cpu->r, 15 * 4);	/* both little-endian */
	memcpy(psr, &cpsr, 4);
	switch (exit) {
	case ARM_EXIT_UNDEF:
	case ARM_EXIT_HVC:	/* Linux user space: SIGILL, no firmware */
	case ARM_EXIT_SMC:
		sig = SIGILL_;
		break;
	case ARM_EXIT_BKPT: sig = SIGTRAP_; break;
	case ARM_EXIT_DATA_ABORT:
		sig = cpu->mmu->fault.fs == FS_ALIGNMENT ? SIGBUS_ : SIGSEGV_;
		break;
	default: sig = SIGSEGV_; break;
	}
	cpu->r[0] = sig;
	cpu->r[1] = pc;
	cpu->r[15] = r->fault_entry;
	cpu->thumb = false;
	cpu->it = 0;
	return 0;
}

static int run(struct runner *r)
{
	struct arm_cpu *cpu = &r->cpu;
	uint64_t last_call = 0;

	while (cpu->insns - last_call < RUNNER_QUIET_MAX) {
		enum arm_exit exit = arm_run(cpu, 1u << 20);
		int rc;

		switch (exit) {
		case ARM_EXIT_SVC:
			last_call = cpu->insns;
			rc = syscall_(r);
			if (rc)
				return rc < 0 ? -1 : 0;
			break;
		case ARM_EXIT_NONE:
		case ARM_EXIT_LIMIT:
		case ARM_EXIT_SEV:
		case ARM_EXIT_WFE:
		case ARM_EXIT_WFI:
			break;
		case ARM_EXIT_UNDEF:
		case ARM_EXIT_HVC:
		case ARM_EXIT_SMC:
		case ARM_EXIT_BKPT:
		case ARM_EXIT_DATA_ABORT:
		case ARM_EXIT_PREFETCH_ABORT:
			if (deliver_fault(r, exit))
				return -1;
			break;
		default:
			return fail(r, "unexpected exit %d at %#x", exit, cpu->r[15]);
		}
	}
	return fail(r, "no system call in %llu instructions: a sequence never ended (pc %#x)",
		    (unsigned long long)RUNNER_QUIET_MAX, cpu->r[15]);
}

static int setup(struct runner *r, const char *image, const char *org)
{
	struct shadow_config cfg = { .ncpus = 1 };
	struct shadow_cpu *mmu;
	int err;

	if (shadow_parse_org(org, &cfg))
		return fail(r, "unknown organization \"%s\"", org);
	if ((err = physmem_init(&r->pm)))
		return fail(r, "physmem_init: %s", strerror(-err));
	if ((err = physmem_add_ram(&r->pm, 0, RUNNER_RAM_SIZE)))
		return fail(r, "physmem_add_ram: %s", strerror(-err));
	if (load_image(r, image))
		return -1;
	if ((err = shadow_vm_create(&r->pm, &cfg, &r->vm)))
		return fail(r, "shadow_vm_create(%s): %s", org, strerror(-err));
	mmu = shadow_vm_cpu(r->vm, 0);
	if ((err = shadow_cpu_attach(mmu)) || (err = shadow_cpu_set_sctlr(mmu, 0)))
		return fail(r, "shadow cpu setup: %s", strerror(-err));

	/* Linux's User mode: USR, interrupts unmasked (as qemu-arm reports
	 * them), little-endian, no alignment checking, VFP on. */
	r->cpu.mmu = mmu;
	r->cpu.sys = &runner_sys;
	r->cpu.sys_opaque = r;
	/* SW: Linux lets User mode use SWP/SWPB (qemu-arm does too). */
	r->cpu.sctlr = SCTLR_SW_BIT;
	arm_cpu_reset(&r->cpu);
	arm_set_cpsr(&r->cpu, ARM_MODE_USR, CPSR_M_MASK | CPSR_A | CPSR_I | CPSR_F | CPSR_E);
	r->cpu.cpacr = 0x00f00000u;		/* cp10, cp11: full access */
	r->cpu.fpexc = 1u << 30;		/* EN */
	r->cpu.thumb = r->entry & 1;
	r->cpu.r[15] = r->entry & ~1u;
	return 0;
}

int runner_run(const char *image, const char *org, const uint8_t *blob, size_t len,
	       int out_fd, char *err, size_t errlen)
{
	struct runner *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->blob = blob;
	r->len = len;
	r->out_fd = out_fd;
	r->err = err;
	r->errlen = errlen;
	rc = setup(r, image, org);
	if (!rc)
		rc = run(r);
	/* The process ends right after: the VM's resources go with it. */
	return rc;
}
