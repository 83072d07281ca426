# Helpers for guest scenarios (busybox sh). Checks and host requests go over
# the second serial port (ttyS1) to tests/vm/hostside.py; the console
# (ttyS0) carries the human-readable log.

stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
exec 3<>/dev/ttyS1

say() {
	printf '%s\n' "$*" >&3
	printf '%s\n' "$*"
}

# pass|fail|skip <check name> <detail...>: a check name has no spaces.
pass() { say "@@CHECK PASS $*"; }
fail() { say "@@CHECK FAIL $*"; }
skip() { say "@@CHECK SKIP $*"; }
# note: what a reference stack did, reported and never counted.
note() { say "@@CHECK NOTE $*"; }

# expect <check> <got> <want>
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1" "$2"
	else
		fail "$1" "got '$2', expected '$3'"
	fi
}

# host <action> <args...>: ask the emulated Hyper-V host to act; prints its reply.
host() {
	say "@@HOST $*" >/dev/null
	IFS= read -r _reply <&3
	_reply=${_reply%"$(printf '\r')"}
	printf '%s\n' "${_reply#@@REPLY }"
}

# wait_for <seconds> <command...>: poll the command until it succeeds or the
# deadline passes (status 1).
wait_for() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
}

meminfo_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

# balloon_to <set check> <target bytes> [guest <check> le|ge <KiB> <seconds>]
# [host <check> <seconds>]...: give the host's balloon a target, then wait
# in the order given: "guest" until MemTotal is at most (le) or at least
# (ge) <KiB>, "host" until the host sees the guest at the target. Each wait
# is a check; a set check named - is not reported, since some scenarios set
# a target only to restore one. Status 1 when a wait failed.
balloon_to() {
	_bt_target=$2 _bt_rc=0 _bt_mt0=$(meminfo_kb MemTotal)
	_bt_r=$(host balloon "$_bt_target")
	[ "$1" = - ] || expect "$1" "$_bt_r" ok
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		guest)
			_bt_op=$3 _bt_kib=$4
			case $_bt_op in
			le) _bt_want="at most" ;;
			ge) _bt_want="at least" ;;
			*) fail "$2" "balloon_to: '$_bt_op' is neither le nor ge"; return 1 ;;
			esac
			if wait_for "$5" _bt_guest_at; then
				pass "$2" "MemTotal $((_bt_mt0 / 1024)) -> $(($(meminfo_kb MemTotal) / 1024)) MiB"
			else
				fail "$2" "MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB (was $((_bt_mt0 / 1024))), expected $_bt_want $((_bt_kib / 1024)) MiB"
				_bt_rc=1
			fi
			shift 5 ;;
		host)
			_bt_r=$(host wait-balloon "$_bt_target" "$3")
			case $_bt_r in
			ok*)
				# "ok <bytes> <seconds>"
				_bt_a=${_bt_r#ok }
				pass "$2" "host sees $((${_bt_a%% *} >> 20)) MiB in ${_bt_a#* } s" ;;
			*)
				fail "$2" "$_bt_r (target $((_bt_target >> 20)) MiB)"
				_bt_rc=1 ;;
			esac
			shift 3 ;;
		*)
			fail balloon_to "unknown step '$1'"
			return 1 ;;
		esac
	done
	return $_bt_rc
}
_bt_guest_at() { [ "$(meminfo_kb MemTotal)" -"$_bt_op" "$_bt_kib" ]; }

