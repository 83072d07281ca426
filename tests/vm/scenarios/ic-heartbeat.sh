# The heartbeat integration service of the emulated host
# (tests/host/hv-heartbeat.c, built by scripts/build-qemu.sh): hv_utils binds
# it, agrees on framework and service versions, and answers every heartbeat
# with the next sequence number, which the host reports through QOM; it
# refuses malformed messages and goes on beating.
# modules: hv_vmbus hv_utils
# qemu: -device hv-heartbeat,id=hvhb,interval=500
# timeout: 90

ic_device heartbeat "{57164f39-9115-4e78-ab55-382f3bd5422d}" hv_heartbeat hvhb || exit 0
ic_negotiated heartbeat || exit 0
expect ic.heartbeat.version "$(qom service-version)" '"3.0"'

s0=$(qom sequence)
case "$s0" in ''|*[!0-9]*) s0=0 ;; esac
beating() {
	s=$(qom sequence)
	case "$s" in ''|*[!0-9]*) return 1 ;; esac
	[ "$s" -ge $((s0 + 4)) ]
}
if wait_for 20 beating; then
	pass ic.heartbeat.answers "sequence $s0 -> $(qom sequence), $(qom answers) answers"
else
	fail ic.heartbeat.answers "sequence $s0 -> $(qom sequence) in 20 s"
fi
expect ic.heartbeat.status "$(qom status)" '"ok"'

# Malformed heartbeats (the model's inject, tests/host/hv-ic.c): a packet
# shorter than its headers, an IC header claiming more than the packet
# holds, an unknown message type, a heartbeat cut short. Each is dropped
# or answered with a failure, and the heartbeats go on. The driver answers
# at once, so 3 s without an answer means it dropped the message.
lenient=
intree_utils && lenient="the in-tree hv_utils of $(uname -r)"
for m in short type truncated; do
	refuses "ic.heartbeat.malformed.$m" $m 3 "$lenient"
done
# An IC header claiming more than the packet: the size field is not relied
# on (the packet's length bounds every read, in-tree and openlis alike), so
# a guest may answer it; the heartbeats after show it did no harm.
refuses ic.heartbeat.malformed.size size 3 "" "the header's size is not relied on"
s0=$(qom sequence)
case "$s0" in ''|*[!0-9]*) s0=0 ;; esac
if wait_for 20 beating; then
	pass ic.heartbeat.malformed.after "sequence $s0 -> $(qom sequence)"
else
	fail ic.heartbeat.malformed.after "sequence $s0 -> $(qom sequence) in 20 s after the malformed ones"
fi
