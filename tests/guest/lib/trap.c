/* trap.c — the C half of the exception handler: record what the CPU
 * delivered and decide where the exception returns to. */
#include "guest.h"

/* The frame start.S builds on the exception mode's stack. */
struct trap_frame {
	uint32_t info;		/* table << 8 | vector */
	uint32_t spsr;
	uint32_t r[13];
	uint32_t pc;		/* return address (LR on entry) */
};

volatile struct trap_record trap;

_Static_assert(offsetof(struct trap_record, resume) == 4, "start.S knows this offset");

extern const char run_user_resume[];

static unsigned depth;

void trap_expect(void)
{
	trap.resume = 0;
	trap.ret_method = RET_LDM;
	trap.set_mode = 0;
	trap.count = 0;
	trap.vector = ~0u;
	trap.table = ~0u;
	trap.cpsr = trap.spsr = trap.lr = 0;
	trap.dfsr = trap.dfar = trap.ifsr = trap.ifar = 0;
	trap.imm = 0;
	trap.armed = 1;
}

uint32_t trap_done(void)
{
	trap.armed = 0;
	trap.resume = 0;
	return trap.count;
}

static const char *const vector_names[8] = {
	"reset", "undef", "svc", "prefetch abort", "data abort", "hyp", "irq", "fiq",
};

__attribute__((noreturn)) static void fatal(const char *why, const struct trap_frame *f,
					    uint32_t cpsr)
{
	print_str("\nFATAL: ");
	print_str(why);
	print_str(": ");
	print_str(vector_names[f->info & 7u]);
	print_str(" (table ");
	print_hex(f->info >> 8);
	print_str(")\n");
	note("lr", f->pc);
	note("spsr", f->spsr);
	note("cpsr", cpsr);
	note("dfsr", dfsr_read());
	note("dfar", dfar_read());
	note("ifsr", ifsr_read());
	note("ifar", ifar_read());
	fail(254);
}

/* Size of the instruction at addr (Thumb: look at its first halfword). */
static uint32_t insn_size(uint32_t addr, bool thumb)
{
	uint16_t hw;

	if (!thumb)
		return 4;
	hw = *(volatile uint16_t *)addr;
	return (hw >> 11) >= 0x1d ? 4 : 2;
}

/* ITAdvance() (ARM ARM A2.5.2). */
static uint32_t it_advance(uint32_t it)
{
	if ((it & 7u) == 0)
		return 0;
	return (it & 0xe0u) | ((it << 1) & 0x1fu);
}

/* The library's own SVCs; true if f was one of them. */
static bool library_svc(struct trap_frame *f)
{
	uint32_t imm;

	if (f->spsr & PSR_T)
		return false;
	imm = *(volatile uint32_t *)(f->pc - 4) & 0xffffffu;
	if (imm == SVC_USER_EXIT) {
		f->pc = (uint32_t)run_user_resume;
		f->spsr = (f->spsr & ~(PSR_MODE | PSR_T | PSR_IT)) | MODE_SVC;
		return true;
	}
	if ((imm & ~0xffu) == SVC_SET_MODE) {
		f->spsr = (f->spsr & ~PSR_MODE) | (imm & PSR_MODE);
		return true;
	}
	return false;
}

static void record(const struct trap_frame *f, uint32_t cpsr)
{
	unsigned vec = f->info & 0xffu;
	bool thumb = f->spsr & PSR_T;

	trap.count++;
	trap.vector = vec;
	trap.table = f->info >> 8;
	trap.cpsr = cpsr;
	trap.spsr = f->spsr;
	trap.lr = f->pc;
	trap.dfsr = dfsr_read();
	trap.dfar = dfar_read();
	trap.ifsr = ifsr_read();
	trap.ifar = ifar_read();
	for (unsigned i = 0; i < 13; i++)
		trap.r[i] = f->r[i];
	if (vec == VEC_SVC) {
		trap.imm = thumb ? *(volatile uint16_t *)(f->pc - 2) & 0xffu
				 : *(volatile uint32_t *)(f->pc - 4) & 0xffffffu;
	} else if (vec == VEC_PABT && (trap.ifsr & 0x40fu) == 0x2u && !trap.resume) {
		uint32_t a = f->pc - 4;

		if (thumb) {
			trap.imm = *(volatile uint16_t *)a & 0xffu;
		} else {
			uint32_t w = *(volatile uint32_t *)a;

			trap.imm = (w >> 4 & 0xfff0u) | (w & 0xfu);
		}
	}
}

