#!/bin/bash
# The core snapshot (issue 19): the volatile state read together first,
# the details after, checked against it. The test builds the race itself:
# 1,500 sleeping processes so that the details take a while, then two
# victims with the highest pids (read last). A holds a listening TCP
# socket. When irsnap opens its first process's environ or maps (the
# details have begun: the core reads neither), the watcher kills both; A's
# pid stays free, B's is given to an impostor (ns_last_pid) with another
# command line and environment. Then:
#  - A keeps its core record: the table's numbers, its exe link, status
#    vanished "exited after the core snapshot"; its socket is in
#    sockets.jsonl with A as its owner (socket and owner read together);
#  - B's record has B's start time, status "pid reused", and nothing of
#    the impostor (its cmdline, its environment) is anywhere in the bundle;
#  - run.json states the core window and the details after it.
. "$(dirname "$0")/lib.sh"
need jq; need python3
need_root "ns_last_pid and killing the victims"
[ -w /proc/sys/kernel/ns_last_pid ] || skip "no writable /proc/sys/kernel/ns_last_pid"
printf 'profile core\nstep sockets\nstep processes\nstep sessions\n' >"$T_DIR/core.profile"

# the fillers: sleeping processes in one group, killed at the end
setsid python3 - "$T_DIR/fill.ready" <<'PY' &
import os, sys, time
for i in range(1500):
    if os.fork() == 0:
        time.sleep(100000); os._exit(0)
open(sys.argv[1], 'w').write('ok'); time.sleep(100000)
PY
F=$!
on_exit "kill -9 -- -$F 2>/dev/null"
for _ in $(seq 300); do [ -s "$T_DIR/fill.ready" ] && break; sleep 0.1; done
[ -s "$T_DIR/fill.ready" ] || skip "the 1,500 fillers could not be started"

# the watcher: forks the victims (reaped at once: SIGCHLD ignored), waits
# for irsnap's details, kills, reuses B's pid
python3 - "$T_DIR" <<'PY' >"$T_DIR/watch.out" 2>&1 &
import os, signal, socket, sys, time
t = sys.argv[1]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
def victim(listen):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        if listen:
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
            os.write(w, str(s.getsockname()[1]).encode())
        else:
            os.write(w, b'0')
        os.close(w)
        time.sleep(100000); os._exit(0)
    os.close(w)
    port = int(os.read(r, 16)); os.close(r)
    return pid, port
a, port = victim(True)
b, _ = victim(False)
def start(pid):
    return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[19]
open(f'{t}/victims', 'w').write(f'{a} {b} {port} {start(a)} {start(b)} {os.readlink(f"/proc/{a}/exe")}\n')
for _ in range(3000):
    if os.path.exists(f'{t}/irsnap.pid'):
        break
    time.sleep(0.01)
irs = int(open(f'{t}/irsnap.pid').read())
seen = None
deadline = time.time() + 60
while not seen and time.time() < deadline:
    try:
        for fd in os.listdir(f'/proc/{irs}/fd'):
            try:
                l = os.readlink(f'/proc/{irs}/fd/{fd}')
            except OSError:
                continue
            # another process's environ or maps (the sanitizers read
            # irsnap's own maps at start-up: not the details)
            parts = l.split('/')
            if (len(parts) >= 2 and parts[-1] in ('environ', 'maps') and
                    parts[-2].isdigit() and int(parts[-2]) != irs):
                seen = l
                break
    except OSError:
        break
print('details seen', seen)
if not seen:
    sys.exit(1)
os.kill(a, signal.SIGKILL); os.kill(b, signal.SIGKILL)
while os.path.exists(f'/proc/{a}') or os.path.exists(f'/proc/{b}'):
    time.sleep(0.0005)
# B's pid to an impostor: the next fork after ns_last_pid = B - 1
with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
    f.write(str(b - 1))
p = os.fork()
if p == 0:
    os.execve('/bin/sleep', ['irs-impostor-argv', '30'],
              {'IRS_IMPOSTOR': 'irs-impostor-env'})
print('impostor', p, 'b', b)
open(f'{t}/impostor', 'w').write(f'{p}\n')
PY
W=$!
for _ in $(seq 100); do [ -s "$T_DIR/victims" ] && break; sleep 0.05; done
[ -s "$T_DIR/victims" ] || { cat "$T_DIR/watch.out"; skip "the victims could not be started"; }
read -r A B PORT SA SB EXE <"$T_DIR/victims"
"$IRSNAP" collect -o "$OUT/c.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/core.profile" --stats \
	2>"$OUT/c.err" & I=$!
echo "$I" >"$T_DIR/irsnap.pid"
wait "$I"; RC=$?
wait "$W"; WRC=$?
cat "$T_DIR/watch.out"
IMP=$(cat "$T_DIR/impostor" 2>/dev/null)
[ -n "$IMP" ] && kill -9 "$IMP" 2>/dev/null
[ "$WRC" = 0 ] || skip "the watcher never saw irsnap's details begin"
check "collect exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
check "the bundle verifies" verifies "$OUT/c.tar"
extract c || { fail "no bundle"; finish; }
P=$BDIR/volatile/processes.jsonl
rec() { jq -c "select(.pid == $1)" "$P"; }
echo "A: $(rec "$A" | cut -c1-300)"
echo "B: $(rec "$B" | cut -c1-300)"
expect "A keeps its core record: its start time, its exe link, marked gone after the core" \
	'[ "$(rec "$A" | jq -r "[.start_ticks, .exe, .status] | @tsv")" = "$SA	$EXE	vanished" ] &&
	 rec "$A" | jq -e ".status_reason | test(\"after the core\")" >/dev/null'
expect "A's listening socket is there, owned by A (read together in the core)" \
	'jq -e -s --argjson p "$PORT" --argjson a "$A" "map(select(.local.port == \$p and .state == \"LISTEN\" and
	 any(.owners[]; .pid == \$a)))|length == 1" "$BDIR/volatile/sockets.jsonl" >/dev/null'
if [ "$IMP" = "$B" ]; then
	expect "B's record is B's (its start time), marked a reused pid" \
		'[ "$(rec "$B" | jq -r "[.start_ticks, .status] | @tsv")" = "$SB	vanished" ] &&
		 rec "$B" | jq -e ".status_reason | test(\"reused\")" >/dev/null'
	check "one record for B's pid" [ "$(rec "$B" | wc -l)" = 1 ]
	check "nothing of the impostor anywhere in the bundle" \
		bash -c "! grep -rqa 'irs-impostor' '$BDIR'"
else
	echo "# B's pid went to another process ($IMP): the reuse part is not tested"
	expect "B keeps its core record, marked gone" \
		'[ "$(rec "$B" | jq -r "[.start_ticks, .status] | @tsv")" = "$SB	vanished" ]'
fi
expect "run.json: the core's window, then the details" \
	'jq -e ".volatile_snapshot | .core.skew_seconds >= 0 and .core.last <= .details.first and
	 .details.seconds > 0" "$BDIR/run.json" >/dev/null'
check "--stats states the core's skew and the details" \
	bash -c "grep -q 'volatile snapshot skew .* (the core' '$OUT/c.err' && grep -q 'volatile details' '$OUT/c.err'"
check "the work log has the core's window" grep -q "core snapshot: from" "$BDIR/acquisition.log"
finish
