# A Debian guest with systemd boots as users' do: systemd reaches
# multi-user with no failed unit, sees a Microsoft hypervisor (openlis's
# and Debian's units are conditioned on it), the VMBus devices are there and
# every one is bound to a driver that udev loaded by modalias, the root file
# system is on the disk the harness put it on, which udev names by its
# path (as on the in-tree core, below the VMBus ACPI device), every Hyper-V
# module comes from where modprobe resolves it (openlis's from
# updates/openlis on openlis's stacks, as DKMS installs them), and the
# kernel logged no oops or warning.
# rootfs: debian
# modules: hv_vmbus
# timeout: 240

state=$(timeout 200 systemctl is-system-running --wait 2>&1)
case $state in
running)
	pass systemd.state "running: $(systemd-analyze time 2>/dev/null | head -n 1)"
	;;
degraded)
	fail systemd.state "degraded, failed units:" \
		"$(systemctl list-units --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')"
	;;
*)
	fail systemd.state "'$state' (jobs: $(systemctl list-jobs --no-legend | wc -l))"
	;;
esac

if systemctl is-active --quiet multi-user.target; then
	pass systemd.multi-user "multi-user.target active"
else
	fail systemd.multi-user "multi-user.target is $(systemctl is-active multi-user.target)"
fi

expect systemd.virt "$(systemd-detect-virt 2>&1)" microsoft

# The root file system is on the disk the harness gave it (run.py
# --root-disk): virtio's /dev/vda, or the VMBus SCSI controller's /dev/sda,
# which both cores put below the VMBus ACPI device.
root=$(findmnt -n -o SOURCE /)
case $ROOTDEV:$(readlink -f "/sys/class/block/${root#/dev/}") in
/dev/vda:*/virtio*/block/vda | /dev/sda:*/VMB[uU][sS]:*/host*/block/sda)
	pass rootfs.disk "$root: $(readlink -f "/sys/class/block/${root#/dev/}")"
	;;
*)
	fail rootfs.disk "root $root at $(readlink -f "/sys/class/block/${root#/dev/}"), expected $ROOTDEV"
	;;
esac
[ "$ROOTDEV" != /dev/sda ] || by_path rootfs.by-path "$root"

# hv-balloon is always offered; a device left without a driver means udev
# found no module for its modalias. Since 6.10 the kernel's file copy is
# uio_hv_generic, which binds the device only once an administrator gives
# it the class (daemons-fcopy does, for upstream's UIO daemon): on the
# in-tree stack that device is unbound at boot, and is left out.
fcopy_class="{34d14be3-dee4-41c8-9ae7-6b174977c192}"
no_fcopy=
if intree_utils && fcopy_moved_to_uio; then
	no_fcopy=1
	skip vmbus.fcopy.intree "the in-tree file copy of $(uname -r) is uio_hv_generic, bound only when an administrator gives uio_hv_generic its class"
fi
has_devices() { [ -n "$(ls /sys/bus/vmbus/devices 2>/dev/null)" ]; }
all_bound() {
	for d in /sys/bus/vmbus/devices/*; do
		[ -n "$no_fcopy" ] && [ "$(cat "$d/class_id")" = "$fcopy_class" ] &&
			continue
		[ -e "$d/driver" ] || return 1
	done
}
if ! wait_for 30 has_devices; then
	fail vmbus.devices "nothing under /sys/bus/vmbus/devices"
elif wait_for 60 all_bound; then
	list=""
	for d in /sys/bus/vmbus/devices/*; do
		[ -e "$d/driver" ] || continue
		list="$list $(basename "$(readlink "$d/driver")")"
	done
	pass vmbus.devices "$(ls /sys/bus/vmbus/devices | wc -l) device(s), drivers:$list"
else
	unbound=""
	for d in /sys/bus/vmbus/devices/*; do
		[ -e "$d/driver" ] || unbound="$unbound $(cat "$d/class_id")"
	done
	fail vmbus.devices "no driver for class(es)$unbound"
fi

# Each loaded Hyper-V module is the file modprobe resolves for its name, and
# on openlis's stacks openlis's modules resolve to updates/openlis.
# Debian's kernels keep no srcversion of their own modules; the taint tells
# an out-of-tree module (O) from the kernel's own.
loaded_matches() {
	case $(cat "/sys/module/$1/taint" 2>/dev/null) in
	*O*) [ "$2" = openlis ] ;;
	*) [ "$2" = in-tree ] ;;
	esac
}
for m in $(awk '$1 ~ /^hv_/ {print $1}' /proc/modules); do
	file=$(modinfo -n "$m" 2>/dev/null)
	want=in-tree
	case " $OPENLIS_UPDATES " in
	*" $m "*) want=openlis ;;
	esac
	case $file in
	*/updates/openlis/*) got=openlis ;;
	*/kernel/*) got=in-tree ;;
	*) got="unknown ($file)" ;;
	esac
	if [ "$got" != "$want" ]; then
		fail "modules.$m" "modprobe resolves $file, expected $want"
	elif ! loaded_matches "$m" "$want"; then
		fail "modules.$m" "modprobe resolves $file ($want), but the loaded" \
			"module's taint is '$(cat "/sys/module/$m/taint")'"
	else
		pass "modules.$m" "$got: $file"
	fi
done

oops=$(journalctl -k -b --no-pager -q 2>/dev/null |
	grep -E 'Oops|BUG:|WARNING:|Call Trace|general protection|RIP:' | head -n 3)
if [ -n "$oops" ]; then
	fail kernel.oops "$(echo "$oops" | tr '\n' ' ')"
elif [ -z "$(journalctl -k -b --no-pager -q 2>/dev/null | head -n 1)" ]; then
	fail kernel.oops "the journal holds no kernel messages"
else
	pass kernel.oops "no oops or warning in the kernel's journal"
fi
