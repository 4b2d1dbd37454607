#!/usr/bin/env bash
# deps.sh — make sure the Debian packages hspt builds and tests with are present.
#
#   scripts/deps.sh          install what is missing (as root), or print the
#                            exact apt-get line to run (as anyone else)
#   scripts/deps.sh --check  exit 0 when everything is present, 1 otherwise
#
# The list is the single source of truth for the project's dependencies; the
# Makefile and .ci/run both call this script.
set -euo pipefail

packages=(
	build-essential pkg-config
	libuv1-dev libjansson-dev libcriterion-dev libfdt-dev libsystemd-dev liblzma-dev zlib1g-dev
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	qemu-user qemu-system-arm
	cpio xz-utils gzip
	gnuplot-nox
	python3
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "${1:-}" = --check ]; then
	exit 1
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "hspt: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi

echo "hspt: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A mirror caught mid-sync makes update report errors for one index
# while the lists it has still serve: carry on, and let install decide.
apt-get update -q </dev/null || echo "hspt: apt-get update reported errors; continuing" >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
