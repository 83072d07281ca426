#!/bin/bash
# iperf3 for the network scenarios: the build machine's own, installed from
# Debian when missing (root), for the peer namespace's server and, with its
# shared libraries (tests/vm/run.py adds them), for the guests' client.
# Debian ships no static iperf3 and its mirror here serves no iperf3 source
# to build one from.
#
#   scripts/host-iperf3.sh
#
# The last line on stdout is the binary's path; progress goes to stderr.
set -euo pipefail

bin=/usr/bin/iperf3
if [ ! -x "$bin" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "host-iperf3: iperf3 is missing; run as root" >&2
		exit 1
	fi
	echo "host-iperf3: installing iperf3" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends iperf3 >&2
fi
echo "$bin"
