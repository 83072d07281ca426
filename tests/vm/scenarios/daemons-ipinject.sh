# IP injection as Hyper-V does it: the host sends SET_IP_INFO for a NIC
# named by its VMBus instance id, and the KVP daemon configures it through
# the guest's network manager (here ifupdown, Debian's default for a
# server), so the address is live now and comes back at the next boot.
#
# QEMU offers no synthetic NIC, so the guest's NIC is a virtio one, and
# the one thing faked is the lookup a daemon does from the host's adapter
# id to an interface: for the KVP daemon's unit only, a bind mount lays a
# copy of /sys/class/net over the real one in which the NIC's device/
# device_id holds the id (what a netvsc NIC has there). Everything after
# that lookup is real: the file the daemon writes, ifdown/ifup, the kernel
# address, the answer to the host, GET_IP_INFO reading it back.
#
# Reference: Debian's hyperv-daemons hands the request to
# /usr/libexec/hypervkvpd/hv_set_ifconfig, a script Debian does not ship;
# what it answers is reported, and its checks after the answer are SKIPs.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# qemu: -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=00:15:5d:0a:00:01
# timeout: 300

mac=00:15:5d:0a:00:01
adapter='{6f70656e-6c69-4073-8000-00155d0a0001}'
addr=198.51.100.23
gw=198.51.100.1
dns=198.51.100.53

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
ic_device kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}" hv_kvp hvkvp || exit 0

if ! nic=$(nic_by_mac $mac); then
	fail ipinj.nic "no interface with MAC $mac: $(ls /sys/class/net | tr '\n' ' ')"
	exit 0
fi
if [ ! -e /etc/network/interfaces ] || [ ! -x /sbin/ifup ]; then
	fail ipinj.ifupdown "the guest has no ifupdown (tests/vm/rootfs.sh installs it)"
	exit 0
fi

# The daemon's view of /sys/class/net: the real entries, with the NIC's
# device/device_id added.
view=/run/openlis-net
rm -rf $view
mkdir -p $view/$nic/device
cp /sys/class/net/$nic/address $view/$nic/address
echo "$adapter" >$view/$nic/device/device_id
unit=hv-kvp-daemon.service
mkdir -p /run/systemd/system/$unit.d
printf '[Service]\nBindReadOnlyPaths=%s:/sys/class/net\n' $view \
	>/run/systemd/system/$unit.d/openlis-adapter-id.conf
systemctl daemon-reload
systemctl restart $unit
daemon_active ipinj.active kvp || exit 0
ic_negotiated kvp || exit 0

# The daemon registers with the driver again after its restart: a request
# is answered once it has (the model fails one unanswered in its 40 s).
kvp_answers() {
	case $(ask "enum-all 2" 45) in
	'"ok '*) return 0 ;;
	esac
	return 1
}
wait_for 100 kvp_answers || fail ipinj.registered "no KVP answer after the daemon's restart"

has_addr() { ip -4 -o addr show dev "$nic" | grep -q " $addr/24 "; }
has_addr && fail ipinj.before "$nic has $addr before the host asked"

# A NIC the guest does not have: refused, nothing written.
before=$(ls /etc/network/interfaces.d 2>/dev/null | wc -l)
res=$(ask "set-ip {00000000-0000-0000-0000-000000000000} $addr/24 $gw $dns" 40)
case $res in
'"failed '*) pass ipinj.unknown "an unknown adapter: $res" ;;
*) fail ipinj.unknown "an unknown adapter got $res" ;;
esac
expect ipinj.unknown.nothing "$(ls /etc/network/interfaces.d 2>/dev/null | wc -l)" "$before"

res=$(ask "set-ip $adapter $addr/24 $gw $dns" 60)
if [ "$OPENLIS_DAEMONS" != 1 ] && [ ! -x /usr/libexec/hypervkvpd/hv_set_ifconfig ]; then
	skip ipinj.set "Debian's daemon answered $res: its hv_set_ifconfig is not shipped, so nothing applies the configuration"
	journalctl -b -u $unit --no-pager -q | tail -n 5
	exit 0
fi
expect ipinj.set "$res" '"ok"'

if wait_for 20 has_addr; then
	pass ipinj.addr "$(ip -4 -o addr show dev "$nic" | awk '{print $4}' | tr '\n' ' ')on $nic"
else
	fail ipinj.addr "$nic has $(ip -4 -o addr show dev "$nic" | awk '{print $4}' | tr '\n' ' ')"
fi
route=$(ip -4 route show default)
case "$route" in
*"via $gw dev $nic"*) pass ipinj.gateway "$route" ;;
*) fail ipinj.gateway "default route: '$route', expected via $gw" ;;
esac
# The configuration persists where ifupdown reads it at boot.
conf=$(grep -l "iface $nic inet static" /etc/network/interfaces.d/* 2>/dev/null | head -n1)
if [ -n "$conf" ] && grep -q "address $addr/24" "$conf" &&
	grep -q "gateway $gw" "$conf" && grep -q "dns-nameservers $dns" "$conf"; then
	pass ipinj.file "$conf: $(grep -c . "$conf") lines"
else
	fail ipinj.file "no complete stanza for $nic: $(cat /etc/network/interfaces.d/* 2>/dev/null | tr '\n' '|')"
fi
journalctl -b -u $unit --no-pager -q | grep -q 'configured through ifupdown' &&
	pass ipinj.logged "the daemon named ifupdown in the journal" ||
	fail ipinj.logged "no 'configured through ifupdown' in the daemon's journal"

# The host reads back what it set, by MAC as Hyper-V does.
res=$(ask "get-ip $(echo $mac | tr a-f A-F)" 30)
case $res in
*"ip=$addr"[\;\ ]*"subnet=255.255.255.0"*) pass ipinj.get-ip "$res" ;;
*) fail ipinj.get-ip "got $res, $nic has $addr/24" ;;
esac

rm -f /run/systemd/system/$unit.d/openlis-adapter-id.conf
say "ipinj: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
