#!/bin/bash
# Network configuration of a namespace the test builds (a veth pair,
# addresses v4 and v6, routes, a permanent neighbour, promiscuous mode) is
# what iproute2 `ip -j link/addr/route/neigh` reports inside it.
. "$(dirname "$0")/lib.sh"
need_root "a network namespace of the test's own"
need ip; need python3; need jq; need tar
NS=irsnap-cfg-$$
HOLD=""
trap 'kill -9 $HOLD 2>/dev/null; wait 2>/dev/null; ip netns del "$NS" 2>/dev/null; cleanup' EXIT
ip netns add "$NS" || skip "cannot create a network namespace"
x() { ip netns exec "$NS" "$@"; }
x ip link set lo up && x ip link add dummy0 type veth peer name peer0 && x ip link set peer0 up && x ip link set dummy0 up &&
x ip addr add 10.77.0.1/24 dev dummy0 && x ip addr add fd77::1/64 dev dummy0 nodad &&
x ip route add 10.88.0.0/16 via 10.77.0.254 && x ip route add 10.99.0.0/16 dev dummy0 metric 50 &&
x ip neigh add 10.77.0.5 lladdr 02:00:00:00:00:05 dev dummy0 nud permanent &&
x ip link set dummy0 promisc on || { fail "cannot set the namespace up"; finish; }
ip netns exec "$NS" sleep 1000 & HOLD=$!   # a process inside (ip execs sleep: same pid)
sleep 0.3
NSINO=$(stat -L -c %i "/proc/$HOLD/ns/net")
collect c
check "collect exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract c || { fail "cannot extract"; finish; }
D=$BDIR/system/net/$NSINO
check "the namespace has its own folder" [ -d "$D" ]
for k in link addr; do x ip -j $k show >"$T_DIR/ip.$k.json"; done
x ip -j neigh show nud all >"$T_DIR/ip.neigh.json"
x ip -j route show table main >"$T_DIR/ip.route.json"
python3 - "$D" "$T_DIR" <<'PY' >"$T_DIR/cmp.out"
import json, sys
D, T = sys.argv[1:3]
rd = lambda n: [json.loads(l) for l in open(f'{D}/{n}.jsonl')]
ipj = lambda n: json.load(open(f'{T}/ip.{n}.json'))
links, addrs, routes, neigh = rd('links'), rd('addresses'), rd('routes'), rd('neighbours')
byidx = {l['index']: l['name'] for l in links}
bad = 0
want = {(l['ifindex'], l['ifname'], l['mtu'], l.get('address')) for l in ipj('link')}
got = {(l['index'], l['name'], l['mtu'], l.get('address')) for l in links}
if want != got: print('links', want ^ got); bad += 1
dummy = [l for l in links if l['name'] == 'dummy0'][0]
if not dummy['promiscuous']: print('promisc'); bad += 1
want = {(a['ifindex'], i['local'], i['prefixlen']) for a in ipj('addr') for i in a['addr_info']}
got = {(a['index'], a.get('local') or a['address'], a['prefixlen']) for a in addrs}
if want != got: print('addrs', want ^ got); bad += 1
def dst(r): return r['dst'] if r['dst'] != 'default' else None
want = {(r['dst'], r.get('gateway'), r['dev']) for r in ipj('route')}
got = set()
for r in routes:
    if r['table'] != 254 or r['family'] != 'inet': continue
    d = 'default' if r['dst_len'] == 0 else (r['dst'] if r['dst_len'] == 32 else f"{r['dst']}/{r['dst_len']}")
    got.add((d, r.get('gateway'), byidx.get(r.get('oif'))))
if want != got: print('routes', want ^ got); bad += 1
# the entries the test made (PERMANENT); multicast ones come and go on their own
want = {(n['dst'], n.get('lladdr'), n['dev']) for n in ipj('neigh') if 'PERMANENT' in n.get('state', [])}
got = {(n['dst'], n.get('lladdr'), byidx.get(n['index'])) for n in neigh if n['state'] & 0x80}
if not want: print('no permanent neighbour in ip -j'); bad += 1
if want != got: print('neigh', want ^ got); bad += 1
print('bad', bad)
PY
grep -v '^bad' "$T_DIR/cmp.out" | head -5
check "links, addresses, main routes and neighbours = ip -j ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"
check "the namespace's /proc/net/route is kept raw" bash -c "grep -q '^dummy0' '$D/proc/route'"
check "the bundle verifies" verifies "$OUT/c.tar"
finish
