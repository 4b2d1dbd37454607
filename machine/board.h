/* board.h — the virt board: guest RAM, GICv2, the generic timers' PPIs,
 * PL011 console, PL031 RTC, PSCI firmware and one host thread per vCPU,
 * booting a Linux zImage with an initrd and a device tree (virt.h has the
 * memory map).
 *
 * Life cycle: board_create() checks and loads everything (every error is
 * reported with a message, nothing runs yet); board_start() starts the
 * vCPU threads with vCPU 0 at the kernel; the guest brings the others up
 * through PSCI CPU_ON. The board stops when the guest calls SYSTEM_OFF
 * or SYSTEM_RESET, when board_stop() is called, or when a vCPU fails;
 * board_wait() reports which. board_destroy() frees everything.
 *
 * Threads: the vCPU threads run the guest; one controlling thread calls
 * board_start/pause/resume/stop/wait/destroy; any thread may feed console
 * input (board_console_input) and read statistics. */
#ifndef HSPT_MACHINE_BOARD_H
#define HSPT_MACHINE_BOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/gic.h"
#include "machine/loader.h"
#include "machine/pl011.h"
#include "machine/pl031.h"
#include "machine/psci.h"
#include "machine/virt.h"
#include "shadow/shadow.h"
#include "vcpu/thread.h"

#define BOARD_DEFAULT_RAM   (512ull << 20)
#define BOARD_MIN_RAM       (32ull << 20)
#define BOARD_DEFAULT_CMDLINE "console=ttyAMA0"

struct board_config {
	unsigned ncpus;			/* 1..VIRT_MAX_CPUS */
	uint64_t ram_size;		/* bytes, multiple of 1 MiB */
	struct shadow_config spt;	/* organization (ncpus is set here) */
	const char *kernel;		/* path of a zImage */
	const char *initrd;		/* path, or NULL */
	const char *cmdline;		/* NULL: BOARD_DEFAULT_CMDLINE */
	/* Run the zImage's own decompressor in the guest instead of
	 * decompressing its payload on the host (zimage.h). */
	bool guest_decompress;
	/* Every byte the guest writes to its console, in order; called with
	 * the UART's lock held (do not call back into the board). */
	void (*console_out)(void *opaque, uint8_t byte);
	/* Console input was refused for lack of room and can be offered
	 * again (board_console_input); may be NULL. */
	void (*console_room)(void *opaque);
	void *opaque;
};

enum board_state { BOARD_CREATED, BOARD_RUNNING, BOARD_PAUSED, BOARD_STOPPED };

/* Why the board stopped. */
enum board_stop {
	BOARD_STOP_NONE,
	BOARD_STOP_POWEROFF,	/* the guest called PSCI SYSTEM_OFF */
	BOARD_STOP_RESET,	/* the guest called PSCI SYSTEM_RESET */
	BOARD_STOP_REQUEST,	/* board_stop() */
	BOARD_STOP_ERROR,	/* a vCPU failed: board->error says why */
};

struct board_device {
	const struct mmio_ops *ops;
	void *opaque;
};

struct board {
	struct board_config cfg;
	struct physmem pm;
	struct shadow_vm *svm;
	struct gic gic;
	struct pl011 uart;
	struct pl031 rtc;
	struct psci psci;
	struct vcpu_thread *cpus;
	unsigned ncpus;
	struct board_device devices[8];	/* by physmem MMIO id */
	struct boot_layout layout;

	pthread_mutex_t lock;		/* protects what follows */
	pthread_cond_t cond;		/* signals state and running changes */
	enum board_state state;
	enum board_stop stop;
	unsigned running;		/* vCPU threads not yet ended */
	char error[256];
	bool gic_ok, uart_ok, rtc_ok;	/* for board_destroy's unwinding */
};

/* Check the configuration and the images, build guest memory, devices and
 * device tree, load the kernel. 0, or -errno with a message in
 * why[0..why_len) naming what is wrong (file, size, option). */
int board_create(const struct board_config *cfg, struct board **out, char *why, size_t why_len);
/* Start the vCPU threads; vCPU 0 enters the kernel. 0 or -errno. */
int board_start(struct board *b);
/* Stop every vCPU at an instruction boundary and wait until none runs
 * guest code; board_resume() lets them go on. */
void board_pause(struct board *b);
void board_resume(struct board *b);
/* Ask the board to stop (BOARD_STOP_REQUEST unless it already stopped). */
void board_stop(struct board *b);
/* Wait until the board has stopped, or until the host's CLOCK_MONOTONIC
 * reaches deadline_ns (0: do not wait). Ticks the RTC meanwhile.
 * Returns why it stopped, BOARD_STOP_NONE on timeout. */
enum board_stop board_wait(struct board *b, uint64_t deadline_ns);
/* Stop (if needed), join the threads and free everything. */
void board_destroy(struct board *b);

/* Feed host input to the console; returns how many bytes were taken
 * (see board_config.console_room). Any thread. */
size_t board_console_input(struct board *b, const uint8_t *buf, size_t n);

enum board_state board_state(struct board *b);
const char *board_stop_name(enum board_stop s);

/* Reset-loop detection, for whoever reboots a guest after
 * BOARD_STOP_RESET: a guest that resets BOARD_RESET_LOOP_COUNT times in a
 * row, each within BOARD_RESET_LOOP_NS of its boot, is in a reset loop. */
#define BOARD_RESET_LOOP_COUNT 3
#define BOARD_RESET_LOOP_NS    (10ull * 1000000000u)

struct board_reset_guard {
	unsigned quick;		/* quick resets in a row so far */
};

/* The guest, booted at boot_ns (CLOCK_MONOTONIC), has just reset. True
 * when that makes a reset loop (g->quick says how many). */
bool board_reset_loop(struct board_reset_guard *g, uint64_t boot_ns);

/* Statistics of vCPU i (instructions, exceptions, WFI sleeps, wake-ups, shadow
 * counters), a relaxed snapshot. */
struct board_cpu_stats {
	uint64_t insns, exceptions, sleeps, wakeups;
	uint32_t pc, cpsr;		/* racy while the vCPU runs: a hint */
	enum vcpu_power power;
	struct shadow_stats shadow;
};
void board_cpu_stats(struct board *b, unsigned i, struct board_cpu_stats *out);

#endif
