# IP injection as Hyper-V does it: the host sends SET_IP_INFO for a NIC
# named by its VMBus instance id, and the KVP daemon configures it through
# the network manager the guest runs, so the address is live now and comes
# back at the next boot. One guest, the three managers in turn: ifupdown
# (Debian's default for a server), then systemd-networkd, then
# NetworkManager, each the only one running while the host asks, so the
# daemon has to tell which one it is.
#
# The NIC is the host's synthetic one (tests/host/hv-net.c) under the
# stack's hv_netvsc, with the instance id the host names it by: the
# daemon finds it as on Hyper-V, through /sys/class/net/*/device/device_id.
# Everything after that lookup is real too: the file the daemon writes,
# the manager applying it, the kernel address and route, the resolver's
# servers, the answer to the host, GET_IP_INFO reading it back.
#
# Reference: Debian's hyperv-daemons hands the request to
# /usr/libexec/hypervkvpd/hv_set_ifconfig, a script Debian does not ship;
# what it answers is reported, and its checks after the answer are SKIPs.
# rootfs: debian
# modules: hv_vmbus hv_netvsc
# qemu: -device hv-kvp,id=hvkvp,timeout=90
# qemu: -netdev user,id=n0,restrict=on
# qemu: -device hv-net,id=hvnet,netdev=n0,mac=00:15:5d:0a:00:01,instanceid=6f70656e-6c69-4073-8000-00155d0a0001
# timeout: 600

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

# The host names the NIC by its VMBus instance id, as the guest sees it.
expect ipinj.adapter "$(cat /sys/class/net/$nic/device/device_id 2>/dev/null)" "$adapter"
unit=hv-kvp-daemon.service
daemon_active ipinj.active kvp || exit 0
ic_negotiated kvp || exit 0

# The daemon registers with the driver again after its restart: a request
# is answered once it has (the model fails one unanswered in its 90 s).
kvp_answers() {
	case $(ask "enum-all 2" 95) in
	'"ok '*) return 0 ;;
	esac
	return 1
}
wait_for 200 kvp_answers || fail ipinj.registered "no KVP answer after the daemon's restart"

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

# inject <manager as the daemon names it> <address>: the host sets the
# address, gateway and DNS server on the NIC; the checks every manager
# shares. Status 1 where the answer was not "ok".
inject() {
	addr=$2
	res=$(ask "set-ip $adapter $addr/24 $gw $dns" 90)
	if [ "$OPENLIS_DAEMONS" != 1 ] && [ ! -x /usr/libexec/hypervkvpd/hv_set_ifconfig ]; then
		skip "ipinj.$1.set" "Debian's daemon answered $res: its hv_set_ifconfig is not shipped, so nothing applies the configuration"
		journalctl -b -u $unit --no-pager -q | tail -n 5
		return 1
	fi
	if [ "$res" != '"ok"' ]; then
		fail "ipinj.$1.set" "got $res"
		journalctl -b -u $unit --no-pager -q | tail -n 5
		return 1
	fi
	pass "ipinj.$1.set" "$res"
	if wait_for 30 has_addr; then
		pass "ipinj.$1.addr" "$(ip -4 -o addr show dev "$nic" | awk '{print $4}' | tr '\n' ' ')on $nic"
	else
		fail "ipinj.$1.addr" "$nic has $(ip -4 -o addr show dev "$nic" | awk '{print $4}' | tr '\n' ' ')"
	fi
	if wait_for 20 has_gateway; then
		pass "ipinj.$1.gateway" "$(ip -4 route show default)"
	else
		fail "ipinj.$1.gateway" "default route: '$(ip -4 route show default)', expected via $gw dev $nic"
	fi
	journalctl -b -u $unit --no-pager -q | grep -q "configured through $1" &&
		pass "ipinj.$1.logged" "the daemon named $1 in the journal" ||
		fail "ipinj.$1.logged" "no 'configured through $1' in the daemon's journal"
	# The host reads back what it set, by MAC as Hyper-V does.
	res=$(ask "get-ip $(echo $mac | tr a-f A-F)" 30)
	case $res in
	*"ip=$addr"[\;\ ]*"subnet=255.255.255.0"*) pass "ipinj.$1.get-ip" "$res" ;;
	*) fail "ipinj.$1.get-ip" "got $res, $nic has $addr/24" ;;
	esac
}
has_gateway() { ip -4 route show default | grep -q "via $gw dev $nic"; }
has_dns() { grep -qx "nameserver $dns" /etc/resolv.conf 2>/dev/null; }
mode_of() { stat -c %a "$1" 2>/dev/null; }

# --- ifupdown
if inject ifupdown 198.51.100.23; then
	# The configuration persists where ifupdown reads it at boot.
	conf=/etc/network/interfaces.d/hyperv-$nic
	if grep -q "iface $nic inet static" "$conf" 2>/dev/null && grep -q "address $addr/24" "$conf" &&
		grep -q "gateway $gw" "$conf" && grep -q "dns-nameservers $dns" "$conf"; then
		pass ipinj.ifupdown.file "$conf: $(grep -c . "$conf") lines, mode $(mode_of "$conf")"
	else
		fail ipinj.ifupdown.file "no complete stanza for $nic: $(cat /etc/network/interfaces.d/* 2>/dev/null | tr '\n' '|')"
	fi
	# Without resolvconf nothing takes dns-nameservers to the resolver:
	# the daemon writes resolv.conf itself.
	has_dns && pass ipinj.ifupdown.dns "$(grep -c nameserver /etc/resolv.conf) nameserver line(s) in /etc/resolv.conf" ||
		fail ipinj.ifupdown.dns "resolv.conf: $(tr '\n' '|' </etc/resolv.conf 2>/dev/null)"
