#!/bin/bash
# Compare the symbols openlis's hv_vmbus exports with the ones the kernel's own
# hv_vmbus exports: same names, same CRCs, same export kind. Exits non-zero
# and names every difference.
# Usage: check-symvers.sh <kdir> <our Module.symvers>
# OPENLIS_SYMVERS_SKIP lists symbols deliberately not exported (default: the
# two whose types live in the in-tree core's private header).
set -euo pipefail

kdir=${1:?usage: check-symvers.sh <kdir> <our Module.symvers>}
ours=${2:?usage: check-symvers.sh <kdir> <our Module.symvers>}
skip=" ${OPENLIS_SYMVERS_SKIP-vmbus_connection vmbus_devs} "

want=$(awk '$3 ~ /(^|\/)drivers\/hv\/hv_vmbus$/ { print $2, $1, $4 }' \
	"$kdir/Module.symvers" | sort)
have=$(awk '$3 ~ /(^|\/)vmbus\/hv_vmbus$/ { print $2, $1, $4 }' "$ours" | sort)

if [ -z "$want" ]; then
	echo "check-symvers: $kdir/Module.symvers has no drivers/hv/hv_vmbus" >&2
	exit 2
fi

bad=0
while read -r name crc kind; do
	line=$(grep -E "^$name " <<<"$have" || true)
	if [ -z "$line" ]; then
		case "$skip" in
		*" $name "*) echo "skipped: $name (not exported on purpose)" ;;
		*) echo "missing: $name"; bad=1 ;;
		esac
		continue
	fi
	read -r _ ocrc okind <<<"$line"
	if [ "$ocrc" != "$crc" ]; then
		echo "crc differs: $name kernel $crc openlis $ocrc"
		bad=1
	fi
	if [ "$okind" != "$kind" ]; then
		echo "export kind differs: $name kernel $kind openlis $okind"
		bad=1
	fi
done <<<"$want"

while read -r name _ _; do
	[ -n "$name" ] || continue
	if ! grep -qE "^$name " <<<"$want"; then
		echo "extra: $name"
		bad=1
	fi
done <<<"$have"

n=$(grep -c . <<<"$want")
if [ "$bad" = 0 ]; then
	echo "check-symvers: hv_vmbus matches $kdir ($n symbols)"
fi
exit "$bad"
