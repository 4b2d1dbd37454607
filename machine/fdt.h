/* fdt.h — the device tree the board hands to Linux, built with libfdt. It
 * lists exactly the devices the board has. */
#ifndef HSPT_MACHINE_FDT_H
#define HSPT_MACHINE_FDT_H

#include <stddef.h>
#include <stdint.h>

struct virt_fdt_config {
	unsigned ncpus;			/* 1..VIRT_MAX_CPUS */
	uint64_t ram_base, ram_size;
	const char *bootargs;		/* may be NULL */
	uint64_t initrd_start, initrd_end;	/* both 0: no initrd */
	const char *psci_method;	/* "hvc" or "smc": the PSCI conduit */
	unsigned virtio_slots;		/* virtio-mmio transports to list */
};

/* Build the tree into buf (size bytes). Returns the blob's size, or -errno
 * (-ENOSPC if buf is too small, -EINVAL for a bad config). */
int virt_fdt_build(const struct virt_fdt_config *cfg, void *buf, size_t size);

#endif
