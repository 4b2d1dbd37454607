/* physmem.h — guest physical memory: RAM banks backed by one memfd, and the
 * MMIO ranges a board registers. The map is built before any vCPU runs and
 * is immutable afterwards, which is what lets the SIGSEGV path read it
 * without locks. */
#ifndef HSPT_SHADOW_PHYSMEM_H
#define HSPT_SHADOW_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHYSMEM_MAX_BANKS 8
#define PHYSMEM_MAX_MMIO  64

/* A GPA range backed by RAM: GPA gpa + x is memfd offset offset + x. */
struct physmem_bank {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;
};

/* A GPA range owned by a device. shadow/ never interprets id: it hands it
 * back to the caller's slow path. */
struct physmem_mmio {
	uint64_t gpa;
	uint64_t size;
	unsigned id;
};

struct physmem {
	int memfd;
	uint8_t *host;		/* the whole memfd mapped once, for the emulator */
	uint64_t ram_size;	/* sum of bank sizes == memfd size */
	unsigned nbanks, nmmio;
	struct physmem_bank banks[PHYSMEM_MAX_BANKS];
	struct physmem_mmio mmio[PHYSMEM_MAX_MMIO];
};

enum physmem_kind { PHYSMEM_NONE, PHYSMEM_RAM, PHYSMEM_MMIO };

/* What a GPA is. For RAM, offset is the memfd offset and avail the number of
 * bytes of the same bank from gpa on; for MMIO, id and offset within it. */
struct physmem_loc {
	enum physmem_kind kind;
	uint64_t offset;
	uint64_t avail;
	unsigned id;
};

/* Create an empty map with its memfd (no RAM yet). 0 or -errno. */
int physmem_init(struct physmem *pm);
void physmem_destroy(struct physmem *pm);

/* Add a RAM bank; gpa and size must be 4 KiB aligned and not overlap
 * anything already registered. Grows the memfd. 0 or -errno. */
int physmem_add_ram(struct physmem *pm, uint64_t gpa, uint64_t size)
	__attribute__((warn_unused_result));

/* Register a device range. Same alignment and overlap rules. 0 or -errno. */
int physmem_add_mmio(struct physmem *pm, uint64_t gpa, uint64_t size,
		     unsigned id) __attribute__((warn_unused_result));

/* Classify a GPA. Async-signal-safe. */
struct physmem_loc physmem_lookup(const struct physmem *pm, uint64_t gpa);

/* Host pointer to RAM at gpa valid for len bytes, or NULL if that range is
 * not entirely inside one RAM bank. Async-signal-safe. */
void *physmem_ptr(const struct physmem *pm, uint64_t gpa, uint64_t len);

#endif
