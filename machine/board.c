/* board.c — the virt board: wiring RAM, devices, interrupts, firmware and
 * vCPU threads together (board.h), and loading Linux. */
#include "machine/board.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "machine/fdt.h"
#include "machine/zimage.h"
#include "translate/run.h"
#include "util/log.h"

/* Physmem MMIO ids of the devices (index into board->devices). */
enum { DEV_GICD = 1, DEV_GICC, DEV_UART, DEV_RTC, DEV_COUNT };

/* Upper bound for the device tree: it is a few KiB. */
#define BOARD_DTB_MAX (64u << 10)
/* Interrupt IDs the GIC implements: SGIs, PPIs and 64 SPIs (virtio's 32
 * slots start at SPI 16). */
#define BOARD_GIC_IRQS 96u

static int fail(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Read a whole regular file of at most max bytes into a new buffer. */
static int read_file(const char *role, const char *path, size_t max, uint8_t **out, size_t *len,
		     char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int err;

	if (fd < 0)
		return fail(why, why_len, -errno, "%s %s: %s", role, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = fail(why, why_len, -errno, "%s %s: %s", role, path, strerror(errno));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = fail(why, why_len, -EINVAL, "%s %s: not a regular file", role, path);
		goto err_close;
	}
	if ((uint64_t)st.st_size > max || st.st_size == 0) {
		err = fail(why, why_len, st.st_size ? -EFBIG : -ENOEXEC,
			   "%s %s: %s (%lld bytes, at most %zu)", role, path,
			   st.st_size ? "too large" : "empty", (long long)st.st_size, max);
		goto err_close;
	}
	if (!(buf = malloc((size_t)st.st_size))) {
		err = fail(why, why_len, -ENOMEM, "%s %s: out of memory", role, path);
		goto err_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			err = fail(why, why_len, n < 0 ? -errno : -EIO, "%s %s: %s", role, path,
				   n < 0 ? strerror(errno) : "file shrank while reading");
			free(buf);
			goto err_close;
		}
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
err_close:
	close(fd);
	return err;
}

/* ---- MMIO dispatch: the vCPU's arm_mmio_ops, opaque = its thread ---- */

static struct board *board_of(struct vcpu_thread *t)
{
	return t->opaque;
}

static int mmio_read(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t *val)
{
	struct vcpu_thread *t = opaque;
	struct board_device *d;

	if (id == 0 || id >= DEV_COUNT)
		return -1;
	d = &board_of(t)->devices[id];
	return d->ops->read(d->opaque, t->vcpu.index, off, size, val);
}

static int mmio_write(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t val)
{
	struct vcpu_thread *t = opaque;
	struct board_device *d;

	if (id == 0 || id >= DEV_COUNT)
		return -1;
	d = &board_of(t)->devices[id];
	return d->ops->write(d->opaque, t->vcpu.index, off, size, val);
}

static const struct arm_mmio_ops board_mmio_ops = { .read = mmio_read, .write = mmio_write };

/* ---- Interrupt wiring ---- */

/* GIC CPU interface outputs -> the vCPUs' IRQ and FIQ inputs. */
static void gic_irq_out(void *opaque, unsigned cpu, bool level)
{
	struct board *b = opaque;

	vcpu_thread_set_line(&b->cpus[cpu], ARM_LINE_IRQ, level);
}

static void gic_fiq_out(void *opaque, unsigned cpu, bool level)
{
	struct board *b = opaque;

	vcpu_thread_set_line(&b->cpus[cpu], ARM_LINE_FIQ, level);
}

/* Generic timer outputs -> the GIC's PPIs of that CPU. */
static void timer_out(void *opaque, enum gtimer_which which, bool level)
{
	struct vcpu_thread *t = opaque;
	struct board *b = board_of(t);
	unsigned ppi = which == GTIMER_PHYS ? VIRT_TIMER_PHYS_PPI : VIRT_TIMER_VIRT_PPI;
	struct irq_line line = gic_ppi_line(&b->gic, t->vcpu.index, ppi);

	irq_set(&line, level);
}

/* Shadow-engine shootdowns reach a vCPU through its kick. */
static void shadow_kick(void *opaque, unsigned cpu)
{
	struct board *b = opaque;

	vcpu_thread_kick(&b->cpus[cpu]);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct board *b = opaque;

	if (b->cfg.console_out)
		b->cfg.console_out(b->cfg.opaque, byte);
}

static void uart_room(void *opaque)
{
	struct board *b = opaque;

	if (b->cfg.console_room)
		b->cfg.console_room(b->cfg.opaque);
}

/* ---- Stopping ---- */

/* Record why the board stops (the first reason wins) and ask every vCPU
 * thread to end. */
static void begin_stop(struct board *b, enum board_stop why, const char *msg)
{
	pthread_mutex_lock(&b->lock);
	if (b->stop == BOARD_STOP_NONE) {
		b->stop = why;
		if (msg)
			snprintf(b->error, sizeof(b->error), "%s", msg);
	}
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_request(&b->cpus[i], VCPU_REQ_STOP);
}

static void psci_event(void *opaque, enum psci_system_event ev)
{
	begin_stop(opaque, ev == PSCI_EVENT_RESET ? BOARD_STOP_RESET : BOARD_STOP_POWEROFF, NULL);
}

static int cpu_firmware(void *opaque, struct vcpu_thread *t, enum arm_exit exit)
{
	struct board *b = opaque;

	return psci_call(&b->psci, t, exit);
}

static void cpu_ended(void *opaque, struct vcpu_thread *t, int err)
{
	struct board *b = opaque;

	if (err) {
		char msg[200];

		snprintf(msg, sizeof(msg), "vCPU %u stopped at pc %#x: %s", t->vcpu.index,
			 t->vcpu.cpu.r[15], strerror(-err));
		begin_stop(b, BOARD_STOP_ERROR, msg);
	}
	pthread_mutex_lock(&b->lock);
	b->running--;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static int cpu_thread_init(void *opaque, struct vcpu_thread *t)
{
	t->vcpu.cpu.mmio = &board_mmio_ops;
	t->vcpu.cpu.mmio_opaque = t;
	return 0;
}

/* SEV reaches every other vCPU's event register. */
static void cpu_sev(void *opaque, struct vcpu_thread *t)
{
	struct board *b = opaque;

	for (unsigned i = 0; i < b->ncpus; i++)
		if (&b->cpus[i] != t)
			vcpu_thread_event(&b->cpus[i]);
}

static const struct vcpu_thread_ops board_cpu_ops = {
	.firmware = cpu_firmware,
	.sev = cpu_sev,
	.ended = cpu_ended,
	.thread_init = cpu_thread_init,
};

/* ---- Creation ---- */

static int check_config(const struct board_config *c, char *why, size_t len)
{
	if (c->ncpus < 1 || c->ncpus > VIRT_MAX_CPUS)
		return fail(why, len, -EINVAL, "vcpus: %u is not in 1..%u", c->ncpus, VIRT_MAX_CPUS);
	if (c->ram_size < BOARD_MIN_RAM || c->ram_size % (1u << 20) ||
	    VIRT_RAM_BASE + c->ram_size > VIRT_RAM_MAX)
		return fail(why, len, -EINVAL,
			    "memory: %llu bytes is not a whole number of MiB in %llu MiB..%llu MiB",
			    (unsigned long long)c->ram_size,
			    (unsigned long long)(BOARD_MIN_RAM >> 20),
			    (unsigned long long)((VIRT_RAM_MAX - VIRT_RAM_BASE) >> 20));
	if (!c->kernel)
		return fail(why, len, -EINVAL, "no kernel given");
	return 0;
}

/* Guest memory map: RAM and the devices' MMIO ranges. */
static int build_memory(struct board *b, char *why, size_t len)
{
	int err;

	if ((err = physmem_init(&b->pm)))
		return fail(why, len, err, "guest memory: %s", strerror(-err));
	if ((err = physmem_add_ram(&b->pm, VIRT_RAM_BASE, b->cfg.ram_size)) ||
	    (err = physmem_add_mmio(&b->pm, VIRT_GICD_BASE, VIRT_GICD_SIZE, DEV_GICD)) ||
	    (err = physmem_add_mmio(&b->pm, VIRT_GICC_BASE, VIRT_GICC_SIZE, DEV_GICC)) ||
	    (err = physmem_add_mmio(&b->pm, VIRT_UART_BASE, VIRT_UART_SIZE, DEV_UART)) ||
	    (err = physmem_add_mmio(&b->pm, VIRT_RTC_BASE, VIRT_RTC_SIZE, DEV_RTC)))
		return fail(why, len, err, "guest memory map: %s", strerror(-err));
	return 0;
}

static int build_cpus(struct board *b, char *why, size_t len)
{
	int err;

	if (!(b->cpus = calloc(b->ncpus, sizeof(*b->cpus))))
		return fail(why, len, -ENOMEM, "vCPUs: out of memory");
	for (unsigned i = 0; i < b->ncpus; i++) {
		struct vcpu_thread *t = &b->cpus[i];

		if ((err = vcpu_thread_init(t, i, shadow_vm_cpu(b->svm, i), &board_cpu_ops, b))) {
			/* Unwind the ones made so far. */
			while (i--)
				vcpu_thread_destroy(&b->cpus[i]);
			free(b->cpus);
			b->cpus = NULL;
			return fail(why, len, err, "vCPU %u: %s", i, strerror(-err));
		}
		t->vcpu.timer.irq = timer_out;
		t->vcpu.timer.opaque = t;
	}
	shadow_vm_set_kick(b->svm, shadow_kick, b);
	return 0;
}

static int build_devices(struct board *b, char *why, size_t len)
{
	struct irq_line irq[VIRT_MAX_CPUS], fiq[VIRT_MAX_CPUS];
	int err;

	for (unsigned i = 0; i < b->ncpus; i++) {
		irq[i] = (struct irq_line){ .set = gic_irq_out, .opaque = b, .n = i };
		fiq[i] = (struct irq_line){ .set = gic_fiq_out, .opaque = b, .n = i };
	}
	if ((err = gic_init(&b->gic, b->ncpus, BOARD_GIC_IRQS, irq, fiq)))
		return fail(why, len, err, "GIC: %s", strerror(-err));
	b->gic_ok = true;
	if ((err = pl011_init(&b->uart, gic_spi_line(&b->gic, VIRT_UART_SPI), uart_tx, b)))
		return fail(why, len, err, "PL011: %s", strerror(-err));
	b->uart_ok = true;
	pl011_set_rx_notify(&b->uart, uart_room, b);
	if ((err = pl031_init(&b->rtc, gic_spi_line(&b->gic, VIRT_RTC_SPI))))
		return fail(why, len, err, "PL031: %s", strerror(-err));
	b->rtc_ok = true;
	b->devices[DEV_GICD] = (struct board_device){ &gic_dist_ops, &b->gic };
	b->devices[DEV_GICC] = (struct board_device){ &gic_cpu_ops, &b->gic };
	b->devices[DEV_UART] = (struct board_device){ &pl011_ops, &b->uart };
	b->devices[DEV_RTC] = (struct board_device){ &pl031_ops, &b->rtc };
	b->psci = (struct psci){
		.cpus = b->cpus,
		.ncpus = b->ncpus,
		.conduit = ARM_EXIT_HVC,
		.system_event = psci_event,
		.opaque = b,
	};
	return 0;
}

/* Kernel, initrd and device tree into RAM (the Linux boot protocol). */
static int load_linux(struct board *b, char *why, size_t len)
{
	uint8_t *kernel = NULL, *initrd = NULL, *dtb = NULL;
	size_t kernel_len = 0, initrd_len = 0;
	uint64_t footprint, offset = LOADER_ZIMAGE_OFFSET;
	const char *msg;
	int err, size;

	if ((err = read_file("kernel", b->cfg.kernel, 64u << 20, &kernel, &kernel_len, why, len)))
		return err;
	if ((err = loader_check_zimage(kernel, kernel_len, &msg))) {
		err = fail(why, len, err, "kernel %s: %s", b->cfg.kernel, msg);
		goto out;
	}
	footprint = loader_zimage_footprint(kernel_len);
	if (!b->cfg.guest_decompress) {
		uint8_t *image;
		size_t image_len;
		uint32_t text_offset;

		err = zimage_extract(kernel, kernel_len, &image, &image_len, &msg);
		if (err && err != -ENOTSUP) {
			err = fail(why, len, err, "%s: %s", b->cfg.kernel, msg);
			goto out;
		}
		if (!err && zimage_text_offset(image, image_len, &text_offset)) {
			msg = "kernel's TEXT_OFFSET not recognized";
			free(image);
			err = -ENOTSUP;
		}
		if (err) {
			log_info("%s: %s: booting it through its own decompressor", b->cfg.kernel,
				 msg);
			err = 0;
		} else {
			free(kernel);
			kernel = image;
			kernel_len = image_len;
			footprint = loader_image_footprint(image_len);
			offset = text_offset;
		}
	}
	if (b->cfg.initrd &&
	    (err = read_file("initrd", b->cfg.initrd, b->cfg.ram_size / 2, &initrd, &initrd_len, why, len)))
		goto out;
	if ((err = loader_plan(VIRT_RAM_BASE, b->cfg.ram_size, offset, footprint, initrd_len,
			       BOARD_DTB_MAX, &b->layout, &msg))) {
		err = fail(why, len, err, "memory: %s", msg);
		goto out;
	}
	if (!(dtb = malloc(BOARD_DTB_MAX))) {
		err = fail(why, len, -ENOMEM, "device tree: out of memory");
		goto out;
	}
	size = virt_fdt_build(&(struct virt_fdt_config){
		.ncpus = b->ncpus,
		.ram_base = VIRT_RAM_BASE,
		.ram_size = b->cfg.ram_size,
		.bootargs = b->cfg.cmdline ? b->cfg.cmdline : BOARD_DEFAULT_CMDLINE,
		.initrd_start = initrd ? b->layout.initrd : 0,
		.initrd_end = initrd ? b->layout.initrd_end : 0,
		.psci_method = "hvc",
		.virtio_slots = 0,
	}, dtb, BOARD_DTB_MAX);
	if (size < 0) {
		err = fail(why, len, size, "device tree: %s", strerror(-size));
		goto out;
	}
	if ((err = loader_copy(&b->pm, &b->layout, kernel, kernel_len, initrd, initrd_len, dtb,
			       (size_t)size)))
		err = fail(why, len, err, "loading into guest RAM: %s", strerror(-err));
out:
	free(dtb);
	free(initrd);
	free(kernel);
	return err;
}

int board_create(const struct board_config *cfg, struct board **out, char *why, size_t len)
{
	struct shadow_config spt = cfg->spt;
	struct board *b;
	int err;

	if ((err = check_config(cfg, why, len)))
		return err;
	if (!(b = calloc(1, sizeof(*b))))
		return fail(why, len, -ENOMEM, "out of memory");
	b->cfg = *cfg;
	b->ncpus = cfg->ncpus;
	b->state = BOARD_CREATED;
	pthread_mutex_init(&b->lock, NULL);
	{
		pthread_condattr_t attr;

		/* board_wait's deadlines are CLOCK_MONOTONIC, like the
		 * generic timer's. */
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&b->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	if ((err = build_memory(b, why, len)))
		goto err_board;
	spt.ncpus = b->ncpus;
	if ((err = shadow_vm_create(&b->pm, &spt, &b->svm))) {
		fail(why, len, err, "shadow engine (%s): %s", shadow_org_name(spt.org),
		     strerror(-err));
		goto err_pm;
	}
	if ((err = build_cpus(b, why, len)))
		goto err_svm;
	if ((err = build_devices(b, why, len)) || (err = load_linux(b, why, len)))
		goto err_cpus;
	*out = b;
	return 0;
err_cpus:
	if (b->rtc_ok)
		pl031_destroy(&b->rtc);
	if (b->uart_ok)
		pl011_destroy(&b->uart);
	if (b->gic_ok)
		gic_destroy(&b->gic);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_destroy(&b->cpus[i]);
	free(b->cpus);
err_svm:
	shadow_vm_destroy(b->svm);
err_pm:
	physmem_destroy(&b->pm);
err_board:
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return err;
}

/* ---- Running ---- */

int board_start(struct board *b)
{
	struct vcpu_entry boot = loader_entry(&b->layout);
	int err;

	if (b->state != BOARD_CREATED)
		return -EBUSY;
	for (unsigned i = 0; i < b->ncpus; i++) {
		if ((err = vcpu_thread_start(&b->cpus[i]))) {
			begin_stop(b, BOARD_STOP_ERROR, "cannot create a vCPU thread");
			return err;
		}
		pthread_mutex_lock(&b->lock);
		b->running++;
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_lock(&b->lock);
	b->state = BOARD_RUNNING;
	pthread_mutex_unlock(&b->lock);
	return vcpu_thread_power_on(&b->cpus[0], &boot);
}

void board_pause(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->state != BOARD_RUNNING) {
		pthread_mutex_unlock(&b->lock);
		return;
	}
	b->state = BOARD_PAUSED;
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_request(&b->cpus[i], VCPU_REQ_PAUSE);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_wait_paused(&b->cpus[i]);
}

void board_resume(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	if (b->state != BOARD_PAUSED) {
		pthread_mutex_unlock(&b->lock);
		return;
	}
	b->state = BOARD_RUNNING;
	pthread_mutex_unlock(&b->lock);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_clear(&b->cpus[i], VCPU_REQ_PAUSE);
}

void board_stop(struct board *b)
{
	begin_stop(b, BOARD_STOP_REQUEST, NULL);
}

enum board_stop board_wait(struct board *b, uint64_t deadline_ns)
{
	enum board_stop why = BOARD_STOP_NONE;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		uint64_t now = gtimer_now_ns(), until;
		struct timespec ts;

		if (b->state != BOARD_CREATED && b->running == 0) {
			b->state = BOARD_STOPPED;
			why = b->stop;
			break;
		}
		if (now >= deadline_ns)
			break;
		/* Wake at least once a second for the RTC's match interrupt
		 * (pl031.h): a cheap tick. */
		until = deadline_ns - now < 1000000000u ? deadline_ns : now + 1000000000u;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		pthread_cond_timedwait(&b->cond, &b->lock, &ts);
		pthread_mutex_unlock(&b->lock);
		pl031_tick(&b->rtc);
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return why;
}

void board_destroy(struct board *b)
{
	if (!b)
		return;
	begin_stop(b, BOARD_STOP_REQUEST, NULL);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_stop(&b->cpus[i]);
	for (unsigned i = 0; i < b->ncpus; i++)
		vcpu_thread_destroy(&b->cpus[i]);
	free(b->cpus);
	pl031_destroy(&b->rtc);
	pl011_destroy(&b->uart);
	gic_destroy(&b->gic);
	shadow_vm_destroy(b->svm);
	physmem_destroy(&b->pm);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

size_t board_console_input(struct board *b, const uint8_t *buf, size_t n)
{
	return pl011_receive(&b->uart, buf, n);
}

enum board_state board_state(struct board *b)
{
	enum board_state s;

	pthread_mutex_lock(&b->lock);
	s = b->state;
	pthread_mutex_unlock(&b->lock);
	return s;
}

const char *board_stop_name(enum board_stop s)
{
	switch (s) {
	case BOARD_STOP_NONE: return "running";
	case BOARD_STOP_POWEROFF: return "powered off";
	case BOARD_STOP_RESET: return "reset";
	case BOARD_STOP_REQUEST: return "stopped";
	case BOARD_STOP_ERROR: return "failed";
	}
	return "?";
}

bool board_reset_loop(struct board_reset_guard *g, uint64_t boot_ns)
{
	g->quick = gtimer_now_ns() - boot_ns < BOARD_RESET_LOOP_NS ? g->quick + 1 : 0;
	return g->quick >= BOARD_RESET_LOOP_COUNT;
}

void board_cpu_stats(struct board *b, unsigned i, struct board_cpu_stats *out)
{
	struct vcpu_thread *t = &b->cpus[i];

	memset(out, 0, sizeof(*out));
	out->insns = __atomic_load_n(&t->vcpu.cpu.insns, __ATOMIC_RELAXED);
	out->exceptions = __atomic_load_n(&t->vcpu.cpu.exceptions, __ATOMIC_RELAXED);
	out->sleeps = __atomic_load_n(&t->sleeps, __ATOMIC_RELAXED);
	out->wakeups = __atomic_load_n(&t->wakeups, __ATOMIC_RELAXED);
	out->power = vcpu_thread_power(t);
	out->pc = t->vcpu.cpu.r[15];
	out->cpsr = arm_get_cpsr(&t->vcpu.cpu);
	shadow_stats_snapshot(&out->shadow, &shadow_vm_cpu(b->svm, i)->stats);
}
