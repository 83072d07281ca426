# A balloon target 512 MiB above the guest's size makes the host hot-add
# memory: the new memory blocks come online, MemTotal grows by about 512 MiB,
# the host sees the guest at the target, and the memory is usable (a tmpfs
# file larger than all the memory available before is written). Then the
# target goes back to where it was, which the host meets by ballooning.
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu
# cmdline: memhp_default_state=online

mib=$((1024 * 1024))
step=$((512 * mib))

online_blocks() {
	n=0
	for s in /sys/devices/system/memory/memory*/state; do
		[ "$(cat "$s" 2>/dev/null)" = online ] && n=$((n + 1))
	done
	echo "$n"
}

actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail balloon.hotadd.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
total0=$(meminfo_kb MemTotal)
avail0=$(meminfo_kb MemAvailable)
blocks0=$(online_blocks)
# block_size_bytes is hexadecimal, without a prefix.
bsize=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
pass balloon.hotadd.start "host $((actual0 / mib)) MiB, MemTotal $((total0 / 1024)) MiB, $blocks0 blocks of $((bsize / mib)) MiB online"

target=$((actual0 + step))
# QEMU acts on targets only 50 s after the capabilities report.
balloon_to balloon.hotadd.set "$target" \
	guest balloon.hotadd.memtotal ge $((total0 + 480 * 1024)) 150 \
	host balloon.hotadd.host 60

# Every block is online, including the new ones.
want=$((step / bsize))
all_online() { [ "$(online_blocks)" -ge $((blocks0 + want)) ]; }
wait_for 20 all_online
blocks1=$(online_blocks)
offline=$(grep -l -v '^online$' /sys/devices/system/memory/memory*/state 2>/dev/null | wc -l)
if [ "$blocks1" -ge $((blocks0 + want)) ] && [ "$offline" -eq 0 ]; then
	pass balloon.hotadd.online "$blocks0 -> $blocks1 blocks online, none offline"
else
	fail balloon.hotadd.online "$blocks0 -> $blocks1 blocks online (want +$want), $offline not online"
fi

# Use it: write more than was available before the hot-add, then free it.
avail1=$(meminfo_kb MemAvailable)
fill=$((avail0 / 1024 + 128))
if [ $((avail1 / 1024)) -lt $((fill + 192)) ]; then
	fail balloon.hotadd.usable "only $((avail1 / 1024)) MiB available after the hot-add (was $((avail0 / 1024)))"
else
	mkdir -p /mnt/hotadd
	mount -t tmpfs -o size=$((fill + 16))m hotadd /mnt/hotadd
	if dd if=/dev/zero of=/mnt/hotadd/fill bs=1M count="$fill" 2>/dev/null &&
	   [ "$(stat -c %s /mnt/hotadd/fill)" -eq $((fill * mib)) ]; then
		pass balloon.hotadd.usable "wrote $fill MiB to tmpfs (available before: $((avail0 / 1024)) MiB, after: $((avail1 / 1024)) MiB)"
	else
		fail balloon.hotadd.usable "writing $fill MiB to tmpfs failed"
	fi
	rm -f /mnt/hotadd/fill
	umount /mnt/hotadd
fi
if dmesg | grep -qiE 'out of memory|oom-kill'; then
	fail balloon.hotadd.no_oom "$(dmesg | grep -iE 'out of memory|oom-kill' | tail -n1)"
else
	pass balloon.hotadd.no_oom "no OOM kill"
fi

# Back to the starting target: the host balloons the difference out.
balloon_to balloon.hotadd.reset "$actual0" \
	host balloon.hotadd.restore 90 \
	guest balloon.hotadd.restore.guest le $((total0 + 32 * 1024)) 60
