# netvsc on the host's synthetic network adapter (tests/host/hv-net.c),
# backed by QEMU's user network: the driver binds, the interface has the
# host's MAC and gets an address by DHCP, ping and a TCP echo with a
# verified payload reach the network's host, the host's set_link is seen
# as carrier loss and return, MTU 9000 and back re-attaches the device
# with receive sections to match, a MAC change reaches the host's packet
# filter, and promiscuous mode lets through frames for another address.
# The device offers 4 channels: the guest (2 vCPUs) opens the primary and
# one sub-channel, receive traffic is spread over them by the Toeplitz
# hash over the guest's key and table, its sends by the host's send
# table, and the sub-channel is rescinded and offered again when the MTU
# change re-attaches the device.
# modules: hv_vmbus hv_netvsc 8021q
# qemu: -netdev user,id=hvn,net=10.0.2.0/24,guestfwd=tcp:10.0.2.100:7-cmd:cat
# qemu: -device hv-net,id=hvnet,netdev=hvn,mac=00:15:5d:0e:11:01,channels=4
# timeout: 360

IC=/machine/peripheral/hvnet
trouble0=$(kernel_trouble)
netclass={f8615163-df3e-46c5-913f-f2d2f965ed0e}
MAC=00:15:5d:0e:11:01

bound() { [ -e "$dev/driver" ]; }
if dev=$(vmbus_dev_by_class "$netclass") && wait_for 30 bound; then
	pass netvsc.bound "$(basename "$dev") driver $(basename "$(readlink "$dev/driver")")"
else
	fail netvsc.bound "no network adapter bound (device ${dev:-none}); host state $(qom state) NVSP $(qom protocol-version) bad $(qom messages-bad); $(dmesg | grep hv_netvsc | tail -n 2 | tr '\n' '|')"
	return 0
fi
has_nic() { nic=$(nic_by_mac $MAC); }
if wait_for 20 has_nic; then
	pass netvsc.mac "$nic has $MAC"
else
	fail netvsc.mac "no interface with $MAC: $(cat /sys/class/net/*/address | tr '\n' ' ')"
	return 0
fi
expect netvsc.host.state "$(qom state)" '"ready"'
expect netvsc.host.nvsp "$(qom protocol-version)" '"6.1"'
expect netvsc.host.ndis "$(qom ndis-version)" '"6.30"'
expect netvsc.host.ndis-mtu "$(qom ndis-mtu)" 1514
queues() { ls -d /sys/class/net/$nic/queues/rx-* 2>/dev/null | wc -l; }
two_queues() { [ "$(queues)" = 2 ]; }
wait_for 20 two_queues
expect netvsc.channels "$(queues)" 2
expect netvsc.host.subchannels "$(qom subchannels)" 1

st() { cat "/sys/class/net/$nic/$1"; }
carrier_is() { [ "$(st carrier 2>/dev/null)" = "$1" ]; }
filter_is() { [ "$(qom packet-filter)" = "$1" ]; }
ip link set "$nic" up
if wait_for 20 carrier_is 1; then
	pass netvsc.carrier "up"
else
	fail netvsc.carrier "carrier $(st carrier 2>&1) operstate $(st operstate)"
fi
# directed, all-multicast, broadcast
wait_for 10 filter_is 13
expect netvsc.host.filter "$(qom packet-filter)" 13

