# The VMBus core connects to the host: module loaded, protocol version as
# the host offers it, and the host's devices on the vmbus bus.
# modules: hv_vmbus
# timeout: 60

if [ -d /sys/module/hv_vmbus ]; then
	pass vmbus.loaded "$MODULES"
else
	fail vmbus.loaded "no /sys/module/hv_vmbus"
fi

if dmesg | grep -q 'Hypervisor detected: Microsoft Hyper-V'; then
	pass vmbus.hypervisor "Microsoft Hyper-V"
else
	fail vmbus.hypervisor "the kernel did not detect Hyper-V"
fi

# In-tree logs "Vmbus version:4.0", openlis "VMBus version 4.0".
vmbus_version() {
	dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1
}
has_version() { [ -n "$(vmbus_version)" ]; }
wait_for 20 has_version
ver=$(vmbus_version)
expect vmbus.version "$ver" "$EXPECT_VMBUS_VERSION"

has_devices() { [ -n "$(ls /sys/bus/vmbus/devices 2>/dev/null)" ]; }
if wait_for 20 has_devices; then
	pass vmbus.devices "$(ls /sys/bus/vmbus/devices | wc -l) device(s)"
else
	fail vmbus.devices "nothing under /sys/bus/vmbus/devices"
fi

# hv-balloon is the one device model QEMU offers besides the bridge.
dm={525074dc-8985-46e2-8057-a307dc18a502}
if dev=$(vmbus_dev_by_class "$dm"); then
	expect vmbus.modalias "$(cat "$dev/modalias")" \
		"vmbus:dc7450528589e2468057a307dc18a502"
else
	fail vmbus.modalias "no device of class $dm"
fi

# Without direct-mode synthetic timers (QEMU's default) the core hands each
# CPU's clockevent to the Hyper-V timer, whose ticks come as SynIC messages;
# then the CPUs must go on ticking through it.
ce=/sys/devices/system/clockevents
expect vmbus.clockevent "$(cat $ce/clockevent0/current_device 2>/dev/null)" \
	"Hyper-V clockevent"
ticks() { awk '/LOC:/ {print $2 + $3}' /proc/interrupts; }
hv_ticks() { awk '/HYP:|HVS:/ {n += $2 + $3} END {print n + 0}' /proc/interrupts; }
h0=$(hv_ticks)
sleep 2
h1=$(hv_ticks)
if [ "$h1" -gt "$h0" ]; then
	pass vmbus.timer.ticks "Hyper-V interrupts $h0 -> $h1 in 2 s"
else
	fail vmbus.timer.ticks "no Hyper-V interrupt in 2 s ($h0 -> $h1)"
fi
