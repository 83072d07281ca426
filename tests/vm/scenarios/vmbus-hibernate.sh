# Hibernation through the PM core's "core" test level, which needs no swap:
# every device freezes (the VMBus devices, then the VMBus itself, at the
# noirq phase: channels closed, UNLOAD), the other CPU goes offline, syscore
# takes the boot CPU's SynIC down, and after 5 s with interrupts off all of
# it thaws (the boot's VMBus version negotiated again, the devices offered
# again, their channels opened again). Checked: the write succeeds and got
# as far as the core; the same devices (by instance) with the same drivers
# and their channels open again, each with a relid; the heartbeat answered
# again after the thaw; no kernel warning and no error about the VMBus. On
# openlis's core also its own account: UNLOAD answered once, the version of
# the boot negotiated once more, every channel offered again. The in-tree
# core logs none of that, so those checks are skipped on its stack.
# modules: hv_vmbus hv_utils hv_balloon
# qemu: -device hv-heartbeat,id=hvhb,interval=500
# cmdline: no_console_suspend ignore_loglevel
# timeout: 180

pm=/sys/power
if [ ! -w $pm/pm_test ]; then
	skip vmbus.hibernate "SKIPPED: no writable $pm/pm_test (a kernel without CONFIG_PM_DEBUG): hibernation not tested"
	exit 0
fi
case " $(cat $pm/state 2>/dev/null) " in
*" disk "*) ;;
*)
	skip vmbus.hibernate "SKIPPED: no \"disk\" in $pm/state ('$(cat $pm/state 2>/dev/null)'): hibernation is not available, not tested"
	exit 0 ;;
esac

# openlis's core says so in its module list, and in the CPU hotplug state
# it registers.
openlis_core() {
	case " $MODULES " in *" hv_vmbus=openlis "*) return 0 ;; esac
	grep -qs openlis /sys/devices/system/cpu/hotplug/states
}

ic_device heartbeat "{57164f39-9115-4e78-ab55-382f3bd5422d}" hv_heartbeat hvhb || exit 0
ic_negotiated heartbeat || exit 0

seqno() {
	_s=$(qom sequence)
	case "$_s" in ''|*[!0-9]*) echo 0 ;; *) echo "$_s" ;; esac
}
# beating <from>: the guest has answered two heartbeats past <from>.
beating() { [ "$(seqno)" -ge $(($1 + 2)) ]; }

# One line per device: instance, driver, channel state (3: open).
devices() {
	for _d in /sys/bus/vmbus/devices/*; do
		[ -e "$_d" ] || continue
		_drv=-
		[ -e "$_d/driver" ] && _drv=$(basename "$(readlink "$_d/driver")")
		echo "${_d##*/} $_drv $(cat "$_d/state" 2>/dev/null)"
	done | sort
}
all_open() { ! devices | grep -qv ' 3$'; }
# Devices whose channel has no relid (sysfs "id" outside 1..2047).
no_relid() {
	for _d in /sys/bus/vmbus/devices/*; do
		_id=$(cat "$_d/id" 2>/dev/null)
		case "$_id" in ''|*[!0-9]*) echo "${_d##*/}=$_id"; continue ;; esac
		[ "$_id" -ge 1 ] && [ "$_id" -lt 2048 ] || echo "${_d##*/}=$_id"
	done
}

vmbus_version() {
	dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1
}

# The probes are asynchronous: every device bound and open first.
wait_for 30 all_open || echo "note: not every VMBus device is bound and open: $(devices | tr '\n' ';')"
s0=$(seqno)
if ! wait_for 20 beating "$s0"; then
	fail vmbus.hibernate.before "no heartbeat answered before hibernating: sequence $s0 -> $(seqno)"
	exit 0
fi
before=$(devices)
ver0=$(vmbus_version)

# The log of this run starts at a mark of its own, whatever scrolls out.
mark="vmbus-hibernate: start $(date +%s)"
echo "$mark" >/dev/kmsg
since_mark() { dmesg "$@" | sed -n "\\|$mark|,\$p"; }

