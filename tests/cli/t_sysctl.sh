#!/bin/bash
# The whole sysctl tree and every task's kernel stack (issue 18, item 9),
# against procps' `sysctl -a` and the kernel's own /proc/<pid>/stack: in a
# network namespace with an interface whose name has a dot (irs.1, which
# sysctl names net.ipv4.conf.irs/1.*), system/sysctl.txt has every name
# sysctl -a shows and the same value wherever sysctl -a printed the same
# value before and after the collection (counters move); only the names
# procps hides as deprecated are extra. Write-only entries are listed with
# their error, never written. A sleeping process's stack equals its
# /proc/<pid>/stack.
. "$(dirname "$0")/lib.sh"
need sysctl; need unshare; need jq; need python3; need ip
need_root "/proc/<pid>/stack and write-only sysctls need root"
printf 'profile s\nstep sysctl\nstep stacks\n' >"$T_DIR/s.profile"
cat >"$T_DIR/ns.sh" <<'EOS'
D=$1
ip link add irs.1 type veth peer name irs2 || exit 3
sleep 300 & S=$!
echo "$S" >"$D/sleeper"
sleep 0.2
sysctl -a >"$D/before.txt" 2>/dev/null
cat "/proc/$S/stack" >"$D/stack.txt"
"$IRSNAP" collect -o "$OUT/s.tar" --profile "$D/s.profile" "${@:2}" 2>"$OUT/s.err" || echo "rc $?" >"$D/rc"
sysctl -a >"$D/after.txt" 2>/dev/null
kill "$S"
EOS
IRSNAP=$IRSNAP OUT=$OUT unshare --net bash "$T_DIR/ns.sh" "$T_DIR" "${OUT_FLAGS[@]}" ||
	skip "a veth pair could not be made"
check "collect exits 0" [ ! -e "$T_DIR/rc" ]
extract s || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/s.tar"
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
python3 - "$BDIR/system" "$T_DIR" <<'PY' >"$T_DIR/cmp.out"
import json, sys
d, t = sys.argv[1:3]
def parse(p):
    out = {}
    for line in open(p, encoding='utf-8', errors='surrogateescape'):
        k, _, v = line.rstrip('\n').partition(' = ')
        out.setdefault(k, []).append(v)
    return out
before, after, mine = parse(t + '/before.txt'), parse(t + '/after.txt'), parse(d + '/sysctl.txt')
missing = sorted(set(before) - set(mine))
extra = sorted(k for k in set(mine) - set(before)
               if k.rsplit('.', 1)[-1] not in ('base_reachable_time', 'retrans_time'))
# counters that move with every open file or new process, whatever irsnap does
moving = ('fs.file-nr', 'fs.dentry-state', 'fs.inode-nr', 'fs.inode-state', 'kernel.ns_last_pid',
          'net.netfilter.nf_conntrack_count')
stable = [k for k in before if before[k] == after.get(k) and k not in moving
          and not k.startswith('kernel.random.')]
differ = [k for k in stable if mine.get(k) != before[k]]
print('missing', missing[:5], len(missing))
print('extra', extra[:5], len(extra))
print('stable', len(stable), 'differ', differ[:5])
print('names', not missing and not extra)
print('values', len(stable) > 500 and not differ)
print('dotted', 'net.ipv4.conf.irs/1.forwarding' in mine)
js = {}
for l in open(d + '/sysctl.jsonl', encoding='utf-8'):
    o = json.loads(l)
    js[o['name']] = o
print('refresh', js.get('vm.stat_refresh', {}).get('skipped') is not None and 'vm.stat_refresh' not in mine)
print('writeonly', 'error' in js.get('vm.drop_caches', {}) and 'value' not in js['vm.drop_caches'])
pid = int(open(t + '/sleeper').read())
want = open(t + '/stack.txt').read().splitlines()
got = [json.loads(l) for l in open(d + '/stacks.jsonl', encoding='utf-8')]
mine_s = [o for o in got if o['pid'] == pid and o['tid'] == pid]
print('stack', len(mine_s) == 1 and mine_s[0].get('frames') == want and
      any('nanosleep' in f for f in want))
print('kthread', any(o['pid'] == 2 and o.get('frames') for o in got))
PY
cat "$T_DIR/cmp.out"
check "every name sysctl -a shows, and no other (but procps' deprecated ones)" grep -qx 'names True' "$T_DIR/cmp.out"
check "every stable value equals sysctl -a's" grep -qx 'values True' "$T_DIR/cmp.out"
check "a dot in an interface's name becomes '/' as sysctl names it" grep -qx 'dotted True' "$T_DIR/cmp.out"
check "a write-only entry (vm.drop_caches) is listed with its error" grep -qx 'writeonly True' "$T_DIR/cmp.out"
check "vm.stat_refresh (its read refreshes the kernel's counters) is not read" grep -qx 'refresh True' "$T_DIR/cmp.out"
check "a sleeping process's kernel stack equals /proc/<pid>/stack" grep -qx 'stack True' "$T_DIR/cmp.out"
check "kernel threads' stacks are there" grep -qx 'kthread True' "$T_DIR/cmp.out"
finish
