# bench/bench.mk — the benchmark matrix against qemu-system-arm
# (bench/README.md). Included by the top-level Makefile, which provides
# BUILD, DEPS_OK, HSPTD and the guest variables of tests/boot/boot.mk.
#
#   make bench         every configuration, 1 and 2 vCPUs, 5 rounds (hours)
#   make bench-quick   1 round, 1 vCPU, qemu soft shared private group:8
#   make bench-smoke   one workload in one configuration: checks PASS
#   make bench-report  tables and plots again from the last runs.tsv
#   make bench-publish copy the last report into bench/results/
#   make bench-micro   the engine and CPU micro-benchmarks (Makefile)

BENCH_GUEST       = $(BUILD)/bench/guest/hspt-bench
BENCH_GUEST_SRCS  = $(wildcard bench/guest/*.c)
BENCH_WORKLOAD    = $(BUILD)/guest/bench.cpio.gz
BENCH_INITRD      = $(BUILD)/guest/initrd-bench.gz
BENCH_OUT        ?= $(BUILD)/bench/results
BENCH_ROUNDS     ?= 5
BENCH_VCPUS      ?= 1 2
BENCH_CONFIGS    ?= qemu soft shared private group:1 group:4 group:8 group:16 group:32
BENCH_WORKLOADS  ?= boot int fp mem forkexec pipe procs8 procs32 procs64
BENCH_RUN = bench/run.sh --hsptd $(HSPTD) --kernel $(GUEST_KERNEL) --initrd $(BENCH_INITRD)

$(BENCH_GUEST): $(BENCH_GUEST_SRCS) bench/guest/bench.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(BOOT_CC) $(BOOT_CFLAGS) -o $@ $(BENCH_GUEST_SRCS) -lm

$(BENCH_WORKLOAD): scripts/guest-init.sh $(BENCH_GUEST) tests/boot/mkworkload.sh
	@mkdir -p $(@D)
	sh tests/boot/mkworkload.sh $@ scripts/guest-init.sh $(BENCH_GUEST)

$(BENCH_INITRD): $(GUEST_INITRD) $(BENCH_WORKLOAD)
	cat $^ > $@.tmp && mv $@.tmp $@

# The runs go to $(BENCH_OUT); bench/results/ in the tree holds a copy
# of a run's report (its README says which), never hand-edited.
.PHONY: bench bench-quick bench-smoke bench-report
# A failed run is a result too: the report is written either way, and
# make fails afterwards if any run did not pass.
bench: $(HSPTD) $(GUEST_KERNEL) $(BENCH_INITRD)
	@st=0; $(BENCH_RUN) --rounds $(BENCH_ROUNDS) --vcpus "$(BENCH_VCPUS)" \
		--configs "$(BENCH_CONFIGS)" --workloads "$(BENCH_WORKLOADS)" \
		--out $(BENCH_OUT) || st=$$?; \
	python3 bench/report.py $(BENCH_OUT) && exit $$st

bench-quick: $(HSPTD) $(GUEST_KERNEL) $(BENCH_INITRD)
	@st=0; $(BENCH_RUN) --rounds 1 --vcpus 1 --configs "qemu soft shared private group:8" \
		--workloads "$(BENCH_WORKLOADS)" --out $(BENCH_OUT) || st=$$?; \
	python3 bench/report.py $(BENCH_OUT) && exit $$st

bench-report:
	python3 bench/report.py $(BENCH_OUT)

# One short workload under hspt (private, 1 vCPU): the guest program, the
# init script's bench mode and the harness's parsing all work.
bench-smoke: $(HSPTD) $(GUEST_KERNEL) $(BENCH_INITRD)
	bench/run.sh --hsptd $(HSPTD) --kernel $(GUEST_KERNEL) --initrd $(BENCH_INITRD) \
		--rounds 1 --vcpus 1 --configs private --workloads pipe \
		--out $(BUILD)/bench/smoke --timeout 120
	@tail -n 1 $(BUILD)/bench/smoke/runs.tsv | cut -f3-7

# Copies the last report into the tree (bench/results/), as generated.
.PHONY: bench-publish
bench-publish:
	@test -f $(BENCH_OUT)/results.md || { echo "no $(BENCH_OUT)/results.md: make bench first" >&2; exit 1; }
	rm -f bench/results/*.png bench/results/*.dat
	mkdir -p bench/results
	python3 bench/report.py --headline-into README.md $(BENCH_OUT)
	cp $(BENCH_OUT)/results.md bench/results/README.md
	cp $(BENCH_OUT)/runs.tsv $(BENCH_OUT)/machine.txt $(BENCH_OUT)/*.png bench/results/
