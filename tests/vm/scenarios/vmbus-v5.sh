# The host raised to VMBus 5.3 (vmbus-bridge's max-version, from
# tests/host/patches/vmbus-protocol-5.patch), as Windows Server 2022 is:
# the core negotiates 5.3, making contact on message connection id 4 with
# its SINT instead of an interrupt page and going on with the connection id
# the host's VERSION_RESPONSE names (1; the host takes nothing but 5.x
# contact on 4, so a core that kept 4 would lose its next message). The
# heartbeat and the balloon bind and work at 5.3. Then hv_vmbus is loaded
# again capped at 4.0 (max_version) and this host still gives 4.0, then
# again as it was. Runs apart from the scenarios that expect QEMU's 4.0.
# modules: hv_vmbus hv_utils hv_balloon
# qemu: -global vmbus-bridge.max-version=5.3
# qemu: -device hv-heartbeat,id=hvhb,interval=500
# timeout: 240

dm={525074dc-8985-46e2-8057-a307dc18a502}
hb={57164f39-9115-4e78-ab55-382f3bd5422d}
want=5.3
n_trouble0=$(kernel_trouble)

# In-tree logs "Vmbus version:5.3", openlis "VMBus version 5.3, message
# connection id 1"; every load logs one: the latest counts.
vmbus_version() {
	dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1
}
has_version() { [ -n "$(vmbus_version)" ]; }
wait_for 20 has_version
expect vmbus.v5.version "$(vmbus_version)" "$want"
case " $MODULES " in
*" hv_vmbus=openlis "*)
	line=$(dmesg | grep 'VMBus version' | tail -n1)
	case $line in
	*"message connection id 1"*) pass vmbus.v5.conn_id "$line" ;;
	*) fail vmbus.v5.conn_id "got '$line', expected message connection id 1 as the host named" ;;
	esac ;;
*) skip vmbus.v5.conn_id "the in-tree core does not log the connection id it took" ;;
esac

balloon_bound() { dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ]; }
if wait_for 20 balloon_bound; then
	pass vmbus.v5.balloon "$(basename "$(readlink "$dev/driver")") bound at $want"
else
	fail vmbus.v5.balloon "the balloon device did not bind at $want"
fi

if ic_device heartbeat "$hb" hv_heartbeat hvhb && ic_negotiated heartbeat; then
	heartbeats vmbus.v5.heartbeat
fi

# hv_vmbus again with max_version: openlis's takes "4.0", the in-tree one
# the number (major << 16 | minor).
unloaded=
# Every module of the stack that is not loaded, loaded again in order:
# unload ran in a subshell, so what is not there is what it unloaded.
load_rest() {
	for f in /lib/openlis-modules/*.ko; do
		m=${f##*/}
		m=$(echo "${m%.ko}" | sed 's/^[0-9]*-//' | tr - _)
		loaded "$m" || insmod "$f" "$@" 2>/dev/null
	done
}
reload() {
	if ! err=$(unload hv_vmbus); then
		# a holder that cannot go: the ones that went come back
		load_rest
		echo "cannot unload hv_vmbus: $err"
		return 1
	fi
	insmod "$(ko hv_vmbus)" "$@" || { echo "insmod hv_vmbus $* failed"; return 1; }
	load_rest
	return 0
}
case " $MODULES " in
*" hv_vmbus=openlis "*) cap=max_version=4.0 ;;
*) cap=max_version=$((4 << 16)) ;;
esac
if ! err=$(reload $cap); then
	case " $MODULES " in
	*" hv_vmbus=openlis "*) fail vmbus.v5.maxver "$err" ;;
	*) skip vmbus.v5.maxver "the in-tree hv_vmbus of $(uname -r) could not be loaded again: $err" ;;
	esac
else
	expect vmbus.v5.maxver "$(vmbus_version)" 4.0
	if wait_for 20 balloon_bound; then
		pass vmbus.v5.maxver.bound "$(basename "$(readlink "$dev/driver")") at 4.0"
	else
		fail vmbus.v5.maxver.bound "the balloon device did not bind at 4.0"
	fi
	if err=$(reload); then
		expect vmbus.v5.restore "$(vmbus_version)" "$want"
		if ic_device heartbeat "$hb" hv_heartbeat hvhb && ic_negotiated heartbeat; then
			heartbeats vmbus.v5.restore.heartbeat
		fi
	else
		fail vmbus.v5.restore "$err"
	fi
fi

no_new_trouble vmbus.v5.clean "$n_trouble0"
