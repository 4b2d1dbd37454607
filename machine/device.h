/* device.h — what a device model is to the board: MMIO callbacks and
 * interrupt lines (STYLE.md §5: a device sees IRQ lines, never the GIC's
 * or the CPU's insides).
 *
 * MMIO callbacks get the index of the vCPU making the access, because
 * some devices bank registers per CPU (the GIC's CPU interface, SGIs and
 * PPIs); other devices ignore it. They return 0, or -1 for an access the
 * device does not accept (bad size or offset), which the guest sees as a
 * synchronous external abort. They are called from vCPU threads, several
 * at once on SMP guests: each device protects its own state. */
#ifndef HSPT_MACHINE_DEVICE_H
#define HSPT_MACHINE_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_ops {
	const char *name;
	int (*read)(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t *val);
	int (*write)(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t val);
};

/* One interrupt line: a device raises or lowers it; whoever owns the
 * other end (the GIC, or the GIC's output to a vCPU) decides what a level
 * means. Level-sensitive: set it whenever the condition changes. */
struct irq_line {
	void (*set)(void *opaque, unsigned n, bool level);
	void *opaque;
	unsigned n;
};

static inline void irq_set(const struct irq_line *line, bool level)
{
	if (line->set)
		line->set(line->opaque, line->n, level);
}

#endif
