# hv_balloon binds to the Dynamic Memory device and negotiates the newest
# protocol QEMU's hv-balloon speaks (2.0).
# modules: hv_vmbus hv_balloon
# timeout: 60

dm={525074dc-8985-46e2-8057-a307dc18a502}
bound() {
	dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ]
}
if wait_for 20 bound; then
	expect balloon.bound "$(basename "$(readlink "$dev/driver")")" hv_balloon
else
	fail balloon.bound "the Dynamic Memory device has no driver"
fi

negotiated() { dmesg | grep -q 'Dynamic Memory protocol version'; }
wait_for 20 negotiated
ver=$(dmesg | sed -n 's/.*Dynamic Memory protocol version \([0-9.]*\).*/\1/p' | tail -n1)
expect balloon.protocol "$ver" 2.0
