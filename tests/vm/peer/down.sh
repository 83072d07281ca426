#!/bin/bash
# QEMU's downscript for the tap of netvsc-peer: ends what up.sh started in
# the namespace and removes it (the tap goes with QEMU's file).
ns=openlis-peer
ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null
ip netns del $ns 2>/dev/null
rm -f "${OPENLIS_PEER_DIR:-/run/openlis-peer}/status"
exit 0
