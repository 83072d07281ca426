#!/bin/bash
# The project's test command (make check / make quick-check). Installs what
# it needs, runs every stage, and ends with one line: N passed, N failed,
# N skipped. Stages: unit tests, the kernel build matrix, style (checkpatch,
# sparse), DKMS, and (full only) the VM scenarios on the emulated Hyper-V host.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-full}
cd "$top"
mkdir -p build
passed=0 failed=0 skipped=0
started=$(date +%s)
# CI stops a run at 90 minutes; the VM groups that would not end within
# this budget are not started, and fail: a check cut for time has not passed.
export OPENLIS_VM_DEADLINE=${OPENLIS_VM_DEADLINE:-$((started + ${OPENLIS_CHECK_BUDGET:-4800}))}
times=""

stage() {
	local name=$1
	shift
	echo
	echo "==== $name: $*"
	local t0 log line
	t0=$(date +%s)
	log="build/check-$name.log"
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "FAIL $name: the stage ended without its summary line"
		failed=$((failed + 1))
		return
	fi
	local p f s
	p=$(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	local dt=$(($(date +%s) - t0))
	echo "==== $name: $((${p} + ${f} + ${s:-0})) checks in $dt s"
	times="$times $name $dt s,"
}

echo "==== dependencies"
t0=$(date +%s)
if ! scripts/install-deps.sh; then
	echo "FAIL deps: could not install the build and test dependencies"
	echo "0 passed, 1 failed"
	exit 1
fi
times="deps $(($(date +%s) - t0)) s,"

# The daemons build at -Wall -Wextra -Werror; a build failure is one check.
daemons_build() {
	if make -C daemons clean all >build/daemons.log 2>&1; then
		echo "PASS daemons.build $(cd daemons && ls */hv_*_daemon 2>/dev/null | xargs -n1 basename | tr '\n' ' ')"
		echo "daemons: 1 passed, 0 failed"
	else
		tail -n 20 build/daemons.log
		echo "FAIL daemons.build"
		echo "daemons: 0 passed, 1 failed"
	fi
}

stage unit make -C tests/unit check
stage daemons daemons_build
stage matrix tests/build-matrix.sh
stage style tests/style.sh
stage dkms tests/dkms-test.sh
if [ "$mode" = full ]; then
	stage fuzz tests/fuzz/run.sh
	stage vm tests/vm/suite.sh
fi

echo
echo "==== $mode check: $(($(date +%s) - started)) s (${times%,})"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
