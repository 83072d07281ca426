# openlis's hv_vmbus.max_version caps the VMBus version it asks the host
# for: loaded again with max_version=3.0 it connects at 3.0 (Windows 8.1,
# the interrupt-page protocol) and the balloon device still binds; then the
# modules are loaded again as they were. Skipped on the in-tree core: its
# max_version (a raw number) cannot be tried, as its hv_balloon, once
# bound, cannot be unloaded and so holds the core.
# modules: hv_vmbus hv_balloon
# timeout: 120

case " $MODULES " in
*" hv_vmbus=openlis "*) ;;
*)
	skip vmbus.maxver "the in-tree hv_balloon cannot be unloaded, so its core cannot be loaded again with max_version"
	exit 0 ;;
esac

dm={525074dc-8985-46e2-8057-a307dc18a502}
bound() { dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ]; }

# The version of the latest "VMBus version M.m" line: each load logs one.
version() {
	dmesg | sed -n 's/.*VMBus version \([0-9]*\.[0-9]*\).*/\1/p' | tail -n 1
}

unloaded=

# reload [params...]: hv_vmbus with the params, then what depended on it.
reload() {
	unloaded=
	unload hv_vmbus || { echo "cannot unload hv_vmbus"; return 1; }
	insmod "$(ko hv_vmbus)" "$@" || { echo "insmod hv_vmbus $* failed"; return 1; }
	for f in /lib/openlis-modules/*.ko; do
		m=${f##*/}
		m=$(echo "${m%.ko}" | sed 's/^[0-9]*-//' | tr - _)
		case " $unloaded " in
		*" $m "*) [ "$m" = hv_vmbus ] || loaded "$m" || insmod "$f" ;;
		esac
	done
	return 0
}

if ! err=$(reload max_version=3.0); then
	fail vmbus.maxver "$err"
else
	expect vmbus.maxver.param \
		"$(cat /sys/module/hv_vmbus/parameters/max_version 2>/dev/null)" 3.0
	expect vmbus.maxver "$(version)" 3.0
	if wait_for 20 bound; then
		pass vmbus.maxver.bound "$(basename "$(readlink "$dev/driver")") at 3.0"
	else
		fail vmbus.maxver.bound "the balloon device did not bind at 3.0"
	fi
fi

# Back to the default.
if ! err=$(reload); then
	fail vmbus.maxver.restore "$err"
else
	expect vmbus.maxver.restore "$(version)" "$EXPECT_VMBUS_VERSION"
	wait_for 20 bound || fail vmbus.maxver.rebound "the balloon device did not bind again"
fi
