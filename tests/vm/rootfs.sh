#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian root file system that "# rootfs: debian" scenarios boot:
# bookworm (minbase) with systemd, udev, kmod, Debian's hyperv-daemons of
# the kernel's own version and NetworkManager (not started at boot), plus
# the kernel's /lib/modules tree, as a sparse raw ext4 image in the cache.
# The image is only ever read: guests run it with a throw-away overlay (see
# run.py).
#
#   tests/vm/rootfs.sh <kernel name from scripts/kernels.conf>
#   tests/vm/rootfs.sh dkms-<kernel name>
#
# dkms-<kernel> builds the images of "# rootfs: dkms" scenarios instead: a
# system made as a user's is, with Debian's kernel package (initramfs-tools,
# its headers, DKMS) and openlis installed by `make dkms-install` from its
# source tree. 6.1 and 6.12 share a bookworm image: 6.1's package, `make
# dkms-install`, then 6.12's (backports) as an update, which DKMS builds
# openlis for by itself. 7.2's image is sid's, where its package's compiler
# is: `make dkms-install` there installs openlis's clients only, on the
# kernel's built-in core. Each stage is an image with the /boot files of
# its kernels beside it: installed/, removed/ (after `make dkms-remove`)
# and, in the bookworm image, reinstalled/ (then `make dkms-install` for
# 6.12, a first install on that kernel). The file stages says which guest
# boots what: "<stage> <stack> <kernel ABI> <install|update|remove>". The
# guests boot those kernels and initramfs images, not the harness's.
#
# An image whose inputs (this script, guest/systemd/*, the kernels'
# versions, and for dkms openlis's source outside tests/) are unchanged is
# reused at once. The last line printed is the image path, or for dkms the
# folder of its stages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
usage="usage: rootfs.sh <kernel name from scripts/kernels.conf> | dkms-<kernel name>"
name=${1:?$usage}
variant=systemd distro=bookworm update=
case $name in
dkms-6.1 | dkms-6.12)
	# bookworm's own kernel, then its backports' kernel, the update a
	# bookworm user takes for newer hardware.
	variant=dkms name=6.1 update=6.12
	;;
dkms-7.2)
	# 7.2's headers build modules with gcc-16, which only sid has.
	variant=dkms name=7.2 distro=sid
	;;
dkms-*)
	echo "rootfs: no dkms image for ${name#dkms-}" >&2
	exit 1
	;;
esac

# facts <kernel name>: its cached folder, version, ABI and suite.
facts() {
	local d
	d=$("$top/scripts/fetch-kernel.sh" "$1" | tail -n1)
	echo "$d $(cat "$d/version") $(cat "$d/abi")" \
		"$(awk -v n="$1" '$1 == n {print $2}' "$top/scripts/kernels.conf")"
}
read -r kdir kver abi suite < <(facts "$name")
usuite=
[ -z "$update" ] || read -r _ uver uabi usuite < <(facts "$update")
if [ -z "$suite" ] || { [ -n "$update" ] && [ -z "$usuite" ]; }; then
	echo "rootfs: cannot fetch the kernels" >&2
	exit 1
fi

hash=$( {
	cat "$here/rootfs.sh"
	for f in "$here"/guest/systemd/*; do
		printf '%s\n' "${f##*/}"
		cat "$f"
	done
	printf '%s %s %s\n' "$name" "$kver" "$abi"
	if [ $variant = dkms ]; then
		printf '%s %s %s %s\n' "$distro" "$update" "${uver:-}" "${uabi:-}"
		# What `make dkms-install` takes from the tree.
		(cd "$top" && find . \( -path ./tests -o -path ./build -o -path ./.git \
			-o -path ./.compat \) -prune -o -type f -print | LC_ALL=C sort |
			xargs -d '\n' sha256sum)
	fi
} | sha256sum | cut -c1-12)
dir=$cache/rootfs
img=$dir/$name-$hash.img
[ $variant = systemd ] || img=$dir/dkms-$name-$hash
if [ -e "$img" ]; then
	echo "$img"
	exit 0
