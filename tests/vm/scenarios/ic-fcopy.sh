# The file copy integration service of the emulated host
# (tests/host/hv-fcopy.c, built by scripts/build-qemu.sh): the guest binds
# it and agrees on version 1.1; with no daemon a copy fails at its start.
# Then the scenario stands in for hv_fcopy_daemon on /dev/vmbus/hv_fcopy:
# a copy of a host file (3 fragments) arrives whole (SHA-256 as the host
# sent it), a copy cancelled after the first fragment ends "cancelled", and
# a refused start ends "failed 0x80070050 at start". The kernel's own
# hv_utils dropped file copy in 6.10 (it moved to uio_hv_generic): there
# the in-tree run is a SKIP.
# modules: hv_vmbus hv_utils
# qemu: -device hv-fcopy,id=hvfc,timeout=30
# timeout: 150

# Any Debian host has it (base-files); 18092 bytes, 3 fragments of 6 KiB.
src=/usr/share/common-licenses/GPL-2
copy() { qset copy "\"$*\""; }

case "$MODULES" in
*hv_utils=openlis*) ;;
*)
	if fcopy_moved_to_uio; then
		skip ic.fcopy.intree "the in-tree hv_utils of $(uname -r) has no file copy (moved to uio_hv_generic in 6.10)"
		exit 0
	fi
	;;
esac
ic_device fcopy "{34d14be3-dee4-41c8-9ae7-6b174977c192}" hv_fcopy hvfc || exit 0
ic_negotiated fcopy || exit 0
expect ic.fcopy.version "$(qom framework-version) $(qom service-version)" '"3.0" "1.1"'

dev=/dev/vmbus/hv_fcopy
if [ -c $dev ]; then
	pass ic.fcopy.chardev "$dev"
else
	fail ic.fcopy.chardev "no character device $dev"
fi

# No daemon: upstream fails the start at once (HV_E_FAIL).
expect ic.fcopy.nodaemon.sent "$(copy $src /tmp/fc GPL-2 create-path)" '{}'
if wait_for 15 answered; then
	expect ic.fcopy.nodaemon "$(qom result)" '"failed 0x80004005 at start"'
else
	fail ic.fcopy.nodaemon "still pending 15 s after the request"
fi

[ -c $dev ] || exit 0
# The stand-in daemon: registers as version 1 (an int), reads the driver's
# version back, then answers each message with an int status.
exec 5<>$dev || { fail ic.fcopy.daemon.open "cannot open $dev"; exit 0; }
printf '\001\000\000\000' >/tmp/fc.reg
head -c 4 /dev/zero >/tmp/fc.ok
printf '\120\000\007\200' >/tmp/fc.exists # HV_ERROR_ALREADY_EXISTS
if dd if=/tmp/fc.reg bs=4 count=1 >&5 2>/dev/null &&
   timeout 10 dd bs=8192 count=1 <&5 >/tmp/fc.ver 2>/dev/null; then
	expect ic.fcopy.daemon.register "$(u32 /tmp/fc.ver 0)" 1
else
	fail ic.fcopy.daemon.register "the driver took no registration or did not answer it"
	exit 0
fi
answer() { dd if="$1" bs=4 count=1 >&5 2>/dev/null; }
next() { timeout 15 dd bs=8192 count=1 <&5 >/tmp/fc.msg 2>/dev/null; }

# serve <out file>: take one copy, writing its data to the file; sets ops
# (the operations seen) and start (what the start asked for). The start is
# answered with $start_answer.
serve() {
	: >"$1"
	ops=
	while next; do
		op=$(u32 /tmp/fc.msg 0)
		ops="$ops $op"
		case $op in
		0)
			# hv_start_fcopy in UTF-8: name at 36, folder at 556,
			# flags at 1076, size at 1080
			start="$(cstr /tmp/fc.msg 556 260)/$(cstr /tmp/fc.msg 36 260) flags=$(u32 /tmp/fc.msg 1076) size=$(u32 /tmp/fc.msg 1080)"
			answer "$start_answer"
			[ "$start_answer" = /tmp/fc.ok ] || break
			;;
		1)
			# hv_do_fcopy: offset at 40, size at 48, data at 52
			off=$(u32 /tmp/fc.msg 40)
			n=$(u32 /tmp/fc.msg 48)
			have=$(wc -c <"$1" | tr -d ' ')
			if [ "$off" != "$have" ] || [ "$n" -gt 6144 ]; then
				ops="$ops(bad:$off/$n)"
				answer /tmp/fc.exists
				continue
			fi
			tail -c +53 /tmp/fc.msg | head -c "$n" >>"$1"
			answer /tmp/fc.ok
			;;
		*)
			answer /tmp/fc.ok
			break
			;;
		esac
	done
}

# A whole copy: start, three writes, complete.
start_answer=/tmp/fc.ok
expect ic.fcopy.copy.sent "$(copy $src /tmp/fc GPL-2 create-path)" '{}'
serve /tmp/fc.out
wait_for 15 answered
expect ic.fcopy.copy "$(qom result)" '"ok"'
size=$(qom file-size)
expect ic.fcopy.copy.start "$start" "/tmp/fc/GPL-2 flags=2 size=$size"
expect ic.fcopy.copy.ops "$ops" " 0 1 1 1 2"
expect ic.fcopy.copy.bytes "$(qom bytes-acked) $(wc -c </tmp/fc.out | tr -d ' ')" "$size $size"
expect ic.fcopy.copy.sha256 "\"$(sha256sum /tmp/fc.out | cut -d' ' -f1)\"" "$(qom sha256)"

# Cancelled once the guest holds 6 KiB.
expect ic.fcopy.cancel.set "$(qset cancel-after 6144)" '{}'
expect ic.fcopy.cancel.sent "$(copy $src /tmp/fc GPL-2 overwrite)" '{}'
serve /tmp/fc.out2
wait_for 15 answered
expect ic.fcopy.cancel "$(qom result) $(qom bytes-acked)" '"cancelled" 6144'
expect ic.fcopy.cancel.ops "$ops" " 0 1 3"
qset cancel-after 0 >/dev/null

# The daemon refuses the start (the file exists, no overwrite).
start_answer=/tmp/fc.exists
expect ic.fcopy.exists.sent "$(copy $src /tmp/fc GPL-2)" '{}'
serve /tmp/fc.out3
wait_for 15 answered
expect ic.fcopy.exists "$(qom result)" '"failed 0x80070050 at start"'
exec 5>&-
expect ic.fcopy.bad "$(qom messages-bad)" 0
