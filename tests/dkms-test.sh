#!/bin/bash
# dkms add/build/install/remove of openlis for kernels that are not running,
# against the cached headers, in a private DKMS tree (nothing touches the
# machine's /lib/modules, /var/lib/dkms, /boot or /usr). For each kernel:
# the modules dkms.conf names for it land in updates/dkms with openlis's
# version, hv_vmbus with the ACPI alias that loads it at boot, hv_storvsc
# with the SCSI and IDE classes' aliases; install and
# remove rebuild that kernel's initramfs (a stand-in update-initramfs
# records the call) and put the hook and the dracut configuration in place
# and away. A kernel whose VMBus core is built in gets the clients only.
# Prints PASS/FAIL/SKIP lines and a closing "N passed, N failed" line.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(cat "$top/VERSION")
work=$(mktemp -d /tmp/openlis-dkms.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { echo "PASS dkms.$1 ${*:2}"; passed=$((passed + 1)); }
fail() { echo "FAIL dkms.$1 ${*:2}"; failed=$((failed + 1)); }

if ! command -v dkms >/dev/null; then
	echo "FAIL dkms.installed: dkms is not installed (scripts/install-deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi

# The modules dkms.conf names for a kernel: it is evaluated as DKMS does.
conf_modules() { # <kernelver> <kernel source dir>
	bash -c 'kernelver=$1 kernel_source_dir=$2; . "$3" >/dev/null
		echo "${BUILT_MODULE_NAME[*]}"' sh "$1" "$2" "$top/dkms.conf"
}

# aliases <check> <module> <aliases>: the installed module has exactly
# these aliases (sorted, space separated).
aliases() {
	local f got
	f=$(find "$work/lib/modules/$abi/updates/dkms" -name "$2.ko*" | head -n1)
	got=$(modinfo -F alias "$f" 2>/dev/null | sort | tr '\n' ' ')
	if [ "${got% }" = "$3" ]; then
		pass "$1" "installed $2: $got"
	else
		fail "$1" "installed $2 has aliases '$got'"
	fi
}

# $work stands for / to boot/dkms-post.sh: the hook, the dracut
# configuration and the initramfs of each kernel go there, and the
# stand-in update-initramfs writes its arguments to initramfs.log.
hook=$work/usr/share/initramfs-tools/hooks/openlis
dracut_conf=$work/usr/lib/dracut/dracut.conf.d/50-openlis.conf
mkdir -p "$work/src" "$work/dkms" "$work/lib/modules" "$work/bin" "$work/boot" \
	"$work/usr/share/initramfs-tools" "$work/usr/lib/dracut"
printf '#!/bin/sh\necho "$*" >>%s/initramfs.log\n' "$work" >"$work/bin/update-initramfs"
chmod +x "$work/bin/update-initramfs"
export OPENLIS_BOOT_ROOT=$work PATH=$work/bin:$PATH
# The cached kernels' compilers may be newer than this machine's: their
# builds go to the build chroot (scripts/kmake.sh), which dkms.conf allows
# only when asked.
export OPENLIS_CHROOT=yes
# The hook, run with initramfs-tools' functions stood in for.
printf 'manual_add_modules() { echo "$*" >>%s/hook.log; }\n' "$work" >"$work/hook-functions"
sed "s|/usr/share/initramfs-tools/hook-functions|$work/hook-functions|" \
	"$top/boot/initramfs-tools-hook" >"$work/hook"

rsync -a --exclude .git --exclude build --exclude .compat "$top/" "$work/src/openlis-$ver/"
# --no-depmod: DKMS would run depmod on the machine's own /lib/modules;
# the test runs it on its private tree instead.
d=(dkms --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/lib/modules" --no-depmod)

if "${d[@]}" add -m openlis -v "$ver" >"$work/add.log" 2>&1; then
	pass add "openlis/$ver"
else
	fail add "$(tail -n 3 "$work/add.log")"
fi

# 7.2 has its VMBus core built in: openlis's clients only.
for k in 6.1 6.12 7.2; do
	kd=$("$top/scripts/fetch-kernel.sh" "$k" 2>/dev/null) || { fail "$k.fetch"; continue; }
	abi=$(cat "$kd/abi")
	kdir=$(realpath "$kd/kdir")
	core=$(sed -n 's/^CONFIG_HYPERV_VMBUS=//p' "$kdir/.config")
	[ -n "$core" ] || core=$(sed -n 's/^CONFIG_HYPERV=//p' "$kdir/.config")
	want="hv_balloon hv_storvsc hv_netvsc hv_utils hv_heartbeat hv_timesync hv_shutdown hv_kvp hv_vss hv_fcopy"
	[ "$core" = y ] || want="hv_vmbus $want"
	mods=$(conf_modules "$abi" "$kdir")
	for m in $want; do
		case " $mods " in
		*" $m "*) ;;
		*) fail "$k.modules" "dkms.conf does not install $m (it names: $mods)" ;;
		esac
	done
	if [ "$core" = y ] && [[ " $mods " == *" hv_vmbus "* ]]; then
		fail "$k.modules" "dkms.conf names hv_vmbus for a kernel whose core is built in"
	fi

	mkdir -p "$work/lib/modules/$abi"
	touch "$work/boot/initrd.img-$abi"
	: >"$work/initramfs.log"
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
		elif [ "$(modinfo -F version "$f")" != "$ver" ]; then
			missing="$missing $m(version $(modinfo -F version "$f"))"
		fi
	done
	# The installed modules must resolve against each other: hv_balloon's
	# and the services' VMBus symbols come from the hv_vmbus installed next
	# to them (or the kernel's built-in core), the services' IC framework
	# from the hv_utils there.
	if [ -z "$missing" ] && ! depmod -b "$work" -e -F "$kdir/Module.symvers" \
		"$abi" >"$work/depmod-$k.log" 2>&1; then
		missing=" (depmod: $(head -n 2 "$work/depmod-$k.log"))"
	fi
	if [ -z "$missing" ]; then
		pass "$k.install" "updates/dkms, version $ver: $mods for $abi"
	else
		fail "$k.install" "missing or wrong:$missing; $(tail -n 3 "$work/install-$k.log")"
	fi

	if [ "$core" = y ]; then
		if grep -q "openlis's clients only are installed" "$work/install-$k.log" &&
			[ -z "$(find "$work/lib/modules/$abi" -name 'hv_vmbus.ko*')" ]; then
			pass "$k.clients-only" "$(grep -m1 -o 'kernel .* built in' "$work/install-$k.log")"
		else
			fail "$k.clients-only" "no hv_vmbus expected, and the install saying so: $(tail -n 3 "$work/install-$k.log")"
		fi
	else
		aliases "$k.alias" hv_vmbus "acpi*:VMBUS:* acpi*:VMBus:*"
	fi
	# hv_storvsc loads for the SCSI class and for the IDE class (bytes
	# of their GUIDs as the bus matches them), and for no other.
	aliases "$k.storvsc-alias" hv_storvsc \
		"vmbus:32264132cb86a2449b5c50d1417354f5 vmbus:d96361baa104294db60572e2ffb1dc7f"

	: >"$work/hook.log"
	MODULESDIR=$work/lib/modules/$abi version=$abi sh "$work/hook" >"$work/hook-$k.out" 2>&1
	added=$(tr '\n' ' ' <"$work/hook.log")
	expect="hv_vmbus hv_storvsc hv_netvsc "
	[ "$core" != y ] || expect="hv_storvsc hv_netvsc "
	if [ "$added" = "$expect" ]; then
		pass "$k.hook" "the initramfs hook adds: $added"
	else
		fail "$k.hook" "the initramfs hook adds '$added': $(head -n 2 "$work/hook-$k.out")"
	fi

	if [ "$(cat "$work/initramfs.log")" = "-u -k $abi" ] && [ -x "$hook" ] && [ -f "$dracut_conf" ] &&
		grep -q "rebuilding the initramfs of $abi" "$work/install-$k.log"; then
		pass "$k.initramfs-install" "hook and dracut configuration installed, update-initramfs -u -k $abi"
	else
		fail "$k.initramfs-install" "update-initramfs called with '$(tr '\n' ';' <"$work/initramfs.log")'," \
			"hook $(test -x "$hook" && echo present || echo absent)," \
			"dracut configuration $(test -f "$dracut_conf" && echo present || echo absent)"
	fi

	: >"$work/initramfs.log"
	# dkms.conf reads the kernel's config where the kernel's own DKMS run
	# would find it: these headers are not under /lib/modules.
	"${d[@]}" remove -m openlis -v "$ver" -k "$abi" --kernelsourcedir "$kdir" \
		>"$work/remove-$k.log" 2>&1
	left=$(find "$work/lib/modules/$abi" -name '*.ko*' 2>/dev/null)
	if [ -z "$left" ]; then
		pass "$k.remove" "nothing left in $abi"
	else
		fail "$k.remove" "left behind: $left"
	fi
	if [ "$(cat "$work/initramfs.log")" = "-u -k $abi" ] && [ ! -e "$hook" ] && [ ! -e "$dracut_conf" ]; then
		pass "$k.initramfs-remove" "hook and dracut configuration removed, update-initramfs -u -k $abi"
	else
		fail "$k.initramfs-remove" "update-initramfs called with '$(tr '\n' ';' <"$work/initramfs.log")'," \
			"hook $(test -e "$hook" && echo left || echo removed)," \
			"dracut configuration $(test -e "$dracut_conf" && echo left || echo removed)"
	fi
	# remove -k drops the package once no kernel has it: add it back.
	"${d[@]}" status -m openlis -v "$ver" 2>/dev/null | grep -q . ||
		"${d[@]}" add -m openlis -v "$ver" >/dev/null 2>&1
done

# With neither update-initramfs nor dracut on PATH, the post-install step
# says that the initramfs is not rebuilt.
none=$work/none
mkdir -p "$none/bin" "$none/lib/modules/0.0-test" "$none/boot"
touch "$none/boot/initrd.img-0.0-test"
for t in dirname depmod modinfo grep rm install find sed sort tr; do
	ln -s "$(command -v "$t")" "$none/bin/"
done
out=$(PATH=$none/bin OPENLIS_BOOT_ROOT=$none "$top/boot/dkms-post.sh" install 0.0-test 2>&1)
if [[ $out == *"neither update-initramfs nor dracut is installed"* ]]; then
	pass no-initramfs-tool "$(echo "$out" | tail -n 1)"
else
	fail no-initramfs-tool "$out"
fi

echo "dkms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
