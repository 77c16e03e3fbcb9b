#!/bin/bash
# The firewall and connection tracking of every network namespace (issue
# 18, items 3 and 4), against the tools a practitioner trusts: in a network
# namespace of its own the test loads an nftables ruleset (a set with
# elements, a base chain, a user chain, verdicts, counters, a comment),
# legacy iptables rules (a user chain, -s, -i, ! -d, -o eth+, tcp and udp
# ports, icmp, a mask that is no prefix, a comment, REJECT), ip6tables
# rules (-g, icmp6, a rule without a target, REJECT, a mask that is no
# prefix), arptables rules (macs with masks, opcodes, mangle, CLASSIFY,
# MARK) and makes a TCP connection that closes and a
# UDP datagram nobody answers. irsnap's members for that namespace must
# equal `nft -j list ruleset`, `iptables-legacy-save -c`,
# `ip6tables-legacy-save -c` and `arptables-legacy -L -n -v -x` line for line,
# and `conntrack -L -o id` entry for entry.
. "$(dirname "$0")/lib.sh"
need nft; need iptables-legacy; need iptables-legacy-save; need conntrack; need unshare
need ip6tables-legacy; need ip6tables-legacy-save; need arptables-legacy
need jq; need python3
need_root "a network namespace with its own firewall"
cat >"$T_DIR/ns.sh" <<'EOS'
set -e
D=$1
ip link set lo up
nft -f - <<'NFT'
table inet irs {
	set bad { type ipv4_addr; elements = { 10.9.8.7, 192.0.2.1 } }
	chain input { type filter hook input priority 0; policy accept;
		ct state established counter accept comment "keep"
		ip saddr @bad drop
		tcp dport 4444 jump trap
	}
	chain trap { counter return; }
}
table ip irs4 {
	chain out { type filter hook output priority 10; policy drop;
		oifname "lo" accept
	}
}
NFT
iptables-legacy -N irs-chain
iptables-legacy -A INPUT -s 10.1.2.3/32 -p tcp -m tcp --dport 22 -j DROP
iptables-legacy -A INPUT -i lo -m comment --comment "irs test \"quoted\"" -j irs-chain
iptables-legacy -A irs-chain -p udp -m udp --sport 53:60 -j ACCEPT
iptables-legacy -A OUTPUT ! -d 127.0.0.0/8 -o eth+ -j REJECT --reject-with icmp-host-prohibited
iptables-legacy -A INPUT -s 10.0.0.0/255.0.255.0 -p icmp -m icmp --icmp-type 8/0 -j ACCEPT
iptables-legacy -A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT
ip6tables-legacy -N irs6
ip6tables-legacy -A INPUT -s 2001:db8::1/128 -p tcp -m tcp --dport 22 -j DROP
ip6tables-legacy -A INPUT ! -i lo -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j irs6
ip6tables-legacy -A irs6 -d fe80::/10 -j RETURN
ip6tables-legacy -A OUTPUT -o eth+ -p udp -m udp --dport 53 -j REJECT --reject-with icmp6-adm-prohibited
ip6tables-legacy -A FORWARD -g irs6
ip6tables-legacy -A FORWARD -s 2001:db8::/ffff:0:ffff:: -j ACCEPT
ip6tables-legacy -A OUTPUT -d ::1/128
ip6tables-legacy -P FORWARD DROP
arptables-legacy -N irs-arp
arptables-legacy -A INPUT -s 10.0.0.1 -j DROP
arptables-legacy -A INPUT -i lo --opcode 1 -j irs-arp
arptables-legacy -A INPUT -d 10.0.0.0/255.0.255.0 --h-length 6 --h-type 1 --proto-type 0x800 -j ACCEPT
arptables-legacy -A OUTPUT -d 192.168.0.0/16 --source-mac 01:02:03:04:05:06 \
	--destination-mac 0a:0b:0c:00:00:00/ff:ff:ff:00:00:00 -o eth+ -j ACCEPT
