# A hostile VMBus host (tests/host/patches/vmbus-untrusted-host.patch):
# vmbus-bridge's inject sends malformed SynIC and channel messages, offers
# and rescinds out of order, unsolicited responses, a request it never
# answers, and corrupts the rings of the time sync channel while it runs.
# On openlis's core each one must be dropped, counted under the right kind
# in /sys/kernel/debug/openlis_vmbus/dropped and logged at a limited rate;
# on the in-tree core, which has no counters, what it logged is noted. On
# both the guest must go on: heartbeats answered, no warning or oops, and
# the time sync channel opened anew after its rings were wrecked.
# modules: hv_vmbus hv_utils
# qemu: -device hv-heartbeat,id=hvhb,interval=500 -device hv-timesync,id=hvts,interval=0
# timeout: 400

hb={57164f39-9115-4e78-ab55-382f3bd5422d}
ts={9527e630-d0ae-497b-adce-e80ab0175caf}
BR=/machine/peripheral/vmbus
DROPS=/sys/kernel/debug/openlis_vmbus/dropped
n_trouble0=$(kernel_trouble)

bridge() {
	host qmp "{\"execute\":\"$1\",\"arguments\":{\"path\":\"$BR\",\"property\":\"$2\"${3:+,\"value\":$3}}}"
}
inject() { bridge qom-set inject "\"$1\""; }
injected() { bridge qom-get injected; }
drops() { awk -v k="$1" '$1 == k {print $2}' "$DROPS"; }
dmesg_lines() { dmesg | wc -l; }
openlis_core() { [ -r "$DROPS" ]; }

case "$STACK" in
openlis | openlis-core)
	if openlis_core; then
		pass hostile.counters "$(tr '\n' ' ' <"$DROPS")"
	else
		fail hostile.counters "openlis's core has no $DROPS"
		exit 0
	fi
	;;
esac

ic_device heartbeat "$hb" hv_heartbeat hvhb || exit 0
ic_negotiated heartbeat || exit 0
HB=$IC

_sent() { [ "$(injected)" -ge "$_want" ]; }
_counted() { [ "$(drops "$_kind")" -gt "$_n0" ]; }
_logged() { [ "$(dmesg_lines)" -gt "$_l0" ]; }

# hostile <what> <messages it sends> <counter kind> <log pattern>
hostile() {
	_kind=$3
	_want=$(($(injected) + $2))
	_l0=$(dmesg_lines)
	openlis_core && _n0=$(drops "$_kind")
	_r=$(inject "$1")
	if [ "$_r" != '{}' ]; then
		fail "hostile.${1%% *}.sent" "inject: $_r"
		return
	fi
	if ! wait_for 10 _sent; then
		fail "hostile.${1%% *}.sent" "the host delivered $(injected) of $_want messages in 10 s"
		return
	fi
	if ! openlis_core; then
		# The in-tree core: the reference, noted and not judged.
		wait_for 3 _logged
		note "hostile.${1%% *}.intree" "$(dmesg | tail -n +$((_l0 + 1)) |
			tail -n 2 | tr '\n' '|' | tr -s ' ')"
		return
	fi
	if wait_for 10 _counted; then
		pass "hostile.${1%% *}.counted" "$_kind $_n0 -> $(drops "$_kind")"
	else
		fail "hostile.${1%% *}.counted" "$_kind still $(drops "$_kind") after 10 s: $(tr '\n' ' ' <"$DROPS")"
	fi
	if wait_for 3 _logged && dmesg | tail -n +$((_l0 + 1)) | grep -qE "$4"; then
		pass "hostile.${1%% *}.logged" "$(dmesg | tail -n +$((_l0 + 1)) | grep -E "$4" | tail -n 1)"
	else
		fail "hostile.${1%% *}.logged" "no line matching '$4' in the kernel log"
	fi
}

# SynIC messages: too short, too long, of an unknown type.
hostile synic-short 1 msg-size "bad message"
hostile synic-long 1 synic "bad SynIC message"
hostile synic-type 1 synic "bad SynIC message"
# Channel messages: an unknown type, an offer cut short.
hostile msg-type 1 msg-type "bad message"
hostile msg-short 1 msg-size "bad message"
# Offers the guest must refuse.
hostile offer-relid0 1 msg-range "bad message"
hostile offer-relid-range 1 msg-range "bad message"
hostile offer-monitor 1 msg-range "bad message"
hostile offer-dup 1 offer-dup "second offer for relid"
hostile sub-orphan 1 no-primary "no live primary"
hostile sub-after-rescind 3 no-primary "no live primary"
hostile rescind-unknown 1 rescind-unknown "rescind of unknown relid"
# Responses nobody asked for.
hostile open-result 1 unsolicited "unsolicited message 6"
hostile gpadl-created 1 unsolicited "unsolicited message 10"
hostile version-response 1 unsolicited "unsolicited message 15"

# A primary rescinded before its sub-channel: both go, nothing is freed
# twice (a KASAN kernel would say so), the device leaves sysfs.
_want=$(($(injected) + 4))
expect hostile.rescind-primary-first.sent "$(inject rescind-primary-first)" '{}'
wait_for 10 _sent || fail hostile.rescind-primary-first.sent "delivered $(injected) of $_want"
_fake_gone() { ! grep -qs 'ad07}' /sys/bus/vmbus/devices/*/device_id; }
if wait_for 15 _fake_gone; then
	pass hostile.rescind-primary-first.gone "no made-up device left in /sys/bus/vmbus/devices"
else
	fail hostile.rescind-primary-first.gone "$(grep -ls 'ad07}' /sys/bus/vmbus/devices/*/device_id | tr '\n' ' ')"
