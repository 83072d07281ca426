# A backup with the real VSS daemon (Debian's on the in-tree stack,
# openlis's on openlis's), started by udev: the host, through openlis's VSS
# model (tests/host/hv-vss.c), asks whether a hot backup may be taken, then
# freezes the guest with a writer running on the root file system. While
# frozen, a new write stays blocked, the writer makes no progress, and the
# disk itself, read past every cache (debugfs -D, O_DIRECT), holds exactly
# what the guest wrote before the freeze: that is the snapshot a backup
# takes. After the thaw the blocked write lands and the writer goes on.
# Scratch files stay off the root file system (/run) except the ones
# under test.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-vss,id=hvvss,timeout=30
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
# The writer appends a counter to a file on the root file system until it
# is killed; its pid is in /run.
(
	i=0
	while :; do
		i=$((i + 1))
		echo "$i" >>$dir/log
		sleep 0.05
	done
) &
writer=$!
grows() { [ "$(wc -l <$dir/log)" -ge "$1" ]; }
wait_for 10 grows 5 || fail vssd.writer "the writer wrote nothing"

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
	expect vssd.thaw "$(ask thaw 40)" '"ok"'
	if wait_for 15 test -e $dir/probe; then
		pass vssd.thawed "the blocked write landed after the thaw"
	else
		fail vssd.thawed "the write is still blocked 15 s after the thaw"
	fi
	wait $probe 2>/dev/null
	n3=$(wc -l <$dir/log)
	if wait_for 15 grows $((n3 + 5)); then
		pass vssd.writer.resumed "the writer went on ($(wc -l <$dir/log) lines)"
	else
		fail vssd.writer.resumed "the writer is stuck at $n3 lines"
	fi
else
	# Whatever the daemon did, nothing may stay frozen.
	ask thaw 40 >/dev/null
fi
kill $writer 2>/dev/null
wait $writer 2>/dev/null
say "vssd: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
journalctl -b -u hv-vss-daemon.service --no-pager -q | tail -n 5
rm -rf $dir
