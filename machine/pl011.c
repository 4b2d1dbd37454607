/* pl011.c — PL011 UART (see pl011.h for what is modelled).
 *
 * Interrupts (TRM 2.8, "Interrupts"), as this model raises them:
 *  - TX: the TRM's transmit interrupt fires when written data leaves the
 *    FIFO and its fill drops to the trigger level, not on the level itself
 *    (so it is not pending at reset). Our transmitter drains at once, so
 *    every UARTDR write sets TXRIS; only ICR clears it. Linux's driver
 *    writes bytes while TXFF is clear (always, here) and keeps TXIM set
 *    only while it still has data, so transmission never stalls.
 *  - RX: set when a received byte brings the FIFO to the IFLS trigger
 *    level (1 byte with FIFOs off); cleared when reads take the fill
 *    below it, or by ICR.
 *  - RX timeout: the hardware raises it once the FIFO is non-empty and no
 *    byte arrived for 32 bit periods. There is no bit clock here, so it is
 *    raised at the end of every pl011_receive() call that leaves data in
 *    the FIFO: the host delivered what it had, and the line is idle. It is
 *    cleared when the FIFO empties, or by ICR. This is what lets a single
 *    keystroke, below the trigger level, reach an interactive shell. */
#include "machine/pl011.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

#define UARTDR		0x000
#define UARTRSR		0x004	/* read: RSR; write: ECR */
#define UARTFR		0x018
#define UARTILPR	0x020
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTDMACR	0x048
#define UART_ID_BASE	0xfe0

/* Error bits: DR[11:8] and RSR[3:0]. */
#define ERR_FE		(1u << 0)
#define ERR_PE		(1u << 1)
#define ERR_BE		(1u << 2)
#define ERR_OE		(1u << 3)

#define FR_RXFE		(1u << 4)
#define FR_TXFF		(1u << 5)
#define FR_RXFF		(1u << 6)
#define FR_TXFE		(1u << 7)

#define LCR_H_FEN	(1u << 4)

#define CR_UARTEN	(1u << 0)
#define CR_LBE		(1u << 7)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)

/* Interrupt bits, the same in IMSC, RIS, MIS and ICR. */
#define INT_RX		(1u << 4)
#define INT_TX		(1u << 5)
#define INT_RT		(1u << 6)
#define INT_OE		(1u << 10)
#define INT_ALL		0x7ffu

