#!/bin/bash
# dkms add/build/install/remove of openlis for kernels that are not running,
# against the cached headers, in a private DKMS tree (nothing touches the
# machine's /lib/modules or /var/lib/dkms). Also checks that a kernel whose
# VMBus core is built in is refused with a clear message.
# Prints PASS/FAIL/SKIP lines and a closing "N passed, N failed" line.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(cat "$top/VERSION")
work=$(mktemp -d /tmp/openlis-dkms.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
pass() { echo "PASS dkms.$1 ${*:2}"; passed=$((passed + 1)); }
fail() { echo "FAIL dkms.$1 ${*:2}"; failed=$((failed + 1)); }

if ! command -v dkms >/dev/null; then
	echo "FAIL dkms.installed: dkms is not installed (scripts/install-deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi

# Every module dkms.conf names must land in updates/dkms.
mods=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$top/dkms.conf" | tr '\n' ' ')
mods=${mods% }
for m in hv_vmbus hv_balloon hv_utils hv_heartbeat hv_timesync hv_shutdown hv_kvp hv_vss hv_fcopy; do
	case " $mods " in
	*" $m "*) ;;
	*) fail modules "dkms.conf does not install $m (it names: $mods)" ;;
	esac
done

mkdir -p "$work/src" "$work/dkms" "$work/lib/modules"
rsync -a --exclude .git --exclude build --exclude .compat "$top/" "$work/src/openlis-$ver/"
# --no-depmod: DKMS would run depmod on the machine's own /lib/modules;
# the test runs it on its private tree instead.
d=(dkms --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/lib/modules" --no-depmod)

if "${d[@]}" add -m openlis -v "$ver" >"$work/add.log" 2>&1; then
	pass add "openlis/$ver"
else
	fail add "$(tail -n 3 "$work/add.log")"
fi

for k in 6.1 6.12; do
	kd=$("$top/scripts/fetch-kernel.sh" "$k" 2>/dev/null) || { fail "$k.fetch"; continue; }
	abi=$(cat "$kd/abi")
	kdir=$(realpath "$kd/kdir")
	mkdir -p "$work/lib/modules/$abi"
	if "${d[@]}" build -m openlis -v "$ver" -k "$abi" --kernelsourcedir "$kdir" \
		>"$work/build-$k.log" 2>&1; then
		pass "$k.build" "$abi"
	else
		fail "$k.build" "$(tail -n 5 "$work/build-$k.log")"
		continue
	fi
	"${d[@]}" install -m openlis -v "$ver" -k "$abi" --kernelsourcedir "$kdir" \
		>"$work/install-$k.log" 2>&1
	missing=
	for m in $mods; do
		f=$(find "$work/lib/modules/$abi/updates/dkms" -name "$m.ko*" 2>/dev/null | head -n1)
		if [ -z "$f" ]; then
			missing="$missing $m"
		elif [ "$(modinfo -F vermagic "$f" | cut -d' ' -f1)" != "$abi" ]; then
			missing="$missing $m(vermagic)"
		fi
	done
	# The installed modules must resolve against each other: hv_balloon's
	# and the services' VMBus symbols come from the hv_vmbus installed next
	# to them, the services' IC framework from the hv_utils there.
	if [ -z "$missing" ] && ! depmod -b "$work" -e -F "$kdir/Module.symvers" \
		"$abi" >"$work/depmod-$k.log" 2>&1; then
		missing=" (depmod: $(head -n 2 "$work/depmod-$k.log"))"
	fi
	if [ -z "$missing" ]; then
		pass "$k.install" "updates/dkms: $mods for $abi"
	else
		fail "$k.install" "missing or wrong:$missing; $(tail -n 3 "$work/install-$k.log")"
	fi
	"${d[@]}" remove -m openlis -v "$ver" -k "$abi" >"$work/remove-$k.log" 2>&1
	left=$(find "$work/lib/modules/$abi" -name '*.ko*' 2>/dev/null)
	if [ -z "$left" ]; then
		pass "$k.remove" "nothing left in $abi"
	else
		fail "$k.remove" "left behind: $left"
	fi
	# remove -k drops the package once no kernel has it: add it back.
	"${d[@]}" status -m openlis -v "$ver" 2>/dev/null | grep -q . ||
		"${d[@]}" add -m openlis -v "$ver" >/dev/null 2>&1
done

# The newest kernel in the matrix has its VMBus core built in.
kd=$("$top/scripts/fetch-kernel.sh" 7.2 2>/dev/null) && {
	abi=$(cat "$kd/abi")
	kdir=$(realpath "$kd/kdir")
	mkdir -p "$work/lib/modules/$abi"
	"${d[@]}" build -m openlis -v "$ver" -k "$abi" --kernelsourcedir "$kdir" \
		>"$work/build-7.2.log" 2>&1
	rc=$?
	if [ $rc -eq 77 ] && grep -q 'VMBus core built in' "$work/build-7.2.log"; then
		pass 7.2.refused "status 77: $(grep -m1 'VMBus core built in' "$work/build-7.2.log" | cut -c1-90)..."
	else
		fail 7.2.refused "status $rc, expected 77 with a message: $(tail -n 3 "$work/build-7.2.log")"
	fi
}

echo "dkms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
