# With 256 MiB ballooned, unloading hv_balloon gives the pages back to the
# guest (MemTotal returns), and loading it again binds it again.
#
# QEMU resets its hv-balloon when the guest closes the channel: the host
# forgets what was ballooned, and the reopened channel waits out the 50 s
# post-init quiet time again; so this scenario is best run last.
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu

. /etc/openlis.conf
mib=$((1024 * 1024))
step=$((256 * mib))
dm='{525074dc-8985-46e2-8057-a307dc18a502}'

case " $MODULES " in
*" hv_balloon=openlis "*) impl=openlis ;;
*) impl=in-tree ;;
esac

actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail balloon.unload.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
total0=$(meminfo_kb MemTotal)
target=$((actual0 - step))
balloon_to balloon.unload.set "$target" \
	guest balloon.unload.inflate le $((total0 - 240 * 1024)) 150 || exit 0
# The host has the pages once it has the answer.
host wait-balloon "$target" 60 >/dev/null

held=$(((total0 - $(meminfo_kb MemTotal)) / 1024))
if ! err=$(rmmod hv_balloon 2>&1); then
	if [ "$impl" = in-tree ]; then
		skip balloon.unload.rmmod "the in-tree hv_balloon has no module_exit and cannot be unloaded ($err)"
	else
		fail balloon.unload.rmmod "$err"
	fi
	# Leave things as found.
	balloon_to - "$actual0" \
		guest balloon.unload.restore ge $((total0 - 16 * 1024)) 60
	exit 0
fi
pass balloon.unload.rmmod "unloaded with $held MiB ballooned"

total1=$(meminfo_kb MemTotal)
if [ "$total1" -ge $((total0 - 16 * 1024)) ]; then
	pass balloon.unload.memtotal "MemTotal back to $((total1 / 1024)) MiB (was $((total0 / 1024)))"
else
	fail balloon.unload.memtotal "MemTotal $((total1 / 1024)) MiB after unload, was $((total0 / 1024))"
fi

# The returned pages are usable: write 200 MiB to a tmpfs and free it.
mkdir -p /mnt/unload
mount -t tmpfs -o size=208m unload /mnt/unload
if dd if=/dev/zero of=/mnt/unload/f bs=1M count=200 2>/dev/null; then
	pass balloon.unload.usable "200 MiB written after the unload"
else
	fail balloon.unload.usable "writing 200 MiB failed"
fi
rm -f /mnt/unload/f
umount /mnt/unload
if dmesg | grep -qiE 'bad page|out of memory|oom-kill'; then
	fail balloon.unload.clean "$(dmesg | grep -iE 'bad page|out of memory|oom-kill' | tail -n1)"
else
	pass balloon.unload.clean "no bad page or OOM reports"
fi

ko=$(ls /lib/openlis-modules/*-hv_balloon.ko 2>/dev/null | head -n1)
if ! err=$(insmod "$ko" 2>&1); then
	fail balloon.unload.insmod "$err"
	exit 0
fi
pass balloon.unload.insmod "$(basename "$ko")"

bound() {
	dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ]
}
probe_failed() { dmesg | grep -q 'hv_balloon.*failed with error'; }
settled() { bound || probe_failed; }
wait_for 30 settled
if bound; then
	pass balloon.unload.rebind "$(basename "$(readlink "$dev/driver")")"
else
	fail balloon.unload.rebind "no driver 30 s after insmod: $(dmesg | grep 'hv_balloon' | tail -n1)"
	exit 0
fi

# The host reset the device when its channel closed, forgetting the
# balloon; the new binding balloons again (after QEMU's 50 s quiet time).
actual1=$(host query-balloon)
pass balloon.unload.host "host sees $((actual1 / mib)) MiB after the rebind (was $((actual0 / mib)) before the inflate)"
total2=$(meminfo_kb MemTotal)
small=$((actual1 - 64 * mib))
balloon_to - "$small" host balloon.unload.again 120
balloon_to - "$actual1" \
	guest balloon.unload.restore ge $((total2 - 4 * 1024)) 60
