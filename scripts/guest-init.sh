#!/bin/sh
# /init of the reference guest's initramfs (scripts/fetch-guest.sh; the boot
# tests put this same file over the base one, tests/boot/README.md).
#
# Mounts the pseudo-filesystems, loads the virtio modules, reports what the
# acceptance tests check, then runs the workload the kernel command line
# names (hspt.workload=NAME) and powers off; with none it starts a shell.
#
#   hspt.workload=poweroff   report and power off
#   hspt.workload=smp        the acceptance run: nproc against hspt.cpus=N,
#                            the clock against hspt.hosttime=SECONDS
#                            (hspt-clock-check), hspt-smp-work on every CPU
#                            at once; then "hspt-guest: PASS" or
#                            "hspt-guest: FAIL <reasons>"
#   hspt.workload=bench      one benchmark workload, hspt.bench=NAME
#                            (bench/README.md): boot, int, fp, mem,
#                            forkexec, pipe, procs8, procs32, procs64;
#                            hspt-bench prints "hspt-bench: NAME PASS T s"
#                            (guest time), boot prints its uptime at /init
#
# The uptimes printed ("init at", "workload done at") let a console log
# tell boot time from workload time.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# The value of the last NAME=VALUE on the kernel command line.
param() {
	sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" /proc/cmdline
}

init_at=$(uptime_s)
echo "hspt-guest: init at $init_at s uptime"
for m in /lib/modules/*/*.ko*; do
	[ -e "$m" ] && insmod "$m" 2>/dev/null
done
echo "hspt-guest: up, $(nproc) cpus, kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

fails=
fail() {
	echo "hspt-guest: FAIL $*"
	fails="$fails${fails:+; }$*"
}

# check CMD...: runs a test program with its output on the console as it
# comes; if it fails, the reason is its "...: FAIL <reason>" line.
check() {
	{ "$@"; echo $? > /tmp/check.rc; } 2>&1 | tee /tmp/check.out
	rc=$(cat /tmp/check.rc)
	[ "$rc" = 0 ] && return 0
	why=$(sed -n 's/^[^ ]*: FAIL //p' /tmp/check.out | tail -n 1)
	fail "${why:-$1 exited with status $rc}"
}

accept() {
	cpus=$(param hspt.cpus)
	n=$(nproc)
	if [ -z "$cpus" ]; then
		fail "no hspt.cpus=N on the command line"
	elif [ "$n" != "$cpus" ]; then
		fail "nproc $n != $cpus"
	fi
	hosttime=$(param hspt.hosttime)
	if [ -z "$hosttime" ]; then
		fail "no hspt.hosttime=SECONDS on the command line"
	fi
	check hspt-clock-check ${hosttime:+--hosttime "$hosttime"}
	start=$(uptime_s)
	echo "hspt-guest: workload start at $start s uptime"
	check hspt-smp-work
	end=$(uptime_s)
	echo "hspt-guest: workload done at $end s uptime" \
		"($(awk "BEGIN { printf \"%.2f\", $end - $start }") s)"
	# An idle stretch: the harness measures the emulator's host CPU use
	# from 1 s to 4 s after this line.
	echo "hspt-guest: idle for 5 s"
	sleep 5
	if [ -z "$fails" ]; then
		echo "hspt-guest: PASS"
	else
		echo "hspt-guest: FAIL $fails"
	fi
}

# The benchmark (bench/run.sh): one workload, nothing else, so that the
# emulator's counters at exit are the boot's plus this workload's.
bench() {
	name=$(param hspt.bench)
	case "$name" in
	boot)
		echo "hspt-bench: boot PASS $init_at s"
		;;
	procs[0-9]*)
		hspt-bench procs "${name#procs}"
		;;
	?*)
		hspt-bench "$name"
		;;
	*)
		echo "hspt-bench: - FAIL no hspt.bench=NAME on the command line"
		;;
	esac
}

workload=$(param hspt.workload)
case "$workload" in
"")
	exec /bin/sh
	;;
poweroff)
	;;
smp|accept)
	accept
	;;
bench)
	bench
	;;
*)
	echo "hspt-guest: unknown workload $workload"
	;;
esac
echo "hspt-guest: powering off at $(uptime_s) s uptime"
poweroff -f
