/* loader.c — see loader.h. */
#include "machine/loader.h"

#include <errno.h>
#include <string.h>

#define INITRD_OFFSET  (128ull << 20)
#define PAGE_ALIGN(x)  (((x) + 0xfffull) & ~0xfffull)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int loader_check_zimage(const uint8_t *img, size_t len, const char **why)
{
	uint32_t start, end;

	if (len < 0x30) {
		*why = "too short to be a zImage";
		return -ENOEXEC;
	}
	if (le32(img + 0x24) != ZIMAGE_MAGIC) {
		*why = "no zImage magic (0x016f2818 at offset 0x24): not an ARM zImage";
		return -ENOEXEC;
	}
	start = le32(img + 0x28);
	end = le32(img + 0x2c);
	if (end <= start || end - start > len) {
		*why = "zImage header start/end do not match the file (truncated?)";
		return -ENOEXEC;
	}
	return 0;
}

uint64_t loader_zimage_footprint(size_t zimage_size)
{
	/* The decompressed kernel is about four times the zImage. */
	return 4 * (uint64_t)zimage_size;
}

uint64_t loader_image_footprint(size_t image_size)
{
	/* The Image plus its bss, which the file does not hold: Debian's is
	 * under 3% of the Image, a quarter is a wide margin. */
	return (uint64_t)image_size + image_size / 4;
}

int loader_plan(uint64_t ram_base, uint64_t ram_size, uint64_t kernel_offset, uint64_t kernel_mem,
		size_t initrd_size, size_t dtb_size, struct boot_layout *out, const char **why)
{
	uint64_t initrd = ram_size / 2 < INITRD_OFFSET ? ram_size / 2 : INITRD_OFFSET;
	uint64_t end;

	out->kernel = ram_base + kernel_offset;
	/* The initrd must start beyond the running kernel, or the kernel (or
	 * its decompressor) overwrites it. */
	if (kernel_offset + kernel_mem > initrd) {
		*why = "RAM too small for this kernel (it would run over the initrd)";
		return -E2BIG;
	}
	out->initrd = ram_base + initrd;
	out->initrd_end = out->initrd + initrd_size;
	out->dtb = PAGE_ALIGN(out->initrd_end);
	end = out->dtb + dtb_size;
	if (end > ram_base + ram_size) {
		*why = "RAM too small for the initrd and device tree";
		return -E2BIG;
	}
	return 0;
}

int loader_copy(struct physmem *pm, const struct boot_layout *l, const void *kernel,
		size_t kernel_size, const void *initrd, size_t initrd_size, const void *dtb,
		size_t dtb_size)
{
	void *k = physmem_ptr(pm, l->kernel, kernel_size);
	void *d = physmem_ptr(pm, l->dtb, dtb_size);
	void *i = initrd_size ? physmem_ptr(pm, l->initrd, initrd_size) : NULL;

	if (!k || !d || (initrd_size && !i))
		return -EFAULT;
	memcpy(k, kernel, kernel_size);
	if (initrd_size)
		memcpy(i, initrd, initrd_size);
	memcpy(d, dtb, dtb_size);
	return 0;
}

struct vcpu_entry loader_entry(const struct boot_layout *l)
{
	return (struct vcpu_entry){
		.pc = (uint32_t)l->kernel,
		.r0 = 0,
		.r1 = 0xffffffffu,	/* no machine number: a device tree */
		.r2 = (uint32_t)l->dtb,
	};
}
