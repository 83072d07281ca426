#!/bin/bash
# Kernel style: checkpatch --strict (from the kernel's own source) on every
# kernel source file, and a sparse build (C=1) that must print nothing.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/style"
mkdir -p "$out"
passed=0 failed=0
pass() { echo "PASS style.$1 ${*:2}"; passed=$((passed + 1)); }
fail() { echo "FAIL style.$1 ${*:2}"; failed=$((failed + 1)); }

cp=$("$top/scripts/fetch-kernel-source.sh" 6.12 2>"$out/fetch.log")/scripts/checkpatch.pl
files=$(cd "$top" && git ls-files -co --exclude-standard -- \
	'vmbus/*.[ch]' 'balloon/*.[ch]' 'netvsc/*.[ch]' 'storvsc/*.[ch]' \
	'utils/*.[ch]' 'include/openlis/*.h' 'include/compat/*.h' \
	'include/compat/probes/*.c')
if [ ! -f "$cp" ]; then
	fail checkpatch "no checkpatch.pl: $(tail -n 2 "$out/fetch.log")"
elif [ -z "$files" ]; then
	fail checkpatch "no kernel source files found"
else
	# --no-tree: this is not a kernel tree; the spelling and const-structs
	# lists are passed explicitly from the fetched source.
	(cd "$top" && perl "$cp" --no-tree --strict --terse --show-types \
		--spelling="$(dirname "$cp")/spelling.txt" \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE \
		-f $files) >"$out/checkpatch.log" 2>&1
	n=$(grep -cE ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log")
	if [ "$n" -eq 0 ]; then
		pass checkpatch "--strict: $(echo "$files" | wc -l) files clean"
	else
		fail checkpatch "$n finding(s): $(grep -m3 -E ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log" | tr '\n' ' ')"
	fi
fi

for k in 6.1 6.12; do
	kd=$("$top/scripts/fetch-kernel.sh" "$k" 2>/dev/null) || { fail "sparse.$k" "no kernel"; continue; }
	src="$out/sparse-$k"
	rsync -a --delete --exclude .git --exclude build "$top/" "$src/"
	make -C "$src" KDIR="$(realpath "$kd/kdir")" C=1 modules >"$out/sparse-$k.log" 2>&1
	rc=$?
	# Only findings in openlis's own files count: the kernel's headers
	# carry a few of their own.
	n=$(grep -cE "^$src/[^ ]+:[0-9]+:[0-9]+: (warning|error):" "$out/sparse-$k.log")
	if [ $rc -eq 0 ] && [ "$n" -eq 0 ]; then
		pass "sparse.$k" "C=1 clean"
	else
		fail "sparse.$k" "status $rc, $n finding(s): $(grep -m3 -E "^$src/.*(warning|error):" "$out/sparse-$k.log" | tr '\n' ' ')"
	fi
done
echo "style: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
