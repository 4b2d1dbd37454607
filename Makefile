# hspt — top-level Makefile.
#
#   make            build everything (-O2 -g, warnings are errors)
#   make test       the whole test suite (what .ci/run and the README run)
#   make check      unit tests under AddressSanitizer + UBSan
#   make bench      the benchmark matrix against qemu (bench/bench.mk, hours)
#   make bench-micro  the shadow-engine and CPU micro-benchmarks
#   make install    PREFIX=/usr/local DESTDIR= honoured
#
# Every build goes to $(BUILD); `make check` uses a second tree so that
# sanitizer objects never mix with normal ones.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= gcc

CFLAGS_BASE = -std=gnu11 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-D_GNU_SOURCE -I. -pthread -MMD -MP
ifeq ($(SAN),1)
CFLAGS_OPT  = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_SAN = -fsanitize=address,undefined
else
CFLAGS_OPT  = -O2
LDFLAGS_SAN =
endif
CFLAGS  += $(CFLAGS_BASE) $(CFLAGS_OPT)
LDFLAGS += -pthread $(LDFLAGS_SAN)
LDLIBS   = -lfdt -ljansson -llzma -lz

# Library sources, in dependency order (see shared/DESIGN.md §6).
LIB_DIRS = util shadow translate vcpu machine proto
LIB_SRCS = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libhspt.a