/* PeriphID 0x00341011 (part 0x011, designer ARM, revision 3 = r1p5, the
 * revision with 32-entry FIFOs: Linux sizes its FIFO from it, 16 entries
 * below revision 3) and the PrimeCell ID 0xb105f00d. */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static unsigned fifo_depth(const struct pl011 *u)
{
	return (u->lcr_h & LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* RX fill at which the RX interrupt fires: IFLS.RXIFLSEL selects 1/8,
 * 1/4, 1/2, 3/4 or 7/8 of the FIFO (the reserved values act as 7/8). */
static unsigned rx_trigger(const struct pl011 *u)
{
	static const unsigned eighths[8] = { 1, 2, 4, 6, 7, 7, 7, 7 };

	if (!(u->lcr_h & LCR_H_FEN))
		return 1;
	return PL011_FIFO_DEPTH * eighths[(u->ifls >> 3) & 7] / 8;
}

static bool rx_enabled(const struct pl011 *u)
{
	return (u->cr & (CR_UARTEN | CR_RXE)) == (CR_UARTEN | CR_RXE);
}

static void update_irq(struct pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->level) {
		u->level = level;
		irq_set(&u->irq, level);
	}
}

/* One byte arrives on the receive side (host input or loopback). */
static void rx_push(struct pl011 *u, uint8_t byte)
{
	if (u->rx_count >= fifo_depth(u)) {
		/* Overrun: the byte is lost and flagged on the newest entry. */
		unsigned last = (u->rx_head + u->rx_count - 1) % PL011_FIFO_DEPTH;

		u->rx_fifo[last] |= ERR_OE << 8;
		u->rsr |= ERR_OE;
		u->ris |= INT_OE;
		return;
	}
	u->rx_fifo[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = byte;
	u->rx_count++;
	if (u->rx_count >= rx_trigger(u))
		u->ris |= INT_RX;
}

static uint32_t rx_pop(struct pl011 *u)
{
	uint32_t v;

	if (u->rx_count == 0)
		return 0;
	v = u->rx_fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
	u->rx_count--;
	/* RSR holds the errors of the character just read; an overrun
	 * stays until cleared. */
	u->rsr = (u->rsr & ERR_OE) | ((v >> 8) & (ERR_FE | ERR_PE | ERR_BE));
	if (u->rx_count < rx_trigger(u))
		u->ris &= ~INT_RX;
	if (u->rx_count == 0)
		u->ris &= ~INT_RT;
	return v;
}

/* Whether a refused sender should be told that there is room now. */
static bool take_rx_wakeup(struct pl011 *u)
{
	if (u->rx_refused && rx_enabled(u) && u->rx_count < fifo_depth(u)) {
		u->rx_refused = false;
		return u->rx_notify != NULL;
	}
	return false;
}

static uint32_t read_reg(struct pl011 *u, unsigned reg)
{
	switch (reg) {
	case UARTDR:
		return rx_pop(u);
	case UARTRSR:
		return u->rsr;
	case UARTFR:
		return FR_TXFE | (u->rx_count == 0 ? FR_RXFE : 0) |
		       (u->rx_count >= fifo_depth(u) ? FR_RXFF : 0);
	case UARTILPR:
		return u->ilpr;
	case UARTIBRD:
		return u->ibrd;
	case UARTFBRD:
		return u->fbrd;
	case UARTLCR_H:
		return u->lcr_h;
	case UARTCR:
		return u->cr;
	case UARTIFLS:
		return u->ifls;
	case UARTIMSC:
		return u->imsc;
	case UARTRIS:
		return u->ris;
	case UARTMIS:
		return u->ris & u->imsc;
	case UARTDMACR:
		return u->dmacr;
	default:
		if (reg >= UART_ID_BASE)
			return id_regs[(reg - UART_ID_BASE) / 4];
		return 0;	/* ICR (write-only), test registers, reserved */
	}
}

static void transmit(struct pl011 *u, uint8_t byte)
{
	/* Sent whether or not UARTEN/TXE are set, as on QEMU: code that
	 * runs before Linux's driver (earlycon, bare-metal tests) often
	 * writes UARTDR without enabling the UART. */
	if (u->cr & CR_LBE)
		rx_push(u, byte);
	else if (u->tx)
		u->tx(u->tx_opaque, byte);
	u->ris |= INT_TX;
}

static void write_reg(struct pl011 *u, unsigned reg, uint32_t v)
{
	switch (reg) {
	case UARTDR:
		transmit(u, (uint8_t)v);
		break;
	case UARTRSR:
		u->rsr = 0;	/* ECR: any write clears the errors */
		break;
	case UARTILPR:
		u->ilpr = v & 0xff;
		break;
	case UARTIBRD:
		u->ibrd = v & 0xffff;
		break;
	case UARTFBRD:
		u->fbrd = v & 0x3f;
		break;
	case UARTLCR_H:
		u->lcr_h = v & 0xff;
		break;
	case UARTCR:
		u->cr = v & 0xff87;	/* bits 3-6 are reserved */
		break;
	case UARTIFLS:
		u->ifls = v & 0x3f;
		break;
	case UARTIMSC:
		u->imsc = v & INT_ALL;
		break;
	case UARTICR:
		u->ris &= ~(v & INT_ALL);
		break;
	case UARTDMACR:
		u->dmacr = v & 0x7;
		break;
	default:
		return;		/* read-only, test registers, reserved: WI */
	}
	update_irq(u);
}

/* Registers are 32-bit words; narrower accesses see their low bits (or,
 * for reads, the addressed bytes), as on the APB bus. */
static int uart_read(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t *val)
{
	struct pl011 *u = opaque;
	uint32_t v;
	bool wake;

	if (offset >= PL011_SIZE || size > 4 || (offset & (size - 1)))
		return -1;
	pthread_mutex_lock(&u->lock);
	v = read_reg(u, (unsigned)offset & ~3u);
	update_irq(u);		/* a UARTDR read may clear RX and RX timeout */
	wake = take_rx_wakeup(u);
	pthread_mutex_unlock(&u->lock);
	if (wake)
		u->rx_notify(u->rx_notify_opaque);
	v >>= 8 * (offset & 3);
	*val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
	return 0;
}

static int uart_write(void *opaque, unsigned cpu, uint64_t offset, unsigned size, uint64_t val)
{
	struct pl011 *u = opaque;
	bool wake;

	if (offset >= PL011_SIZE || size > 4 || (offset & 3))
		return -1;
	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	pthread_mutex_lock(&u->lock);
	write_reg(u, (unsigned)offset, (uint32_t)val);
	wake = take_rx_wakeup(u);
	pthread_mutex_unlock(&u->lock);
	if (wake)
		u->rx_notify(u->rx_notify_opaque);
	return 0;
}

const struct mmio_ops pl011_ops = {
	.name = "pl011",
	.read = uart_read,
	.write = uart_write,
};

size_t pl011_receive(struct pl011 *u, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	pthread_mutex_lock(&u->lock);
	if (rx_enabled(u)) {
		while (done < n && u->rx_count < fifo_depth(u))
			rx_push(u, buf[done++]);
	}
	if (done < n)
		u->rx_refused = true;
	if (u->rx_count)
		u->ris |= INT_RT;	/* the line is idle: see the top of the file */
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return done;
}

bool pl011_can_receive(struct pl011 *u)
{
	bool ok;

	pthread_mutex_lock(&u->lock);
	ok = rx_enabled(u) && u->rx_count < fifo_depth(u);
	if (!ok)
		u->rx_refused = true;
	pthread_mutex_unlock(&u->lock);
	return ok;
}

void pl011_set_rx_notify(struct pl011 *u, void (*notify)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&u->lock);
	u->rx_notify = notify;
	u->rx_notify_opaque = opaque;
	pthread_mutex_unlock(&u->lock);
}

int pl011_init(struct pl011 *u, struct irq_line irq,
	       void (*tx)(void *opaque, uint8_t byte), void *tx_opaque)
{
	int err;

	memset(u, 0, sizeof(*u));
	err = pthread_mutex_init(&u->lock, NULL);
	if (err) {
		log_error("pl011: mutex: %s", strerror(err));
		return -err;
	}
	u->irq = irq;
	u->tx = tx;
	u->tx_opaque = tx_opaque;
	u->cr = CR_TXE | CR_RXE;	/* TRM reset values */
	u->ifls = 0x12;			/* 1/2 full for both FIFOs */
	return 0;
}

void pl011_destroy(struct pl011 *u)
{
	pthread_mutex_destroy(&u->lock);
}