# DHCP from QEMU's user network: its first address is 10.0.2.15.
cat >/tmp/udhcpc.sh <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/${mask:-24}" dev "$interface"
[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
exit 0
EOF
chmod +x /tmp/udhcpc.sh
udhcpc -i "$nic" -n -q -t 10 -T 2 -s /tmp/udhcpc.sh >/tmp/udhcpc.log 2>&1
addr=$(ip -4 addr show dev "$nic" | awk '/inet /{print $2; exit}')
expect netvsc.dhcp "$addr" 10.0.2.15/24
if [ "$addr" != 10.0.2.15/24 ]; then
	say "udhcpc: $(tail -n 5 /tmp/udhcpc.log)"
	ip addr add 10.0.2.15/24 dev "$nic" 2>/dev/null
fi

pings() { ping -c "$1" -W 3 ${2:+-s $2} 10.0.2.2 >/tmp/ping.log 2>&1; }
ping_ok() {
	if pings 3 "$2"; then
		pass "$1" "$(grep -o '[0-9]* packets received' /tmp/ping.log)"
	else
		fail "$1" "$(tail -n 1 /tmp/ping.log); host filter $(qom packet-filter) mac $(qom current-mac) filtered $(qom rx-filtered) rx $(qom rx-frames) tx $(qom tx-frames); guest $(st address) carrier $(st carrier)"
	fi
}
ping_ok netvsc.ping

# TCP: QEMU's user network runs cat for each connection to 10.0.2.100:7,
# so what goes out comes back; both directions carry 256 KiB.
echo_ok() {
	head -c 262144 /dev/urandom >/tmp/out
	timeout 120 nc 10.0.2.100 7 </tmp/out >/tmp/in 2>/tmp/nc.log
	want=$(sha256sum </tmp/out | cut -c1-16)
	got=$(sha256sum </tmp/in | cut -c1-16)
	if [ "$got" = "$want" ]; then
		pass "$1" "262144 bytes echoed, sha256 $got"
	else
		fail "$1" "$(wc -c </tmp/in) bytes back, sha256 $got, expected $want; $(cat /tmp/nc.log)"
	fi
}
echo_ok netvsc.tcp

# Several connections: each has a port of its own, so a hash of its own;
# the guest's table sends some to each channel, and its send table too.
for _c in 1 2 3 4 5 6 7 8; do
	printf 'flow %s\n' $_c | timeout 20 nc 10.0.2.100 7 >/dev/null 2>&1
done
on_both() { echo "$1" | awk -F, '{ exit !($1 > 0 && $2 > 0) }'; }
rxf=$(qom rx-frames | tr -d '"')
txf=$(qom tx-frames | tr -d '"')
if on_both "$rxf"; then
	pass netvsc.rss.rx "frames per channel $rxf"
else
	fail netvsc.rss.rx "frames per channel $rxf"
fi
if on_both "$txf"; then
	pass netvsc.rss.tx "frames per channel $txf"
else
	fail netvsc.rss.tx "frames per channel $txf"
fi

# ethtool -L re-attaches the device with the channels asked for: the
# sub-channel goes (rescinded) and comes back (offered again).
expect netvsc.ethtool.l "$(ethtool-lite -l "$nic" 2>&1)" "max 2 combined 2"
channels_are() { [ "$(ethtool-lite -l "$nic" 2>&1)" = "$1" ]; }
ethtool-lite -L "$nic" 1 2>&1
if wait_for 30 channels_are "max 2 combined 1" && wait_for 20 carrier_is 1; then
	pass netvsc.ethtool.L1 "max 2 combined 1"
	expect netvsc.ethtool.L1.host "$(qom subchannels)" 0
	ping_ok netvsc.ethtool.L1.ping
else
	fail netvsc.ethtool.L1 "$(ethtool-lite -l "$nic" 2>&1), carrier $(st carrier)"
fi
ethtool-lite -L "$nic" 2 2>&1
if wait_for 30 channels_are "max 2 combined 2" && wait_for 20 carrier_is 1; then
	pass netvsc.ethtool.L2 "max 2 combined 2"
	expect netvsc.ethtool.L2.host "$(qom subchannels)" 1
	ping_ok netvsc.ethtool.L2.ping
else
	fail netvsc.ethtool.L2 "$(ethtool-lite -l "$nic" 2>&1), carrier $(st carrier)"
fi
# Offloads: the host offers TCP and UDP checksums both ways and LSO v2,
# over IPv4 and IPv6, and the guest turns them all on. A transfer of 4 MiB
# each way then leaves the guest in large sends, which the host cuts into
# segments of the MSS with their checksums completed, and comes back with
# checksums the host checked and marked valid.
expect netvsc.offloads.ethtool "$(ethtool-lite -k "$nic" 2>&1 | tr '\n' ,)" \
	"rx-checksumming on,tx-checksumming on,scatter-gather on,tcp-segmentation-offload on,"
expect netvsc.offloads.host "$(qom offloads)" \
	'"tx-tcp4 rx-tcp4 tx-udp4 rx-udp4 tx-tcp6 rx-tcp6 tx-udp6 rx-udp6 lso4 lso6"'
qn() { qom "$1" | tr -d '"'; }
lso0=$(qn tx-lso) seg0=$(qn tx-segments) csum0=$(qn tx-csum)
rxok0=$(qn rx-csum-ok) rxbad0=$(qn rx-csum-bad)
head -c 4194304 /dev/urandom >/tmp/big
want=$(sha256sum </tmp/big | cut -c1-16)
timeout 240 nc 10.0.2.100 7 </tmp/big >/tmp/bigin 2>/tmp/nc.log
got=$(sha256sum </tmp/bigin | cut -c1-16)
lso=$(($(qn tx-lso) - lso0)) seg=$(($(qn tx-segments) - seg0))
if [ "$got" = "$want" ]; then
	pass netvsc.offloads.tcp "4194304 bytes echoed, sha256 $got"
else
	fail netvsc.offloads.tcp "$(wc -c </tmp/bigin) bytes back, sha256 $got, expected $want; $(cat /tmp/nc.log)"
fi
if [ "$lso" -gt 0 ] && [ "$seg" -gt "$lso" ]; then
	pass netvsc.offloads.lso "$lso large sends cut into $seg segments, the largest $(qn tx-lso-max) bytes"
else
	fail netvsc.offloads.lso "$lso large sends, $seg segments"
fi
expect netvsc.offloads.lso.mtu "$(($(qn tx-max-frame) <= 1514))" 1
csum=$(($(qn tx-csum) - csum0))
if [ "$csum" -gt 0 ]; then
	pass netvsc.offloads.txcsum "$csum checksums completed by the host"
else
	fail netvsc.offloads.txcsum "no send asked the host for its checksum"
fi
rxok=$(($(qn rx-csum-ok) - rxok0))
if [ "$rxok" -gt 0 ]; then
	pass netvsc.offloads.rxcsum "$rxok frames marked valid"
else
	fail netvsc.offloads.rxcsum "no received frame had its checksum marked"
fi
expect netvsc.offloads.rxcsum.bad "$(($(qn rx-csum-bad) - rxbad0))" 0

# VLAN 5 on a subinterface: its sends reach the host with the tag as
# per-packet info, which the host puts into the frame; a frame tagged 5
# comes to the guest with the tag taken out into per-packet info, and
# reaches the subinterface.
ip link add link "$nic" name "$nic.5" type vlan id 5 2>/tmp/vlan.log ||
	say "vlan: $(cat /tmp/vlan.log)"
ip addr add 10.5.0.15/24 dev "$nic.5"
ip link set "$nic.5" up
vtx0=$(qn tx-vlan) vrx0=$(qn rx-vlan)
ping -c 1 -W 1 10.5.0.2 >/dev/null 2>&1
expect netvsc.vlan.tx "$(($(qn tx-vlan) > vtx0)) tci $(qn tx-vlan-tci)" "1 tci 5"
vrx() { cat "/sys/class/net/$nic.5/statistics/rx_packets" 2>/dev/null || echo 0; }
r0=$(vrx)
qset deliver "\"$(echo $MAC | tr -d :)0200000000988100000588b5$(printf '%092d' 0)\"" >/dev/null
vlan_in() { [ $(($(vrx) - r0)) -ge 1 ]; }
if wait_for 10 vlan_in; then
	pass netvsc.vlan.rx "$nic.5 received $(($(vrx) - r0))"
else
	fail netvsc.vlan.rx "$nic.5 received $(($(vrx) - r0)), host rx-vlan $(qn rx-vlan)"
fi
expect netvsc.vlan.rx.host "$(($(qn rx-vlan) - vrx0))" 1
ip link del "$nic.5"

# A host whose completions of the guest's sends stop coming: the frames
# still go out while the guest has room, nothing breaks, and once the
# host gives the completions back the adapter sends on.
qset inject '"hold-completions"' >/dev/null
ping_ok netvsc.held.flowing
held=$(qn tx-held)
if [ "$held" -gt 0 ]; then
	pass netvsc.held "$held completions held back"
else
	fail netvsc.held "the host held no completion: $(qom inject-result)"
fi
qset inject '"release-completions"' >/dev/null
expect netvsc.held.released "$(qom inject-result) $(qn tx-held)" "\"released $held\" 0"
wait_for 10 pings 1
ping_ok netvsc.held.ping

# Link down and up from the host's QMP set_link: RNDIS status indications.
link() {
	_r=$(host qmp "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"hvnet\",\"up\":$1}}")
	[ "$_r" = '{}' ] || say "set_link $1: $_r"
}
link false
if wait_for 20 carrier_is 0; then
	pass netvsc.link.down "carrier 0"
else
	fail netvsc.link.down "carrier $(st carrier), host link changes $(qom link-changes); $(dmesg | tail -n 3)"
fi
link true
if wait_for 20 carrier_is 1; then
	pass netvsc.link.up "carrier 1"
else
	fail netvsc.link.up "carrier $(st carrier)"
fi
ping_ok netvsc.link.ping

# MTU 9000 re-attaches the device: NDIS config with the new MTU, receive
# sections large enough for its frames; then a ping of 8000 bytes.
section_for() { [ "$(qom receive-section)" -ge "$1" ] 2>/dev/null; }
mtu_ready() { [ "$(qom ndis-mtu)" = "$1" ] && [ "$(qom state)" = '"ready"' ] && carrier_is 1; }
if ip link set "$nic" mtu 9000 && wait_for 30 mtu_ready 9014; then
	expect netvsc.mtu9000 "$(st mtu)" 9000
	# the sub-channel was rescinded with the primary and offered again
	wait_for 20 two_queues
	expect netvsc.mtu9000.channels "$(queues)" 2
	if section_for 9014; then
		pass netvsc.mtu9000.section "$(qom receive-section) bytes"
	else
		fail netvsc.mtu9000.section "$(qom receive-section) bytes for frames of 9014"
	fi
	# QEMU's user network takes no frame over 1514 bytes: a jumbo frame
	# goes out (the host's largest frame sent) and one comes in (deliver).
	ping -c 1 -W 1 -s 8000 10.0.2.2 >/dev/null 2>&1
	expect netvsc.mtu9000.tx "$(qom tx-max-frame)" 8042
	r0=$(st statistics/rx_bytes)
	qset deliver "\"$(echo $MAC | tr -d :)020000000098"88b5$(printf '%017972d' 0)"\"" >/dev/null
	jumbo_in() { [ $(($(st statistics/rx_bytes) - r0)) -ge 9000 ]; }
	if wait_for 10 jumbo_in; then
		pass netvsc.mtu9000.rx "$(($(st statistics/rx_bytes) - r0)) bytes in"
	else
		fail netvsc.mtu9000.rx "$(($(st statistics/rx_bytes) - r0)) bytes in, rx-dropped $(qom rx-dropped)"
	fi
else
	fail netvsc.mtu9000 "mtu $(st mtu), host NDIS MTU $(qom ndis-mtu), state $(qom state)"
fi
if ip link set "$nic" mtu 1500 && wait_for 30 mtu_ready 1514; then
	expect netvsc.mtu1500 "$(st mtu)" 1500
	wait_for 10 pings 1
	ping_ok netvsc.mtu1500.ping
else
	fail netvsc.mtu1500 "mtu $(st mtu), host NDIS MTU $(qom ndis-mtu)"
fi

# A MAC change goes to the host (RNDIS config parameter NetworkAddress):
# frames for the new address pass its filter, so ping works after the
# network has learnt it.
NEWMAC=00:15:5d:0e:11:77
# (netvsc takes a new address only while the interface is down)
ip link set "$nic" down
ip link set "$nic" address $NEWMAC 2>/tmp/mac.log || say "$(cat /tmp/mac.log)"
ip link set "$nic" up
wait_for 20 carrier_is 1
expect netvsc.macchange "$(st address)" $NEWMAC
expect netvsc.macchange.host "$(qom current-mac)" "\"$NEWMAC\""
# the network's host learns the new address from a gratuitous ARP
ip neigh flush dev "$nic" 2>/dev/null
arping -U -c 1 -I "$nic" -s 10.0.2.15 10.0.2.15 >/dev/null 2>&1
wait_for 20 pings 1
ping_ok netvsc.macchange.ping
ip link set "$nic" down
ip link set "$nic" address $MAC
ip link set "$nic" up
wait_for 20 carrier_is 1
expect netvsc.macchange.back "$(qom current-mac)" "\"$MAC\""
ip neigh flush dev "$nic" 2>/dev/null
arping -U -c 1 -I "$nic" -s 10.0.2.15 10.0.2.15 >/dev/null 2>&1

# Promiscuous mode: frames for another station, handed to the host's
# receive path (its deliver), reach the guest only when it is on.
OTHER=020000000099
frame=${OTHER}020000000098"88b5$(printf '%092d' 0)"
rxp() { st statistics/rx_packets; }
send5() { for _i in 1 2 3 4 5; do qset deliver "\"$frame\"" >/dev/null; done; }
f0=$(qom rx-filtered)
send5
expect netvsc.promisc.off.filtered "$(($(qom rx-filtered) - f0))" 5
ip link set "$nic" promisc on
if wait_for 10 filter_is 32; then
	r0=$(rxp)
	f0=$(qom rx-filtered)
	send5
	got5() { [ $(($(rxp) - r0)) -ge 5 ]; }
	if wait_for 10 got5; then
		pass netvsc.promisc.on "$(($(rxp) - r0)) frames received"
	else
		fail netvsc.promisc.on "$(($(rxp) - r0)) frames received of 5"
	fi
	expect netvsc.promisc.on.filtered "$(($(qom rx-filtered) - f0))" 0
else
	fail netvsc.promisc.on "host packet filter $(qom packet-filter)"
fi
ip link set "$nic" promisc off
wait_for 10 filter_is 13
expect netvsc.promisc.off "$(qom packet-filter)" 13
expect netvsc.host.bad "$(qom messages-bad)" 0

# Malformed transfers from a hostile host (its inject): the guest fails
# them (completion status NVSP_STAT_FAIL, 2), takes what is harmless,
# drops what names no request; the adapter works on after. The in-tree
# driver, the reference, says why in its log. openlis's driver (the one
# with a module version) counts each drop in ethtool -S, where the count
# must grow by exactly one, and says why in a rate-limited log line.
ours=0
[ -e /sys/module/hv_netvsc/version ] && ours=1
inj() {
	_r=$(qset inject "\"$1\"")
	[ "$_r" = '{}' ] || say "inject $1: $_r"
}
inj_answered() { [ "$(qom inject-result)" != '"pending"' ]; }
in_log() { dmesg | grep -q "$1"; }
logged() {
	if wait_for 10 in_log "$2"; then
		pass "$1" "$2"
	else
		fail "$1" "no '$2' in the kernel log"
	fi
}
# dropped <counter>: openlis's count of one kind of drop (ethtool -S).
dropped() {
	ethtool-lite -S "$nic" 2>/dev/null |
		awk -v k="$1" '$1 == k { n = $2 } END { print n + 0 }'
}
log_lines() { dmesg | grep -c "$1"; }
# mark <counter> <openlis wording>: the count and the log before an inject;
# counted <check> <in-tree wording> <counter> <openlis wording>: after it,
# the driver's answer to it.
mark() {
	_n0=$(dropped "$1")
	_l0=$(log_lines "$2")
}
counted() {
	if [ "$ours" = 0 ]; then
		[ -z "$2" ] || logged "$1.log" "$2"
		return
	fi
	_rose() { [ "$(dropped "$3")" -gt "$_n0" ]; }
	wait_for 10 _rose
	expect "$1.counted" "$3 +$(($(dropped "$3") - _n0))" "$3 +1"
	_said() { [ "$(log_lines "$4")" -gt "$_l0" ]; }
	if wait_for 10 _said; then
		pass "$1.log" "$4"
	else
		fail "$1.log" "no new '$4' in the kernel log"
	fi
}
inject_fails() {
	mark "$4" "$5"
	inj "$2"
	wait_for 10 inj_answered
	expect "$1" "$(qom inject-result)" '"answered 0x00000002"'
	counted "$1" "$3" "$4" "$5"
}
inject_fails netvsc.inject.range-outside range-outside 'too big' \
	rx_bad_range 'range 0 dropped: range outside the buffer'
inject_fails netvsc.inject.rndis-length rndis-length 'Invalid rndis_msg' \
	rx_bad_rndis 'RNDIS message dropped: length disagrees with range'
inject_fails netvsc.inject.rndis-offset rndis-offset \
	'invalid rndis packet offset' \
	rx_bad_rndis 'RNDIS message dropped: frame outside message'
inject_fails netvsc.inject.rndis-type rndis-type 'unhandled rndis message' \
	rx_bad_rndis 'RNDIS message dropped: unexpected type'
inj range-overlap
wait_for 10 inj_answered
expect netvsc.inject.range-overlap "$(qom inject-result)" '"answered 0x00000001"'
mark rx_bad_nvsp 'receive packet dropped: unexpected type'
inj nvsp-type
counted netvsc.inject.nvsp-type 'Unknown nvsp packet type' \
	rx_bad_nvsp 'receive packet dropped: unexpected type'
mark bad_completion_id 'completion dropped: unknown transaction id'
inj bad-completion
counted netvsc.inject.bad-completion 'Invalid transaction ID' \
	bad_completion_id 'completion dropped: unknown transaction id'
# (the in-tree driver ignores an unknown in-band message without a word)
mark rx_bad_nvsp 'in-band message dropped: unexpected type'
inj unknown-inband
counted netvsc.inject.unknown-inband '' \
	rx_bad_nvsp 'in-band message dropped: unexpected type'
inj flood
case $(qom inject-result) in
'"sent '[1-9]*) pass netvsc.inject.flood "$(qom inject-result) indications" ;;
*) fail netvsc.inject.flood "$(qom inject-result)" ;;
esac
ping_ok netvsc.inject.ping
# A SUBCHANNEL answer granting more than asked: the guest runs on the
# primary alone and offers no more channels; a new probe (unbind, bind)
# asks again and gets both.
ethtool-lite -L "$nic" 1 2>&1
wait_for 30 channels_are "max 2 combined 1"
mark rx_bad_nvsp 'sub-channels: more channels than asked'
inj subchannel-count
ethtool-lite -L "$nic" 2 2>&1
counted netvsc.inject.subchannel-count \
	'invalid number of allocated sub channel' \
	rx_bad_nvsp 'sub-channels: more channels than asked'
wait_for 20 carrier_is 1
expect netvsc.inject.subchannel-count.channels "$(ethtool-lite -l "$nic" 2>&1)" "max 1 combined 1"
ping_ok netvsc.inject.subchannel-count.ping
drv=/sys/bus/vmbus/drivers/hv_netvsc
echo "$(basename "$dev")" >$drv/unbind
echo "$(basename "$dev")" >$drv/bind
if wait_for 30 has_nic && ip link set "$nic" up && wait_for 20 carrier_is 1 &&
	wait_for 20 channels_are "max 2 combined 2"; then
	pass netvsc.reprobe "$nic: $(ethtool-lite -l "$nic" 2>&1)"
else
	fail netvsc.reprobe "${nic:-no interface}: $(ethtool-lite -l "$nic" 2>&1)"
fi
# a new interface: the address again, static this time
ip addr add 10.0.2.15/24 dev "$nic" 2>/dev/null
wait_for 10 pings 1
ping_ok netvsc.final.ping
expect netvsc.host.bad.end "$(qom messages-bad)" 0
no_new_trouble netvsc.trouble "$trouble0"
