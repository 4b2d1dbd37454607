#!/bin/sh
# run.sh — the benchmark matrix: Debian's armhf kernel and the benchmark
# initramfs under hsptd in every SPT organization and under
# qemu-system-arm -M virt, for each workload and vCPU count, runs
# interleaved (every configuration once per round, round after round).
# Writes one line per run to OUT/runs.tsv (times, the shadow counters at
# exit, the load average) and the console of every failed run to OUT/logs/;
# bench/report.py turns that into the tables and plots (bench/README.md).
#
#   bench/run.sh [--rounds R] [--vcpus "1 2"] [--configs "qemu soft ..."]
#                [--workloads "boot int ..."] [--out DIR] [--hsptd PATH]
#                [--kernel FILE] [--initrd FILE] [--timeout S] [--resume]
#
# --resume adds ROUNDS more rounds to OUT's runs.tsv (numbered after its
# last) instead of starting it afresh: a long matrix can be run in parts.
#
# Exit status: 0 when every run passed, 1 when any failed or timed out
# (the matrix still completes: a failure is a result too), 2 usage.
set -eu

rounds=5
vcpus_list="1 2"
configs="qemu soft shared private group:1 group:4 group:8 group:16 group:32"
workloads="boot int fp mem forkexec pipe procs8 procs32 procs64"
build=${BUILD:-build}
out=$build/bench/results
hsptd=$build/hsptd
kernel=$build/guest/vmlinuz
initrd=$build/guest/initrd-bench.gz
timeout=300
resume=0
# cryptomgr.notests: the kernel's crypto self-tests are two thirds of
# hspt's boot (11 of 17 s); they are not what any workload measures.
append_base="console=ttyAMA0 cryptomgr.notests hspt.workload=bench"

usage() {
	sed -n '/^#   bench/,/^#  *\[--kernel/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	if [ "$1" = --resume ]; then
		resume=1
		shift
		continue
	fi
	[ $# -ge 2 ] || usage
	case "$1" in
	--rounds) rounds=$2 ;;
	--vcpus) vcpus_list=$2 ;;
	--configs) configs=$2 ;;
	--workloads) workloads=$2 ;;
	--out) out=$2 ;;
	--hsptd) hsptd=$2 ;;
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--timeout) timeout=$2 ;;
	*) usage ;;
	esac
	shift 2
done
for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "run.sh: $f: no such file" >&2; exit 2; }
done

# The counters, in the order of SHADOW_STATS_FIELDS (shadow/stats.h).
fields=$(sed -n 's/^[[:space:]]*X(\([a-z_]*\),.*/\1/p' shadow/stats.h | tr '\n' ' ')
mkdir -p "$out/logs"
tsv=$out/runs.tsv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
first=1
if [ "$resume" = 1 ] && [ -s "$tsv" ]; then
	first=$(($(tail -n 1 "$tsv" | cut -f1) + 1))
	echo >> "$out/machine.txt"
	echo "resumed at round $first:" >> "$out/machine.txt"
else
	: > "$out/machine.txt"
	resume=0
fi

# The machine, for the report.
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host: $(uname -srm)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "nproc: $(nproc)"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "max_map_count: $(cat /proc/sys/vm/max_map_count)"
	echo "qemu: $(qemu-system-arm --version | head -n 1)"
	echo "hspt: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
	echo "kernel image: $(cat "$(dirname "$kernel")/kernel-version" 2>/dev/null || basename "$kernel")"
	echo "rounds: $rounds (numbered from $first)"
	echo "vcpus: $vcpus_list"
	echo "configs: $configs"
	echo "workloads: $workloads"
	echo "append: $append_base hspt.bench=NAME"
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >> "$out/machine.txt"
if [ "$resume" = 0 ]; then
	printf 'round\tvcpus\tworkload\tconfig\tstatus\twall_s\tguest_s\tinit_s\tinsns\tload1' > "$tsv"
	for f in $fields; do printf '\t%s' "$f"; done >> "$tsv"
	printf '\n' >> "$tsv"
fi

# run_one VCPUS WORKLOAD CONFIG: boots once; console to $tmp/out,
# hsptd's --stats to $tmp/err. Prints the emulator's exit status.
run_one() {
	append="$append_base hspt.bench=$2"
	if [ "$3" = qemu ]; then
		set -- qemu-system-arm -M virt -cpu cortex-a15 -smp "$1" -m 512 -nographic \
			-nic none -no-reboot -kernel "$kernel" -initrd "$initrd" -append "$append"
	else
		set -- "$hsptd" run --kernel "$kernel" --initrd "$initrd" --append "$append" \
			--vcpus "$1" --memory 512M --spt "$3" --stats
	fi
	rc=0
	timeout -k 10 "$timeout" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
	echo "$rc"
}

# counters: the instructions of all vCPUs, a tab, then the per-vCPU
# counter lines of --stats summed, in $fields order, tab-separated.
counters() {
	awk -v fields="$fields" '
		/^  total:/ { exit }
		/^  vcpu[0-9]+: / { insns += $2 }
		/^    [a-z_]+ +[0-9]+/ { c[$1] += $2 }
		END {
			printf "%.0f", insns
			n = split(fields, f, " ")
			for (i = 1; i <= n; i++) printf "\t%.0f", c[f[i]]
		}' "$tmp/err"
}

failed=0
total=0
start=$(date +%s)
for r in $(seq "$first" $((first + rounds - 1))); do
	for n in $vcpus_list; do
		for w in $workloads; do
			for c in $configs; do
				load=$(cut -d' ' -f1 /proc/loadavg)
				t0=$(date +%s.%N)
				rc=$(run_one "$n" "$w" "$c")
				t1=$(date +%s.%N)
				wall=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
				guest=$(tr -d '\r' < "$tmp/out" |
					sed -n "s/^hspt-bench: $w PASS \([0-9.]*\) s\$/\1/p" | tail -n 1)
				init=$(tr -d '\r' < "$tmp/out" |
					sed -n 's/^hspt-guest: init at \([0-9.]*\) s uptime$/\1/p' | tail -n 1)
				if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
					status=TIMEOUT
				elif [ "$rc" = 0 ] && [ -n "$guest" ]; then
					status=PASS
				else
					status=FAIL
				fi
				if [ "$status" != PASS ]; then
					failed=$((failed + 1))
					log=$out/logs/$r-$n-$w-$(echo "$c" | tr : _).log
					cat "$tmp/out" "$tmp/err" > "$log"
				fi
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t' "$r" "$n" "$w" "$c" \
					"$status" "$wall" "${guest:--}" "${init:--}" >> "$tsv"
				ctr=$(counters)
				printf '%s\t%s\t%s\n' "${ctr%%	*}" "$load" "${ctr#*	}" >> "$tsv"
				total=$((total + 1))
				printf 'round %s/%s vcpus %s %-8s %-9s %s guest %s s wall %s s (%d s so far)\n' \
					"$r" $((first + rounds - 1)) "$n" "$w" "$c" "$status" "${guest:--}" "$wall" \
					$(($(date +%s) - start)) >&2
			done
		done
	done
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
echo "elapsed: $(($(date +%s) - start)) s for $total runs, $failed not PASS" >> "$out/machine.txt"
[ "$failed" -eq 0 ]
