/* gic.c — GICv2 distributor and CPU interfaces (see gic.h for the scope).
 *
 * State model. Every interrupt has an enable bit, an active bit, a
 * priority and a trigger mode (edge or level); SPIs also have a CPU target
 * set. Pending state is not stored as such:
 *  - an SGI is pending on a CPU while any source bit in sgi_src[] is set
 *    (GICv2 keeps one pending state per source CPU);
 *  - a PPI or SPI is pending while its latch is set (a rising edge on an
 *    edge input, a write to ISPENDR) or, for a level input, while the input
 *    line is high. Acknowledging clears the latch only, so a level input
 *    that is still high leaves the interrupt active-and-pending, and it is
 *    signalled again as soon as it is deactivated.
 * A CPU's running priority is the priority of the newest entry on its
 * prio_stack: IAR pushes, EOIR (priority drop) pops. Deactivation (EOIR
 * in EOImode 0, DIR in EOImode 1) clears the active bit.
 *
 * After every change, update() recomputes each CPU's outputs and drives
 * the lines whose level changed. */
#include "machine/gic.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

/* Distributor register offsets. */
#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_IIDR	0x008
#define GICD_IGROUPR	0x080
#define GICD_ISENABLER	0x100
#define GICD_ICENABLER	0x180
#define GICD_ISPENDR	0x200
#define GICD_ICPENDR	0x280
#define GICD_ISACTIVER	0x300
#define GICD_ICACTIVER	0x380
#define GICD_IPRIORITYR	0x400
#define GICD_ITARGETSR	0x800
#define GICD_ICFGR	0xc00
#define GICD_SGIR	0xf00
#define GICD_CPENDSGIR	0xf10
#define GICD_SPENDSGIR	0xf20
#define GICD_ID_BASE	0xfd0

/* CPU interface register offsets. */
#define GICC_CTLR	0x000
#define GICC_PMR	0x004
#define GICC_BPR	0x008
#define GICC_IAR	0x00c
#define GICC_EOIR	0x010
#define GICC_RPR	0x014
#define GICC_HPPIR	0x018
#define GICC_ABPR	0x01c
#define GICC_AIAR	0x020
#define GICC_AEOIR	0x024
#define GICC_AHPPIR	0x028
#define GICC_IIDR	0x0fc
#define GICC_DIR	0x1000

#define GICD_CTLR_ENABLE	(1u << 0)	/* EnableGrp0: all our interrupts */
#define GICD_CTLR_MASK		0x3u		/* EnableGrp1 is kept, unused */

/* GICC_CTLR in the layout of a GIC without the Security Extensions. Only
 * EnableGrp0, FIQEn and EOImode act; the others (EnableGrp1, AckCtl,
 * CBPR, the bypass disables) are stored because software reads them back
 * (Linux preserves the bypass bits). */
#define GICC_CTLR_ENABLE	(1u << 0)
#define GICC_CTLR_FIQEN		(1u << 3)
#define GICC_CTLR_EOIMODE	(1u << 9)
#define GICC_CTLR_MASK		0x3ffu

/* Implementer ARM (0x43b); the CPU interface says architecture v2. */
#define GICD_IIDR_VALUE		0x0000043bu
#define GICC_IIDR_VALUE		0x0002043bu

/* PIDR4-7, PIDR0-3, CIDR0-3 at 0xfd0..0xffc: ARM's GICv2 values, with
 * ArchRev 2 in PIDR2 and the PrimeCell component ID. */
