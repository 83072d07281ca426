#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Network baseline: one guest with two NICs into the same peer namespace
# on the build machine (tests/vm/peer), the host's synthetic NIC under the
# in-tree hv_netvsc and virtio-net, each on a tap of its own; iperf3 TCP
# from the guest to the peer with 1 and 4 streams, the NICs alternated,
# medians of 3 (tests/vm/scenarios/netvsc-bench.sh). Prints both NICs'
# figures and the hv_netvsc/virtio-net ratio. Needs root (the taps and
# the namespace) and iperf3 on the host.
#
#   tests/bench/netvsc.sh [kernel]        (default 6.12)
set -u
kernel=${1:-6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench/netvsc-$kernel-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

python3 "$top/tests/vm/run.py" --kernel "$kernel" --stack intree \
	--scenario netvsc-bench --out "$out"
rc=$?

# The number a check reports: the first word of its detail.
figure() {
	f=$out/$kernel-intree.results
	v=$([ -r "$f" ] && awk -v c="$1" '$1 == "PASS" && $2 == c {print $3; exit}' "$f")
	echo "${v:--}"
}

echo
echo "network benchmark, kernel $kernel, iperf3 TCP Mbit/s (logs: $out)"
printf '%-10s %12s %12s %20s\n' streams hv_netvsc virtio_net hv_netvsc/virtio
for p in 1 4; do
	a=$(figure "bench.hv_netvsc_$p")
	b=$(figure "bench.virtio_net_$p")
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {
		if (a + 0 <= 0 || b + 0 <= 0) { print "-"; exit }
		printf "%.2fx\n", a / b }')
	printf '%-10s %12s %12s %20s\n' "$p" "$a" "$b" "$ratio"
done
grep -h '^FAIL\|^SKIP' "$out"/*.results 2>/dev/null | sed 's/^/  /'
exit $rc