fi

log() { echo "rootfs: $*" >&2; }

if ! command -v debootstrap >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
	log "installing debootstrap and e2fsprogs"
	apt-get install -y -q debootstrap e2fsprogs >&2
fi

# The machine's own mirror (and its security mirror), as apt-suites.sh reads
# it; no host name is written here.
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
security=$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$security" ] || security=$(awk '$1 == "deb" && $0 ~ /security/ {print $2; exit}' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
if [ -z "$mirror" ]; then
	log "no Debian mirror found in /etc/apt"
	exit 1
fi

mkdir -p "$dir"
work=$dir/$name-$hash.tmp
root=$work/root
mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"

log "debootstrap $distro (minbase) for $name ($kver), a few minutes"
debootstrap --variant=minbase \
	--include=systemd-sysv,udev,kmod,iproute2,libnl-route-3-200,procps,ifupdown \
	"$distro" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	exit 1
}

suites="bookworm bookworm-updates"
[ "$distro" = bookworm ] || suites=$distro security=
for s in $suite $usuite; do
	case $s in
	bookworm | bookworm-security | bookworm-updates | "$distro") ;;
	*) suites="$suites $s" ;;
	esac
done
{
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$mirror" "$suites"
	printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	if [ -n "$security" ]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\n' "$security"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	fi
} >"$root/etc/apt/sources.list.d/debian.sources"
rm -f "$root/etc/apt/sources.list"
# The mirror may serve a snapshot older than sid's Release files say they
# are good for: taken as the build machine's apt takes it.
printf 'Acquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/99openlis-valid-until"
# Package scripts must not start daemons inside the build chroot
# (policy-rc.d, enter_root).
# enter_root and leave_root: what the package scripts need of the build
# machine while they run (update-initramfs reads /proc and /dev), and none
# of it in the image.
enter_root() {
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	mount -t proc proc "$root/proc" && mounted+=("$root/proc")
	mount --bind /dev "$root/dev" && mounted+=("$root/dev")
}
# in_use: whether a process still runs in the root. DKMS's progress loop
# leaves its last sleep behind when it is killed, for up to 3 seconds, and
# /dev stays busy until it ends.
in_use() {
	local p r
	r=$(realpath "$root")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" != "$r" ] || return 0
	done
	return 1
}
leave_root() {
	local m deadline=$((SECONDS + 60))
	while in_use && [ $SECONDS -lt $deadline ]; do
		sleep 1
	done
	for m in "${mounted[@]}"; do
		umount "$m"
	done
	mounted=()
	rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
}
enter_root

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
# apt_root <args...>: apt-get in the chroot, its output in apt.log.
apt_root() {
	in_root apt-get -y -q "$@" >>"$work/apt.log" 2>&1 || {
		tail -n 20 "$work/apt.log" >&2
		exit 1
	}
}
apt_root update

# hyperv-daemons comes from the kernel's own source package, so the kernel's
# version names the matching daemons; where the archive no longer serves it,
# the newest of the same series.
hvd=$(in_root apt-cache madison hyperv-daemons | awk -F'|' '{gsub(/ /, "", $2); print $2}')
if printf '%s\n' "$hvd" | grep -qxF "$kver"; then
	hvd_ver=$kver
else
	series=$(echo "$kver" | cut -d. -f1,2)
	hvd_ver=$(printf '%s\n' "$hvd" | grep "^$series\." | sort -V | tail -n1)
	if [ -z "$hvd_ver" ]; then
		log "no hyperv-daemons of series $series in $suites"
		exit 1
	fi
	log "WARNING: hyperv-daemons $kver is not served; using $hvd_ver"
fi
log "hyperv-daemons $hvd_ver"
apt_root install --no-install-recommends "hyperv-daemons=$hvd_ver"
echo "$hvd_ver" >"$root/etc/openlis-hyperv-daemons.version"

