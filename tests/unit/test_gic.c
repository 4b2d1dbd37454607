/* test_gic.c — the GICv2 model (machine/gic.c), driven as a guest and the
 * board drive it: MMIO accesses through gic_dist_ops/gic_cpu_ops, device
 * inputs through the irq lines, and CPU outputs recorded by irq lines. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "machine/gic.h"

#define NIRQS 256

/* Register offsets, written out here so that the tests check the layout
 * rather than share the model's constants. */
enum {
	D_CTLR = 0x000, D_TYPER = 0x004, D_IIDR = 0x008, D_IGROUPR = 0x080,
	D_ISENABLER = 0x100, D_ICENABLER = 0x180, D_ISPENDR = 0x200,
	D_ICPENDR = 0x280, D_ISACTIVER = 0x300, D_ICACTIVER = 0x380,
	D_IPRIORITYR = 0x400, D_ITARGETSR = 0x800, D_ICFGR = 0xc00,
	D_SGIR = 0xf00, D_CPENDSGIR = 0xf10, D_SPENDSGIR = 0xf20, D_PIDR2 = 0xfe8,
	D_CIDR0 = 0xff0,
};
enum {
	C_CTLR = 0x00, C_PMR = 0x04, C_BPR = 0x08, C_IAR = 0x0c, C_EOIR = 0x10,
	C_RPR = 0x14, C_HPPIR = 0x18, C_ABPR = 0x1c, C_AIAR = 0x20, C_IIDR = 0xfc,
	C_DIR = 0x1000,
};

struct rec {
	bool irq[GIC_MAX_CPUS], fiq[GIC_MAX_CPUS];
	unsigned changes;
};

static struct gic g;
static struct rec rec;

static void rec_irq(void *opaque, unsigned n, bool level)
{
	struct rec *r = opaque;

	cr_assert_neq(r->irq[n], level, "output %u driven to the level it had", n);
	r->irq[n] = level;
	r->changes++;
}

static void rec_fiq(void *opaque, unsigned n, bool level)
{
	struct rec *r = opaque;

	r->fiq[n] = level;
	r->changes++;
}

static void setup(unsigned ncpus)
{
	struct irq_line irq[GIC_MAX_CPUS], fiq[GIC_MAX_CPUS];

	memset(&rec, 0, sizeof(rec));
	for (unsigned c = 0; c < ncpus; c++) {
		irq[c] = (struct irq_line){ .set = rec_irq, .opaque = &rec, .n = c };
		fiq[c] = (struct irq_line){ .set = rec_fiq, .opaque = &rec, .n = c };
	}
	cr_assert_eq(gic_init(&g, ncpus, NIRQS, irq, fiq), 0);
}

static uint32_t dread(unsigned cpu, unsigned off)
{
	uint64_t v = 0xdeadbeef;

	cr_assert_eq(gic_dist_ops.read(&g, cpu, off, 4, &v), 0, "GICD read %#x", off);
	return (uint32_t)v;
}

static void dwrite(unsigned cpu, unsigned off, uint32_t v)
{
	cr_assert_eq(gic_dist_ops.write(&g, cpu, off, 4, v), 0, "GICD write %#x", off);
}

static void dwriteb(unsigned cpu, unsigned off, uint8_t v)
{
	cr_assert_eq(gic_dist_ops.write(&g, cpu, off, 1, v), 0, "GICD byte write %#x", off);
}

static uint32_t cread(unsigned cpu, unsigned off)
{
	uint64_t v = 0xdeadbeef;

	cr_assert_eq(gic_cpu_ops.read(&g, cpu, off, 4, &v), 0, "GICC read %#x", off);
	return (uint32_t)v;
}

static void cwrite(unsigned cpu, unsigned off, uint32_t v)
{
	cr_assert_eq(gic_cpu_ops.write(&g, cpu, off, 4, v), 0, "GICC write %#x", off);
}