/* Where an exception returns when the test gave no continuation: after
 * the instruction that took it. 0 if there is no such place. */
static uint32_t skip_target(const struct trap_frame *f, unsigned vec, bool thumb)
{
	uint32_t addr;

	switch (vec) {
	case VEC_UND:
		addr = f->pc - (thumb ? 2 : 4);
		break;
	case VEC_SVC:
		return f->pc;	/* LR is already the next instruction */
	case VEC_PABT:
		if ((trap.ifsr & 0x40fu) != 0x2u)
			return 0;	/* the instruction could not be fetched */
		addr = f->pc - 4;	/* BKPT */
		break;
	case VEC_DABT:
		addr = f->pc - 8;
		break;
	default:
		return 0;
	}
	return addr + insn_size(addr, thumb);
}

/* Called by start.S on the exception mode's stack. Returns the enum
 * trap_ret to return with; f->pc and f->spsr say where to. */
unsigned trap_dispatch(struct trap_frame *f, uint32_t cpsr)
{
	unsigned vec = f->info & 0xffu;
	bool thumb = f->spsr & PSR_T;
	unsigned method;
	uint32_t next;

	if (depth++)
		test_exit(253);	/* an exception inside the handler */
	if (vec == VEC_SVC && library_svc(f)) {
		depth--;
		return RET_LDM;
	}
	if (!trap.armed)
		fatal("unexpected exception", f, cpsr);
	record(f, cpsr);
	trap.armed = 0;
	if (trap.resume) {
		next = trap.resume & ~1u;
		f->spsr = (f->spsr & ~(PSR_T | PSR_IT)) | ((trap.resume & 1u) ? PSR_T : 0);
		trap.resume = 0;
	} else {
		next = skip_target(f, vec, thumb);
		if (!next)
			fatal("no continuation for", f, cpsr);
		/* Skipping a faulting instruction in an IT block consumes it. */
		if (thumb && vec != VEC_SVC && psr_it(f->spsr))
			f->spsr = psr_with_it(f->spsr, it_advance(psr_it(f->spsr)));
	}
	f->pc = next;
	if (trap.set_mode) {
		f->spsr = (f->spsr & ~PSR_MODE) | trap.set_mode;
		trap.set_mode = 0;
	}
	method = trap.ret_method;
	trap.ret_method = RET_LDM;
	depth--;
	return method;
}

/* ---- probes ---- */

bool probe_ld32(uint32_t va, uint32_t *val)
{
	uint32_t v = 0xdeadbeefu;

	trap_expect();
	__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
	*val = v;
	return trap_done() != 0;
}

bool probe_st32(uint32_t va, uint32_t val)
{
	trap_expect();
	__asm__ volatile("str %0, [%1]" : : "r"(val), "r"(va) : "memory");
	return trap_done() != 0;
}

bool probe_ld32_user(uint32_t va, uint32_t *val)
{
	uint32_t v = 0xdeadbeefu;

	trap_expect();
	__asm__ volatile("ldrt %0, [%1]" : "+r"(v) : "r"(va) : "memory");
	*val = v;
	return trap_done() != 0;
}

bool probe_st32_user(uint32_t va, uint32_t val)
{
	trap_expect();
	__asm__ volatile("strt %0, [%1]" : : "r"(val), "r"(va) : "memory");
	return trap_done() != 0;
}
