# A hibernation requested by the host, as a guest that allows it sees it:
# ACPI S4 on (the harness turns it off elsewhere), the shutdown service
# answers the host with success and tells user space by a uevent
# (EVENT=hibernate) on its VMBus device. The udev rule is the one the
# upstream driver documents for this (DRIVER=="hv_utils"), with a witness
# file written where the rule would run `systemctl hibernate`: this guest
# has no swap to hibernate to, and the uevent's path is what is under test.
# rootfs: debian
# modules: hv_vmbus hv_utils
# qemu: -device hv-shutdown,id=hvsd -global ICH9-LPC.disable_s4=0
# timeout: 120

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
witness=/run/openlis-hibernate
rm -f "$witness"
mkdir -p /run/udev/rules.d
cat >/run/udev/rules.d/40-vm-hibernation.rules <<EOF
SUBSYSTEM=="vmbus", ACTION=="change", DRIVER=="hv_utils", ENV{EVENT}=="hibernate", RUN+="/bin/sh -c 'echo \$env{EVENT} \$kernel \$env{DRIVER} >>$witness'"
EOF
udevadm control --reload

ic_device shutdown "{0e0b6031-5213-4934-818b-38d90ced39db}" hv_utils hvsd || exit 0
ic_negotiated shutdown || exit 0
# Hibernation requests need Shutdown 3.2: an older one would not carry them.
expect ic.hibernate.version "$(qom service-version)" '"3.2"'
dev=$(basename "$d")

mark="ic-hibernate: start $(date +%s)"
echo "$mark" >/dev/kmsg
expect ic.hibernate.sent "$(request hibernate)" '{}'
wait_for 10 answered
expect ic.hibernate.answer "$(qom result)" '"ok"'
if wait_for 20 test -s "$witness"; then
	expect ic.hibernate.uevent "$(cat "$witness")" "hibernate $dev hv_utils"
else
	fail ic.hibernate.uevent "the udev rule did not run in 20 s; the kernel said: $(dmesg | sed -n "/$mark/,\$p" | grep -i hibernat | tr '\n' '|')"
fi

# One request, one event: a second request is answered and told again.
expect ic.hibernate.again.sent "$(request hibernate)" '{}'
wait_for 10 answered
expect ic.hibernate.again.answer "$(qom result)" '"ok"'
# A function, so that each poll counts the lines anew.
two_events() { [ "$(wc -l <"$witness")" -ge 2 ]; }
if wait_for 20 two_events; then
	expect ic.hibernate.again.uevents "$(wc -l <"$witness")" 2
else
	fail ic.hibernate.again.uevents "$(wc -l <"$witness") event(s) after the second request"
fi
rm -f /run/udev/rules.d/40-vm-hibernation.rules
udevadm control --reload
