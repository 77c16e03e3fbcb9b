#!/bin/bash
# bench_tree.sh - listing and timelining a tree of N small files: time and
# peak memory at N/10 and N (memory must not grow with N), against GNU find
# printing the same metadata; every file must be in the listing.
#
#   IRSNAP=build/release/irsnap N=1000000 tests/bench/bench_tree.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
N=${N:-1000000}
for t in find python3 tar; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-tree.XXXXXX)
M=""
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4g,nr_inodes=4m irsnap-bench "$W" 2>/dev/null; then M=$W; fi
trap '[ -n "$M" ] && umount -l "$M"; rm -rf "$W"' EXIT

make_tree() {   # make_tree DIR COUNT: 1000 files per directory
	python3 - "$1" "$2" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(d, f'd{i // 1000:05d}')
    if i % 1000 == 0: os.makedirs(sub)
    os.close(os.open(os.path.join(sub, f'f{i}'), os.O_CREAT | os.O_WRONLY, 0o644))
PY
}
run() {   # run LABEL COUNT
	rm -rf "$W/t" && mkdir "$W/t" && make_tree "$W/t" "$2"
	printf 'profile bench-tree\nlist %s max-depth 8\ntimeline %s max-depth 8\n' "$W/t" "$W/t" >"$W/p.profile"
	/usr/bin/time -f '%e %M' -o "$W/irs" sh -c "'$IRSNAP' collect -o - --profile '$W/p.profile' 2>/dev/null >'$W/b.tar'"
	/usr/bin/time -f '%e %M' -o "$W/find" sh -c "find '$W/t' -printf '%p %i %m %U %G %s %A@ %T@ %C@\n' >/dev/null"
	listed=$(tar -xOf "$W/b.tar" --wildcards '*/listing/*' | grep -c '"type":"file"')
	rm -f "$W/b.tar"
	read -r it im <"$W/irs"; read -r ft fm <"$W/find"
	printf '%-10s %9s files listed %8s s %10s KiB   | find -printf %6s s %8s KiB\n' "$1" "$listed" "$it" "$im" "$ft" "$fm"
	[ "$listed" = "$2" ] || echo "bench: INCOMPLETE: $listed of $2 files in the listing"
}
echo "bench: irsnap list + timeline of a tree (one run each), peak RSS must not grow with N"
run "N/10" $(( N / 10 ))
run "N" "$N"
