/* fdt.c — see fdt.h. The layout follows what Linux's drivers for these
 * devices bind to (arm,cortex-a15-gic, arm,armv7-timer, arm,pl011,
 * arm,pl031, virtio,mmio, arm,psci-1.0). */
#include "machine/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "machine/virt.h"

#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH  4
#define IRQ_LEVEL_LOW   8

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2

/* libfdt returns its own negative codes: map "out of space" to -ENOSPC and
 * everything else to -EINVAL. */
static int fdt_err(int err)
{
	return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

/* A reg property of <address size> pairs with 2 cells each. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t cells[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", cells, sizeof(cells));
}

static int prop_irq(void *fdt, uint32_t type, uint32_t n, uint32_t flags)
{
	fdt32_t cells[3] = { cpu_to_fdt32(type), cpu_to_fdt32(n), cpu_to_fdt32(flags) };

	return fdt_property(fdt, "interrupts", cells, sizeof(cells));
}

static int add_cpus(void *fdt, const struct virt_fdt_config *c)
{
	char name[32];
	int err = fdt_begin_node(fdt, "cpus");

	err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
	err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned i = 0; i < c->ncpus && !err; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "device_type", "cpu");
		err = err ?: fdt_property_string(fdt, "compatible", "arm,cortex-a7");
		err = err ?: fdt_property_u32(fdt, "reg", i);
		/* Secondary CPUs start through PSCI CPU_ON. */
		err = err ?: fdt_property_string(fdt, "enable-method", "psci");
		err = err ?: fdt_end_node(fdt);
	}
	return err ?: fdt_end_node(fdt);
}

static int add_timer_and_gic(void *fdt, const struct virt_fdt_config *c)
{
	/* PPIs are delivered to every CPU: the CPU mask in flags[15:8]. */
	uint32_t cpumask = ((1u << c->ncpus) - 1) << 8;
	fdt32_t timer[12] = {
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(VIRT_TIMER_SEC_PPI), cpu_to_fdt32(cpumask | IRQ_LEVEL_LOW),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(VIRT_TIMER_PHYS_PPI), cpu_to_fdt32(cpumask | IRQ_LEVEL_LOW),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(VIRT_TIMER_VIRT_PPI), cpu_to_fdt32(cpumask | IRQ_LEVEL_LOW),
		cpu_to_fdt32(GIC_PPI), cpu_to_fdt32(VIRT_TIMER_HYP_PPI), cpu_to_fdt32(cpumask | IRQ_LEVEL_LOW),
	};
	fdt64_t gic_reg[4] = {
		cpu_to_fdt64(VIRT_GICD_BASE), cpu_to_fdt64(VIRT_GICD_SIZE),
		cpu_to_fdt64(VIRT_GICC_BASE), cpu_to_fdt64(VIRT_GICC_SIZE),
	};
	int err = fdt_begin_node(fdt, "timer");

	err = err ?: fdt_property_string(fdt, "compatible", "arm,armv7-timer");
	err = err ?: fdt_property(fdt, "interrupts", timer, sizeof(timer));
	err = err ?: fdt_property(fdt, "always-on", NULL, 0);
	err = err ?: fdt_end_node(fdt);

	err = err ?: fdt_begin_node(fdt, "intc@8000000");
	err = err ?: fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic");
	err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 3);
	err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	err = err ?: fdt_property(fdt, "reg", gic_reg, sizeof(gic_reg));
	err = err ?: fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	return err ?: fdt_end_node(fdt);
}

