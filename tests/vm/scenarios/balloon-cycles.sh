# Twenty inflate/deflate cycles of 128 MiB leave the guest as they found it:
# MemTotal back to its start and no slab growth to speak of (nothing leaks
# per request).
# modules: hv_vmbus hv_balloon
# timeout: 300
# host: openlis-qemu

mib=$((1024 * 1024))
step=$((128 * mib))
cycles=20

actual0=$(host query-balloon)
case "$actual0" in
''|*[!0-9]*)
	fail balloon.cycles.query "host query-balloon said '$actual0'"
	exit 0 ;;
esac
total0=$(meminfo_kb MemTotal)
target=$((actual0 - step))

# The first target may wait out QEMU's 50 s post-init quiet time; measure
# Slab only once that is behind us, with the guest back at its start.
expect balloon.cycles.set "$(host balloon "$target")" ok
r=$(host wait-balloon "$target" 120)
case "$r" in
ok*) ;;
*) fail balloon.cycles.first "$r (target $((target / mib)) MiB)"; exit 0 ;;
esac
host balloon "$actual0" >/dev/null
back() { [ "$(meminfo_kb MemTotal)" -ge $((total0 - 1024)) ]; }
if ! wait_for 60 back; then
	fail balloon.cycles.first "MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB after the first deflate, expected $((total0 / 1024))"
	exit 0
fi
sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
slab0=$(meminfo_kb Slab)
start=$(date +%s)

i=0 bad=''
down() { [ "$(meminfo_kb MemTotal)" -le $((total0 - 120 * 1024)) ]; }
while [ $i -lt $cycles ]; do
	i=$((i + 1))
	host balloon "$target" >/dev/null
	r=$(host wait-balloon "$target" 20)
	case "$r" in ok*) ;; *) bad="cycle $i inflate: $r"; break ;; esac
	if ! wait_for 20 down; then
		bad="cycle $i inflate: MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB"
		break
	fi
	host balloon "$actual0" >/dev/null
	r=$(host wait-balloon "$actual0" 20)
	case "$r" in ok*) ;; *) bad="cycle $i deflate: $r"; break ;; esac
	if ! wait_for 20 back; then
		bad="cycle $i deflate: MemTotal $(($(meminfo_kb MemTotal) / 1024)) MiB"
		break
	fi
done
secs=$(($(date +%s) - start))
if [ -z "$bad" ]; then
	pass balloon.cycles.run "$cycles cycles of $((step / mib)) MiB in $secs s"
else
	fail balloon.cycles.run "$bad"
	host balloon "$actual0" >/dev/null
	wait_for 60 back
fi

total1=$(meminfo_kb MemTotal)
d=$((total1 - total0))
if [ "${d#-}" -le 2048 ]; then
	pass balloon.cycles.memtotal "MemTotal $((total0 / 1024)) -> $((total1 / 1024)) MiB ($d KiB)"
else
	fail balloon.cycles.memtotal "MemTotal $total0 -> $total1 KiB"
fi

sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
slab1=$(meminfo_kb Slab)
if [ $((slab1 - slab0)) -le 4096 ]; then
	pass balloon.cycles.slab "Slab $slab0 -> $slab1 KiB"
else
	fail balloon.cycles.slab "Slab grew $slab0 -> $slab1 KiB over $cycles cycles"
fi

r=$(host wait-balloon "$actual0" 30)
case "$r" in
ok*) set -- $r; pass balloon.cycles.restore "host $(($2 / mib)) MiB" ;;
*) fail balloon.cycles.restore "$r (target $((actual0 / mib)) MiB)" ;;
esac
