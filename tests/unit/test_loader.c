/* test_loader.c — zImage checks and the boot layout. With the reference
 * guest fetched (make guest), the real Debian zImage is checked too. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/loader.h"
#include "machine/virt.h"

static void fake_zimage(uint8_t *img, size_t len, uint32_t magic)
{
	memset(img, 0, len);
	img[0x24] = magic & 0xff;
	img[0x25] = (magic >> 8) & 0xff;
	img[0x26] = (magic >> 16) & 0xff;
	img[0x27] = magic >> 24;
	img[0x2c] = len & 0xff;		/* end = len, start = 0 */
	img[0x2d] = (len >> 8) & 0xff;
}

Test(loader, zimage_header)
{
	uint8_t img[4096];
	const char *why = NULL;

	fake_zimage(img, sizeof(img), ZIMAGE_MAGIC);
	cr_assert_eq(loader_check_zimage(img, sizeof(img), &why), 0);
	cr_assert_eq(loader_check_zimage(img, 0x20, &why), -ENOEXEC);
	cr_assert_eq(loader_check_zimage(img, 1024, &why), -ENOEXEC, "truncated file");
	cr_assert_not_null(strstr(why, "truncated"));
	fake_zimage(img, sizeof(img), 0x464c457f);	/* an ELF, say */
	cr_assert_eq(loader_check_zimage(img, sizeof(img), &why), -ENOEXEC);
	cr_assert_not_null(strstr(why, "magic"));
}

Test(loader, layout)
{
	struct boot_layout l;
	const char *why = NULL;

	cr_assert_eq(loader_plan(VIRT_RAM_BASE, 512ull << 20, LOADER_ZIMAGE_OFFSET, loader_zimage_footprint(5 << 20), 1 << 20, 4096, &l, &why), 0);
	cr_assert_eq(l.kernel, VIRT_RAM_BASE + 0x8000);
	cr_assert_eq(l.initrd, VIRT_RAM_BASE + (128ull << 20));
	cr_assert_eq(l.initrd_end, l.initrd + (1 << 20));
	cr_assert_eq(l.dtb, l.initrd_end, "page-aligned already");
	/* Small RAM: the initrd goes to the middle. */
	cr_assert_eq(loader_plan(VIRT_RAM_BASE, 64ull << 20, LOADER_ZIMAGE_OFFSET, loader_zimage_footprint(5 << 20), 1 << 20, 4096, &l, &why), 0);
	cr_assert_eq(l.initrd, VIRT_RAM_BASE + (32ull << 20));
	/* Too small for the decompressed kernel, or for the initrd. */
	cr_assert_eq(loader_plan(VIRT_RAM_BASE, 16ull << 20, LOADER_ZIMAGE_OFFSET, loader_zimage_footprint(5 << 20), 1 << 20, 4096, &l, &why), -E2BIG);
	cr_assert_eq(loader_plan(VIRT_RAM_BASE, 64ull << 20, LOADER_ZIMAGE_OFFSET, loader_zimage_footprint(1 << 20), 40 << 20, 4096, &l, &why), -E2BIG);
}

Test(loader, copies_and_sets_entry_state)
{
	struct physmem pm;
	struct boot_layout l;
	struct vcpu_entry e;
	uint8_t kernel[64] = { 1, 2, 3 }, initrd[16] = { 9 }, dtb[32] = { 0xd0 };
	const char *why;

	cr_assert_eq(physmem_init(&pm), 0);
	cr_assert_eq(physmem_add_ram(&pm, VIRT_RAM_BASE, 256 << 20), 0);
	cr_assert_eq(loader_plan(VIRT_RAM_BASE, 256 << 20, LOADER_ZIMAGE_OFFSET, loader_zimage_footprint(sizeof(kernel)), sizeof(initrd),
				 sizeof(dtb), &l, &why), 0);
	cr_assert_eq(loader_copy(&pm, &l, kernel, sizeof(kernel), initrd, sizeof(initrd), dtb,
				 sizeof(dtb)), 0);
	cr_assert_eq(*(uint8_t *)physmem_ptr(&pm, l.kernel + 2, 1), 3);
	cr_assert_eq(*(uint8_t *)physmem_ptr(&pm, l.initrd, 1), 9);
	cr_assert_eq(*(uint8_t *)physmem_ptr(&pm, l.dtb, 1), 0xd0);
	e = loader_entry(&l);
	cr_assert_eq(e.pc, VIRT_RAM_BASE + 0x8000, "ARM state: bit 0 clear");
	cr_assert_eq(e.r0, 0);
	cr_assert_eq(e.r1, 0xffffffffu);
	cr_assert_eq(e.r2, (uint32_t)l.dtb);
	physmem_destroy(&pm);
}

Test(loader, debian_zimage_if_fetched)
{
	FILE *f = fopen("build/guest/vmlinuz", "rb");
	const char *why = NULL;
	uint8_t *img;
	long len;

	if (!f)
		cr_skip_test("no build/guest/vmlinuz (make guest fetches it)");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	img = malloc((size_t)len);
	cr_assert_eq(fread(img, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	cr_assert_eq(loader_check_zimage(img, (size_t)len, &why), 0, "%s", why ? why : "");
	free(img);
}