arptables-legacy -A irs-arp ! -s 10.0.0.2 -j RETURN
arptables-legacy -A FORWARD --h-length 6 -j mangle --mangle-ip-s 1.2.3.4 \
	--mangle-mac-d 02:00:00:00:00:01 --mangle-target DROP
arptables-legacy -A FORWARD -j CLASSIFY --set-class 1:2
arptables-legacy -A FORWARD -j MARK --set-mark 5
arptables-legacy -A FORWARD -j MARK --or-mark 4
arptables-legacy -A OUTPUT ! --opcode 2
arptables-legacy -P FORWARD DROP
python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 5555)); s.listen()
c = socket.create_connection(("127.0.0.1", 5555)); a, _ = s.accept(); a.send(b"x"); c.recv(1)
c.close(); a.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"y", ("127.0.0.1", 5353))
PY
stat -L -c %i /proc/self/ns/net >"$D/netns"
"$IRSNAP" collect -o "$OUT/n.tar" --profile "$D/n.profile" "${@:2}" 2>"$OUT/n.err" || echo "rc $?" >"$D/rc"
nft -j list ruleset >"$D/nft.json"
iptables-legacy-save -c | grep -v '^#' >"$D/save.txt"
ip6tables-legacy-save -c | grep -v '^#' >"$D/save6.txt"
arptables-legacy -L -n -v -x >"$D/arp.txt"
conntrack -L -o id >"$D/conntrack.txt" 2>/dev/null
EOS
printf 'profile n\nstep netconfig\n' >"$T_DIR/n.profile"
IRSNAP=$IRSNAP OUT=$OUT unshare --net bash "$T_DIR/ns.sh" "$T_DIR" "${OUT_FLAGS[@]}" ||
	skip "the namespace's firewall could not be set up"
check "collect exits 0" [ ! -e "$T_DIR/rc" ]
extract n || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/n.tar"
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
N=$BDIR/system/net/$(cat "$T_DIR/netns")
check "iptables-save.txt equals iptables-legacy-save -c, line for line" \
	test_cmp "$T_DIR/save.txt" "$N/iptables-save.txt"
check "ip6tables-save.txt equals ip6tables-legacy-save -c, line for line" \
	test_cmp "$T_DIR/save6.txt" "$N/ip6tables-save.txt"
check "arptables.txt equals arptables-legacy -L -n -v -x, line for line" \
	test_cmp "$T_DIR/arp.txt" "$N/arptables.txt"
check "the raw filter tables are kept" \
	[ -s "$N/iptables/filter.blob" -a -s "$N/ip6tables/filter.blob" -a -s "$N/arptables/filter.blob" ]
rules=$(($(cat "$T_DIR/save.txt" "$T_DIR/save6.txt" | grep -c '^\[') + $(grep -c ', pcnt=' "$T_DIR/arp.txt")))
expect "one record a rule ($rules), each decoded" \
	'[ "$(jq -s "map(select(.decoded and .save != null))|length" "$N/iptables.jsonl" "$N/ip6tables.jsonl" "$N/arptables.jsonl")" = $rules ]'
python3 - "$N" "$T_DIR" <<'PY' >"$T_DIR/cmp.out"
import ipaddress, json, re, sys
n, t = sys.argv[1:3]
mine = [json.loads(l) for l in open(n + '/nftables.jsonl')]
tool = json.load(open(t + '/nft.json'))['nftables']
def objs(kind):
    return [o[kind] for o in tool if kind in o]
def verdict(exprs):
    for e in reversed(exprs):
        for k in ('accept', 'drop', 'return'):
            if k in e:
                return (k, None)
        for k in ('jump', 'goto'):
            if k in e:
                return (k, e[k]['target'])
    return (None, None)
def counter(exprs):
    for e in exprs:
        if 'counter' in e:
            return (e['counter']['packets'], e['counter']['bytes'])
    return None
