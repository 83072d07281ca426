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

# The vmbus device folder whose class_id is $1 (braced GUID), if any.
vmbus_dev_by_class() {
	for d in /sys/bus/vmbus/devices/*; do
		[ "$(cat "$d/class_id" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }
	done
	return 1
}
