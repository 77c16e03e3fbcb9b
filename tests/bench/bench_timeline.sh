#!/bin/bash
# bench_timeline.sh - the file timeline of N files (default 1,000,000), and
# what the investigator does with it: irsnap's timeline step against GNU
# find printing the same fields (-printf, the practitioner's bodyfile
# without a forensic tool), interleaved; then, on the bundle, the HTML
# report (its time, peak memory and size) and the SQLite export.
#
#   IRSNAP=build/release/irsnap N=1000000 RUNS=3 tests/bench/bench_timeline.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
N=${N:-1000000}
RUNS=${RUNS:-3}
for t in find python3; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-tl.XXXXXX)
M=""
cleanup() { [ -n "$M" ] && umount -l "$M" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
# the tree on a tmpfs of its own: no disk in the figures, and gone afterwards
mkdir -p "$W/tree" "$W/out"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4g,nr_inodes=$((N + 100000)) irsnap-bench "$W/tree"; then
	M=$W/tree
fi
python3 - "$W/tree" "$N" <<'PY'
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
now = time.time()
for i in range(n):
    sub = os.path.join(d, f'd{i // 1000:04d}')
    if i % 1000 == 0:
        os.mkdir(sub)
    p = os.path.join(sub, f'f{i:07d}.log')
    with open(p, 'w') as f:
        f.write('x')
    t = now - (i % 60) * 86400 / 2   # a month of mtimes: a quarter in the 7-day window
    os.utime(p, (t, t))
PY
printf 'profile bench-timeline\ntimeline %s\n' "$W/tree" >"$W/p.profile"
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for i in $(seq 1 "$RUNS"); do
	rm -f "$W/out/b.tar"
	/usr/bin/time -f '%e %M' -o "$W/t" sh -c "'$IRSNAP' collect -o - --profile '$W/p.profile' 2>/dev/null | cat >'$W/out/b.tar'"
	tail -n 1 "$W/t" >>"$W/irsnap.times"   # GNU time says a non-zero exit on a line before
	/usr/bin/time -f '%e %M' -o "$W/t" sh -c "find '$W/tree' -printf '0|%p|%i|%M|%U|%G|%s|%A@|%T@|%C@|0\n' >'$W/out/find.txt'"
	tail -n 1 "$W/t" >>"$W/find.times"
done
it=$(awk '{print $1}' "$W/irsnap.times" | median); im=$(awk '{print $2}' "$W/irsnap.times" | median)
ft=$(awk '{print $1}' "$W/find.times" | median); fm=$(awk '{print $2}' "$W/find.times" | median)
printf '\ntimeline of %s files, %s runs %20s %12s %8s\n' "$N" "$RUNS" "median s" "max RSS KiB" "ratio"
printf '  %-44s %8s %12s %8s\n' "irsnap collect (timeline step, to a file)" "$it" "$im" \
	"$(awk -v a="$it" -v b="$ft" 'BEGIN {printf "%.2f", a / b}')"
printf '  %-44s %8s %12s\n' "find -printf (the same fields, no hashes)" "$ft" "$fm"
# the investigator's side, one run each
/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" report -o "$W/out/r.html" "$W/out/b.tar" 2>/dev/null
printf '  %-44s %8s s %10s KiB   (%s bytes, %s timeline rows shown)\n' "report -o page.html" \
	$(tail -n 1 "$W/t") "$(stat -c %s "$W/out/r.html")" "$(grep -c '^<tr><td>[0-9-]*T' "$W/out/r.html")"
/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" export --sqlite "$W/out/c.db" "$W/out/b.tar" >/dev/null 2>&1
printf '  %-44s %8s s %10s KiB\n' "export --sqlite" $(tail -n 1 "$W/t")
echo "  (bundle $(stat -c %s "$W/out/b.tar") bytes)"
