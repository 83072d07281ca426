# The shutdown integration service of the emulated host
# (tests/host/hv-shutdown.c, built by scripts/build-qemu.sh): hv_utils binds
# it and agrees on versions; it refuses a request it does not know and a
# hibernation (the harness turns S4 off), and a power-off request powers the
# guest off. Run it LAST: the guest never reports @@DONE, so the harness must
# take the announced power-off (@@POWEROFF-EXPECTED) and QEMU's exit as the
# end of the run.
# modules: hv_vmbus hv_utils
# qemu: -device hv-shutdown,id=hvsd
# timeout: 90

sd=/machine/peripheral/hvsd
qom() {
	host qmp "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$sd\",\"property\":\"$1\"}}"
}
request() {
	host qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$sd\",\"property\":\"request\",\"value\":\"$1\"}}"
}

d=$(vmbus_dev_by_class "{0e0b6031-5213-4934-818b-38d90ced39db}") || {
	fail ic.shutdown.device "no VMBus device of the shutdown class (is this QEMU scripts/build-qemu.sh's?)"
	exit 0
}
drv=$(basename "$(readlink "$d/driver")" 2>/dev/null)
# openlis binds each service with its own module; the in-tree hv_utils binds all.
case "$MODULES" in
*hv_utils=openlis*) want=hv_shutdown ;;
*) want=hv_utils ;;
esac
expect ic.shutdown.driver "$drv" "$want"

ready() { [ "$(qom state)" = '"ready"' ]; }
if wait_for 30 ready; then
	pass ic.shutdown.negotiate "framework $(qom framework-version) service $(qom service-version)"
else
	fail ic.shutdown.negotiate "host state $(qom state)"
	exit 0
fi
expect ic.shutdown.version "$(qom service-version)" '"3.2"'

answered() { [ "$(qom result)" != '"pending"' ]; }
expect ic.shutdown.unknown.sent "$(request 8)" '{}'
wait_for 10 answered
expect ic.shutdown.unknown.answer "$(qom result)" '"failed 0x80004005"'

expect ic.shutdown.hibernate.sent "$(request hibernate)" '{}'
wait_for 10 answered
expect ic.shutdown.hibernate.answer "$(qom result)" '"failed 0x80004005"'

# From here on the guest goes down: announce it, then ask.
say "@@POWEROFF-EXPECTED ic-shutdown"
r=$(request poweroff)
expect ic.shutdown.poweroff.sent "$r" '{}'
sleep 60
fail ic.shutdown.poweroff "the guest still runs 60 s after the request"
