#!/bin/sh
# boot-compare.sh — boot-to-init and acceptance-workload times of hspt in
# each SPT organization next to qemu-system-arm -M virt, on the same kernel
# and initramfs, runs interleaved (qemu, soft, shared, private, group:8,
# qemu, ...) so that a noisy host hits every column alike. Prints the
# median and range of each column and the per-round ratio to qemu.
#
#   bench/boot-compare.sh [ROUNDS [VCPUS]]     (defaults: 3 rounds, 1 vCPU)
#
# Uses tests/boot/boot-test.sh, so every run is also a full acceptance
# check: a FAIL aborts the comparison.
set -eu

rounds=${1:-3}
vcpus=${2:-1}
build=${BUILD:-build}
emus="qemu soft shared private group:8"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s "$build/hsptd" guest-test-initrd >/dev/null

for r in $(seq "$rounds"); do
	for e in $emus; do
		if [ "$e" = qemu ]; then
			set -- --emu qemu
		else
			set -- --emu hspt --hsptd "$build/hsptd" --spt "$e"
		fi
		line=$(tests/boot/boot-test.sh "$@" --vcpus "$vcpus" \
			--kernel "$build/guest/vmlinuz" --initrd "$build/guest/initrd-test.gz" \
			--log "$tmp/log") || { echo "$line"; exit 1; }
		echo "round $r: $line" >&2
		# "... PASS wall W s, init at I s, workload L s"
		echo "$line" | sed -n 's/.*wall \([0-9.]*\) s, init at \([0-9.]*\) s, workload \([0-9.]*\) s.*/\1 \2 \3/p' \
			>>"$tmp/$(echo "$e" | tr : _)"
	done
done

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'; }
ratio() {	# median over rounds of column $2 of $1 / column $2 of qemu
	paste "$tmp/$1" "$tmp/qemu" | awk -v c="$2" '{ print $c / $(c + 3) }' | sort -n |
		awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1fx", m }'
}

printf '\n%s vCPU(s), %s rounds, medians (min-max) in seconds; ratios to qemu per round\n\n' "$vcpus" "$rounds"
printf '| emulator | boot to /init | acceptance workload | wall | init / qemu | workload / qemu |\n'
printf '|---|---|---|---|---|---|\n'
for e in $emus; do
	f=$(echo "$e" | tr : _)
	name=$([ "$e" = qemu ] && echo "qemu-system-arm" || echo "hspt $e")
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" \
		"$(cut -d' ' -f2 "$tmp/$f" | median)" "$(cut -d' ' -f3 "$tmp/$f" | median)" \
		"$(cut -d' ' -f1 "$tmp/$f" | median)" \
		"$(ratio "$f" 2)" "$(ratio "$f" 3)"
done
