/* smp.c — the board test (tests/board/run.sh): two vCPUs, PSCI, GIC
 * SGIs and PPIs, the generic timer and WFI sleep, the PL011 console.
 *
 * CPU 0 boots, checks PSCI_VERSION and FEATURES, starts CPU 1 with
 * CPU_ON (which must arrive with its context in r0), wakes it from WFI
 * with an SGI, waits for it to power itself off (AFFINITY_INFO), then
 * sleeps in WFI until its virtual timer fires, and powers the machine off.
 * Every step prints a line; a failure prints "FAIL ..." and powers off. */
#include <stdint.h>

#define UART_DR    0x09000000u
#define GICD       0x08000000u
#define GICC       0x08010000u
#define PSCI_VERSION       0x84000000u
#define PSCI_CPU_OFF       0x84000002u
#define PSCI_CPU_ON        0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_SYSTEM_OFF    0x84000008u
#define PSCI_FEATURES      0x8400000au
#define SGI_WAKE   1u
#define TIMER_VIRT 27u

int32_t psci(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3);
void secondary_entry(void);

static volatile uint32_t cpu1_state;	/* 1 ready, 2 got the SGI */

static void mmio_write(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static uint32_t mmio_read(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void puts_(const char *s)
{
	while (*s)
		mmio_write(UART_DR, (uint8_t)*s++);
}

static void puthex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		mmio_write(UART_DR, (uint8_t)"0123456789abcdef"[(v >> i) & 15]);
}

static void fail(const char *what, uint32_t v)
{
	puts_("FAIL ");
	puts_(what);
	puts_(" ");
	puthex(v);
	puts_("\n");
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
}

static void wfi(void)
{
	__asm__ volatile("dsb\n\twfi" ::: "memory");
}

/* This CPU's GIC interface on, everything unmasked at priority 0xf0. */
static void gic_cpu_init(void)
{
	mmio_write(GICC + 0x004, 0xf0);		/* PMR */
	mmio_write(GICC + 0x000, 1);		/* CTLR */
}

static uint32_t gic_ack(void)
{
	return mmio_read(GICC + 0x00c) & 0x3ff;	/* IAR */
}

static void gic_eoi(uint32_t id)
{
	mmio_write(GICC + 0x010, id);
}

void main1(uint32_t context)
{
	uint32_t id;

	if (context != 0x1234)
		fail("cpu1 context", context);
	gic_cpu_init();
	mmio_write(GICD + 0x100, 1u << SGI_WAKE);	/* ISENABLER0, banked */
	puts_("cpu1 up\n");
	cpu1_state = 1;
	/* IRQs stay masked: WFI must wake on the pending SGI anyway. */
	do
		wfi();
	while (!(mmio_read(GICC + 0x018) < 1020));	/* HPPIR */
	id = gic_ack();
	if (id != SGI_WAKE)
		fail("cpu1 interrupt", id);
	gic_eoi(id);
	puts_("cpu1 sgi\n");
	cpu1_state = 2;
	psci(PSCI_CPU_OFF, 0, 0, 0);
	fail("cpu1 still on", 0);
}

static uint64_t cntvct(void)
{
	uint32_t lo, hi;

	__asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void timer_wait(void)
{
	uint64_t t0 = cntvct(), t1;
	uint32_t id;

	mmio_write(GICD + 0x100, 1u << TIMER_VIRT);
	/* 2 ms at 62.5 MHz, then enabled and unmasked. */
	__asm__ volatile("mcr p15, 0, %0, c14, c3, 0" ::"r"(125000u));
	__asm__ volatile("mcr p15, 0, %0, c14, c3, 1" ::"r"(1u));
	do
		wfi();
	while (!(mmio_read(GICC + 0x018) < 1020));
	t1 = cntvct();
	id = gic_ack();
	if (id != TIMER_VIRT)
		fail("timer interrupt", id);
	if (t1 - t0 < 125000u)
		fail("timer woke early, ticks", (uint32_t)(t1 - t0));
	__asm__ volatile("mcr p15, 0, %0, c14, c3, 1" ::"r"(0u));
	gic_eoi(id);
	puts_("timer\n");
}

void main0(void)
{
	int32_t r;

	puts_("boot\n");
	if ((r = psci(PSCI_VERSION, 0, 0, 0)) != 0x10000)
		fail("PSCI version", (uint32_t)r);
	if ((r = psci(PSCI_FEATURES, PSCI_CPU_ON, 0, 0)) != 0)
		fail("PSCI FEATURES(CPU_ON)", (uint32_t)r);
	if ((r = psci(PSCI_FEATURES, 0x84000042u, 0, 0)) != -1)
		fail("PSCI FEATURES(unknown)", (uint32_t)r);
	if ((r = psci(PSCI_CPU_ON, 7, (uint32_t)secondary_entry, 0)) != -2)
		fail("CPU_ON of a missing CPU", (uint32_t)r);
	if ((r = psci(PSCI_AFFINITY_INFO, 1, 0, 0)) != 1)
		fail("cpu1 not off at boot", (uint32_t)r);
	gic_cpu_init();
	mmio_write(GICD + 0x000, 1);			/* distributor on */
	if ((r = psci(PSCI_CPU_ON, 1, (uint32_t)secondary_entry, 0x1234)) != 0)
		fail("CPU_ON", (uint32_t)r);
	r = psci(PSCI_CPU_ON, 1, (uint32_t)secondary_entry, 0x1234);
	if (r != -4 && r != -5)
		fail("second CPU_ON", (uint32_t)r);
	while (cpu1_state != 1)
		;
	/* SEVs while cpu1 sleeps in WFI: an event does not end a WFI, so
	 * none of them may wake its host thread (run.sh counts wake-ups). */
	for (int i = 0; i < 10000; i++) {
		__asm__ volatile("sev");
		for (volatile int d = 0; d < 20; d++)
			;
	}
	/* cpu1 is (about to be) asleep in WFI: an SGI must wake it. */
	mmio_write(GICD + 0xf00, (2u << 16) | SGI_WAKE);	/* SGIR: target list {CPU 1} */
	while (cpu1_state != 2)
		;
	while (psci(PSCI_AFFINITY_INFO, 1, 0, 0) != 1)
		;
	puts_("cpu1 off\n");
	timer_wait();
	puts_("done\n");
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	fail("still running after SYSTEM_OFF", 0);
}
