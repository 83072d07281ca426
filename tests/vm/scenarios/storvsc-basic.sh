# storvsc on the host's synthetic SCSI controller (tests/host/hv-scsi.c):
# the driver binds, the disks appear with what QEMU's command line gave
# them, data written reads back, I/O goes over the sub-channels the guest
# asked for, a resize reaches the guest through sense data, a disk
# plugged and unplugged through QMP comes and goes, fio's verify job
# reads back what it wrote in requests of 4 KiB to 512 KiB, UNMAP empties a host
# file, malformed answers from the host (its inject) are survived, and
# malformed packets from the guest (tests/kmod/hvscsi_bad_test.c) are
# refused by the host, and bus and LUN resets with reads in flight lose
# no data.
# modules: hv_vmbus sd_mod sr_mod hv_storvsc
# qemu: -drive driver=null-co,size=256M,read-zeroes=on,if=none,snapshot=on,id=hvsd0
# qemu: -drive driver=null-co,size=64M,read-zeroes=on,if=none,snapshot=on,id=hvsd1
# qemu: -device hv-scsi,id=hvs,channels=4
# qemu: -device scsi-hd,bus=hvs.0,drive=hvsd0,channel=0,scsi-id=0,lun=0,vendor=OPENLIS,product=SYNTH-DISK,serial=openlis-sd0
# qemu: -device scsi-cd,bus=hvs.0,channel=0,scsi-id=0,lun=1
# testmods: hvscsi_bad_test
# tools: fio
# timeout: 240

IC=/machine/peripheral/hvs
scsi={ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}

bound() { [ -e "$dev/driver" ]; }
if dev=$(vmbus_dev_by_class "$scsi") && wait_for 30 bound; then
	pass storvsc.bound "$(basename "$dev") driver $(basename "$(readlink "$dev/driver")")"
else
	fail storvsc.bound "no SCSI controller bound (device ${dev:-none})"
	return 0
fi
expect storvsc.host.state "$(qom state)" '"ready"'
expect storvsc.host.version "$(qom protocol-version)" '"6.2"'

# The controller's SCSI host number (another controller may sit beside it).
has_host() { h=$(ls -d "$dev"/host* 2>/dev/null | head -n 1); [ -n "$h" ]; }
if ! wait_for 10 has_host; then
	fail storvsc.host "no SCSI host under $dev"
	return 0
