#!/bin/bash
# ab.sh — two hsptd binaries side by side on the benchmark guest, for a
# change to the engine or the vCPU threads: runs interleaved (A B A B ...),
# so that host noise hits both alike. Per run: the workload's guest time,
# the shadow fault cost per fill (fault_ns / faults_filled over the whole
# run), the host's TLB-shootdown and function-call interrupts (the TLB and
# CAL rows of /proc/interrupts: system-wide, keep the host quiet) and the
# host CPU time, user and system. Then per workload the medians of each,
# and the median of the per-pair guest-time ratios A/B (> 1: B is faster).
#
#   bench/ab.sh [--pairs N] [--vcpus V] [--spt S] A_HSPTD B_HSPTD WORKLOAD...
#
# The guest is build/guest/vmlinuz and build/guest/initrd-bench.gz (make
# guest build/guest/initrd-bench.gz), booted as bench/run.sh boots it.
# Copy the binaries aside first if a build could replace them mid-run.
set -euo pipefail

pairs=5
vcpus=2
spt=private
build=${BUILD:-build}
kernel=$build/guest/vmlinuz
initrd=$build/guest/initrd-bench.gz

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--pairs) pairs=$2 ;;
	--vcpus) vcpus=$2 ;;
	--spt) spt=$2 ;;
	-*) usage ;;
	*) break ;;
	esac
	[ $# -ge 2 ] || usage
	shift 2
done
[ $# -ge 3 ] || usage
bins=("$1" "$2")
shift 2
for f in "${bins[@]}" "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "ab.sh: $f: no such file" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# irqs ROW: that row of /proc/interrupts, summed over CPUs.
irqs() {
	awk -v row="$1:" '$1 == row { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
		END { print s + 0 }' /proc/interrupts
}

# run_one BIN WORKLOAD: one boot; prints "guest_s us_per_fill tlb cal user_s sys_s".
run_one() {
	local tlb0 cal0 tlb1 cal1 guest
	tlb0=$(irqs TLB)
	cal0=$(irqs CAL)
	TIMEFORMAT='%U %S'
	{ time "$1" run --kernel "$kernel" --initrd "$initrd" --vcpus "$vcpus" \
		--memory 512M --spt "$spt" --stats \
		--append "console=ttyAMA0 cryptomgr.notests hspt.workload=bench hspt.bench=$2" \
		</dev/null >"$tmp/out" 2>"$tmp/err"; } 2>"$tmp/time"
	tlb1=$(irqs TLB)
	cal1=$(irqs CAL)
	guest=$(sed -n "s/.*hspt-bench: $2 PASS \([0-9.]*\) s.*/\1/p" "$tmp/out")
	[ -n "$guest" ] || { echo "ab.sh: $1 $2: no PASS" >&2; cat "$tmp/out" >&2; exit 1; }
	# The per-vCPU counter lines only (not the total that follows them).
	us=$(awk '/^  total:/ { exit } $1 == "fault_ns" { ns += $2 } $1 == "faults_filled" { n += $2 }
		END { printf "%.2f", n ? ns / n / 1000 : 0 }' "$tmp/err")
	echo "$guest $us $((tlb1 - tlb0)) $((cal1 - cal0)) $(cat "$tmp/time")"
}

echo "A: ${bins[0]}"
echo "B: ${bins[1]}"
echo "$vcpus vCPUs, spt $spt, $pairs pairs; per run: guest s, µs/fill, TLB, CAL, user s, sys s"
for ((p = 1; p <= pairs; p++)); do
	for w in "$@"; do
		for i in 0 1; do
			r=$(run_one "${bins[$i]}" "$w")
			echo "$w $p $i $r" >>"$tmp/runs"
			echo "pair $p $w $([ $i = 0 ] && echo A || echo B): $r"
		done
	done
done
echo
printf '%-9s %-15s %-15s %-15s %-17s %-17s %s\n' workload "guest s A/B" "µs/fill A/B" \
	"TLB A/B" "CAL A/B" "sys s A/B" "A/B time ratio"
for w in "$@"; do
	awk -v w="$w" '
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == w { n[$3]++; for (c = 4; c <= 9; c++) v[$3, c, n[$3]] = $c; g[$3, $2] = $4 }
		END {
			for (s = 0; s <= 1; s++)
				for (c = 4; c <= 9; c++) {
					for (i = 1; i <= n[s]; i++) a[i] = v[s, c, i]
					m[s, c] = med(a, n[s])
				}
			for (p = 1; p <= n[0]; p++) r[p] = g[0, p] / g[1, p]
			printf "%-9s %-15s %-15s %-15s %-17s %-17s %.2f\n", w,
				m[0, 4] "/" m[1, 4], m[0, 5] "/" m[1, 5], m[0, 6] "/" m[1, 6],
				m[0, 7] "/" m[1, 7], m[0, 9] "/" m[1, 9], med(r, n[0])
		}' "$tmp/runs"
done
