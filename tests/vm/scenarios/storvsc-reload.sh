# hv_storvsc unloaded and loaded again 100 times with a disk attached (not
# the root disk): every load initializes VMSTOR anew, opens its
# sub-channels and finds the disk, every unload frees what the load took.
# Checked: each cycle brings the disk back with its data, unreclaimable
# slab stays within a small bound of its level after a warm-up cycle, and
# the kernel logs no warning or oops, and every load has its sub-channels
# open (the host rescinds them with the primary and offers them again when
# asked). The in-tree driver runs the same cycles as the reference.
# modules: hv_vmbus sd_mod hv_storvsc
# qemu: -drive driver=null-co,size=64M,read-zeroes=on,if=none,snapshot=on,id=hvrl0
# qemu: -device hv-scsi,id=hvrl,channels=4
# qemu: -device scsi-hd,bus=hvrl.0,drive=hvrl0,channel=0,scsi-id=0,lun=0,serial=openlis-rl0
# timeout: 900

cycles=100
slab_bound_kb=512	# SUnreclaim growth allowed over the cycles
scsi={ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}
IC=/machine/peripheral/hvrl
# The channels a load opens: one per CPU, at most the host's 4.
chans=$(nproc)
[ "$chans" -gt 4 ] && chans=4

disk() {
	for b in /sys/class/scsi_device/*:0:0:0/device/block/sd*; do
		[ -e "$b" ] && { sd=${b##*/}; return 0; }
	done
	return 1
}
readable() { dd if=/dev/$sd of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; }
all_open() { [ "$(qom open-channels)" = "$chans" ]; }

# One cycle: the driver out, in, the disk back and readable.
cycle() {
	reload_module hv_storvsc "$ko" || return 1
	wait_for 30 disk || { why="no disk after the load"; return 1; }
	readable || { why="/dev/$sd not readable"; return 1; }
	wait_for 30 all_open ||
		{ why="$(qom open-channels) of $chans channels open"; return 1; }
}

ko=$(ko hv_storvsc)
if [ -z "$ko" ]; then
	fail storvsc.reload "no hv_storvsc.ko"
	return 0
fi
if ! wait_for 60 disk; then
	fail storvsc.reload "no disk to start with"
	return 0
fi
if wait_for 30 all_open; then
	pass storvsc.reload.channels "$chans channels open at boot"
else
	fail storvsc.reload.channels "$(qom open-channels) of $chans channels open at boot"
fi
trouble0=$(kernel_trouble)
reload_cycles storvsc.reload $cycles "each with its $chans channels open" ||
	return 0
leak_bounded storvsc.reload "$slab_bound_kb"
no_new_trouble storvsc.reload.clean "$trouble0"