a = sorted((o['family'], o['name'], o['handle']) for o in objs('table'))
b = sorted((o['family'], o['name'], o['handle']) for o in mine if o['kind'] == 'table')
print('tables', a == b, a, b)
keys = ('family', 'table', 'name', 'handle', 'type', 'hook', 'prio', 'policy')
a = sorted(tuple(o.get(k) for k in keys) for o in objs('chain'))
b = sorted(tuple(o.get(k) for k in keys) for o in mine if o['kind'] == 'chain')
print('chains', a == b, a, b)
a = sorted((o['family'], o['table'], o['chain'], o['handle'], o.get('comment'), verdict(o['expr']),
            counter(o['expr'])) for o in objs('rule'))
def mv(o):
    v = [e for e in o['expr'] if 'verdict' in e]
    return (v[-1]['verdict'], v[-1].get('chain')) if v else (None, None)
def mc(o):
    c = [e for e in o['expr'] if e['name'] == 'counter']
    return (c[0]['packets'], c[0]['bytes']) if c else None
b = sorted((o['family'], o['table'], o['chain'], o['handle'], o.get('comment'), mv(o), mc(o))
           for o in mine if o['kind'] == 'rule')
print('rules', a == b, a, b)
a = sorted((o['family'], o['table'], o['name'], o['handle'],
            tuple(sorted(ipaddress.ip_address(e).packed.hex() for e in o.get('elem', []))))
           for o in objs('set'))
b = sorted((o['family'], o['table'], o['name'], o['handle'],
            tuple(sorted(e['key'] for e in mine if e['kind'] == 'element' and e['set'] == o['name']
                         and e['table'] == o['table'])))
           for o in mine if o['kind'] == 'set')
print('sets', a == b, a, b)
# conntrack -L -o id: proto num timeout [state] k=v... [flags] ... id=N
ct = {}
for line in open(t + '/conntrack.txt'):
    f = line.split()
    kv = [x.split('=', 1) for x in f if '=' in x]
    tup = [kv[i:i + 4] for i in range(0, 8, 4)]
    d = dict(kv[8:])
    ct[int(d['id'])] = (f[0], int(f[1]), f[3] if f[0] == 'tcp' else None,
                        [dict(x) for x in tup], '[ASSURED]' in f, '[UNREPLIED]' in f,
                        int(d['mark']), int(d['use']), int(f[2]))
mct = {}
for l in open(n + '/conntrack.jsonl'):
    o = json.loads(l)
    tup = [{k: str(o[s][k]) for k in ('src', 'dst', 'sport', 'dport')} for s in ('orig', 'reply')]
    mct[o['id']] = (o['proto'], o['protonum'], o.get('state'), tup, 'ASSURED' in o['status_flags'],
                    'SEEN_REPLY' not in o['status_flags'], o['mark'], o['use'], o['timeout'])
same = set(ct) == set(mct) and all(ct[i][:8] == mct[i][:8] and abs(ct[i][8] - mct[i][8]) <= 5
                                   for i in ct)
print('conntrack', same and len(ct) >= 2, len(ct), len(mct))
for i in sorted(set(ct) | set(mct)):
    if ct.get(i, ())[:8] != mct.get(i, ())[:8]:
        print('differs', i, ct.get(i), mct.get(i))
print('closed tcp', any(v[0] == 'tcp' and v[2] == 'TIME_WAIT' for v in mct.values()))
print('unreplied udp', any(v[0] == 'udp' and v[5] for v in mct.values()))
PY
cut -c1-300 "$T_DIR/cmp.out" | head -n 20
for k in tables chains rules sets; do
	check "nftables $k equal nft -j list ruleset's" grep -q "^$k True" "$T_DIR/cmp.out"
done
check "conntrack entries equal conntrack -L's, entry for entry" grep -q '^conntrack True' "$T_DIR/cmp.out"
check "the closed TCP connection is remembered (TIME_WAIT)" grep -qx 'closed tcp True' "$T_DIR/cmp.out"
check "the unanswered UDP flow is there, unreplied" grep -qx 'unreplied udp True' "$T_DIR/cmp.out"
expect "the raw netlink messages are kept" '[ -s "$N/nftables.nlmsg" ] && [ -s "$N/conntrack.nlmsg" ]'
finish
