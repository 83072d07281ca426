# At VMBus 5.3 a channel's interrupts move to another CPU when its
# channels/<relid>/cpu is written: the core sends MODIFYCHANNEL and, at 5.3,
# waits for the host's MODIFYCHANNEL_RESPONSE
# (tests/host/patches/vmbus-protocol-5.patch). Checked on the heartbeat
# channel, which the host signals every 500 ms: the write returns, cpu
# reads back, the heartbeats go on, and the channel's interrupts arrive on
# the new CPU. Where they arrive: both cores run a channel's callback as a
# tasklet on the CPU its interrupt came to, and nothing else here raises
# tasklets steadily, so /proc/softirqs' TASKLET counts per CPU follow the
# channel's own interrupts counter.
# modules: hv_vmbus hv_utils
# qemu: -global vmbus-bridge.max-version=5.3
# qemu: -device hv-heartbeat,id=hvhb,interval=500
# timeout: 180

hb={57164f39-9115-4e78-ab55-382f3bd5422d}
n_trouble0=$(kernel_trouble)

ic_device heartbeat "$hb" hv_heartbeat hvhb || exit 0
ic_negotiated heartbeat || exit 0
ch=$(ls -d "$d"/channels/[0-9]* 2>/dev/null | head -n 1)
if [ -z "$ch" ] || [ ! -e "$ch/cpu" ]; then
	fail vmbus.modify.sysfs "no channels/<relid>/cpu under $d"
	exit 0
fi
ver=$(dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1)
[ "$ver" = 5.3 ] || fail vmbus.modify.version "VMBus $ver, this scenario wants 5.3"

tasklets() { awk -v c=$(($1 + 2)) '/TASKLET:/ {print $c}' /proc/softirqs; }
_interrupted() { [ "$(cat "$ch/interrupts")" -ge $((i0 + 6)) ]; }
# lands <check> <cpu>: the next 6 interrupts of the channel (3 s of
# heartbeats) came as tasklets on that CPU and not on the other one.
lands() {
	other=$((1 - $2))
	i0=$(cat "$ch/interrupts")
	a0=$(tasklets "$2")
	b0=$(tasklets $other)
	if ! wait_for 20 _interrupted; then
		fail "$1" "the channel's interrupts went $i0 -> $(cat "$ch/interrupts") in 20 s"
		return
	fi
	di=$(($(cat "$ch/interrupts") - i0))
	da=$(($(tasklets "$2") - a0))
	db=$(($(tasklets $other) - b0))
	got="$di interrupts; tasklets: CPU$2 +$da, CPU$other +$db"
	if [ $((da * 4)) -ge $((di * 3)) ] && [ $((db * 4)) -lt "$di" ]; then
		pass "$1" "$got"
	else
		fail "$1" "$got"
	fi
}

# move <check> <cpu>: write cpu; at 5.3 the write waits for the host's
# answer, so a host that never answers leaves it hanging: watched.
move() {
	(echo "$2" >"$ch/cpu"; echo $? >/tmp/modify.rc) &
	_pid=$!
	if ! wait_for 15 _gone $_pid; then
		fail "$1" "echo $2 > $ch/cpu still waiting after 15 s"
		return 1
	fi
	rc=$(cat /tmp/modify.rc)
	if [ "$rc" != 0 ]; then
		fail "$1" "echo $2 > $ch/cpu failed (status $rc)"
		return 1
	fi
	expect "$1" "$(cat "$ch/cpu")" "$2"
}
_gone() { ! kill -0 "$1" 2>/dev/null; }

cpu0=$(cat "$ch/cpu")
cpu1=$((1 - cpu0))
lands vmbus.modify.before "$cpu0"
move vmbus.modify.move "$cpu1" || exit 0

heartbeats vmbus.modify.works "on CPU$cpu1, after the move"
lands vmbus.modify.after "$cpu1"

move vmbus.modify.back "$cpu0" && lands vmbus.modify.back.lands "$cpu0"

no_new_trouble vmbus.modify.clean "$n_trouble0"
