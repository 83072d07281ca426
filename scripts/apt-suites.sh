#!/bin/sh
# Make the extra Debian suites that openlis needs (bookworm-backports for QEMU
# and the 6.12 kernel, sid for the newest kernel) visible to apt, at a pin low
# enough that nothing on the build machine is upgraded from them by accident.
# The mirror is read from the machine's own apt configuration.
set -eu

src=/etc/apt/sources.list.d/openlis-suites.sources
pin=/etc/apt/preferences.d/openlis-suites

mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
	echo "apt-suites: no Debian mirror found in /etc/apt" >&2
	exit 1
fi

want="Types: deb deb-src
URIs: $mirror
Suites: bookworm-backports trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

if [ ! -f "$src" ] || [ "$(cat "$src")" != "$want" ]; then
	printf '%s\n' "$want" >"$src"
	cat >"$pin" <<PIN
Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100

Package: *
Pin: release n=trixie
Pin-Priority: 50

Package: *
Pin: release n=sid
Pin-Priority: 40
PIN
	apt-get update -q >/dev/null
fi
