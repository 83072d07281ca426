# A backup with the real VSS daemon (Debian's on the in-tree stack,
# openlis's on openlis's), started by udev: the host, through openlis's VSS
# model (tests/host/hv-vss.c), asks whether a hot backup may be taken, then
# freezes the guest with a writer running on the root file system. While
# frozen, a new write stays blocked, the writer makes no progress, and the
# disk itself, read past every cache (debugfs -D, O_DIRECT), holds exactly
# what the guest wrote before the freeze: that is the snapshot a backup
# takes. After the thaw the blocked write lands and the writer goes on.
# A second ext4 file system, on a second disk, must be frozen with the
# root one and hold its own writes the same way: a backup is of every
# writable file system, not only /.
# Scratch files stay off the root file system (/run) except the ones
# under test.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-vss,id=hvvss,timeout=30
# qemu: -drive driver=null-co,size=64M,read-zeroes=on,if=none,snapshot=on,id=vss2
# qemu: -device virtio-blk-pci,drive=vss2,serial=openlis-vss2,addr=0x10
# timeout: 200

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
ic_device vss "{35fa2e29-ea23-4236-96ae-3a6ebacba440}" hv_vss hvvss || exit 0

daemon_active vssd.active vss || exit 0
ic_negotiated vss || exit 0

expect vssd.check "$(ask check 40)" '"ok"'
say "vssd: check answered with flags $(qom flags)"

disk=$(findmnt -no SOURCE /)
dir=/var/tmp/openlis-vss
mkdir -p $dir
# Written, not synced: the freeze must bring it to the disk.
head -c 4M /dev/urandom >$dir/data
want=$(sha256sum <$dir/data | cut -d' ' -f1)
# writer <file>: appends a counter to the file until killed, in the
# background; grows <file> <n>: the file has at least n lines.
writer() {
	i=0
	while :; do
		i=$((i + 1))
		echo "$i" >>"$1"
		sleep 0.05
	done
}
grows() { [ "$(wc -l <"$1")" -ge "$2" ]; }
writer $dir/log &
writer=$!
wait_for 10 grows $dir/log 5 || fail vssd.writer "the writer wrote nothing"

# The second file system: blank disk (zeros under a QEMU overlay), made
# and mounted here, with its own unsynced data and its own writer.
disk2=/dev/disk/by-id/virtio-openlis-vss2
dir2=/mnt/openlis-vss2
second=''
if ! wait_for 20 test -b $disk2; then
	fail vssd.second.disk "no $disk2: the second disk did not appear"
elif ! out=$(mkfs.ext4 -q -F $disk2 2>&1) ||
	! out=$(mkdir -p $dir2 && mount -t ext4 $disk2 $dir2 2>&1); then
	fail vssd.second.mount "$out"
else
	second=1
	head -c 2M /dev/urandom >$dir2/data
	want2=$(sha256sum <$dir2/data | cut -d' ' -f1)
	writer $dir2/log &
	writer2=$!
	wait_for 10 grows $dir2/log 5 || fail vssd.second.writer "the writer wrote nothing"
fi

ondisk() { debugfs -D -R "cat $1" "$disk" 2>/dev/null; }

res=$(ask freeze 40)
expect vssd.freeze "$res" '"ok"'
if [ "$res" = '"ok"' ]; then
	# A new file: creating it needs write access to the frozen file
	# system, so it must stay blocked for as long as the freeze lasts.
	( : >$dir/probe ) &
	probe=$!
	n1=$(wc -l <$dir/log)
	# An observation window, not a synchronisation: nothing may change.
	sleep 2
	n2=$(wc -l <$dir/log)
	if [ -e $dir/probe ] || [ "$n1" != "$n2" ]; then
		fail vssd.frozen "writes went through: probe $(test -e $dir/probe && echo created || echo blocked), log $n1 -> $n2 lines"
	else
		pass vssd.frozen "a new file stays blocked and the writer stopped at $n2 lines"
	fi
	got=$(ondisk $dir/data | sha256sum | cut -d' ' -f1)
	expect vssd.disk.data "$got" "$want"
	expect vssd.disk.log "$(ondisk $dir/log | sha256sum | cut -d' ' -f1)" \
		"$(sha256sum <$dir/log | cut -d' ' -f1)"
	if [ -n "$second" ]; then
		( : >$dir2/probe ) &
		probe2=$!
		m1=$(wc -l <$dir2/log)
		sleep 1
		m2=$(wc -l <$dir2/log)
		if [ -e $dir2/probe ] || [ "$m1" != "$m2" ]; then
			fail vssd.second.frozen "writes went through: probe $(test -e $dir2/probe && echo created || echo blocked), log $m1 -> $m2 lines"
		else
			pass vssd.second.frozen "$disk2 frozen too: a new file stays blocked, the writer stopped at $m2 lines"
		fi
		expect vssd.second.disk.data \
			"$(debugfs -D -R "cat /data" $disk2 2>/dev/null | sha256sum | cut -d' ' -f1)" "$want2"
		expect vssd.second.disk.log \
			"$(debugfs -D -R "cat /log" $disk2 2>/dev/null | sha256sum | cut -d' ' -f1)" \
			"$(sha256sum <$dir2/log | cut -d' ' -f1)"
	fi
	expect vssd.thaw "$(ask thaw 40)" '"ok"'
	if [ -n "$second" ]; then
		if wait_for 15 test -e $dir2/probe; then
			pass vssd.second.thawed "the blocked write on $dir2 landed after the thaw"
		else
			fail vssd.second.thawed "the write on $dir2 is still blocked 15 s after the thaw"
		fi
		wait $probe2 2>/dev/null
	fi
	if wait_for 15 test -e $dir/probe; then
		pass vssd.thawed "the blocked write landed after the thaw"
	else
		fail vssd.thawed "the write is still blocked 15 s after the thaw"
	fi
	wait $probe 2>/dev/null
	n3=$(wc -l <$dir/log)
	if wait_for 15 grows $dir/log $((n3 + 5)); then
		pass vssd.writer.resumed "the writer went on ($(wc -l <$dir/log) lines)"
	else
		fail vssd.writer.resumed "the writer is stuck at $n3 lines"
	fi
else
	# Whatever the daemon did, nothing may stay frozen.
	ask thaw 40 >/dev/null
fi
kill $writer ${writer2:-} 2>/dev/null
wait $writer ${writer2:-} 2>/dev/null
say "vssd: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
journalctl -b -u hv-vss-daemon.service --no-pager -q | tail -n 5
rm -rf $dir
if [ -n "$second" ]; then umount $dir2; fi
