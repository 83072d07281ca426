#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Storage benchmark: one emulated Hyper-V guest (openlis's hv_storvsc and
# the kernel's, on the kernel's own hv_vmbus) runs the storvsc-bench
# scenario, which loads the two drivers in turn, three passes each with
# rmmod and insmod between, and measures a virtio-scsi disk on the same
# kind of backend as the ceiling; this prints the medians and the ratios
# (openlis/in-tree: above 1, openlis is better; openlis/virtio: the share
# of the ceiling reached).
#
#   tests/bench/storvsc.sh [kernel]        (default 6.12)
#
# Jobs: 4 KiB random read (rr4k) and write (rw4k) at queue depth 1 and 32
# with 1 and 4 jobs, 1 MiB sequential read (sr1m) and write (sw1m) at
# queue depth 8. Figures: IOPS, MiB/s, p50 and p99 completion latency
# (us), guest CPU time per I/O (us). See tests/vm/scenarios/storvsc-bench.sh.
set -u
kernel=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench/storvsc-$kernel-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

python3 "$top/tests/vm/run.py" --kernel "$kernel" --stack openlis-clients \
	--scenario storvsc-bench --out "$out"
rc=$?
results=$out/$kernel-openlis-clients.results

# figure <check>: the number a check reported (the first word of its detail).
figure() {
	v=$([ -r "$results" ] && awk -v c="$1" '$1 == "PASS" && $2 == c {print $3; exit}' "$results")
	echo "${v:--}"
}
# ratio <a> <b> <more|less>: b over a where more is better, else a over b.
ratio() {
	awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN {
		if (a == "-" || b == "-" || a + 0 <= 0 || b + 0 <= 0) { print "-"; exit }
		printf "%.2fx\n", k == "more" ? b / a : a / b }'
}

echo
echo "storvsc benchmark, kernel $kernel, medians of 3 (logs: $out)"
printf '%-24s %10s %10s %10s %10s %14s\n' figure in-tree openlis virtio \
	openlis/in-tree openlis/virtio
for j in rr4k_qd1_j1 rr4k_qd1_j4 rr4k_qd32_j1 rr4k_qd32_j4 \
	rw4k_qd1_j1 rw4k_qd1_j4 rw4k_qd32_j1 rw4k_qd32_j4 sr1m_qd8_j1 sw1m_qd8_j1; do
	for fk in iops:more mibps:more p50_us:less p99_us:less cpu_us:less; do
		f=${fk%%:*} k=${fk#*:}
		case "$j:$f" in
		*4k*:mibps | *1m*:iops) continue ;;
		esac
		a=$(figure "bench.$j.$f.intree")
		b=$(figure "bench.$j.$f.openlis")
		v=$(figure "bench.$j.$f.virtio")
		printf '%-24s %10s %10s %10s %10s %14s\n' "$j.$f" "$a" "$b" "$v" \
			"$(ratio "$a" "$b" "$k")" "$(ratio "$v" "$b" "$k")"
	done
done
grep -h '^FAIL' "$out"/*.results 2>/dev/null | sed 's/^/  /'
exit $rc
