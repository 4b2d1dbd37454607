/* runner.c — the bare-metal test machine: RAM at 0x40000000, a test
 * device at 0x0a000000, one Cortex-A7 vCPU, and a guest program loaded at
 * the start of RAM. The program reports through the device; the runner's
 * exit status is the program's (0 = pass).
 *
 *   guest-run [--spt soft|shared|private|group:N] [--max-insns N]
 *             [--trace N] FILE.bin
 *
 * --trace N prints the PC and CPSR before each of the first N
 * instructions (to standard error), for debugging a guest program.
 * --stats prints instructions retired, MIPS and the shadow counters at the
 * end (to standard error).
 *
 * Test device (32-bit accesses): 0x00 W putchar, 0x04 W end with status,
 * 0x08 R magic 0x48535054 ("HSPT"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcpu/loop.h"

#define RAM_BASE   0x40000000u
#define RAM_SIZE   (64u << 20)
#define TDEV_BASE  0x0a000000u
#define TDEV_ID    1
#define TDEV_MAGIC 0x48535054u

struct test_device {
	bool done;
	int status;
};

static int tdev_read(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t *val)
{
	if (id != TDEV_ID || size != 4 || off != 0x08)
		return -1;
	*val = TDEV_MAGIC;
	return 0;
}

static int tdev_write(void *opaque, unsigned id, uint64_t off, unsigned size, uint64_t val)
{
	struct test_device *d = opaque;

	if (id != TDEV_ID || size != 4)
		return -1;
	switch (off) {
	case 0x00:
		putchar((int)(val & 0xff));
		return 0;
	case 0x04:
		d->done = true;
		d->status = (int)(uint32_t)val;
		return 0;
	default:
		return -1;
	}
}

static const struct arm_mmio_ops tdev_ops = { .read = tdev_read, .write = tdev_write };

static int load_image(struct physmem *pm, const char *path)
{
	uint8_t *dst = physmem_ptr(pm, RAM_BASE, RAM_SIZE);
	size_t off = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, dst + off, RAM_SIZE - off)) > 0)
		off += (size_t)n;
	close(fd);
	if (n < 0)
		return -errno;
	if (off == 0 || off == RAM_SIZE)
		return -EFBIG;	/* empty, or does not fit with room for data */
	return 0;
}

static void print_stats(struct vcpu *v, struct shadow_vm *vm, uint64_t ns)
{
	struct shadow_stats st;

	fprintf(stderr, "instructions %llu in %.3f s: %.1f MIPS (%s)\n",
		(unsigned long long)v->cpu.insns, ns / 1e9, v->cpu.insns / (ns / 1e3),
		shadow_org_name(shadow_vm_config(vm)->org));
	shadow_vm_stats(vm, &st);
#define PRINT(name, desc) \
	if (st.name)      \
		fprintf(stderr, "  %-20s %12llu  %s\n", #name, (unsigned long long)st.name, desc);
	SHADOW_STATS_FIELDS(PRINT)
#undef PRINT
}

static void usage(void)
{
	fprintf(stderr, "usage: guest-run [--spt soft|shared|private|group:N] "
			"[--max-insns N] [--trace N] [--stats] FILE.bin\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct shadow_config cfg = { .org = SHADOW_ORG_PRIVATE, .ncpus = 1 };
	uint64_t max_insns = 200000000, trace = 0, t0;
	bool stats = false;
	struct test_device dev = { 0 };
	const char *path = NULL;
	struct shadow_vm *vm;
	struct physmem pm;
	struct vcpu v;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--spt") && i + 1 < argc) {
			if (shadow_parse_org(argv[++i], &cfg))
				usage();
		} else if (!strcmp(argv[i], "--stats")) {
			stats = true;
		} else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
			trace = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--max-insns") && i + 1 < argc) {
			max_insns = strtoull(argv[++i], NULL, 0);
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			usage();
		}
	}
	if (!path)
		usage();
	if ((err = physmem_init(&pm)) || (err = physmem_add_ram(&pm, RAM_BASE, RAM_SIZE)) ||
	    (err = physmem_add_mmio(&pm, TDEV_BASE, 0x1000, TDEV_ID))) {
		fprintf(stderr, "guest-run: guest memory: %s\n", strerror(-err));
		return 2;
	}
	if ((err = load_image(&pm, path))) {
		fprintf(stderr, "guest-run: %s: %s\n", path, strerror(-err));
		return 2;
	}
	if ((err = shadow_vm_create(&pm, &cfg, &vm))) {
		fprintf(stderr, "guest-run: shadow engine: %s\n", strerror(-err));
		return 2;
	}
	vcpu_init(&v, 0, shadow_vm_cpu(vm, 0));
	v.cpu.mmio = &tdev_ops;
	v.cpu.mmio_opaque = &dev;
	if ((err = shadow_cpu_attach(v.cpu.mmu)) || (err = vcpu_reset(&v))) {
		fprintf(stderr, "guest-run: vCPU: %s\n", strerror(-err));
		return 2;
	}
	v.cpu.r[15] = RAM_BASE;
	t0 = gtimer_now_ns();
	/* Exceptions count too: a program stuck in an exception storm still
	 * runs out of budget. */
	while (!dev.done && v.cpu.insns + v.cpu.exceptions < max_insns) {
		bool tracing = v.cpu.insns < trace;
		enum arm_exit exit;

		if (tracing)
			fprintf(stderr, "%8llu pc %08x cpsr %08x lr %08x sp %08x\n",
				(unsigned long long)v.cpu.insns, v.cpu.r[15], arm_get_cpsr(&v.cpu),
				v.cpu.r[14], v.cpu.r[13]);
		exit = vcpu_run(&v, tracing ? 1 : 1000000);

		if (v.fatal) {
			fprintf(stderr, "guest-run: shadow engine failed: %s\n", strerror(-v.fatal));
			return 2;
		}
		if ((exit == ARM_EXIT_WFI || exit == ARM_EXIT_WFE) && !dev.done) {
			fprintf(stderr, "guest-run: WFI with no interrupt source at pc %#x\n",
				v.cpu.r[15]);
			return 3;
		}
	}
	fflush(stdout);
	if (stats)
		print_stats(&v, vm, gtimer_now_ns() - t0);
	if (!dev.done) {
		fprintf(stderr, "guest-run: no result after %llu instructions (pc %#x)\n",
			(unsigned long long)v.cpu.insns, v.cpu.r[15]);
		return 3;
	}
	shadow_vm_destroy(vm);
	physmem_destroy(&pm);
	return dev.status;
}
