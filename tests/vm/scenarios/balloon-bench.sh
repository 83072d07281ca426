# Benchmark, not a test: how fast the guest gives memory to the host
# (inflate), takes it back (deflate) and takes hot-added memory. Each figure
# is reported as "pass bench.<name> <number> <details>" for
# tests/bench/balloon.sh, which compares stacks.
#
# inflate: 512 MiB, timed by the host (wait-balloon: until QEMU has the
#   guest's last balloon response; 50 ms polling). Median of 3.
# deflate: 512 MiB, timed by the guest, from the request until MemTotal is
#   back: QEMU counts pages as returned when it sends the request, so the
#   host's clock says nothing about the guest. Median of 3.
# hot-add: three steps of 256 MiB (the hot-add memory device holds 1 GiB),
#   each timed by the host (QEMU counts it on the guest's answer). Median.
# inflate_1thread_mibps, inflate_nthreads_mibps: openlis only, the same
#   guest alternating inflate_threads=1 and its default, 3 pairs (median).
# inflate_guest_ms, deflate_guest_ms: the driver's own time in the guest
#   for one 512 MiB inflate or deflate (median), from ftrace's
#   function_graph tracer on its balloon work and channel callback alone:
#   the host's work and most of the emulation's spread drop out of these.
# Single samples moved by a third from run to run in the emulated host:
# every figure is a median of several.
# modules: hv_vmbus hv_balloon
# timeout: 900
# host: openlis-qemu
# cmdline: memhp_default_state=online

mib=$((1024 * 1024))
size=512
reps=5
ha_step=256

# Microseconds since the epoch, without a date that knows %N.
now_us() {
	adjtimex | awk '/tv_sec/ {s = $2} /tv_usec/ {u = $2}
		END {printf "%d%06d\n", s, u}'
}

# MemTotal in KiB into $MT, without forking (tight polling).
read_mt() {
	while read -r _k _v _u; do
		if [ "$_k" = MemTotal: ]; then
			MT=$_v
			return 0
		fi
	done </proc/meminfo
}

# Centiseconds of uptime into $UP, without forking.
read_up() {
	read -r _up _idle </proc/uptime
	UP=${_up%.*}${_up#*.}
	UP=${UP#0}
}

# Poll MemTotal until it is at least $1 KiB; false after $2 seconds.
poll_mt_ge() {
	read_up
	_end=$((UP + $2 * 100))
	while read_mt; [ "$MT" -lt "$1" ]; do
		read_up
		[ "$UP" -ge "$_end" ] && return 1
	done
	return 0
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
rate() { awk -v m="$1" -v s="$2" 'BEGIN {if (s < 0.001) s = 0.001; printf "%.1f\n", m / s}'; }

# The functions that do a driver's balloon work: openlis's request jobs
# and channel callback, the in-tree driver's balloon_up work and its
# channel callback (which unballoons inline). Only these are traced, one
# level deep: nothing they call is, so tracing costs little.
tr=/sys/kernel/tracing
traced=
[ -e $tr/available_filter_functions ] || mount -t tracefs nodev $tr 2>/dev/null
for f in hv_dm_job_run hv_dm_on_channel balloon_up balloon_onchannelcallback; do
	grep -q "^$f \[hv_balloon\]$" $tr/available_filter_functions 2>/dev/null &&
		traced="$traced $f"
done
if [ "$traced" ] && echo "$traced" >$tr/set_ftrace_filter &&
   echo function_graph >$tr/current_tracer; then
	echo 0 >$tr/tracing_on
	say "bench: tracing$traced"
else
	skip bench.guest_ms "SKIPPED: no function_graph tracing of the driver's functions ('$traced')"
	traced=
fi
trace_start() {
	[ "$traced" ] || return 0
	echo >$tr/trace
	echo 1 >$tr/tracing_on
}
# Milliseconds the traced functions ran since trace_start, summed.
trace_ms() {
	[ "$traced" ] || return 0
	echo 0 >$tr/tracing_on
	awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "us" && $i ~ /^[0-9.]+$/) {s += $i; break}}
		END {printf "%.1f\n", s / 1000}' $tr/trace
}

actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail bench.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
read_mt
total0=$MT

# Wait out QEMU's 50 s post-init quiet time with a small first target, so
# that no measurement includes it.
warm=$((actual0 - 64 * mib))
host balloon "$warm" >/dev/null
r=$(host wait-balloon "$warm" 150)
case "$r" in
ok*) ;;
*) fail bench.ready "$r (target $((warm / mib)) MiB)"; exit 0 ;;
esac
host balloon "$actual0" >/dev/null
if ! poll_mt_ge $((total0 - 1024)) 60; then
	fail bench.ready "MemTotal did not come back after the warm-up"
	exit 0
fi

