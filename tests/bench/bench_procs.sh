#!/bin/bash
# bench_procs.sh - time and peak memory of irsnap's collection at N
# processes, against the shell triage a responder would otherwise run:
# `ps -eLf` plus `lsof -n -P`, interleaved run by run on the same state.
#
#   IRSNAP=build/release/irsnap N=2000 RUNS=5 tests/bench/bench_procs.sh
#
# It starts N sleeping processes (varied command lines, every tenth with
# three threads), measures, and kills exactly what it started. Reports
# medians of wall time and maximum RSS, and the ratios irsnap / peer.
# Not a test: it never fails on speed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
N=${N:-2000}
RUNS=${RUNS:-5}
for t in ps lsof python3; do
	command -v "$t" >/dev/null || { echo "bench: needs $t"; exit 77; }
done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (Debian package time)"; exit 77; }

W=$(mktemp -d /tmp/irsnap-bench.XXXXXX)
GROUP=()
cleanup() {
	local p
	for p in "${GROUP[@]}"; do kill -9 -- "-$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# N processes in a few process groups (one python spawner per 500)
spawn() {   # spawn COUNT OFFSET
	setsid python3 - "$1" "$2" <<'PY' &
import os, sys, threading, time
count, off = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    if os.fork() == 0:
        n = off + i
        if n % 10 == 0:
            for _ in range(2):
                threading.Thread(target=time.sleep, args=(100000,), daemon=True).start()
        # a varied command line, as a real server's would be
        sys.argv[:] = [f'worker-{n}', '--id', str(n), '--conf', f'/etc/app/{n % 7}.conf']
        time.sleep(100000)
        os._exit(0)
time.sleep(100000)
PY
	GROUP+=($!)
}
left=$N; off=0
while [ "$left" -gt 0 ]; do
	c=$(( left < 500 ? left : 500 )); spawn "$c" "$off"; left=$((left - c)); off=$((off + c))
done
# wait until they exist
for _ in $(seq 1 100); do
	have=$(ps -e --no-headers | wc -l)
	[ "$have" -ge "$N" ] && break
	sleep 0.2
done
echo "bench: $(ps -e --no-headers | wc -l) processes, $(ps -eL --no-headers | wc -l) tasks on $(nproc) cores"

measure() {   # measure NAME CMD... -> appends "seconds maxrss_kib" to $W/NAME
	/usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>&1
	cat "$W/t" >>"$W/$1.times" 2>/dev/null || true
}
for i in $(seq 1 "$RUNS"); do
	rm -f "$W/b.tar"
	/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" collect -o "$W/b.tar" --allow-host-output --profile minimal --stats >/dev/null 2>"$W/stats.err"
	cat "$W/t" >>"$W/irsnap.times"
	sed -nE 's/^irsnap: stats: [0-9]+ +step +[0-9.]+ +([0-9.]+)  processes$/\1/p' "$W/stats.err" >>"$W/step.times"
	/usr/bin/time -f '%e %M' -o "$W/t" sh -c 'ps -eLf; lsof -n -P' >/dev/null 2>&1
	cat "$W/t" >>"$W/triage.times"
	/usr/bin/time -f '%e %M' -o "$W/t" ps -eLf >/dev/null 2>&1
	cat "$W/t" >>"$W/ps.times"
	/usr/bin/time -f '%e %M' -o "$W/t" lsof -n -P >/dev/null 2>&1
	cat "$W/t" >>"$W/lsof.times"
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$W/$1.times"; }
irs_t=$(col irsnap 1 | median); irs_m=$(col irsnap 2 | median)
step_t=$(median <"$W/step.times")
printf '\n%-28s %10s %12s %10s %10s\n' "N=$N processes, $RUNS runs" "median s" "max RSS KiB" "s ratio" "RSS ratio"
printf '%-28s %10s %12s\n' "irsnap collect (whole run)" "$irs_t" "$irs_m"
printf '%-28s %10s\n' "  of which the processes step" "$step_t"
for peer in triage ps lsof; do
	t=$(col $peer 1 | median); m=$(col $peer 2 | median)
	name=$peer; [ "$peer" = triage ] && name="ps -eLf + lsof -n -P"
	printf '%-28s %10s %12s %10s %10s\n' "$name" "$t" "$m" \
		"$(awk -v a="$irs_t" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')" \
		"$(awk -v a="$irs_m" -v b="$m" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
done
echo "(ratio = irsnap / peer: below 1 means irsnap is faster or lighter)"
