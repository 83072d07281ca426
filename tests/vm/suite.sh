#!/bin/bash
# The VM scenarios of make check, each on the in-tree stack (the reference)
# and on openlis's: on Debian 6.12 and 6.1 the connection and the balloon
# binding with openlis's whole stack, a balloon resize with openlis's
# hv_balloon on the kernel's core, and the integration services on the QEMU
# with openlis's host models. OPENLIS_VM_SUITE=extended runs what is not yet
# reliable: openlis's core under a balloon inflate, and the longer balloon
# scenarios (hot-add, floor, cycles, unload). Closing line: vm: N passed,
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
	# Known open problem (issue 3): with openlis's hv_vmbus, a balloon
	# inflate intermittently loses the guest in the nested route, which
	# the in-tree stack in the same outer VM does not. Kept out of make
	# check until fixed; run here to reproduce.
	group core-inflate --kernel 6.12,6.1 --stack openlis-core,openlis \
		--scenario balloon-resize
	# Passes on the in-tree stack; not yet seen through on openlis's.
	# balloon-unload last: QEMU forgets the balloon then.
	group extended --kernel 6.12 --stack intree,openlis-clients \
		--scenario balloon-hotadd,balloon-floor,balloon-cycles,balloon-unload
else
	group core --kernel 6.12,6.1 --stack intree,openlis \
		--scenario vmbus-connect,balloon-bind
	group resize --kernel 6.12,6.1 --stack intree,openlis-clients \
		--scenario balloon-resize
	# ic-shutdown last: it powers the guest off.
	group ic --kernel 6.12 --stack intree,openlis \
		--scenario ic-heartbeat,ic-timesync,ic-shutdown
fi
echo "vm: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
