/* image.c — the differential test image's main loop (runs on ARM, under
 * qemu-arm or hspt; see record.h for the protocol).
 *
 * Freestanding: no libc, raw EABI system calls, no floating point in C
 * (-mgeneral-regs-only), because the sequence's VFP state must reach the
 * output record untouched by the harness. */
#include <stddef.h>
#include <stdint.h>

#include "tests/diff/record.h"

/* Matches the offsets diff_run (image_entry.S) uses. */
struct diff_ctx {
	uint32_t r[15];
	uint32_t apsr;
	uint32_t fpscr;
	uint32_t pad;
	uint64_t d[32];
};
_Static_assert(offsetof(struct diff_ctx, d) == 72, "diff_ctx layout");

int diff_run(struct diff_ctx *ctx);
void diff_seq_done(void);
void diff_fault_entry(void);
void diff_sigreturn(void);

extern uint32_t diff_saved_r[15], diff_saved_cpsr, diff_saved_fpscr;
extern uint64_t diff_saved_d[32];
extern uint32_t diff_fault_sig, diff_fault_pc;
extern uint8_t diff_code_area[], diff_scratch[];

#define NR_exit_group	248
#define NR_read		3
#define NR_write	4
#define NR_rt_sigaction	174
#define NR_sigaltstack	186
#define NR_cacheflush	0xf0002

static long sys3(long nr, long a, long b, long c)
{
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r7 __asm__("r7") = nr;

	__asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return r0;
}

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d;
	register long r7 __asm__("r7") = nr;

	__asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
	return r0;
}

static __attribute__((noreturn)) void die(int code)
{
	for (;;)
		sys3(NR_exit_group, code, 0, 0);
}

/* GCC may call these for struct copies even when freestanding. */
void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/* Read exactly len bytes; 0 at a clean end of input, -1 on a short one. */
static int read_full(void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t got = 0;

	while (got < len) {
		long n = sys3(NR_read, 0, (long)(p + got), len - got);

		if (n <= 0)
			return got == 0 && n == 0 ? 0 : -1;
		got += (uint32_t)n;
	}
	return 1;
}

static void write_full(const void *buf, uint32_t len)
{
	const uint8_t *p = buf;

	while (len) {
		long n = sys3(NR_write, 1, (long)p, len);

		if (n <= 0)
			die(4);
		p += n;
		len -= (uint32_t)n;
	}
}

/* A fault inside a sequence becomes a record: the handler saves r0-r14
 * and the CPSR as they were at the fault and resumes at diff_fault_entry
 * in ARM state with r0 = signal and r1 = PC. A fault anywhere else is a
 * harness bug and ends the process. */
static void on_signal(int sig, void *info __attribute__((unused)), void *uc)
{
	uint32_t *sc = (uint32_t *)((uint8_t *)uc + 20);	/* uc_mcontext */
	uint32_t pc = sc[18];

	if (pc - DIFF_CODE_AREA >= DIFF_CODE_AREA_SIZE)
		die(100 + sig);
	memcpy(diff_saved_r, sc + 3, sizeof(diff_saved_r));	/* arm_r0 .. arm_lr */
	diff_saved_cpsr = sc[19];
	sc[3] = (uint32_t)sig;				/* r0 */
	sc[4] = pc;					/* r1 */
	sc[18] = (uint32_t)diff_fault_entry;		/* pc */
	sc[19] &= ~(0x0600fc00u | 0x20u);		/* IT, T */
}

static void install_handlers(void)
{
	static uint8_t altstack[16384] __attribute__((aligned(8)));
	static const int sigs[] = { 4, 5, 7, 8, 11 };	/* ILL TRAP BUS FPE SEGV */
	uint32_t ss[3] = { (uint32_t)altstack, 0, sizeof(altstack) };
	struct {
		uint32_t handler, flags, restorer, mask[2];
	} act = {
		.handler = (uint32_t)on_signal,
		.flags = 4u | 0x08000000u | 0x04000000u,	/* SIGINFO ONSTACK RESTORER */
		.restorer = (uint32_t)diff_sigreturn,
	};

	if (sys3(NR_sigaltstack, (long)ss, 0, 0) != 0)
		die(5);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sys4(NR_rt_sigaction, sigs[i], (long)&act, 0, 8) != 0)
			die(6);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Append the way back to diff_seq_done after code_len bytes; returns the
 * address of the slot that will hold the sequence's r0 and sets *end. */
