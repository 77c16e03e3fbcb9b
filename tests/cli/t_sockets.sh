#!/bin/bash
# Sockets the test opens itself — TCP listeners and connections (v4, v6), UDP,
# UNIX (path and abstract), and a listener with a connection inside a network
# namespace the test creates — appear in sockets.jsonl with the addresses,
# ports, states and owning pid that iproute2 `ss -tuanpx` reports (run inside
# the namespace for its sockets), and in both the /proc and the netlink view.
. "$(dirname "$0")/lib.sh"
need ss; need python3; need jq; need tar
need_root "a network namespace of the test's own"
need ip

NS=irsnap-test-$$
PIDS=()
cleanup_sockets() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap "cleanup_sockets; cleanup" EXIT
KEEP=${KEEP:-}

cat >"$T_DIR/sockets.py" <<'PY'
import os, socket, sys, time
out, unix_path = sys.argv[1], sys.argv[2]
keep = []
def listen(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM); s.bind((addr, 0)); s.listen(8); keep.append(s); return s
l4 = listen(socket.AF_INET, '127.0.0.1')
c4 = socket.create_connection(('127.0.0.1', l4.getsockname()[1])); a4, _ = l4.accept(); keep += [c4, a4]
ports = {'tcp_listen': l4.getsockname()[1], 'tcp_client': c4.getsockname()[1]}
try:
    l6 = listen(socket.AF_INET6, '::1')
    c6 = socket.create_connection(('::1', l6.getsockname()[1])); a6, _ = l6.accept(); keep += [c6, a6]
    ports.update(tcp6_listen=l6.getsockname()[1], tcp6_client=c6.getsockname()[1])
except OSError:
    pass
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0)); keep.append(u)
ports['udp'] = u.getsockname()[1]
try:
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(('::1', 0)); keep.append(u6)
    ports['udp6'] = u6.getsockname()[1]
except OSError:
    pass
if unix_path != '-':
    ul = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); ul.bind(unix_path); ul.listen(4)
    uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); uc.connect(unix_path); ua, _ = ul.accept()
    ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ab.bind('\0' + os.path.basename(unix_path) + '-abstract')
    keep += [ul, uc, ua, ab]
with open(out + '.tmp', 'w') as f:
    for k, v in ports.items(): f.write(f'{k} {v}\n')
os.rename(out + '.tmp', out)
time.sleep(1000)
PY

python3 "$T_DIR/sockets.py" "$T_DIR/host.ports" "$T_DIR/irsnap.sock" & PIDS+=($!)
HOSTPID=${PIDS[-1]}
ip netns add "$NS" || skip "cannot create a network namespace"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" python3 "$T_DIR/sockets.py" "$T_DIR/ns.ports" - & PIDS+=($!)
NSPID=${PIDS[-1]}
for _ in $(seq 1 100); do [ -e "$T_DIR/host.ports" ] && [ -e "$T_DIR/ns.ports" ] && break; sleep 0.1; done
[ -e "$T_DIR/ns.ports" ] || { fail "the socket makers did not start"; finish; }

collect n
check "collect exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
ss -tuanpx >"$T_DIR/ss.host"
ip netns exec "$NS" ss -tuanp >"$T_DIR/ss.ns"
extract n || { fail "cannot extract"; finish; }
S=$BDIR/volatile/sockets.jsonl
NSINO=$(stat -L -c %i "/proc/$NSPID/ns/net")

python3 - "$S" "$T_DIR/ss.host" "$T_DIR/ss.ns" "$T_DIR/host.ports" "$T_DIR/ns.ports" "$HOSTPID" "$NSPID" "$NSINO" "$T_DIR/irsnap.sock" <<'PY' >"$T_DIR/cmp.out"
import json, re, sys
S, ss_host, ss_ns, hp, np_, hostpid, nspid, nsino, upath = sys.argv[1:10]
recs = [json.loads(l) for l in open(S)]
STATE = {'ESTABLISHED': 'ESTAB', 'LISTEN': 'LISTEN', 'CLOSE': 'UNCONN'}
def ss_rows(path):
    rows = []
    for line in open(path).read().splitlines()[1:]:
        f = line.split()
        if len(f) < 6: continue
        users = re.findall(r'pid=(\d+)', line)
        rows.append(dict(netid=f[0], state=f[1], local=f[4], peer=f[5], pids=set(map(int, users))))
    return rows
def split_ep(ep):
    addr, port = ep.rsplit(':', 1)
    return addr.strip('[]').split('%')[0], port
