#!/bin/bash
# Create (once) a minimal Debian chroot of a given suite with the compiler a
# kernel's headers were built with, for kernels whose compiler is newer than
# the build machine's. Prints the chroot's directory.
# Usage: build-chroot.sh <suite> <gcc major>
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
suite=${1:?usage: build-chroot.sh <suite> <gcc major>}
gcc=${2:?usage: build-chroot.sh <suite> <gcc major>}
dir="$cache/chroots/$suite-gcc-$gcc"

if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

"$here/apt-suites.sh"
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >&2
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/openlis-suites.sources)

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
debootstrap --variant=minbase \
	--include="gcc-$gcc,make,libc6-dev,libelf-dev,bc,kmod,flex,bison,libssl-dev,dwarves" \
	"$suite" "$dir.tmp" "$mirror" >&2
# Kbuild runs "gcc"; the headers' Makefile may name gcc-<major> too.
ln -sf "gcc-$gcc" "$dir.tmp/usr/bin/gcc"
touch "$dir.tmp/.complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