static uint8_t *put_trailer(uint32_t code_len, int thumb, uint8_t **end)
{
	uint8_t *p = (uint8_t *)DIFF_CODE_BASE + code_len;

	if (thumb) {
		if ((uint32_t)p & 2) {
			put16(p, 0xbf00);		/* nop */
			p += 2;
		}
		put16(p, 0xf8df);			/* ldr.w pc, [pc, #0] */
		put16(p + 2, 0xf000);
		put32(p + 4, (uint32_t)(p + 8));	/* ARM stub below */
		p += 8;
	}
	put32(p, 0xe58f0004);				/* str r0, [pc, #4] */
	put32(p + 4, 0xe51ff004);			/* ldr pc, [pc, #-4] */
	put32(p + 8, (uint32_t)diff_seq_done);
	put32(p + 12, 0);				/* r0 slot */
	*end = p + 16;
	return p + 12;
}

static struct diff_in in;
static struct diff_out out;
static struct diff_ctx ctx;

static void run_one(uint32_t *prev_end)
{
	uint8_t *code = (uint8_t *)DIFF_CODE_BASE;
	uint32_t padded = (in.code_len + 3) & ~3u;
	uint8_t *end, *slot;
	int thumb = (in.flags & DIFF_F_THUMB) != 0;

	if (in.code_len > DIFF_CODE_MAX || (in.code_len & 1))
		die(3);
	memset(code, 0, *prev_end - DIFF_CODE_BASE);
	if (read_full(code, padded) != 1)
		die(2);
	slot = put_trailer(in.code_len, thumb, &end);
	*prev_end = (uint32_t)end;
	if (in.flags & DIFF_F_MEM) {
		if (read_full(diff_scratch, DIFF_SCRATCH_SIZE) != 1)
			die(2);
	} else {
		diff_fill_scratch((uint32_t *)diff_scratch, in.mem_seed);
	}
	/* The launch pad: ldr pc, [pc, #-4]; .word entry (bit 0: Thumb). */
	put32(diff_code_area, 0xe51ff004);
	put32(diff_code_area + 4, DIFF_CODE_BASE | (uint32_t)thumb);
	if (sys3(NR_cacheflush, DIFF_CODE_AREA, (long)end, 0) != 0)
		die(7);

	memcpy(ctx.r, in.r, sizeof(ctx.r));
	ctx.apsr = in.apsr;
	ctx.fpscr = in.fpscr;
	memcpy(ctx.d, in.d, sizeof(ctx.d));

	memset(&out, 0, sizeof(out));
	out.magic = DIFF_OUT_MAGIC;
	out.index = in.index;
	if (diff_run(&ctx) == 0) {
		out.r[0] = slot[0] | slot[1] << 8 | slot[2] << 16 | (uint32_t)slot[3] << 24;
	} else {
		/* The state at the fault: the faulting instruction must have
		 * changed nothing (it faults on its only or first access). */
		out.status = diff_fault_sig;
		out.fault_pc = diff_fault_pc;
		out.r[0] = diff_saved_r[0];
	}
	memcpy(out.r + 1, diff_saved_r + 1, sizeof(out.r) - 4);
	out.apsr = diff_saved_cpsr & DIFF_APSR_MASK;
	out.cpsr = diff_saved_cpsr;
	out.fpscr = diff_saved_fpscr;
	memcpy(out.d, diff_saved_d, sizeof(out.d));
	memcpy(out.mem, diff_scratch, DIFF_SCRATCH_SIZE);
	write_full(&out, sizeof(out));
}

void diff_main(void)
{
	uint32_t prev_end = DIFF_CODE_BASE;

	if ((uint32_t)diff_code_area != DIFF_CODE_AREA ||
	    (uint32_t)diff_scratch != DIFF_SCRATCH_BASE)
		die(8);
	install_handlers();
	for (;;) {
		int r = read_full(&in, sizeof(in));

		if (r == 0)
			return;
		if (r < 0 || in.magic != DIFF_IN_MAGIC)
			die(2);
		run_one(&prev_end);
	}
}
