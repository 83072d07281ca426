# hv_netvsc unloaded and loaded again 100 times on the host's synthetic
# network adapter (tests/host/hv-net.c): every load negotiates NVSP and
# RNDIS anew, connects its receive and send buffers and opens its
# sub-channel (the host rescinds it with the primary and offers it again
# when asked), every unload gives all of it back. Checked: each cycle
# brings the interface back with the host's MAC, both channels and
# carrier; unreclaimable slab and MemAvailable stay within small bounds of
# their level after a warm-up cycle; the interface still reaches the
# network at the end; and the kernel logs no warning or oops. The in-tree
# driver runs the same cycles as the reference.
# modules: hv_vmbus hv_netvsc
# qemu: -netdev user,id=hvn,net=10.0.2.0/24
# qemu: -device hv-net,id=hvnet,netdev=hvn,mac=00:15:5d:0e:11:02,channels=4
# timeout: 900

cycles=100
slab_bound_kb=512	# SUnreclaim growth allowed over the cycles
avail_bound_kb=4096	# MemAvailable drop allowed over the cycles
IC=/machine/peripheral/hvnet
MAC=00:15:5d:0e:11:02
# The channels a load opens: one per CPU, at most the host's 4.
chans=$(nproc)
[ "$chans" -gt 4 ] && chans=4

has_nic() { nic=$(nic_by_mac $MAC); }
queues() { ls -d /sys/class/net/$nic/queues/rx-* 2>/dev/null | wc -l; }
all_queues() { [ "$(queues)" = "$chans" ]; }
carrier() { [ "$(cat /sys/class/net/$nic/carrier 2>/dev/null)" = 1 ]; }

# One cycle: the driver out, in, the interface back, up, on every channel.
cycle() {
	reload_module hv_netvsc "$ko" || return 1
	wait_for 30 has_nic || { why="no interface with $MAC after the load"; return 1; }
	wait_for 30 all_queues || { why="$nic: $(queues) of $chans channels"; return 1; }
	ip link set "$nic" up || { why="$nic does not come up"; return 1; }
	wait_for 20 carrier || { why="$nic: no carrier"; return 1; }
}

ko=$(ko hv_netvsc)
if [ -z "$ko" ]; then
	fail netvsc.reload "no hv_netvsc.ko"
	return 0
fi
if ! wait_for 30 has_nic; then
	fail netvsc.reload "no interface with $MAC to start with"
	return 0
fi
trouble0=$(kernel_trouble)
reload_cycles netvsc.reload $cycles "each with its $chans channels and carrier" ||
	return 0
expect netvsc.reload.host "$(qom state) $(qom subchannels)" "\"ready\" $((chans - 1))"
leak_bounded netvsc.reload "$slab_bound_kb" "$avail_bound_kb"
# The last load still carries traffic: QEMU's user network answers ping.
ip addr add 10.0.2.15/24 dev "$nic" 2>/dev/null
pinged() { ping -c 1 -W 2 10.0.2.2 >/dev/null 2>&1; }
if wait_for 20 pinged; then
	pass netvsc.reload.ping "10.0.2.2 answers after $i loads"
else
	fail netvsc.reload.ping "no answer from 10.0.2.2 after $i loads"
fi
expect netvsc.reload.host.bad "$(qom messages-bad)" 0
no_new_trouble netvsc.reload.clean "$trouble0"
