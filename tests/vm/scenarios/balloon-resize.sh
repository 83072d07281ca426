# A balloon target set through QMP changes the guest's memory as the guest
# sees it (MemTotal), and the host sees the guest reach the target; then the
# balloon deflates back. QEMU acts on targets only 50 s after the guest's
# capabilities report, so every wait is a poll with a deadline.
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu

step=$((256 * 1024 * 1024))
total0=$(meminfo_kb MemTotal)
actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail balloon.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
pass balloon.query "host sees $((actual0 >> 20)) MiB"

target=$((actual0 - step))
expect balloon.set "$(host balloon "$target")" ok

# A 256 MiB inflate must show as at least 240 MiB less MemTotal.
shrunk() { [ "$(meminfo_kb MemTotal)" -le $((total0 - 240 * 1024)) ]; }
if wait_for 150 shrunk; then
	pass balloon.inflate.guest "MemTotal $((total0 / 1024)) -> $(($(meminfo_kb MemTotal) / 1024)) MiB"
else
	fail balloon.inflate.guest "MemTotal stayed at $(($(meminfo_kb MemTotal) / 1024)) MiB (was $((total0 / 1024)))"
fi
r=$(host wait-balloon "$target" 60)
case "$r" in
ok*) set -- $r; pass balloon.inflate.host "$(($2 >> 20)) MiB" ;;
*) fail balloon.inflate.host "$r (target $((target >> 20)) MiB)" ;;
esac

expect balloon.reset "$(host balloon "$actual0")" ok
grown() { [ "$(meminfo_kb MemTotal)" -ge $((total0 - 16 * 1024)) ]; }
if wait_for 60 grown; then
	pass balloon.deflate.guest "MemTotal back to $(($(meminfo_kb MemTotal) / 1024)) MiB"
else
	fail balloon.deflate.guest "MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB, expected $((total0 / 1024))"
fi
r=$(host wait-balloon "$actual0" 60)
case "$r" in
ok*) set -- $r; pass balloon.deflate.host "$(($2 >> 20)) MiB" ;;
*) fail balloon.deflate.host "$r (target $((actual0 >> 20)) MiB)" ;;
esac