# What only the systemd scenarios use (boot-dkms does not).
if [ $variant = systemd ]; then
	# IP injection's other two network managers (daemons-ipinject): networkd
	# comes with bookworm's systemd; NetworkManager and the D-Bus both need are
	# installed here. Neither starts at boot: the scenario starts each in turn,
	# and every other scenario sees ifupdown's server as before.
	apt_root install --no-install-recommends dbus network-manager
	in_root systemctl disable NetworkManager.service NetworkManager-wait-online.service \
		NetworkManager-dispatcher.service >/dev/null 2>&1 || true

	# Since 6.10 the kernel's own file copy is uio_hv_generic with upstream's
	# UIO daemon, which Debian's hyperv-daemons of 6.12 does not ship: build it
	# from the kernel's own source package (static: nothing of the build
	# machine's libraries is assumed in the guest) so that the in-tree stack has
	# its reference file copy there too.
	if [ ! -e "$root/usr/sbin/hv_fcopy_daemon" ] && [ ! -e "$root/usr/sbin/hv_fcopy_uio_daemon" ]; then
		src=$("$top/scripts/fetch-kernel-source.sh" "$name" | tail -n1)/tools/hv
		if [ -f "$src/hv_fcopy_uio_daemon.c" ]; then
			log "hv_fcopy_uio_daemon from linux $kver's tools/hv"
			gcc -O2 -Wall -D_GNU_SOURCE -Wno-address-of-packed-member -static \
				-o "$work/hv_fcopy_uio_daemon" "$src/hv_fcopy_uio_daemon.c" \
				"$src/vmbus_bufring.c" >"$work/fcopy-uio.log" 2>&1 || {
				cat "$work/fcopy-uio.log" >&2
				exit 1
			}
			install -m 0755 "$work/hv_fcopy_uio_daemon" "$root/usr/sbin/hv_fcopy_uio_daemon"
			install -m 0644 "$here/guest/systemd/hv-fcopy-uio-daemon.service" \
				"$root/etc/systemd/system/hv-fcopy-uio-daemon.service"
			echo "$kver" >"$root/etc/openlis-fcopy-uio-daemon.version"
		fi
	fi
fi

if [ $variant = systemd ]; then
	# The kernel's modules, indexed for modprobe and udev's autoload.
	mkdir -p "$root/lib/modules/$abi"
	cp -a "$kdir/modules/kernel" "$kdir"/modules/modules.* "$root/lib/modules/$abi/"
	in_root depmod -a "$abi"
else
	# As a user's system: Debian's kernel package (its postinst builds the
	# initramfs with initramfs-tools), its headers, and what DKMS and
	# `make dkms-install` need (6.12's headers build with pahole).
	log "Debian's kernel $abi ($kver), its headers, initramfs-tools and DKMS"
	apt_root install --no-install-recommends initramfs-tools zstd dkms make rsync \
		dwarves "linux-image-$abi=$kver" "linux-headers-$abi=$kver"
fi

# A test guest: no password, no login prompts on the serial ports (ttyS1 is
# the harness's), no network, nothing else at boot that needs one.
in_root passwd -qd root
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$root/etc/systemd/system/getty@.service"
ln -sf /dev/null "$root/etc/systemd/system/getty-static.service"
echo openlis-guest >"$root/etc/hostname"
# As Debian's installer writes it: the host name resolves to the FQDN, which
# the KVP daemons report to the host.
printf '127.0.0.1\tlocalhost\n127.0.1.1\topenlis-guest.openlis.test openlis-guest\n' \
	>"$root/etc/hosts"
printf 'LABEL=openlis-root / ext4 rw,errors=remount-ro 0 0\n' >"$root/etc/fstab"
# ifupdown as Debian's installer sets it up for a server: the loopback, and
# the folder where the KVP daemon's IP injection writes (daemons-ipinject).
mkdir -p "$root/etc/network/interfaces.d"
printf 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n' \
	>"$root/etc/network/interfaces"
# The journal stays in memory: the image is never written anyway.
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/openlis.conf"

