/* gic.h — the GICv2 interrupt controller of the virt board: one
 * distributor (4 KiB) and one CPU interface per vCPU (8 KiB, banked by the
 * accessing vCPU), as Linux's irq-gic.c drives it ("arm,cortex-a15-gic").
 *
 * What is modelled (ARM IHI 0048B, GICv2):
 *  - SGIs 0-15 with pending state per source CPU, PPIs 16-31 banked per
 *    CPU, SPIs 32..nirqs-1 routed by ITARGETSR;
 *  - enable, pending, active and active-and-pending state; level and edge
 *    inputs (ICFGR is read-only "edge" for SGIs, programmable for PPIs and
 *    SPIs);
 *  - 8 priority bits (256 levels), PMR masking, binary point and
 *    preemption, the acknowledge/EOI protocol with a running priority per
 *    CPU, EOImode 0 and 1 (GICC_DIR);
 *  - FIQEn: with GICC_CTLR.FIQEn set, the CPU is signalled on its FIQ line.
 *
 * Not modelled: the Security and Virtualization Extensions, and interrupt
 * groups. Every interrupt is Group 0: GICD_IGROUPR is RAZ/WI, GICC_AIAR and
 * GICC_AHPPIR read 1023, GICC_AEOIR ignores writes, and the active priority
 * registers (GICC_APRn, GICC_NSAPRn) are RAZ/WI. Linux uses none of these
 * on a GIC without the Security Extensions.
 *
 * Threads: vCPU threads call the MMIO ops concurrently and device threads
 * drive the input lines; one mutex in struct gic protects everything. The
 * CPU output lines (cpu_irq/cpu_fiq) are called with that mutex held, and
 * only when their level changes: the callee must not call back into the
 * GIC (the vCPU side only sets a request flag and kicks an eventfd). */
#ifndef HSPT_MACHINE_GIC_H
#define HSPT_MACHINE_GIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"

#define GIC_MAX_CPUS	8	/* the GICv2 CPU target lists are 8 bits */
#define GIC_MAX_IRQS	1024	/* ITLinesNumber is 5 bits; IDs 1020+ are special */
#define GIC_DIST_SIZE	0x1000
#define GIC_CPU_SIZE	0x2000	/* GICC_DIR lives at 0x1000 */

#define GIC_NR_SGIS	16
#define GIC_PPI_BASE	16	/* interrupt ID of PPI 0 */
#define GIC_SPI_BASE	32	/* interrupt ID of SPI 0 */
#define GIC_SPURIOUS	1023

/* An acknowledged interrupt the CPU has not yet dropped the priority of
 * (by EOIR): together these make up the CPU's running priority. */
struct gic_active_prio {
	uint16_t id;
	uint8_t src;		/* source CPU of an SGI, else 0 */
	uint8_t prio;
};

/* Nesting needs a strictly higher group priority each time, so 128 levels
 * (binary point 0) bound the depth; the rest is slack for binary point
 * changes while interrupts are active. */
#define GIC_PRIO_STACK	256

/* One CPU: its banked view of interrupts 0-31, and its CPU interface. */
struct gic_cpu {
	uint32_t enabled, latch, line, edge, active;	/* bit n = ID n */
	uint8_t priority[32];
	uint8_t sgi_src[GIC_NR_SGIS];	/* pending SGI n: bit s = from CPU s */

	uint32_t ctlr;
	uint8_t pmr, bpr, abpr;
	unsigned nprio;
	struct gic_active_prio prio_stack[GIC_PRIO_STACK];

	struct irq_line irq_out, fiq_out;
	bool irq_level, fiq_level;	/* last levels driven on the outputs */
};

struct gic {
	pthread_mutex_t lock;	/* protects everything below */
	unsigned ncpus, nirqs;
	uint32_t ctlr;
	/* Shared (SPI) state, word w = IDs 32w..32w+31; word 0 is unused:
	 * IDs 0-31 live in the per-CPU banks. `latch` is the pending state
	 * set by an edge or by software; a level input is pending while its
	 * `line` is high, whatever `latch` says. */
	uint32_t enabled[GIC_MAX_IRQS / 32], latch[GIC_MAX_IRQS / 32];
	uint32_t line[GIC_MAX_IRQS / 32], edge[GIC_MAX_IRQS / 32];
	uint32_t active[GIC_MAX_IRQS / 32];
	uint8_t priority[GIC_MAX_IRQS], targets[GIC_MAX_IRQS];
	struct gic_cpu cpu[GIC_MAX_CPUS];
};

/* Reset state for `ncpus` CPU interfaces (1..8) and `nirqs` interrupt IDs
 * (a multiple of 32, 64..1024; the last usable ID is min(nirqs, 1020) - 1).
 * cpu_irq[i] and cpu_fiq[i] are CPU i's IRQ and FIQ inputs; cpu_fiq may be
 * NULL when FIQs are not wired. 0, or -EINVAL for bad sizes. */
int gic_init(struct gic *g, unsigned ncpus, unsigned nirqs,
	     const struct irq_line cpu_irq[], const struct irq_line cpu_fiq[]);
/* Release what gic_init acquired (the mutex). */
void gic_destroy(struct gic *g);

/* Distributor (GIC_DIST_SIZE bytes) and CPU interface (GIC_CPU_SIZE
 * bytes); the opaque is the struct gic; the `cpu` argument selects the
 * banked registers. Word accesses everywhere; byte accesses also to
 * IPRIORITYR, ITARGETSR, CPENDSGIR and SPENDSGIR, as GICv2 allows. */
extern const struct mmio_ops gic_dist_ops, gic_cpu_ops;

/* The input line of SPI `spi` (interrupt ID 32 + spi). A line whose `set`
 * is NULL (and which does nothing) if spi is out of range. */
struct irq_line gic_spi_line(struct gic *g, unsigned spi);
/* CPU `cpu`'s private input `ppi`: either the PPI number as a device tree
 * writes it (0-15, ID 16 + ppi) or the interrupt ID itself (16-31); the
 * two ranges do not overlap. The generic timer's physical (non-secure)
 * output is ID 30 (PPI 14), its virtual output ID 27 (PPI 11). An inert
 * line if cpu or ppi is out of range. */
struct irq_line gic_ppi_line(struct gic *g, unsigned cpu, unsigned ppi);

#endif
