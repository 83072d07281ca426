#!/bin/bash
# make demo: boot Debian's 6.12 kernel as a Hyper-V guest on the emulated
# host with openlis's modules, and show what it negotiated and what the host
# offers. DEMO_KERNEL=6.1 for the other kernel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
"$here/../../scripts/install-deps.sh"
exec "$here/run.py" --kernel "${DEMO_KERNEL:-6.12}" --stack openlis --scenario demo
