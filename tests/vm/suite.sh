#!/bin/bash
# The VM scenarios of make check, each on the in-tree stack (the reference)
# and on openlis's: Debian 6.12 with the whole balloon set, Debian 6.1 with
# the connection and a resize, the two mixed stacks (openlis's core under the
# kernel's clients and the reverse) on 6.12, and the integration services on
# the QEMU with openlis's host models. Closing line: vm: N passed, N failed,
# N skipped. OPENLIS_VM_SUITE=short keeps to the first group.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../build/vm/suite-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

p=0 f=0 s=0
group() {
	local name=$1
	shift
	echo "=== vm group $name: $*"
	"$here/run.py" --out "$out/$name" "$@" | tee "$out/$name.log"
	local line
	line=$(grep -E '^vm: [0-9]+ passed' "$out/$name.log" | tail -n1)
	if [ -z "$line" ]; then
		echo "FAIL [$name] the group ended without its summary line"
		f=$((f + 1))
		return
	fi
	set -- $(echo "$line" | sed -E 's/vm: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
	p=$((p + $1)) f=$((f + $2)) s=$((s + $3))
}

# balloon-unload last: closing the channel makes QEMU forget the balloon.
group 6.12 --kernel 6.12 --stack intree,openlis \
	--scenario vmbus-connect,balloon-bind,balloon-resize,balloon-hotadd,balloon-floor,balloon-cycles,balloon-unload
if [ "${OPENLIS_VM_SUITE:-full}" = full ]; then
	group 6.1 --kernel 6.1 --stack intree,openlis \
		--scenario vmbus-connect,balloon-bind,balloon-resize,balloon-hotadd
	group mixed --kernel 6.12 --stack openlis-core,openlis-clients \
		--scenario vmbus-connect,balloon-bind,balloon-resize
	# ic-shutdown last: it powers the guest off.
	group ic --kernel 6.12 --stack intree,openlis \
		--scenario ic-heartbeat,ic-timesync,ic-shutdown
fi
echo "vm: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