TESTLIB_SRCS = $(wildcard tests/lib/*.c)
TESTLIB_OBJS = $(TESTLIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/%.o) $(TESTLIB_OBJS)
UNIT_BIN  = $(BUILD)/tests/unit-tests

BENCH_BINS = $(BUILD)/bench/shadow

# hsptd: the daemon, its workers and `hsptd run`; hsptctl, its client.
HSPTD      = $(BUILD)/hsptd
HSPTD_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard daemon/*.c))
HSPTCTL    = $(BUILD)/hsptctl
HSPTCTL_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard ctl/*.c))
DAEMON_LDLIBS = -luv -lsystemd
BINS = $(HSPTD) $(HSPTCTL)

DEPS_OK = $(BUILD)/.deps-ok

.PHONY: all test unit check bench-micro install clean deps guest-test guest board-test run daemon-test
.SECONDARY:
all: $(DEPS_OK) $(LIB) $(UNIT_BIN) $(BENCH_BINS) $(GUEST_RUN) $(DIFF_BIN) $(DIFF_IMAGE) $(BINS)

# Installs missing Debian packages once (as root) or explains what to run.
$(DEPS_OK): scripts/deps.sh
	@scripts/deps.sh --check || scripts/deps.sh
	@mkdir -p $(@D) && touch $@
deps: $(DEPS_OK)

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(UNIT_BIN): $(UNIT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(LIB) -lcriterion $(LDLIBS)

$(HSPTD): $(HSPTD_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(HSPTD_OBJS) $(LIB) $(LDLIBS) $(DAEMON_LDLIBS)

$(HSPTCTL): $(HSPTCTL_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(HSPTCTL_OBJS) $(LIB) $(LDLIBS)

GUEST_RUN = $(BUILD)/tests/guest-run
$(GUEST_RUN): $(BUILD)/tests/guest/runner.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(TESTLIB_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIB) $(LDLIBS)

# Criterion forks one process per test; -j2 matches the 2-core machines.
UNIT_ARGS ?= --jobs=2
unit: $(UNIT_BIN)
	$(UNIT_BIN) $(UNIT_ARGS)

include tests/diff/difftest.mk
include tests/boot/boot.mk
include bench/bench.mk

# hsptd against a live daemon: the hostile-input suite (fake kernels, a few
# seconds) and the end-to-end test (two Linux guests at once, about a
# minute on 2 cores). Both clean up every process they start.
daemon-test: $(HSPTD) $(HSPTCTL) guest
	python3 tests/daemon/hostile.py $(BUILD)
	tests/daemon/e2e.sh $(BUILD)

# The reference Linux guest (Debian's armhf kernel + a busybox initramfs),
# fetched from Debian's archive into $(BUILD)/guest.
guest: $(DEPS_OK)
	scripts/fetch-guest.sh $(BUILD)/guest

# The README's first command: build, fetch the guest, boot it with its
# console here (C-a x quits). RUN_ARGS adds hsptd run options.
RUN_ARGS ?= --vcpus 2
run: $(HSPTD) guest
	$(HSPTD) run --kernel $(BUILD)/guest/vmlinuz --initrd $(BUILD)/guest/initrd.gz $(RUN_ARGS)

# Bare-metal guest programs (tests/guest/): built with the ARM cross
# compiler, each run on the test machine under every SPT organization.
GUEST_PROGRAMS = $(patsubst tests/guest/%.c,%,$(filter-out tests/guest/runner.c,$(wildcard tests/guest/*.c)))
GUEST_SPTS = soft private shared group:2
GUEST_BINS = $(GUEST_PROGRAMS:%=$(BUILD)/tests/guest/%.bin)
GUEST_SRCS = $(wildcard tests/guest/*.c tests/guest/*.S tests/guest/lib/*) \
	tests/guest/guest.ld tests/guest/build.sh
# One build.sh run makes every program: a grouped target, rebuilt only when
# a source changes.
$(GUEST_BINS) &: $(filter-out tests/guest/runner.c,$(GUEST_SRCS)) | $(DEPS_OK)
	@mkdir -p $(BUILD)/tests
	@sh tests/guest/build.sh $(BUILD)/tests/guest > $(BUILD)/tests/guest-build.log 2>&1 || \
		{ cat $(BUILD)/tests/guest-build.log; exit 1; }

guest-test: $(GUEST_RUN) $(GUEST_BINS)
	@pass=0; fail=0; \
	for p in $(GUEST_PROGRAMS); do for s in $(GUEST_SPTS); do \
		if $(GUEST_RUN) --spt $$s $(BUILD)/tests/guest/$$p.bin > $(BUILD)/tests/guest/$$p.$$s.log 2>&1; \
		then pass=$$((pass + 1)); \
		else fail=$$((fail + 1)); echo "guest $$p ($$s): FAILED"; tail -n 5 $(BUILD)/tests/guest/$$p.$$s.log; fi; \
	done; done; \
	echo "guest: $$pass passed, $$fail failed"; test $$fail -eq 0

# The board test: a bare-metal SMP program run by hsptd run (tests/board).
BOARD_SMP = $(BUILD)/tests/board/smp.bin
$(BOARD_SMP): tests/board/start.S tests/board/smp.c tests/board/board.ld | $(DEPS_OK)
	@mkdir -p $(@D)
	arm-linux-gnueabihf-gcc -march=armv7-a -mfpu=vfpv4 -mfloat-abi=hard -marm \
		-mgeneral-regs-only -ffreestanding -nostdlib -nostartfiles -O2 -Wall -Wextra -Werror \
		-T tests/board/board.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-Wl,-z,noexecstack -o $(@:.bin=.elf) tests/board/start.S tests/board/smp.c
	arm-linux-gnueabihf-objcopy -O binary $(@:.bin=.elf) $@

BOARD_RESET = $(BUILD)/tests/board/reset.bin
$(BOARD_RESET): tests/board/reset.S tests/board/board.ld | $(DEPS_OK)
	@mkdir -p $(@D)
	arm-linux-gnueabihf-gcc -march=armv7-a -mfpu=vfpv4 -mfloat-abi=hard -marm -nostdlib -nostartfiles \
		-T tests/board/board.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-Wl,-z,noexecstack -o $(@:.bin=.elf) tests/board/reset.S
	arm-linux-gnueabihf-objcopy -O binary $(@:.bin=.elf) $@

board-test: $(HSPTD) $(BOARD_SMP) $(BOARD_RESET)
	@tests/board/run.sh $(HSPTD) $(BOARD_SMP) $(BOARD_RESET)

# The benchmark's quick mode is part of the suite: it verifies its own
# checksums and fails on any fault, so it cannot rot between bench runs.
# The reference guest is fetched first, so that the unit tests that check
# the real Debian kernel (zImage payload, TEXT_OFFSET) run rather than skip.
test: all
	$(MAKE) --no-print-directory guest
	$(UNIT_BIN) $(UNIT_ARGS)
	$(MAKE) --no-print-directory guest-test
	$(MAKE) --no-print-directory board-test
	$(MAKE) --no-print-directory difftest
	$(MAKE) --no-print-directory daemon-test
	$(MAKE) --no-print-directory boot-test
	$(MAKE) --no-print-directory bench-smoke
	$(BUILD)/bench/shadow --quick > $(BUILD)/bench/shadow-quick.txt
	@tail -n 1 $(BUILD)/bench/shadow-quick.txt

# LeakSanitizer checks each Criterion worker as it exits, after the test
# was reported as passing, and Criterion ignores the worker's status: so the
# reports go to files (log_path), and any report fails the run.
SAN_REPORTS = build-san/reports
check:
	$(MAKE) BUILD=build-san SAN=1 build-san/tests/unit-tests
	rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	ASAN_OPTIONS=allow_user_segv_handler=1:handle_segv=0:detect_leaks=1:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1 build-san/tests/unit-tests $(UNIT_ARGS)
	@if ls $(SAN_REPORTS)/* >/dev/null 2>&1; then cat $(SAN_REPORTS)/*; \
		echo "make check: sanitizer reports above ($(SAN_REPORTS))" >&2; exit 1; fi

# Compute-bound guest for the CPU's MIPS, in soft and private modes.
CPU_BENCH = $(BUILD)/bench/hashloop.bin
$(CPU_BENCH): bench/cpu/start.S bench/cpu/hashloop.c | $(DEPS_OK)
	@mkdir -p $(@D)
	arm-linux-gnueabihf-gcc -march=armv7-a -mfpu=vfpv4 -mfloat-abi=hard -marm -O2 \
		-ffreestanding -nostdlib -nostartfiles -static -fno-pie -no-pie \
		-Wl,-Ttext=0x40000000 -Wl,--build-id=none -o $(@:.bin=.elf) $^
	arm-linux-gnueabihf-objcopy -O binary -j .text $(@:.bin=.elf) $@

bench-micro: $(BENCH_BINS) $(GUEST_RUN) $(CPU_BENCH)
	@for i in 1 2 3 4 5; do for s in soft private; do \
		$(GUEST_RUN) --stats --max-insns 2000000000 --spt $$s $(CPU_BENCH) 2>&1 | grep MIPS; \
	done; done
	$(BUILD)/bench/shadow

# SYSTEMD_UNITDIR and friends: where a distribution puts them (/usr/lib/...
# for PREFIX=/usr); units name $(PREFIX)/bin/hsptd.
SYSTEMD_UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSTEMD_USERUNITDIR ?= $(PREFIX)/lib/systemd/user
SYSCTLDIR           ?= $(PREFIX)/lib/sysctl.d
TMPFILESDIR         ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR         ?= $(PREFIX)/lib/sysusers.d
MANDIR              ?= $(PREFIX)/share/man
BASHCOMPDIR         ?= $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/hspt
	$(if $(BINS),install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/)
	install -m 0644 README.md $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/hspt/
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSTEMD_USERUNITDIR) \
		$(DESTDIR)$(SYSCTLDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/hsptd.service > $(DESTDIR)$(SYSTEMD_UNITDIR)/hsptd.service
	install -m 0644 systemd/hsptd.socket $(DESTDIR)$(SYSTEMD_UNITDIR)/hsptd.socket
	sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/user/hsptd.service > $(DESTDIR)$(SYSTEMD_USERUNITDIR)/hsptd.service
	install -m 0644 systemd/user/hsptd.socket $(DESTDIR)$(SYSTEMD_USERUNITDIR)/hsptd.socket
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/hsptd.service $(DESTDIR)$(SYSTEMD_USERUNITDIR)/hsptd.service
	install -m 0644 systemd/hsptd.sysctl.conf $(DESTDIR)$(SYSCTLDIR)/60-hsptd.conf
	install -m 0644 systemd/hsptd.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/hsptd.conf
	install -m 0644 systemd/hsptd.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/hsptd.conf
	install -m 0644 docs/man/hsptctl.1 $(DESTDIR)$(MANDIR)/man1/hsptctl.1
	install -m 0644 docs/man/hsptd.8 $(DESTDIR)$(MANDIR)/man8/hsptd.8
	install -m 0644 ctl/hsptctl.bash $(DESTDIR)$(BASHCOMPDIR)/hsptctl

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
