# The KVP integration service of the emulated host (tests/host/hv-kvp.c,
# built by scripts/build-qemu.sh). Upstream's driver holds the version
# negotiation until hv_kvp_daemon registers on /dev/vmbus/hv_kvp, so the
# scenario stands in for the daemon (registration, then one message per
# request): the host's enumeration of the auto pool gets the stand-in's
# answer; a SET reaches the daemon in UTF-8 and, left unanswered, fails
# after the driver's timeout (30 s); once the daemon is gone a request
# still ends in failure (upstream's driver no longer reads the channel, so
# the host's own 40 s timeout), never pending.
# modules: hv_vmbus hv_utils
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# timeout: 200


ic_device kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}" hv_kvp hvkvp || exit 0

dev=/dev/vmbus/hv_kvp
if [ -c $dev ]; then
	pass ic.kvp.chardev "$dev"
else
	fail ic.kvp.chardev "no character device $dev"
	exit 0
fi

# No daemon yet: upstream has not answered the host's version offer, so the
# host refuses requests rather than queue them.
st=$(qom state)
case "$STACK" in
intree)
	expect ic.kvp.nodaemon.state "$st" '"negotiating"'
	case "$(request "get 0 x")" in
	error*"has not taken up"*) pass ic.kvp.nodaemon.refused "the host refuses requests before the versions are agreed on" ;;
	*) fail ic.kvp.nodaemon.refused "a request was taken in state $st" ;;
	esac
	;;
*) say "ic-kvp: host state $st before any daemon" ;;
esac

# The stand-in daemon registers with KVP_OP_REGISTER1 (100) in a whole
# struct hv_kvp_msg (7432 bytes); the driver answers with its own.
exec 4<>$dev || { fail ic.kvp.daemon.open "cannot open $dev"; exit 0; }
head -c 7432 /dev/zero >/tmp/kvp.reg
put /tmp/kvp.reg 0 '\144'
if dd if=/tmp/kvp.reg bs=7432 count=1 >&4 2>/dev/null &&
   timeout 10 dd bs=8192 count=1 <&4 >/tmp/kvp.ver 2>/dev/null; then
	expect ic.kvp.daemon.register "$(wc -c </tmp/kvp.ver | tr -d ' ') $(u8 /tmp/kvp.ver 0)" "7432 100"
else
	fail ic.kvp.daemon.register "the driver took no registration or did not answer it"
	exit 0
fi

ic_negotiated kvp || exit 0
expect ic.kvp.version "$(qom framework-version) $(qom service-version)" '"3.0" "4.0"'

# The host enumerates the auto pool (2) as Hyper-V does for the intrinsic
# data; the stand-in answers index 0 with a key and value of its own.
expect ic.kvp.enum.sent "$(request "enum 2 0")" '{}'
if timeout 15 dd bs=8192 count=1 <&4 >/tmp/kvp.req 2>/dev/null; then
	# operation 3 (enumerate), pool 2, index 0
	expect ic.kvp.enum.forward "$(u8 /tmp/kvp.req 0) $(u8 /tmp/kvp.req 1) $(u8 /tmp/kvp.req 4)" "3 2 0"
	# The answer in the enumerate layout: key at 20, value at 532.
	head -c 7432 /dev/zero >/tmp/kvp.ans
	put /tmp/kvp.ans 20 'OSName'
	put /tmp/kvp.ans 532 'openlis stand-in'
	dd if=/tmp/kvp.ans bs=7432 count=1 >&4 2>/dev/null
	if wait_for 15 answered; then
		expect ic.kvp.enum "$(qom result)" '"ok OSName=openlis stand-in"'
	else
		fail ic.kvp.enum "still pending 15 s after the daemon's answer"
	fi
else
	fail ic.kvp.enum.forward "the driver passed no request on in 15 s"
fi

# A SET into the guest pool reaches the daemon in UTF-8; unanswered, the
# driver fails it after its 30 s timeout, before the host's 40 s.
expect ic.kvp.set.sent "$(request "set 1 colour bleu")" '{}'
if timeout 15 dd bs=8192 count=1 <&4 >/tmp/kvp.req 2>/dev/null; then
	expect ic.kvp.set.forward "$(u8 /tmp/kvp.req 0) $(u8 /tmp/kvp.req 1) $(cstr /tmp/kvp.req 16 512)=$(cstr /tmp/kvp.req 528 2048)" \
		"1 1 colour=bleu"
else
	fail ic.kvp.set.forward "the driver passed no request on in 15 s"
fi
if wait_for 45 answered; then
	expect ic.kvp.set.silent "$(qom result)" '"failed 0x80004005"'
else
	fail ic.kvp.set.silent "still pending 45 s after the request"
fi

# The daemon goes away: a request ends in failure, not pending forever.
exec 4>&-
expect ic.kvp.gone.sent "$(request "enum 2 1")" '{}'
if wait_for 50 answered; then
	case "$(qom result)" in
	'"failed '*) pass ic.kvp.gone "$(qom result)" ;;
	*) fail ic.kvp.gone "got $(qom result)" ;;
	esac
else
	fail ic.kvp.gone "still pending 50 s after the request"
fi
say "ic-kvp: $(qom requests) requests, $(qom failures) failed, $(qom messages-bad) bad answers"
