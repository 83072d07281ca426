# The shutdown integration service of the emulated host
# (tests/host/hv-shutdown.c, built by scripts/build-qemu.sh): hv_utils binds
# it and agrees on versions; it refuses a request it does not know and a
# hibernation (the harness turns S4 off), and a power-off request powers the
# guest off (under systemd, through an orderly shutdown that stops units).
# Run it LAST: the guest never reports @@DONE, so the harness must take the
# announced power-off (@@POWEROFF-EXPECTED) and QEMU's exit as the end of
# the run.
# modules: hv_vmbus hv_utils
# qemu: -device hv-shutdown,id=hvsd
# timeout: 90

ic_device shutdown "{0e0b6031-5213-4934-818b-38d90ced39db}" hv_utils hvsd || exit 0
ic_negotiated shutdown || exit 0
expect ic.shutdown.version "$(qom service-version)" '"3.2"'

expect ic.shutdown.unknown.sent "$(request 8)" '{}'
wait_for 10 answered
expect ic.shutdown.unknown.answer "$(qom result)" '"failed 0x80004005"'

expect ic.shutdown.hibernate.sent "$(request hibernate)" '{}'
wait_for 10 answered
expect ic.shutdown.hibernate.answer "$(qom result)" '"failed 0x80004005"'

# Under systemd a clean power-off stops the units first: a unit whose stop
# writes a check to the harness's port shows that it did (systemd opens
# the port for it, as no controlling terminal).
witness=
if [ "${ROOTFS:-}" = debian ]; then
	witness=ic.shutdown.units-stopped
	cat >/run/systemd/system/openlis-shutdown-witness.service <<-EOF
		[Unit]
		DefaultDependencies=no
		Conflicts=shutdown.target
		Before=shutdown.target
		[Service]
		Type=oneshot
		RemainAfterExit=yes
		ExecStart=/bin/true
		ExecStop=/bin/echo "@@CHECK PASS $witness systemd stopped its units on the way down"
		StandardOutput=file:/dev/ttyS1
	EOF
	systemctl daemon-reload
	systemctl start openlis-shutdown-witness.service
fi

# From here on the guest goes down: announce it (with the check due on the
# way), then ask.
say "@@POWEROFF-EXPECTED ic-shutdown $witness"
r=$(request poweroff)
expect ic.shutdown.poweroff.sent "$r" '{}'
sleep 60
fail ic.shutdown.poweroff "the guest still runs 60 s after the request"
