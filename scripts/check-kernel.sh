#!/bin/sh
# Say clearly what openlis can do for the kernel at <kdir>, before building.
# Exit 1 only when nothing can be built at all.
set -eu
kdir=${1:?usage: check-kernel.sh <kdir>}
cfg="$kdir/.config"

if [ ! -f "$cfg" ]; then
	echo "openlis: $kdir has no .config: not a configured kernel tree" >&2
	exit 1
fi
val() { sed -n "s/^$1=//p" "$cfg"; }

hyperv=$(val CONFIG_HYPERV)
vmbus=$(val CONFIG_HYPERV_VMBUS)
core=${vmbus:-$hyperv}

if [ -z "$hyperv" ]; then
	echo "openlis: this kernel has no Hyper-V support (CONFIG_HYPERV is not set)" >&2
	exit 1
fi
if [ "$core" = y ]; then
	echo "openlis: NOTE: this kernel's VMBus core is built in" \
		"(CONFIG_HYPERV${vmbus:+_VMBUS}=y); hv_vmbus cannot replace it and is" \
		"not built: the other modules build against the kernel's own core."
fi
