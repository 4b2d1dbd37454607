/* pl011.h — the ARM PrimeCell PL011 UART (DDI 0183, r1p5), the virt
 * board's console (Linux: amba-pl011.c, ttyAMA0).
 *
 * The transmitter is infinitely fast: a byte written to UARTDR goes to the
 * host at once, so the TX FIFO always reads empty and the TX interrupt is
 * raised after every write (the FIFO drained through its trigger level).
 * The receiver has a real 32-entry FIFO (1 entry with LCR_H.FEN clear)
 * filled by the host through pl011_receive(), with the RX and RX-timeout
 * interrupts; host input never overruns it: bytes that do not fit are
 * refused and the caller offers them again after the rx_notify callback.
 *
 * Not modelled: baud rate and framing (stored only), modem lines (FR
 * reads CTS, DSR, DCD and RI as 0, like QEMU's PL011, with which Linux's
 * driver is known to work), flow control, IrDA, DMA (DMACR is stored only),
 * break and parity/framing errors on input. Loopback (CR.LBE) is
 * modelled, including the overrun it can cause.
 *
 * Threads: MMIO from vCPU threads and pl011_receive() from a host I/O
 * thread may run at once; a mutex protects the state. The tx callback and
 * the interrupt line are called with that mutex held (so that output keeps
 * the order in which vCPUs wrote it): they must not call back into the
 * UART. rx_notify is called without it. */
#ifndef HSPT_MACHINE_PL011_H
#define HSPT_MACHINE_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/device.h"

#define PL011_SIZE	0x1000
#define PL011_FIFO_DEPTH 32

struct pl011 {
	pthread_mutex_t lock;	/* protects everything below */
	struct irq_line irq;
	void (*tx)(void *opaque, uint8_t byte);
	void *tx_opaque;
	void (*rx_notify)(void *opaque);
	void *rx_notify_opaque;

	uint16_t rx_fifo[PL011_FIFO_DEPTH];	/* data | error bits << 8 */
	unsigned rx_head, rx_count;
	bool rx_refused;	/* input was refused: notify when there is room */

	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	bool level;		/* last level driven on irq */
};

/* Reset state. `tx` receives every transmitted byte (it may be NULL to
 * discard output). 0 or -errno. */
int pl011_init(struct pl011 *u, struct irq_line irq,
	       void (*tx)(void *opaque, uint8_t byte), void *tx_opaque);
void pl011_destroy(struct pl011 *u);

/* Called (from the thread that makes room, without the UART's lock) when
 * input that was refused, by pl011_receive() accepting less than offered
 * or by pl011_can_receive() saying no, can now be taken: the guest read
 * the FIFO or enabled the receiver. */
void pl011_set_rx_notify(struct pl011 *u, void (*notify)(void *opaque), void *opaque);

/* Host input: queue up to n bytes in the RX FIFO. Returns how many were
 * accepted (fewer than n when the FIFO is full or the receiver is off);
 * offer the rest again after rx_notify. Any thread. */
size_t pl011_receive(struct pl011 *u, const uint8_t *buf, size_t n);
/* Whether pl011_receive() would accept at least one byte now. */
bool pl011_can_receive(struct pl011 *u);

/* MMIO over PL011_SIZE bytes; opaque is the struct pl011. 8-, 16- and
 * 32-bit accesses (Linux uses 16-bit ones). */
extern const struct mmio_ops pl011_ops;

#endif