static const uint8_t gicd_id_regs[12] = {
	0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

#define IDLE_PRIO	0x100u	/* running priority of an idle CPU: below all */

static inline uint32_t bit(unsigned id)
{
	return 1u << (id % 32);
}

static inline unsigned nids(const struct gic *g)
{
	return g->nirqs < 1020 ? g->nirqs : 1020;
}

static inline uint32_t cpu_mask(const struct gic *g)
{
	return (1u << g->ncpus) - 1;
}

/* The IDs of word w (IDs 32w..32w+31) that exist. */
static uint32_t word_mask(const struct gic *g, unsigned w)
{
	unsigned first = w * 32, n = nids(g);

	if (first >= n)
		return 0;
	if (n - first >= 32)
		return ~0u;
	return (1u << (n - first)) - 1;
}

/* Pending bits of CPU c's private interrupts (IDs 0-31). */
static uint32_t private_pending(const struct gic_cpu *cpu)
{
	uint32_t p = (cpu->latch | (cpu->line & ~cpu->edge)) & 0xffff0000u;

	for (unsigned i = 0; i < GIC_NR_SGIS; i++)
		if (cpu->sgi_src[i])
			p |= 1u << i;
	return p;
}

static uint32_t spi_pending(const struct gic *g, unsigned w)
{
	return g->latch[w] | (g->line[w] & ~g->edge[w]);
}

static uint8_t priority_of(const struct gic *g, unsigned c, unsigned id)
{
	return id < 32 ? g->cpu[c].priority[id] : g->priority[id];
}

/* Highest-priority interrupt the distributor forwards to CPU c: enabled,
 * pending, not active, and (for SPIs) targeting c. Lowest ID wins a tie.
 * GIC_SPURIOUS, with *prio = IDLE_PRIO, if there is none. */
static unsigned best_pending(const struct gic *g, unsigned c, unsigned *prio)
{
	const struct gic_cpu *cpu = &g->cpu[c];
	unsigned best = GIC_SPURIOUS, bp = IDLE_PRIO;
	uint32_t bits;

	if (g->ctlr & GICD_CTLR_ENABLE) {
		bits = private_pending(cpu) & cpu->enabled & ~cpu->active;
		for (; bits; bits &= bits - 1) {
			unsigned id = (unsigned)__builtin_ctz(bits);

			if (cpu->priority[id] < bp) {
				best = id;
				bp = cpu->priority[id];
			}
		}
		for (unsigned w = 1; w < g->nirqs / 32; w++) {
			bits = spi_pending(g, w) & g->enabled[w] & ~g->active[w];
			for (; bits; bits &= bits - 1) {
				unsigned id = w * 32 + (unsigned)__builtin_ctz(bits);

				if ((g->targets[id] & (1u << c)) && g->priority[id] < bp) {
					best = id;
					bp = g->priority[id];
				}
			}
		}
	}
	*prio = bp;
	return best;
}

/* The group priority of `prio` under the CPU's binary point: the bits
 * above the binary point decide preemption, the rest only order pending
 * interrupts. */
static unsigned group_prio(const struct gic_cpu *cpu, unsigned prio)
{
	if (prio >= IDLE_PRIO)
		return IDLE_PRIO;
	return prio & (0xffu << (cpu->bpr + 1)) & 0xffu;
}

static unsigned running_prio(const struct gic_cpu *cpu)
{
	return cpu->nprio ? cpu->prio_stack[cpu->nprio - 1].prio : IDLE_PRIO;
}

/* Whether an interrupt of priority `prio` passes the CPU interface: the
 * interface is on, the priority mask lets it through and it preempts
 * whatever the CPU is running. */
static bool can_signal(const struct gic_cpu *cpu, unsigned prio)
{
	return (cpu->ctlr & GICC_CTLR_ENABLE) && prio < cpu->pmr &&
	       group_prio(cpu, prio) < group_prio(cpu, running_prio(cpu));
}

/* Recompute every CPU's IRQ and FIQ outputs; drive the changed ones.
 * Called with g->lock held (see gic.h for why that is safe). */
static void update(struct gic *g)
{
	for (unsigned c = 0; c < g->ncpus; c++) {
		struct gic_cpu *cpu = &g->cpu[c];
		unsigned prio;
		unsigned id = best_pending(g, c, &prio);
		bool sig = id != GIC_SPURIOUS && can_signal(cpu, prio);
		bool fiq = sig && (cpu->ctlr & GICC_CTLR_FIQEN);
		bool irq = sig && !fiq;

		if (irq != cpu->irq_level) {
			cpu->irq_level = irq;
			irq_set(&cpu->irq_out, irq);
		}
		if (fiq != cpu->fiq_level) {
			cpu->fiq_level = fiq;
			irq_set(&cpu->fiq_out, fiq);
		}
	}
}

static void set_active(struct gic *g, unsigned c, unsigned id, bool on)
{
	uint32_t *word = id < 32 ? &g->cpu[c].active : &g->active[id / 32];

	if (on)
		*word |= bit(id);
	else
		*word &= ~bit(id);
}

/* GICC_IAR: acknowledge the interrupt that is being signalled. */
static uint32_t acknowledge(struct gic *g, unsigned c)
{
	struct gic_cpu *cpu = &g->cpu[c];
	unsigned prio, src = 0;
	unsigned id = best_pending(g, c, &prio);

	/* A full stack cannot happen with a fixed binary point (see
	 * GIC_PRIO_STACK); refusing is safer than corrupting it. */
	if (id == GIC_SPURIOUS || !can_signal(cpu, prio) || cpu->nprio == GIC_PRIO_STACK)
		return GIC_SPURIOUS;
	if (id < GIC_NR_SGIS) {
		/* One source at a time: the others stay pending. */
		src = (unsigned)__builtin_ctz(cpu->sgi_src[id]);
		cpu->sgi_src[id] &= (uint8_t)~(1u << src);
	} else if (id < 32) {
		cpu->latch &= ~bit(id);
	} else {
		g->latch[id / 32] &= ~bit(id);
	}
	set_active(g, c, id, true);
	cpu->prio_stack[cpu->nprio++] = (struct gic_active_prio){
		.id = (uint16_t)id, .src = (uint8_t)src, .prio = (uint8_t)prio,
	};
	update(g);
	return id | src << 10;
}

/* GICC_EOIR: priority drop, and deactivation in EOImode 0. An EOI for an
 * interrupt the CPU has not acknowledged is UNPREDICTABLE in GICv2; we
 * ignore it. Out-of-order EOIs drop the matching entry, newest first. */
static void end_of_interrupt(struct gic *g, unsigned c, uint32_t val)
{
	struct gic_cpu *cpu = &g->cpu[c];
	unsigned id = val & 0x3ff, src = (val >> 10) & 7;
	unsigned i = cpu->nprio;

	while (i > 0) {
		const struct gic_active_prio *e = &cpu->prio_stack[i - 1];

		if (e->id == id && (id >= GIC_NR_SGIS || e->src == src))
			break;
		i--;
	}
	if (i == 0) {
		log_debug("gic: cpu %u: EOI of %#x, which is not active here", c, val);
		return;
	}
	memmove(&cpu->prio_stack[i - 1], &cpu->prio_stack[i],
		(cpu->nprio - i) * sizeof(cpu->prio_stack[0]));
	cpu->nprio--;
	if (!(cpu->ctlr & GICC_CTLR_EOIMODE))
		set_active(g, c, id, false);
	update(g);
}

/* GICC_HPPIR: the highest-priority pending interrupt, whether or not it
 * can be signalled now. */
static uint32_t highest_pending(const struct gic *g, unsigned c)
{
	unsigned prio;
	unsigned id = best_pending(g, c, &prio);

	if (id < GIC_NR_SGIS)
		return id | (unsigned)__builtin_ctz(g->cpu[c].sgi_src[id]) << 10;
	return id;
}

/* ---- distributor ---------------------------------------------------- */

/* Word w of a bitmap register: word 0 is the accessing CPU's bank. */
static inline uint32_t *bank_word(uint32_t *shared, uint32_t *banked, unsigned w)
{
	return w == 0 ? banked : &shared[w];
}

static uint32_t read_config(const struct gic *g, unsigned c, unsigned n)
{
	uint32_t edge, v = 0;

	if (n == 0)
		return 0xaaaaaaaau;	/* SGIs: always edge-triggered */
	if (n == 1)
		edge = g->cpu[c].edge >> 16;
	else
		edge = (g->edge[n / 2] & word_mask(g, n / 2)) >> (n % 2 * 16);
	for (unsigned i = 0; i < 16; i++)
		if (edge & (1u << i))
			v |= 2u << (2 * i);
	return v;
}

static void write_config(struct gic *g, unsigned c, unsigned n, uint32_t v)
{
	uint32_t edge = 0, mask;
	uint32_t *word;
	unsigned shift;

	if (n == 0)
		return;
	for (unsigned i = 0; i < 16; i++)
		if (v & (2u << (2 * i)))
			edge |= 1u << i;
	if (n == 1) {
		word = &g->cpu[c].edge;
		mask = 0xffff0000u;
		shift = 16;
	} else {
		word = &g->edge[n / 2];
		shift = n % 2 * 16;
		mask = (0xffffu << shift) & word_mask(g, n / 2);
	}
	*word = (*word & ~mask) | ((edge << shift) & mask);
}

static uint32_t dist_read_word(struct gic *g, unsigned c, unsigned off)
{
	struct gic_cpu *cpu = &g->cpu[c];
	unsigned w = (off & 0x7f) / 4;

	if (off == GICD_CTLR)
		return g->ctlr;
	if (off == GICD_TYPER)
		return (g->nirqs / 32 - 1) | (g->ncpus - 1) << 5;
	if (off == GICD_IIDR)
		return GICD_IIDR_VALUE;
	if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR && w >= g->nirqs / 32)
		return 0;
	if (off >= GICD_ISENABLER && off < GICD_ISPENDR)
		return *bank_word(g->enabled, &cpu->enabled, w);
	if (off >= GICD_ISPENDR && off < GICD_ISACTIVER)
		return w == 0 ? private_pending(cpu) : spi_pending(g, w);
	if (off >= GICD_ISACTIVER && off < GICD_IPRIORITYR)
		return *bank_word(g->active, &cpu->active, w);
	if (off >= GICD_ICFGR && off < GICD_ICFGR + g->nirqs / 4)
		return read_config(g, c, (off - GICD_ICFGR) / 4);
	if (off >= GICD_ID_BASE)
		return gicd_id_regs[(off - GICD_ID_BASE) / 4];
	/* IGROUPR (all Group 0), NSACR, the SGIR (write-only) and reserved
	 * space read as zero. */
	return 0;
}