/* What Linux does at boot: distributor on, every CPU interface on with
 * PMR 0xf0, SGIs enabled. */
static void enable_all(unsigned ncpus)
{
	dwrite(0, D_CTLR, 1);
	for (unsigned c = 0; c < ncpus; c++) {
		dwrite(c, D_ISENABLER, 0x0000ffff);
		cwrite(c, C_PMR, 0xf0);
		cwrite(c, C_CTLR, 1);
	}
}

/* Configure SPI interrupt ID `id`: priority, targets, enabled. */
static void spi_setup(unsigned id, uint8_t prio, uint8_t targets)
{
	dwriteb(0, D_IPRIORITYR + id, prio);
	dwriteb(0, D_ITARGETSR + id, targets);
	dwrite(0, D_ISENABLER + id / 32 * 4, 1u << (id % 32));
}

static void set_spi(unsigned id, bool level)
{
	struct irq_line l = gic_spi_line(&g, id - 32);

	cr_assert_not_null(l.set);
	irq_set(&l, level);
}

static bool is_pending(unsigned cpu, unsigned id)
{
	return dread(cpu, D_ISPENDR + id / 32 * 4) & (1u << (id % 32));
}

static bool is_active(unsigned cpu, unsigned id)
{
	return dread(cpu, D_ISACTIVER + id / 32 * 4) & (1u << (id % 32));
}

Test(gic, identification_and_reset_state)
{
	uint64_t v;

	setup(2);
	cr_assert_eq(dread(0, D_TYPER), (NIRQS / 32 - 1) | (1u << 5),
		     "ITLinesNumber 7, CPUNumber 1, no Security Extensions");
	cr_assert_eq(dread(0, D_IIDR) & 0xfff, 0x43b, "implementer ARM");
	cr_assert_eq((dread(0, D_PIDR2) >> 4) & 0xf, 2, "ArchRev 2");
	cr_assert_eq(dread(0, D_CIDR0), 0x0d);
	cr_assert_eq(cread(1, C_IIDR), 0x0002043b, "GICv2 CPU interface");
	cr_assert_eq(dread(0, D_CTLR), 0);
	cr_assert_eq(dread(0, D_IGROUPR), 0, "all Group 0, RAZ/WI");
	dwrite(0, D_IGROUPR, ~0u);
	cr_assert_eq(dread(0, D_IGROUPR), 0);
	cr_assert_eq(cread(0, C_RPR), 0xff, "idle");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);

	/* Linux's gic_get_cpumask(): the private target bytes name the reader. */
	cr_assert_eq(dread(0, D_ITARGETSR), 0x01010101);
	cr_assert_eq(dread(1, D_ITARGETSR + 28), 0x02020202);
	dwrite(1, D_ITARGETSR, 0xffffffff);
	cr_assert_eq(dread(1, D_ITARGETSR), 0x02020202, "read-only");
	cr_assert_eq(gic_dist_ops.read(&g, 1, D_ITARGETSR + 3, 1, &v), 0);
	cr_assert_eq(v, 0x02);

	/* Access rules. */
	cr_assert_eq(gic_dist_ops.read(&g, 0, D_ISENABLER, 1, &v), -1, "word-only register");
	cr_assert_eq(gic_dist_ops.read(&g, 0, D_IPRIORITYR, 2, &v), -1, "no halfwords");
	cr_assert_eq(gic_dist_ops.read(&g, 2, D_CTLR, 4, &v), -1, "no CPU 2");
	cr_assert_eq(gic_cpu_ops.read(&g, 0, C_PMR, 1, &v), -1);
	cr_assert_eq(gic_cpu_ops.write(&g, 0, C_PMR + 2, 4, 0), -1);
	cr_assert_null(gic_spi_line(&g, NIRQS - 32).set, "SPI out of range");
	cr_assert_null(gic_ppi_line(&g, 2, 14).set, "CPU out of range");
	gic_destroy(&g);
}

