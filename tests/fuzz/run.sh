#!/bin/sh
# Build every libFuzzer target here with clang (ASan + UBSan) and run each
# for FUZZ_TIME seconds (default 20) from its seed corpus. Prints one
# closing "fuzz: N passed, N failed" line; exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
time=${FUZZ_TIME:-20}
CLANG=${CLANG:-clang}
mkdir -p "$out"

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

pass=0
fail=0
for src in "$here"/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin="$out/$name"
	corpus="$out/corpus-$name"
	mkdir -p "$corpus"
	printf '== %s: build\n' "$name"
	if ! "$CLANG" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$here/../../include" -I"$here/../unit" -o "$bin" "$src"; then
		echo "$name: build failed"
		fail=$((fail + 1))
		continue
	fi
	printf '== %s: run %ss\n' "$name" "$time"
	if (cd "$out" && "$bin" -max_total_time="$time" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=0 "$corpus" \
		>"$out/$name.log" 2>&1); then
		tail -n 2 "$out/$name.log"
		pass=$((pass + 1))
	else
		tail -n 40 "$out/$name.log"
		echo "$name: FAILED (crash input in $out)"
		fail=$((fail + 1))
	fi
done
rm -rf /tmp/fuzzkvp* /tmp/fuzzvssmi* /tmp/fuzzfcp* 2>/dev/null
echo "fuzz: $pass passed, $fail failed"
test "$fail" -eq 0
