#!/bin/bash
# Build a QEMU that models the Hyper-V integration services (heartbeat,
# shutdown, timesync, ...) as VMBus devices: Debian's QEMU source package
# plus the device models of tests/host/ and its fixes and additions to
# QEMU's own code (tests/host/patches/: Hyper-V's guest interface under
# TCG among them; see tests/host/README.md).
#
#   scripts/build-qemu.sh [--fetch-only]
#
# The build goes to $OPENLIS_CACHE/qemu/<debian version>-<hash>/, where the
# hash covers the models and patches in tests/host/ and this script, so a
# change to any of them builds anew and an unchanged tree only prints the
# cached binary. The last line on stdout is the path of qemu-system-x86_64
# (use it as OPENLIS_QEMU); progress goes to stderr. Installs its build
# dependencies with apt-get when root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
models="$top/tests/host"
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
# The QEMU of bookworm-backports that the test machines run.
pin='1:10.0.2+ds-2+deb13u1~bpo12+1'
suite=bookworm-backports
fetch_only=0
[ "${1:-}" = "--fetch-only" ] && fetch_only=1

say() { echo "build-qemu: $*" >&2; }

# What goes into the build: this script and the models (not the README).
hash=$({
	cat "$0"
	(cd "$models" && LC_ALL=C ls hv-*.c hv-*.h meson.build.in patches/*.patch |
		xargs -d '\n' sha256sum)
} | sha256sum | cut -c1-12)
slug() { echo "$1" | tr '~+:' '___'; }

out_of() { echo "$cache/qemu/$(slug "$1")-$hash"; }
if [ "$fetch_only" = 0 ] && [ -f "$(out_of "$pin")/.complete" ]; then
	echo "$(out_of "$pin")/build/qemu-system-x86_64"
	exit 0
fi

# Build dependencies (Debian 12 names; meson >= 1.5 and pycotap, which
# configure insists on, from backports).
deps=(gcc make ninja-build pkg-config libglib2.0-dev libpixman-1-dev
      libslirp-dev libfdt-dev libattr1-dev flex bison python3-venv dpkg-dev
      seabios
      qemu-system-data)
bpo_deps=(meson python3-pycotap)
missing=()
for p in "${deps[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
mver=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
need_bpo=0
if [ -z "$mver" ] || ! dpkg --compare-versions "$mver" ge 1.5 ||
   ! dpkg-query -W -f='${Status}' python3-pycotap 2>/dev/null |
	grep -q 'ok installed'; then
	need_bpo=1
fi
if [ "${#missing[@]}" -gt 0 ] || [ "$need_bpo" = 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		say "missing build dependencies (${missing[*]} ${bpo_deps[*]}" \
			"from $suite); run as root"
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	"$here/apt-suites.sh"
	if [ "${#missing[@]}" -gt 0 ]; then
		say "installing ${missing[*]}"
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
	fi
	if [ "$need_bpo" = 1 ]; then
		say "installing ${bpo_deps[*]} from $suite"
		apt-get install -y -q --no-install-recommends -t "$suite" \
			"${bpo_deps[@]}" >&2
	fi
fi

# The source package, unpacked once per version with Debian's patches
# applied; a mirror that serves only the orig tarball gives upstream's source.
fetch() { # <version> <folder>
	rm -rf "$2.tmp"
	mkdir -p "$2.tmp"
	chmod 777 "$2.tmp"
	(cd "$2.tmp" && apt-get source -q --download-only "qemu=$1" >&2) || true
	dsc=$(ls "$2.tmp"/qemu_*.dsc 2>/dev/null | head -n1)
	orig=$(ls "$2.tmp"/qemu_*.orig.tar.* 2>/dev/null | head -n1)
	if [ -n "$dsc" ] && [ -f "$dsc" ] && [ -n "$orig" ]; then
		dpkg-source -q -x "$dsc" "$2.tmp/qemu" >&2
	elif [ -n "$orig" ]; then
		say "WARNING: no Debian packaging for qemu $1; building its orig tarball"
		mkdir "$2.tmp/qemu"
		tar -xf "$orig" -C "$2.tmp/qemu" --strip-components=1
	else
		return 1
	fi
	echo "$1" >"$2.tmp/version"
	rm -f "$2.tmp"/qemu_*
	touch "$2.tmp/.complete"
	rm -rf "$2"
	mv "$2.tmp" "$2"
}
src="$cache/qemu/src-$(slug "$pin")"
if [ ! -f "$src/.complete" ] && ! fetch "$pin" "$src"; then
	newest=$(apt-cache madison qemu |
		awk -F' *[|] *' -v s="$suite/main Sources" 'index($3, s) {print $2}' |
		sort -V | tail -n1)
	[ -n "$newest" ] || { say "$suite serves no qemu source"; exit 1; }
	say "WARNING: qemu $pin is not served; using $newest, the newest of $suite"
	src="$cache/qemu/src-$(slug "$newest")"
	[ -f "$src/.complete" ] || fetch "$newest" "$src"
fi
version=$(cat "$src/version")
out=$(out_of "$version")
say "qemu $version source in $src/qemu"
[ "$fetch_only" = 1 ] && exit 0
if [ -f "$out/.complete" ]; then
	echo "$out/build/qemu-system-x86_64"
	exit 0
fi

# Two builds of one tree at once would delete each other's work: the second
# waits, then finds the first one's result.
mkdir -p "$cache/qemu"
exec 9>"$cache/qemu/build.lock"
flock 9
if [ -f "$out/.complete" ]; then
	echo "$out/build/qemu-system-x86_64"
	exit 0
fi

# A private copy of the source with the models added.
rm -rf "$out"
mkdir -p "$out"
say "copying the source to $out/src"
cp -a "$src/qemu" "$out/src"
cp "$models"/hv-*.c "$models"/hv-*.h "$out/src/hw/hyperv/"
cat "$models/meson.build.in" >>"$out/src/hw/hyperv/meson.build"
# Fixes to QEMU's own devices that the scenarios ran into.
for p in "$models"/patches/*.patch; do
	say "applying $(basename "$p")"
	patch -d "$out/src" -p1 -s <"$p" >&2 || {
		say "$(basename "$p") does not apply to qemu $version"
		exit 1
	}
done
# Debian's orig tarball has no EDK2 images; do not try to unpack them.
sed -i 's/^\( *unpack_edk2_blobs = \)bzip2.found()/\1false/' "$out/src/meson.build"
grep -q '^ *unpack_edk2_blobs = false$' "$out/src/meson.build" || {
	say "could not turn off the EDK2 images in meson.build"
	exit 1
}

# Firmware comes from Debian's packages (seabios, qemu-system-data): the
# binary finds it there when run from the build folder. TCG and virtfs make
# the same binary fit for tests/vm's outer VM too.
mkdir -p "$out/build"
say "configuring"
# Debian's python3, where meson and pycotap are, whatever python3 is first
# in PATH.
(cd "$out/build" && ../src/configure --python=/usr/bin/python3 --prefix=/usr \
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
	--target-list=x86_64-softmmu --without-default-features \
	--enable-kvm --enable-tcg --enable-slirp --enable-hv-balloon \
	--enable-fdt=system --enable-attr --enable-virtfs \
	--disable-docs --disable-install-blobs --disable-werror \
	>"$out/configure.log" 2>&1) || {
	tail -n 30 "$out/configure.log" >&2
	exit 1
}
say "building (ninja -j2, a few minutes)"
start=$(date +%s)
ninja -C "$out/build" -j2 qemu-system-x86_64 >"$out/build.log" 2>&1 || {
	grep -E -A5 'error|FAILED' "$out/build.log" | head -n 60 >&2
	exit 1
}
bin="$out/build/qemu-system-x86_64"
# Run from its build folder, QEMU looks for firmware under qemu-bundle/:
# point that at Debian's (SeaBIOS, the option ROMs of qemu-system-data).
bundle="$out/build/qemu-bundle"
for d in /usr/share/seabios /usr/lib/ipxe/qemu; do
	[ -e "$bundle$d" ] || { mkdir -p "$(dirname "$bundle$d")"; ln -s "$d" "$bundle$d"; }
done
mkdir -p "$bundle/usr/share/qemu"
for f in /usr/share/qemu/*; do
	[ -e "$bundle$f" ] || [ -L "$bundle$f" ] || ln -s "$f" "$bundle$f"
done
for dev in vmbus-bridge hv-balloon hv-heartbeat hv-shutdown hv-timesync hv-scsi hv-ide hv-net; do
	"$bin" -device help 2>/dev/null | grep -q "\"$dev\"" || {
		say "the built QEMU lacks $dev"
		exit 1
	}
done
# tcg-hyperv.patch: Hyper-V's interface under TCG refuses what it lacks.
# (QEMU exits non-zero there: keep its words, not its status.)
refusal=$(timeout 60 "$bin" -accel tcg -machine q35 -cpu max,hv-vapic \
	-display none -nodefaults -S 2>&1 || true)
if ! grep -q 'hv-vapic is not implemented under TCG' <<<"$refusal"; then
	say "the built QEMU lacks Hyper-V's interface under TCG"
	exit 1
fi
say "built in $(($(date +%s) - start)) s"
touch "$out/.complete"
echo "$bin"
