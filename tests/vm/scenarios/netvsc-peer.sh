# netvsc to a real peer: the host's synthetic network adapter
# (tests/host/hv-net.c) on a tap device whose far side is a network
# namespace of the test's own on the build machine (tests/vm/peer/up.sh,
# QEMU's script for the tap), with a TCP echo server there. Ping over IPv4
# and IPv6, TCP echoes of 8 MiB over each with verified payloads (large
# sends cut into segments by the host, checksums completed and checked by
# it on the way), iperf3 over TCP and UDP both ways (the far end's kernel
# drops a datagram whose checksum the host got wrong), and ping on VLAN 5,
# tagged by the host both ways (skipped, loudly, where the build
# machine's kernel has no 802.1Q). Skips loudly where the namespace could
# not be made.
# modules: hv_vmbus hv_netvsc 8021q
# tools: iperf3
# peer: -netdev tap,id=hvp,ifname=olpeer0,script={vm}/peer/up.sh,downscript={vm}/peer/down.sh
# peer: -device hv-net,id=hvpeer,netdev=hvp,mac=00:15:5d:0e:11:02,channels=4
# timeout: 360

IC=/machine/peripheral/hvpeer
trouble0=$(kernel_trouble)
MAC=00:15:5d:0e:11:02
peer=$(host peer)
case $peer in
up*) pass netvsc.peer "$peer" ;;
*)
	skip netvsc.peer "no peer namespace on the host: $peer"
	return 0
	;;
esac
has_nic() { nic=$(nic_by_mac $MAC); }
if ! wait_for 30 has_nic; then
	fail netvsc.peer.nic "no interface with $MAC"
	return 0
fi
carrier_up() { [ "$(cat /sys/class/net/$nic/carrier 2>/dev/null)" = 1 ]; }
ip link set "$nic" up
wait_for 20 carrier_up
ip addr add 10.9.0.15/24 dev "$nic"
ip -6 addr add fd09::15/64 dev "$nic" nodad 2>/dev/null ||
	ip -6 addr add fd09::15/64 dev "$nic"
qn() { qom "$1" | tr -d '"'; }

