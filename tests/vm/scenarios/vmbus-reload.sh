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
trouble0=$(kernel_trouble)

reload_cycles vmbus.reload $cycles || exit 0

leak_bounded vmbus.reload "$slab_bound_kb" "$avail_bound_kb"
no_new_trouble vmbus.reload.clean "$trouble0"

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