static int add_devices(void *fdt, const struct virt_fdt_config *c)
{
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	static const char rtc_compat[] = "arm,pl031\0arm,primecell";
	static const char uart_clk_names[] = "uartclk\0apb_pclk";
	fdt32_t clk2[2] = { cpu_to_fdt32(PHANDLE_CLK), cpu_to_fdt32(PHANDLE_CLK) };
	char name[40];
	int err = fdt_begin_node(fdt, "apb-pclk");

	err = err ?: fdt_property_string(fdt, "compatible", "fixed-clock");
	err = err ?: fdt_property_u32(fdt, "#clock-cells", 0);
	err = err ?: fdt_property_u32(fdt, "clock-frequency", 24000000);
	err = err ?: fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	err = err ?: fdt_property_u32(fdt, "phandle", PHANDLE_CLK);
	err = err ?: fdt_end_node(fdt);

	err = err ?: fdt_begin_node(fdt, "pl011@9000000");
	err = err ?: fdt_property(fdt, "compatible", uart_compat, sizeof(uart_compat));
	err = err ?: prop_reg(fdt, VIRT_UART_BASE, VIRT_UART_SIZE);
	err = err ?: prop_irq(fdt, GIC_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH);
	err = err ?: fdt_property(fdt, "clocks", clk2, sizeof(clk2));
	err = err ?: fdt_property(fdt, "clock-names", uart_clk_names, sizeof(uart_clk_names));
	err = err ?: fdt_end_node(fdt);

	err = err ?: fdt_begin_node(fdt, "pl031@9010000");
	err = err ?: fdt_property(fdt, "compatible", rtc_compat, sizeof(rtc_compat));
	err = err ?: prop_reg(fdt, VIRT_RTC_BASE, VIRT_RTC_SIZE);
	err = err ?: prop_irq(fdt, GIC_SPI, VIRT_RTC_SPI, IRQ_LEVEL_HIGH);
	err = err ?: fdt_property_u32(fdt, "clocks", PHANDLE_CLK);
	err = err ?: fdt_property_string(fdt, "clock-names", "apb_pclk");
	err = err ?: fdt_end_node(fdt);

	for (unsigned n = 0; n < c->virtio_slots && !err; n++) {
		uint64_t base = VIRT_VIRTIO_BASE + (uint64_t)n * VIRT_VIRTIO_SIZE;

		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "compatible", "virtio,mmio");
		err = err ?: prop_reg(fdt, base, VIRT_VIRTIO_SIZE);
		err = err ?: prop_irq(fdt, GIC_SPI, VIRT_VIRTIO_SPI + n, IRQ_EDGE_RISING);
		err = err ?: fdt_property(fdt, "dma-coherent", NULL, 0);
		err = err ?: fdt_end_node(fdt);
	}
	return err;
}

static int add_chosen_memory_psci(void *fdt, const struct virt_fdt_config *c)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	int err = fdt_begin_node(fdt, "chosen");

	if (!err && c->bootargs)
		err = fdt_property_string(fdt, "bootargs", c->bootargs);
	err = err ?: fdt_property_string(fdt, "stdout-path", "/pl011@9000000");
	if (!err && c->initrd_end > c->initrd_start) {
		err = fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start);
		err = err ?: fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end);
	}
	err = err ?: fdt_end_node(fdt);

	err = err ?: fdt_begin_node(fdt, "memory@40000000");
	err = err ?: fdt_property_string(fdt, "device_type", "memory");
	err = err ?: prop_reg(fdt, c->ram_base, c->ram_size);
	err = err ?: fdt_end_node(fdt);

	err = err ?: fdt_begin_node(fdt, "psci");
	/* 1.0 first (PSCI_FEATURES); 0.2 for kernels that predate it. */
	err = err ?: fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat));
	err = err ?: fdt_property_string(fdt, "method", c->psci_method);
	return err ?: fdt_end_node(fdt);
}

int virt_fdt_build(const struct virt_fdt_config *c, void *buf, size_t size)
{
	int err;

	if (c->ncpus < 1 || c->ncpus > VIRT_MAX_CPUS || !c->ram_size ||
	    c->ram_base + c->ram_size > VIRT_RAM_MAX || !c->psci_method ||
	    c->virtio_slots > VIRT_VIRTIO_SLOTS || size > INT32_MAX)
		return -EINVAL;
	err = fdt_create(buf, (int)size);
	err = err ?: fdt_finish_reservemap(buf);
	err = err ?: fdt_begin_node(buf, "");
	err = err ?: fdt_property_u32(buf, "#address-cells", 2);
	err = err ?: fdt_property_u32(buf, "#size-cells", 2);
	err = err ?: fdt_property_string(buf, "compatible", "linux,dummy-virt");
	err = err ?: fdt_property_string(buf, "model", "hspt virt");
	err = err ?: fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC);
	err = err ?: add_chosen_memory_psci(buf, c);
	err = err ?: add_cpus(buf, c);
	err = err ?: add_timer_and_gic(buf, c);
	err = err ?: add_devices(buf, c);
	err = err ?: fdt_end_node(buf);
	err = err ?: fdt_finish(buf);
	if (err)
		return fdt_err(err);
	return (int)fdt_totalsize(buf);
}
