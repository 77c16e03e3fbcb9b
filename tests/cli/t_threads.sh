#!/bin/bash
# The threaded readers (pscan.h: processes, the fd walk, wtmp records; the
# last view beside them) give the same records whatever the thread count:
# a collection with --threads 1 and one with --threads 4 of the same state
# (processes with threads, sockets, a 30,000-record wtmp made by
# `utmpdump -r`) must agree record for record on everything that does not
# change by itself. Under the ThreadSanitizer build a data race makes
# irsnap exit 66, which fails the first checks.
. "$(dirname "$0")/lib.sh"
need_root "a mount namespace to place the wtmp"
need python3; need jq; need tar; need utmpdump; need unshare; need cmp
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"

# the state: 120 processes (every 4th with 3 threads), 60 loopback connections
python3 - "$T_DIR/ready" <<'PY' &
import os, socket, sys, threading, time
kids = []
for i in range(120):
    pid = os.fork()
    if pid == 0:
        if i % 4 == 0:
            for _ in range(2):
                threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
        sys.argv[:] = [f'irsnap-t-threads-{i}']
        time.sleep(600); os._exit(0)
    kids.append(pid)
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(128); keep = [l]
for i in range(60):
    a = socket.create_connection(l.getsockname()); b, _ = l.accept(); keep += [a, b]
for i, pid in enumerate(kids):   # every thread started before saying ready
    while i % 4 == 0 and len(os.listdir(f'/proc/{pid}/task')) < 3:
        time.sleep(0.01)
open(sys.argv[1], 'w').write(' '.join(map(str, kids)) + f' port={l.getsockname()[1]}\n')
time.sleep(600)
PY
HOLDER=$!
disown "$HOLDER"
trap 'kill -9 -- $(pgrep -P "$HOLDER") "$HOLDER" 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$T_DIR/ready" ] && break; sleep 0.1; done
[ -s "$T_DIR/ready" ] || { fail "the test's processes did not start"; finish; }
PORT=$(sed -n 's/.* port=//p' "$T_DIR/ready")

python3 - >"$T_DIR/wtmp.txt" <<'PY'
import datetime
t = datetime.datetime(2021, 5, 1, tzinfo=datetime.timezone.utc)
for i in range(30000):
    t += datetime.timedelta(seconds=61)
    if i % 500 == 0:
        print(f'[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-test          ] [0.0.0.0        ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]')
    elif i % 2:
        print(f'[7] [{1000 + i:05d}] [ts/{i % 30}] [user{i % 9}   ] [pts/{i % 30:<8}] [10.9.{i % 250}.{i % 200}        ] [10.9.{i % 250}.{i % 200}      ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]')
    else:
        print(f'[8] [{999 + i:05d}] [ts/{(i - 1) % 30}] [        ] [pts/{(i - 1) % 30:<8}] [                    ] [0.0.0.0        ] [{t:%Y-%m-%dT%H:%M:%S},000000+00:00]')
PY
utmpdump -r <"$T_DIR/wtmp.txt" >"$T_DIR/wtmp" 2>/dev/null
check "utmpdump -r made 30,000 records" [ "$(stat -c %s "$T_DIR/wtmp")" = $((30000 * 384)) ]

for n in 1 4; do
	unshare -m bash -c 'mount -t tmpfs irsnap-t /var/log && cp "$1" /var/log/wtmp &&
		exec "$2" collect -o "$3" --allow-host-output --profile minimal --threads "$4"' _ \
		"$T_DIR/wtmp" "$IRSNAP" "$OUT/th$n.tar" "$n" 2>"$OUT/th$n.err"
	RC=$?
	check "--threads $n: exit 0 or 1 (got $RC)" [ "$RC" -le 1 ]
	grep -m 3 -A 12 'ThreadSanitizer' "$OUT/th$n.err"
	check "--threads $n: no ThreadSanitizer report" bash -c "! grep -q ThreadSanitizer '$OUT/th$n.err'"
	check "--threads $n: the bundle verifies" verifies "$OUT/th$n.tar"
	extract "th$n" || { fail "cannot extract th$n"; finish; }
	eval "B$n=\$BDIR"
