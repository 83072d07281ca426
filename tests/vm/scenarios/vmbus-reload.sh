# hv_vmbus and hv_balloon unload and load again 50 times with the balloon
# device bound: every load reconnects (INITIATE_CONTACT after the previous
# UNLOAD), every unload frees what the load took. Checked: each step works,
# unreclaimable slab and MemAvailable stay within small bounds of their
# level after a first warm-up cycle, the kernel logs no warning or oops, and
# the balloon is bound again at the end. Modules that depend on hv_vmbus are
# unloaded first and loaded again at the end.
# modules: hv_vmbus hv_balloon
# timeout: 400

cycles=50
slab_bound_kb=512	# SUnreclaim growth allowed over the cycles
avail_bound_kb=4096	# MemAvailable drop allowed over the cycles
dm={525074dc-8985-46e2-8057-a307dc18a502}


# unload <module>: its holders first; records what went in $unloaded.
unloaded=

bound() {
	dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ]
}

trouble() {
	dmesg | grep -ciE 'warning:|bug:|call trace|oops|general protection|refcount_t|use-after-free'
}

settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# Free pages held in the per-CPU lists are missing from MemFree and
# MemAvailable (megabytes of them, refilled as they please): counted back
# in, so that only memory in use is measured.
avail_kb() {
	awk '$1 == "count:" {n += $2} END {printf "%d\n", n * 4}' /proc/zoneinfo |
		{ read -r pcp; echo $(($(meminfo_kb MemAvailable) + pcp)); }
}

# One cycle: both out, both in, the device bound again.
cycle() {
	rmmod hv_balloon || { why="rmmod hv_balloon failed"; return 1; }
	rmmod hv_vmbus || { why="rmmod hv_vmbus failed"; return 1; }
	loaded hv_vmbus && { why="hv_vmbus still loaded"; return 1; }
	_e=$(insmod "$vmbus_ko" 2>&1) || { why="insmod hv_vmbus: $_e"; return 1; }
	_e=$(insmod "$balloon_ko" 2>&1) || { why="insmod hv_balloon: $_e"; return 1; }
	wait_for 20 bound || { why="balloon device not bound"; return 1; }
}

case "$MODULES" in
*hv_balloon=in-tree*)
	# The in-tree driver has no module exit: it cannot be removed at all.
	skip vmbus.reload "the in-tree hv_balloon cannot be unloaded; runs with openlis's hv_balloon"
	exit 0 ;;
esac
vmbus_ko=$(ko hv_vmbus)
balloon_ko=$(ko hv_balloon)
if [ -z "$vmbus_ko" ] || [ -z "$balloon_ko" ]; then
	fail vmbus.reload "module files missing: '$vmbus_ko' '$balloon_ko'"
	exit 0
fi
if ! wait_for 30 bound; then
	fail vmbus.reload "the balloon device is not bound to start with"
	exit 0
fi

# Everything that holds hv_vmbus goes first, except the balloon driver.
for h in /sys/module/hv_vmbus/holders/*; do
	[ -e "$h" ] || continue
	[ "${h##*/}" = hv_balloon ] && continue
	unload "${h##*/}" || { fail vmbus.reload "cannot unload ${h##*/}"; exit 0; }
done
others=$unloaded
trouble0=$(trouble)

why=
if ! cycle; then
	fail vmbus.reload "warm-up cycle: $why"
	exit 0
fi
settle
slab0=$(meminfo_kb SUnreclaim)
total0=$(meminfo_kb Slab)
avail0=$(avail_kb)
cp /proc/meminfo /run/meminfo.0
start=$(date +%s)

i=0
while [ $i -lt $cycles ]; do
	i=$((i + 1))
	cycle || break
	if [ $i -eq $((cycles / 2)) ]; then
		settle
		availh=$(avail_kb)
		cp /proc/meminfo /run/meminfo.h
	fi
done
secs=$(($(date +%s) - start))
if [ -n "$why" ]; then
	fail vmbus.reload "cycle $i of $cycles: $why"
else
	pass vmbus.reload "$cycles cycles in $secs s"
fi

settle
slab1=$(meminfo_kb SUnreclaim)
total1=$(meminfo_kb Slab)
avail1=$(avail_kb)
echo "reload: SUnreclaim $slab0 -> $slab1 kB, Slab $total0 -> $total1 kB, MemAvailable with the per-CPU free lists $avail0 -> $avail1 kB"
grow=$((slab1 - slab0))
if [ $grow -le $slab_bound_kb ]; then
	pass vmbus.reload.slab "SUnreclaim +$grow kB (bound $slab_bound_kb), Slab $total0 -> $total1 kB"
else
	fail vmbus.reload.slab "SUnreclaim grew $grow kB over $i cycles (bound $slab_bound_kb)"
fi
# Where memory went: every field that moved by 256 kB or more.
moved() {
	awk 'NR == FNR {a[$1] = $2; next}
		($1 in a) && ($2 - a[$1] >= 256 || a[$1] - $2 >= 256) {
			printf " %s%+d", $1, $2 - a[$1]}' "$1" /proc/meminfo
}
echo "reload: meminfo moved (kB) over the cycles:$(moved /run/meminfo.0)"
[ -r /run/meminfo.h ] &&
	echo "reload: meminfo moved (kB) over the second half:$(moved /run/meminfo.h)"
drop=$((avail0 - avail1))
# A leak grows with the cycles; what the first loads set up once (and the
# kernel keeps) does not: the second half must lose no more than its share.
half=$(( ${availh:-$avail0} - avail1 ))
if [ $drop -le $avail_bound_kb ]; then
	pass vmbus.reload.memavail "MemAvailable (with per-CPU free pages) -$drop kB (bound $avail_bound_kb), -$half kB in the second half"
else
	fail vmbus.reload.memavail "MemAvailable (with per-CPU free pages) dropped $drop kB over $i cycles (bound $avail_bound_kb), $half kB of it in the second half"
fi

n=$(($(trouble) - trouble0))
if [ $n -eq 0 ]; then
	pass vmbus.reload.clean "no kernel warnings"
else
	fail vmbus.reload.clean "$n new warning/oops lines: $(dmesg | grep -iE 'warning:|bug:|call trace|oops' | tail -n 2 | tr '\n' '|')"
fi

# Put back what depended on hv_vmbus, in load order.
loaded hv_vmbus || insmod "$vmbus_ko"
loaded hv_balloon || insmod "$balloon_ko"
for f in /lib/openlis-modules/*.ko; do
	m=${f##*/}
	m=${m%.ko}
	m=$(echo "${m#*-}" | tr - _)
	case " $others " in
	*" $m "*) loaded "$m" || insmod "$f" || fail vmbus.reload.restore "insmod $m" ;;
	esac
done
if wait_for 20 bound; then
	pass vmbus.reload.bound "$(basename "$(readlink "$dev/driver")")"
else
	fail vmbus.reload.bound "the balloon device is not bound after the cycles"
fi