Test(gic, priority_and_target_registers)
{
	setup(2);
	dwrite(0, D_IPRIORITYR + 40, 0xa0a0a0a0);
	cr_assert_eq(dread(0, D_IPRIORITYR + 40), 0xa0a0a0a0, "8 priority bits kept");
	dwriteb(0, D_IPRIORITYR + 41, 0x13);
	cr_assert_eq(dread(0, D_IPRIORITYR + 40), 0xa0a013a0);

	/* SGI/PPI priorities are banked. */
	dwriteb(0, D_IPRIORITYR + 27, 0x20);
	dwriteb(1, D_IPRIORITYR + 27, 0x30);
	cr_assert_eq(dread(0, D_IPRIORITYR + 24) >> 24, 0x20);
	cr_assert_eq(dread(1, D_IPRIORITYR + 24) >> 24, 0x30);

	/* SPI targets keep only existing CPUs. */
	dwrite(0, D_ITARGETSR + 32, 0xff030201);
	cr_assert_eq(dread(1, D_ITARGETSR + 32), 0x03030201);

	/* ICFGR: SGIs read-only edge, PPIs banked, SPIs programmable. */
	cr_assert_eq(dread(0, D_ICFGR), 0xaaaaaaaa);
	dwrite(0, D_ICFGR, 0);
	cr_assert_eq(dread(0, D_ICFGR), 0xaaaaaaaa);
	dwrite(0, D_ICFGR + 4, 0x80000000);	/* ID 31 edge on CPU 0 */
	cr_assert_eq(dread(0, D_ICFGR + 4), 0x80000000);
	cr_assert_eq(dread(1, D_ICFGR + 4), 0);
	dwrite(0, D_ICFGR + 8, 0x0000000a);	/* IDs 32 and 33 edge */
	cr_assert_eq(dread(1, D_ICFGR + 8), 0x0000000a);
	gic_destroy(&g);
}

Test(gic, ack_eoi_sequence)
{
	setup(1);
	enable_all(1);
	spi_setup(42, 0xa0, 0x01);

	set_spi(42, true);
	cr_assert(rec.irq[0], "a pending enabled SPI is signalled");
	set_spi(42, false);
	cr_assert_not(rec.irq[0], "a level input is pending only while high");
	cr_assert_not(is_pending(0, 42));
	set_spi(42, true);
	cr_assert(is_pending(0, 42));
	cr_assert_eq(cread(0, C_HPPIR), 42);
	cr_assert_eq(cread(0, C_IAR), 42);
	cr_assert_not(rec.irq[0], "acknowledged: nothing else to signal");
	cr_assert(is_active(0, 42));
	cr_assert_eq(cread(0, C_RPR), 0xa0);
	set_spi(42, false);
	cr_assert_not(is_pending(0, 42), "level input dropped");
	cwrite(0, C_EOIR, 42);
	cr_assert_not(is_active(0, 42));
	cr_assert_eq(cread(0, C_RPR), 0xff);
	cr_assert_not(rec.irq[0]);
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);

	/* Software pending and disabling. */
	dwrite(0, D_ISPENDR + 4, 1u << 10);
	cr_assert(rec.irq[0]);
	dwrite(0, D_ICENABLER + 4, 1u << 10);
	cr_assert_not(rec.irq[0], "disabled interrupts are not forwarded");
	cr_assert(is_pending(0, 42), "but stay pending");
	dwrite(0, D_ISENABLER + 4, 1u << 10);
	cr_assert(rec.irq[0]);
	dwrite(0, D_ICPENDR + 4, 1u << 10);
	cr_assert_not(rec.irq[0]);
	gic_destroy(&g);
}

