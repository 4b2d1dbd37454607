/* guest.h — the library every bare-metal guest test program links: the
 * test machine's memory map, output and check reporting, the exception
 * recorder, CP15 accessors and a small short-descriptor page-table builder.
 *
 * The programs run on the hspt test machine (tests/guest/runner.c): RAM at
 * 0x40000000 (64 MiB), a test device at 0x0a000000 and nothing else, so
 * every other physical address gives a synchronous external abort. Built
 * with -DGUEST_QEMU they run on `qemu-system-arm -M virt -semihosting`
 * instead (output on the PL011, exit status through semihosting), which is
 * how the programs themselves are checked against a second implementation. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the test machine ---- */

#define RAM_BASE	0x40000000u
#define RAM_SIZE	0x04000000u
/* RAM the image never uses (see guest.ld): tests map it where they like. */
#define SCRATCH_PA	0x41000000u
#define SCRATCH_END	0x44000000u
#define TESTDEV_BASE	0x0a000000u
#define TESTDEV_PUTC	0x00u
#define TESTDEV_EXIT	0x04u
#define TESTDEV_ID	0x08u
#define TESTDEV_MAGIC	0x48535054u	/* 'HSPT' */
/* No device answers here, on the test machine or on QEMU's virt board. */
#define NOTHING_PA	0x0b000000u

/* ---- program status registers ---- */

#define MODE_USR	0x10u
#define MODE_FIQ	0x11u
#define MODE_IRQ	0x12u
#define MODE_SVC	0x13u
#define MODE_ABT	0x17u
#define MODE_UND	0x1bu
#define MODE_SYS	0x1fu
#define PSR_MODE	0x1fu
#define PSR_T		(1u << 5)
#define PSR_F		(1u << 6)
#define PSR_I		(1u << 7)
#define PSR_A		(1u << 8)
#define PSR_E		(1u << 9)
#define PSR_IT		0x0600fc00u	/* IT[1:0] in 26:25, IT[7:2] in 15:10 */
#define PSR_GE		0x000f0000u
#define PSR_NZCV	0xf0000000u

/* ITSTATE[7:0] of a PSR value, and a PSR value with ITSTATE replaced. */
static inline uint32_t psr_it(uint32_t psr)
{
	return ((psr >> 25) & 3u) | ((psr >> 10) & 0x3fu) << 2;
}

static inline uint32_t psr_with_it(uint32_t psr, uint32_t it)
{
	return (psr & ~PSR_IT) | (it & 3u) << 25 | ((it >> 2) & 0x3fu) << 10;
}

static inline uint32_t cpsr_read(void)
{
	uint32_t v;

	__asm__ volatile("mrs %0, cpsr" : "=r"(v));
	return v;
}

/* ---- output and results ---- */

void print_char(char c);
void print_str(const char *s);
void print_hex(uint32_t v);	/* 0x%08x */
void print_hex64(uint64_t v);
/* End the program with an exit status: 0 pass, anything else fail. */
__attribute__((noreturn)) void test_exit(uint32_t status);
__attribute__((noreturn)) void pass(void);
__attribute__((noreturn)) void fail(uint32_t code);

/* Checks are numbered 1, 2, ... in the order they run; each prints one
 * line ("ok 7 ..." or "FAIL 7 ...: got ... want ..."). A failing check
 * does not stop the program; checks_finish() fails with the number of the
 * first failing check as exit status (so the status names the check, and
 * the printed line says what it saw). Each returns whether it passed. */
void check_group(const char *title);
bool check_true(const char *name, bool ok);
bool check_eq(const char *name, uint32_t got, uint32_t want);
bool check_eq64(const char *name, uint64_t got, uint64_t want);
/* Compare only the bits in mask. */
bool check_bits(const char *name, uint32_t got, uint32_t mask, uint32_t want);
/* a followed by b, in one of four rotating static buffers (for names). */
const char *str_cat(const char *a, const char *b);
/* Print an informational line that is not a check. */
void note(const char *name, uint32_t value);
/* pass() if every check passed, else fail(first failing check). */
__attribute__((noreturn)) void checks_finish(void);

/* Each program provides this; startup calls it in SVC mode, ARM state,
 * MMU off, interrupts masked, VBAR pointing at the main vector table. */
void test_main(void);

/* ---- exceptions ---- */

enum trap_vector {
	VEC_RESET, VEC_UND, VEC_SVC, VEC_PABT, VEC_DABT, VEC_HYP, VEC_IRQ, VEC_FIQ,
};

/* How the handler returns (every one restores r0-r12 and CPSR from SPSR). */
enum trap_ret {
	RET_LDM,	/* LDMFD sp!, {r0-r12, pc}^ */
	RET_SUBS,	/* SUBS pc, lr, #4 (LR adjusted first) */
	RET_RFE,	/* RFEIA sp! */
	RET_MOVS,	/* MOVS pc, lr */
};

