#!/bin/bash
# Install what building and testing openlis needs on a Debian 12 machine:
# build tools, DKMS, sparse, QEMU with VMBus (bookworm-backports), busybox
# for the test initramfs. Idempotent: does nothing when all is there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# QEMU 10 is the first Debian QEMU with vmbus-bridge and hv-balloon built in.
qemu_suite=bookworm-backports
pkgs=(make gcc libc6-dev bc bison flex libelf-dev libssl-dev dwarves kmod cpio
      xz-utils zstd rsync perl python3 sparse dkms busybox-static debootstrap
      util-linux libnl-3-dev libnl-route-3-dev pkg-config clang
      libclang-rt-14-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
have_qemu=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
if [ "${#missing[@]}" -eq 0 ] && [ "${have_qemu%%.*}" != "" ] &&
   dpkg --compare-versions "$have_qemu" ge 1:10; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
"$here/apt-suites.sh"
if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -z "$have_qemu" ] || ! dpkg --compare-versions "$have_qemu" ge 1:10; then
	echo "install-deps: installing qemu-system-x86 from $qemu_suite"
	apt-get install -y -q --no-install-recommends -t "$qemu_suite" \
		qemu-system-x86 >/dev/null
fi
qemu-system-x86_64 -device help 2>/dev/null | grep -q '"vmbus-bridge"' || {
	echo "install-deps: this QEMU has no vmbus-bridge device" >&2
	exit 1
}