static void send_sgi(struct gic *g, unsigned c, uint32_t v)
{
	unsigned id = v & 0xf;
	uint32_t targets;

	switch ((v >> 24) & 3) {
	case 0:
		targets = (v >> 16) & 0xff;
		break;
	case 1:
		targets = cpu_mask(g) & ~(1u << c);
		break;
	case 2:
		targets = 1u << c;
		break;
	default:
		return;		/* reserved filter value */
	}
	targets &= cpu_mask(g);
	for (unsigned t = 0; t < g->ncpus; t++)
		if (targets & (1u << t))
			g->cpu[t].sgi_src[id] |= (uint8_t)(1u << c);
}

static void dist_write_word(struct gic *g, unsigned c, unsigned off, uint32_t v)
{
	struct gic_cpu *cpu = &g->cpu[c];
	unsigned w = (off & 0x7f) / 4;
	uint32_t mask = w == 0 ? ~0u : word_mask(g, w);

	if (off == GICD_CTLR) {
		g->ctlr = v & GICD_CTLR_MASK;
	} else if (off >= GICD_ISENABLER && off < GICD_IPRIORITYR) {
		if (w >= g->nirqs / 32)
			return;
		v &= mask;
		switch (off & ~0x7fu) {
		case GICD_ISENABLER:
			*bank_word(g->enabled, &cpu->enabled, w) |= v;
			break;
		case GICD_ICENABLER:
			*bank_word(g->enabled, &cpu->enabled, w) &= ~v;
			break;
		case GICD_ISPENDR:
			/* SGI pending bits are set through SPENDSGIR. */
			*bank_word(g->latch, &cpu->latch, w) |= w ? v : v & 0xffff0000u;
			break;
		case GICD_ICPENDR:
			*bank_word(g->latch, &cpu->latch, w) &= w ? ~v : ~(v & 0xffff0000u);
			break;
		case GICD_ISACTIVER:
			*bank_word(g->active, &cpu->active, w) |= v;
			break;
		case GICD_ICACTIVER:
			*bank_word(g->active, &cpu->active, w) &= ~v;
			break;
		}
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR + g->nirqs / 4) {
		write_config(g, c, (off - GICD_ICFGR) / 4, v);
	} else if (off == GICD_SGIR) {
		send_sgi(g, c, v);
	} else {
		return;		/* read-only or reserved: WI */
	}
	update(g);
}