Test(gic, preemption_by_priority)
{
	setup(1);
	enable_all(1);
	spi_setup(40, 0x80, 0x01);	/* A */
	spi_setup(41, 0x40, 0x01);	/* B: higher priority */
	spi_setup(42, 0x80, 0x01);	/* C: same priority as A */

	set_spi(40, true);
	cr_assert_eq(cread(0, C_IAR), 40);
	cr_assert_eq(cread(0, C_RPR), 0x80);
	cr_assert_not(rec.irq[0]);

	set_spi(42, true);
	cr_assert_not(rec.irq[0], "equal priority does not preempt");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cr_assert_eq(cread(0, C_HPPIR), 42, "but it is the highest pending");

	set_spi(41, true);
	cr_assert(rec.irq[0], "a higher priority preempts the active one");
	cr_assert_eq(cread(0, C_IAR), 41);
	cr_assert_eq(cread(0, C_RPR), 0x40);
	cr_assert_not(rec.irq[0]);
	set_spi(41, false);
	cwrite(0, C_EOIR, 41);
	cr_assert_eq(cread(0, C_RPR), 0x80, "back to A's priority");
	cr_assert_not(rec.irq[0], "C still cannot preempt A");

	set_spi(40, false);
	cwrite(0, C_EOIR, 40);
	cr_assert(rec.irq[0], "C is signalled once A is done");
	cr_assert_eq(cread(0, C_IAR), 42);
	set_spi(42, false);
	cwrite(0, C_EOIR, 42);
	cr_assert_eq(cread(0, C_RPR), 0xff);

	/* Lowest ID wins a priority tie. */
	set_spi(42, true);
	set_spi(40, true);
	cr_assert_eq(cread(0, C_IAR), 40);
	gic_destroy(&g);
}

Test(gic, binary_point_limits_preemption)
{
	setup(1);
	enable_all(1);
	spi_setup(40, 0x70, 0x01);
	spi_setup(41, 0x68, 0x01);

	set_spi(40, true);
	cr_assert_eq(cread(0, C_IAR), 40);
	set_spi(41, true);
	cr_assert(rec.irq[0], "BPR 0: 0x68 preempts 0x70");
	cwrite(0, C_BPR, 3);
	cr_assert_eq(cread(0, C_BPR), 3);
	cr_assert(rec.irq[0], "BPR 3: group 0x60 preempts group 0x70");
	cwrite(0, C_BPR, 4);
	cr_assert_not(rec.irq[0], "BPR 4: both are group 0x60");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cwrite(0, C_EOIR, 40);
	cr_assert(rec.irq[0]);
	cr_assert_eq(cread(0, C_IAR), 41);
	cwrite(0, C_ABPR, 0);
	cr_assert_eq(cread(0, C_ABPR), 1, "Group 1 binary point minimum");
	cr_assert_eq(cread(0, C_AIAR), GIC_SPURIOUS, "no Group 1 interrupts");
	gic_destroy(&g);
}

Test(gic, priority_mask)
{
	setup(1);
	enable_all(1);
	spi_setup(50, 0xa0, 0x01);
	cwrite(0, C_PMR, 0xa0);
	cr_assert_eq(cread(0, C_PMR), 0xa0);
	set_spi(50, true);
	cr_assert_not(rec.irq[0], "priority must be strictly higher than PMR");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cwrite(0, C_PMR, 0xa1);
	cr_assert(rec.irq[0]);
	cwrite(0, C_PMR, 0);
	cr_assert_not(rec.irq[0], "PMR 0 masks everything");
	cwrite(0, C_PMR, 0xf0);
	cr_assert_eq(cread(0, C_IAR), 50);
	gic_destroy(&g);
}

