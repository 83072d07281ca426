#!/bin/bash
# The VM scenarios of make check, each on the in-tree stack (the reference)
# and on openlis's: Debian 6.12 and 6.1 with the connection and a balloon
# resize, the two mixed stacks (openlis's core under the kernel's clients and
# the reverse), and the integration services on the QEMU with openlis's host
# models. OPENLIS_VM_SUITE=extended runs the longer balloon scenarios
# (hot-add, floor, cycles, unload) instead. Closing line: vm: N passed,
# N failed, N skipped.
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

if [ "${OPENLIS_VM_SUITE:-full}" = extended ]; then
	# Passes on the in-tree stack; not yet seen through on openlis's in
	# the nested route. balloon-unload last: QEMU forgets the balloon then.
	group extended --kernel 6.12 --stack intree,openlis \
		--scenario balloon-hotadd,balloon-floor,balloon-cycles,balloon-unload
else
	group 6.12 --kernel 6.12 --stack intree,openlis \
		--scenario vmbus-connect,balloon-bind,balloon-resize
	group 6.1 --kernel 6.1 --stack intree,openlis \
		--scenario vmbus-connect,balloon-bind,balloon-resize
	group mixed --kernel 6.12 --stack openlis-core,openlis-clients \
		--scenario vmbus-connect,balloon-resize
	# ic-shutdown last: it powers the guest off.
	group ic --kernel 6.12 --stack intree,openlis \
		--scenario ic-heartbeat,ic-timesync,ic-shutdown
fi
echo "vm: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
