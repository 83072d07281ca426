#!/bin/bash
# Fetch one kernel of the matrix (image, modules, headers, kbuild) into the
# cache with apt-get download + dpkg -x; nothing is installed on the machine.
# Prints the directory it filled:
#   <dir>/boot/vmlinuz-<abi>, <dir>/lib/modules/<abi>, <dir>/kdir -> headers
# Usage: fetch-kernel.sh <name from kernels.conf>
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
name=${1:?usage: fetch-kernel.sh <6.1|6.12|7.2>}

read -r suite pinned < <(awk -v n="$name" '$1 == n {print $2, $3}' "$here/kernels.conf")
if [ -z "${suite:-}" ]; then
	echo "fetch-kernel: no kernel named '$name' in kernels.conf" >&2
	exit 2
fi

"$here/apt-suites.sh"

version=$pinned
# apt-cache show exits 0 for a version it does not know: look at what it says.
if ! grep -q '^Package:' <<<"$(apt-cache show "linux-image-amd64=$version" 2>/dev/null)"; then
	version=$(apt-cache madison linux-image-amd64 |
		awk -F'|' -v s="$suite" '$3 ~ s"/" {gsub(/ /, "", $2); print $2; exit}')
	if [ -z "$version" ]; then
		echo "fetch-kernel: suite $suite serves no linux-image-amd64" >&2
		exit 1
	fi
	echo "fetch-kernel: WARNING: $pinned is gone from $suite, using $version" >&2
fi

dest="$cache/kernels/$name-$(echo "$version" | tr "~+:" "___")"
if [ -f "$dest/.complete" ]; then
	echo "$dest"
	exit 0
fi

image=$(apt-cache show "linux-image-amd64=$version" |
	sed -n 's/^Depends:.*\(linux-image-[^ ,]*\).*/\1/p' | head -n1)
abi=${image#linux-image-}
headers=linux-headers-$abi
common=$(apt-cache show "$headers=$version" |
	grep -o 'linux-headers-[^ ,]*-common' | head -n1)
kbuild=$(apt-cache show "$headers=$version" |
	grep -o 'linux-kbuild-[^ ,]*' | head -n1)
# Newer kernels split the image package into binary and modules packages.
parts=$(apt-cache show "$image=$version" |
	{ grep -oE "linux-(binary|modules)-[^ ,]*" || true; } | sort -u | sed "s/\$/=$version/")

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/debs" "$dest.tmp/root"
(
	cd "$dest.tmp/debs"
	# apt's sandbox user cannot write into root's cache.
	chmod 777 .
	apt-get download -q "$image=$version" "$headers=$version" \
		"$common=$version" "$kbuild" $parts >&2
)
for deb in "$dest.tmp"/debs/*.deb; do
	dpkg -x "$deb" "$dest.tmp/root"
done

# Debian's headers point at /usr/src and /usr/lib/linux-kbuild-* with absolute
# links; make them relative so the tree works where it was unpacked.
root="$dest.tmp/root"
find "$root" -type l -lname '/*' | while read -r link; do
	target=$(readlink "$link")
	ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
done

# The headers' Makefile names the common tree by absolute path.
sed -i "s#/usr/src/#$dest/root/usr/src/#g" "$root/usr/src/$headers/Makefile"
ln -sfn "root/usr/src/$headers" "$dest.tmp/kdir"
# Since 7.x Debian ships the image and modules under /usr/lib/modules.
for m in lib/modules/$abi usr/lib/modules/$abi; do
	[ -d "$root/$m/kernel" ] && ln -sfn "root/$m" "$dest.tmp/modules"
done
for v in boot/vmlinuz-$abi usr/lib/modules/$abi/vmlinuz; do
	[ -f "$root/$v" ] && ln -sfn "root/$v" "$dest.tmp/vmlinuz"
done
if [ ! -e "$dest.tmp/vmlinuz" ] || [ ! -e "$dest.tmp/modules" ]; then
	echo "fetch-kernel: no image or modules found in the packages of $abi" >&2
	exit 1
fi
echo "$abi" >"$dest.tmp/abi"
echo "$version" >"$dest.tmp/version"
rm -rf "$dest.tmp/debs"
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$dest"