/* Vector tables: table 0 is at the load address (VBAR after startup),
 * table 1 is an alternative for VBAR tests, table 2 is a template to copy
 * to the high vectors page, table 3 is in Thumb code. The handler records
 * which one was used. */
extern const uint32_t vectors_main[16], vectors_alt[16], vectors_high[16];
/* Table 3: eight Thumb B.W, for SCTLR.TE = 1 (not copyable). */
extern const uint32_t vectors_thumb[8];

/* What the last expected exception looked like. The handler fills it for
 * an exception that trap_expect() armed; any other exception (except the
 * library's own SVCs below) prints what happened and fails the program
 * with status 254. Field order is known to start.S (controls first). */
struct trap_record {
	/* controls, set by the test, consumed by the next exception */
	uint32_t armed;
	uint32_t resume;	/* continuation (bit 0: Thumb); 0: skip the insn */
	uint32_t ret_method;	/* enum trap_ret */
	uint32_t set_mode;	/* if nonzero: return to this mode */
	/* the record */
	uint32_t count;		/* exceptions taken since trap_expect() */
	uint32_t vector;	/* enum trap_vector */
	uint32_t table;		/* which vector table */
	uint32_t cpsr;		/* CPSR on entry to the handler */
	uint32_t spsr;
	uint32_t lr;		/* LR of the exception mode, as delivered */
	uint32_t dfsr, dfar, ifsr, ifar;
	uint32_t imm;		/* SVC or BKPT immediate */
	uint32_t r[13];		/* r0-r12 at the exception */
};

extern volatile struct trap_record trap;

/* Arm the recorder for one exception and clear the record. Without a
 * continuation the handler returns to the instruction after the one that
 * trapped (advancing the IT state); a prefetch abort other than BKPT needs
 * a continuation. */
void trap_expect(void);
/* Disarm; returns how many exceptions were recorded. */
uint32_t trap_done(void);

/* The library's SVCs (ARM state only), never recorded. */
#define SVC_USER_EXIT	0xff0000u	/* end of run_user(): back to SVC */
#define SVC_SET_MODE	0xff0100u	/* | mode: return to the next insn in mode */

/* Call fn(arg) in User mode (ARM or Thumb by the address' bit 0) on the
 * user stack and return its result, in SVC mode. Must be called from SVC
 * mode. A user-mode trap can resume at user_exit_stub to end the call. */
uint32_t run_user(uint32_t (*fn)(uint32_t), uint32_t arg);
extern const char user_exit_stub[];
/* BLX to target with r0 = arg and return r0; if fetching the target takes
 * a prefetch abort, return to the caller (the record says what happened). */
uint32_t exec_probe(uint32_t target, uint32_t arg);

/* Single accesses with the recorder armed: true if the access trapped.
 * The _user forms are LDRT/STRT (PL0 permissions from PL1). */
bool probe_ld32(uint32_t va, uint32_t *val);
bool probe_st32(uint32_t va, uint32_t val);
bool probe_ld32_user(uint32_t va, uint32_t *val);
bool probe_st32_user(uint32_t va, uint32_t val);

/* ---- CP15 ---- */

#define CP15_RW(name, opc1, crn, crm, opc2)					\
	static inline uint32_t name##_read(void)				\
	{									\
		uint32_t v;							\
		__asm__ volatile("mrc p15, " #opc1 ", %0, c" #crn ", c" #crm ", " #opc2 \
				 : "=r"(v) : : "memory");			\
		return v;							\
	}									\
	static inline void name##_write(uint32_t v)				\
	{									\
		__asm__ volatile("mcr p15, " #opc1 ", %0, c" #crn ", c" #crm ", " #opc2 \
				 : : "r"(v) : "memory");			\
	}

#define CP15_WO(name, opc1, crn, crm, opc2)					\
	static inline void name(uint32_t v)					\
	{									\
		__asm__ volatile("mcr p15, " #opc1 ", %0, c" #crn ", c" #crm ", " #opc2 \
				 : : "r"(v) : "memory");			\
	}

CP15_RW(midr, 0, 0, 0, 0)
CP15_RW(sctlr, 0, 1, 0, 0)
CP15_RW(cpacr, 0, 1, 0, 2)
CP15_RW(ttbr0, 0, 2, 0, 0)
CP15_RW(ttbr1, 0, 2, 0, 1)
CP15_RW(ttbcr, 0, 2, 0, 2)
CP15_RW(dacr, 0, 3, 0, 0)
CP15_RW(dfsr, 0, 5, 0, 0)
CP15_RW(ifsr, 0, 5, 0, 1)
CP15_RW(dfar, 0, 6, 0, 0)
CP15_RW(ifar, 0, 6, 0, 2)
CP15_RW(par, 0, 7, 4, 0)
CP15_RW(vbar, 0, 12, 0, 0)
CP15_RW(contextidr, 0, 13, 0, 1)
CP15_RW(tpidrurw, 0, 13, 0, 2)
CP15_RW(tpidruro, 0, 13, 0, 3)
CP15_RW(tpidrprw, 0, 13, 0, 4)

