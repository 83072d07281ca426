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
have=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || echo 0)

if [ -z "$want" ] || [ "$want" -le "$have" ]; then
	exec make "$@"
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
