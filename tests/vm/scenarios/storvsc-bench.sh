# Benchmark, not a test: the in-tree hv_storvsc against openlis's in one
# guest, on the kernel's VMBus core, with virtio-scsi beside them on the
# same kind of backend as the ceiling. Three passes; in each, the in-tree
# driver is loaded and measured, then openlis's (rmmod and insmod between),
# then the virtio disk. Each fio job runs for $runtime s on a null-co disk
# (writes dropped, reads of zeroes: the transport is what is timed):
#   4 KiB random read and write at queue depth 1 and 32, with 1 and 4 jobs;
#   1 MiB sequential read and write at queue depth 8.
# Per job and driver the medians of the three passes are reported as
# "pass bench.<job>.<figure>.<driver> <number>" for tests/bench/storvsc.sh:
# iops, mibps, p50_us and p99_us (completion latency), and cpu_us (guest CPU
# time per I/O, all CPUs' busy time from /proc/stat over the I/Os done).
# modules: hv_vmbus sd_mod hv_storvsc virtio_scsi
# alt: hv_storvsc
# tools: fio
# qemu: -drive driver=null-co,size=4G,read-zeroes=on,if=none,id=bnhv
# qemu: -drive driver=null-co,size=4G,read-zeroes=on,if=none,id=bnvio
# qemu: -device hv-scsi,id=bnhs,channels=4
# qemu: -device scsi-hd,bus=bnhs.0,drive=bnhv,channel=0,scsi-id=0,lun=0,serial=bench-hv
# qemu: -device virtio-scsi-pci,id=bnvs
# qemu: -device scsi-hd,bus=bnvs.0,drive=bnvio,serial=bench-virtio
# timeout: 2400

IC=/machine/peripheral/bnhs
runtime=5
passes=3
jobs="rr4k_qd1_j1 rr4k_qd1_j4 rr4k_qd32_j1 rr4k_qd32_j4
rw4k_qd1_j1 rw4k_qd1_j4 rw4k_qd32_j1 rw4k_qd32_j4 sr1m_qd8_j1 sw1m_qd8_j1"
chans=$(nproc)
[ "$chans" -gt 4 ] && chans=4
res=/tmp/bench
mkdir -p $res

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
serial_of() { tail -c +5 "/sys/block/$1/device/vpd_pg80" 2>/dev/null | tr -d '\0 '; }
# disk_with <serial>: the block device whose VPD serial it is, into $disk.
disk_with() {
	for b in /sys/block/sd*; do
		[ "$(serial_of "${b##*/}")" = "$1" ] && { disk=${b##*/}; return 0; }
	done
	return 1
}
all_open() { [ "$(qom open-channels)" = "$chans" ]; }
# busy: jiffies all CPUs spent on anything but idle, iowait and steal.
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

# run_job <job> <device> <driver> <pass>: one fio job; its figures go to
# $res/<job>.<driver> as "iops mibps p50 p99 cpu_us".
run_job() {
	set -- "$@" ${1%%_*}
	case $5 in
	rr4k) rw=randread bs=4k ;;
	rw4k) rw=randwrite bs=4k ;;
	sr1m) rw=read bs=1M ;;
	sw1m) rw=write bs=1M ;;
	esac
	qd=${1#*_qd} qd=${qd%%_*}
	nj=${1##*_j}
	b0=$(busy)
	fio --name="$1" --filename="/dev/$2" --ioengine=libaio --direct=1 \
		--rw=$rw --bs=$bs --iodepth="$qd" --numjobs="$nj" --group_reporting \
		--time_based --runtime=$runtime --percentile_list=50:99 \
		--output-format=terse --terse-version=3 >/tmp/fio.out 2>/tmp/fio.err
	rc=$?
	b1=$(busy)
	# terse v3: read from field 6, write from field 47 (io KiB, KiB/s,
	# IOPS, ..., 20 completion percentiles "50.000000%=usec", ...)
	case $rw in
	*read) o=6 ;;
	*) o=47 ;;
	esac
	line=$(awk -F';' -v o=$o -v bs=$bs -v cpu=$((b1 - b0)) -v hz=100 '{
		kb = $o; bw = $(o + 1); iops = $(o + 2)
		split($(o + 12), p50, "="); split($(o + 13), p99, "=")
		bskb = bs == "1M" ? 1024 : 4
		ios = kb / bskb
		if (ios < 1) { print "none"; exit }
		printf "%d %.1f %d %d %.1f\n", iops, bw / 1024, p50[2], p99[2],
			cpu * 1e6 / hz / ios
	}' /tmp/fio.out)
	if [ "$rc" -ne 0 ] || [ -z "$line" ] || [ "$line" = none ]; then
		fail "bench.$1.$3.pass$4" "fio rc $rc: $(tail -c 300 /tmp/fio.err)"
		return 1
	fi
	echo "$line" >>"$res/$1.$3"
	echo "bench: pass $4 $3 $1: iops mibps p50 p99 cpu_us = $line"
}

# load <ko>: hv_storvsc from that file, its disk found and its channels open.
load() {
	rmmod hv_storvsc 2>/dev/null
	loaded hv_storvsc && { echo "hv_storvsc still loaded"; return 1; }
	_e=$(insmod "$1" 2>&1) || { echo "insmod $1: $_e"; return 1; }
	wait_for 60 disk_with bench-hv || { echo "no bench-hv disk after insmod $1"; return 1; }
	wait_for 30 all_open || { echo "$(qom open-channels) of $chans channels open"; return 1; }
}

ours=$(ko hv_storvsc)
theirs=/lib/openlis-alt/hv_storvsc.ko
if [ -z "$ours" ] || [ ! -e "$theirs" ]; then
	fail bench.setup "no openlis ($ours) or in-tree ($theirs) hv_storvsc.ko"
	return 0
fi
if ! wait_for 60 disk_with bench-virtio; then
	fail bench.setup "no virtio-scsi disk: $(ls /sys/block)"
	return 0
fi
vdisk=$disk

p=1
while [ $p -le $passes ]; do
	for drv in intree openlis virtio; do
		if [ $drv != virtio ]; then
			f=$ours
			[ $drv = intree ] && f=$theirs
			if ! why=$(load "$f"); then
				fail bench.load.$drv "pass $p: $why"
				return 0
			fi
			# openlis's module carries its version, the kernel's none
			is=intree
			[ -e /sys/module/hv_storvsc/version ] && is=openlis
			if [ $is != $drv ]; then
				fail bench.load.$drv "pass $p: $f is $is's hv_storvsc"
				return 0
			fi
		fi
		if [ $drv = virtio ]; then
			dev=$vdisk
		else
			disk_with bench-hv
			dev=$disk
		fi
		for j in $jobs; do
			run_job $j $dev $drv $p
		done
	done
	p=$((p + 1))
done

for j in $jobs; do
	for drv in intree openlis virtio; do
		f=$res/$j.$drv
		[ -s "$f" ] || continue
		n=1
		for fig in iops mibps p50_us p99_us cpu_us; do
			pass "bench.$j.$fig.$drv" "$(awk -v n=$n '{ print $n }' "$f" | median) ($(wc -l <"$f") passes)"
			n=$((n + 1))
		done
	done
done
