#!/bin/bash
# Kernel style: checkpatch --strict (from the kernel's own source) on every
# kernel source file, the compat rule (each probe read in include/compat and
# no version test elsewhere), the paths README.md's layout tables name, and
# a sparse build (C=1) that must print nothing.
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
	'utils/*.[ch]' 'lib/*.[ch]' 'include/openlis/*.h' 'include/compat/*.h' \
	'include/compat/probes/*.c' 'tests/kmod/*.c')
if [ ! -f "$cp" ]; then
	fail checkpatch "no checkpatch.pl: $(tail -n 2 "$out/fetch.log")"
elif [ -z "$files" ]; then
	fail checkpatch "no kernel source files found"
else
	# --no-tree: this is not a kernel tree; checkpatch then takes its
	# spelling and const-structs lists from its own folder.
	(cd "$top" && perl "$cp" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE \
		-f $files) >"$out/checkpatch.log" 2>&1
	# A checkpatch that did not run (an unknown option, a missing list)
	# must not read as a clean tree: it checks a known-bad file first.
	printf '%s\n' '// SPDX-License-Identifier: GPL-2.0' \
		'int canary(int x){if(x) return 1; return 0;}' >"$out/canary.c"
	canary=$(perl "$cp" --no-tree --strict --terse -f "$out/canary.c" 2>&1 |
		grep -cE ': (ERROR|WARNING|CHECK):')
	# Deliberate findings: tests/style-exceptions, by file and type.
	grep -E ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log" |
		while IFS= read -r line; do
			f=${line%%:*}
			t=$(echo "$line" | sed -nE 's/.*: (ERROR|WARNING|CHECK):([A-Z_0-9]+):.*/\2/p')
			grep -qE "^$f $t " "$top/tests/style-exceptions" || echo "$line"
		done >"$out/checkpatch.findings"
	n=$(wc -l <"$out/checkpatch.findings")
	if [ "$canary" -eq 0 ]; then
		fail checkpatch "checkpatch did not flag a known-bad file: $(head -n 2 "$out/checkpatch.log" | tr '\n' ' ')"
	elif [ "$n" -eq 0 ]; then
		pass checkpatch "--strict: $(echo "$files" | wc -l) files clean ($(grep -vc '^#' "$top/tests/style-exceptions") listed exceptions)"
	else
		fail checkpatch "$n finding(s): $(head -n 3 "$out/checkpatch.findings" | tr '\n' ' ')"
	fi
fi

# Kernel differences: one probe per feature, read only in include/compat,
# so a driver file never carries a version test of its own.
# One shim per feature too: a probe tested in two headers is two aliases
# for one kernel difference.
unused= twice=
for f in "$top"/include/compat/probes/*.c; do
	m=OPENLIS_HAVE_$(basename "$f" .c | tr 'a-z-' 'A-Z_')
	n=$(grep -lw "$m" "$top"/include/compat/*.h | wc -l)
	[ "$n" -eq 0 ] && unused="$unused $m"
	[ "$n" -gt 1 ] && twice="$twice $m"
done
stray=$(cd "$top" && echo "$files" | grep -v '^include/compat/' |
	xargs grep -nE 'OPENLIS_HAVE_|LINUX_VERSION_CODE|KERNEL_VERSION\(' | head -n 3)
if [ -n "$unused" ]; then
	fail compat "probes that include/compat never reads:$unused"
elif [ -n "$twice" ]; then
	fail compat "probes read in more than one include/compat header:$twice"
elif [ -n "$stray" ]; then
	fail compat "a kernel-version test outside include/compat: $(echo "$stray" | tr '\n' ' ')"
else
	pass compat "$(ls "$top"/include/compat/probes/*.c | wc -l) probes, each read in one include/compat header, none outside it"
fi

# README.md's layout tables are where a newcomer looks up a message's
# header, checks and tests: each path they name (a glob must match) exists.
listed=0 missing=
while IFS= read -r p; do
	listed=$((listed + 1))
	(cd "$top" && compgen -G "$p" >/dev/null) || missing="$missing $p"
done < <(awk '/^## Layout/ { f = 1; next } /^## / { f = 0 } f && /^\|/' "$top/README.md" |
	grep -o '`[^`]*/[^`]*`' | tr -d '`' | sort -u)
if [ "$listed" -eq 0 ]; then
	fail layout "README.md's layout section lists no paths"
elif [ -n "$missing" ]; then
	fail layout "README.md's layout section names missing paths:$missing"
else
	pass layout "$listed paths in README.md's layout tables, all present"
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
