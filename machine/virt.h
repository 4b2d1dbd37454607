/* virt.h — the board's memory map and interrupt wiring, in the style of
 * QEMU's `virt` so that the same kernels and device trees apply. One block
 * of named constants (STYLE.md §6); everything else refers to these. */
#ifndef HSPT_MACHINE_VIRT_H
#define HSPT_MACHINE_VIRT_H

#define VIRT_GICD_BASE    0x08000000u
#define VIRT_GICD_SIZE    0x00001000u
#define VIRT_GICC_BASE    0x08010000u
#define VIRT_GICC_SIZE    0x00002000u
#define VIRT_UART_BASE    0x09000000u
#define VIRT_UART_SIZE    0x00001000u
#define VIRT_RTC_BASE     0x09010000u
#define VIRT_RTC_SIZE     0x00001000u
#define VIRT_VIRTIO_BASE  0x0a000000u	/* slot n at BASE + n * SIZE */
#define VIRT_VIRTIO_SIZE  0x00000200u
#define VIRT_VIRTIO_SLOTS 32u
#define VIRT_RAM_BASE     0x40000000u
#define VIRT_RAM_MAX      0xc0000000ull	/* RAM may reach the top of 4 GiB */

/* SPIs (interrupt ID = 32 + n). */
#define VIRT_UART_SPI     1u
#define VIRT_RTC_SPI      2u
#define VIRT_VIRTIO_SPI   16u		/* slot n uses SPI 16 + n */

/* Generic timer PPIs, as the device tree numbers them (ID = 16 + n). */
#define VIRT_TIMER_SEC_PPI  13u
#define VIRT_TIMER_PHYS_PPI 14u
#define VIRT_TIMER_VIRT_PPI 11u
#define VIRT_TIMER_HYP_PPI  10u

#define VIRT_MAX_CPUS 8u	/* GICv2's limit */

#endif
