#!/bin/bash
# The VM scenarios of make check: every scenario on Debian 6.1 and 6.12, on
# the in-tree stack (the reference), the openlis stack, and the two mixed
# stacks (openlis core under in-tree clients, openlis clients on the in-tree
# core) on 6.12. Its closing line: vm: N passed, N failed, N skipped.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

scenarios=vmbus-connect,balloon-bind,balloon-resize
out="$here/../../build/vm/suite-$(date +%Y%m%d-%H%M%S)"

# One outer-VM boot per kernel keeps each within the harness's budget and
# lets a failure in one leave the other's results readable.
"$here/run.py" --out "$out/6.1" --kernel 6.1 --stack intree,openlis \
	--scenario "$scenarios" | tee "$out.6.1.log"
"$here/run.py" --out "$out/6.12" --kernel 6.12 \
	--stack intree,openlis,openlis-core,openlis-clients \
	--scenario "$scenarios" | tee "$out.6.12.log"

p=0 f=0 s=0
for l in "$out.6.1.log" "$out.6.12.log"; do
	line=$(grep -E '^vm: [0-9]+ passed' "$l" | tail -n1)
	if [ -z "$line" ]; then
		f=$((f + 1))
		continue
	fi
	set -- $(echo "$line" | sed -E 's/vm: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
	p=$((p + $1)) f=$((f + $2)) s=$((s + $3))
done
echo "vm: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
