# The Hyper-V daemons start as they do for users: when the host offers KVP,
# VSS or file copy, udev loads the driver, the driver makes
# /dev/vmbus/hv_<service>, and udev's rule (Debian's 60-hyperv-daemons.rules,
# openlis's 70-hyperv-daemons.rules) pulls in hv-<service>-daemon.service,
# which must be active within a deadline. Debian's units are not enabled:
# the udev rule alone starts them. On openlis's stacks (openlis,
# openlis-clients) the daemons, units and rules are openlis's, installed over
# Debian's; elsewhere Debian's hyperv-daemons of the kernel's version.
# A service the host does not offer, or whose device node or unit is
# missing, is a SKIP naming what is missing.
# The devices are openlis's host models (tests/host); the lines match the
# ic-* scenarios' so that a guest running both has each device once.
# rootfs: debian
# modules: hv_vmbus
# qemu: -device hv-kvp,id=hvkvp,timeout=40
# qemu: -device hv-vss,id=hvvss,timeout=30
# qemu: -device hv-fcopy,id=hvfc,timeout=30
# timeout: 240

timeout 200 systemctl is-system-running --wait >/dev/null 2>&1
udevadm settle --timeout=60 2>/dev/null

hvd=$(cat /etc/openlis-hyperv-daemons.version 2>/dev/null)
if [ "$OPENLIS_DAEMONS" = 1 ]; then
	who="openlis's daemons"
else
	who="Debian's hyperv-daemons $hvd"
fi

# Debian's package records its binaries' checksums: a changed one is
# openlis's, installed over it; one no package owns (6.12's hyperv-daemons
# has no file-copy daemon) is openlis's too.
binary_of() {
	bin=/usr/sbin/hv_$1_daemon
	if [ ! -x "$bin" ]; then
		echo "none"
	elif ! dpkg -S "$bin" >/dev/null 2>&1; then
		echo "openlis's $bin"
	elif dpkg -V hyperv-daemons 2>/dev/null | grep -q " $bin\$"; then
		echo "openlis's $bin"
	else
		echo "Debian's $bin"
	fi
}

check_daemon() {
	svc=$1 class=$2
	unit=hv-$svc-daemon.service
	node=/dev/vmbus/hv_$svc
	if ! vmbus_dev_by_class "$class" >/dev/null; then
		skip "daemons.$svc" "the host offers no $svc device ($class):" \
			"this QEMU has no hv-$svc model"
		return
	fi
	dev=$(vmbus_dev_by_class "$class")
	if ! wait_for 30 test -c "$node"; then
		drv=$(basename "$(readlink "$dev/driver")" 2>/dev/null)
		skip "daemons.$svc" "no $node although the host offers $svc" \
			"(driver: ${drv:-none})"
		return
	fi
	if [ "$(systemctl show -p LoadState --value "$unit")" != loaded ]; then
		skip "daemons.$svc" "$who ship(s) no $unit"
		return
	fi
	is_active() { systemctl is-active --quiet "$unit"; }
	if wait_for 60 is_active; then
		pass "daemons.$svc" "$unit active (pid" \
			"$(systemctl show -p MainPID --value "$unit"), $(binary_of "$svc"))"
	else
		fail "daemons.$svc" "$unit is $(systemctl is-active "$unit"):" \
			"$(journalctl -b -u "$unit" --no-pager -q -n 3 | tr '\n' ' ')"
	fi
}

check_daemon kvp "{a9a0f4e7-5a45-4d96-b827-8a841e8c03e6}"
check_daemon vss "{35fa2e29-ea23-4236-96ae-3a6ebacba440}"
check_daemon fcopy "{34d14be3-dee4-41c8-9ae7-6b174977c192}"
