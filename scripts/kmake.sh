#!/bin/bash
# Run make against a kernel's headers with the compiler those headers expect.
# When the kernel was built by a newer gcc than this machine has, the build
# runs inside a chroot of the kernel's Debian suite (build-chroot.sh), with
# the cache and the source folder mounted at the same paths.
# Usage: kmake.sh <kdir> <make arguments...>
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kdir=$(realpath "${1:?usage: kmake.sh <kdir> <make args...>}")
shift

want=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9]\{4\}$/\1/p' "$kdir/.config")
# The compiler is the one the headers name (CONFIG_CC_VERSION_TEXT starts
# with the command the kernel was built by): Debian's name it
# x86_64-linux-gnu-gcc-<major>, the only compiler their package brings, and
# a system with no plain gcc still builds with it. Otherwise plain gcc.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ "]*\).*/\1/p' "$kdir/.config")
command -v "$cc" >/dev/null 2>&1 || cc=gcc
have=$("$cc" -dumpversion 2>/dev/null | cut -d. -f1) || true
[ -n "$have" ] || have=0

if [ -z "$want" ] || [ "$want" -le "$have" ]; then
	exec make "$@"
fi

# DKMS builds on a user's system (OPENLIS_CHROOT=no from dkms.conf): no
# chroot is made there, the missing compiler is named instead.
if [ "${OPENLIS_CHROOT:-yes}" = no ]; then
	echo "openlis: $kdir was built by gcc $want, which is not installed" \
		"(Debian: apt-get install gcc-$want)" >&2
	exit 1
fi

# Which suite built this kernel: the newest one is the safe guess for a
# compiler newer than bookworm's.
suite=${OPENLIS_CHROOT_SUITE:-sid}
chroot_dir=$("$here/build-chroot.sh" "$suite" "$want")
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
mkdir -p "$chroot_dir$cache" "$chroot_dir$PWD"
# shellcheck disable=SC2016
exec unshare -m /bin/sh -c '
	set -e
	c=$1; cache=$2; cwd=$3; shift 3
	mount --bind "$cache" "$c$cache"
	mount --bind "$cwd" "$c$cwd"
	mount -t proc proc "$c/proc"
	exec chroot "$c" /bin/sh -c "cd \"\$1\" && shift && exec make \"\$@\"" sh "$cwd" "$@"
' sh "$chroot_dir" "$cache" "$PWD" "$@"
