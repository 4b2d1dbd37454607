#!/bin/sh
# run.sh — the board test: `hsptd run` on a bare-metal SMP program (smp.c)
# in every SPT organization, and hsptd run's answers to bad input.
#
#   tests/board/run.sh HSPTD SMP.BIN RESET.BIN
set -u

hsptd=$1
smp=$2
reset=$3
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "board: FAILED: $*"; }

# The SMP program: exact console output and exit status 0. Its 10,000
# SEVs while cpu1 sleeps in WFI must not wake cpu1's thread: a handful of
# wake-ups (power-on, the SGI) is right, one per SEV is the bug.
for spt in soft private shared group:8; do
	if timeout 30 "$hsptd" run --kernel "$smp" --vcpus 2 --spt "$spt" --stats \
		</dev/null >"$tmp/out" 2>"$tmp/err" &&
		cmp -s "$tmp/out" "$here/expected.txt"; then
		ok
	else
		bad "smp.bin --spt $spt"
		cat "$tmp/out" "$tmp/err"
	fi
	wakeups=$(sed -n 's/^ *vcpu1: .* \([0-9]*\) wake-ups.*/\1/p' "$tmp/err")
	if [ -n "$wakeups" ] && [ "$wakeups" -lt 100 ]; then
		ok
	else
		bad "smp.bin --spt $spt: cpu1 woken ${wakeups:-?} times by SEVs in WFI"
	fi
done

# Bad input: exit status 2 and a message naming the problem.
expect_error() {
	want=$1
	shift
	"$hsptd" run "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -eq 2 ] && grep -q -- "$want" "$tmp/err"; then
		ok
	else
		bad "hsptd run $*: status $status, wanted 2 and '$want' in:"
		cat "$tmp/err"
	fi
}
printf 'not a kernel at all, just text that is long enough to be read\n%.0s' \
	$(seq 20) >"$tmp/text"
expect_error "No such file" --kernel "$tmp/missing"
expect_error "not an ARM zImage" --kernel "$tmp/text"
expect_error "--kernel FILE is required"
expect_error "is not a size" --kernel "$smp" --memory lots
expect_error "not a number in 1..8" --kernel "$smp" --vcpus 9
expect_error "is not soft, shared" --kernel "$smp" --spt bogus
expect_error "memory: " --kernel "$smp" --memory 1M
expect_error "initrd" --kernel "$smp" --initrd "$tmp/missing"

# A guest that resets at once is rebooted, then recognized as a reset
# loop: status 1, the reason on standard error, three reboots' output.
timeout 30 "$hsptd" run --kernel "$reset" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 1 ] && grep -q "reset loop" "$tmp/err" &&
	[ "$(tr -d '\r' <"$tmp/out" | grep -c '^R$')" -eq 3 ]; then
	ok
else
	bad "reset loop: status $status"
	cat "$tmp/out" "$tmp/err"
fi

echo "board: $pass passed, $fail failed"
test "$fail" -eq 0
