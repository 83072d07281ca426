# The time synchronization integration service of the emulated host
# (tests/host/hv-timesync.c, built by scripts/build-qemu.sh): hv_utils binds
# it and agrees on TimeSync 4.0 (host time with the partition reference
# time); a forced synchronization to a chosen time sets the guest's clock to
# it, and one to the host's time brings the clock back.
# modules: hv_vmbus hv_utils
# qemu: -device hv-timesync,id=hvts
# timeout: 90

ts=/machine/peripheral/hvts
qom() {
	host qmp "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$ts\",\"property\":\"$1\"}}"
}
sync_to() {
	host qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$ts\",\"property\":\"sync\",\"value\":\"$1\"}}"
}

d=$(vmbus_dev_by_class "{9527e630-d0ae-497b-adce-e80ab0175caf}") || {
	fail ic.timesync.device "no VMBus device of the timesync class (is this QEMU scripts/build-qemu.sh's?)"
	exit 0
}
drv=$(basename "$(readlink "$d/driver")" 2>/dev/null)
# openlis binds each service with its own module; the in-tree hv_utils binds all.
case "$MODULES" in
*hv_utils=openlis*) want=hv_timesync ;;
*) want=hv_utils ;;
esac
expect ic.timesync.driver "$drv" "$want"

ready() { [ "$(qom state)" = '"ready"' ]; }
if wait_for 30 ready; then
	pass ic.timesync.negotiate "framework $(qom framework-version) service $(qom service-version)"
else
	fail ic.timesync.negotiate "host state $(qom state)"
	exit 0
fi
expect ic.timesync.version "$(qom service-version)" '"4.0"'

answered() {
	a=$(qom answers)
	case "$a" in ''|*[!0-9]*) return 1 ;; esac
	[ "$a" -ge 1 ]
}
if wait_for 15 answered; then
	pass ic.timesync.answers "$(qom answers) answers to $(qom syncs) syncs and $(qom samples) samples"
else
	fail ic.timesync.answers "no answer (sent $(qom messages-sent))"
fi

# 2000000000 is 2033-05-18 03:33:20 UTC.
target=2000000000
expect ic.timesync.set "$(sync_to $target)" '{}'
at_target() {
	now=$(date +%s)
	[ "$now" -ge "$target" ] && [ "$now" -le $((target + 30)) ]
}
if wait_for 10 at_target; then
	pass ic.timesync.chosen "guest clock $(date -u '+%F %T')"
else
	fail ic.timesync.chosen "guest clock $(date +%s), expected about $target"
fi

expect ic.timesync.reset "$(sync_to now)" '{}'
near_host() {
	h=$(host time)
	h=${h%%.*}
	g=$(date +%s)
	case "$h" in ''|*[!0-9]*) return 1 ;; esac
	[ $((g - h)) -le 3 ] && [ $((h - g)) -le 3 ]
}
if wait_for 10 near_host; then
	pass ic.timesync.now "guest $(date +%s), host $(host time)"
else
	fail ic.timesync.now "guest $(date +%s), host $(host time)"
fi
