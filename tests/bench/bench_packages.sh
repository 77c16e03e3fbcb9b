#!/bin/bash
# bench_packages.sh - package verification: irsnap's packages-all source
# (every packaged file against dpkg's MD5, read natively) against the host
# tools a practitioner would run, `dpkg -V` and `debsums -c`, interleaved
# on the same machine and page cache; and the triage's `packages` step
# (the system folders only).
#
#   IRSNAP=build/release/irsnap RUNS=3 tests/bench/bench_packages.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
RUNS=${RUNS:-3}
[ -f /var/lib/dpkg/status ] || { echo "bench: not a Debian system"; exit 77; }
for t in dpkg debsums; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-pk.XXXXXX)
trap 'rm -rf "$W"' EXIT
printf 'profile bench-pk-all\nstep packages-all\n' >"$W/all.profile"
printf 'profile bench-pk\nstep packages\n' >"$W/sys.profile"
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
run() {   # run NAME COMMAND
	/usr/bin/time -f '%e %M' -o "$W/t" sh -c "$2" >/dev/null 2>&1
	tail -n 1 "$W/t" >>"$W/$1.times"
}
for i in $(seq 1 "$RUNS"); do
	run all "'$IRSNAP' collect -o - --profile '$W/all.profile' 2>/dev/null | cat >/dev/null"
	run dpkg "dpkg -V"
	run debsums "debsums -c"
	run sys "'$IRSNAP' collect -o - --profile '$W/sys.profile' 2>/dev/null | cat >/dev/null"
done
files=$(cat /var/lib/dpkg/info/*.md5sums | wc -l)
printf '\npackage verification, %s packaged files, %s runs %8s %12s %8s\n' "$files" "$RUNS" "median s" \
	"max RSS KiB" "ratio"
at=$(awk '{print $1}' "$W/all.times" | median)
for n in all dpkg debsums sys; do
	t=$(awk '{print $1}' "$W/$n.times" | median); m=$(awk '{print $2}' "$W/$n.times" | median)
	case $n in all) l="irsnap packages-all (every file, to a pipe)" ;; dpkg) l="dpkg -V" ;;
		debsums) l="debsums -c" ;; sys) l="irsnap packages (the system folders)" ;; esac
	printf '  %-46s %8s %12s %8s\n' "$l" "$t" "$m" \
		"$(awk -v a="$at" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
done
echo "  (ratio = irsnap packages-all / the row)"
