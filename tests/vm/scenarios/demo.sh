# What "make demo" shows: the emulated Hyper-V host as the guest sees it.
# modules: hv_vmbus hv_balloon
# timeout: 60

say "--- openlis demo: kernel $(uname -r), modules: $MODULES"
ver=$(dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1)
if [ -n "$ver" ]; then
	pass demo.vmbus "negotiated VMBus protocol $ver with the host"
else
	fail demo.vmbus "no VMBus version negotiated"
fi

name_of() {
	case "$1" in
	"{525074dc-8985-46e2-8057-a307dc18a502}") echo "Dynamic Memory" ;;
	"{f8615163-df3e-46c5-913f-f2d2f965ed0e}") echo "Network" ;;
	"{ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}") echo "SCSI" ;;
	"{57164f39-9115-4e78-ab55-382f3bd5422d}") echo "Heartbeat" ;;
	"{0e0b6031-5213-4934-818b-38d90ced39db}") echo "Shutdown" ;;
	"{9527e630-d0ae-497b-adce-e80ab0175caf}") echo "Time Sync" ;;
	"{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}") echo "KVP" ;;
	"{35fa2e29-ea23-4236-96ae-3a6ebacba440}") echo "VSS" ;;
	"{34d14be3-dee4-41c8-9ae7-6b174977c192}") echo "File Copy" ;;
	*) echo "unknown" ;;
	esac
}
n=0
for d in /sys/bus/vmbus/devices/*; do
	[ -e "$d/class_id" ] || continue
	n=$((n + 1))
	c=$(cat "$d/class_id")
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	pass "demo.device.$n" "$(name_of "$c") $c relid $(cat "$d/id") -> ${drv:-no driver}"
done
[ "$n" -gt 0 ] || fail demo.devices "the host offered no device"