Test(gic, spurious_when_nothing_can_be_taken)
{
	setup(1);
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS, "nothing pending");
	enable_all(1);
	spi_setup(33, 0x10, 0x01);
	set_spi(33, true);
	cr_assert(rec.irq[0]);

	dwrite(0, D_CTLR, 0);
	cr_assert_not(rec.irq[0], "distributor off");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cr_assert_eq(cread(0, C_HPPIR), GIC_SPURIOUS);
	dwrite(0, D_CTLR, 1);
	cr_assert(rec.irq[0]);

	cwrite(0, C_CTLR, 0);
	cr_assert_not(rec.irq[0], "CPU interface off");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cr_assert(is_pending(0, 33), "a spurious read changes nothing");
	cwrite(0, C_CTLR, 1);
	cr_assert_eq(cread(0, C_IAR), 33);
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS, "active, and the level is still high");
	cwrite(0, C_EOIR, GIC_SPURIOUS);
	cr_assert(is_active(0, 33), "EOI of 1023 is ignored");
	gic_destroy(&g);
}

Test(gic, level_spi_repends_after_eoi)
{
	setup(1);
	enable_all(1);
	spi_setup(60, 0xa0, 0x01);

	set_spi(60, true);
	cr_assert_eq(cread(0, C_IAR), 60);
	cr_assert(is_pending(0, 60) && is_active(0, 60), "active and pending");
	cr_assert_not(rec.irq[0]);
	cwrite(0, C_EOIR, 60);
	cr_assert(rec.irq[0], "still high: signalled again");
	cr_assert_eq(cread(0, C_IAR), 60);
	set_spi(60, false);
	cwrite(0, C_EOIR, 60);
	cr_assert_not(rec.irq[0]);
	cr_assert_not(is_pending(0, 60));

	/* A software-pended level interrupt is cleared by the acknowledge. */
	dwrite(0, D_ISPENDR + 4, 1u << 28);
	cr_assert_eq(cread(0, C_IAR), 60);
	cr_assert_not(is_pending(0, 60));
	cwrite(0, C_EOIR, 60);
	cr_assert_not(rec.irq[0]);

	/* ICPENDR cannot clear a level input that is high. */
	set_spi(60, true);
	dwrite(0, D_ICPENDR + 4, 1u << 28);
	cr_assert(is_pending(0, 60));
	set_spi(60, false);
	gic_destroy(&g);
}

Test(gic, edge_spi_latches_rising_edges)
{
	setup(1);
	enable_all(1);
	spi_setup(61, 0xa0, 0x01);
	dwrite(0, D_ICFGR + 61 / 16 * 4, 2u << (61 % 16 * 2));

	set_spi(61, true);
	set_spi(61, false);
	cr_assert(is_pending(0, 61), "the edge was latched");
	cr_assert_eq(cread(0, C_IAR), 61);
	cr_assert_not(is_pending(0, 61));
	set_spi(61, true);
	cr_assert(is_pending(0, 61) && is_active(0, 61), "a new edge while active");
	cwrite(0, C_EOIR, 61);
	cr_assert_eq(cread(0, C_IAR), 61);
	cwrite(0, C_EOIR, 61);
	cr_assert_not(rec.irq[0], "a line held high is one edge, not a level");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	gic_destroy(&g);
}

Test(gic, spi_routed_to_cpu1_only)
{
	setup(2);
	enable_all(2);
	spi_setup(40, 0xa0, 0x02);

	set_spi(40, true);
	cr_assert_not(rec.irq[0]);
	cr_assert(rec.irq[1]);
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS, "CPU 0 is not a target");
	cr_assert_eq(cread(1, C_IAR), 40);
	cr_assert_not(rec.irq[1]);
	set_spi(40, false);
	cwrite(1, C_EOIR, 40);

	/* Retargeting moves a pending interrupt. */
	set_spi(40, true);
	cr_assert(rec.irq[1]);
	dwriteb(1, D_ITARGETSR + 40, 0x01);
	cr_assert(rec.irq[0]);
	cr_assert_not(rec.irq[1]);

	/* With both targeted, the first acknowledge takes it (1-N). */
	dwriteb(0, D_ITARGETSR + 40, 0x03);
	cr_assert(rec.irq[0] && rec.irq[1]);
	cr_assert_eq(cread(1, C_IAR), 40);
	cr_assert_not(rec.irq[0], "no longer signalled to CPU 0");
	cr_assert_eq(cread(0, C_IAR), GIC_SPURIOUS);
	cwrite(0, C_EOIR, 40);
	cr_assert(is_active(0, 40), "CPU 0 never acknowledged it");
	cwrite(1, C_EOIR, 40);
	cr_assert_not(is_active(0, 40));
	gic_destroy(&g);
}

