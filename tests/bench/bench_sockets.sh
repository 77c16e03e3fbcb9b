#!/bin/bash
# bench_sockets.sh - C loopback TCP connections held open by one process:
# every one must be in sockets.jsonl with its owner; then time and peak
# memory of irsnap (its sockets step, and the whole run) against
# `ss -tanpu` and `netstat -tanpu`, interleaved, medians.
#
#   IRSNAP=build/release/irsnap C=10000 RUNS=5 tests/bench/bench_sockets.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
C=${C:-10000}
RUNS=${RUNS:-5}
for t in ss netstat python3 tar; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-sockets.XXXXXX)
HOLDERS=()
trap '{ for h in "${HOLDERS[@]}"; do kill -9 $h; done; wait; } 2>/dev/null; rm -rf "$W"' EXIT
# each holder keeps both ends of its connections: at most 4000 per process,
# so the usual fd limit (often 20000 without CAP_SYS_RESOURCE) suffices
PER=4000
ulimit -n $(( PER * 2 + 256 )) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $(( PER * 2 + 64 )) ] || { echo "bench: fd limit $(ulimit -n) too low"; exit 77; }

hold() {   # hold COUNT READYFILE
python3 - "$1" "$2" <<'PY' &
import os, resource, socket, struct, sys, time
c, ready = int(sys.argv[1]), sys.argv[2]
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(4096)
keep = []
for i in range(c):
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); keep += [a, b]
    for x in (a, b):   # reset on exit: no TIME_WAIT left to skew the next run
        x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
open(ready, 'w').write(str(l.getsockname()[1]))
time.sleep(100000)
PY
HOLDERS+=($!)
}
left=$C; k=0
while [ "$left" -gt 0 ]; do
	c=$(( left < PER ? left : PER )); hold "$c" "$W/ready.$k"; left=$((left - c)); k=$((k + 1))
done
for _ in $(seq 1 900); do [ "$(ls "$W" | grep -c '^ready\.')" = "$k" ] && break; sleep 0.1; done
[ "$(ls "$W" | grep -c '^ready\.')" = "$k" ] || { echo "bench: the connections were not made"; exit 1; }
PORTS=$(for f in "$W"/ready.*; do cat "$f"; echo; done | paste -sd,)
echo "bench: $C loopback connections ($((2 * C)) sockets) held by ${#HOLDERS[@]} processes"

for i in $(seq 1 "$RUNS"); do
	rm -f "$W/b.tar"
	/usr/bin/time -f '%e %M' -o "$W/t" "$IRSNAP" collect -o "$W/b.tar" --allow-host-output --profile minimal --stats >/dev/null 2>"$W/stats.err"
	cat "$W/t" >>"$W/irsnap.times"
	sed -nE 's/^irsnap: stats: [0-9]+ +step +[0-9.]+ +([0-9.]+)  sockets$/\1/p' "$W/stats.err" >>"$W/step.times"
	/usr/bin/time -f '%e %M' -o "$W/t" ss -tanpu >/dev/null 2>&1; cat "$W/t" >>"$W/ss.times"
	/usr/bin/time -f '%e %M' -o "$W/t" netstat -tanpu >/dev/null 2>&1; cat "$W/t" >>"$W/netstat.times"
done
# completeness: every connection of the holder, both ends, with its owner
tar -xOf "$W/b.tar" --wildcards '*/volatile/sockets.jsonl' >"$W/sockets.jsonl"
have=$(python3 - "$W/sockets.jsonl" "$(IFS=,; echo "${HOLDERS[*]}")" "$PORTS" <<'PY'
import json, sys
pids = {int(x) for x in sys.argv[2].split(',')}
ports = {int(x) for x in sys.argv[3].split(',') if x}
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r['proto'] == 'tcp' and r['state'] == 'ESTABLISHED' and ports & {r['local']['port'], r['remote']['port']} \
       and pids & {o['pid'] for o in r['owners']}:
        n += 1
print(n)
PY
)
echo "bench: sockets.jsonl has $have of $((2 * C)) connection ends with their owner"

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$W/$1.times"; }
it=$(col irsnap 1 | median); im=$(col irsnap 2 | median); st=$(median <"$W/step.times")
printf '\n%-30s %10s %12s %10s %10s\n' "C=$C connections, $RUNS runs" "median s" "max RSS KiB" "s ratio" "RSS ratio"
printf '%-30s %10s %12s\n' "irsnap collect (whole run)" "$it" "$im"
printf '%-30s %10s\n' "  of which the sockets step" "$st"
for p in ss netstat; do
	t=$(col $p 1 | median); m=$(col $p 2 | median)
	printf '%-30s %10s %12s %10s %10s\n' "$p -tanpu" "$t" "$m" \
		"$(awk -v a="$st" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')" \
		"$(awk -v a="$im" -v b="$m" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
done
echo "(time ratio uses irsnap's sockets step; RSS ratio its whole run)"
[ "$have" = $((2 * C)) ] || { echo "bench: INCOMPLETE: connections missing from sockets.jsonl"; exit 1; }
