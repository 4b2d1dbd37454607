# tests/boot/boot.mk — whole-Linux boot tests (tests/boot/README.md).
# Included by the top-level Makefile; it provides BUILD and DEPS_OK.
#
#   make guest-test-initrd   the reference initramfs plus the test overlay
#   make boot-test-qemu      the acceptance run on qemu-system-arm, 1/2/4 vCPUs
#
# The base guest (kernel, initrd.gz) is fetched once by scripts/fetch-guest.sh
# (`make guest` refreshes it); the overlay is rebuilt only when the test
# programs or the init script change, and never touches the base.

BOOT_CC     ?= arm-linux-gnueabihf-gcc
# Debian's armhf defaults (Thumb-2, VFPv3-D16), like the guest's userland.
# -ffp-contract=off and -fno-math-errno keep the floating-point results
# bit-exact with the host build that made smp-work-table.h.
BOOT_CFLAGS  = -O2 -static -s -std=gnu11 -Wall -Wextra -Werror \
	-ffp-contract=off -fno-math-errno

GUEST_KERNEL      = $(BUILD)/guest/vmlinuz
GUEST_INITRD      = $(BUILD)/guest/initrd.gz
GUEST_WORKLOAD    = $(BUILD)/guest/workload.cpio.gz
GUEST_TEST_INITRD = $(BUILD)/guest/initrd-test.gz
BOOT_BINS         = $(BUILD)/tests/boot/hspt-smp-work $(BUILD)/tests/boot/hspt-clock-check
BOOT_VCPUS       ?= 1 2 4

# Fetched only when missing: a source change here must not refetch the base.
$(GUEST_KERNEL) $(GUEST_INITRD) &: | $(DEPS_OK)
	scripts/fetch-guest.sh $(BUILD)/guest

$(BUILD)/tests/boot/hspt-smp-work: tests/boot/smp-work.c tests/boot/smp-work-table.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(BOOT_CC) $(BOOT_CFLAGS) -o $@ $< -lm

$(BUILD)/tests/boot/hspt-clock-check: tests/boot/clock-check.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(BOOT_CC) $(BOOT_CFLAGS) -o $@ $<

$(GUEST_WORKLOAD): scripts/guest-init.sh $(BOOT_BINS) tests/boot/mkworkload.sh
	@mkdir -p $(@D)
	sh tests/boot/mkworkload.sh $@ scripts/guest-init.sh $(BOOT_BINS)

$(GUEST_TEST_INITRD): $(GUEST_INITRD) $(GUEST_WORKLOAD)
	cat $^ > $@.tmp && mv $@.tmp $@

.PHONY: guest-test-initrd boot-test-qemu
guest-test-initrd: $(GUEST_KERNEL) $(GUEST_TEST_INITRD)

boot-test-qemu: $(GUEST_KERNEL) $(GUEST_TEST_INITRD)
	@fail=0; for n in $(BOOT_VCPUS); do \
		tests/boot/boot-test.sh --emu qemu --vcpus $$n \
			--kernel $(GUEST_KERNEL) --initrd $(GUEST_TEST_INITRD) \
			--log $(BUILD)/tests/boot/qemu-$$n.log || fail=1; \
	done; test $$fail -eq 0

# The acceptance run on hspt (part of make test): every vCPU count in
# every SPT organization, one after the other so that the timings in the
# summary lines mean something on a 2-core machine.
BOOT_SPTS ?= soft shared private group:8
.PHONY: boot-test
boot-test: $(HSPTD) $(GUEST_KERNEL) $(GUEST_TEST_INITRD)
	@timeout 300 python3 tests/board/console.py $(HSPTD) $(GUEST_KERNEL) $(GUEST_INITRD)
	@fail=0; for n in $(BOOT_VCPUS); do for s in $(BOOT_SPTS); do \
		tests/boot/boot-test.sh --emu hspt --hsptd $(HSPTD) --vcpus $$n --spt $$s \
			--kernel $(GUEST_KERNEL) --initrd $(GUEST_TEST_INITRD) \
			--log $(BUILD)/tests/boot/hspt-$$s-$$n.log || fail=1; \
	done; done; test $$fail -eq 0
