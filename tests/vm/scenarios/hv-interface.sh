# The hypervisor's Hyper-V interface below VMBus, through
# tests/kmod/hvif_test.ko with no VMBus core loaded: the CPUID leaves, the
# partition and SynIC MSRs, HvPostMessage and HvSignalEvent echoed back by
# QEMU's hyperv-testdev (message and event flag, each with its interrupt),
# a message posted while its slot is busy (PENDING set, delivered after
# the guest's EOM), an unknown connection and an unknown hypercall refused,
# a one-shot and a periodic synthetic timer. One check per step, from the
# module's kernel log lines. On the nested route the interface is KVM's,
# on the tcg route openlis's QEMU patch (tests/host/patches/tcg-hyperv.patch):
# the same checks hold both to Hyper-V's specification. A kernel whose
# VMBus core is built in (7.x) skips it: the core owns the SynIC.
# qemu: -device hyperv-testdev
# testmods: hvif_test
# core: modular
# timeout: 60

tag=hvif_test
ko=$(ko $tag)
if [ -z "$ko" ]; then
	skip hvif.load "no $tag.ko in /lib/openlis-modules: the harness did not ship the test module"
	exit 0
fi
if loaded hv_vmbus; then
	fail hvif.alone "a VMBus core is loaded: the test needs the SynIC to itself"
	exit 0
fi

# The guest's /init loaded every shipped module at boot: this run's lines
# start after the marker.
rmmod $tag 2>/dev/null
marker="$tag: scenario start $$ $(date +%s)"
echo "$marker" >/dev/kmsg
if err=$(insmod "$ko" 2>&1); then
	pass hvif.load "all steps as expected"
else
	fail hvif.load "insmod: $err"
fi
rmmod $tag 2>/dev/null

lines=/tmp/hv-interface.txt
testmod_lines $tag "$marker" "$lines"

for s in cpuid-vendor cpuid-features guest-os-id hypercall-msr vp-index \
	time-ref-count synic-version post-message sint-interrupt \
	busy-slot-pending eom-redelivers post-unknown-conn bad-hypercall \
	signal-event event-interrupt stimer-oneshot stimer-oneshot-off \
	stimer-periodic done; do
	testmod_step "$lines" $tag "$s" "hvif.$s"
done