# The vmbus device folder whose class_id is $1 (braced GUID), if any.
vmbus_dev_by_class() {
	for d in /sys/bus/vmbus/devices/*; do
		[ "$(cat "$d/class_id" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }
	done
	return 1
}

# sys_chain <sysfs path>: each ancestor's name and subsystem, which is
# what udev's path_id composes a by-path name from.
sys_chain() {
	_d=$(readlink -f "$1")
	_out=
	while [ -n "$_d" ] && [ "$_d" != /sys/devices ] && [ "$_d" != / ]; do
		_s=$(readlink "$_d/subsystem" 2>/dev/null)
		_out="${_d##*/}(${_s##*/})<$_out"
		_d=${_d%/*}
	done
	echo "${_out%<}"
}

# by_path <check> <disk>: udev names the disk by its path
# (/dev/disk/by-path), which its path_id does only below a bus it knows:
# for a VMBus disk, the VMBus ACPI device. systemd counts the boot done
# once coldplug is triggered, not once udev has handled it: the link is
# awaited, and on a miss the names path_id would give now are shown.
by_path() {
	_disk=$(readlink -f "$2")
	_linked() {
		_links=
		for _l in /dev/disk/by-path/*; do
			[ "$(readlink -f "$_l")" != "$_disk" ] || _links="$_links ${_l##*/}"
		done
		[ -n "$_links" ]
	}
	udevadm settle --timeout=60 2>/dev/null
	if wait_for 10 _linked; then
		pass "$1" "$2 is /dev/disk/by-path/${_links# }"
	else
		fail "$1" "no /dev/disk/by-path link to $2: udev's $(udevadm info -q property -n "$2" 2>&1 | grep '^ID_PATH=' || echo 'no ID_PATH');" \
			"chain $(sys_chain "/sys/class/block/${2#/dev/}");" \
			"path_id now: $(udevadm test-builtin path_id "/sys/class/block/${2#/dev/}" 2>&1 | grep '^ID_PATH=' || echo none)"
	fi
}

# The integration services' host models (tests/host) are driven through
# QOM properties of the device whose path ic_device sets in IC.
qom() {
	host qmp "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$IC\",\"property\":\"$1\"}}"
}
# qset <property> <JSON value>
qset() {
	host qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$IC\",\"property\":\"$1\",\"value\":$2}}"
}
request() { qset request "\"$1\""; }
answered() { [ "$(qom result)" != '"pending"' ]; }
# result_within <seconds>: the model's result once answered, or why there
# is none; ask <request> <seconds>: one request, then its result.
result_within() {
	wait_for "$1" answered || { echo "still pending after $1 s"; return; }
	qom result
}
ask() {
	_r=$(request "$1")
	[ "$_r" = '{}' ] || { echo "not sent: $_r"; return; }
	result_within "$2"
}

# refuses <check> <malformation> <seconds> [<who> [<why>]]: the host model
# sends a malformed message (inject, tests/host/hv-ic.c) and the guest must
# drop it (no answer within the seconds: an observation window, for
# something that must not come) or answer it with a failure. An answer of success fails,
# unless <who> names the reference stack that gave it: then a SKIP; or
# unless <why> says why this one may be answered.
_inject_answered() { [ "$(qom inject-result)" != '"pending"' ]; }
_inject() {
	_r=$(qset inject "\"$1\"")
	case $_r in *"temporarily unavailable"*) return 1 ;; esac
}
refuses() {
	# A full ring means the guest has not read what came before: the host
	# tries again until the deadline, as Hyper-V waits for room.
	if ! wait_for "$3" _inject "$2"; then
		if [ -n "${4:-}" ]; then
			skip "$1" "$4 read nothing more of its channel for $3 s (the host's ring to it stayed full)"
		else
			fail "$1" "the guest read nothing more of its channel for $3 s (the host's ring to it stayed full)"
		fi
		return
	fi
	if [ "$_r" != '{}' ]; then
		fail "$1" "the host could not send it: $_r"
		return
	fi
	wait_for "$3" _inject_answered
	_out=$(qom inject-result)
	case $_out in
	'"pending"') pass "$1" "dropped (no answer in $3 s)" ;;
	'"answered 0x00000000"')
		if [ -n "${5:-}" ]; then
			pass "$1" "answered with success: $5"
		elif [ -n "${4:-}" ]; then
			skip "$1" "$4 answered it with success"
		else
			fail "$1" "answered with success"
		fi ;;
	'"answered '*) pass "$1" "refused: $_out" ;;
	*) fail "$1" "unexpected result $_out" ;;
	esac
}

