/* walk.h — the ARMv7-A VMSA short-descriptor translation table walker and
 * permission check (ARM ARM B3.5–B3.7, B3.12).
 *
 * Pure functions: the MMU registers come in a struct, descriptors are read
 * from guest RAM through physmem, and the result is a translation or an
 * architectural fault status. Async-signal-safe, so the SIGSEGV fill path,
 * the soft MMU and ATS1C* address translation all share it. */
#ifndef HSPT_SHADOW_WALK_H
#define HSPT_SHADOW_WALK_H

#include <stdbool.h>
#include <stdint.h>

struct physmem;

/* SCTLR bits the walker honours. */
#define SCTLR_M   (1u << 0)	/* MMU enable */
#define SCTLR_TRE (1u << 28)	/* TEX remap (attributes only) */
#define SCTLR_AFE (1u << 29)	/* access flag enable, simplified AP model */

/* TTBCR fields. */
#define TTBCR_N_MASK 7u
#define TTBCR_PD0    (1u << 4)
#define TTBCR_PD1    (1u << 5)
#define TTBCR_EAE    (1u << 31)

/* Short-descriptor fault status codes, FS[4:0] (ARM ARM table B3-23). */
#define FS_ALIGNMENT        0x01
#define FS_ACCESS_SECTION   0x03
#define FS_TRANS_SECTION    0x05
#define FS_ACCESS_PAGE      0x06
#define FS_TRANS_PAGE       0x07
#define FS_EXTERNAL         0x08
#define FS_DOMAIN_SECTION   0x09
#define FS_DOMAIN_PAGE      0x0b
#define FS_WALK_EXT_L1      0x0c
#define FS_PERM_SECTION     0x0d
#define FS_WALK_EXT_L2      0x0e
#define FS_PERM_PAGE        0x0f

/* DFSR/IFSR layout (short-descriptor format). */
#define FSR_FS_LOW(fs)  ((fs) & 0xfu)
#define FSR_FS4(fs)     ((((fs) >> 4) & 1u) << 10)
#define FSR_DOMAIN_SHIFT 4
#define FSR_WNR         (1u << 11)

/* The MMU state a walk depends on: a copy of the vCPU's CP15 registers. */
struct walk_regs {
	uint32_t sctlr;
	uint32_t ttbr0, ttbr1, ttbcr;
	uint32_t dacr;
	uint32_t contextidr;	/* ASID in bits [7:0] */
};

enum walk_access { WALK_READ, WALK_WRITE, WALK_EXEC };

/* Rights bits, as returned by walk_rights(). */
#define WALK_R 1u
#define WALK_W 2u
#define WALK_X 4u

/* A successful translation: the TLB entry a real MMU would cache. */
struct walk_result {
	uint64_t pa;		/* physical address of the translated VA (40 bits) */
	uint64_t block_pa;	/* PA of the first byte of the block */
	uint32_t block_va;	/* VA of the first byte of the block */
	uint32_t block_size;	/* 4 KiB, 64 KiB, 1 MiB or 16 MiB */
	uint8_t level;		/* 1 (section/supersection) or 2 (page) */
	uint8_t domain;
	uint8_t ap;		/* AP[2:0] */
	uint8_t texcb;		/* TEX[2:0]:C:B, for memory attributes */
	bool xn, pxn, ng, shareable;
	bool flat;		/* SCTLR.M == 0: identity mapping */
	/* The descriptors the walk read (l2_gpa == 0 for level 1), so a
	 * caller can re-read them to see whether the entry changed since. */
	uint64_t l1_gpa, l2_gpa;
	uint32_t l1_desc, l2_desc;
};

/* Translate va. Returns 0 and fills *res, or returns the FS code of the
 * translation, access-flag or walk external-abort fault (and fills
 * res->domain/level as far as the walk got, for the FSR). Domain and
 * permission are checked separately by walk_check(). */
unsigned walk_translate(const struct walk_regs *regs, const struct physmem *pm,
			uint32_t va, struct walk_result *res);

/* Check an access at privilege level pl (0 = PL0, 1 = PL1) against a
 * translation, under regs->dacr. Returns 0 or a domain/permission FS code.
 * Priority is the architecture's: domain before permission; XN and PXN are
 * checked only in Client domains. */
unsigned walk_check(const struct walk_regs *regs, const struct walk_result *res,
		    unsigned pl, enum walk_access acc);

/* All rights (WALK_R/W/X) the translation grants at pl under regs->dacr;
 * 0 if the domain denies access. What a shadow mapping may allow. */
unsigned walk_rights(const struct walk_regs *regs, const struct walk_result *res,
		     unsigned pl);

/* The DFSR value for a data abort with fault status fs. */
uint32_t walk_dfsr(unsigned fs, unsigned domain, bool write);
/* The IFSR value for a prefetch abort with fault status fs. */
uint32_t walk_ifsr(unsigned fs);

/* Is the fault status one that reports a domain in the DFSR? */
bool walk_fs_has_domain(unsigned fs);

#endif
