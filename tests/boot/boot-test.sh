#!/usr/bin/env bash
# boot-test.sh — boot the reference guest on hspt or qemu-system-arm and run
# the acceptance workload in it (tests/boot/README.md).
#
#   tests/boot/boot-test.sh --emu hspt|qemu --vcpus N [--spt MODE]
#       [--timeout S] [--hsptd PATH] [--log FILE] [--kernel FILE]
#       [--initrd FILE] [--append ARGS] [--verbose]
#
# The guest gets "hspt.workload=smp hspt.cpus=N hspt.hosttime=<now>" and
# prints "hspt-guest: PASS" or "hspt-guest: FAIL ..." before powering off.
# The emulator must exit 0 after the power-off, within the timeout. Prints
# one summary line, e.g.
#   boot hspt spt=private vcpus=2: PASS wall 12.3 s, init at 4.1 s, workload 3.2 s
# and on failure the last 20 console lines. Exit status 0 pass, 1 fail or
# timeout, 2 usage.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
	echo "usage: $0 --emu hspt|qemu --vcpus N [--spt MODE] [--timeout S]" >&2
	echo "       [--hsptd PATH] [--log FILE] [--kernel FILE] [--initrd FILE]" >&2
	echo "       [--append ARGS] [--verbose]" >&2
	exit 2
}

die() {
	echo "boot-test: $*" >&2
	exit 2
}

emu='' vcpus='' spt=private timeout='' log='' extra='' verbose=0
# An idle guest may cost at most this much of one host CPU (issue: "a few percent").
IDLE_MAX_PCT=${IDLE_MAX_PCT:-5}
hsptd=${HSPTD:-$root/build/hsptd}
kernel=$root/build/guest/vmlinuz
initrd=$root/build/guest/initrd-test.gz

while [ $# -gt 0 ]; do
	case $1 in
	--emu|--vcpus|--spt|--timeout|--hsptd|--log|--kernel|--initrd|--append)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--emu) emu=$2 ;;
		--vcpus) vcpus=$2 ;;
		--spt) spt=$2 ;;
		--timeout) timeout=$2 ;;
		--hsptd) hsptd=$2 ;;
		--log) log=$2 ;;
		--kernel) kernel=$2 ;;
		--initrd) initrd=$2 ;;
		--append) extra=$2 ;;
		esac
		shift 2
		;;
	-v|--verbose) verbose=1; shift ;;
	-h|--help) usage ;;
	*) echo "boot-test: unknown argument $1" >&2; usage ;;
	esac
done

case $emu in
hspt|qemu) ;;
"") echo "boot-test: --emu is required" >&2; usage ;;
*) die "--emu must be hspt or qemu, not '$emu'" ;;
esac
case $vcpus in
[1-8]) ;;
"") echo "boot-test: --vcpus is required" >&2; usage ;;
*) die "--vcpus must be 1 to 8 (the kernel's NR_CPUS), not '$vcpus'" ;;
esac
case $spt in
soft|shared|private|group:[1-9]|group:[1-9][0-9]*) ;;
*) die "--spt must be soft, shared, private or group:N, not '$spt'" ;;
esac
# The emulator's start-up, a 2 s boot on qemu and about 5 s of checks and
# workload; hspt interprets, so it gets far longer.
if [ -z "$timeout" ]; then
	if [ "$emu" = qemu ]; then timeout=120; else timeout=900; fi
fi
case $timeout in
''|*[!0-9]*|0) die "--timeout must be a whole number of seconds, not '$timeout'" ;;
esac
[ -f "$kernel" ] || die "kernel $kernel not found (make guest)"
[ -f "$initrd" ] || die "initrd $initrd not found (make guest-test-initrd)"

if [ "$emu" = qemu ]; then
	name="qemu vcpus=$vcpus"
	log=${log:-$root/build/tests/boot/qemu-$vcpus.log}
else
	[ -x "$hsptd" ] || die "hsptd $hsptd not found or not executable (--hsptd PATH or HSPTD=PATH)"
	name="hspt spt=$spt vcpus=$vcpus"
	log=${log:-$root/build/tests/boot/hspt-${spt/:/}-$vcpus.log}
fi
mkdir -p "$(dirname "$log")"

hosttime=$(date +%s)
append="console=ttyAMA0 hspt.workload=smp hspt.cpus=$vcpus hspt.hosttime=$hosttime${extra:+ $extra}"
if [ "$emu" = qemu ]; then
	cmd=(qemu-system-arm -M virt -cpu cortex-a15 -smp "$vcpus" -m 512 -nographic
		-nic none -no-reboot -kernel "$kernel" -initrd "$initrd" -append "$append")
else
	cmd=("$hsptd" run --kernel "$kernel" --initrd "$initrd" --append "$append"
		--vcpus "$vcpus" --memory 512M --spt "$spt")
fi