# daemon_active <check> <service>: hv-<service>-daemon.service is active
# within 60 s; else a FAIL and status 1.
daemon_active() {
	_unit=hv-$2-daemon.service
	wait_for 60 systemctl is-active --quiet $_unit && return 0
	fail "$1" "$_unit is $(systemctl is-active $_unit)"
	return 1
}

# True where the kernel's own hv_utils serves the integration services:
# openlis's stands in where /init loaded it (MODULES) or where the systemd
# guest has it from updates/openlis (OPENLIS_UPDATES).
intree_utils() {
	case "$MODULES" in *hv_utils=openlis*) return 1 ;; esac
	case " ${OPENLIS_UPDATES:-} " in *" hv_utils "*) return 1 ;; esac
}

# ic_device <service> <class GUID> <openlis module> <QOM id>: the service's
# device folder into d and its model into IC, and the driver bound to it:
# openlis binds each service with a module of its own, the in-tree hv_utils
# binds them all. Status 1 when the host offers no such device.
ic_device() {
	IC=/machine/peripheral/$4
	d=$(vmbus_dev_by_class "$2") || {
		fail "ic.$1.device" "no VMBus device of the $1 class (is this QEMU scripts/build-qemu.sh's?)"
		return 1
	}
	if intree_utils; then _want=hv_utils; else _want=$3; fi
	wait_for 10 test -e "$d/driver"
	expect "ic.$1.driver" "$(basename "$(readlink "$d/driver")" 2>/dev/null)" "$_want"
}

# kvp_get <check> <request> <value>: the value must come back whole.
# The in-tree hv_kvp offers upstream's daemon no room for the value (it
# copies value_size bytes, left at 0) and takes the answer 4 bytes past
# where upstream's daemon puts it (the enumerate layout): there the host
# reads an empty or clipped value, which is named, not failed.
kvp_get() {
	_got=$(ask "$2" 30)
	if [ "$_got" = "\"ok $3\"" ]; then
		pass "$1" "$_got"
	elif intree_utils && [ "$_got" != '"ok"' ] && [ "${_got#\"ok }" != "$_got" ]; then
		skip "$1" "the in-tree hv_kvp of $(uname -r) gives the host $_got for '$3' (upstream's GET)"
	else
		fail "$1" "got $_got, expected \"ok $3\""
	fi
}

# Since 6.10 the kernel's own file copy is uio_hv_generic with a UIO
# daemon, no longer an hv_utils service: true on such a kernel.
fcopy_moved_to_uio() {
	_r=$(uname -r)
	_major=${_r%%.*}
	_minor=${_r#*.}
	_minor=${_minor%%.*}
	[ "$_major" -gt 6 ] || { [ "$_major" -eq 6 ] && [ "$_minor" -ge 10 ]; }
}

# ic_negotiated <service>: the host model agreed on versions with the guest
# (status 1 when it did not within 30 s).
ic_negotiated() {
	if wait_for 30 _ic_ready; then
		pass "ic.$1.negotiate" "framework $(qom framework-version) service $(qom service-version)"
	else
		fail "ic.$1.negotiate" "host state $(qom state)"
		return 1
	fi
}
_ic_ready() { [ "$(qom state)" = '"ready"' ]; }

# The daemons' messages, byte by byte. put <file> <offset> <printf format>:
# bytes into a file; cstr <file> <offset> <max>: the NUL-terminated string
# there; u8/u32 <file> <offset>: a little-endian number there.
put() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
cstr() { dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | tr '\000' '\n' | head -n1; }
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# nic_by_mac <mac>: the name of the interface with that address, if any.
nic_by_mac() {
	for _n in /sys/class/net/*; do
		if [ "$(cat "$_n/address" 2>/dev/null)" = "$1" ]; then
			echo "${_n##*/}"
			return 0
		fi
	done
	return 1
}

