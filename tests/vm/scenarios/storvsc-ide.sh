# storvsc on the host's IDE class (tests/host/hv-scsi.c's hv-ide): the
# controller that carries a generation 1 VM's boot disk speaks the SCSI
# controller's VMSTOR on one channel, and its one disk sits at the target
# its instance id names. Checked: hv_storvsc binds the class, the disk
# appears with the host's serial and size at target 0 LUN 0 and reads back
# what was written, the driver asks for no sub-channel (the host would
# count that request as bad) and runs one queue, and a rescan finds
# nothing more. Runs beside storvsc-basic in one guest.
# modules: hv_vmbus sd_mod hv_storvsc
# qemu: -drive driver=null-co,size=32M,read-zeroes=on,if=none,snapshot=on,id=hvid0
# qemu: -device hv-ide,id=hvi
# qemu: -device scsi-hd,bus=hvi.0,drive=hvid0,channel=0,scsi-id=0,lun=0,serial=openlis-ide0
# timeout: 60

IC=/machine/peripheral/hvi
ide={32412632-86cb-44a2-9b5c-50d1417354f5}

bound() { [ -e "$idev/driver" ]; }
if idev=$(vmbus_dev_by_class "$ide") && wait_for 30 bound; then
	pass storvsc.ide.bound "$(basename "$idev") driver $(basename "$(readlink "$idev/driver")")"
else
	fail storvsc.ide.bound "no IDE controller bound (device ${idev:-none})"
	return 0
fi
expect storvsc.ide.host.state "$(qom state)" '"ready"'
expect storvsc.ide.host.version "$(qom protocol-version)" '"6.2"'

has_host() { ihost=$(ls -d "$idev"/host* 2>/dev/null | head -n 1); [ -n "$ihost" ]; }
if ! wait_for 10 has_host; then
	fail storvsc.ide.host "no SCSI host under $idev"
	return 0
fi
h=${ihost##*/host}
ide_disk() {
	for b in /sys/class/scsi_device/$h:0:0:0/device/block/sd*; do
		[ -e "$b" ] && { isd=$(basename "$b"); return 0; }
	done
	return 1
}
if wait_for 30 ide_disk; then
	pass storvsc.ide.disk "/dev/$isd at $h:0:0:0"
else
	fail storvsc.ide.disk "no disk at target 0 LUN 0 of host $h: $(ls /sys/class/scsi_device | tr '\n' ' ')"
	return 0
fi
expect storvsc.ide.serial "$(tail -c +5 "/sys/block/$isd/device/vpd_pg80" 2>/dev/null | tr -d '\0 ')" openlis-ide0
expect storvsc.ide.size "$(($(cat /sys/block/$isd/size) * 512))" 33554432

# One channel, one queue, no CREATE_SUB_CHANNELS (the host refuses and
# counts it).
expect storvsc.ide.channels "$(ls -d "$idev"/channels/* 2>/dev/null | wc -l) $(qom open-channels) $(qom subchannels)" "1 1 0"
expect storvsc.ide.queues "$(ls -d /sys/block/$isd/mq/* 2>/dev/null | wc -l)" 1

# 8 MiB written and read back past the page cache.
dd if=/dev/urandom of=/tmp/ide.pat bs=1M count=8 2>/dev/null
want=$(sha256sum </tmp/ide.pat | cut -d' ' -f1)
if dd if=/tmp/ide.pat of=/dev/$isd bs=1M oflag=direct 2>/tmp/dd.err; then
	got=$(dd if=/dev/$isd bs=1M count=8 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	expect storvsc.ide.readback "$got" "$want"
else
	fail storvsc.ide.write "$(cat /tmp/dd.err)"
fi
rm -f /tmp/ide.pat

# A full rescan of the host adds nothing: the controller has its one disk.
echo "- - -" >/sys/class/scsi_host/host$h/scan
expect storvsc.ide.rescan "$(ls -d /sys/class/scsi_device/$h:* | wc -l)" 1
expect storvsc.ide.host.bad "$(qom messages-bad)" 0