# timeout(1) puts the emulator in its own process group and signals the
# whole group: TERM at the limit (or when it gets TERM itself), KILL 10 s
# later if it is still there. A panicked kernel never powers off, so the
# log is watched for the end of a panic rather than waiting out the limit.
start=$(date +%s.%N)
timeout --kill-after=10 "$timeout" "${cmd[@]}" </dev/null >"$log" 2>&1 &
pid=$!
# The emulator is in another process group: ^C here must reach it too.
trap 'kill -TERM "$pid" 2>/dev/null; exit 130' INT TERM
if [ "$verbose" = 1 ]; then
	tail -n +1 -f --pid="$pid" "$log" &
fi
panicked=0
# The idle measurement: the emulator's host CPU time (all threads) over
# seconds 1 to 4 of the guest's 5-second idle stretch.
idle_seen='' idle_cpu1='' idle_t1='' idle_pct=''
cpu_ticks() {	# utime + stime of the emulator (timeout's child), in ticks
	local child
	child=$(pgrep -P "$pid" | head -n 1)
	[ -n "$child" ] && awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null
}
while kill -0 "$pid" 2>/dev/null; do
	if [ "$panicked" = 0 ] && grep -q 'end Kernel panic' "$log"; then
		panicked=1
		sleep 1		# the rest of the panic message
		kill -TERM "$pid" 2>/dev/null || true
	fi
	now=$(date +%s.%N)
	if [ -z "$idle_seen" ] && grep -q '^hspt-guest: idle for' "$log"; then
		idle_seen=$now
	elif [ -n "$idle_seen" ] && [ -z "$idle_t1" ] &&
		awk "BEGIN { exit !($now - $idle_seen >= 1) }"; then
		idle_cpu1=$(cpu_ticks) idle_t1=$now
	elif [ -n "$idle_t1" ] && [ -z "$idle_pct" ] &&
		awk "BEGIN { exit !($now - $idle_seen >= 4) }"; then
		cpu2=$(cpu_ticks)
		if [ -n "$idle_cpu1" ] && [ -n "$cpu2" ]; then
			idle_pct=$(awk -v hz="$(getconf CLK_TCK)" \
				"BEGIN { printf \"%.1f\", 100 * ($cpu2 - $idle_cpu1) / hz / ($now - $idle_t1) }")
		fi
	fi
	sleep 0.2
done
rc=0
wait "$pid" || rc=$?
wait		# tail
end=$(date +%s.%N)

# The console's lines end in CR LF.
console=$(tr -d '\r' <"$log")
field() {	# field SED-EXPRESSION: the first match in the console log
	printf '%s\n' "$console" | sed -n "$1" | head -n 1
}
init_at=$(field 's/^hspt-guest: init at \([0-9.]*\) s uptime.*/\1/p')
work=$(field 's/^hspt-guest: workload done at .*(\([0-9.]*\) s)$/\1/p')
guest_date=$(field 's/^hspt-clock: date \([0-9]*\) .*/\1/p')
guest_fail=$(printf '%s\n' "$console" | sed -n 's/^hspt-guest: FAIL //p' | tail -n 1)

# What a correct CPU and board never make the kernel say: warnings, oopses,
# panics, and failures of the crypto self-tests it runs while booting.
kernel_error=$(printf '%s\n' "$console" | grep -m 1 -E \
	'WARNING: CPU|BUG: |Internal error: |Oops|Kernel panic|alg: self-tests .*failed' || true)

verdict=PASS why=''
if [ "$panicked" = 1 ]; then
	verdict=FAIL why="kernel: ${kernel_error#\[*\] }"
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	verdict=TIMEOUT why="no power-off within $timeout s"
elif ! printf '%s\n' "$console" | grep -qx 'hspt-guest: PASS'; then
	verdict=FAIL
	if [ -n "$guest_fail" ]; then
		why="guest: $guest_fail"
	elif [ -n "$kernel_error" ]; then
		why="kernel: ${kernel_error#\[*\] }"
	else
		why="no verdict from the guest (emulator exit status $rc)"
	fi
elif [ -n "$kernel_error" ]; then
	verdict=FAIL why="kernel: ${kernel_error#\[*\] }"
elif [ "$rc" -ne 0 ]; then
	verdict=FAIL why="emulator exit status $rc after the guest's PASS"
elif [ -z "$guest_date" ] || [ "$guest_date" -gt "${end%.*}" ]; then
	# The guest checked its date against the start; this is the other end.
	verdict=FAIL why="guest date '${guest_date}' is later than the host's ${end%.*}"
elif [ -z "$idle_pct" ]; then
	verdict=FAIL why="the idle stretch was not measured"
elif [ "$emu" = hspt ] && awk "BEGIN { exit !($idle_pct > $IDLE_MAX_PCT) }"; then
	verdict=FAIL why="an idle guest used ${idle_pct}% of a host CPU (at most ${IDLE_MAX_PCT}%)"
fi

wall=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
summary="boot $name: $verdict wall $wall s, init at ${init_at:-?} s, workload ${work:-?} s, idle ${idle_pct:-?}% CPU"
if [ "$verdict" = PASS ]; then
	echo "$summary"
	exit 0
fi
echo "$summary: $why (log $log)"
printf '%s\n' "$console" | tail -n 20 | sed 's/^/    /'
exit 1
