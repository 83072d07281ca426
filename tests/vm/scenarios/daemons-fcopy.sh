# Copy-VMFile with the real file copy daemon, started by udev: the host,
# through openlis's file copy model (tests/host/hv-fcopy.c), copies a file
# of random data (FCOPY_MIB MiB, 100 unless OPENLIS_FCOPY_MIB says; a
# bigger one needs a disk of its own, see tests/host/README.md) to a
# non-ASCII name in a folder that does not exist yet (create-path); the
# guest's file has the host's SHA-256. A second copy without the overwrite
# flag is refused and leaves the file as it was; with it, the file is
# replaced. A copy cancelled midway leaves no file, partial or temporary,
# behind; a copy whose daemon is killed midway fails for the host before
# its own timeout, and a restarted daemon copies again. The kernel's own
# file copy moved to uio_hv_generic in 6.10 and Debian's hyperv-daemons
# there has no daemon for it: on the in-tree stack the reference there is
# upstream's UIO daemon from the kernel's tools/hv (rootfs.sh builds it),
# with the device bound to uio_hv_generic as its documentation says.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-fcopy,id=hvfc,timeout=30
# timeout: 600

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null
class="{34d14be3-dee4-41c8-9ae7-6b174977c192}"
svc=fcopy
unit=hv-fcopy-daemon.service
uio=
if intree_utils && fcopy_moved_to_uio; then
	if [ ! -x /usr/sbin/hv_fcopy_uio_daemon ]; then
		skip fcopyd.intree "the in-tree file copy of $(uname -r) is uio_hv_generic, served by a UIO daemon this guest does not have"
		exit 0
	fi
	uio=1
	svc=fcopy-uio
	unit=hv-$svc-daemon.service
	IC=/machine/peripheral/hvfc
	d=$(vmbus_dev_by_class "$class") || {
		fail ic.fcopy.device "no VMBus device of the file copy class"
		exit 0
	}
	modprobe uio_hv_generic
	echo 34d14be3-dee4-41c8-9ae7-6b174977c192 >/sys/bus/vmbus/drivers/uio_hv_generic/new_id
	wait_for 10 test -d "$d/uio"
	expect ic.fcopy.driver "$(basename "$(readlink "$d/driver")" 2>/dev/null)" uio_hv_generic
	systemctl start $unit
	say "fcopyd: upstream's UIO daemon of linux $(cat /etc/openlis-fcopy-uio-daemon.version)"
elif [ "$(systemctl show -p LoadState --value $unit)" != loaded ]; then
	skip fcopyd.unit "no $unit: Debian's hyperv-daemons $(cat /etc/openlis-hyperv-daemons.version) has no file copy daemon"
	exit 0
else
	ic_device fcopy "$class" hv_fcopy hvfc || exit 0
fi
if ! ic_negotiated fcopy; then
	# The daemon answers the negotiation: what became of it.
	systemctl status --no-pager -n 0 $unit 2>&1 | head -n 5
	journalctl -b -u $unit --no-pager -q | tail -n 10
	exit 0
fi
daemon_active fcopyd.active $svc || exit 0

copy() { qset copy "\"$*\""; }
sha() { sha256sum <"$1" 2>/dev/null | cut -d' ' -f1; }

