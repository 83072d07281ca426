#!/bin/bash
# Build fio as one static binary for the busybox test guests, which have no
# C library to run Debian's own fio (and its package pulls in Ceph's,
# Gluster's and RDMA's libraries): Debian's source of fio, configured with
# the libaio and io_uring engines and none that needs another library.
#
#   scripts/build-fio.sh
#
# The binary goes to $OPENLIS_CACHE/fio/<version>-<hash>/fio (the hash
# covers this script); the last line on stdout is its path, progress goes
# to stderr. Installs libaio-dev (for its static library) when root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
# fio's source as the machines' mirror serves it (sid; trixie's 3.39 has no
# tarball there).
pin=3.41-2

say() { echo "build-fio: $*" >&2; }

hash=$(sha256sum <"$0" | cut -c1-12)
out="$cache/fio/${pin%-*}-$hash"
if [ -x "$out/fio" ]; then
	echo "$out/fio"
	exit 0
fi

if [ ! -f /usr/lib/x86_64-linux-gnu/libaio.a ]; then
	if [ "$(id -u)" != 0 ]; then
		say "libaio-dev is missing; run as root"
		exit 1
	fi
	"$here/apt-suites.sh"
	say "installing libaio-dev"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends libaio-dev >&2
fi

mkdir -p "$cache/fio"
exec 9>"$cache/fio/build.lock"
flock 9
if [ -x "$out/fio" ]; then
	echo "$out/fio"
	exit 0
fi
tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
chmod 777 "$tmp"
# Only the orig tarball is needed: Debian's patches touch packaging only.
(cd "$tmp" && apt-get source -q --download-only "fio=$pin" >&2) || true
orig=$(ls "$tmp"/fio_*.orig.tar.* 2>/dev/null | head -n1)
if [ -z "$orig" ]; then
	say "no source of fio $pin on the mirror"
	exit 1
fi
mkdir "$tmp/src"
tar -xf "$orig" -C "$tmp/src" --strip-components=1
say "building fio ${pin%-*} (static)"
(
	cd "$tmp/src"
	./configure --build-static --disable-native --disable-numa \
		--disable-rdma --disable-rados --disable-rbd --disable-http \
		--disable-gfapi --disable-libnfs --disable-pmem --disable-xnvme \
		--disable-isal --disable-libblkio --disable-libzbc \
		--disable-tcmalloc --disable-dfs --disable-shm
	make -j2 fio
) >"$tmp/build.log" 2>&1 || {
	tail -n 20 "$tmp/build.log" >&2
	say "fio did not build; see $tmp/build.log"
	exit 1
}
strip -o "$tmp/fio" "$tmp/src/fio"
"$tmp/fio" --enghelp | grep -qx '[[:space:]]*libaio' || {
	say "the fio built has no libaio engine"
	exit 1
}
rm -rf "$tmp/src" "$tmp"/fio_*
rm -rf "$out"
mv "$tmp" "$out"
echo "$out/fio"