static bool byte_register(unsigned off)
{
	return (off >= GICD_IPRIORITYR && off < GICD_ICFGR) ||
	       (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16);
}

static uint8_t dist_read_byte(const struct gic *g, unsigned c, unsigned off)
{
	const struct gic_cpu *cpu = &g->cpu[c];

	if (off >= GICD_CPENDSGIR)
		return cpu->sgi_src[(off - GICD_CPENDSGIR) % 16];
	if (off < GICD_ITARGETSR) {
		unsigned id = off - GICD_IPRIORITYR;

		return id < nids(g) ? priority_of(g, c, id) : 0;
	}
	unsigned id = off - GICD_ITARGETSR;

	/* Private interrupts target the reader; Linux learns each CPU's
	 * interface number from these bytes (gic_get_cpumask). We do so even
	 * with one CPU, where GICv2 has them RAZ and SPI targets fixed: with
	 * RAZ, Linux would send its self-IPIs with an empty target list and
	 * program every SPI's (here writable) targets to 0. */
	if (id < 32)
		return (uint8_t)(1u << c);
	return id < nids(g) ? g->targets[id] : 0;
}

static void dist_write_byte(struct gic *g, unsigned c, unsigned off, uint8_t v)
{
	struct gic_cpu *cpu = &g->cpu[c];

	if (off >= GICD_SPENDSGIR) {
		cpu->sgi_src[off - GICD_SPENDSGIR] |= (uint8_t)(v & cpu_mask(g));
	} else if (off >= GICD_CPENDSGIR) {
		cpu->sgi_src[off - GICD_CPENDSGIR] &= (uint8_t)~v;
	} else if (off < GICD_ITARGETSR) {
		unsigned id = off - GICD_IPRIORITYR;

		if (id >= nids(g))
			return;
		if (id < 32)
			cpu->priority[id] = v;
		else
			g->priority[id] = v;
	} else {
		unsigned id = off - GICD_ITARGETSR;

		if (id < 32 || id >= nids(g))
			return;	/* read-only for SGIs and PPIs */
		g->targets[id] = (uint8_t)(v & cpu_mask(g));
	}
}