# ko <module>: openlis's module file in the busybox guest; loaded <module>.
ko() { ls /lib/openlis-modules/*-"$1".ko 2>/dev/null | head -n 1; }
loaded() { [ -d "/sys/module/$1" ]; }
# reload_module <name> <ko>: the module out and the file in again; on
# failure $why says which step, for a reload scenario's cycle().
reload_module() {
	rmmod "$1" || { why="rmmod $1 failed"; return 1; }
	loaded "$1" && { why="$1 still loaded"; return 1; }
	_e=$(insmod "$2" 2>&1) || { why="insmod $1: $_e"; return 1; }
}

# A test module (tests/kmod) that logs one line a step, "<tag>: <step>
# <ok|FAIL> <result...>". testmod_lines <tag> <marker> <file>: the lines
# logged after the marker line, without the tag, into <file>.
# testmod_step <file> <tag> <step> <check>: one check from the step's line.
testmod_lines() {
	dmesg | awk -v m="$2" -v t="$1: " '
		index($0, m) { go = 1; next }
		go && (i = index($0, t)) { print substr($0, i + length(t)) }
	' >"$3"
}
testmod_step() {
	_c=$4 _t=$2
	_l=$(awk -v s="$3" '$1 == s' "$1" | tail -n1)
	set -- $_l
	case "$2" in
	ok) shift 2; pass "$_c" "${*:-$_l}" ;;
	FAIL) shift 2; fail "$_c" "${*:-$_l}" ;;
	*) fail "$_c" "no line from $_t for this step" ;;
	esac
}

# unload <module>: the modules holding it first, then itself; each one
# removed is added to $unloaded. rmmod's complaint goes to stdout.
unload() {
	for _h in /sys/module/"$1"/holders/*; do
		[ -e "$_h" ] && { unload "${_h##*/}" || return 1; }
	done
	loaded "$1" || return 0
	rmmod "$1" 2>&1 || return 1
	unloaded="${unloaded:-} $1"
}

# kernel_trouble: warning, bug and oops lines in the kernel log so far;
# no_new_trouble <check> <count before>: PASS if none came since.
kernel_trouble() {
	dmesg | grep -ciE 'warning:|bug:|call trace|oops|general protection'
}
no_new_trouble() {
	_n=$(($(kernel_trouble) - $2))
	if [ "$_n" -eq 0 ]; then
		pass "$1" "no warning or oops"
	else
		fail "$1" "$_n new warning/oops lines: $(dmesg | grep -iE 'warning:|bug:|call trace|oops' | tail -n 2 | tr '\n' '|')"
	fi
}

