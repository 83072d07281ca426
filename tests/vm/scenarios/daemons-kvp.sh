# KVP with the real daemon, as an administrator meets it: udev has started
# hv-kvp-daemon.service (Debian's hyperv-daemons on the in-tree stack,
# openlis's daemon on openlis's), and the host, through openlis's KVP model
# (tests/host/hv-kvp.c), reads the guest's intrinsic data (FQDN, OS, the
# addresses of its NIC), asks for the NIC's IP configuration by MAC, pushes
# a key into the external pool and reads and deletes it, and reads a key
# the guest wrote into its own pool file. The NIC is a virtio one with a
# fixed address (QEMU offers no synthetic NIC): GET_IP_INFO finds
# interfaces by MAC, SET_IP_INFO only netvsc ones by their VMBus id, so IP
# injection is not exercised here.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# qemu: -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=00:15:5d:0a:00:01
# timeout: 240

mac=00:15:5d:0a:00:01
addr=192.0.2.10
pools=/var/lib/hyperv

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
ic_device kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}" hv_kvp hvkvp || exit 0

if ! nic=$(nic_by_mac $mac); then
	fail kvpd.nic "no interface with MAC $mac: $(ls /sys/class/net | tr '\n' ' ')"
	exit 0
fi
ip link set "$nic" up && ip addr add $addr/24 dev "$nic"
has_addr() { ip -4 -o addr show dev "$nic" | grep -q " $addr/"; }
wait_for 10 has_addr || fail kvpd.nic "$nic has no address $addr"

daemon_active kvpd.active kvp || exit 0
# The driver answers the host's negotiation once the daemon registered.
ic_negotiated kvp || exit 0

# pairs: what the last enum-all gathered, a key=value a line; pair <key>:
# the value it gathered for the key.
pairs() { qom pairs | sed 's/^"//; s/"$//; s/\\n/\n/g'; }
pair() { pairs | sed -n "s/^$1=//p" | head -n1; }

# The intrinsic data, index by index until the daemon says no more.
res=$(ask "enum-all 2" 60)
case $res in
'"ok '*) pass kvpd.enum.auto "$res" ;;
*) fail kvpd.enum.auto "$res" ;;
esac
keys=$(pairs | sed -n 's/=.*//p' | sort | tr '\n' ' ')
expect kvpd.enum.keys "$keys" "FullyQualifiedDomainName IntegrationServicesVersion NetworkAddressIPv4 NetworkAddressIPv6 OSBuildNumber OSMajorVersion OSMinorVersion OSName OSVersion ProcessorArchitecture "
expect kvpd.fqdn "$(pair FullyQualifiedDomainName)" "$(hostname -f)"
case ";$(pair NetworkAddressIPv4);" in
*";$addr;"*) pass kvpd.ipv4 "$(pair NetworkAddressIPv4)" ;;
*) fail kvpd.ipv4 "got '$(pair NetworkAddressIPv4)', $nic has $addr" ;;
esac
expect kvpd.arch "$(pair ProcessorArchitecture)" "$(uname -m)"
say "kvpd: OSName=$(pair OSName) OSVersion=$(pair OSVersion) OSBuildNumber=$(pair OSBuildNumber) IC=$(pair IntegrationServicesVersion)"

# GET_IP_INFO names the adapter by MAC, as Hyper-V does.
res=$(ask "get-ip $(echo $mac | tr a-f A-F)" 30)
case $res in
*"ip=$addr"[\;\ ]*"subnet=255.255.255.0"*) pass kvpd.get-ip "$res" ;;
*) fail kvpd.get-ip "got $res, $nic has $addr/24" ;;
esac

# Host to guest: a key in the external pool lands in the daemon's pool
# file, reads back, and is gone from the file once deleted.
in_pool() { grep -qa "$2" "$pools/.kvp_pool_$1" 2>/dev/null; }
expect kvpd.set "$(ask "set 0 OpenlisHostKey bleu de Prusse" 30)" '"ok"'
if wait_for 10 in_pool 0 OpenlisHostKey; then
	pass kvpd.set.file "in $pools/.kvp_pool_0 ($(wc -c <$pools/.kvp_pool_0) bytes)"
else
	fail kvpd.set.file "OpenlisHostKey not in $pools/.kvp_pool_0"
fi
kvp_get kvpd.get "get 0 OpenlisHostKey" "bleu de Prusse"
expect kvpd.delete "$(ask "delete 0 OpenlisHostKey" 30)" '"ok"'
if wait_for 10 sh -c "! grep -qa OpenlisHostKey $pools/.kvp_pool_0"; then
	pass kvpd.delete.file "gone from $pools/.kvp_pool_0"
else
	fail kvpd.delete.file "OpenlisHostKey still in $pools/.kvp_pool_0"
fi
case $(ask "get 0 OpenlisHostKey" 30) in
'"failed '*) pass kvpd.get.deleted "a deleted key is not found" ;;
*) fail kvpd.get.deleted "got $(qom result)" ;;
esac

# Guest to host: a record (key 512 bytes, value 2048) appended to the
# guest pool's file as a guest tool writes it; the daemon reads the file
# again when it changed.
rec=/run/kvp.rec
head -c 2560 /dev/zero >$rec
put $rec 0 OpenlisGuestKey
put $rec 512 'vert de gris'
cat $rec >>$pools/.kvp_pool_1
kvp_get kvpd.guest-pool "get 1 OpenlisGuestKey" "vert de gris"
# The host's own enumeration of the guest pool reads it whole on every
# stack.
res=$(ask "enum-all 1" 60)
case "$res $(qom pairs)" in
'"ok '*'OpenlisGuestKey=vert de gris'*) pass kvpd.guest-pool.enum "$res" ;;
*) fail kvpd.guest-pool.enum "got $res, pairs $(qom pairs)" ;;
esac

say "kvpd: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
