# The boot path users take: a Debian guest made as a user's is (Debian's
# kernel package, initramfs-tools, udev, systemd), with openlis installed
# by `make dkms-install` from its source tree (tests/vm/rootfs.sh
# dkms-<kernel>), boots its own kernel and initramfs with its root on the
# VMBus SCSI controller; the harness loads nothing. On the openlis stack,
# one guest for each stage of the image where openlis came to this kernel
# (DKMS_ROLE): by `make dkms-install` (install), or by DKMS itself when the
# kernel package came after openlis (update). The running VMBus core is
# then openlis's, in the initramfs and loaded there from its ACPI alias, as
# udev does, before the root file system, whose disk is openlis's
# hv_storvsc's, from the initramfs too; where the kernel's core is built in
# (7.2), DKMS installed openlis's clients only, said so, and they run on the
# kernel's core. On
# the in-tree stack (the image after `make dkms-remove`): nothing of
# openlis is left, and the guest boots on the kernel's own modules. On
# all: systemd reaches multi-user, udev names the root disk by its path,
# udev starts the daemons, and the kernel logs no oops.
# rootfs: dkms
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# qemu: -device hv-vss,id=hvvss,timeout=30
# timeout: 300

kver=$(uname -r)
moddir=/lib/modules/$kver
# Since 7.x Debian builds the VMBus core into the kernel.
builtin_core=
if grep -q '/hv_vmbus\.ko' "$moddir/modules.builtin" 2>/dev/null; then
	builtin_core=1
fi
logs=/var/lib/openlis

state=$(timeout 200 systemctl is-system-running --wait 2>&1)
case $state in
running)
	pass boot.systemd "running: $(systemd-analyze time 2>/dev/null | head -n 1)"
	;;
*)
	fail boot.systemd "'$state', failed units:" \
		"$(systemctl list-units --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')"
	;;
esac
expect boot.multi-user "$(systemctl is-active multi-user.target)" active