static int dist_read(void *opaque, unsigned c, uint64_t offset, unsigned size, uint64_t *val)
{
	struct gic *g = opaque;
	unsigned off = (unsigned)offset;
	uint32_t v = 0;

	if (c >= g->ncpus || offset >= GIC_DIST_SIZE || (offset & (size - 1)))
		return -1;
	if (size != 4 && !(size == 1 && byte_register(off)))
		return -1;
	pthread_mutex_lock(&g->lock);
	if (byte_register(off)) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)dist_read_byte(g, c, off + i) << (8 * i);
	} else {
		v = dist_read_word(g, c, off);
	}
	pthread_mutex_unlock(&g->lock);
	*val = v;
	return 0;
}

static int dist_write(void *opaque, unsigned c, uint64_t offset, unsigned size, uint64_t val)
{
	struct gic *g = opaque;
	unsigned off = (unsigned)offset;

	if (c >= g->ncpus || offset >= GIC_DIST_SIZE || (offset & (size - 1)))
		return -1;
	if (size != 4 && !(size == 1 && byte_register(off)))
		return -1;
	pthread_mutex_lock(&g->lock);
	if (byte_register(off)) {
		for (unsigned i = 0; i < size; i++)
			dist_write_byte(g, c, off + i, (uint8_t)(val >> (8 * i)));
		update(g);
	} else {
		dist_write_word(g, c, off, (uint32_t)val);
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

const struct mmio_ops gic_dist_ops = {
	.name = "gic-dist",
	.read = dist_read,
	.write = dist_write,
};

/* ---- CPU interface -------------------------------------------------- */

static uint32_t cpu_read_reg(struct gic *g, unsigned c, unsigned off)
{
	struct gic_cpu *cpu = &g->cpu[c];

	switch (off) {
	case GICC_CTLR:
		return cpu->ctlr;
	case GICC_PMR:
		return cpu->pmr;
	case GICC_BPR:
		return cpu->bpr;
	case GICC_IAR:
		return acknowledge(g, c);
	case GICC_RPR:
		return cpu->nprio ? running_prio(cpu) : 0xff;
	case GICC_HPPIR:
		return highest_pending(g, c);
	case GICC_ABPR:
		return cpu->abpr;
	case GICC_AIAR:
	case GICC_AHPPIR:
		return GIC_SPURIOUS;	/* there are no Group 1 interrupts */
	case GICC_IIDR:
		return GICC_IIDR_VALUE;
	default:
		return 0;	/* APRs, write-only and reserved registers */
	}
}

static void cpu_write_reg(struct gic *g, unsigned c, unsigned off, uint32_t v)
{
	struct gic_cpu *cpu = &g->cpu[c];

	switch (off) {
	case GICC_CTLR:
		cpu->ctlr = v & GICC_CTLR_MASK;
		break;
	case GICC_PMR:
		cpu->pmr = (uint8_t)v;
		break;
	case GICC_BPR:
		cpu->bpr = v & 7;
		break;
	case GICC_EOIR:
		end_of_interrupt(g, c, v);
		return;
	case GICC_ABPR:
		/* Group 1's binary point is at least one above Group 0's
		 * minimum (0 with 8 priority bits). */
		cpu->abpr = (v & 7) ? (uint8_t)(v & 7) : 1;
		break;
	case GICC_DIR:
		/* Without EOImode, EOIR has deactivated already and a DIR
		 * write is UNPREDICTABLE: ignore it. */
		if (!(cpu->ctlr & GICC_CTLR_EOIMODE) || (v & 0x3ff) >= nids(g))
			return;
		set_active(g, c, v & 0x3ff, false);
		break;
	default:
		return;		/* AEOIR (no Group 1), APRs, read-only: WI */
	}
	update(g);
}

static int cpu_read(void *opaque, unsigned c, uint64_t offset, unsigned size, uint64_t *val)
{
	struct gic *g = opaque;
	uint32_t v;

	if (c >= g->ncpus || offset >= GIC_CPU_SIZE || size != 4 || (offset & 3))
		return -1;
	pthread_mutex_lock(&g->lock);
	v = cpu_read_reg(g, c, (unsigned)offset);
	pthread_mutex_unlock(&g->lock);
	*val = v;
	return 0;
}

static int cpu_write(void *opaque, unsigned c, uint64_t offset, unsigned size, uint64_t val)
{
	struct gic *g = opaque;

	if (c >= g->ncpus || offset >= GIC_CPU_SIZE || size != 4 || (offset & 3))
		return -1;
	pthread_mutex_lock(&g->lock);
	cpu_write_reg(g, c, (unsigned)offset, (uint32_t)val);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

const struct mmio_ops gic_cpu_ops = {
	.name = "gic-cpu",
	.read = cpu_read,
	.write = cpu_write,
};

/* ---- input lines ---------------------------------------------------- */

/* An input line changed level. Edge inputs latch on the rising edge;
 * level inputs are pending while high (see the top of the file). */
static void set_input(struct gic *g, uint32_t *line, uint32_t *edge, uint32_t *latch,
		      uint32_t b, bool level)
{
	pthread_mutex_lock(&g->lock);
	if (level != !!(*line & b)) {
		if (level) {
			*line |= b;
			if (*edge & b)
				*latch |= b;
		} else {
			*line &= ~b;
		}
		update(g);
	}
	pthread_mutex_unlock(&g->lock);
}

static void spi_set(void *opaque, unsigned id, bool level)
{
	struct gic *g = opaque;
	unsigned w = id / 32;

	set_input(g, &g->line[w], &g->edge[w], &g->latch[w], bit(id), level);
}

/* n = cpu * 32 + interrupt ID */
static void ppi_set(void *opaque, unsigned n, bool level)
{
	struct gic *g = opaque;
	struct gic_cpu *cpu = &g->cpu[n / 32];

	set_input(g, &cpu->line, &cpu->edge, &cpu->latch, bit(n), level);
}

struct irq_line gic_spi_line(struct gic *g, unsigned spi)
{
	if (spi >= nids(g) - GIC_SPI_BASE) {
		log_error("gic: SPI %u does not exist (%u interrupt IDs)", spi, nids(g));
		return (struct irq_line){ .set = NULL };
	}
	return (struct irq_line){ .set = spi_set, .opaque = g, .n = GIC_SPI_BASE + spi };
}

struct irq_line gic_ppi_line(struct gic *g, unsigned cpu, unsigned ppi)
{
	unsigned id = ppi < GIC_PPI_BASE ? GIC_PPI_BASE + ppi : ppi;

	if (cpu >= g->ncpus || id >= GIC_SPI_BASE) {
		log_error("gic: no PPI %u on CPU %u", ppi, cpu);
		return (struct irq_line){ .set = NULL };
	}
	return (struct irq_line){ .set = ppi_set, .opaque = g, .n = cpu * 32 + id };
}

/* ---- life cycle ----------------------------------------------------- */

int gic_init(struct gic *g, unsigned ncpus, unsigned nirqs,
	     const struct irq_line cpu_irq[], const struct irq_line cpu_fiq[])
{
	int err;

	if (ncpus < 1 || ncpus > GIC_MAX_CPUS || nirqs < 32 || nirqs > GIC_MAX_IRQS ||
	    nirqs % 32 || !cpu_irq) {
		log_error("gic: unsupported configuration: %u CPUs, %u interrupts", ncpus, nirqs);
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	err = pthread_mutex_init(&g->lock, NULL);
	if (err)
		return -err;
	g->ncpus = ncpus;
	g->nirqs = nirqs;
	for (unsigned c = 0; c < ncpus; c++) {
		struct gic_cpu *cpu = &g->cpu[c];

		cpu->edge = 0x0000ffffu;	/* SGIs; PPIs reset to level */
		cpu->abpr = 1;
		cpu->irq_out = cpu_irq[c];
		if (cpu_fiq)
			cpu->fiq_out = cpu_fiq[c];
	}
	return 0;
}

void gic_destroy(struct gic *g)
{
	pthread_mutex_destroy(&g->lock);
}
