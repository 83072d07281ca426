# The VSS (backup) integration service of the emulated host
# (tests/host/hv-vss.c, built by scripts/build-qemu.sh): the guest binds it,
# agrees on VSS 5.0, answers GET_DM_INFO itself, and fails freeze, thaw and
# the hot-backup check at once while no daemon is registered. Then the
# scenario stands in for hv_vss_daemon on /dev/vmbus/hv_vss (registration,
# one answer per request) and the same requests succeed.
# modules: hv_vmbus hv_utils
# qemu: -device hv-vss,id=hvvss,timeout=30
# timeout: 120

ic_device vss "{35fa2e29-ea23-4236-96ae-3a6ebacba440}" hv_vss hvvss || exit 0
ic_negotiated vss || exit 0
expect ic.vss.version "$(qom framework-version) $(qom service-version)" '"3.0" "5.0"'

dev=/dev/vmbus/hv_vss
if [ -c $dev ]; then
	pass ic.vss.chardev "$dev"
else
	fail ic.vss.chardev "no character device $dev"
fi

# The guest answers GET_DM_INFO by itself, daemon or not.
expect ic.vss.dm-info.sent "$(request dm-info)" '{}'
wait_for 10 answered
expect ic.vss.dm-info "$(qom result)" '"ok"'

# No daemon: upstream fails the request at once (HV_E_FAIL).
for op in freeze thaw check; do
	expect ic.vss.$op.nodaemon.sent "$(request $op)" '{}'
	if wait_for 15 answered; then
		expect ic.vss.$op.nodaemon "$(qom result)" '"failed 0x80004005"'
	else
		fail ic.vss.$op.nodaemon "still pending 15 s after the request"
	fi
done

# A stand-in daemon: register with VSS_OP_REGISTER1 (a 12-byte hv_vss_msg,
# operation 129), read the driver's version back, then answer each request
# with a zeroed message (error 0). Every read takes one whole message.
[ -c $dev ] || exit 0
exec 5<>$dev || { fail ic.vss.daemon.open "cannot open $dev"; exit 0; }
{ printf '\201'; head -c 11 /dev/zero; } >/tmp/vss.reg
head -c 12 /dev/zero >/tmp/vss.ok
if dd if=/tmp/vss.reg bs=12 count=1 >&5 2>/dev/null &&
   timeout 10 dd bs=8192 count=1 <&5 >/tmp/vss.ver 2>/dev/null; then
	expect ic.vss.daemon.register "$(od -An -tu4 -N4 /tmp/vss.ver | tr -d ' ')" 129
else
	fail ic.vss.daemon.register "the driver took no registration or did not answer it"
	exit 0
fi
for op in freeze:5 check:2 thaw:6; do
	name=${op%:*}
	expect ic.vss.$name.daemon.sent "$(request "$name")" '{}'
	if ! timeout 15 dd bs=8192 count=1 <&5 >/tmp/vss.req 2>/dev/null; then
		fail ic.vss.$name.daemon.forward "the driver passed no request on in 15 s"
		continue
	fi
	expect ic.vss.$name.daemon.forward \
		"$(wc -c </tmp/vss.req | tr -d ' ') $(od -An -tu1 -N1 /tmp/vss.req | tr -d ' ')" \
		"12 ${op#*:}"
	dd if=/tmp/vss.ok bs=12 count=1 >&5 2>/dev/null
	if wait_for 15 answered; then
		expect ic.vss.$name.daemon "$(qom result)" '"ok"'
	else
		fail ic.vss.$name.daemon "still pending 15 s after the daemon's answer"
	fi
done
exec 5>&-
expect ic.vss.bad "$(qom messages-bad)" 0
