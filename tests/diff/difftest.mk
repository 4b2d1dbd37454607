# tests/diff/difftest.mk — the differential CPU tester (docs/difftest.md).
# Included by the top-level Makefile after LIB is defined; it provides
# BUILD, CC, CFLAGS, LDFLAGS, LIB and DEPS_OK.
#
#   make difftest                  the fixed-seed run `make test` does
#   make fuzz-cpu [FUZZ_SECONDS=N] random seeds until interrupted (or N s);
#                                  every mismatch is appended to
#                                  tests/diff/regressions.txt

ARM_CC          ?= arm-linux-gnueabihf-gcc
DIFF_BIN         = $(BUILD)/tests/difftest
DIFF_IMAGE       = $(BUILD)/tests/diff-image.elf
DIFF_SRCS        = $(filter-out tests/diff/image.c,$(wildcard tests/diff/*.c))
DIFF_OBJS        = $(DIFF_SRCS:%.c=$(BUILD)/%.o)
DIFF_IMAGE_SRCS  = tests/diff/image_entry.S tests/diff/image.c
DIFF_REGRESSIONS = tests/diff/regressions.txt
# The image is freestanding ARM code; -mgeneral-regs-only keeps the
# compiler off the VFP registers the sequences own.
DIFF_ARM_CFLAGS  = -marm -march=armv7-a -mfpu=vfpv4 -mgeneral-regs-only -O2 \
	-ffreestanding -nostdlib -static -fno-pie -no-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -Wall -Wextra -Werror -I.

DIFF_SEED    ?= 1
DIFF_COUNT   ?= 8000
FUZZ_SECONDS ?= 0

$(DIFF_BIN): $(DIFF_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(DIFF_OBJS) $(LIB) $(LDLIBS)

$(DIFF_IMAGE): $(DIFF_IMAGE_SRCS) tests/diff/image.ld tests/diff/record.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(ARM_CC) $(DIFF_ARM_CFLAGS) -T tests/diff/image.ld -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -o $@ $(DIFF_IMAGE_SRCS)

.PHONY: difftest fuzz-cpu
# Both instruction sets with VFP, every recorded regression, on the
# private SPT organization; then a second seed on the soft MMU.
difftest: $(DIFF_BIN) $(DIFF_IMAGE)
	$(DIFF_BIN) --seed $(DIFF_SEED) --count $(DIFF_COUNT) --regressions $(DIFF_REGRESSIONS)
	$(DIFF_BIN) --seed $$(($(DIFF_SEED) + 1)) --count 2000 --org soft

fuzz-cpu: $(DIFF_BIN) $(DIFF_IMAGE)
	$(DIFF_BIN) --fuzz --seconds $(FUZZ_SECONDS) --regressions $(DIFF_REGRESSIONS) --save
