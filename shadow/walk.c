/* walk.c — ARMv7-A short-descriptor translation (ARM ARM B3.5–B3.7).
 *
 * Little-endian translation tables only (SCTLR.EE = 0), which is what every
 * ARMv7 Linux uses. TTBCR.EAE (the long-descriptor format) is not
 * implemented: the CPU model must not advertise LPAE, and a guest that sets
 * EAE anyway gets translation faults rather than guessed translations. */
#include "shadow/walk.h"

#include <string.h>

#include "shadow/physmem.h"

#define SZ_4K  0x1000u
#define SZ_64K 0x10000u
#define SZ_1M  0x100000u
#define SZ_16M 0x1000000u

static bool read_desc(const struct physmem *pm, uint64_t gpa, uint32_t *desc)
{
	const uint32_t *p = physmem_ptr(pm, gpa, 4);

	if (!p)
		return false;
	/* Other vCPUs may be rewriting the entry: read it once. */
	*desc = __atomic_load_n(p, __ATOMIC_RELAXED);
	return true;
}

/* L1 descriptor address for va, or 0 with *fs set if the walk is disabled. */
static uint64_t l1_address(const struct walk_regs *r, uint32_t va, unsigned *fs)
{
	unsigned n = r->ttbcr & TTBCR_N_MASK;

	if (r->ttbcr & TTBCR_EAE) {
		*fs = FS_TRANS_SECTION;
		return 0;
	}
	if (n == 0 || (va >> (32 - n)) == 0) {
		if (r->ttbcr & TTBCR_PD0) {
			*fs = FS_TRANS_SECTION;
			return 0;
		}
		/* TTBR0 holds a table of 16 KiB >> N, indexed by VA[31-N:20]. */
		return (r->ttbr0 & (0xffffffffu << (14 - n))) |
		       (((va & (0xffffffffu >> n)) >> 20) << 2);
	}
	if (r->ttbcr & TTBCR_PD1) {
		*fs = FS_TRANS_SECTION;
		return 0;
	}
	return (r->ttbr1 & 0xffffc000u) | ((va >> 20) << 2);
}

static unsigned walk_l2(const struct walk_regs *r, const struct physmem *pm,
			uint32_t va, uint32_t l1, struct walk_result *res)
{
	uint32_t d;

	res->level = 2;
	res->domain = (l1 >> 5) & 15u;
	res->pxn = l1 & (1u << 2);
	res->l2_gpa = (l1 & 0xfffffc00u) | (((va >> 12) & 0xffu) << 2);
	if (!read_desc(pm, res->l2_gpa, &d))
		return FS_WALK_EXT_L2;
	res->l2_desc = d;
	if ((d & 3u) == 0)
		return FS_TRANS_PAGE;
	res->ap = ((d >> 4) & 3u) | ((d >> 9) & 1u) << 2;
	res->ng = d & (1u << 11);
	res->shareable = d & (1u << 10);
	if ((r->sctlr & SCTLR_AFE) && !(d & (1u << 4)))
		return FS_ACCESS_PAGE;
	if ((d & 3u) == 1) {
		res->block_size = SZ_64K;
		res->block_pa = d & 0xffff0000u;
		res->xn = d & (1u << 15);
		res->texcb = (((d >> 12) & 7u) << 2) | ((d >> 2) & 3u);
	} else {
		res->block_size = SZ_4K;
		res->block_pa = d & 0xfffff000u;
		res->xn = d & 1u;
		res->texcb = (((d >> 6) & 7u) << 2) | ((d >> 2) & 3u);
	}
	return 0;
}

static unsigned walk_section(const struct walk_regs *r, uint32_t d, struct walk_result *res)
{
	res->level = 1;
	res->pxn = d & 1u;
	res->xn = d & (1u << 4);
	res->ap = ((d >> 10) & 3u) | ((d >> 15) & 1u) << 2;
	res->ng = d & (1u << 17);
	res->shareable = d & (1u << 16);
	res->texcb = (((d >> 12) & 7u) << 2) | ((d >> 2) & 3u);
	if (d & (1u << 18)) {
		/* Supersection: domain 0, PA[39:32] in bits [8:5] and [23:20]. */
		res->domain = 0;
		res->block_size = SZ_16M;
		res->block_pa = (uint64_t)(d & 0xff000000u) |
				(uint64_t)((d >> 20) & 15u) << 32 |
				(uint64_t)((d >> 5) & 15u) << 36;
	} else {
		res->domain = (d >> 5) & 15u;
		res->block_size = SZ_1M;
		res->block_pa = d & 0xfff00000u;
	}
	if ((r->sctlr & SCTLR_AFE) && !(d & (1u << 10)))
		return FS_ACCESS_SECTION;
	return 0;
}