# Leaks over repeated cycles (the reload scenarios). leak_mark [half]
# settles the caches and records unreclaimable slab, all slab and
# MemAvailable; with "half" it records the level halfway instead.
# leak_bounded <check> <slab kB> [<MemAvailable kB>]: settles again and
# checks <check>.slab (SUnreclaim growth) and, with a second bound,
# <check>.memavail (its drop) against the mark; a leak grows with the
# cycles, so the drop over the second half is reported beside it.
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}
# Free pages held in the per-CPU lists are missing from MemAvailable
# (megabytes of them, refilled as they please): counted back in, so that
# only memory in use is measured.
avail_kb() {
	awk '$1 == "count:" {n += $2} END {printf "%d\n", n * 4}' /proc/zoneinfo |
		{ read -r _pcp; echo $(($(meminfo_kb MemAvailable) + _pcp)); }
}
leak_mark() {
	settle
	if [ "${1:-}" = half ]; then
		_leak_availh=$(avail_kb)
		cp /proc/meminfo /run/meminfo.h
		return
	fi
	_leak_slab=$(meminfo_kb SUnreclaim)
	_leak_total=$(meminfo_kb Slab)
	_leak_avail=$(avail_kb)
	_leak_availh=
	rm -f /run/meminfo.h
	cp /proc/meminfo /run/meminfo.0
}
# Every meminfo field that moved by 256 kB or more since the file $1.
_leak_moved() {
	awk 'NR == FNR {a[$1] = $2; next}
		($1 in a) && ($2 - a[$1] >= 256 || a[$1] - $2 >= 256) {
			printf " %s%+d", $1, $2 - a[$1]}' "$1" /proc/meminfo
}
leak_bounded() {
	settle
	_s1=$(meminfo_kb SUnreclaim)
	_t1=$(meminfo_kb Slab)
	_a1=$(avail_kb)
	echo "leak: SUnreclaim $_leak_slab -> $_s1 kB, Slab $_leak_total -> $_t1 kB, MemAvailable with the per-CPU free lists $_leak_avail -> $_a1 kB"
	echo "leak: meminfo moved (kB):$(_leak_moved /run/meminfo.0)"
	[ -r /run/meminfo.h ] &&
		echo "leak: meminfo moved (kB) over the second half:$(_leak_moved /run/meminfo.h)"
	_g=$((_s1 - _leak_slab))
	if [ $_g -le "$2" ]; then
		pass "$1.slab" "SUnreclaim $_leak_slab -> $_s1 kB (+$_g, bound $2), Slab $_leak_total -> $_t1 kB"
	else
		fail "$1.slab" "SUnreclaim grew $_g kB (bound $2)"
	fi
	[ -n "${3:-}" ] || return 0
	_d=$((_leak_avail - _a1))
	_h=$((${_leak_availh:-$_leak_avail} - _a1))
	if [ $_d -le "$3" ]; then
		pass "$1.memavail" "MemAvailable (with per-CPU free pages) -$_d kB (bound $3), -$_h kB in the second half"
	else
		fail "$1.memavail" "MemAvailable (with per-CPU free pages) dropped $_d kB (bound $3), $_h kB of it in the second half"
	fi
}

# reload_cycles <check> <cycles> [<what each cycle shows>]: the scenario's
# cycle function (which says why it failed in $why) once to warm up, the
# memory levels marked (leak_mark), then <cycles> more, halfway marked too;
# <check> passes if every cycle did. Status 1 if the warm-up failed.
reload_cycles() {
	why=
	if ! cycle; then
		fail "$1" "warm-up cycle: $why"
		return 1
	fi
	leak_mark
	_start=$(date +%s)
	i=0
	while [ $i -lt "$2" ]; do
		i=$((i + 1))
		cycle || break
		[ $i -eq $(($2 / 2)) ] && leak_mark half
		# a line now and then: the harness takes a silent guest for a hung one
		[ $((i % 10)) -eq 0 ] && echo "reload: $i cycles, $(($(date +%s) - _start)) s"
	done
	_secs=$(($(date +%s) - _start))
	if [ -n "$why" ]; then
		fail "$1" "cycle $i of $2: $why"
	else
		pass "$1" "$2 cycles in $_secs s${3:+, $3}"
	fi
}

# heartbeats <check> [<where>]: the heartbeat model ($IC) sees the guest
# answer 4 more heartbeats within 20 s.
heartbeats() {
	_s0=$(qom sequence)
	case "$_s0" in ''|*[!0-9]*) _s0=0 ;; esac
	if wait_for 20 _beating; then
		pass "$1" "sequence $_s0 -> $(qom sequence)${2:+ $2}"
	else
		fail "$1" "sequence $_s0 -> $(qom sequence) in 20 s${2:+ $2}, status $(qom status)"
	fi
}
_beating() {
	_s=$(qom sequence)
	case "$_s" in ''|*[!0-9]*) return 1 ;; esac
	[ "$_s" -ge $((_s0 + 4)) ]
}