fi
ifdown --force "$nic" >/dev/null 2>&1
rm -f /etc/network/interfaces.d/hyperv-"$nic"
ip addr flush dev "$nic"

# --- systemd-networkd (Debian's systemd has it, not enabled)
if [ "$OPENLIS_DAEMONS" = 1 ]; then
	printf 'search openlis.test\nnameserver 192.0.2.1\n' >/etc/resolv.conf
	systemctl start systemd-networkd.service
	if ! wait_for 30 systemctl is-active --quiet systemd-networkd.service; then
		fail ipinj.systemd-networkd.start "systemd-networkd is $(systemctl is-active systemd-networkd.service)"
	elif inject systemd-networkd 198.51.100.24; then
		conf=/etc/systemd/network/10-hyperv-$nic.network
		if grep -qx "Name=$nic" "$conf" 2>/dev/null && grep -qx "Address=$addr/24" "$conf" &&
			grep -qx "Gateway=$gw" "$conf" && grep -qx "DNS=$dns" "$conf"; then
			pass ipinj.systemd-networkd.file "$conf: $(grep -c . "$conf") lines"
		else
			fail ipinj.systemd-networkd.file "$conf: $(tr '\n' '|' <"$conf" 2>/dev/null)"
		fi
		# networkd reads its files as the systemd-network user.
		expect ipinj.systemd-networkd.mode "$(mode_of "$conf")" 644
		nd_configured() { networkctl status "$nic" 2>/dev/null | grep -q 'State: .*(configured)'; }
		wait_for 30 nd_configured
		st=$(networkctl status "$nic" 2>/dev/null)
		case $st in
		*"(configured)"*) pass ipinj.systemd-networkd.state "$(echo "$st" | grep -m1 'State:')" ;;
		*) fail ipinj.systemd-networkd.state "$(echo "$st" | tr '\n' '|')" ;;
		esac
		echo "$st" | grep -q "DNS: $dns" && pass ipinj.systemd-networkd.link-dns "networkd holds $dns for $nic" ||
			fail ipinj.systemd-networkd.link-dns "networkctl status: $(echo "$st" | tr '\n' '|')"
		# No systemd-resolved: the plain resolv.conf gets the host's server,
		# the old one goes, the rest of the file stays.
		if has_dns && grep -qx 'search openlis.test' /etc/resolv.conf &&
			! grep -q 192.0.2.1 /etc/resolv.conf; then
			pass ipinj.systemd-networkd.dns "resolv.conf: $(tr '\n' '|' </etc/resolv.conf)"
		else
			fail ipinj.systemd-networkd.dns "resolv.conf: $(tr '\n' '|' </etc/resolv.conf 2>/dev/null)"
		fi
	fi
	rm -f /etc/systemd/network/10-hyperv-"$nic".network
	systemctl stop systemd-networkd.socket systemd-networkd.service
	ip addr flush dev "$nic"
	ip link set "$nic" down
	rm -f /etc/resolv.conf
fi

# --- NetworkManager (installed, not enabled, in the test image)
nm_running() { [ "$(nmcli -t -f RUNNING general 2>/dev/null)" = running ]; }
if [ "$OPENLIS_DAEMONS" = 1 ]; then
	systemctl start NetworkManager.service
	if ! wait_for 60 nm_running; then
		fail ipinj.NetworkManager.start "NetworkManager is $(systemctl is-active NetworkManager.service)"
	elif inject NetworkManager 198.51.100.25; then
		conf=/etc/NetworkManager/system-connections/hyperv-$nic.nmconnection
		if grep -qx "interface-name=$nic" "$conf" 2>/dev/null && grep -qx "address1=$addr/24" "$conf" &&
			grep -qx "gateway=$gw" "$conf" && grep -qx "dns=$dns;" "$conf"; then
			pass ipinj.NetworkManager.file "$conf: $(grep -c . "$conf") lines"
		else
			fail ipinj.NetworkManager.file "$conf: $(tr '\n' '|' <"$conf" 2>/dev/null)"
		fi
		# NetworkManager ignores a keyfile others may read.
		expect ipinj.NetworkManager.mode "$(mode_of "$conf")" 600
		expect ipinj.NetworkManager.active "$(nmcli -g GENERAL.CONNECTION device show "$nic" 2>/dev/null)" "hyperv-$nic"
		expect ipinj.NetworkManager.link-dns "$(nmcli -g IP4.DNS device show "$nic" 2>/dev/null)" "$dns"
		if wait_for 20 has_dns; then
			pass ipinj.NetworkManager.dns "NetworkManager wrote resolv.conf: $(tr '\n' '|' </etc/resolv.conf)"
		else
			fail ipinj.NetworkManager.dns "resolv.conf: $(tr '\n' '|' </etc/resolv.conf 2>/dev/null)"
		fi
	fi
	systemctl stop NetworkManager.service
fi
if [ "$OPENLIS_DAEMONS" != 1 ]; then
	skip ipinj.managers "systemd-networkd and NetworkManager: Debian's daemon applies no configuration (see ipinj.ifupdown.set)"
fi

say "ipinj: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
