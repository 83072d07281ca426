#!/bin/sh
# What makes an install or a removal boot. DKMS runs this after it installs
# openlis for a kernel (POST_INSTALL in dkms.conf) and after it removes it
# (POST_REMOVE), with the kernel it did that for, which need not be the
# running one (AUTOINSTALL for a new kernel, dkms remove --all):
#
#   dkms-post.sh install <kernelver> [clients-only]
#   dkms-post.sh remove <kernelver>
#
# install puts the initramfs-tools hook and the dracut configuration in
# place; remove takes them away once no kernel has openlis's modules. Both
# then rebuild that kernel's initramfs, and say what they did.
# OPENLIS_BOOT_ROOT, for tests, is a folder that stands for /.
set -eu

usage="usage: dkms-post.sh install|remove <kernelver> [clients-only]"
here=$(cd "$(dirname "$0")" && pwd)
action=${1:?$usage}
kver=${2:?$usage}
root=${OPENLIS_BOOT_ROOT:-}
hook=$root/usr/share/initramfs-tools/hooks/openlis
conf=$root/usr/lib/dracut/dracut.conf.d/50-openlis.conf
mods=$root/lib/modules

say() {
	echo "openlis: $*"
}

# Whether some kernel still has openlis's modules: its hv_vmbus and
# hv_balloon name openlis in their description.
openlis_left() {
	for f in "$mods"/*/updates/dkms/hv_vmbus.ko* \
		"$mods"/*/updates/dkms/hv_balloon.ko*; do
		if [ -e "$f" ] && modinfo -F description "$f" | grep -q openlis; then
			return 0
		fi
	done
	return 1
}

case $action in
install)
	if [ -d "$root/usr/share/initramfs-tools" ]; then
		install -D -m 0755 "$here/initramfs-tools-hook" "$hook"
		say "installed the initramfs-tools hook $hook"
	fi
	if [ -d "$root/usr/lib/dracut" ]; then
		install -D -m 0644 "$here/dracut.conf" "$conf"
		say "installed the dracut configuration $conf"
	fi
	if [ "${3:-}" = clients-only ]; then
		list=$(find "$mods/$kver/updates/dkms" -name '*.ko*' -printf '%f\n' |
			sed 's/\.ko.*//' | sort | tr '\n' ' ')
		say "kernel $kver has its VMBus core built in (CONFIG_HYPERV=y or" \
			"CONFIG_HYPERV_VMBUS=y): openlis's hv_vmbus cannot replace it," \
			"so openlis's clients only are installed, on the kernel's core: ${list% }"
	fi
	;;
remove)
	if ! openlis_left && { [ -e "$hook" ] || [ -e "$conf" ]; }; then
		rm -f "$hook" "$conf"
		say "no kernel has openlis's modules any more: removed the initramfs hook and the dracut configuration"
	fi
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac

if [ "${DPKG_MAINTSCRIPT_NAME:-}" = prerm ]; then
	case ${DPKG_MAINTSCRIPT_PACKAGE:-} in
	linux-image-"$kver"*)
		say "kernel $kver is being removed: its initramfs goes with it, not rebuilt"
		exit 0
		;;
	esac
fi

# DKMS runs depmod only after this script: run it first, so that the
# initramfs takes the modules that are installed now, not those before.
if [ -n "$root" ]; then
	set -- -b "$root"
elif [ -f "/boot/System.map-$kver" ]; then
	set -- -F "/boot/System.map-$kver"
else
	set --
fi
if ! depmod "$@" -a "$kver"; then
	say "depmod failed for $kver: its initramfs is not rebuilt"
	exit 0
fi

img=
for f in "$root/boot/initrd.img-$kver" "$root/boot/initramfs-$kver.img"; do
	if [ -e "$f" ]; then
		img=$f
		break
	fi
done
if [ -z "$img" ]; then
	say "kernel $kver has no initramfs yet: its installation builds one, which takes what is installed now"
elif command -v update-initramfs >/dev/null 2>&1 &&
	[ -d "$root/usr/share/initramfs-tools" ]; then
	say "rebuilding the initramfs of $kver: update-initramfs -u -k $kver"
	update-initramfs -u -k "$kver" ||
		say "update-initramfs failed for $kver: its initramfs is as it was"
elif command -v dracut >/dev/null 2>&1; then
	say "rebuilding the initramfs of $kver: dracut --force --kver $kver $img"
	dracut --force --kver "$kver" "$img" ||
		say "dracut failed for $kver: its initramfs is as it was"
else
	say "neither update-initramfs nor dracut is installed: the initramfs of $kver ($img) is not rebuilt"
fi
