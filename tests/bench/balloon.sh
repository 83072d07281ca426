#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Balloon benchmark: boots the emulated Hyper-V guest with the in-tree
# hv_balloon and with openlis's (on the kernel's own hv_vmbus), runs the
# balloon-bench scenario in each and prints both stacks' figures and the
# openlis/in-tree ratio (above 1: openlis is better).
#
#   tests/bench/balloon.sh [kernel]        (default 6.12)
#
# Figures: inflate and deflate of 512 MiB in MiB/s (median of 5), hot-add
# of 256 MiB in seconds (median of 3), and the driver's own time in the
# guest for one inflate and one deflate (ms, median of 5, from ftrace: the
# host's share left out). See tests/vm/scenarios/balloon-bench.sh.
set -u
kernel=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench/balloon-$kernel-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

# The guests' memory is not locked here (run.py locks it for the balloon
# scenarios): locked, QEMU fails to discard what the guest gives up and
# does no work per range, where Hyper-V's host does; a guest lost to that
# runs again in a new outer VM.
OPENLIS_GUEST_MEM_LOCK=0 python3 "$top/tests/vm/run.py" --kernel "$kernel" \
	--stack intree,openlis-clients --scenario balloon-bench --out "$out"
rc=$?

# The number a check reports: the first word of its detail. A guest lost
# after it reported a figure (its outer VM died later, say) still measured
# it: that attempt's log has it, and the table says so.
figure() {
	f=$out/$kernel-$1.results
	v=$([ -r "$f" ] && awk -v c="$2" '$1 == "PASS" && $2 == c {print $3; exit}' "$f")
	if [ -z "$v" ]; then
		for log in "$out/$kernel-$1".host.log.attempt*; do
			[ -r "$log" ] || continue
			w=$(awk -v c="$2" '{for (i = 1; i + 3 <= NF; i++)
				if ($i == "@@CHECK" && $(i + 1) == "PASS" && $(i + 2) == c) {print $(i + 3); exit}}' "$log")
			[ "$w" ] && v="$w*"
		done
	fi
	echo "${v:--}"
}

echo
echo "balloon benchmark, kernel $kernel (logs: $out)"
printf '%-22s %12s %12s %16s\n' figure in-tree openlis openlis/in-tree
for m in inflate_mibps:rate deflate_mibps:rate hotadd_s:time \
	inflate_guest_ms:time deflate_guest_ms:time; do
	name=${m%%:*} kind=${m#*:}
	a=$(figure intree "bench.$name")
	b=$(figure openlis-clients "bench.$name")
	ratio=$(awk -v a="${a%\*}" -v b="${b%\*}" -v k="$kind" 'BEGIN {
		if (a == "-" || b == "-" || a + 0 <= 0 || b + 0 <= 0) { print "-"; exit }
		# For a time, less is better: report the speed-up.
		printf "%.2fx\n", k == "rate" ? b / a : a / b }')
	printf '%-22s %12s %12s %16s\n' "$name" "$a" "$b" "$ratio"
done
# openlis alone, one guest: its inflate on one thread and on its default.
a=$(figure openlis-clients bench.inflate_1thread_mibps)
b=$(figure openlis-clients bench.inflate_nthreads_mibps)
printf '%-22s %12s %12s %16s\n' inflate_1thread_mibps - "$a" -
printf '%-22s %12s %12s %16s\n' inflate_nthreads_mibps - "$b" \
	"$(awk -v a="${a%\*}" -v b="${b%\*}" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.2fx of 1 thread\n", b / a; else print "-" }')"
case "$(figure intree bench.inflate_mibps) $(figure openlis-clients bench.inflate_mibps)" in
*\**) echo "* reported by an attempt whose guest was lost later (see the SKIP ... retried lines)" ;;
esac
grep -h '^FAIL' "$out"/*.results 2>/dev/null | sed 's/^/  /'
exit $rc