done

# the wtmp: byte for byte the same records, anomalies and last view
for m in logins/wtmp.jsonl logins/last.txt logins/anomalies.jsonl; do
	check "$m: the same with 1 and 4 threads" cmp -s "$B1/$m" "$B4/$m"
done
check "wtmp.jsonl has every record, in file order" bash -c "
	jq -r .offset '$B4/logins/wtmp.jsonl' >'$T_DIR/offs' && [ \$(wc -l <'$T_DIR/offs') = 30000 ] &&
	awk '\$1 != (NR - 1) * 384 {exit 1}' '$T_DIR/offs'"

# the test's processes: the same records (minus what a clock changes; start_time
# is boot time + ticks, and boot time is read from two clocks each run)
PIDS=$(sed 's/ port=.*//' "$T_DIR/ready" | tr ' ' '\n' | paste -sd, -)
stable() {   # stable DIR: the test's processes without their clocks
	jq -c --argjson p "[$PIDS]" 'select(.pid as $x | $p | index($x)) |
		del(.utime_ticks, .stime_ticks, .rss_kib, .vsz_kib, .state, .start_time)' "$1/volatile/processes.jsonl"
}
stable "$B1" >"$T_DIR/p1"; stable "$B4" >"$T_DIR/p4"
check "all 120 test processes are in processes.jsonl" [ "$(wc -l <"$T_DIR/p4")" = 120 ]
check "their records are the same with 1 and 4 threads" cmp -s "$T_DIR/p1" "$T_DIR/p4"
cmp -s "$T_DIR/p1" "$T_DIR/p4" || python3 - "$T_DIR/p1" "$T_DIR/p4" <<'PY'
import json, sys
a = {r['pid']: r for r in map(json.loads, open(sys.argv[1]))}
b = {r['pid']: r for r in map(json.loads, open(sys.argv[2]))}
for pid in sorted(set(a) | set(b))[:400]:
    x, y = a.get(pid, {}), b.get(pid, {})
    keys = [k for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
    if keys:
        print('differs', pid, [(k, x.get(k), y.get(k)) for k in keys][:3]); break
PY
threads() { jq -r --argjson p "[$PIDS]" 'select(.tgid as $x | $p | index($x)) | "\(.tgid) \(.tid) \(.comm)"' \
	"$1/volatile/threads.jsonl"; }
threads "$B1" >"$T_DIR/t1"; threads "$B4" >"$T_DIR/t4"
check "their threads: 30 x 3 + 90 x 1 = 180 records" [ "$(wc -l <"$T_DIR/t4")" = 180 ]
check "... the same with 1 and 4 threads" cmp -s "$T_DIR/t1" "$T_DIR/t4"
files() { jq -c --argjson p "[$PIDS]" 'select(.pid as $x | $p | index($x)) | del(.pos, .size)' \
	"$1/volatile/open-files.jsonl" | sort; }
files "$B1" >"$T_DIR/f1"; files "$B4" >"$T_DIR/f4"
check "their open files and mappings are listed" [ -s "$T_DIR/f4" ]
check "... the same with 1 and 4 threads" cmp -s "$T_DIR/f1" "$T_DIR/f4"
socks() { jq -c --argjson port "$PORT" 'select(.local.port == $port or .remote.port == $port) |
	{inode, state, local, remote, owners}' "$1/volatile/sockets.jsonl" | sort; }
socks "$B1" >"$T_DIR/s1"; socks "$B4" >"$T_DIR/s4"
check "the test's 121 sockets are listed with their owner" bash -c "
	[ \$(wc -l <'$T_DIR/s4') = 121 ] && [ \$(jq -r '.owners[0].pid' '$T_DIR/s4' | sort -u) = $HOLDER ]"
check "... the same with 1 and 4 threads" cmp -s "$T_DIR/s1" "$T_DIR/s4"
finish
