/* test_fdt.c — the board's device tree, read back with libfdt the way
 * Linux would look things up. */
#include <criterion/criterion.h>
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "machine/fdt.h"
#include "machine/virt.h"

static uint8_t blob[65536];

static const struct virt_fdt_config base_cfg = {
	.ncpus = 2,
	.ram_base = VIRT_RAM_BASE,
	.ram_size = 512ull << 20,
	.bootargs = "console=ttyAMA0 quiet",
	.initrd_start = 0x48000000,
	.initrd_end = 0x48100000,
	.psci_method = "hvc",
	.virtio_slots = 4,
};

/* Properties are only 4-byte aligned: read 64-bit cells by copying. */
static uint64_t cell64(const void *p, unsigned i)
{
	fdt64_t v;

	memcpy(&v, (const uint8_t *)p + 8 * i, sizeof(v));
	return fdt64_to_cpu(v);
}

static const void *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(blob, path);

	cr_assert_geq(node, 0, "node %s missing", path);
	return fdt_getprop(blob, node, name, len);
}

Test(fdt, describes_the_board)
{
	int len, size = virt_fdt_build(&base_cfg, blob, sizeof(blob));
	const void *reg;
	const fdt32_t *irq;

	cr_assert_gt(size, 0, "build failed: %d", size);
	cr_assert_eq(fdt_check_header(blob), 0);
	cr_assert_str_eq(prop("/chosen", "bootargs", NULL), "console=ttyAMA0 quiet");
	cr_assert_eq(cell64(prop("/chosen", "linux,initrd-start", NULL), 0), 0x48000000u);
	reg = prop("/memory@40000000", "reg", &len);
	cr_assert_eq(len, 16);
	cr_assert_eq(cell64(reg, 0), VIRT_RAM_BASE);
	cr_assert_eq(cell64(reg, 1), 512ull << 20);
	cr_assert_str_eq(prop("/psci", "method", NULL), "hvc");
	cr_assert_not_null(prop("/cpus/cpu@1", "enable-method", NULL));
	cr_assert_eq(fdt_path_offset(blob, "/cpus/cpu@2"), -FDT_ERR_NOTFOUND, "exactly 2 CPUs");
	/* The UART: SPI 1, level high, found through its compatible. */
	int uart = fdt_node_offset_by_compatible(blob, -1, "arm,pl011");
	cr_assert_geq(uart, 0);
	irq = fdt_getprop(blob, uart, "interrupts", &len);
	cr_assert_eq(len, 12);
	cr_assert_eq(fdt32_to_cpu(irq[1]), VIRT_UART_SPI);
	/* The GIC is the interrupt parent, by phandle. */
	int gic = fdt_node_offset_by_compatible(blob, -1, "arm,cortex-a15-gic");
	cr_assert_geq(gic, 0);
	cr_assert_eq(fdt_get_phandle(blob, gic),
		     fdt32_to_cpu(*(const fdt32_t *)prop("/", "interrupt-parent", NULL)));
	/* The timer's PPIs reach both CPUs (mask in flags[15:8]). */
	irq = prop("/timer", "interrupts", &len);
	cr_assert_eq(len, 48);
	cr_assert_eq(fdt32_to_cpu(irq[4]), VIRT_TIMER_PHYS_PPI);
	cr_assert_eq(fdt32_to_cpu(irq[5]) >> 8, 3u);
	/* Four virtio-mmio transports, the last at slot 3. */
	cr_assert_geq(fdt_path_offset(blob, "/virtio_mmio@a000600"), 0);
	cr_assert_lt(fdt_path_offset(blob, "/virtio_mmio@a000800"), 0);
}

Test(fdt, rejects_bad_configs_and_small_buffers)
{
	struct virt_fdt_config c = base_cfg;
	uint8_t tiny[256];

	cr_assert_eq(virt_fdt_build(&base_cfg, tiny, sizeof(tiny)), -ENOSPC);
	c.ncpus = 0;
	cr_assert_eq(virt_fdt_build(&c, blob, sizeof(blob)), -EINVAL);
	c = base_cfg;
	c.ncpus = VIRT_MAX_CPUS + 1;
	cr_assert_eq(virt_fdt_build(&c, blob, sizeof(blob)), -EINVAL);
	c = base_cfg;
	c.ram_size = 4ull << 30;	/* past the top of the 32-bit space */
	cr_assert_eq(virt_fdt_build(&c, blob, sizeof(blob)), -EINVAL);
	c = base_cfg;
	c.initrd_start = c.initrd_end = 0;
	c.bootargs = NULL;
	cr_assert_gt(virt_fdt_build(&c, blob, sizeof(blob)), 0);
	cr_assert_null(prop("/chosen", "linux,initrd-start", NULL), "no initrd: no property");
}
