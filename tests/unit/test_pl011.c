/* test_pl011.c — the PL011 UART model (machine/pl011.c) through its MMIO
 * ops, host input, the transmit callback and a recording interrupt line. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>

#include "machine/pl011.h"

enum {
	DR = 0x000, RSR = 0x004, FR = 0x018, IBRD = 0x024, FBRD = 0x028, LCR_H = 0x02c,
	CR = 0x030, IFLS = 0x034, IMSC = 0x038, RIS = 0x03c, MIS = 0x040, ICR = 0x044,
	DMACR = 0x048,
};
enum { FR_BUSY = 1 << 3, FR_RXFE = 1 << 4, FR_TXFF = 1 << 5, FR_RXFF = 1 << 6, FR_TXFE = 1 << 7 };
enum { RXIM = 1 << 4, TXIM = 1 << 5, RTIM = 1 << 6, OEIM = 1 << 10 };
enum { CR_UARTEN = 1 << 0, CR_LBE = 1 << 7, CR_TXE = 1 << 8, CR_RXE = 1 << 9 };
enum { FEN = 1 << 4 };

static struct pl011 u;
static bool irq_level;
static unsigned irq_changes;
static uint8_t sent[256];
static unsigned nsent;
static unsigned notified;

static void rec_irq(void *opaque, unsigned n, bool level)
{
	cr_assert_neq(irq_level, level, "interrupt driven to the level it had");
	irq_level = level;
	irq_changes++;
}

static void rec_tx(void *opaque, uint8_t byte)
{
	cr_assert_eq(opaque, &u);
	if (nsent < sizeof(sent))
		sent[nsent] = byte;
	nsent++;
}

static void rec_notify(void *opaque)
{
	notified++;
}

static void setup(void)
{
	struct irq_line irq = { .set = rec_irq, .opaque = NULL, .n = 1 };

	irq_level = false;
	irq_changes = nsent = notified = 0;
	cr_assert_eq(pl011_init(&u, irq, rec_tx, &u), 0);
	pl011_set_rx_notify(&u, rec_notify, NULL);
}

static uint32_t rd(unsigned off)
{
	uint64_t v = 0xdeadbeef;

	cr_assert_eq(pl011_ops.read(&u, 0, off, 4, &v), 0, "read %#x", off);
	return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
	cr_assert_eq(pl011_ops.write(&u, 0, off, 4, v), 0, "write %#x", off);
}

/* What Linux's pl011_startup and set_termios leave: UART on, FIFOs on. */
static void start(unsigned ifls)
{
	wr(IFLS, ifls);
	wr(LCR_H, FEN | 0x60);	/* 8 bits, FIFOs */
	wr(CR, CR_UARTEN | CR_TXE | CR_RXE);
}

static void feed(const char *s, size_t expect)
{
	cr_assert_eq(pl011_receive(&u, (const uint8_t *)s, strlen(s)), expect);
}