# The root file system is the SCSI disk of the VMBus controller, under
# openlis's hv_storvsc where DKMS installed it, else the kernel's own.
src=$(findmnt -n -o SOURCE /)
path=$(readlink -f "/sys/class/block/${src#/dev/}")
case $DKMS_ROLE in
remove) want_drv="$moddir/kernel/*" want_ver= ;;
*) want_drv="$moddir/updates/dkms/*" want_ver=$OPENLIS_VERSION ;;
esac
case $path in
*/VMB[uU][sS]:*/host*/block/*)
	drv=$(modinfo -n hv_storvsc 2>/dev/null)
	ver=$(cat /sys/module/hv_storvsc/version 2>/dev/null)
	# shellcheck disable=SC2254
	case $drv:$ver in
	$want_drv:"$want_ver")
		pass boot.root "$src on the VMBus SCSI controller, driver $drv${ver:+ $ver}"
		;;
	*)
		fail boot.root "$src on VMBus, but hv_storvsc is $drv, version '$ver'"
		;;
	esac
	;;
*)
	fail boot.root "root $src is at $path, not on the VMBus SCSI controller"
	;;
esac

by_path boot.by-path "$src"

# What resolves the VMBus ACPI device's alias, as udev's autoload does.
acpi=$(cat /sys/bus/acpi/devices/VMB[uU][sS]:00/modalias 2>/dev/null)
resolved=$(modprobe -R "$acpi" 2>&1)
# The initramfs's listing (it takes a while to read under emulation).
initrd=$(lsinitramfs "/boot/initrd.img-$kver" 2>/dev/null)
version=$(cat /sys/module/hv_vmbus/version 2>/dev/null)
taint=$(cat /sys/module/hv_vmbus/taint 2>/dev/null)
# Nothing but udev's autoload is asked to load the core.
asked=$(grep -ls '^hv_vmbus' /etc/initramfs-tools/modules /etc/modules \
	/etc/modules-load.d/*.conf 2>/dev/null | tr '\n' ' ')
in_initrd() { printf '%s\n' "$initrd" | grep -q "$1"; }

# said <log> <text>: the line of the log in the image (rootfs.sh) that
# has the text.
said() {
	grep -m1 -F "$2" "$logs/$1.log" 2>/dev/null
}
# openlis's modules loaded here are their installed copies; the names
# given must be among them.
openlis_modules() {
	for m in $(awk '$1 ~ /^hv_/ {print $1}' /proc/modules); do
		f=$(modinfo -n "$m" 2>/dev/null)
		case $f in
		"$moddir"/updates/dkms/*)
			expect "dkms.module.$m" "$(cat "/sys/module/$m/version" 2>/dev/null)" \
				"$OPENLIS_VERSION"
			;;
		esac
	done
	for m in "$@"; do
		case $(modinfo -n "$m" 2>/dev/null):$(grep -c "^$m " /proc/modules) in
		"$moddir"/updates/dkms/*:1) ;;
		*) fail "dkms.module.$m" "not loaded from $moddir/updates/dkms" ;;
		esac
	done
}
rebuilt="rebuilding the initramfs of $kver"

case $DKMS_ROLE:$builtin_core in
install:1)
	# 7.2: DKMS builds the clients alone, and says so.
	line=$(said dkms-install "openlis's clients only are installed")
	st=$(dkms status -m openlis -k "$kver" 2>/dev/null | tr '\n' ' ')
	case $st:$line in
	*installed*:?*) pass dkms.clients-only "$st; make dkms-install said: ${line#openlis: }" ;;
	*) fail dkms.clients-only "dkms status '$st', and make dkms-install said '$line'" ;;
	esac
	expect dkms.core "$version:$(modinfo -n hv_vmbus 2>/dev/null)" ":(builtin)"
	openlis_modules hv_storvsc hv_balloon hv_utils hv_kvp hv_vss
	if ! line=$(said dkms-install "$rebuilt"); then
		fail dkms.initramfs "make dkms-install did not say it rebuilt the initramfs of $kver"
	elif in_initrd updates/dkms/hv_vmbus; then
		fail dkms.initramfs "the initramfs of $kver holds an hv_vmbus of openlis's"
	elif ! in_initrd "lib/modules/$kver/updates/dkms/hv_storvsc.ko"; then
		fail dkms.initramfs "the initramfs of $kver has no hv_storvsc of openlis's" \
			"for the root disk"
	else
		pass dkms.initramfs "$line; openlis's hv_storvsc in it, no VMBus core of openlis's"
	fi
	;;
install: | update:)
	expect dkms.version "$version" "$OPENLIS_VERSION"
	core=$(modinfo -n hv_vmbus 2>&1)
	case $resolved:$asked:$core in
	"hv_vmbus::$moddir"/updates/dkms/hv_vmbus.ko*)
		pass dkms.alias "$acpi resolves to openlis's $core"
		;;
	*)
		fail dkms.alias "$acpi resolves to '$resolved' ($core);" \
			"listed to load by hand in: '${asked}'"
		;;
	esac
	# The root disk's driver rides on the core: a core loaded before the
	# root was mounted came from the initramfs, which must hold openlis's.
	if in_initrd "lib/modules/$kver/updates/dkms/hv_vmbus.ko" &&
		[ "$(cat /sys/module/hv_vmbus/srcversion)" = \
			"$(modinfo -F srcversion "$core")" ]; then
		pass dkms.initramfs "the initramfs of $kver holds openlis's hv_vmbus, the one running"
	else
		fail dkms.initramfs "initramfs hv_vmbus files: $(printf '%s\n' "$initrd" |
			grep 'hv_vmbus' | tr '\n' ' '); running srcversion" \
			"$(cat /sys/module/hv_vmbus/srcversion 2>/dev/null)"
	fi
	openlis_modules hv_vmbus hv_storvsc hv_balloon hv_utils hv_kvp hv_vss
	if [ "$DKMS_ROLE" = install ]; then
		if line=$(said dkms-install "$rebuilt"); then
			pass dkms.install "make dkms-install for $kver: ${line#openlis: }"
		else
			fail dkms.install "make dkms-install did not say it rebuilt the initramfs of $kver"
		fi
	else
		# The kernel installed after openlis: DKMS built openlis for
		# it from the kernel packages' hooks, with no one asking.
		st=$(dkms status -m openlis -k "$kver" 2>/dev/null | tr '\n' ' ')
		auto="running auto installation service for kernel $kver"
		case $st in
		*installed*)
			if grep -q "$auto" "$logs/kernel-update.log"; then
				pass dkms.update "the kernel package's hook: $auto; $st"
			else
				fail dkms.update "$st, but no '$auto' in the kernel update's output"
			fi
			;;
		*)
			fail dkms.update "dkms status for $kver: '$st'"
			;;
		esac
	fi
	;;
remove:*)
	expect dkms.removed "$(ls "$moddir/updates/dkms" 2>/dev/null | tr '\n' ' ')$(dkms status -m openlis 2>/dev/null)" ""
	# Every hv_ module loaded is the kernel's own, and the core too.
	theirs=
	for m in $(awk '$1 ~ /^hv_/ {print $1}' /proc/modules); do
		case $(modinfo -n "$m" 2>/dev/null) in
		"$moddir"/kernel/*) ;;
		*) theirs="$theirs $m" ;;
		esac
	done
	core=$(modinfo -n hv_vmbus 2>&1)
	case $resolved:$version:$taint:$core:$theirs in
	"hv_vmbus:::$moddir"/kernel/drivers/hv/hv_vmbus.ko*: | "hv_vmbus:::(builtin):")
		pass dkms.core "$acpi resolves to the kernel's own $core, running, with its own clients"
		;;
	*)
		fail dkms.core "$acpi resolves to '$resolved' ($core)," \
			"running version '$version', taint '$taint'; not the kernel's:$theirs"
		;;
	esac
	if in_initrd updates/dkms || in_initrd hooks/openlis ||
		[ -e /usr/share/initramfs-tools/hooks/openlis ]; then
		fail dkms.initramfs "openlis is left in the initramfs of $kver or its hook"
	elif [ -z "$builtin_core" ] &&
		! in_initrd "lib/modules/$kver/kernel/drivers/hv/hv_vmbus.ko"; then
		fail dkms.initramfs "the initramfs of $kver has no hv_vmbus"
	elif line=$(said dkms-remove "$rebuilt"); then
		pass dkms.initramfs "make dkms-remove: ${line#openlis: }, on the kernel's own modules"
	else
		fail dkms.initramfs "make dkms-remove did not say it rebuilt the initramfs of $kver"
	fi
	;;
*)
	fail dkms.role "no checks for DKMS_ROLE '$DKMS_ROLE' (stage $DKMS_STAGE)"
	;;
esac

# udev starts Debian's daemons when their devices appear.
for d in kvp vss; do
	if wait_for 60 systemctl is-active --quiet "hv-$d-daemon.service"; then
		pass "daemons.$d" "hv-$d-daemon.service active, started by udev"
	else
		fail "daemons.$d" "hv-$d-daemon.service is $(systemctl is-active "hv-$d-daemon.service")" \
			"($(ls /dev/vmbus 2>&1 | tr '\n' ' '))"
	fi
done

oops=$(journalctl -k -b --no-pager -q 2>/dev/null |
	grep -E 'Oops|BUG:|WARNING:|Call Trace|general protection|RIP:' | head -n 3)
if [ -n "$oops" ]; then
	fail kernel.oops "$(echo "$oops" | tr '\n' ' ')"
else
	pass kernel.oops "no oops or warning in the kernel's journal"
fi