fi
h=${h##*/host}
# The block device at target $1, LUN $2 of the controller (channel 0).
disk_at() {
	for b in /sys/class/scsi_device/$h:0:$1:$2/device/block/sd*; do
		[ -e "$b" ] && { basename "$b"; return 0; }
	done
	return 1
}
# A disk's SCSI serial, from its VPD page 0x80.
serial_of() { tail -c +5 "/sys/block/$1/device/vpd_pg80" 2>/dev/null | tr -d '\0 '; }
trim() { tr -d '\n' <"$1" | sed 's/ *$//'; }
has_disk() { sd=$(disk_at 0 0); }
if wait_for 60 has_disk; then
	pass storvsc.disk "/dev/$sd"
else
	fail storvsc.disk "no disk at target 0 LUN 0: $(ls /sys/class/scsi_device | tr '\n' ' ')"
	return 0
fi
ndev=$(ls -d /sys/class/scsi_device/$h:* | wc -l)
expect storvsc.devices "$ndev" 2
expect storvsc.disk.serial "$(serial_of $sd)" openlis-sd0
expect storvsc.disk.size "$(($(cat /sys/block/$sd/size) * 512))" 268435456
expect storvsc.disk.vendor "$(trim /sys/block/$sd/device/vendor)" OPENLIS
expect storvsc.disk.model "$(trim /sys/block/$sd/device/model)" SYNTH-DISK
# hv-scsi's largest transfer, 512 KiB, is the queue's.
expect storvsc.disk.max_hw_sectors_kb "$(cat /sys/block/$sd/queue/max_hw_sectors_kb)" 512

has_cd() { ls /sys/class/scsi_device/$h:0:0:1/device/block 2>/dev/null | grep -q sr; }
if wait_for 20 has_cd; then
	expect storvsc.cd.type "$(cat /sys/class/scsi_device/$h:0:0:1/device/type)" 5
else
	fail storvsc.cd "no CD at LUN 1: $(ls /sys/class/scsi_device)"
fi

# Sub-channels: Linux asks for one per CPU past the first (at most what the
# host offers, 3 here).
want_sc=$(($(nproc) - 1))
[ "$want_sc" -gt 3 ] && want_sc=3
expect storvsc.subchannels "$(qom subchannels)" "$want_sc"
nchan=$(ls -d "$dev"/channels/* 2>/dev/null | wc -l)
expect storvsc.channels "$nchan" "$((want_sc + 1))"

# 64 MiB written and read back, the page cache dropped between.
dd if=/dev/urandom of=/tmp/pattern bs=1M count=64 2>/dev/null
want=$(sha256sum </tmp/pattern | cut -d' ' -f1)
if dd if=/tmp/pattern of=/dev/$sd bs=1M conv=fsync 2>/tmp/dd.err; then
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if=/dev/$sd bs=1M count=64 2>/dev/null | sha256sum | cut -d' ' -f1)
	expect storvsc.readback "$got" "$want"
	pattern_sum=$want
else
	fail storvsc.write "$(cat /tmp/dd.err)"
fi
rm -f /tmp/pattern

# Reads from every CPU: each CPU's I/O goes to a channel, and the host
# counts the SRBs that came on each.
echo 3 >/proc/sys/vm/drop_caches
cpu=0
while [ "$cpu" -lt "$(nproc)" ]; do
	taskset -c "$cpu" dd if=/dev/$sd of=/dev/null bs=64k count=256 \
		skip=$((cpu * 256)) 2>/dev/null &
	cpu=$((cpu + 1))
done
wait
srbs=$(qom srbs | tr -d '"')
# Each channel's relid and target CPU, for the record.
cpus=$(for c in "$dev"/channels/*; do printf '%s:cpu%s ' "${c##*/}" "$(cat "$c/cpu" 2>/dev/null)"; done)
used=$(echo "$srbs" | tr ',' '\n' | awk '$1 > 0' | wc -l)
if [ "$want_sc" -eq 0 ]; then
	skip storvsc.multichannel "one CPU: no sub-channel ($srbs)"
elif [ "$used" -ge 2 ]; then
	pass storvsc.multichannel "SRBs per channel $srbs; channels ${cpus% }"
else
	fail storvsc.multichannel "SRBs per channel $srbs; channels ${cpus% }"
fi
busy=0
for c in "$dev"/channels/*; do
	[ "$(cat "$c/interrupts" 2>/dev/null || echo 0)" -gt 0 ] && busy=$((busy + 1))
done
if [ "$want_sc" -gt 0 ]; then
	if [ "$busy" -ge 2 ]; then
		pass storvsc.channel.interrupts "$busy of $nchan channels interrupted"
	else
		fail storvsc.channel.interrupts "$busy of $nchan channels interrupted"
	fi
fi

# Capacity grown under the guest: QEMU's next answer is a unit attention
# (CAPACITY DATA HAS CHANGED) with its sense, and storvsc rescans.
r=$(host qmp '{"execute":"block_resize","arguments":{"device":"hvsd0","size":536870912}}')
expect storvsc.resize.qmp "$r" '{}'
echo 3 >/proc/sys/vm/drop_caches
dd if=/dev/$sd of=/dev/null bs=4k count=1 2>/dev/null
grown() { [ "$(cat /sys/block/$sd/size)" -eq 1048576 ]; }
if wait_for 30 grown; then
	pass storvsc.resize "$(($(cat /sys/block/$sd/size) / 2048)) MiB"
else
	fail storvsc.resize "still $(cat /sys/block/$sd/size) sectors"
fi

# fio: 256 MiB in random writes of 4 KiB to 512 KiB, 32 in flight, each
# block's crc32c read back and checked, past the 64 MiB pattern (the
# resets below read it again). The disk holds data: snapshot=on lays a
# temporary image over its null-co.
t0=$(date +%s)
fio --name=verify --filename=/dev/$sd --ioengine=libaio --direct=1 \
	--rw=randwrite --bsrange=4k-512k --iodepth=32 --offset=128M --size=256M \
	--verify=crc32c --verify_fatal=1 --output-format=terse --terse-version=3 \
	>/tmp/fio.out 2>/tmp/fio.err
rc=$?
echo "fio: verify job in $(($(date +%s) - t0)) s"
# terse v3: 5 error, 6 KiB read (the verify pass), 47 KiB written
got=$(awk -F';' '{ print $5, $6, $47 }' /tmp/fio.out)
expect storvsc.fio.verify "rc $rc: $got" "rc 0: 0 262144 262144"
[ "$rc" -eq 0 ] || echo "fio: $(tail -c 400 /tmp/fio.err)"

# Hot add and removal: ENUMERATE_BUS and REMOVE_DEVICE, then the guest's scan.
r=$(host qmp '{"execute":"device_add","arguments":{"driver":"scsi-hd","id":"hvsdhot","bus":"hvs.0","drive":"hvsd1","scsi-id":1,"lun":0,"serial":"openlis-hot"}}')
expect storvsc.hotadd.qmp "$r" '{}'
has_hot() { hot=$(disk_at 1 0); }
if wait_for 30 has_hot; then
	pass storvsc.hotadd "/dev/$hot, $(($(cat /sys/block/$hot/size) / 2048)) MiB"
	expect storvsc.hotadd.serial "$(serial_of $hot)" openlis-hot
	r=$(host qmp '{"execute":"device_del","arguments":{"id":"hvsdhot"}}')
	expect storvsc.hotremove.qmp "$r" '{}'
	gone() { [ ! -e /sys/block/$hot ]; }
	if wait_for 30 gone; then
		pass storvsc.hotremove "/dev/$hot gone"
	else
		fail storvsc.hotremove "/dev/$hot still there"
	fi
else
	fail storvsc.hotadd "no disk at target 1: $(ls /sys/class/scsi_device | tr '\n' ' ')"
fi

# UNMAP: a disk on a host file of random data (discard=unmap), plugged
# through QMP; blkdiscard must punch the file's blocks out.
# actual_size <file>: the host file's allocated bytes, from QEMU's view.
actual_size() {
	host qmp '{"execute":"query-named-block-nodes","arguments":{"flat":true}}' |
		tr '{},' '\n\n\n' | awk -v f="\"filename\": \"$1\"" '
			index($0, f) { hit = 1 }
			hit && /"actual-size":/ { sub(/.*: /, ""); print; exit }'
}
r=$(host mkfile 16)
hf=${r%% *}
case "$hf" in
/*)
	r=$(host qmp "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"hvdisc\",\"discard\":\"unmap\",\"file\":{\"driver\":\"file\",\"filename\":\"$hf\",\"discard\":\"unmap\"}}}")
	expect storvsc.unmap.blockdev "$r" '{}'
	r=$(host qmp '{"execute":"device_add","arguments":{"driver":"scsi-hd","id":"hvsddisc","bus":"hvs.0","drive":"hvdisc","scsi-id":1,"lun":0,"serial":"openlis-disc"}}')
	expect storvsc.unmap.hotadd "$r" '{}'
	if wait_for 30 has_hot; then
		before=$(actual_size "$hf")
		dmax=$(cat /sys/block/$hot/queue/discard_max_bytes)
		if [ "${dmax:-0}" -gt 0 ] && blkdiscard /dev/$hot 2>/tmp/bd.err; then
			after=$(actual_size "$hf")
			if [ "${before:-0}" -ge 16777216 ] && [ "${after:-1}" -lt 1048576 ]; then
				pass storvsc.unmap "host file $before -> $after bytes allocated"
			else
				fail storvsc.unmap "host file $before -> $after bytes allocated"
			fi
			# A short or failed read must not pass as zeroes: count both.
			dd if=/dev/$hot of=/tmp/unmap.bin bs=1M count=16 iflag=direct 2>/dev/null
			n=$(wc -c </tmp/unmap.bin)
			z=$(tr -d '\0' </tmp/unmap.bin | wc -c)
			rm -f /tmp/unmap.bin
			expect storvsc.unmap.zeroes "$n bytes, $z not zero" "16777216 bytes, 0 not zero"
		else
			fail storvsc.unmap "discard_max_bytes $dmax: $(cat /tmp/bd.err 2>/dev/null)"
		fi
		host qmp '{"execute":"device_del","arguments":{"id":"hvsddisc"}}' >/dev/null
	else
		fail storvsc.unmap "no disk at target 1"
	fi
	;;
*)
	fail storvsc.unmap "no host file: $r"
	;;
esac

# Malformed packets from the host (hv-scsi's inject): storvsc drops each
# with its complaint and goes on. The in-tree driver says so in dmesg;
# openlis's counts each on the channel and by verdict in debugfs
# (storvsc/stats.c), where the count must grow by exactly one.
ours=0
[ -e /sys/module/hv_storvsc/version ] && ours=1
stats=/sys/kernel/debug/hv_storvsc/$(basename "$dev")
# dropped <verdict>: how many packets openlis's driver dropped for it.
dropped() { awk -v v="$1: " 'index($0, v) == 1 { sub(/.*: /, ""); n = $0 } END { print n + 0 }' "$stats/dropped" 2>/dev/null; }
# bad_total: the "bad" column summed over the channels.
bad_total() { awk 'NR > 1 { n += $7 } END { print n + 0 }' "$stats/channels" 2>/dev/null; }
complaints() { dmesg | grep -c "$1"; }
if [ "$ours" = 1 ] && [ ! -r "$stats/channels" ]; then
	fail storvsc.openlis.stats "no $stats/channels"
elif [ "$ours" = 1 ]; then
	pass storvsc.openlis.stats "$(tail -n +2 "$stats/channels" | tr '\n' ';')"
fi
for m in "short:Invalid pkt:unknown transaction id" \
	"bad-id:Incorrect transaction ID:unknown transaction id" \
	"id0-complete:Invalid packet with ID of 0:id 0 that is no bus change" \
	"fchba:Invalid packet with ID of 0:id 0 that is no bus change" \
	"unknown-op::id 0 that is no bus change"; do
	what=${m%%:*} rest=${m#*:}
	msg=${rest%%:*} verdict=${rest#*:}
	if [ "$ours" = 1 ]; then
		n0=$(dropped "$verdict") b0=$(bad_total)
		said() { [ "$(dropped "$verdict")" -gt "$n0" ]; }
	elif [ -n "$msg" ]; then
		n0=$(complaints "$msg")
		said() { [ "$(complaints "$msg")" -gt "$n0" ]; }
	else
		said() { true; }
	fi
	r=$(qset inject "\"$what\"")
	if [ "$r" != '{}' ]; then
		fail storvsc.inject.$what "not sent: $r"
	elif ! wait_for 10 said; then
		fail storvsc.inject.$what "no '${msg:-$verdict}' seen"
	elif [ "$ours" = 1 ]; then
		expect storvsc.inject.$what.counted "$(($(dropped "$verdict") - n0)) $(($(bad_total) - b0))" "1 1"
	else
		pass storvsc.inject.$what "${msg:-sent}"
	fi
done
# A read whose answer claims 4 GiB moved: the in-tree guest holds it to its
# buffer; openlis's fails the SRB on it, counted, and the midlayer's retry
# reads the block. Either way the data is the block's.
want=$(dd if=/dev/$sd bs=4k count=1 skip=100 iflag=direct 2>/dev/null | sha256sum)
t0=$(dropped "transfer longer than the request")
r=$(qset inject '"transfer-length"')
expect storvsc.inject.transfer-length.sent "$r" '{}'
got=$(dd if=/dev/$sd bs=4k count=1 skip=100 iflag=direct 2>/dev/null | sha256sum)
# Two failed reads would hash alike: the block must have been read.
if [ "$want" = "$(printf '' | sha256sum)" ]; then
	fail storvsc.inject.transfer-length "the reference read of block 100 failed"
else
	expect storvsc.inject.transfer-length "$got" "$want"
fi
if [ "$ours" = 1 ]; then
	expect storvsc.inject.transfer-length.counted \
		"$(($(dropped "transfer longer than the request") - t0))" 1
fi

# Nothing the in-tree driver sent so far was refused.
expect storvsc.host.bad "$(qom messages-bad)" 0

# Malformed packets from the guest: the host refuses each (messages-bad)
# and goes on serving.
tag=hvscsi_bad_test
ko=$(ko $tag)
shost=$(ls -d "$dev"/host* 2>/dev/null | head -n 1)
if [ -z "$ko" ] || [ -z "$shost" ]; then
	skip storvsc.guest-bad "no $tag.ko or no SCSI host (${shost:-none})"
else
	rmmod $tag 2>/dev/null
	b0=$(qom messages-bad)
	if err=$(insmod "$ko" host="${shost##*/host}" 2>&1); then
		line=$(dmesg | grep "$tag: done" | tail -n 1)
		sent=$(echo "$line" | awk '{print $(NF-1)}')
		expect storvsc.guest-bad.sent "$sent" 11
		counted() { [ "$(qom messages-bad)" -ge $((b0 + 11)) ]; }
		wait_for 10 counted
		expect storvsc.guest-bad.refused "$(($(qom messages-bad) - b0))" 11
		rmmod $tag
	else
		fail storvsc.guest-bad "insmod: $err"
	fi
