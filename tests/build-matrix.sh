#!/bin/bash
# Build openlis for every kernel of the matrix (scripts/kernels.conf) with
# W=1, each in its own copy of the tree; any compiler warning fails. Where
# hv_vmbus is built, its exports must match the kernel's names and CRCs.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/matrix"
mkdir -p "$out"
passed=0 failed=0
pass() { echo "PASS matrix.$1 ${*:2}"; passed=$((passed + 1)); }
fail() { echo "FAIL matrix.$1 ${*:2}"; failed=$((failed + 1)); }

for k in $(awk '!/^#/ && NF {print $1}' "$top/scripts/kernels.conf"); do
	kd=$("$top/scripts/fetch-kernel.sh" "$k" 2>"$out/fetch-$k.log") || {
		fail "$k.fetch" "$(tail -n 2 "$out/fetch-$k.log")"
		continue
	}
	kdir=$(realpath "$kd/kdir")
	src="$out/$k"
	rsync -a --delete --exclude .git --exclude build "$top/" "$src/"
	log="$out/build-$k.log"
	if ! make -C "$src" KDIR="$kdir" W=1 modules >"$log" 2>&1; then
		fail "$k.build" "make failed: $(grep -m3 -E 'error|Error' "$log" | tr '\n' ' ')"
		continue
	fi
	warnings=$(grep -cE 'warning:' "$log")
	kos=$(cd "$src" && find . -name '*.ko' | sed 's|.*/||' | sort | tr '\n' ' ')
	if [ "$warnings" -ne 0 ]; then
		fail "$k.build" "$warnings warning(s): $(grep -m3 'warning:' "$log" | tr '\n' ' ')"
	elif [ -z "$kos" ]; then
		fail "$k.build" "no module built"
	else
		pass "$k.build" "W=1 clean: $kos"
	fi
	grep -m1 'openlis: NOTE' "$log" | sed 's/^/      /'
	if [ -f "$src/vmbus/hv_vmbus.ko" ]; then
		if r=$("$top/scripts/check-symvers.sh" "$kdir" "$src/Module.symvers" 2>&1); then
			pass "$k.symvers" "$(echo "$r" | tail -n1)"
		else
			fail "$k.symvers" "$(echo "$r" | grep -v '^skipped' | head -n 5 | tr '\n' ' ')"
		fi
	fi
done
echo "matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
