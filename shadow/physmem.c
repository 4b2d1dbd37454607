/* physmem.c — see physmem.h. */
#include "shadow/physmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/log.h"

#define PAGE_MASK_4K 0xfffull

int physmem_init(struct physmem *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->memfd = memfd_create("hspt-ram", MFD_CLOEXEC);
	if (pm->memfd < 0)
		return -errno;
	return 0;
}

void physmem_destroy(struct physmem *pm)
{
	if (pm->host)
		munmap(pm->host, pm->ram_size);
	if (pm->memfd >= 0)
		close(pm->memfd);
	pm->host = NULL;
	pm->memfd = -1;
}

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static int check_range(const struct physmem *pm, uint64_t gpa, uint64_t size)
{
	if (!size || (gpa | size) & PAGE_MASK_4K || gpa + size < gpa)
		return -EINVAL;
	for (unsigned i = 0; i < pm->nbanks; i++)
		if (overlaps(gpa, size, pm->banks[i].gpa, pm->banks[i].size))
			return -EEXIST;
	for (unsigned i = 0; i < pm->nmmio; i++)
		if (overlaps(gpa, size, pm->mmio[i].gpa, pm->mmio[i].size))
			return -EEXIST;
	return 0;
}

int physmem_add_ram(struct physmem *pm, uint64_t gpa, uint64_t size)
{
	uint64_t new_size = pm->ram_size + size;
	uint8_t *host;
	int err = check_range(pm, gpa, size);

	if (err)
		return err;
	if (pm->nbanks == PHYSMEM_MAX_BANKS)
		return -ENOSPC;
	if (ftruncate(pm->memfd, (off_t)new_size) < 0)
		return -errno;
	/* Re-map the whole file: the emulator's own view of RAM stays one
	 * contiguous range. Only done while building the board. */
	host = mmap(NULL, new_size, PROT_READ | PROT_WRITE, MAP_SHARED, pm->memfd, 0);
	if (host == MAP_FAILED) {
		err = -errno;
		if (ftruncate(pm->memfd, (off_t)pm->ram_size) < 0)
			log_warn("physmem: cannot shrink memfd back: %s", strerror(errno));
		return err;
	}
	if (pm->host)
		munmap(pm->host, pm->ram_size);
	pm->host = host;
	pm->banks[pm->nbanks++] = (struct physmem_bank){
		.gpa = gpa, .size = size, .offset = pm->ram_size,
	};
	pm->ram_size = new_size;
	return 0;
}

int physmem_add_mmio(struct physmem *pm, uint64_t gpa, uint64_t size, unsigned id)
{
	int err = check_range(pm, gpa, size);

	if (err)
		return err;
	if (pm->nmmio == PHYSMEM_MAX_MMIO)
		return -ENOSPC;
	pm->mmio[pm->nmmio++] = (struct physmem_mmio){ .gpa = gpa, .size = size, .id = id };
	return 0;
}

struct physmem_loc physmem_lookup(const struct physmem *pm, uint64_t gpa)
{
	for (unsigned i = 0; i < pm->nbanks; i++) {
		const struct physmem_bank *b = &pm->banks[i];

		if (gpa - b->gpa < b->size)
			return (struct physmem_loc){
				.kind = PHYSMEM_RAM,
				.offset = b->offset + (gpa - b->gpa),
				.avail = b->size - (gpa - b->gpa),
			};
	}
	for (unsigned i = 0; i < pm->nmmio; i++) {
		const struct physmem_mmio *m = &pm->mmio[i];

		if (gpa - m->gpa < m->size)
			return (struct physmem_loc){
				.kind = PHYSMEM_MMIO,
				.offset = gpa - m->gpa,
				.avail = m->size - (gpa - m->gpa),
				.id = m->id,
			};
	}
	return (struct physmem_loc){ .kind = PHYSMEM_NONE };
}

void *physmem_ptr(const struct physmem *pm, uint64_t gpa, uint64_t len)
{
	struct physmem_loc loc = physmem_lookup(pm, gpa);

	if (loc.kind != PHYSMEM_RAM || len > loc.avail)
		return NULL;
	return pm->host + loc.offset;
}