fi

# Resets with reads in flight (the module's reset=1: RESET_BUS, then
# RESET_LUN): the host answers what it cancels ABORTED, the guest retries,
# and the reads still give what was written.
if [ -n "$ko" ] && [ -n "$shost" ] && [ -n "${pattern_sum:-}" ]; then
	r0=$(qom resets)
	dd if=/dev/$sd bs=64k count=1024 iflag=direct 2>/dev/null |
		sha256sum | cut -d' ' -f1 >/tmp/reset.sum &
	bg=$!
	i=0
	while [ $i -lt 5 ]; do
		insmod "$ko" host="${shost##*/host}" reset=1 && rmmod $tag
		i=$((i + 1))
	done
	wait $bg
	expect storvsc.reset.count "$(($(qom resets) - r0))" 10
	expect storvsc.reset.readback "$(cat /tmp/reset.sum)" "$pattern_sum"
else
	skip storvsc.reset "SKIPPED: no $tag.ko, SCSI host or written pattern: resets not tested"
fi

# The first disk still works after all that.
dd if=/dev/$sd of=/dev/null bs=1M count=4 iflag=direct 2>/tmp/dd.err ||
	dd if=/dev/$sd of=/dev/null bs=1M count=4 2>/tmp/dd.err
expect storvsc.after "$?" 0
expect storvsc.host.state.after "$(qom state)" '"ready"'
