# The time synchronization integration service of the emulated host
# (tests/host/hv-timesync.c, built by scripts/build-qemu.sh): hv_utils binds
# it and agrees on TimeSync 4.0 (host time with the partition reference
# time) and registers the PTP clock "hyperv"; a forced synchronization to a
# chosen time sets the guest's clock to it, and one to the host's time brings
# the clock back.
# modules: hv_vmbus hv_utils
# qemu: -device hv-timesync,id=hvts
# timeout: 90

sync_to() { qset sync "\"$1\""; }

ic_device timesync "{9527e630-d0ae-497b-adce-e80ab0175caf}" hv_timesync hvts || exit 0
ic_negotiated timesync || exit 0
expect ic.timesync.version "$(qom service-version)" '"4.0"'

synced() {
	a=$(qom answers)
	case "$a" in ''|*[!0-9]*) return 1 ;; esac
	[ "$a" -ge 1 ]
}
if wait_for 15 synced; then
	pass ic.timesync.answers "$(qom answers) answers to $(qom syncs) syncs and $(qom samples) samples"
else
	fail ic.timesync.answers "no answer (sent $(qom messages-sent))"
fi

# The samples feed a PTP clock named "hyperv" (chrony reads it through
# /dev/ptp_hyperv), on openlis's hv_timesync as on the in-tree hv_utils.
ptp=
for c in /sys/class/ptp/ptp*; do
	[ "$(cat "$c/clock_name" 2>/dev/null)" = hyperv ] && ptp=${c##*/}
done
if [ -n "$ptp" ]; then
	pass ic.timesync.ptp "/dev/$ptp is the clock \"hyperv\""
else
	fail ic.timesync.ptp "no PTP clock named hyperv: $(cat /sys/class/ptp/ptp*/clock_name 2>/dev/null | tr '\n' ' ')"
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
