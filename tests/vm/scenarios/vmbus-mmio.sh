# vmbus_allocate_mmio() and vmbus_free_mmio() of the loaded VMBus core,
# through tests/kmod/olvb_mmio_test.ko, which uses only the exported API:
# 8 MiB aligned to 1 MiB anywhere, 2 MiB below 4 GiB, 1 TiB (must fail), and
# the first range again after freeing it (must start where it did). One
# check per step, from the module's kernel log lines. The results go to the
# host, which compares them with the in-tree stack's guest on the same
# kernel: the same windows and the same first fit give the same ranges.
# modules: hv_vmbus
# testmods: olvb_mmio_test
# timeout: 60

tag=olvb_mmio_test
set -- /lib/openlis-modules/*-$tag.ko
ko=$1
if [ ! -e "$ko" ]; then
	skip vmbus.mmio "no $tag.ko in /lib/openlis-modules: the harness did not ship the test module"
	exit 0
fi

# The guest's /init loads every shipped module at boot: take that copy out
# so the results below are this load's own.
if [ -d /sys/module/$tag ] && ! err=$(rmmod $tag 2>&1); then
	fail vmbus.mmio.rmmod "$err"
fi
marker="$tag: scenario start $$ $(date +%s)"
echo "$marker" >/dev/kmsg
if err=$(insmod "$ko" 2>&1); then
	pass vmbus.mmio.load "all steps as expected"
else
	fail vmbus.mmio.load "insmod: $err"
fi
rmmod $tag 2>/dev/null

# This load's lines, without the timestamp: "<step> <ok|FAIL> <result...>".
lines=/tmp/vmbus-mmio.txt
testmod_lines $tag "$marker" "$lines"

# step <name> <check>: one check from the module's line for the step.
step() { testmod_step "$lines" $tag "$1" "$2"; }
step a-8M-anywhere vmbus.mmio.alloc-8M
step b-2M-below-4G vmbus.mmio.alloc-below-4G
step c-1T-impossible vmbus.mmio.alloc-1T-fails
step d-8M-again vmbus.mmio.realloc
step d-same-start vmbus.mmio.free-reuses
step "done" vmbus.mmio.done

# Where the in-tree stack is the reference, every result must be its own.
n=0
while IFS= read -r line; do
	say "@@DATA vmbus-mmio $line" >/dev/null
	n=$((n + 1))
done <"$lines"
if [ "$n" -eq 0 ]; then
	fail vmbus.mmio.compare "no lines from $tag in the kernel log"
else
	r=$(host compare vmbus-mmio)
	set -- $r
	case "$1" in
	reference) pass vmbus.mmio.compare "$2 results: the reference for $KERNEL" ;;
	same) pass vmbus.mmio.compare "$2 results, as on the in-tree core" ;;
	none) skip vmbus.mmio.compare "no in-tree results for $KERNEL in this run (run --stack intree first)" ;;
	differ) shift 3; fail vmbus.mmio.compare "differs from the in-tree core: $*" ;;
	*) fail vmbus.mmio.compare "host: $r" ;;
	esac
fi
