# A balloon target far below what the guest can spare (64 MiB) is not met:
# the guest keeps its floor of available memory, nothing is OOM-killed, the
# guest still works, and the host sees it settle above the target. Then the
# target goes back to where it was.
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu

mib=$((1024 * 1024))

# The balloon floor in MiB for a guest of $1 MiB (the curve both drivers use).
floor_mb() {
	if [ "$1" -lt 128 ]; then echo $((8 + $1 / 2))
	elif [ "$1" -lt 512 ]; then echo $((40 + $1 / 4))
	elif [ "$1" -lt 2048 ]; then echo $((104 + $1 / 8))
	elif [ "$1" -lt 8192 ]; then echo $((232 + $1 / 16))
	else echo $((488 + $1 / 32))
	fi
}

actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail balloon.floor.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
total0=$(meminfo_kb MemTotal)
pass balloon.floor.start "host $((actual0 / mib)) MiB, MemTotal $((total0 / 1024)) MiB, available $(($(meminfo_kb MemAvailable) / 1024)) MiB"

target=$((64 * mib))
expect balloon.floor.set "$(host balloon "$target")" ok

# The guest answers in steps (the host asks again for what is missing);
# it has settled when the host's view has not moved for 3 s. QEMU acts on
# targets only 50 s after the capabilities report.
last='' since=0
settled() {
	a=$(host query-balloon)
	now=$(date +%s)
	if [ "$a" != "$last" ]; then
		last=$a since=$now
		return 1
	fi
	[ "$a" -lt $((actual0 - 128 * mib)) ] && [ $((now - since)) -ge 3 ]
}
if wait_for 180 settled; then
	pass balloon.floor.settled "host sees $((last / mib)) MiB"
else
	fail balloon.floor.settled "host sees $((last / mib)) MiB, not settled below $(((actual0 / mib) - 128)) MiB"
fi

if [ "$last" -gt $((target + 64 * mib)) ] 2>/dev/null; then
	pass balloon.floor.host "$((last / mib)) MiB for a $((target / mib)) MiB target"
else
	fail balloon.floor.host "$((last / mib)) MiB for a $((target / mib)) MiB target"
fi

total1=$(meminfo_kb MemTotal)
avail1=$(meminfo_kb MemAvailable)
fl=$(floor_mb $((total1 / 1024)))
if [ $((avail1 / 1024)) -ge $((fl - 16)) ]; then
	pass balloon.floor.guest "MemTotal $((total1 / 1024)) MiB, available $((avail1 / 1024)) MiB, floor $fl MiB"
else
	fail balloon.floor.guest "available $((avail1 / 1024)) MiB below the floor of $fl MiB (MemTotal $((total1 / 1024)) MiB)"
fi

# Still working: a 32 MiB file round trip through tmpfs.
if dd if=/dev/zero of=/tmp/floor bs=1M count=32 2>/dev/null &&
   [ "$(stat -c %s /tmp/floor)" -eq $((32 * mib)) ] &&
   [ "$(wc -c </tmp/floor)" -eq $((32 * mib)) ]; then
	pass balloon.floor.works "32 MiB written and read back"
else
	fail balloon.floor.works "a 32 MiB tmpfs file round trip failed"
fi
rm -f /tmp/floor

if dmesg | grep -qiE 'out of memory|oom-kill'; then
	fail balloon.floor.no_oom "$(dmesg | grep -iE 'out of memory|oom-kill' | tail -n1)"
else
	pass balloon.floor.no_oom "no OOM kill"
fi

expect balloon.floor.reset "$(host balloon "$actual0")" ok
r=$(host wait-balloon "$actual0" 60)
case "$r" in
ok*) set -- $r; pass balloon.floor.restore "host $(($2 / mib)) MiB" ;;
*) fail balloon.floor.restore "$r (target $((actual0 / mib)) MiB)" ;;
esac
back() { [ "$(meminfo_kb MemTotal)" -ge $((total0 - 16 * 1024)) ]; }
if wait_for 90 back; then
	pass balloon.floor.restore.guest "MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB"
else
	fail balloon.floor.restore.guest "MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB, expected $((total0 / 1024))"
fi
