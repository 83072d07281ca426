# The VMBus core's sysfs files match the in-tree core's: every file under
# each device folder (and the bus's own files), with its value where the
# value does not depend on the instance, on timing or on counters.
#
# The listing, one line per file, sorted:
#   <class_id>/<path> = <value>
# with channels/<relid> written as channels/<relid> literally, symlinks as
# "-> <target name>", folders as "<dir>", values of several lines joined by
# ";", values that vary as "<varies>", and files that cannot be read as
# "<write-only>" (no read permission) or "<error>" (reading failed). Bus
# files are listed as "bus/<name>". The same lines go to the host, which
# compares them with the in-tree stack's (a .diff file in the output folder
# when they differ).
# modules: hv_vmbus hv_balloon
# timeout: 90

dm={525074dc-8985-46e2-8057-a307dc18a502}
bound() {
	dev=$(vmbus_dev_by_class "$dm") && [ -e "$dev/driver" ] &&
		[ "$(cat "$dev/state" 2>/dev/null)" = 3 ]
}
# The listing is most telling with the balloon's channel open.
wait_for 30 bound || echo "note: the Dynamic Memory device is not bound and open"

# Files whose value is instance-specific, timing- or counter-dependent.
varies() {
	case "$1" in
	device_id | id | channel_vp_mapping | \
	server_monitor_pending | client_monitor_pending | \
	server_monitor_latency | client_monitor_latency | \
	out_intr_mask | out_read_index | out_write_index | \
	out_read_bytes_avail | out_write_bytes_avail | \
	in_intr_mask | in_read_index | in_write_index | \
	in_read_bytes_avail | in_write_bytes_avail | \
	power/runtime_active_time | power/runtime_suspended_time | \
	channels/\<relid\>/cpu | channels/\<relid\>/in_mask | \
	channels/\<relid\>/out_mask | channels/\<relid\>/read_avail | \
	channels/\<relid\>/write_avail | channels/\<relid\>/pending | \
	channels/\<relid\>/latency | channels/\<relid\>/interrupts | \
	channels/\<relid\>/events | channels/\<relid\>/intr_in_full | \
	channels/\<relid\>/intr_out_empty | channels/\<relid\>/out_full_first | \
	channels/\<relid\>/out_full_total)
		return 0 ;;
	esac
	return 1
}

# value <file> <canonical name>
value() {
	if [ -L "$1" ]; then
		echo "-> $(basename "$(readlink "$1")")"
	elif [ -d "$1" ]; then
		echo "<dir>"
	elif [ -z "$(find "$1" -perm -0400)" ]; then
		echo "<write-only>"
	elif ! _v=$(cat "$1" 2>/dev/null); then
		echo "<error>"
	elif varies "$2"; then
		echo "<varies>"
	else
		printf '%s\n' "$_v" | tr '\n' ';' | sed 's/;$//'
		echo
	fi
}

out=/tmp/vmbus-sysfs.txt
{
	for f in /sys/bus/vmbus/*; do
		[ -f "$f" ] || continue
		n=bus/${f##*/}
		echo "$n = $(value "$f" "$n")"
	done
	for d in /sys/bus/vmbus/devices/*; do
		[ -e "$d" ] || continue
		cls=$(cat "$d/class_id" 2>/dev/null) || cls="<no class_id>"
		d=$(cd "$d" && pwd -P)
		(cd "$d" && find . -mindepth 1) | sed 's|^\./||' | while read -r p; do
			n=$(echo "$p" | sed 's|^channels/[0-9][0-9]*|channels/<relid>|')
			echo "$cls/$n = $(value "$d/$p" "$n")"
		done
	done
} | sort >"$out"

# The in-tree stack's guest on this kernel, earlier in the same run, is the
# reference: the host keeps its listing and compares ours with it.
say "@@DATAZ vmbus-sysfs $(gzip -c "$out" | base64 | tr -d '\n')" >/dev/null
r=$(host compare vmbus-sysfs)
set -- $r
case "$1" in
reference) pass vmbus.sysfs "$2 files listed: the reference for $KERNEL" ;;
same) pass vmbus.sysfs "$2 files, names and values as on the in-tree core" ;;
none) skip vmbus.sysfs "no in-tree listing for $KERNEL in this run (run --stack intree first)" ;;
differ)
	shift 3
	fail vmbus.sysfs "$(echo "$r" | cut -d' ' -f2) missing or different, $(echo "$r" | cut -d' ' -f3) extra or different; first: $*" ;;
*) fail vmbus.sysfs "host: $r" ;;
esac
