#!/bin/bash
# Processes the test starts (ordinary and hostile names, a deleted
# executable, a zombie, threads, a huge command line) appear with the pid,
# ppid, uid, state, thread count and comm that procps `ps` reports, their
# argv and environment bytes round-trip exactly through the JSON, and the
# text view holds no raw control byte or bidi control.
. "$(dirname "$0")/lib.sh"
need ps; need python3; need jq; need tar

B=$T_DIR/bin
mkdir -p "$B"
SLEEP=$(command -v sleep)
BASH_BIN=$(command -v bash)
LOOP='while :; do sleep 1000; done'   # the shell stays, with its argv
PIDS=()
start() { setsid "$@" & PIDS+=($!); }   # own process group: killed whole
cleanup_procs() {
	local p
	for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap 'cleanup_procs; cleanup' EXIT

names=("ordinary" "a)b (c" $'new\nline' $'\033[31mred' $'bad\xff\xfeutf' $'bidi\u202eevil' "x:y" "sp ace")
for n in "${names[@]}"; do
	cp "$BASH_BIN" "$B/$n"
	start "$B/$n" -c "$LOOP" "arg with space" $'ctl\001byte' $'\xc3\x28' ""
done
cp "$SLEEP" "$B/deleted-exe"
start "$B/deleted-exe" 1000
DELPID=${PIDS[-1]}
start bash -c 'exec -a "fake argv0" '"$SLEEP"' 1000'
start python3 -c 'import threading, time
for _ in range(4): threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
time.sleep(1000)'
THRPID=${PIDS[-1]}
start python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0: os._exit(0)
print(pid, flush=True); time.sleep(1000)' >"$T_DIR/zombie.pid"
ZPARENT=${PIDS[-1]}
start env -i "WEIRD=$(printf 'v\xffal\nue')" "PLAIN=x" "$SLEEP" 1000
ENVPID=${PIDS[-1]}
big=$(head -c 100000 /dev/zero | tr '\0' 'A')
start "$BASH_BIN" -c "$LOOP" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big" "$big"
BIGPID=${PIDS[-1]}
NSPID=""
if command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
	start unshare -n -u -i "$SLEEP" 1000   # its own net, uts and ipc namespaces
	NSPID=${PIDS[-1]}
fi
sleep 1
rm "$B/deleted-exe"
ZPID=$(cat "$T_DIR/zombie.pid")
PIDS+=("$ZPID")

collect p
check "collect exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract p || { fail "cannot extract"; finish; }
P=$BDIR/volatile/processes.jsonl

# namespaces: the inode each /proc/<pid>/ns link resolves to (stat -L)
nscheck() {   # nscheck PID: "name=inode" for all ten, from irsnap and from stat
	local pid=$1 n want=""
	for n in cgroup ipc mnt net pid pid_for_children time time_for_children user uts; do
		want+="$n=$(stat -L -c %i "/proc/$pid/ns/$n") "
	done
	echo "$want" >"$T_DIR/ns.want"
	jq -j --argjson p "$pid" 'select(.pid == $p) | .namespaces | to_entries | map("\(.key)=\(.value) ") | add' "$P" >"$T_DIR/ns.got"
	echo >>"$T_DIR/ns.got"
	cmp -s "$T_DIR/ns.got" "$T_DIR/ns.want"
}
check "namespaces of a test process = stat -L of its ns links" nscheck "${PIDS[0]}"
if [ -n "$NSPID" ] && [ -d "/proc/$NSPID" ]; then
	# unshare (without --fork) execs sleep in place: the pid is the sleep's
	check "a process in its own net/uts/ipc namespaces: its inodes = stat -L" nscheck "$NSPID"
	check "... and they differ from the host's" [ "$(jq --argjson p "$NSPID" 'select(.pid == $p) | .namespaces.net' "$P")" != \
		"$(jq --argjson p "${PIDS[0]}" 'select(.pid == $p) | .namespaces.net' "$P")" ]
fi

# procps ps on the same processes, right after
ps -o pid=,ppid=,uid=,stat=,nlwp= -p "$(IFS=,; echo "${PIDS[*]}")" >"$T_DIR/ps.out"
check "ps saw every test process" [ "$(wc -l <"$T_DIR/ps.out")" = "${#PIDS[@]}" ]
while read -r pid ppid uid stat nlwp; do
	got=$(jq -r --argjson p "$pid" 'select(.pid == $p) | "\(.ppid) \(.uid.effective) \(.state) \(.threads)"' "$P")
	check "pid $pid: ppid uid state threads = ps ($ppid $uid ${stat:0:1} $nlwp)" \
		[ "$got" = "$ppid $uid ${stat:0:1} $nlwp" ]
done <"$T_DIR/ps.out"

# exact bytes: comm and cmdline against /proc, environ against /proc
python3 - "$P" "$BDIR/volatile/environ.jsonl" "$ENVPID" "$BIGPID" "${PIDS[@]}" >"$T_DIR/py.out" <<'PY'
import base64, json, sys
procs = {}
for line in open(sys.argv[1], 'rb'):
    r = json.loads(line); procs[r['pid']] = r
envs = {json.loads(l)['pid']: json.loads(l) for l in open(sys.argv[2], 'rb')}
envpid, bigpid = int(sys.argv[3]), int(sys.argv[4])
def items(rec, key):
    out = []
    b64 = rec.get(key + '_b64') or [None] * len(rec[key])
    for t, b in zip(rec[key], b64):
        out.append(base64.b64decode(b) if b else t.encode())
    return out
bad = 0
for pid in map(int, sys.argv[5:]):
    r = procs.get(pid)
    if r is None:
        print('missing', pid); bad += 1; continue
    try:
        comm = open(f'/proc/{pid}/comm', 'rb').read()[:-1]
        cmd = open(f'/proc/{pid}/cmdline', 'rb').read()
    except OSError:
        print('gone', pid); bad += 1; continue
    got_comm = base64.b64decode(r['comm_b64']) if 'comm_b64' in r else r['comm'].encode()
    if got_comm != comm:
        print('comm differs', pid, got_comm, comm); bad += 1
    args = items(r, 'cmdline')
    joined = b''.join(a + b'\0' for a in args)
    if pid == bigpid:
        if not r['cmdline_truncated'] or r['cmdline_original_size'] != len(cmd) or not cmd.startswith(joined[:-1]):
            print('big cmdline not truncated as expected', pid, len(cmd)); bad += 1
    elif joined != cmd:
        print('cmdline differs', pid, joined[:80], cmd[:80]); bad += 1
env = envs[envpid]
got = items(env, 'environ')
want = [e for e in open(f'/proc/{envpid}/environ', 'rb').read().split(b'\0') if e]
if got != want:
    print('environ differs', got, want); bad += 1
print('bad', bad)
PY
check "comm, argv and environ bytes round-trip exactly (python: $(tail -n 1 "$T_DIR/py.out"))" \
	grep -qx 'bad 0' "$T_DIR/py.out"
grep -v '^bad' "$T_DIR/py.out" | head -5

q() { jq -r --argjson p "$1" "select(.pid == \$p) | $2" "$P"; }
check "the deleted executable is flagged" [ "$(q "$DELPID" .exe_deleted)" = true ]
check "the deleted executable's bytes are in the bundle" \
	cmp -s "$BDIR/volatile/deleted-exe/$DELPID" "$SLEEP"
check "its exe_sha256 = sha256sum of the original" \
	[ "$(q "$DELPID" .exe_sha256)" = "$(sha256sum <"$SLEEP" | cut -d' ' -f1)" ]
check "an ordinary exe's sha256 = sha256sum" \
	[ "$(q "${PIDS[0]}" .exe_sha256)" = "$(sha256sum <"$B/ordinary" | cut -d' ' -f1)" ]
check "the zombie is state Z" [ "$(q "$ZPID" .state)" = Z ]
check "the zombie's parent is the test's python" [ "$(q "$ZPID" .ppid)" = "$ZPARENT" ]
check "the threaded process has 5 threads in threads.jsonl" \
	[ "$(jq --argjson p "$THRPID" 'select(.tgid == $p)' "$BDIR/volatile/threads.jsonl" | jq -s length)" = 5 ]
check "the threaded process says threads: 5" [ "$(q "$THRPID" .threads)" = 5 ]
check "the huge cmdline makes the record partial with a reason" \
	[ "$(q "$BIGPID" '.status + ": " + .status_reason')" = "partial: cmdline truncated at the cap" ]
check "every record has a known status" \
	bash -c "jq -r .status '$P' | sort -u | grep -vqxE 'ok|partial|vanished' && exit 1 || exit 0"
check "kernel threads are marked and have empty cmdlines" \
	[ "$(jq -r 'select(.pid == 2) | "\(.kernel_thread) \(.cmdline | length)"' "$P")" = "true 0" ]
check "open-files lists the test process's fd 0" \
	[ "$(jq -r --argjson p "${PIDS[0]}" 'select(.pid == $p and .fd == 0) | .type' "$BDIR/volatile/open-files.jsonl" | head -n 1)" != "" ]
check "open-files lists the mapped executable" \
	[ "$(jq -r --argjson p "${PIDS[0]}" 'select(.pid == $p and .type == "mmap") | .target' "$BDIR/volatile/open-files.jsonl" | grep -c "$B/ordinary")" = 1 ]
check "the fd tables were walked once, in the core" \
	grep -q 'fds (walked in the core)' "$BDIR/acquisition.log"
check "open-files has each (pid, fd) once" [ "$(jq -r 'select(.fd != null) | "\(.pid) \(.fd)"' "$BDIR/volatile/open-files.jsonl" | sort | uniq -d | wc -l)" = 0 ]
check "user names come from /etc/passwd" [ "$(q "${PIDS[0]}" .uid_names.effective)" = "$(id -un)" ]

V=$BDIR/volatile/processes.txt
check "processes.txt has every test pid" bash -c "for p in ${PIDS[*]}; do awk '{print \$2}' '$V' | grep -qx \$p || exit 1; done"
check "processes.txt has no raw control byte" bash -c "! LC_ALL=C tr -d '\n' <'$V' | LC_ALL=C grep -q '[[:cntrl:]]'"
check "processes.txt has no bidi control or invalid UTF-8" bash -c "
	iconv -f UTF-8 -t UTF-8 '$V' >/dev/null && ! grep -q \$'\u202e' '$V'"
check "processes.txt shows the escaped hostile name" grep -qF 'new\nline' "$V"
check "processes.txt shows the tree: sleep under the renamed shell" \
	bash -c "grep -a -A1 '/ordinary -c' '$V' | tail -n 1 | grep -aq '\\\\_ sleep 1000'"
check "the bundle verifies" verifies "$OUT/p.tar"

# an argv over the 1 MiB cap (3.9 MB, under an unlimited stack): the head and
# the tail are both kept, the tail holding the last argument
( ulimit -s unlimited 2>/dev/null; big=$(printf 'A%.0s' $(seq 1 130000)); args=()
  for _ in $(seq 1 30); do args+=("$big"); done
  exec python3 -c 'import time; time.sleep(30)' "${args[@]}" PAYLOAD-TAIL-MARK ) & BIG=$!
sleep 1
collect big --profile minimal
kill "$BIG" 2>/dev/null
if extract big && [ -n "$(jq -r "select(.pid == $BIG) | .pid" "$BDIR/volatile/processes.jsonl")" ]; then
	R=$(jq -c "select(.pid == $BIG)" "$BDIR/volatile/processes.jsonl")
	expect "an argv over the cap: truncated, its size, and its tail's last item kept" \
		'[ "$(jq -r "[.cmdline_truncated, .cmdline_tail[-1], .cmdline_original_size_at_least] | map(tostring) | join(\" \")" <<<"$R")" = "true PAYLOAD-TAIL-MARK false" ]'
	expect "run.json counts the cut argv among the records cut inside members" \
		'[ "$(jq -r ".counts.truncated_records.cmdline >= 1" "$BDIR/run.json")" = true ]'
	check "... and the work log says so" grep -q "processes: records cut at their cap: [1-9][0-9]* argv" "$BDIR/acquisition.log"
	expect "... the tail ends at the original size" \
		'[ $(( $(jq -r .cmdline_tail_offset <<<"$R") + $(jq -r "[.cmdline_tail[] | length + 1] | add" <<<"$R") )) = "$(jq -r .cmdline_original_size <<<"$R")" ]'
else
	fail "the long-argv process was not collected"
fi

# a process in a pid namespace of its own: NSpid says what it calls itself
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	unshare --pid --fork --mount-proc sh -c 'exec sleep 30' & NSP=$!
	for _ in $(seq 1 50); do C=$(pgrep -P "$NSP" -x sleep) && break; sleep 0.1; done
	collect ns --profile minimal
	kill "$NSP" 2>/dev/null
	extract ns || fail "cannot extract the pid-namespace bundle"
	expect "a process in its own pid namespace: ns_pid [$C, 1]" \
		'[ "$(jq -c "select(.pid == $C) | .ns_pid" "$BDIR/volatile/processes.jsonl")" = "[$C,1]" ]'
fi
finish
