#!/bin/bash
# Fetch the parts of the kernel's source that openlis uses from Debian's
# source package, into the cache: checkpatch and its data files (the style
# check), and tools/hv (upstream's daemons, built for the test guests where
# Debian's hyperv-daemons lacks one). Prints the folder.
# Usage: fetch-kernel-source.sh [matrix name]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
name=${1:-6.12}
parts=('*/scripts/checkpatch.pl' '*/scripts/spelling.txt'
	'*/scripts/const_structs.checkpatch' '*/tools/hv/*')
kd=$("$here/fetch-kernel.sh" "$name")
version=$(cat "$kd/version")
# The list of parts is in the key: a folder fetched with fewer is not reused.
key=$(printf '%s\n' "${parts[@]}" | sha256sum | cut -c1-8)
dest="$cache/src/linux-$(echo "$version" | tr '~+:' '___')-$key"
if [ -f "$dest/.complete" ]; then
	echo "$dest"
	exit 0
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
chmod 777 "$dest.tmp"
(cd "$dest.tmp" && apt-get source -q --download-only "linux=$version" >&2)
tarball=$(ls "$dest.tmp"/linux_*.orig.tar.xz | head -n1)
tar -xf "$tarball" -C "$dest.tmp" --strip-components=1 --wildcards "${parts[@]}"
rm -f "$dest.tmp"/linux_*
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
# Folders of this version fetched with another list of parts are stale.
for old in "$cache/src/checkpatch-$(echo "$version" | tr '~+:' '___')" \
	"$cache/src/linux-$(echo "$version" | tr '~+:' '___')"-*; do
	[ "$old" = "$dest" ] || rm -rf "$old"
done
echo "$dest"
