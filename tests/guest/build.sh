#!/bin/sh
# build.sh — build the bare-metal guest test programs as ELF and flat binary.
#
#   tests/guest/build.sh [OUTDIR [PROGRAM...]]
#
# OUTDIR defaults to build/tests/guest; PROGRAM defaults to all of them
# (a name like "mmu" builds tests/guest/mmu.c plus tests/guest/mmu_asm.S if
# it exists). With GUEST_QEMU=1 the programs are built for
# `qemu-system-arm -M virt -cpu cortex-a7 -semihosting` instead of the hspt
# test machine (default OUTDIR build/tests/guest-qemu); see README.md.
set -eu

here=$(dirname "$0")
CROSS=${CROSS:-arm-linux-gnueabihf-}
CC="${CROSS}gcc"
OBJCOPY="${CROSS}objcopy"
# -mgeneral-regs-only: compiled code never touches VFP registers, so the
# exception handler cannot disturb the VFP tests, and nothing runs VFP code
# before a test has enabled it (VFP instructions are written in asm).
CFLAGS="-march=armv7-a -mfpu=vfpv4 -mfloat-abi=hard -marm -ffreestanding -nostdlib \
-nostartfiles -O1 -g -Wall -Wextra -Werror -mgeneral-regs-only"
LDFLAGS="-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments"
PROGRAMS="exceptions mmu exclusive vfp"

if [ "${GUEST_QEMU:-0}" = 1 ]; then
	CFLAGS="$CFLAGS -DGUEST_QEMU"
	out=${1:-build/tests/guest-qemu}
else
	out=${1:-build/tests/guest}
fi
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && PROGRAMS="$*"

mkdir -p "$out/lib"
libobjs=
for src in "$here"/lib/*.c "$here"/lib/*.S; do
	obj="$out/lib/$(basename "$src").o"
	$CC $CFLAGS -I"$here/lib" -c -o "$obj" "$src"
	libobjs="$libobjs $obj"
done

for prog in $PROGRAMS; do
	srcs="$here/$prog.c"
	[ -f "$here/${prog}_asm.S" ] && srcs="$srcs $here/${prog}_asm.S"
	$CC $CFLAGS -I"$here/lib" -T "$here/guest.ld" $LDFLAGS -o "$out/$prog.elf" $libobjs $srcs
	$OBJCOPY -O binary "$out/$prog.elf" "$out/$prog.bin"
done