fi

# The logs are rate limited: 25 bad messages in a row, every one counted,
# far fewer logged.
if openlis_core; then
	_m0=$(drops msg-type)
	_l0=$(dmesg | grep -c "bad message")
	i=0
	while [ $i -lt 25 ]; do
		_want=$(($(injected) + 1))
		inject msg-type >/dev/null
		wait_for 10 _sent || break
		i=$((i + 1))
	done
	_all() { [ "$(drops msg-type)" -ge $((_m0 + 25)) ]; }
	wait_for 10 _all
	_logs=$(($(dmesg | grep -c "bad message") - _l0))
	_n=$(($(drops msg-type) - _m0))
	if [ "$_n" -eq 25 ] && [ "$_logs" -lt 25 ]; then
		pass hostile.ratelimit "25 bad messages counted, $_logs logged"
	else
		fail hostile.ratelimit "$_n of 25 counted, $_logs logged"
	fi
fi

IC=$HB
heartbeats hostile.messages.heartbeat "after the malformed messages"
no_new_trouble hostile.messages.clean "$n_trouble0"

# The rings of the time sync channel, open and idle (interval=0: the host
# sends a sample only when asked).
ic_device timesync "$ts" hv_timesync hvts || exit 0
ic_negotiated timesync || exit 0
TS=$IC
tsdev=${d##*/}
tsdrv=$(basename "$(readlink "$d/driver")")
relid=$(ls "$d/channels" | head -n 1)
_answers() { [ "$(qom answers)" -gt "$_a0" ]; }
# sample <check>: one sample; the guest's answer reaches the host.
sample() {
	IC=$TS
	_a0=$(qom answers)
	qset sample '"now"' >/dev/null
	if wait_for 10 _answers; then
		pass "$1" "answers $_a0 -> $(qom answers)"
	else
		fail "$1" "answers still $_a0 10 s after a sample"
	fi
}
sample hostile.ring.before

# A host asking to be told when more room frees than the ring has: the
# guest still reads and answers.
expect hostile.ring-pending.sent "$(inject "ring-pending $relid")" '{}'
sample hostile.ring-pending.answered
# The guest's own write index moved past its ring: its next answer is
# refused, not written outside the ring.
_kind=ring
openlis_core && _n0=$(drops ring)
_want=$(($(injected) + 1))
expect hostile.ring-guest-windex.sent "$(inject "ring-guest-windex $relid")" '{}'
IC=$TS
qset sample '"now"' >/dev/null
if openlis_core; then
	if wait_for 10 _counted; then
		pass hostile.ring-guest-windex.counted "ring $_n0 -> $(drops ring)"
	else
		fail hostile.ring-guest-windex.counted "ring still $(drops ring)"
	fi
fi
# Lies in the host's own ring: a write index out of range, one unaligned,
# a descriptor longer than the ring holds, data past a packet's end.
hostile "ring-windex $relid" 1 packet "packet .*dropped"
hostile "ring-unaligned $relid" 1 packet "packet .*dropped"
hostile "ring-pktlen $relid" 1 packet "packet .*dropped"
hostile "ring-offset $relid" 1 packet "packet .*dropped"
IC=$HB
heartbeats hostile.ring.heartbeat "after the time sync rings were wrecked"

# The wrecked channel opened anew: unbound and bound again. First the
# host leaves one OPENCHANNEL unanswered: openlis's open gives up after its
# 30 s, the in-tree one would wait for ever.
rebind() {
	echo "$tsdev" >"/sys/bus/vmbus/drivers/$tsdrv/unbind" 2>/dev/null
	echo "$tsdev" >"/sys/bus/vmbus/drivers/$tsdrv/bind" 2>/dev/null
}
if openlis_core; then
	expect hostile.ignore-open.set "$(inject ignore-open)" '{}'
	t0=$(date +%s)
	rebind
	if [ -e "/sys/bus/vmbus/drivers/$tsdrv/$tsdev" ]; then
		_bound="bound"
	else
		_bound="not bound"
	fi
	expect hostile.ignore-open.ignored "$(bridge qom-get requests-ignored)" 1
	pass hostile.ignore-open.returned "the bind returned after $(($(date +%s) - t0)) s, $_bound"
else
	note hostile.ignore-open.intree "not sent: the in-tree vmbus_open waits for its answer without a timeout"
fi
rebind
wait_for 10 test -e "/sys/bus/vmbus/drivers/$tsdrv/$tsdev"
IC=$TS
ic_negotiated timesync && sample hostile.ring.reopened
IC=$HB
heartbeats hostile.end.heartbeat
no_new_trouble hostile.end.clean "$n_trouble0"
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	_leaks=$(grep -c "^unreferenced object" /sys/kernel/debug/kmemleak)
	expect hostile.end.kmemleak "$_leaks" 0
fi
openlis_core && say "hostile-vmbus: $(tr '\n' ' ' <"$DROPS")"