unsigned walk_translate(const struct walk_regs *r, const struct physmem *pm,
			uint32_t va, struct walk_result *res)
{
	unsigned fs = 0;
	uint64_t l1addr;
	uint32_t d;

	memset(res, 0, sizeof(*res));
	if (!(r->sctlr & SCTLR_M)) {
		res->flat = true;
		res->pa = va;
		res->block_pa = va & ~(SZ_4K - 1);
		res->block_va = va & ~(SZ_4K - 1);
		res->block_size = SZ_4K;
		res->ap = 3;
		return 0;
	}
	res->level = 1;
	l1addr = l1_address(r, va, &fs);
	if (fs)
		return fs;
	res->l1_gpa = l1addr;
	if (!read_desc(pm, l1addr, &d))
		return FS_WALK_EXT_L1;
	res->l1_desc = d;
	switch (d & 3u) {
	case 0:
		return FS_TRANS_SECTION;
	case 1:
		fs = walk_l2(r, pm, va, d, res);
		break;
	default:
		fs = walk_section(r, d, res);
		break;
	}
	if (fs)
		return fs;
	res->block_va = va & ~(res->block_size - 1);
	res->pa = res->block_pa | (va & (res->block_size - 1));
	return 0;
}

/* Read and write rights from AP[2:0] at pl (B3.6.1, tables B3-8/B3-9). */
static unsigned ap_rights(unsigned ap, bool afe, unsigned pl)
{
	static const unsigned char full[8][2] = {
		/* { PL0, PL1 } */
		[0] = { 0, 0 },
		[1] = { 0, WALK_R | WALK_W },
		[2] = { WALK_R, WALK_R | WALK_W },
		[3] = { WALK_R | WALK_W, WALK_R | WALK_W },
		[4] = { 0, 0 },			/* reserved: no access */
		[5] = { 0, WALK_R },
		[6] = { WALK_R, WALK_R },
		[7] = { WALK_R, WALK_R },
	};
	static const unsigned char simple[4][2] = {
		/* AP[2:1], AP[0] is the access flag */
		[0] = { 0, WALK_R | WALK_W },
		[1] = { WALK_R | WALK_W, WALK_R | WALK_W },
		[2] = { 0, WALK_R },
		[3] = { WALK_R, WALK_R },
	};

	return afe ? simple[(ap >> 1) & 3u][pl] : full[ap & 7u][pl];
}

unsigned walk_rights(const struct walk_regs *r, const struct walk_result *res, unsigned pl)
{
	unsigned rights;

	if (res->flat)
		return WALK_R | WALK_W | WALK_X;
	switch ((r->dacr >> (2 * res->domain)) & 3u) {
	case 3: /* manager: no permission checks, XN/PXN ignored */
		return WALK_R | WALK_W | WALK_X;
	case 1: /* client */
		break;
	default: /* no access, or the reserved encoding treated as such */
		return 0;
	}
	rights = ap_rights(res->ap, r->sctlr & SCTLR_AFE, pl);
	/* Fetching needs read permission and neither XN nor, at PL1, PXN. */
	if ((rights & WALK_R) && !res->xn && !(pl && res->pxn))
		rights |= WALK_X;
	return rights;
}

unsigned walk_check(const struct walk_regs *r, const struct walk_result *res,
		    unsigned pl, enum walk_access acc)
{
	static const unsigned need[] = {
		[WALK_READ] = WALK_R, [WALK_WRITE] = WALK_W, [WALK_EXEC] = WALK_X,
	};
	unsigned dom;

	if (res->flat)
		return 0;
	dom = (r->dacr >> (2 * res->domain)) & 3u;
	if (dom == 0 || dom == 2)
		return res->level == 1 ? FS_DOMAIN_SECTION : FS_DOMAIN_PAGE;
	if (walk_rights(r, res, pl) & need[acc])
		return 0;
	return res->level == 1 ? FS_PERM_SECTION : FS_PERM_PAGE;
}

uint32_t walk_dfsr(unsigned fs, unsigned domain, bool write)
{
	uint32_t v = FSR_FS_LOW(fs) | FSR_FS4(fs) | (write ? FSR_WNR : 0);

	if (walk_fs_has_domain(fs))
		v |= (domain & 15u) << FSR_DOMAIN_SHIFT;
	return v;
}

uint32_t walk_ifsr(unsigned fs)
{
	return FSR_FS_LOW(fs) | FSR_FS4(fs);
}

bool walk_fs_has_domain(unsigned fs)
{
	switch (fs) {
	case FS_TRANS_PAGE:
	case FS_WALK_EXT_L2:
	case FS_ACCESS_SECTION:
	case FS_ACCESS_PAGE:
	case FS_DOMAIN_SECTION:
	case FS_DOMAIN_PAGE:
	case FS_PERM_SECTION:
	case FS_PERM_PAGE:
		return true;
	default:
		return false;
	}
}
