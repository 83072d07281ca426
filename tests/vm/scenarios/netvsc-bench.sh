# Benchmark, not a test: iperf3 TCP throughput from the guest to the peer
# namespace (tests/vm/peer) through the host's synthetic NIC (hv-net under
# the kernel's hv_netvsc) and through virtio-net, each on a tap of its own
# into that namespace, in one guest. 1 and 4 streams, 5 s each, the two
# NICs alternated, 3 rounds; each figure (Mbit/s, the receiver's) is the
# median of its 3, reported as "pass bench.<nic>_<streams> <Mbit/s> <all>"
# for tests/bench/netvsc.sh.
# modules: hv_vmbus hv_netvsc virtio_pci virtio_net
# tools: iperf3
# peer: -netdev tap,id=hvp,ifname=olpeer0,script={vm}/peer/up.sh,downscript={vm}/peer/down.sh
# peer: -device hv-net,id=hvpeer,netdev=hvp,mac=00:15:5d:0e:11:02,channels=4
# peer: -netdev tap,id=vnp,ifname=olpeer1,script={vm}/peer/up.sh,downscript={vm}/peer/down.sh
# peer: -device virtio-net-pci,netdev=vnp,mac=52:54:00:0e:11:03
# timeout: 420

peer=$(host peer)
case $peer in
*iperf3=yes*) ;;
*)
	skip bench.peer "no peer namespace with iperf3 on the host: $peer"
	return 0
	;;
esac
if [ ! -x /bin/iperf3 ]; then
	skip bench.peer "no iperf3 in the guest (the host has none)"
	return 0
fi
has_nics() { hv=$(nic_by_mac 00:15:5d:0e:11:02) && vn=$(nic_by_mac 52:54:00:0e:11:03); }
if ! wait_for 30 has_nics; then
	fail bench.nics "hv-net ${hv:-missing}, virtio-net ${vn:-missing}"
	return 0
fi
ip link set "$hv" up
ip link set "$vn" up
ip addr add 10.9.0.15/24 dev "$hv"
ip addr add 10.10.0.15/24 dev "$vn"
reaches() { ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_for 30 reaches 10.9.0.1 || fail bench.hv "10.9.0.1 unreachable"
wait_for 30 reaches 10.10.0.1 || fail bench.virtio "10.10.0.1 unreachable"

# iperf3's receiver figure in Mbit/s, or nothing
rate() { # <server> <streams>
	/bin/iperf3 -c "$1" -P "$2" -t 5 -f m >/tmp/iperf.log 2>&1 || return
	awk '/receiver/ && ($2 == "[SUM]" || $1 == "[SUM]" || n == 1) {r = $(NF - 2)}
		END {if (r != "") print r}' n="$2" /tmp/iperf.log
}
median() { echo "$@" | tr ' ' '\n' | sort -n | sed -n 2p; }
all_hv_1="" all_vn_1="" all_hv_4="" all_vn_4=""
for _r in 1 2 3; do
	for _p in 1 4; do
		a=$(rate 10.9.0.1 $_p) b=$(rate 10.10.0.1 $_p)
		eval "all_hv_$_p=\"\$all_hv_$_p ${a:-0}\" all_vn_$_p=\"\$all_vn_$_p ${b:-0}\""
		say "round $_r, $_p stream(s): hv_netvsc ${a:-failed}, virtio-net ${b:-failed} Mbit/s"
	done
done
for k in hv_1 vn_1 hv_4 vn_4; do
	eval "v=\$all_$k"
	m=$(median $v)
	name=$(echo $k | sed 's/^hv/hv_netvsc/; s/^vn/virtio_net/')
	if [ -n "$m" ] && [ "$m" != 0 ]; then
		pass "bench.$name" "$m Mbit/s (of$v)"
	else
		fail "bench.$name" "no figure (of$v): $(tail -n 2 /tmp/iperf.log)"
	fi
done
