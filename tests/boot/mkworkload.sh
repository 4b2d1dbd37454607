#!/bin/sh
# mkworkload.sh — the boot tests' initramfs overlay.
#
#   tests/boot/mkworkload.sh OUT.cpio.gz INIT PROGRAM...
#
# Writes a gzipped newc cpio archive holding INIT as /init and each PROGRAM
# as /bin/<its name>, all owned by root. Linux unpacks concatenated
# initramfs archives in order, a later file replacing an earlier one, so
# `cat initrd.gz OUT.cpio.gz` is the base initramfs with the current init
# script and the test programs: the base (scripts/fetch-guest.sh) need not
# be rebuilt when they change.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.cpio.gz INIT [PROGRAM...]" >&2
	exit 2
fi
out=$1
init=$2
shift 2
for f in "$init" "$@"; do
	[ -f "$f" ] || { echo "mkworkload: $f: no such file" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"
install -m 0755 "$init" "$stage/init"
for prog in "$@"; do
	install -m 0755 "$prog" "$stage/bin/$(basename "$prog")"
done
# Only the files go in: a directory entry would reset /bin's mode and owner.
(cd "$stage" && find init bin -type f | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
