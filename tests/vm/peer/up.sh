#!/bin/bash
# QEMU's script for the tap of netvsc-peer (-netdev tap,script=): the peer
# on the far side of the guest's synthetic NIC. Moves the tap QEMU just
# opened ($1, olpeer0) into a network namespace of the test's own,
# addresses it (10.9.0.1/24, fd09::1/64, and 10.95.0.1/24 on VLAN 5 where
# the build machine's kernel has 802.1Q), and
# starts a TCP echo server on port 7 there, and iperf3's server where it
# is installed.
# Writes how that went to $OPENLIS_PEER_DIR/status ("up ..." or "none
# <why>"), which the guest reads through its host's peer action, and exits
# 0 whatever happened: QEMU would not start otherwise, and a guest without
# its peer is to skip, not to vanish.
here=$(cd "$(dirname "$0")" && pwd)
dir=${OPENLIS_PEER_DIR:-/run/openlis-peer}
ns=openlis-peer
tap=$1
mkdir -p "$dir"
status() { echo "$*" >"$dir/status"; }
setup() {
	# what a run that died left behind
	"$here/down.sh" "$tap" 2>/dev/null
	ip netns add $ns &&
	ip link set "$tap" netns $ns &&
	ip -n $ns link set lo up &&
	ip -n $ns link set "$tap" up &&
	ip -n $ns addr add 10.9.0.1/24 dev "$tap" &&
	ip -n $ns addr add fd09::1/64 dev "$tap" nodad || return 1
	# A build machine without 802.1Q in its kernel still gets a peer: the
	# status says so, and the scenario's VLAN checks skip.
	if ip -n $ns link add link "$tap" name "$tap.5" type vlan id 5 \
		2>"$dir/vlan.log" &&
		ip -n $ns addr add 10.95.0.1/24 dev "$tap.5" &&
		ip -n $ns link set "$tap.5" up; then
		vlan=yes
	else
		vlan="no($(tr -s ' \n' '_' <"$dir/vlan.log"))"
	fi
	ip netns exec $ns setsid /usr/bin/python3 "$here/echo.py" 7 \
		</dev/null >"$dir/echo.log" 2>&1 &
	if command -v iperf3 >/dev/null; then
		ip netns exec $ns setsid iperf3 -s -p 5201 \
			</dev/null >"$dir/iperf3.log" 2>&1 &
	fi
}
# A second tap (olpeer1, ...: a NIC to compare with) joins the namespace
# the first made, as 10.<9 + n>.0.1/24.
join() {
	n=${tap#olpeer}
	ip link set "$tap" netns $ns &&
	ip -n $ns link set "$tap" up &&
	ip -n $ns addr add "10.$((9 + n)).0.1/24" dev "$tap"
}
if [ "$tap" != olpeer0 ]; then
	join 2>"$dir/setup-$tap.log" ||
		echo "none: $tap: $(tr '\n' ' ' <"$dir/setup-$tap.log")" >>"$dir/status"
elif [ ! -e /dev/net/tun ] || ! command -v ip >/dev/null; then
	status "none: no /dev/net/tun or no ip"
elif setup 2>"$dir/setup.log"; then
	status "up $ns $tap iperf3=$(command -v iperf3 >/dev/null && echo yes || echo no) vlan=$vlan"
else
	status "none: $(tr '\n' ' ' <"$dir/setup.log")"
fi
exit 0
