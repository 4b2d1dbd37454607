#!/usr/bin/env bash
# fetch-guest.sh — fetch the reference guest from Debian's archive and build
# its initramfs. Nothing binary is committed: this runs at build/test time.
#
#   scripts/fetch-guest.sh [DIR]      (default: build/guest)
#
# Produces DIR/vmlinuz (Debian's linux-image-armmp kernel, an ARM zImage),
# DIR/initrd.gz (busybox-static:armhf, an /init script, the kernel's
# modules for the virtio devices) and DIR/kernel-version. Downloads are
# cached in DIR/debs; a second run with the same archive state does nothing.
#
# Needs the armhf architecture in dpkg: as root it is added (and the
# package lists updated); otherwise the script says what to run.
set -euo pipefail

dir=${1:-build/guest}
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

if ! dpkg --print-foreign-architectures | grep -qx armhf; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "fetch-guest: the armhf architecture is needed; as root run:" >&2
		echo "  dpkg --add-architecture armhf && apt-get update" >&2
		exit 1
	fi
	dpkg --add-architecture armhf
	# A mirror caught mid-sync can fail one index; the armhf lists are
	# what matter, and the lookups below say clearly if they are missing.
	apt-get update -q </dev/null || echo "fetch-guest: apt-get update reported errors; continuing" >&2
fi

# The meta-package names the current kernel package in its Depends.
kpkg=$(apt-cache depends linux-image-armmp:armhf 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-armmp\)\(:armhf\)\?$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -q </dev/null || true
		kpkg=$(apt-cache depends linux-image-armmp:armhf 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-armmp\)\(:armhf\)\?$/\1/p' | head -n 1)
	fi
	[ -n "$kpkg" ] || { echo "fetch-guest: cannot resolve linux-image-armmp:armhf (run apt-get update)" >&2; exit 1; }
fi
kver=${kpkg#linux-image-}

fetch() {	# fetch PACKAGE: the .deb's path in the cache
	local pkg=$1 deb
	deb=$(ls "$dir"/debs/"${pkg}"_*_armhf.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$dir/debs" && apt-get download -q "$pkg:armhf" </dev/null >&2)
		deb=$(ls "$dir"/debs/"${pkg}"_*_armhf.deb | head -n 1)
	fi
	echo "$deb"
}

kdeb=$(fetch "$kpkg")
bdeb=$(fetch busybox-static)

stamp="$kpkg $(basename "$kdeb") $(basename "$bdeb") $(sha256sum "$here/fetch-guest.sh" "$here/guest-init.sh" | cut -c1-16 | tr '\n' ' ')"
if [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$kdeb" "$work/kernel"
dpkg-deb -x "$bdeb" "$work/busybox"
cp "$work/kernel/boot/vmlinuz-$kver" "$dir/vmlinuz"

# The initramfs: busybox, the init script, and the modules the virt
# board's devices need (virtio is built as modules in Debian's kernel).
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib/modules}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
# Every applet busybox has (it can list them under qemu-arm), or a core set.
apps=$(qemu-arm "$root/bin/busybox" --list 2>/dev/null ||
	echo sh mount umount mkdir cat echo ls sleep poweroff reboot nproc date uname dmesg \
	     grep sed awk seq wc head tail sort cut tr expr test true false printf ps kill \
	     insmod modprobe mknod ln cp mv rm md5sum dd od yes)
for app in $apps; do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
install -m 0755 "$here/guest-init.sh" "$root/init"
mods=$work/kernel/lib/modules/$kver
if [ -d "$mods" ]; then
	mkdir -p "$root/lib/modules/$kver"
	for m in virtio virtio_ring virtio_mmio virtio_blk virtio_net virtio_console virtio_rng failover net_failover; do
		f=$(find "$mods" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] && cp "$f" "$root/lib/modules/$kver/"
	done
fi
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$dir/initrd.gz"
echo "$kver" > "$dir/kernel-version"
echo "$stamp" > "$dir/stamp"
echo "fetch-guest: $dir/vmlinuz ($kver) and $dir/initrd.gz" >&2
