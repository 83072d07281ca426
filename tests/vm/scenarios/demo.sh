# What "make demo" shows: a Debian guest on openlis's modules and daemons,
# seen from the Hyper-V host as an administrator sees it. The host reads
# the guest's name, OS and address through KVP, pushes a key and reads it
# back, copies a file in (Copy-VMFile) and compares its checksum, freezes
# and thaws the guest for a backup, and moves the balloon. Each step is a
# check, so a demo that shows something wrong fails.
# rootfs: debian
# modules: hv_vmbus
# host: openlis-qemu
# qemu: -device hv-kvp,id=hvkvp,timeout=40 -device hv-vss,id=hvvss,timeout=30
# qemu: -device hv-fcopy,id=hvfc,timeout=30
# qemu: -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=00:15:5d:0a:00:01
# timeout: 280

mac=00:15:5d:0a:00:01
addr=192.0.2.10

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
v=$(cat /sys/module/hv_vmbus/version 2>/dev/null)
case " ${OPENLIS_UPDATES:-} " in
*" hv_vmbus "*) want=openlis ;;
*) want=kernel ;;
esac
if [ "$want" = openlis ] && [ -n "$v" ]; then
	pass demo.guest "$(hostname -f), kernel $(uname -r), openlis's hv_vmbus $v"
elif [ "$want" = kernel ] && [ -z "$v" ]; then
	pass demo.guest "$(hostname -f), kernel $(uname -r), the kernel's own hv_vmbus"
else
	fail demo.guest "hv_vmbus version '$v' on a guest meant to run the $want's"
fi
ver=$(dmesg | sed -n 's/.*[Vv][Mm][Bb]us version[: ]*\([0-9]*\.[0-9]*\).*/\1/p' | tail -n1)
devs= unbound=0
for dev in /sys/bus/vmbus/devices/*; do
	if drv=$(readlink "$dev/driver"); then
		devs="$devs ${drv##*/}"
	else
		unbound=$((unbound + 1))
	fi
done
if [ "$unbound" -eq 0 ] && [ -n "$devs" ]; then
	pass demo.devices "VMBus $ver; the host's devices are driven by$devs"
else
	fail demo.devices "VMBus $ver; $unbound device(s) without a driver; bound:$devs"
fi
act=
for svc in kvp vss fcopy; do
	act="$act hv-$svc-daemon $(systemctl is-active hv-$svc-daemon.service),"
done
case $act in
*inactive* | *failed* | *activating*) fail demo.daemons "${act%,}" ;;
*) pass demo.daemons "${act%,}" ;;
esac

if nic=$(nic_by_mac $mac); then
	ip link set "$nic" up && ip addr add $addr/24 dev "$nic"
else
	fail demo.nic "no interface with MAC $mac"
fi

# KVP: what the host's Get-VM ... | Select NetworkAdapters, and the KVP
# exchange WMI class, read from the guest.
pairs() { qom pairs | sed 's/^"//; s/"$//; s/\\n/\n/g'; }
pair() { pairs | sed -n "s/^$1=//p" | head -n1; }
has_ipv4() { ask "enum-all 2" 30 >/dev/null; pair NetworkAddressIPv4 | grep -q "$addr"; }
if ic_device kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}" hv_kvp hvkvp &&
	ic_negotiated kvp; then
	if wait_for 60 has_ipv4; then
		pass demo.kvp.read "the host reads $(pair FullyQualifiedDomainName), $(pair OSName) $(pair OSVersion), IPv4 $(pair NetworkAddressIPv4)"
	else
		fail demo.kvp.read "the host read FQDN '$(pair FullyQualifiedDomainName)' IPv4 '$(pair NetworkAddressIPv4)'"
	fi
	expect demo.kvp.fqdn "$(pair FullyQualifiedDomainName)" "$(hostname -f)"
	expect demo.kvp.push "$(ask "set 0 DemoKey pushed by the host" 30)" '"ok"'
	kvp_get demo.kvp.readback "get 0 DemoKey" "pushed by the host"
fi

# Copy-VMFile -SourcePath <host file> -DestinationPath /var/tmp/demo
# -CreateFullPath -FileSource Host
if ic_device fcopy "{34d14be3-dee4-41c8-9ae7-6b174977c192}" hv_fcopy hvfc &&
	ic_negotiated fcopy; then
	set -- $(host mkfile 8)
	dest=/var/tmp/openlis-demo/copied.bin
	rm -rf /var/tmp/openlis-demo
	expect demo.fcopy.sent "$(qset copy "\"$1 /var/tmp/openlis-demo/ copied.bin create-path\"")" '{}'
	expect demo.fcopy "$(result_within 120)" '"ok"'
	got=$(sha256sum <"$dest" 2>/dev/null | cut -d' ' -f1)
	expect demo.fcopy.sha256 "$got" "$2"
fi

# A backup: the host freezes every file system and thaws it again.
if ic_device vss "{35fa2e29-ea23-4236-96ae-3a6ebacba440}" hv_vss hvvss &&
	ic_negotiated vss; then
	probe=/var/tmp/openlis-demo.probe
	rm -f $probe
	expect demo.vss.freeze "$(ask freeze 40)" '"ok"'
	( : >$probe ) &
	# An observation window, not a synchronisation: nothing may land.
	sleep 1
	if [ -e $probe ]; then
		fail demo.vss.frozen "a new file on / was created during the freeze"
	else
		pass demo.vss.frozen "a new file on / waits while the backup is taken"
	fi
	expect demo.vss.thaw "$(ask thaw 40)" '"ok"'
	if wait_for 20 test -e $probe; then
		pass demo.vss.thawed "the waiting write landed after the thaw"
	else
		fail demo.vss.thawed "the write is still blocked after the thaw"
	fi
fi

# The balloon: the host takes 256 MiB and gives it back. QEMU acts on a
# target only some 50 s after the guest's first status report.
total0=$(meminfo_kb MemTotal)
actual0=$(host query-balloon)
target=$((actual0 - 256 * 1024 * 1024))
balloon_to demo.balloon.set "$target" \
	guest demo.balloon.inflate le $((total0 - 240 * 1024)) 150 \
	host demo.balloon.host 60
balloon_to demo.balloon.reset "$actual0" \
	guest demo.balloon.deflate ge $((total0 - 16 * 1024)) 60
