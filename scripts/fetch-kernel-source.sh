#!/bin/bash
# Fetch the parts of the kernel's source that openlis's checks use
# (checkpatch and its data files) from Debian's source package, into the
# cache. Prints the folder. Usage: fetch-kernel-source.sh [matrix name]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENLIS_CACHE:-$HOME/.cache/openlis}
name=${1:-6.12}
kd=$("$here/fetch-kernel.sh" "$name")
version=$(cat "$kd/version")
dest="$cache/src/checkpatch-$(echo "$version" | tr '~+:' '___')"
if [ -f "$dest/.complete" ]; then
	echo "$dest"
	exit 0
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
chmod 777 "$dest.tmp"
(cd "$dest.tmp" && apt-get source -q --download-only "linux=$version" >&2)
tarball=$(ls "$dest.tmp"/linux_*.orig.tar.xz | head -n1)
tar -xf "$tarball" -C "$dest.tmp" --strip-components=1 --wildcards \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'
rm -f "$dest.tmp"/linux_*
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$dest"
