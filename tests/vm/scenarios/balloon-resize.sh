# A balloon target set through QMP changes the guest's memory as the guest
# sees it (MemTotal), and the host sees the guest reach the target; then the
# balloon deflates back, first by an odd amount (part of a 2 MiB piece). QEMU acts on targets only 50 s after the guest's
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
# A 256 MiB inflate must show as at least 240 MiB less MemTotal.
balloon_to balloon.set "$target" \
	guest balloon.inflate.guest le $((total0 - 240 * 1024)) 150 \
	host balloon.inflate.host 60

# openlis's driver fills a request this large with a thread per vCPU (one
# thread where the guest has one), and holds exactly what the host asked
# for.
case " $MODULES " in
*" hv_balloon=openlis "*)
	dbg=/sys/kernel/debug/hv-balloon
	threads=parallel
	[ "$(grep -c '^processor' /proc/cpuinfo)" -ge 2 ] || threads="one thread"
	expect balloon.inflate.threads \
		"$(awk '$1 == "inflate_parallel" {print ($3 >= 1 ? "parallel" : "one thread")}' $dbg)" "$threads"
	expect balloon.inflate.held \
		"$(awk '$1 == "pages_ballooned" {print $3 * 4} ' $dbg) KiB" "$((step >> 10)) KiB" ;;
esac

# Back by 1 MiB and one page, no whole number of 2 MiB: the host returns
# part of a range the guest gave up in one 2 MiB piece, and exactly the
# pages it names come back to the guest.
mt1=$(meminfo_kb MemTotal)
part=$((1024 * 1024 + 4096))
expect balloon.partial.set "$(host balloon $((target + part)))" ok
r=$(host wait-balloon $((target + part)) 60)
back() { [ "$(meminfo_kb MemTotal)" -ge $((mt1 + part / 1024)) ]; }
if wait_for 30 back; then
	expect balloon.partial.guest "$(($(meminfo_kb MemTotal) - mt1)) KiB" "$((part / 1024)) KiB"
else
	fail balloon.partial.guest "MemTotal $mt1 -> $(meminfo_kb MemTotal) KiB, expected +$((part / 1024)); host: $r"
fi

balloon_to balloon.reset "$actual0" \
	guest balloon.deflate.guest ge $((total0 - 16 * 1024)) 60 \
	host balloon.deflate.host 60
