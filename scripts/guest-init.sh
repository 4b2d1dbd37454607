#!/bin/sh
# /init of the reference guest's initramfs (scripts/fetch-guest.sh).
#
# Mounts the pseudo-filesystems, loads the virtio modules, reports what the
# acceptance tests check, then runs HSPT_WORKLOAD if the kernel command line
# names one (hspt.workload=NAME) and powers off; otherwise it starts a shell.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in /lib/modules/*/*.ko*; do
	[ -e "$m" ] && insmod "$m" 2>/dev/null
done
echo "hspt-guest: up, $(nproc) cpus, kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
workload=$(sed -n 's/.*hspt\.workload=\([^ ]*\).*/\1/p' /proc/cmdline)
case "$workload" in
"")
	exec /bin/sh
	;;
poweroff)
	;;
*)
	echo "hspt-guest: unknown workload $workload"
	;;
esac
echo "hspt-guest: powering off"
poweroff -f