echo core >$pm/pm_test
t0=$(date +%s)
if err=$( (echo disk >$pm/state) 2>&1); then
	pass vmbus.hibernate.write "echo disk >$pm/state at pm_test core: $(($(date +%s) - t0)) s"
else
	fail vmbus.hibernate.write "echo disk >$pm/state at pm_test core: ${err:-failed}"
fi
echo none >$pm/pm_test
s1=$(seqno)

# The PM core pauses at its "core" level only once all else is down.
if since_mark | grep -q 'debug: Waiting for'; then
	pass vmbus.hibernate.core "the PM core reached its core test level"
else
	fail vmbus.hibernate.core "no \"debug: Waiting for\" in the log: the PM core stopped short of its core level"
fi

same() { [ "$(devices)" = "$before" ]; }
if wait_for 30 same; then
	pass vmbus.hibernate.devices "$(echo "$before" | wc -l) device(s), drivers and open channels as before"
else
	fail vmbus.hibernate.devices "before: $(echo "$before" | tr '\n' ';') after: $(devices | tr '\n' ';')"
fi
bad=$(no_relid)
if [ -z "$bad" ]; then
	pass vmbus.hibernate.relids "every channel has a relid again"
else
	fail vmbus.hibernate.relids "without a relid: $(echo "$bad" | tr '\n' ' ')"
fi

if wait_for 30 beating "$s1"; then
	pass vmbus.hibernate.heartbeat "sequence $s1 after the thaw -> $(seqno)"
else
	fail vmbus.hibernate.heartbeat "sequence $s1 after the thaw -> $(seqno) in 30 s, status $(qom status)"
fi
expect vmbus.hibernate.heartbeat.status "$(qom status)" '"ok"'

# Case matters: the PM core's own "debug: Waiting for" is no BUG.
trouble=$(since_mark | grep -E 'WARNING:|BUG:|BUG at|Call Trace|Oops|general protection fault|refcount_t:|use-after-free')
if [ -z "$trouble" ]; then
	pass vmbus.hibernate.clean "no kernel warning"
else
	fail vmbus.hibernate.clean "$(echo "$trouble" | head -n 3 | tr '\n' '|')"
fi
# Error level (0-3) in the raw log; a device's own lines name its driver.
errors=$(since_mark -r | grep -E '^<[0-3]>' | grep -iE 'vmbus|hv_')
if [ -z "$errors" ]; then
	pass vmbus.hibernate.errors "no error about the VMBus or its drivers"
else
	fail vmbus.hibernate.errors "$(echo "$errors" | head -n 3 | tr '\n' '|')"
fi

if openlis_core; then
	n=$(since_mark | grep -c 'hv_vmbus: hibernation: host answered UNLOAD')
	expect vmbus.hibernate.unload "$n UNLOAD answered" "1 UNLOAD answered"
	over=$(since_mark | grep 'hv_vmbus: hibernation over: ')
	expect vmbus.hibernate.renegotiated "$(echo "$over" | grep -c .) renegotiation(s)" "1 renegotiation(s)"
	ver1=$(echo "$over" | sed -n 's/.*VMBus version \([0-9]*\.[0-9]*\) again.*/\1/p' | tail -n1)
	expect vmbus.hibernate.version "$ver1" "$ver0"
	back=$(echo "$over" | sed -n 's/.* \([0-9]*\) of \([0-9]*\) channels offered again.*/\1 of \2/p' | tail -n1)
	if [ -n "$back" ] && [ "${back%% of *}" = "${back##* of }" ] &&
	   [ "${back%% of *}" != 0 ]; then
		pass vmbus.hibernate.offers "$back channels offered again"
	else
		fail vmbus.hibernate.offers "'$(echo "$over" | tail -n1)'"
	fi
else
	skip vmbus.hibernate.version "the in-tree core logs its version at boot only (before: $ver0)"
	skip vmbus.hibernate.unload "the in-tree core logs nothing of its UNLOAD"
fi

expect vmbus.hibernate.pm_test "$(sed -n 's/.*\[\([a-z]*\)\].*/\1/p' $pm/pm_test)" none