target=$((actual0 - size * mib))
inflate='' deflate='' inflate_ms='' deflate_ms=''
i=0
while [ $i -lt $reps ]; do
	i=$((i + 1))
	trace_start
	host balloon "$target" >/dev/null
	r=$(host wait-balloon "$target" 120)
	case "$r" in
	ok*) set -- $r; inflate="$inflate $3" ;;
	*) fail bench.inflate "run $i: $r (target $((target / mib)) MiB)"; break ;;
	esac
	inflate_ms="$inflate_ms $(trace_ms)"

	t0=$(now_us)
	trace_start
	host balloon "$actual0" >/dev/null
	if ! poll_mt_ge $((total0 - 1024)) 120; then
		fail bench.deflate "run $i: MemTotal $((MT / 1024)) MiB, expected $((total0 / 1024))"
		break
	fi
	t1=$(now_us)
	deflate="$deflate $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e6}')"
	# The host sends the last unballoon before the guest has answered it.
	host wait-balloon "$actual0" 30 >/dev/null
	deflate_ms="$deflate_ms $(trace_ms)"
done

if [ -n "$inflate" ]; then
	s=$(echo "$inflate" | median)
	pass bench.inflate_mibps "$(rate $size "$s") MiB/s: $size MiB in median $s s of:$inflate"
fi
if [ -n "$deflate" ]; then
	s=$(echo "$deflate" | median)
	pass bench.deflate_mibps "$(rate $size "$s") MiB/s: $size MiB in median $s s of:$deflate"
fi

if [ "$traced" ] && [ -n "$inflate_ms" ]; then
	pass bench.inflate_guest_ms "$(echo "$inflate_ms" | median) ms in the driver per $size MiB inflate, median of:$inflate_ms"
fi
if [ "$traced" ] && [ -n "$deflate_ms" ]; then
	pass bench.deflate_guest_ms "$(echo "$deflate_ms" | median) ms in the driver per $size MiB deflate, median of:$deflate_ms"
fi
[ "$traced" ] && echo nop >$tr/current_tracer

# openlis's driver fills a large request with a thread per vCPU; the same
# guest, alternating, inflates with one thread and with the default, so
# that the outer VM's drift and spread fall on both alike.
param=/sys/module/hv_balloon/parameters/inflate_threads
if [ -w $param ]; then
	one='' many='' i=0
	while [ $i -lt 3 ]; do
		i=$((i + 1))
		# Which goes first changes from pair to pair.
		order="1 0"
		[ $((i % 2)) -eq 0 ] && order="0 1"
		for n in $order; do
			echo $n >$param
			host balloon "$target" >/dev/null
			r=$(host wait-balloon "$target" 120)
			case "$r" in
			ok*) set -- $r
				if [ $n = 1 ]; then one="$one $3"; else many="$many $3"; fi ;;
			*) fail bench.threads "pair $i, inflate_threads=$n: $r"; break 2 ;;
			esac
			host balloon "$actual0" >/dev/null
			if ! poll_mt_ge $((total0 - 1024)) 120 ||
			   ! host wait-balloon "$actual0" 30 >/dev/null; then
				fail bench.threads "pair $i: no deflate after inflate_threads=$n"
				break 2
			fi
		done
	done
	echo 0 >$param
	if [ $i -eq 3 ] && [ -n "$many" ] && [ "$(echo "$many" | wc -w)" -eq 3 ]; then
		a=$(echo "$one" | median) b=$(echo "$many" | median)
		pass bench.inflate_1thread_mibps "$(rate $size "$a") MiB/s: median $a s of:$one"
		pass bench.inflate_nthreads_mibps "$(rate $size "$b") MiB/s: median $b s of:$many"
	fi
fi

# Hot-add in steps: nothing is ballooned now, so each step is fresh memory.
hotadd='' up=$actual0 i=0 steps=0
while [ $i -lt 3 ]; do
	i=$((i + 1))
	up=$((up + ha_step * mib))
	host balloon "$up" >/dev/null
	r=$(host wait-balloon "$up" 120)
	case "$r" in
	ok*) set -- $r; hotadd="$hotadd $3"; steps=$i ;;
	*) fail bench.hotadd "step $i: $r (target $((up / mib)) MiB)"; break ;;
	esac
done
# A median of the steps taken would hide a step that failed.
if [ $steps -eq 3 ]; then
	s=$(echo "$hotadd" | median)
	pass bench.hotadd_s "$s s for $ha_step MiB ($(rate $ha_step "$s") MiB/s), median of:$hotadd"
fi
added=$(((up - actual0) / mib))
if poll_mt_ge $((total0 + (added - 32) * 1024)) 30; then
	pass bench.hotadd_guest "MemTotal $((total0 / 1024)) -> $((MT / 1024)) MiB"
else
	fail bench.hotadd_guest "MemTotal $((MT / 1024)) MiB, expected about $((total0 / 1024 + added))"
fi

# Back to the start: the host balloons the hot-added amount out.
host balloon "$actual0" >/dev/null
r=$(host wait-balloon "$actual0" 180)
case "$r" in
ok*) pass bench.restore "host at $((actual0 / mib)) MiB" ;;
*) fail bench.restore "$r (target $((actual0 / mib)) MiB)" ;;
esac