Test(gic, sgi_target_filters_and_source_ids)
{
	setup(4);
	enable_all(4);

	/* Filter 0: the target list. */
	dwrite(0, D_SGIR, (0x6u << 16) | 3);
	cr_assert(!rec.irq[0] && rec.irq[1] && rec.irq[2] && !rec.irq[3]);
	cr_assert_eq(cread(1, C_IAR), 3 | 0 << 10, "CPUID field names CPU 0");
	cwrite(1, C_EOIR, 3);
	cr_assert_eq(cread(2, C_IAR), 3);
	cwrite(2, C_EOIR, 3);

	/* Filter 1: everybody but the sender. */
	dwrite(2, D_SGIR, (1u << 24) | (0xffu << 16) | 5);
	cr_assert(rec.irq[0] && rec.irq[1] && !rec.irq[2] && rec.irq[3]);
	for (unsigned c = 0; c < 4; c++) {
		if (c == 2)
			continue;
		cr_assert_eq(cread(c, C_IAR), 5 | 2 << 10);
		cwrite(c, C_EOIR, 5 | 2 << 10);
	}

	/* Filter 2: the sender itself; the target list is ignored. */
	dwrite(3, D_SGIR, (2u << 24) | (0x1u << 16) | 7);
	cr_assert(!rec.irq[0] && !rec.irq[1] && !rec.irq[2] && rec.irq[3]);
	cr_assert_eq(cread(3, C_IAR), 7 | 3 << 10);
	cwrite(3, C_EOIR, 7 | 3 << 10);

	/* Filter 3 is reserved. */
	dwrite(0, D_SGIR, (3u << 24) | (0xfu << 16) | 1);
	cr_assert(!rec.irq[0] && !rec.irq[1] && !rec.irq[2] && !rec.irq[3]);
	gic_destroy(&g);
}

Test(gic, sgi_pending_per_source)
{
	setup(4);
	enable_all(4);

	dwrite(0, D_SGIR, (0x4u << 16) | 1);
	dwrite(1, D_SGIR, (0x4u << 16) | 1);
	cr_assert_eq(dread(2, D_SPENDSGIR), 0x03 << 8, "SGI 1 from CPUs 0 and 1");
	cr_assert_eq(dread(0, D_SPENDSGIR), 0, "banked: nothing for CPU 0");
	cr_assert_eq(dread(2, D_ISPENDR) & 0xffff, 1u << 1);

	cr_assert_eq(cread(2, C_IAR), 1 | 0 << 10);
	cr_assert_eq(dread(2, D_SPENDSGIR), 0x02 << 8, "CPU 1's request remains");
	cwrite(2, C_EOIR, 1 | 0 << 10);
	cr_assert(rec.irq[2]);
	cr_assert_eq(cread(2, C_IAR), 1 | 1 << 10);
	cwrite(2, C_EOIR, 1 | 1 << 10);
	cr_assert_not(rec.irq[2]);

	/* SPENDSGIR/CPENDSGIR, byte by byte. */
	dwriteb(3, D_SPENDSGIR + 2, 0x05);	/* SGI 2 from CPUs 0 and 2 */
	cr_assert(rec.irq[3]);
	cr_assert_eq(dread(3, D_SPENDSGIR), 0x05 << 16);
	dwriteb(3, D_CPENDSGIR + 2, 0x01);
	cr_assert_eq(dread(3, D_CPENDSGIR), 0x04 << 16);
	cr_assert_eq(cread(3, C_HPPIR), 2 | 2 << 10);
	dwrite(3, D_CPENDSGIR, 0xffffffff);
	cr_assert_not(rec.irq[3]);
	dwrite(3, D_ISPENDR, 0x0000ffff);
	cr_assert_eq(dread(3, D_ISPENDR), 0, "SGIs are pended through SPENDSGIR only");

	/* Disabled SGIs are pended but not forwarded; enables are banked. */
	dwrite(1, D_ICENABLER, 1u << 4);
	cr_assert_eq(dread(1, D_ISENABLER) & 0xffff, 0xffef);
	cr_assert_eq(dread(0, D_ISENABLER) & 0xffff, 0xffff);
	dwrite(0, D_SGIR, (0x2u << 16) | 4);
	cr_assert_not(rec.irq[1]);
	dwrite(1, D_ISENABLER, 1u << 4);
	cr_assert(rec.irq[1]);
	gic_destroy(&g);
}

