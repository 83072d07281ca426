#!/bin/bash
# Build the debug guest kernel once into the cache: Debian's 6.12 source
# (the version kernels.conf pins) with KASAN, KFENCE, lockdep, DEBUG_LIST,
# DEBUG_OBJECTS_WORK and kmemleak, on a config cut down to what the test
# guests use: x86_64_defconfig and kvm_guest.config, the Hyper-V drivers as
# modules, memory hot-plug for the balloon. The folder it fills has the
# layout fetch-kernel.sh gives a Debian kernel (vmlinuz, modules, kdir, abi,
# version), so run.py boots it as --kernel 6.12-debug.
#   build-debug-kernel.sh           build it unless cached; print the folder
#   build-debug-kernel.sh --cached  print the folder if cached, else exit 3
# The build runs under nice -n 19 with at most OPENLIS_JOBS (2) jobs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
base=6.12
jobs=${OPENLIS_JOBS:-2}

read -r pinned < <(awk -v n="$base" '$1 == n {print $3}' "$here/kernels.conf")
# The options are part of the key: a kernel built with others is not reused.
options=$(sed -n '/^# options$/,/^# end options$/p' "$0" | sha256sum | cut -c1-8)
dest="$cache/kernels/$base-debug-$(echo "$pinned" | tr '~+:' '___')-$options"

if [ -f "$dest/.complete" ]; then
	echo "$dest"
	exit 0
fi
if [ "${1:-}" = --cached ]; then
	echo "build-debug-kernel: no debug kernel in $dest; run make debug-kernel" >&2
	exit 3
fi

kd=$("$here/fetch-kernel.sh" "$base")
version=$(cat "$kd/version")
# The build happens in place (a kernel tree names itself by absolute path);
# .complete, written last, says it is whole.
rm -rf "$dest"
mkdir -p "$dest/dl"
chmod 777 "$dest/dl"
(cd "$dest/dl" && apt-get source -q --download-only "linux=$version" >&2)
# dpkg-source applies Debian's patches to the upstream tarball.
dsc=$(ls "$dest"/dl/linux_*.dsc | head -n1)
dpkg-source --no-check -x "$dsc" "$dest/src" >&2
rm -rf "$dest/dl"

src=$dest/src
cd "$src"
make -s x86_64_defconfig >&2
make -s kvm_guest.config >&2
cfg() { scripts/config --file .config "$@"; }
# options
cfg --set-str LOCALVERSION -openlis-debug --disable LOCALVERSION_AUTO
cfg --enable HYPERVISOR_GUEST --enable PARAVIRT
cfg --module HYPERV --module HYPERV_UTILS --module HYPERV_BALLOON
cfg --module HYPERV_NET --module HYPERV_STORAGE
cfg --module BLK_DEV_SD --module BLK_DEV_SR
cfg --enable MEMORY_HOTPLUG --enable MEMORY_HOTREMOVE
cfg --enable MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO
cfg --enable DEBUG_FS --enable DEBUG_FS_ALLOW_ALL
cfg --enable HIBERNATION --enable PM_SLEEP
cfg --enable DEBUG_INFO_NONE --disable DEBUG_INFO_DWARF5
cfg --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_BTF
cfg --enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE
cfg --enable KFENCE
cfg --enable PROVE_LOCKING --enable DEBUG_LOCKDEP --enable DEBUG_ATOMIC_SLEEP
cfg --enable DEBUG_LIST
cfg --enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_WORK
cfg --enable DEBUG_OBJECTS_TIMERS --enable DEBUG_OBJECTS_FREE
cfg --enable DEBUG_KMEMLEAK --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
cfg --disable DEBUG_KMEMLEAK_DEFAULT_OFF --enable DEBUG_KMEMLEAK_AUTO_SCAN
cfg --disable MODULE_SIG --disable MODULE_COMPRESS
cfg --disable DRM --disable SOUND --disable USB_SUPPORT --disable WLAN
cfg --disable WIRELESS --disable NETFILTER
# end options
make -s olddefconfig >&2
for want in CONFIG_HYPERV=m CONFIG_HYPERV_BALLOON=m CONFIG_KASAN=y CONFIG_KFENCE=y \
	CONFIG_PROVE_LOCKING=y CONFIG_DEBUG_LIST=y CONFIG_DEBUG_OBJECTS_WORK=y \
	CONFIG_DEBUG_KMEMLEAK=y CONFIG_MEMORY_HOTREMOVE=y; do
	if ! grep -qx "$want" .config; then
		echo "build-debug-kernel: the config lost $want" >&2
		exit 1
	fi
done
nice -n 19 make -j"$jobs" bzImage modules >&2
abi=$(make -s kernelrelease)
nice -n 19 make -s INSTALL_MOD_PATH="$dest/root" modules_install >&2
# The build tree is the kdir: its Module.symvers and scripts build modules.
rm -f "$dest/root/lib/modules/$abi/build" "$dest/root/lib/modules/$abi/source"
cd "$dest"
cp src/arch/x86/boot/bzImage vmlinuz
ln -sfn src kdir
ln -sfn "root/lib/modules/$abi" modules
echo "$abi" >abi
echo "$version+debug" >version
touch .complete
echo "$dest"
