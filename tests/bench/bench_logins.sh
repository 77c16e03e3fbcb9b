#!/bin/bash
# bench_logins.sh - parsing a wtmp of R records into JSON and the last view,
# against util-linux `last -F -f` and `utmpdump` on the same file.
#
#   IRSNAP=build/release/irsnap R=100000 RUNS=5 tests/bench/bench_logins.sh
#
# The wtmp is made with `utmpdump -r` from generated text and placed at
# /var/log/wtmp inside a private mount namespace (root needed). irsnap's
# figures: its whole collection run; the logins step (which also copies the
# raw file into the bundle and archives the outputs); and, what the ratio
# uses, the parse itself from its work log ("parsed in": the JSON records
# and the last view, built side by side, as `last` builds its listing).
# Medians; ratios irsnap / peer. Never fails on speed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
IRSNAP=${IRSNAP:-$top/build/release/irsnap}
R=${R:-100000}
RUNS=${RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (mount namespace)"; exit 77; }
for t in utmpdump last python3 unshare; do command -v $t >/dev/null || { echo "bench: needs $t"; exit 77; }; done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time"; exit 77; }
W=$(mktemp -d /tmp/irsnap-bench-logins.XXXXXX)
trap 'rm -rf "$W"' EXIT

python3 - "$R" >"$W/wtmp.txt" <<'PY'
import sys, datetime
n = int(sys.argv[1]); t = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']
i = 0
while i < n:
    if i % 1000 == 0:
        print(f'[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-bench         ] [0.0.0.0        ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]'); i += 1
    tty = f'pts/{i % 40}'; u = users[i % len(users)]; pid = 1000 + i
    t += datetime.timedelta(seconds=7)
    print(f'[7] [{pid:05d}] [ts/{i % 40}] [{u:8}] [{tty:12}] [10.0.{i % 250}.{i % 200}       ] [10.0.{i % 250}.{i % 200}     ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]'); i += 1
    t += datetime.timedelta(seconds=300)
    print(f'[8] [{pid:05d}] [ts/{i % 40}] [        ] [{tty:12}] [                    ] [0.0.0.0        ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]'); i += 1
PY
utmpdump -r <"$W/wtmp.txt" >"$W/wtmp" 2>/dev/null
echo "bench: wtmp of $(( $(stat -c %s "$W/wtmp") / 384 )) records, $(stat -c %s "$W/wtmp") bytes"

for i in $(seq 1 "$RUNS"); do
	rm -f "$W/b.tar"
	unshare -m bash -c 'mount -t tmpfs x /var/log && cp "$1" /var/log/wtmp && shift &&
		exec /usr/bin/time -f "%e %M" -o "$1" "$2" collect -o "$3" --allow-host-output --profile minimal --stats' _ \
		"$W/wtmp" "$W/t" "$IRSNAP" "$W/b.tar" >/dev/null 2>"$W/stats.err"
	cat "$W/t" >>"$W/irsnap.times"
	sed -nE 's/^irsnap: stats: [0-9]+ +step +[0-9.]+ +([0-9.]+)  logins$/\1/p' "$W/stats.err" >>"$W/step.times"
	tar -xOf "$W/b.tar" --wildcards '*/acquisition.log' 2>/dev/null |
		sed -nE "s|.*logins: '/var/log/wtmp': parsed in ([0-9.]+) s.*|\1|p" >>"$W/parse.times"
	/usr/bin/time -f '%e %M' -o "$W/t" last -F -f "$W/wtmp" >/dev/null 2>&1; cat "$W/t" >>"$W/last.times"
	/usr/bin/time -f '%e %M' -o "$W/t" utmpdump "$W/wtmp" >/dev/null 2>&1; cat "$W/t" >>"$W/utmpdump.times"
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$W/$1.times"; }
it=$(col irsnap 1 | median); im=$(col irsnap 2 | median); st=$(median <"$W/step.times")
pt=$(median <"$W/parse.times")
printf '\n%-30s %10s %12s %10s %10s\n' "wtmp R=$R, $RUNS runs" "median s" "max RSS KiB" "s ratio" "RSS ratio"
printf '%-30s %10s %12s\n' "irsnap collect (whole run)" "$it" "$im"
printf '%-30s %10s\n' "  of which the logins step" "$st"
printf '%-30s %10s\n' "  of which the wtmp parse" "$pt"
for p in last utmpdump; do
	t=$(col $p 1 | median); m=$(col $p 2 | median)
	name=$p; [ $p = last ] && name="last -F -f"
	printf '%-30s %10s %12s %10s %10s\n' "$name" "$t" "$m" \
		"$(awk -v a="$pt" -v b="$t" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')" \
		"$(awk -v a="$im" -v b="$m" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}')"
done
echo "(time ratio uses irsnap's wtmp parse; RSS ratio its whole run)"