CP15_WO(ats1cpr, 0, 7, 8, 0)
CP15_WO(ats1cpw, 0, 7, 8, 1)
CP15_WO(ats1cur, 0, 7, 8, 2)
CP15_WO(ats1cuw, 0, 7, 8, 3)
CP15_WO(icialluis, 0, 7, 1, 0)
CP15_WO(iciallu, 0, 7, 5, 0)
CP15_WO(bpiall, 0, 7, 5, 6)
CP15_WO(tlbiallis, 0, 8, 3, 0)
CP15_WO(tlbimvais, 0, 8, 3, 1)
CP15_WO(tlbiasidis, 0, 8, 3, 2)
CP15_WO(tlbimvaais, 0, 8, 3, 3)
CP15_WO(tlbiall, 0, 8, 7, 0)
CP15_WO(tlbimva, 0, 8, 7, 1)
CP15_WO(tlbiasid, 0, 8, 7, 2)
CP15_WO(tlbimvaa, 0, 8, 7, 3)

#define SCTLR_M		(1u << 0)
#define SCTLR_A		(1u << 1)
#define SCTLR_C		(1u << 2)
#define SCTLR_CP15BEN	(1u << 5)
#define SCTLR_SW	(1u << 10)
#define SCTLR_I		(1u << 12)
#define SCTLR_V		(1u << 13)
#define SCTLR_AFE	(1u << 29)
#define SCTLR_TE	(1u << 30)

static inline void dsb(void)
{
	__asm__ volatile("dsb" : : : "memory");
}

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

/* Make instructions written to memory visible to fetch. */
void sync_icache(void);

/* ---- short-descriptor translation tables ---- */

struct l1_table {
	uint32_t e[4096];
} __attribute__((aligned(16384)));

struct l2_table {
	uint32_t e[256];
} __attribute__((aligned(1024)));

/* A mapping's attributes; the builder places each field. */
struct pt_attr {
	uint8_t ap;		/* AP[2:0] */
	uint8_t domain;		/* sections only (page tables: pt_table) */
	bool xn, pxn, ng;
	bool device;		/* Device memory; else Normal write-back */
	bool shared;		/* S bit */
};

/* Full access, domain 0, global, Normal memory. */
#define PT_RW ((struct pt_attr){ .ap = 3 })

#define SZ_4K	0x1000u
#define SZ_64K	0x10000u
#define SZ_1M	0x100000u
#define SZ_16M	0x1000000u

uint32_t pt_section_desc(uint32_t pa, struct pt_attr a);
uint32_t pt_supersection_desc(uint32_t pa, struct pt_attr a);
uint32_t pt_small_desc(uint32_t pa, struct pt_attr a);
uint32_t pt_large_desc(uint32_t pa, struct pt_attr a);
uint32_t pt_table_desc(const struct l2_table *l2, unsigned domain, bool pxn);

void pt_clear(struct l1_table *t);
void pt_section(struct l1_table *t, uint32_t va, uint32_t pa, struct pt_attr a);
/* 16 MiB: writes the 16 repeated entries; domain is 0 by definition. */
void pt_supersection(struct l1_table *t, uint32_t va, uint32_t pa, struct pt_attr a);
/* Point the 1 MiB at va to the (cleared) second-level table l2. */
void pt_table(struct l1_table *t, uint32_t va, struct l2_table *l2, unsigned domain, bool pxn);
void pt_small(struct l2_table *l2, uint32_t va, uint32_t pa, struct pt_attr a);
/* 64 KiB: writes the 16 repeated entries. */
void pt_large(struct l2_table *l2, uint32_t va, uint32_t pa, struct pt_attr a);
/* RAM as full-access global Normal sections at VA == PA, and the test
 * device (and, under QEMU, the UART) as Device, XN. */
void pt_identity(struct l1_table *t);

/* Write a descriptor and make the change visible to the table walker
 * (callers still invalidate the TLB when they replace a valid entry). */
void pt_set(volatile uint32_t *entry, uint32_t desc);

/* Turn the MMU on with TTBR0 = t (TTBCR.N = 0, every domain Client, ASID
 * 0) after invalidating the TLB; and off again. */
void mmu_on(struct l1_table *t);
void mmu_off(void);

/* Copy code words to memory at pa (identity mapped or MMU off) and sync. */
void code_write(uint32_t pa, const uint32_t *words, unsigned n);

/* ---- freestanding libc subset (GCC may emit calls to these) ---- */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static inline void wr32(uint32_t pa, uint32_t v)
{
	*(volatile uint32_t *)pa = v;
}

static inline uint32_t rd32(uint32_t pa)
{
	return *(volatile uint32_t *)pa;
}

#endif