mib=${FCOPY_MIB:-100}
set -- $(host mkfile "$mib")
src=$1 src_sha=$2
small=$(host mkfile 1)
small_sha=${small#* }
small=${small%% *}
if [ ! "$src_sha" ] || [ ! "$small_sha" ]; then
	fail fcopyd.hostfile "the host made no file: $src $small"
	exit 0
fi

top=/var/tmp/openlis-fcopy
dir=$top/déjà-vu
name=fête-写真.bin
if [ "$uio" ]; then
	# Upstream's UIO daemon writes every non-ASCII UTF-16 unit of a name
	# as 'X' (and its loop tests one unit while it copies another): the
	# reference runs the same copies under ASCII names.
	skip fcopyd.nonascii "upstream's UIO daemon of linux $(cat /etc/openlis-fcopy-uio-daemon.version) turns non-ASCII names into X: the reference copies to ASCII names"
	dir=$top/deja-vu
	name=fete-photo.bin
fi
dest=$dir/$name
rm -rf "$top"
mkdir -p "$top"
# The root file system has room for make check's 100 MiB; a bigger copy
# gets a disk of its own (tests/host/README.md shows how to give one).
bigdisk=/dev/disk/by-id/virtio-openlis-fcopy
if [ -b "$bigdisk" ]; then
	if ! { mkfs.ext4 -q -F "$bigdisk" && mount "$bigdisk" "$top"; }; then
		fail fcopyd.disk "cannot make and mount a file system on $bigdisk"
		exit 0
	fi
fi
room=$(df -Pm "$top" | awk 'NR == 2 {print $4}')
if [ "$room" -lt $((mib + 32)) ]; then
	fail fcopyd.room "$room MiB free in $top for a copy of $mib MiB: give it a disk with the serial openlis-fcopy"
	exit 0
fi

t0=$(date +%s)
# The folder ends in a separator, as Copy-VMFile's destination folders
# usually do: upstream's daemon creates the folders before the last one.
expect fcopyd.copy.sent "$(copy "$src" "$dir/" "$name" create-path)" '{}'
# 0.8 MiB/s under nested emulation: twice that time, and 300 s to spare.
res=$(result_within $((mib * 2 + 300)))
t1=$(date +%s)
expect fcopyd.copy "$res" '"ok"'
expect fcopyd.copy.sha256 "$(sha "$dest")" "$src_sha"
say "fcopyd: $mib MiB in $((t1 - t0)) s, $(qom writes) writes"

# No overwrite flag: refused (HV_ERROR_ALREADY_EXISTS), the file unchanged.
expect fcopyd.exists.sent "$(copy "$small" "$dir" "$name")" '{}'
expect fcopyd.exists "$(result_within 30)" '"failed 0x80070050 at start"'
expect fcopyd.exists.kept "$(sha "$dest")" "$src_sha"

expect fcopyd.overwrite.sent "$(copy "$small" "$dir" "$name" overwrite)" '{}'
expect fcopyd.overwrite "$(result_within 60)" '"ok"'
expect fcopyd.overwrite.sha256 "$(sha "$dest")" "$small_sha"

# Cancelled after 1 MiB: nothing of it stays in the folder.
before=$(ls -A "$dir" | tr '\n' ' ')
expect fcopyd.cancel.set "$(qset cancel-after 1048576)" '{}'
expect fcopyd.cancel.sent "$(copy "$src" "$dir" partial.bin)" '{}'
res=$(result_within 120)
if [ "$res" = '"cancelled"' ]; then
	pass fcopyd.cancel "$res"
elif [ "$uio" ]; then
	skip fcopyd.cancel "upstream's UIO daemon answers the host's cancel with $res"
else
	fail fcopyd.cancel "got $res, expected \"cancelled\""
fi
qset cancel-after 0 >/dev/null
left=$(ls -A "$dir" | tr '\n' ' ')
if [ "$left" = "$before" ]; then
	pass fcopyd.cancel.clean "$left"
elif [ "$uio" ]; then
	skip fcopyd.cancel.clean "upstream's UIO daemon leaves the cancelled copy behind: $left"
else
	fail fcopyd.cancel.clean "got '$left', expected '$before'"
fi

# create-path with two missing folders and no separator at the end.
expect fcopyd.deep.sent "$(copy "$small" "$dir/un/deux" small.bin create-path)" '{}'
res="$(result_within 60) $(sha "$dir/un/deux/small.bin")"
if [ "$res" = "\"ok\" $small_sha" ]; then
	pass fcopyd.deep "$res"
elif [ "$OPENLIS_DAEMONS" != 1 ]; then
	skip fcopyd.deep "upstream's daemon creates no folder after the last separator: $res"
else
	fail fcopyd.deep "got $res"
fi
rm -rf "$dir/un"

# The daemon killed mid-copy: the host hears of the failure well before
# its own timeout, the kernel takes a new daemon, and the next copy works.
acked() { [ "$(qom bytes-acked)" -ge 1048576 ]; }
expect fcopyd.killed.sent "$(copy "$src" "$dir" killed.bin)" '{}'
if wait_for 60 acked; then
	systemctl kill -s KILL $unit
	t0=$(date +%s)
	res=$(result_within 25)
	case $res in
	'"failed '*) pass fcopyd.killed "$res after $(($(date +%s) - t0)) s" ;;
	*) if [ "$uio" ]; then
		# No kernel driver stands between the host and a UIO daemon.
		skip fcopyd.killed "upstream's UIO daemon killed: the host is told nothing, it waits out its own timeout ($res after 25 s)"
		result_within 30 >/dev/null
	else
		fail fcopyd.killed "got $res"
	fi ;;
	esac
else
	fail fcopyd.killed "the copy did not get going: $(qom result), $(qom bytes-acked) bytes"
fi
# openlis's daemon writes to an unnamed file until the copy completes;
# upstream's writes to the target name itself.
if [ -e "$dir/killed.bin" ] && [ "$OPENLIS_DAEMONS" != 1 ]; then
	skip fcopyd.killed.clean "upstream's daemon leaves the partial $(wc -c <"$dir/killed.bin") bytes of killed.bin"
elif [ -e "$dir/killed.bin" ]; then
	fail fcopyd.killed.clean "the copy's name exists after its daemon died"
else
	pass fcopyd.killed.clean "no $dir/killed.bin (left: $(ls -A "$dir" | tr '\n' ' '))"
fi
# Active is not yet registered with the kernel, which until then fails a
# start at once: the host tries again until a deadline, as a script would.
systemctl restart $unit
copy_again() {
	# Not sent while the host has no channel (a UIO daemon's channel
	# closes with it, and opens again with the new one).
	[ "$(copy "$small" "$dir" again.bin)" = '{}' ] || return 1
	[ "$(result_within 60)" != '"failed 0x80004005 at start"' ]
}
if daemon_active fcopyd.restarted $svc && wait_for 30 copy_again; then
	expect fcopyd.restarted.copy "$(qom result) $(sha "$dir/again.bin")" "\"ok\" $small_sha"
else
	fail fcopyd.restarted.copy "the restarted daemon took no copy in 30 s: $(qom result)"
fi

say "fcopyd: $(qom messages-bad) bad answers"
journalctl -b -u $unit --no-pager -q | tail -n 5
[ -b "$bigdisk" ] && umount "$top"
rm -rf "$top"