bad = checked = 0
for ports, sspath, pid, in_ns in ((hp, ss_host, int(hostpid), False), (np_, ss_ns, int(nspid), True)):
    wanted = {int(l.split()[1]) for l in open(ports)}
    for row in ss_rows(sspath):
        if row['netid'] not in ('tcp', 'udp'): continue
        laddr, lport = split_ep(row['local'])
        # only the test's own sockets: other programs (a parallel test) may
        # use the same port numbers in another protocol
        if int(lport) not in wanted or pid not in row['pids']: continue
        paddr, pport = split_ep(row['peer'])
        fam = 'inet6' if ':' in laddr else 'inet'
        cands = [r for r in recs if r['family'] == fam and r['proto'].startswith(row['netid'])
                 and r['local']['port'] == int(lport) and r['local']['addr'] == laddr
                 and r['remote']['port'] == (0 if pport == '*' else int(pport))]
        if in_ns:
            cands = [r for r in cands if r['netns'] == int(nsino)]
        checked += 1
        if len(cands) != 1:
            print('not found once', row, len(cands)); bad += 1; continue
        r = cands[0]
        if STATE.get(r['state'], r['state']) != row['state']: print('state', row, r['state']); bad += 1
        if pport != '*' and r['remote']['addr'] != paddr: print('peer', row, r['remote']); bad += 1
        if {o['pid'] for o in r['owners']} != row['pids'] or pid not in row['pids']:
            print('owners', row, r['owners']); bad += 1
        if r['seen_by'] != ['proc', 'netlink']: print('views', row, r['seen_by']); bad += 1
# unix: the listener by path, the abstract one by name, both owned by the host maker
for name, abstract in ((upath, False), (upath.rsplit('/', 1)[1] + '-abstract', True)):
    hits = [r for r in recs if r['family'] == 'unix' and r['path'] == name and r['abstract'] == abstract]
    checked += 1
    if not hits or not any(int(hostpid) in {o['pid'] for o in r['owners']} for r in hits):
        print('unix', name, hits); bad += 1
    elif not any(r['state'] == 'LISTEN' for r in hits) and not abstract:
        print('unix not listening', name); bad += 1
print('checked', checked); print('bad', bad)
PY
cat "$T_DIR/cmp.out" | grep -v '^bad' | head -8
check "sockets match ss -tuanpx: address, port, state, peer, owner pid, both views ($(tail -n 2 "$T_DIR/cmp.out" | tr '\n' ' '))" \
	grep -qx 'bad 0' "$T_DIR/cmp.out"
check "at least 12 test sockets were compared" [ "$(sed -n 's/^checked //p' "$T_DIR/cmp.out")" -ge 12 ]
check "the test's namespace was read" [ "$(jq -r --argjson n "$NSINO" 'select(.netns == $n) | .netns' "$S" | head -n 1)" = "$NSINO" ]
check "sockets.txt has a section for it" grep -q "== network namespace $NSINO " "$BDIR/volatile/sockets.txt"
check "raw /proc/net tables of the namespace are kept" [ -s "$BDIR/volatile/proc-net/$NSINO/tcp" ]
check "no test socket is flagged as seen by one view only" [ \
	"$(jq -r --argjson p "$HOSTPID" 'select(.owners | map(.pid) | index($p)) | select(.single_view)' "$S" | wc -l)" = 0 ]
check "sockets.txt is safe text" bash -c "! LC_ALL=C tr -d '\n' <'$BDIR/volatile/sockets.txt' | LC_ALL=C grep -q '[[:cntrl:]]'"
check "the bundle verifies" verifies "$OUT/n.tar"

# netlink refused (error injected into every socket() call by strace): the
# /proc view stands alone, each socket says so, and the work log says why
if command -v strace >/dev/null; then
	strace -f -qq -o /dev/null -e trace=socket -e inject=socket:error=EAFNOSUPPORT \
		"$IRSNAP" collect -o "$OUT/nonl.tar" "${OUT_FLAGS[@]}" --profile "$FAST_PROFILE" 2>"$OUT/nonl.err"
	rc=$?
	check "with netlink refused, collect still exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
	extract nonl || { fail "cannot extract"; finish; }
	N2=$BDIR/volatile/sockets.jsonl
	port=$(awk '$1 == "tcp_listen" {print $2}' "$T_DIR/host.ports")
	check "the test's listener is still there, from /proc only" [ \
		"$(jq -c --argjson p "$port" 'select(.proto == "tcp" and .local.port == $p and .state == "LISTEN") | .seen_by' "$N2")" = '["proc"]' ]
	check "the work log says netlink was refused" grep -q 'netlink tcp: Address family not supported' "$BDIR/acquisition.log"
	check "that bundle verifies too" verifies "$OUT/nonl.tar"
else
	echo "note: no strace; the netlink-refused case is not exercised"
fi
finish
