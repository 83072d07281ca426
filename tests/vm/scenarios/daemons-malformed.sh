# Malformed messages from the host (the models' `inject`, tests/host/hv-ic.c)
# on the services whose requests reach a daemon, KVP, VSS and file copy,
# with the real daemons running: a packet shorter than its headers, an IC
# header claiming more than the packet holds, an unknown message type, a
# service message cut short, and each service's own (KVP sizes past their
# fields, a pool that does not exist, strings with no NUL, an unknown
# operation; VSS's unknown operation; file copy's names with no NUL and a
# write larger than a fragment). Each must be refused, dropped or answered
# with a failure, never with success; the daemons keep running (the same
# process); each service answers a well-formed request afterwards; the
# kernel logs no oops or warning. openlis's modules refuse them all before
# any daemon sees them. Where the kernel's own modules pass one on, what
# they and the daemons did with it is named (SKIP) for Debian's daemons
# and held to the same rules for openlis's.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# qemu: -device hv-vss,id=hvvss,timeout=30
# qemu: -device hv-fcopy,id=hvfc,timeout=30
# timeout: 420

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null

generic="short size type truncated"
pid_of() { systemctl show -p MainPID --value "hv-$1-daemon.service"; }

# strict: openlis's modules stand between host and daemon (every malformed
# message is theirs to refuse); or openlis's daemons, which must survive
# whatever the kernel's modules pass them.
strict_kernel=
intree_utils || strict_kernel=1

# inject <service> <malformation>: its outcome as a check; a success is
# only named where neither openlis's modules nor its daemons are in play.
lenient=
[ "$strict_kernel" ] || [ "$OPENLIS_DAEMONS" = 1 ] ||
	lenient="the in-tree hv_utils of $(uname -r) with Debian's daemons"
inject() {
	# An IC header claiming more than the packet: the size field is not
	# relied on (the packet's length bounds every read, in-tree and
	# openlis alike), so a guest may answer it; the requests after show
	# it did no harm.
	if [ "$2" = size ]; then
		refuses "malformed.$1.$2" "$2" 10 "" "the header's size is not relied on"
	elif [ -z "$strict_kernel" ] && [ "$2" = vss-op ]; then
		# The kernel's own hv_utils answers an operation it does not
		# know with success itself, without asking the daemon: named,
		# as no daemon can change it.
		refuses "malformed.$1.$2" "$2" 10 "the in-tree hv_utils of $(uname -r), before any daemon saw it,"
	elif [ -z "$strict_kernel" ] && [ "$2" = kvp-unterminated ]; then
		# The kernel's own hv_kvp converts the host's UTF-16 into a
		# bounded, terminated string: the daemon gets a well-formed key.
		refuses "malformed.$1.$2" "$2" 10 "the in-tree hv_kvp of $(uname -r) passed it on cut short and terminated, and the daemon"
	else
		refuses "malformed.$1.$2" "$2" 10 "$lenient"
	fi
}

# survived <service> <pid before>: the same daemon process still runs;
# status 1 where it does not and that is only named (the reference).
survived() {
	_now=$(pid_of "$1")
	if [ "$_now" = "$2" ] && [ "$_now" != 0 ]; then
		pass "malformed.$1.daemon" "hv-$1-daemon still pid $_now"
	elif [ "$strict_kernel" ] || [ "$OPENLIS_DAEMONS" = 1 ]; then
		fail "malformed.$1.daemon" "hv-$1-daemon was pid $2, now ${_now:-none}:" \
			"$(journalctl -b -u "hv-$1-daemon.service" --no-pager -q -n 3 | tr '\n' ' ')"
	else
		skip "malformed.$1.daemon" "Debian's hv-$1-daemon was pid $2, now ${_now:-none}, on the in-tree hv_utils of $(uname -r)"
		return 1
	fi
}

# Well-formed requests after the malformed ones: a key set lands in the
# pool file; a 1 MiB copy lands whole.
kvp_after() {
	expect malformed.kvp.after.set "$(ask "set 0 OpenlisAfter still here" 30)" '"ok"'
	if grep -qa OpenlisAfter /var/lib/hyperv/.kvp_pool_0; then
		pass malformed.kvp.after.file "OpenlisAfter in /var/lib/hyperv/.kvp_pool_0"
	else
		fail malformed.kvp.after.file "OpenlisAfter not in /var/lib/hyperv/.kvp_pool_0"
	fi
	ask "delete 0 OpenlisAfter" 30 >/dev/null
}
fcopy_after() {
	set -- $(host mkfile 1)
	rm -rf /var/tmp/openlis-malformed
	expect malformed.fcopy.after.sent "$(qset copy "\"$1 /var/tmp/openlis-malformed/ after.bin create-path\"")" '{}'
	expect malformed.fcopy.after "$(result_within 60) $(sha256sum </var/tmp/openlis-malformed/after.bin 2>/dev/null | cut -d' ' -f1)" "\"ok\" $2"
	rm -rf /var/tmp/openlis-malformed
}

# KVP
if ic_device kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}" hv_kvp hvkvp &&
	ic_negotiated kvp && daemon_active malformed.kvp.active kvp; then
	pid=$(pid_of kvp)
	for m in $generic kvp-sizes kvp-pool kvp-unterminated kvp-op; do
		inject kvp $m
	done
	if survived kvp "$pid"; then
		kvp_after
	else
		skip malformed.kvp.after "no well-formed request after: the reference's daemon died"
	fi
fi

# VSS
if ic_device vss "{35fa2e29-ea23-4236-96ae-3a6ebacba440}" hv_vss hvvss &&
	ic_negotiated vss && daemon_active malformed.vss.active vss; then
	pid=$(pid_of vss)
	for m in $generic vss-op; do
		inject vss $m
	done
	if survived vss "$pid"; then
		expect malformed.vss.after.check "$(ask check 40)" '"ok"'
	else
		skip malformed.vss.after "no well-formed request after: the reference's daemon died"
	fi
fi

# File copy, where its daemon is the kernel's (/dev/vmbus/hv_fcopy).
if intree_utils && fcopy_moved_to_uio; then
	skip malformed.fcopy "the in-tree file copy of $(uname -r) is uio_hv_generic: daemons-fcopy covers it"
elif [ "$(systemctl show -p LoadState --value hv-fcopy-daemon.service)" != loaded ]; then
	skip malformed.fcopy "no hv-fcopy-daemon.service: Debian's hyperv-daemons $(cat /etc/openlis-hyperv-daemons.version) has no file copy daemon"
elif ic_device fcopy "{34d14be3-dee4-41c8-9ae7-6b174977c192}" hv_fcopy hvfc &&
	ic_negotiated fcopy && daemon_active malformed.fcopy.active fcopy; then
	pid=$(pid_of fcopy)
	for m in $generic fcopy-names fcopy-write; do
		inject fcopy $m
	done
	if survived fcopy "$pid"; then
		fcopy_after
	else
		skip malformed.fcopy.after "no well-formed request after: the reference's daemon died"
	fi
fi

# The kernel took it all without an oops or a warning.
trouble=$(dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection' | head -n 3)
if [ -z "$trouble" ]; then
	pass malformed.kernel "no oops or warning; $(dmesg | grep -cE 'dropped a packet|failed a request') refusals logged"
else
	fail malformed.kernel "$trouble"
fi