ping_ok() { # <check> <ping arguments...>
	_c=$1
	shift
	if ping -c 3 -W 3 "$@" >/tmp/ping.log 2>&1; then
		pass "$_c" "$(grep -o '[0-9]* packets received' /tmp/ping.log)"
	else
		fail "$_c" "$(tail -n 1 /tmp/ping.log); host rx $(qn rx-frames) tx $(qn tx-frames) bad $(qn messages-bad)"
	fi
}
reaches() { ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_for 20 reaches 10.9.0.1
ping_ok netvsc.peer.ping 10.9.0.1
wait_for 20 reaches fd09::1
ping_ok netvsc.peer.ping6 fd09::1

# 8 MiB each way to the peer's echo server: the guest's large sends are
# cut into MSS-sized segments by the host (LSO v2), which completes the
# checksums; what comes back has its checksums checked by the host.
echo_big() { # <check> <address> <lso counter>
	lso0=$(qn tx-lso) seg0=$(qn tx-segments) ok0=$(qn rx-csum-ok)
	bad0=$(qn rx-csum-bad)
	head -c 8388608 /dev/urandom >/tmp/big
	want=$(sha256sum </tmp/big | cut -c1-16)
	timeout 240 nc "$2" 7 </tmp/big >/tmp/bigin 2>/tmp/nc.log
	got=$(sha256sum </tmp/bigin | cut -c1-16)
	if [ "$got" = "$want" ]; then
		pass "$1" "8388608 bytes echoed, sha256 $got; $(($(qn tx-lso) - lso0)) large sends in $(($(qn tx-segments) - seg0)) segments, $(($(qn rx-csum-ok) - ok0)) checksums checked"
	else
		fail "$1" "$(wc -c </tmp/bigin) bytes back, sha256 $got, expected $want; $(cat /tmp/nc.log)"
	fi
	if [ $(($(qn tx-lso) - lso0)) -gt 0 ]; then
		pass "$1.lso" "$(($(qn tx-lso) - lso0)) large sends"
	else
		fail "$1.lso" "no large send: $(qn offloads)"
	fi
	expect "$1.rxcsum.bad" "$(($(qn rx-csum-bad) - bad0))" 0
}
echo_big netvsc.peer.tcp4 10.9.0.1
echo_big netvsc.peer.tcp6 fd09::1
expect netvsc.peer.mtu "$(($(qn tx-max-frame) <= 1514))" 1

# iperf3 to the peer's server, 3 s each: TCP from the guest and to it (-R),
# then UDP at 5 Mbit/s both ways, whose datagrams the host checksums on the
# way out and checks on the way in. A wrong checksum loses every datagram;
# the emulated guest may lose a few to full queues.
iperf() { # <log> <iperf3 arguments...>
	_l=$1
	shift
	timeout 60 /bin/iperf3 -c 10.9.0.1 -t 3 -f m "$@" >"$_l" 2>&1
}
tcp_rate() { awk '/receiver/ {r = $(NF - 2)} END {print r + 0}' "$1"; }
# the receiver's "lost/total" of a UDP run: "lost total"
udp_loss() {
	awk '/receiver/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/)
		{sub("/", " ", $i); v = $i}} END {print v}' "$1"
}
udp_ok() { # <check> <log>
	set -- "$1" "$2" $(udp_loss "$2")
	if [ -n "${4:-}" ] && [ "$4" -gt 0 ] && [ $(($3 * 10)) -le "$4" ]; then
		pass "$1" "$(($4 - $3)) of $4 datagrams arrived"
	else
		fail "$1" "lost/total ${3:-?}/${4:-?}: $(tail -n 3 "$2" | tr '\n' ' ')"
	fi
}
case $peer in
*iperf3=yes*)
	if [ ! -x /bin/iperf3 ]; then
		skip netvsc.peer.iperf3 "no iperf3 in the guest: run.py's tools"
	else
		for dir in tx rx; do
			r=$([ $dir = rx ] && echo -R)
			iperf /tmp/iperf-$dir.log $r
			m=$(tcp_rate /tmp/iperf-$dir.log)
			if [ "${m%.*}" -gt 0 ] 2>/dev/null; then
				pass netvsc.peer.iperf3.tcp.$dir "$m Mbit/s"
			else
				fail netvsc.peer.iperf3.tcp.$dir "$(tail -n 3 /tmp/iperf-$dir.log | tr '\n' ' ')"
			fi
		done
		udp0=$(qn tx-csum-udp) bad0=$(qn rx-csum-bad)
		iperf /tmp/udp-tx.log -u -b 5M -l 1200
		udp_ok netvsc.peer.iperf3.udp.tx /tmp/udp-tx.log
		udp=$(($(qn tx-csum-udp) - udp0))
		if [ "$udp" -gt 0 ]; then
			pass netvsc.peer.iperf3.udp.txcsum "$udp UDP checksums completed by the host"
		else
			fail netvsc.peer.iperf3.udp.txcsum "no UDP send asked the host for its checksum: $(qn offloads)"
		fi
		iperf /tmp/udp-rx.log -u -b 5M -l 1200 -R
		udp_ok netvsc.peer.iperf3.udp.rx /tmp/udp-rx.log
		expect netvsc.peer.iperf3.rxcsum.bad "$(($(qn rx-csum-bad) - bad0))" 0
	fi
	;;
*) skip netvsc.peer.iperf3 "no iperf3 server in the peer namespace: $peer" ;;
esac

# VLAN 5: the host puts the guest's tag into its frames and takes the
# peer's out.
case $peer in
*vlan=yes*)
	ip link add link "$nic" name "$nic.5" type vlan id 5
	ip addr add 10.95.0.15/24 dev "$nic.5"
	ip link set "$nic.5" up
	vtx0=$(qn tx-vlan) vrx0=$(qn rx-vlan)
	ping_ok netvsc.peer.vlan 10.95.0.1
	expect netvsc.peer.vlan.host "$(($(qn tx-vlan) > vtx0)) $(($(qn rx-vlan) > vrx0))" "1 1"
	ip link del "$nic.5"
	;;
*) skip netvsc.peer.vlan "the peer namespace has no VLAN 5 (the build machine's kernel): $peer" ;;
esac
expect netvsc.peer.bad "$(qn messages-bad)" 0
no_new_trouble netvsc.peer.trouble "$trouble0"