Test(gic, ppis_are_banked_per_cpu)
{
	struct irq_line t0, t1;

	setup(2);
	enable_all(2);
	t0 = gic_ppi_line(&g, 0, 27);	/* by interrupt ID */
	t1 = gic_ppi_line(&g, 1, 11);	/* by PPI number: the same ID 27 */
	cr_assert_not_null(t0.set);
	cr_assert_not_null(t1.set);
	dwriteb(0, D_IPRIORITYR + 27, 0xa0);
	dwriteb(1, D_IPRIORITYR + 27, 0xa0);
	dwrite(0, D_ISENABLER, 1u << 27);

	irq_set(&t1, true);
	cr_assert_not(rec.irq[0], "CPU 1's timer is not CPU 0's");
	cr_assert_not(rec.irq[1], "not enabled on CPU 1");
	cr_assert(dread(1, D_ISPENDR) & (1u << 27));
	cr_assert_not(dread(0, D_ISPENDR) & (1u << 27));
	cr_assert_not(dread(1, D_ISENABLER) & (1u << 27));

	irq_set(&t0, true);
	cr_assert(rec.irq[0]);
	dwrite(1, D_ISENABLER, 1u << 27);
	cr_assert(rec.irq[1]);
	cr_assert_eq(cread(1, C_IAR), 27);
	cr_assert(rec.irq[0], "CPU 0's copy is untouched");
	cr_assert(dread(1, D_ISACTIVER) & (1u << 27));
	cr_assert_not(dread(0, D_ISACTIVER) & (1u << 27));
	irq_set(&t1, false);
	cwrite(1, C_EOIR, 27);
	cr_assert_not(rec.irq[1]);
	cr_assert_eq(cread(0, C_IAR), 27);
	irq_set(&t0, false);
	cwrite(0, C_EOIR, 27);
	cr_assert_not(rec.irq[0]);

	/* The physical timer's PPI 14 is ID 30. */
	t0 = gic_ppi_line(&g, 0, 14);
	dwrite(0, D_ISENABLER, 1u << 30);
	irq_set(&t0, true);
	cr_assert_eq(cread(0, C_IAR), 30);
	gic_destroy(&g);
}

Test(gic, eoimode1_separates_drop_and_deactivate)
{
	setup(1);
	enable_all(1);
	cwrite(0, C_CTLR, 1 | 1u << 9);
	spi_setup(45, 0xa0, 0x01);

	set_spi(45, true);
	cr_assert_eq(cread(0, C_IAR), 45);
	set_spi(45, false);
	cwrite(0, C_EOIR, 45);
	cr_assert_eq(cread(0, C_RPR), 0xff, "priority dropped");
	cr_assert(is_active(0, 45), "still active");
	set_spi(45, true);
	cr_assert_not(rec.irq[0], "an active interrupt is not signalled again");
	cwrite(0, C_DIR, 45);
	cr_assert_not(is_active(0, 45));
	cr_assert(rec.irq[0]);
	gic_destroy(&g);
}

