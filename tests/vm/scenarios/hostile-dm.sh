# A hostile Dynamic Memory host (hv-balloon's inject, from
# tests/host/patches/hv-balloon-untrusted-host.patch): a flood of unballoon
# requests naming no page, unballoon ranges over the guest's kernel memory
# and over pages never ballooned, a hot-add region over boot RAM, info
# messages whose sizes lie, and version and capability responses nobody
# asked for. openlis's hv_balloon must refuse each, count it in
# /sys/kernel/debug/hv-balloon and log it at a limited rate, and its memory
# must stay as it was; the in-tree driver's log is noted. Then a balloon
# resize still works.
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu

HVB=/machine/peripheral/hvb
DBG=/sys/kernel/debug/hv-balloon
n_trouble0=$(kernel_trouble)
total0=$(meminfo_kb MemTotal)

binject() {
	host qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$HVB\",\"property\":\"inject\",\"value\":\"$1\"}}"
}
binjected() {
	host qmp "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$HVB\",\"property\":\"injected\"}}"
}
dmstat() { awk -F: -v k="$1" '{gsub(/^ +| +$/, "", $1)} $1 == k {gsub(/ /, "", $2); print $2}' "$DBG"; }
openlis_dm() { grep -qs '^rejected_msgs' "$DBG"; }
dmesg_lines() { dmesg | wc -l; }

_ready() { binject version-response-probe 2>/dev/null | grep -q "unknown malformation"; }
if ! wait_for 60 _ready; then
	fail hostile-dm.channel "hv-balloon's inject refused all along: $(binject version-response-probe)"
	exit 0
fi
case " $MODULES " in
*" hv_balloon=openlis "*)
	openlis_dm || { fail hostile-dm.counters "no rejected_msgs in $DBG"; exit 0; }
	;;
esac

_grown() { [ "$(dmstat "$_key")" -ge $((_n0 + _want)) ]; }
_logged() { [ "$(dmesg_lines)" -gt "$_l0" ]; }

# dm <inject> <counter> <how many it must grow by, 0: by what was sent>
# <log pattern>
dm() {
	_key=$2
	_l0=$(dmesg_lines)
	_s0=$(binjected)
	openlis_dm && _n0=$(dmstat "$_key")
	_r=$(binject "$1")
	if [ "$_r" != '{}' ]; then
		fail "hostile-dm.$1.sent" "inject: $_r"
		return
	fi
	_sent=$(($(binjected) - _s0))
	_want=$3
	[ "$_want" = 0 ] && _want=$_sent
	if ! openlis_dm; then
		wait_for 5 _logged
		note "hostile-dm.$1.intree" "$_sent sent; $(dmesg | tail -n +$((_l0 + 1)) | tail -n 2 | tr '\n' '|' | tr -s ' ')"
		return
	fi
	if wait_for 15 _grown; then
		pass "hostile-dm.$1.counted" "$_sent sent, $_key $_n0 -> $(dmstat "$_key")"
	else
		fail "hostile-dm.$1.counted" "$_sent sent, $_key $_n0 -> $(dmstat "$_key"), wanted +$_want"
	fi
	if dmesg | tail -n +$((_l0 + 1)) | grep -qE "$4"; then
		pass "hostile-dm.$1.logged" "$(dmesg | tail -n +$((_l0 + 1)) | grep -E "$4" | tail -n 1)"
	else
		fail "hostile-dm.$1.logged" "no line matching '$4'"
	fi
}

dm unballoon-empty rejected_msgs 0 "refused"
dm unballoon-kernel deflate_bad_ranges 1 "not ballooned"
dm unballoon-never deflate_bad_ranges 1 "not ballooned"
dm info-size rejected_msgs 1 "refused"
dm info-item rejected_msgs 1 "refused"
dm version-response rejected_msgs 1 "refused unsolicited"
dm caps-response rejected_msgs 1 "refused unsolicited"
dm hot-add-ram hot_add_failed 0 "hot-add"

# The 64 refusals in a row were logged at a limited rate.
if openlis_dm; then
	_logs=$(dmesg | grep -c "refused")
	if [ "$_logs" -lt 64 ]; then
		pass hostile-dm.ratelimit "$_logs refusals logged for $(dmstat rejected_msgs) refused"
	else
		fail hostile-dm.ratelimit "$_logs refusals logged"
	fi
fi
expect hostile-dm.memtotal "$(meminfo_kb MemTotal)" "$total0"
no_new_trouble hostile-dm.clean "$n_trouble0"

# The balloon still works: 128 MiB out, as the host asks.
actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*) fail hostile-dm.resize "host query-balloon said '$actual0'"; exit 0 ;;
esac
target=$((actual0 - 128 * 1024 * 1024))
expect hostile-dm.resize.set "$(host balloon "$target")" ok
r=$(host wait-balloon "$target" 150)
case "$r" in
ok*) pass hostile-dm.resize "the host sees the guest at $((target >> 20)) MiB" ;;
*) fail hostile-dm.resize "$r (target $((target >> 20)) MiB)" ;;
esac
no_new_trouble hostile-dm.end.clean "$n_trouble0"
