# The host rescinds a device's channel, as Hyper-V does when a device is
# removed: device_del of the heartbeat model (its offer rescinded by
# tests/host/patches/vmbus-protocol-5.patch, which removes the device once
# the guest has sent RELID_RELEASED). Checked: the device leaves
# /sys/bus/vmbus/devices and its driver, the guest releases the relid (the
# host then drops the device from QOM), and the kernel logs no warning or
# oops. Then device_add plugs it again: the host offers it alone, after the
# initial offers, and the guest binds it and answers its heartbeats. The
# protocol version is whatever the host gives (4.0, or 5.3 in the vmbus5
# group).
# modules: hv_vmbus hv_utils
# qemu: -device hv-heartbeat,id=hvhb,interval=500
# timeout: 150

hb={57164f39-9115-4e78-ab55-382f3bd5422d}
n_trouble0=$(kernel_trouble)

ic_device heartbeat "$hb" hv_heartbeat hvhb || exit 0
ic_negotiated heartbeat || exit 0
dev=${d##*/}
drv=$(readlink "$d/driver")
drv=${drv##*/}
relid=$(ls "$d/channels" 2>/dev/null | head -n 1)

peripherals() {
	host qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}'
}
# off_host: the host's answer lists its devices, and hvhb is not among them.
off_host() {
	_p=$(peripherals)
	case $_p in *'"name"'*) ;; *) return 1 ;; esac
	! echo "$_p" | grep -q '"name": *"hvhb"'
}
gone() { [ ! -e "/sys/bus/vmbus/devices/$dev" ]; }
unbound() { [ ! -e "/sys/bus/vmbus/drivers/$drv/$dev" ]; }

r=$(host qmp '{"execute":"device_del","arguments":{"id":"hvhb"}}')
if [ "$r" != '{}' ]; then
	fail vmbus.rescind.request "device_del: $r"
	exit 0
fi
if wait_for 20 gone; then
	pass vmbus.rescind.removed "$dev (relid $relid) left /sys/bus/vmbus/devices"
else
	fail vmbus.rescind.removed "$dev still in /sys/bus/vmbus/devices after 20 s"
fi
if unbound; then
	pass vmbus.rescind.unbound "$drv let go of $dev"
else
	fail vmbus.rescind.unbound "$dev still bound to $drv"
fi
if wait_for 20 off_host; then
	pass vmbus.rescind.released "the guest released relid $relid: the host removed hvhb"
else
	fail vmbus.rescind.released "hvhb still on the host after 20 s: no RELID_RELEASED for relid $relid"
fi
no_new_trouble vmbus.rescind.clean "$n_trouble0"

# Plugged again: offered after the initial offers (ALLOFFERS_DELIVERED
# is not sent again), bound and beating.
r=$(host qmp '{"execute":"device_add","arguments":{"driver":"hv-heartbeat","id":"hvhb","interval":500}}')
if [ "$r" != '{}' ]; then
	fail vmbus.hotplug.request "device_add: $r"
	exit 0
fi
back() { d=$(vmbus_dev_by_class "$hb") && [ -e "$d/driver" ]; }
if wait_for 30 back; then
	pass vmbus.hotplug.bound "${d##*/} relid $(ls "$d/channels" | head -n 1) bound to $(basename "$(readlink "$d/driver")")"
else
	fail vmbus.hotplug.bound "no bound heartbeat device 30 s after device_add"
	exit 0
fi
ic_negotiated heartbeat && heartbeats vmbus.hotplug.heartbeat
no_new_trouble vmbus.hotplug.clean "$n_trouble0"