# The guest side of the harness: a unit that runs the scenarios after boot.
install -d "$root/usr/lib/openlis"
for f in run-scenarios boot-progress fetch-harness; do
	install -m 0755 "$here/guest/systemd/$f" "$root/usr/lib/openlis/$f"
done
for u in openlis-scenarios.service openlis-boot-progress.service openlis-harness.service; do
	install -m 0644 "$here/guest/systemd/$u" "$root/etc/systemd/system/$u"
	in_root systemctl enable "$u" >/dev/null 2>&1
done

if [ $variant = dkms ]; then
	# As a user installs openlis: from its source tree, as root.
	# make_root <target> [args]: make in the image's copy of openlis, as
	# root, its output kept in the image for the scenario to show
	# (/var/lib/openlis/<target>.log).
	make_root() {
		install -d "$root/var/lib/openlis"
		in_root make -C /root/openlis "$@" >"$work/$1.log" 2>&1 || {
			tail -n 30 "$work/$1.log" >&2
			exit 1
		}
		cp "$work/$1.log" "$root/var/lib/openlis/$1.log"
	}
	log "make dkms-install for $abi, in the image"
	rsync -a --exclude .git --exclude build --exclude .compat --exclude tests \
		"$top/" "$root/root/openlis/"
	make_root dkms-install "KVER=$abi"
	echo "installed openlis $abi install" >"$work/stages"
	if [ -n "$update" ]; then
		# The kernel update: DKMS builds openlis for the new kernel by
		# itself (AUTOINSTALL), from the kernel packages' hooks. What
		# they printed stays in the image for the scenario to show.
		log "kernel update to $uabi ($uver), in the image"
		: >"$work/apt.log"
		apt_root install --no-install-recommends "linux-image-$uabi=$uver" \
			"linux-headers-$uabi=$uver"
		cp "$work/apt.log" "$root/var/lib/openlis/kernel-update.log"
		echo "installed openlis $uabi update" >>"$work/stages"
	fi
fi

leave_root
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
	"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* \
	"$root"/var/log/*.log "$root"/var/log/apt/*

# make_image <image>: the root as a sparse raw ext4 image, of about 1 GiB,
# more if the files need it (the cache holds only what is used).
make_image() {
	local used size
	used=$(du -sm "$root" | cut -f1)
	size=$((used * 13 / 10 + 128))
	[ "$size" -ge 1024 ] || size=1024
	rm -f "$work/img"
	truncate -s "${size}M" "$work/img"
	mkfs.ext4 -q -F -L openlis-root -d "$root" "$work/img"
	mv "$work/img" "$1"
	log "built $1 (${size} MiB raw, $(du -sm "$1" | cut -f1) MiB used; $used MiB of files)"
}
# stage <name>: an image of the root as it is now, with its kernels and
# initramfs images beside it, for the guest to boot.
stage() {
	mkdir -p "$work/out/$1"
	cp "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* "$work/out/$1/"
	make_image "$work/out/$1/root.img"
}

if [ $variant = systemd ]; then
	make_image "$img"
	# Older images of this kernel are stale now.
	for old in "$dir/$name"-*.img; do
		[ "$old" = "$img" ] || rm -f "$old"
	done
else
	stage installed
	log "make dkms-remove, in the image"
	enter_root
	make_root dkms-remove
	leave_root
	stage removed
	for k in $abi ${uabi:-}; do
		echo "removed intree $k remove" >>"$work/stages"
	done
	if [ -n "$update" ]; then
		# The first install on the second kernel: a user of its own
		# modules installs openlis for it.
		log "make dkms-install for $uabi, in the image"
		enter_root
		make_root dkms-install "KVER=$uabi"
		leave_root
		stage reinstalled
		echo "reinstalled openlis $uabi install" >>"$work/stages"
	fi
	mv "$work/stages" "$work/out/stages"
	mv "$work/out" "$img"
	for old in "$dir/dkms-$name"-*; do
		[ "$old" = "$img" ] || rm -rf "$old"
	done
fi
echo "$img"