Test(gic, fiqen_signals_on_fiq)
{
	setup(1);
	enable_all(1);
	cwrite(0, C_CTLR, 1 | 1u << 3);
	spi_setup(46, 0xa0, 0x01);
	set_spi(46, true);
	cr_assert(rec.fiq[0]);
	cr_assert_not(rec.irq[0]);
	cwrite(0, C_CTLR, 1);
	cr_assert_not(rec.fiq[0]);
	cr_assert(rec.irq[0]);
	gic_destroy(&g);
}

Test(gic, active_registers)
{
	setup(1);
	enable_all(1);
	spi_setup(47, 0xa0, 0x01);
	dwrite(0, D_ISACTIVER + 4, 1u << 15);
	cr_assert(is_active(0, 47));
	set_spi(47, true);
	cr_assert_not(rec.irq[0], "active: not signalled");
	dwrite(0, D_ICACTIVER + 4, 1u << 15);
	cr_assert(rec.irq[0]);
	cr_assert_eq(cread(0, C_RPR), 0xff, "ISACTIVER does not change the running priority");
	gic_destroy(&g);
}

/* Two CPUs hammer each other with SGIs while a device thread toggles an
 * SPI; every acknowledge is matched by an EOI. The test is that nothing
 * deadlocks and that everything ends idle. */
struct storm {
	unsigned cpu;
	unsigned acked;
};

static void *storm_cpu(void *arg)
{
	struct storm *s = arg;

	for (unsigned i = 0; i < 20000; i++) {
		uint64_t v;

		gic_dist_ops.write(&g, s->cpu, D_SGIR, 4, (1u << 24) | (i % 16));
		gic_cpu_ops.read(&g, s->cpu, C_IAR, 4, &v);
		if ((v & 0x3ff) != GIC_SPURIOUS) {
			s->acked++;
			gic_cpu_ops.write(&g, s->cpu, C_EOIR, 4, v);
		}
	}
	return NULL;
}

static void *storm_device(void *arg)
{
	struct irq_line l = gic_spi_line(&g, 8);

	(void)arg;
	for (unsigned i = 0; i < 20000; i++)
		irq_set(&l, i & 1);
	irq_set(&l, false);
	return NULL;
}

static void null_set(void *opaque, unsigned n, bool level)
{
}

Test(gic, concurrent_access)
{
	struct irq_line irq[2] = { { .set = null_set }, { .set = null_set } };
	struct storm s[2] = { { .cpu = 0 }, { .cpu = 1 } };
	pthread_t t[3];

	cr_assert_eq(gic_init(&g, 2, NIRQS, irq, NULL), 0);
	enable_all(2);
	spi_setup(40, 0xa0, 0x03);
	pthread_create(&t[0], NULL, storm_cpu, &s[0]);
	pthread_create(&t[1], NULL, storm_cpu, &s[1]);
	pthread_create(&t[2], NULL, storm_device, NULL);
	for (unsigned i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	cr_assert_gt(s[0].acked + s[1].acked, 0);
	/* Drain what is left. */
	for (unsigned c = 0; c < 2; c++) {
		uint32_t v;
		unsigned n = 0;

		while (((v = cread(c, C_IAR)) & 0x3ff) != GIC_SPURIOUS) {
			cr_assert_lt(++n, 64, "CPU %u keeps acknowledging %#x", c, v);
			cwrite(c, C_EOIR, v);
		}
		cr_assert_eq(cread(c, C_RPR), 0xff);
		cr_assert_eq(dread(c, D_ISACTIVER), 0);
		cr_assert_eq(dread(c, D_ISPENDR), 0);
	}
	cr_assert_eq(dread(0, D_ISACTIVER + 4), 0);
	gic_destroy(&g);
}
