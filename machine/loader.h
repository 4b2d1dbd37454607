/* loader.h — the Linux ARM boot protocol (Documentation/arch/arm/booting):
 * a zImage, an optional initrd and a device tree placed in guest RAM, and
 * the CPU state the kernel expects at entry. */
#ifndef HSPT_MACHINE_LOADER_H
#define HSPT_MACHINE_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "shadow/physmem.h"
#include "vcpu/thread.h"

#define ZIMAGE_MAGIC 0x016f2818u

struct boot_layout {
	uint64_t kernel;		/* load address = entry point */
	uint64_t initrd, initrd_end;	/* equal when there is none */
	uint64_t dtb;
};

/* Is img an ARM zImage? 0, or -ENOEXEC with *why saying what is wrong. */
int loader_check_zimage(const uint8_t *img, size_t len, const char **why);

/* The RAM a kernel occupies from its load address once running (its
 * footprint), for a zImage and for an uncompressed Image of that size. */
uint64_t loader_zimage_footprint(size_t zimage_size);
uint64_t loader_image_footprint(size_t image_size);

/* Where a zImage goes: 32 KiB into RAM, where a kernel with the usual
 * TEXT_OFFSET would run (its decompressor moves the kernel wherever its
 * own TEXT_OFFSET says, relative to the 128 MiB-aligned RAM start). An
 * Image must go exactly at its TEXT_OFFSET (zimage_text_offset()). */
#define LOADER_ZIMAGE_OFFSET 0x8000u

/* Where to put the pieces in RAM [ram_base, ram_base + ram_size): the
 * kernel at ram_base + kernel_offset, the initrd at 128 MiB (or half of
 * RAM if smaller), clear of the kernel's footprint kernel_mem, and the
 * device tree after it. 0, or -E2BIG with *why when they do not fit. */
int loader_plan(uint64_t ram_base, uint64_t ram_size, uint64_t kernel_offset, uint64_t kernel_mem,
		size_t initrd_size, size_t dtb_size, struct boot_layout *out, const char **why);

/* Copy the pieces into guest RAM as planned. 0 or -EFAULT. */
int loader_copy(struct physmem *pm, const struct boot_layout *l, const void *kernel,
		size_t kernel_size, const void *initrd, size_t initrd_size, const void *dtb,
		size_t dtb_size);

/* Where the boot CPU enters the kernel: r0 = 0, r1 = ~0 (no machine
 * type: a device tree), r2 = the DTB, in ARM state. The rest of the entry
 * state (SVC, IRQ/FIQ masked, MMU off) is the CPU's reset state, which
 * vcpu_thread_power_on() gives. */
struct vcpu_entry loader_entry(const struct boot_layout *l);

#endif