Test(pl011, identification)
{
	uint32_t pid = 0, cid = 0;
	uint64_t v;

	setup();
	for (unsigned i = 0; i < 4; i++) {
		pid |= (rd(0xfe0 + 4 * i) & 0xff) << (8 * i);
		cid |= (rd(0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	cr_assert_eq(pid & 0x000fffff, 0x00041011, "AMBA id Linux matches (rev masked)");
	cr_assert_geq((pid >> 20) & 0xf, 3, "revision 3: Linux assumes 32-entry FIFOs");
	cr_assert_eq(cid, 0xb105f00d, "PrimeCell");
	cr_assert_eq(pl011_ops.read(&u, 0, 0xfe0, 1, &v), 0);
	cr_assert_eq(v, 0x11);

	/* Reset values (TRM). */
	cr_assert_eq(rd(FR), FR_TXFE | FR_RXFE);
	cr_assert_eq(rd(CR), CR_TXE | CR_RXE);
	cr_assert_eq(rd(IFLS), 0x12);
	cr_assert_eq(rd(IMSC), 0);
	cr_assert_eq(rd(RIS), 0, "no interrupt at reset, not even TX");

	/* Stored configuration. */
	wr(IBRD, 0x1234);
	wr(FBRD, 0xff);
	wr(DMACR, 0x7);
	cr_assert_eq(rd(IBRD), 0x1234);
	cr_assert_eq(rd(FBRD), 0x3f);
	cr_assert_eq(rd(DMACR), 0x7);

	/* Access rules: 8/16/32-bit, aligned, inside the 4 KiB window. */
	cr_assert_eq(pl011_ops.read(&u, 0, FR, 2, &v), 0);
	cr_assert_eq(v, FR_TXFE | FR_RXFE);
	cr_assert_eq(pl011_ops.read(&u, 0, FR, 8, &v), -1);
	cr_assert_eq(pl011_ops.read(&u, 0, FR + 1, 2, &v), -1);
	cr_assert_eq(pl011_ops.write(&u, 0, CR + 2, 2, 0), -1);
	cr_assert_eq(pl011_ops.read(&u, 0, PL011_SIZE, 4, &v), -1);
	pl011_destroy(&u);
}

Test(pl011, transmit_reaches_the_host)
{
	static const char msg[] = "Booting Linux\r\n";

	setup();
	start(0x12);
	for (const char *p = msg; *p; p++) {
		cr_assert_not(rd(FR) & (FR_TXFF | FR_BUSY), "never full, never busy");
		cr_assert_eq(pl011_ops.write(&u, 0, DR, 2, (uint8_t)*p), 0);	/* writew */
	}
	cr_assert_eq(nsent, strlen(msg));
	cr_assert_arr_eq(sent, msg, strlen(msg));
	cr_assert(rd(FR) & FR_TXFE);

	/* Bare-metal code writes UARTDR without enabling the UART. */
	wr(CR, 0);
	wr(DR, 'x');
	cr_assert_eq(nsent, strlen(msg) + 1);
	pl011_destroy(&u);
}

Test(pl011, tx_interrupt_after_each_write)
{
	setup();
	start(0x12);
	wr(IMSC, TXIM);
	cr_assert_not(irq_level, "TX FIFO empty at reset is not a TX interrupt");
	wr(DR, 'a');
	cr_assert(irq_level, "the byte left: TX interrupt");
	cr_assert_eq(rd(MIS), TXIM);
	/* Linux's pl011_int does not clear TXIS: it writes more data. */
	wr(DR, 'b');
	cr_assert(irq_level);
	/* pl011_stop_tx masks it when nothing is left. */
	wr(IMSC, 0);
	cr_assert_not(irq_level);
	cr_assert_eq(rd(RIS) & TXIM, TXIM, "raw status stays");
	cr_assert_eq(rd(MIS), 0);
	wr(IMSC, TXIM);
	cr_assert(irq_level);
	wr(ICR, TXIM);
	cr_assert_not(irq_level);
	cr_assert_eq(rd(RIS), 0);
	pl011_destroy(&u);
}

Test(pl011, rx_fifo_and_trigger_level)
{
	char buf[64];

	setup();
	start(2 << 3);		/* RX 1/2 full: 16 of 32 */
	wr(IMSC, RXIM);

	memset(buf, 0, sizeof(buf));
	memset(buf, 'a', 15);
	feed(buf, 15);
	cr_assert_not(rd(FR) & FR_RXFE);
	cr_assert_not(rd(RIS) & RXIM, "below the trigger level");
	cr_assert_not(irq_level);
	cr_assert(rd(RIS) & RTIM, "but the line went idle: timeout");
	feed("b", 1);
	cr_assert(rd(RIS) & RXIM, "16 bytes: trigger level");
	cr_assert(irq_level);
	cr_assert_eq(rd(DR), 'a');
	cr_assert_not(rd(RIS) & RXIM, "15 left: below the level again");
	cr_assert_not(irq_level);

	/* Fill up: the FIFO takes 17 more, and refuses the rest. */
	memset(buf, 'c', 20);
	buf[20] = 0;
	feed(buf, 17);
	cr_assert(rd(FR) & FR_RXFF);
	cr_assert_not(pl011_can_receive(&u));
	cr_assert_eq(rd(RSR), 0, "no overrun: the host input waits");
	cr_assert_eq(notified, 0);

	/* Drain in order; the first read makes room and wakes the sender. */
	for (unsigned i = 0; i < 32; i++) {
		uint32_t c = rd(DR);

		cr_assert_eq(c, i < 14 ? 'a' : i == 14 ? 'b' : 'c', "byte %u", i);
		cr_assert_eq(notified, 1);
	}
	cr_assert(rd(FR) & FR_RXFE);
	cr_assert_eq(rd(RIS) & (RXIM | RTIM), 0, "empty: RX and timeout cleared");
	cr_assert(pl011_can_receive(&u));
	pl011_destroy(&u);
}

Test(pl011, rx_timeout_interrupt_for_a_keystroke)
{
	setup();
	start(0x12);
	wr(IMSC, RXIM | RTIM);	/* as Linux's pl011_enable_interrupts */
	feed("l", 1);
	cr_assert(irq_level, "one keystroke is delivered by the timeout");
	cr_assert_eq(rd(MIS), RTIM);
	cr_assert_eq(rd(DR), 'l');
	cr_assert_not(irq_level);

	/* ICR clears the timeout while data stays. */
	feed("ls", 2);
	cr_assert(irq_level);
	wr(ICR, RTIM);
	cr_assert_not(irq_level);
	cr_assert_not(rd(FR) & FR_RXFE);
	pl011_destroy(&u);
}

Test(pl011, fifos_disabled_hold_one_byte)
{
	setup();
	wr(CR, CR_UARTEN | CR_TXE | CR_RXE);
	wr(IMSC, RXIM);
	feed("xy", 1);
	cr_assert(irq_level, "FIFOs off: every byte is an RX interrupt");
	cr_assert(rd(FR) & FR_RXFF);
	cr_assert_eq(rd(DR), 'x');
	cr_assert_not(irq_level);
	cr_assert_eq(notified, 1);
	feed("y", 1);
	cr_assert(irq_level);
	pl011_destroy(&u);
}

Test(pl011, receiver_off_refuses_input)
{
	setup();
	cr_assert_not(pl011_can_receive(&u), "UARTEN clear at reset");
	feed("q", 0);
	wr(CR, CR_UARTEN | CR_TXE);
	cr_assert_not(pl011_can_receive(&u), "RXE clear");
	cr_assert_eq(notified, 0);
	wr(CR, CR_UARTEN | CR_TXE | CR_RXE);
	cr_assert_eq(notified, 1, "enabling the receiver wakes the sender");
	feed("q", 1);
	cr_assert_eq(rd(DR), 'q');
	pl011_destroy(&u);
}

Test(pl011, masking_and_clearing)
{
	setup();
	start(0x12);
	feed("z", 1);
	wr(DR, '!');
	cr_assert_eq(rd(RIS), TXIM | RTIM);
	cr_assert_eq(rd(MIS), 0);
	cr_assert_not(irq_level, "all masked");
	wr(IMSC, RTIM);
	cr_assert(irq_level);
	cr_assert_eq(rd(MIS), RTIM);
	wr(IMSC, TXIM);
	cr_assert(irq_level);
	cr_assert_eq(rd(MIS), TXIM);
	wr(ICR, 0x7ff);
	cr_assert_not(irq_level);
	cr_assert_eq(rd(RIS), 0);
	cr_assert_eq(rd(DR), 'z', "clearing interrupts keeps the data");
	cr_assert_eq(irq_changes, 2, "one rise, one fall");
	pl011_destroy(&u);
}

Test(pl011, loopback_and_overrun)
{
	setup();
	start(0x12);
	wr(CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
	wr(IMSC, OEIM);
	for (unsigned i = 0; i < 33; i++)
		wr(DR, 'A' + i % 26);
	cr_assert_eq(nsent, 0, "loopback: nothing leaves");
	cr_assert(rd(FR) & FR_RXFF);
	cr_assert(irq_level, "overrun interrupt");
	cr_assert_eq(rd(RSR), 1u << 3, "OE");
	for (unsigned i = 0; i < 31; i++)
		cr_assert_eq(rd(DR), 'A' + i % 26);
	cr_assert_eq(rd(DR), ((1u << 11) | ('A' + 31 % 26)), "the newest byte carries OE");
	wr(RSR, 0);		/* ECR */
	cr_assert_eq(rd(RSR), 0);
	wr(ICR, OEIM);
	cr_assert_not(irq_level);
	pl011_destroy(&u);
}

/* The host feeds a long stream while a vCPU reads it: nothing is lost or
 * reordered, whatever the interleaving. */
#define STREAM 20000

static void *producer(void *arg)
{
	uint8_t buf[64];
	unsigned next = 0;

	while (next < STREAM) {
		size_t n = 0;

		while (n < sizeof(buf) && next + n < STREAM) {
			buf[n] = (uint8_t)((next + n) * 7);
			n++;
		}
		size_t got = pl011_receive(&u, buf, n);

		next += (unsigned)got;
		if (got < n)
			sched_yield();
	}
	return NULL;
}

Test(pl011, concurrent_receive_and_read)
{
	pthread_t t;
	unsigned seen = 0;

	setup();
	start(0x12);
	cr_assert_eq(pthread_create(&t, NULL, producer, NULL), 0);
	while (seen < STREAM) {
		uint64_t fr, dr;

		pl011_ops.read(&u, 1, FR, 2, &fr);
		if (fr & FR_RXFE) {
			sched_yield();
			continue;
		}
		pl011_ops.read(&u, 1, DR, 2, &dr);
		cr_assert_eq(dr, (uint8_t)(seen * 7), "byte %u", seen);
		seen++;
	}
	pthread_join(t, NULL);
	cr_assert(rd(FR) & FR_RXFE);
	pl011_destroy(&u);
}
