#!/bin/bash
# bench_triage.sh - what a whole triage costs on this machine: the total
# time, the bundle's size and each step's time, from the work log, of this
# build and (IRSNAP_BASE=/path/to/an/older/irsnap) of an older one,
# interleaved run by run on the same host and page cache. A step only one
# build has is shown with "-" for the other: what a new step costs.
#
#   sudo IRSNAP_BASE=/tmp/base/build/release/irsnap RUNS=3 tests/bench/bench_triage.sh
#
# The first run of each build warms the page cache and is not counted when
# RUNS > 1. Never a pass/fail on speed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
BASE=${IRSNAP_BASE:-}
RUNS=${RUNS:-3}
PROFILE=${PROFILE:-triage}
[ "$(id -u)" = 0 ] || { echo "bench: run as root"; exit 77; }
command -v python3 >/dev/null || { echo "bench: needs python3"; exit 77; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
# the bundles go to a tmpfs of their own: never the host's disk
W=$(mktemp -d /tmp/irsnap-bench.XXXXXX)
mount -t tmpfs -o size=8g irsnap-bench "$W" || { rmdir "$W"; echo "bench: cannot mount a tmpfs"; exit 77; }
trap 'umount -l "$W"; rmdir "$W"' EXIT

one() {   # one NAME BINARY RUN
	local out=$W/$1-$3.tar
	/usr/bin/time -f '%e %M' -o "$W/$1-$3.time" "$2" collect -o "$out" --profile "$PROFILE" \
		>/dev/null 2>"$W/$1-$3.err" || { echo "bench: $1 run $3 failed"; tail -n 3 "$W/$1-$3.err"; }
	stat -c %s "$out" >"$W/$1-$3.size" 2>/dev/null || echo 0 >"$W/$1-$3.size"
	# the work log, for the steps' times; the index, for their bytes
	tar -xOf "$out" --wildcards '*/acquisition.log' >"$W/$1-$3.log" 2>/dev/null
	tar -xOf "$out" --wildcards '*/index.jsonl' >"$W/$1-$3.index" 2>/dev/null
	rm -f "$out"
}

names=(new)
[ -n "$BASE" ] && names=(base new)
for i in $(seq "$RUNS"); do
	for n in "${names[@]}"; do
		bin=$IRSNAP
		[ "$n" = base ] && bin=$BASE
		one "$n" "$bin" "$i"
	done
done
python3 - "$W" "$RUNS" "$PROFILE" "${names[@]}" <<'PY'
import json, re, statistics, sys
w, runs, profile, names = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
counted = range(2, runs + 1) if runs > 1 else range(1, 2)
step = re.compile(r"step \d+: (\w+) '([^']+)' ends after ([0-9.]+) s")
res = {}
for n in names:
    t, rss, size, steps, byts = [], [], [], {}, {}
    for i in counted:
        a, b = open(f'{w}/{n}-{i}.time').read().split()[:2]
        t.append(float(a)); rss.append(int(b))
        size.append(int(open(f'{w}/{n}-{i}.size').read()))
        for line in open(f'{w}/{n}-{i}.log', errors='replace'):
            m = step.search(line)
            if m:
                name = m.group(2) if m.group(1) == 'step' else m.group(1) + ' ' + m.group(2)
                steps.setdefault(name, []).append(float(m.group(3)))
        b = {}
        for line in open(f'{w}/{n}-{i}.index', errors='replace'):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            b[o.get('step')] = b.get(o.get('step'), 0) + (o.get('bytes') or 0)
        for k, v in b.items():
            byts.setdefault(k, []).append(v)
    res[n] = (statistics.median(t), statistics.median(rss), statistics.median(size),
              {k: statistics.median(v) for k, v in steps.items()},
              {k: statistics.median(v) for k, v in byts.items()})
print(f'collection of this host, profile {profile}: medians of {len(counted)} run(s)'
      + (' (the first, cold, not counted)' if runs > 1 else ''))
hdr = ''.join(f'{n:>16}' for n in names)
print(f'  {"":28}{hdr}')
print(f'  {"total (s)":28}' + ''.join(f'{res[n][0]:16.2f}' for n in names))
print(f'  {"max RSS (KiB)":28}' + ''.join(f'{res[n][1]:16d}' for n in names))
print(f'  {"bundle (bytes)":28}' + ''.join(f'{res[n][2]:16,d}' for n in names))
allsteps = []
for n in names:
    for k in res[n][3]:
        if k not in allsteps:
            allsteps.append(k)
print(f'  {"time (s) of":28}' + ''.join(f'{n:>16}' for n in names))
for k in allsteps:
    cells = ''.join(f'{res[n][3][k]:16.3f}' if k in res[n][3] else f'{"-":>16}' for n in names)
    print(f'  {k[:27]:28}{cells}')
print(f'  {"bytes archived by step":28}' + ''.join(f'{n:>16}' for n in names))
keys = sorted({k for n in names for k in res[n][4]}, key=lambda k: -max(res[n][4].get(k, 0) for n in names))
for k in keys:
    cells = ''.join(f'{int(res[n][4][k]):16,d}' if k in res[n][4] else f'{"-":>16}' for n in names)
    print(f'  {str(k)[:27]:28}{cells}')
if len(names) == 2:
    b, n = res['base'], res['new']
    print(f'  ratio new / base: total {n[0] / b[0]:.2f}, bundle {n[2] / b[2]:.3f}, RSS {n[1] / b[1]:.2f}')
PY
