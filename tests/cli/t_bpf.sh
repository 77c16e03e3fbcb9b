#!/bin/bash
# The kernel's eBPF objects (issue 18, item 1), against bpftool: the test
# loads a hash map, a socket filter that refers to it and an sk_lookup
# program linked to a network namespace of its own (bpfload.c), pins the map
# and the filter under a bpffs mounted in a private mount namespace, and
# holds every fd. system/bpf/ must list every program, map and link that
# `bpftool {prog,map,link} show -j` lists, field for field; the pins with
# their paths (`bpftool -f`); the holder's pid and fd; the filter's
# instructions as the kernel gives them (`bpftool prog dump xlated`); the
# programs attached to cgroups without a link (a cgroup_skb and a
# cgroup_sock program, multi and override) as `bpftool cgroup tree` lists
# them. The collection loads nothing: the ID walk after it lists no
# program more.
. "$(dirname "$0")/lib.sh"
need bpftool; need unshare; need jq; need python3; need gcc
need_root "bpf(2) needs CAP_SYS_ADMIN"
gcc -O1 -o "$T_DIR/bpfload" "$(dirname "$0")/bpfload.c" || skip "cannot build the helper"
P=$T_DIR/bpffs
mkdir -p "$P"
# a cgroup2 folder of the test's own, removed at its end
CG2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
CG=
if [ -n "$CG2" ] && mkdir "$CG2/irsnap-test-$$" && mkdir "$CG2/irsnap-test-$$/child"; then
	CG=$CG2/irsnap-test-$$
	on_exit "rmdir '$CG/child' '$CG'"
fi
cat >"$T_DIR/ns.sh" <<'EOS'
P=$1
mount -t bpf irsnap-bpf "$P" || exit 3
exec "$(dirname "$P")/bpfload" "$P" ${2:+"$2"}
EOS
unshare --mount --net --propagation private bash "$T_DIR/ns.sh" "$P" "$CG" >"$T_DIR/ready" 2>"$T_DIR/load.err" & U=$!
for _ in $(seq 100); do [ -s "$T_DIR/ready" ] && break; sleep 0.05; done
[ -s "$T_DIR/ready" ] || { cat "$T_DIR/load.err"; skip "this kernel refuses the test's programs"; }
H=$(pgrep -x bpfload -P "$U" || echo "$U")
read -r _ mapfd filtfd _ _ <"$T_DIR/ready"
# bpftool sees the pins only from the namespace that has the bpffs
nsenter -t "$H" -m -n bpftool -f prog show -j >"$T_DIR/progs.json"
nsenter -t "$H" -m -n bpftool -f map show -j >"$T_DIR/maps.json"
bpftool link show -j >"$T_DIR/links.json"
[ -n "$CG" ] && bpftool cgroup tree "$CG2" -j >"$T_DIR/cgroups.json"
# the filter's id from the holder's own fd (another loader's irs_filter,
# left by an interrupted run, must not be taken for it)
FID=$(awk '$1 == "prog_id:" {print $2}' "/proc/$H/fdinfo/$filtfd")
bpftool prog dump xlated id "$FID" file "$T_DIR/filter.xlated" >/dev/null
printf 'profile b\nstep sockets\nstep bpf\n' >"$T_DIR/b.profile"
before=$(bpftool prog show -j | jq length)
# irsnap runs in the mount namespace that has the bpffs mount
nsenter -t "$H" -m "$IRSNAP" collect -o "$OUT/b.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/b.profile" \
	2>"$OUT/b.err"
RC=$?
after=$(bpftool prog show -j | jq length)
kill "$H" "$U" 2>/dev/null
check "collect exits 0" [ "$RC" = 0 ]
extract b || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/b.tar"
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
check "the collection loaded no program ($before before, $after after)" [ "$before" = "$after" ]
D=$BDIR/system/bpf
python3 - "$D" "$T_DIR" "$H" "$mapfd" "$filtfd" "$P" <<'PY' >"$T_DIR/cmp.out"
import json, os, sys
d, t, holder, mapfd, filtfd, pins = sys.argv[1:7]
def lines(p):
    return [json.loads(l) for l in open(p, encoding='utf-8')]
def bykey(rows):
    return {r['id']: r for r in rows}
mine = {k: bykey(lines(os.path.join(d, k + '.jsonl'))) for k in ('progs', 'maps', 'links')}
tool = {k: bykey(json.load(open(os.path.join(t, k + '.json')))) for k in ('progs', 'maps', 'links')}
fields = {'progs': ['type', 'name', 'tag', 'gpl_compatible', 'uid', 'bytes_xlated', 'jited',
                    'bytes_jited', 'bytes_memlock', 'map_ids', 'btf_id'],
          'maps': ['type', 'name', 'flags', 'bytes_key', 'bytes_value', 'max_entries',
                   'bytes_memlock', 'frozen', 'btf_id'],
          'links': ['type', 'prog_id', 'netns_ino', 'attach_type', 'tp_name', 'cgroup_id',
                    'target_obj_id', 'target_btf_id', 'ifindex']}
for k in fields:
    # objects made or freed between the two listings are not compared
    both = set(mine[k]) & set(tool[k])
    only = set(tool[k]) - set(mine[k])
    print(k, 'count', len(mine[k]), len(tool[k]), 'missing', sorted(only))
    bad = 0
    for i in sorted(both):
        m, b = mine[k][i], tool[k][i]
        for f in fields[k]:
            mv, bv = m.get(f), b.get(f)
            if f == 'map_ids' and bv is None:
                bv = []
            if mv != bv:
                bad += 1
                print('differs', k, i, f, mv, bv)
        if k == 'progs' and abs(m['loaded_at'] - b['loaded_at']) > 1:
            bad += 1
            print('differs', k, i, 'loaded_at', m['loaded_at'], b['loaded_at'])
        if sorted(m.get('pinned', [])) != sorted(b.get('pinned', [])):
            bad += 1
            print('differs', k, i, 'pinned', m.get('pinned'), b.get('pinned'))
    print(k, 'equal', bad == 0 and not only)
f = [r for r in mine['progs'].values() if r['name'] == 'irs_filter'][0]
mp = [r for r in mine['maps'].values() if r['name'] == 'irs_map'][0]
print('filter uses map', f['map_ids'] == [mp['id']])
print('holder filter', {'pid': int(holder), 'fd': int(filtfd), 'comm': 'bpfload'} in f.get('pids', []))
print('holder map', {'pid': int(holder), 'fd': int(mapfd), 'comm': 'bpfload'} in mp.get('pids', []))
pinned = lines(os.path.join(d, 'pinned.jsonl'))
print('pins', sorted((p['path'], p['kind']) for p in pinned if p['path'].startswith(pins)) ==
      [(pins + '/irs_filter', 'prog'), (pins + '/irs_map', 'map')])
x = open(os.path.join(d, 'prog', '%d.xlated' % f['id']), 'rb').read()
print('xlated', x == open(os.path.join(t, 'filter.xlated'), 'rb').read() and len(x) == 32)
PY
cat "$T_DIR/cmp.out" | head -n 30
check "every program equals bpftool's, field for field" grep -qx 'progs equal True' "$T_DIR/cmp.out"
check "every map equals bpftool's, field for field" grep -qx 'maps equal True' "$T_DIR/cmp.out"
check "every link equals bpftool's, field for field" grep -qx 'links equal True' "$T_DIR/cmp.out"
check "the filter names the map it refers to" grep -qx 'filter uses map True' "$T_DIR/cmp.out"
check "the process holding the filter is named, with its fd" grep -qx 'holder filter True' "$T_DIR/cmp.out"
check "the process holding the map is named, with its fd" grep -qx 'holder map True' "$T_DIR/cmp.out"
check "the pins under the test's bpffs, with their paths" grep -qx 'pins True' "$T_DIR/cmp.out"
check "the filter's instructions equal bpftool's xlated dump" grep -qx 'xlated True' "$T_DIR/cmp.out"
if [ -n "$CG" ]; then
	python3 - "$D/cgroups.jsonl" "$T_DIR/cgroups.json" "$CG" <<'PY' >"$T_DIR/cg.out"
import json, sys
mine = sorted((o['cgroup'], o['attach_type'], o['attach_flags'], o['id'], o['name'])
              for o in map(json.loads, open(sys.argv[1])))
tool = sorted((c['cgroup'], p['attach_type'], p['attach_flags'], p['id'], p['name'])
              for c in json.load(open(sys.argv[2])) for p in c['programs'])
print('equal', mine == tool, len(mine))
print(mine, tool)
ours = [x[:3] + x[4:] for x in mine if x[0].startswith(sys.argv[3])]
print('ours', ours == [(sys.argv[3], 'cgroup_inet_egress', 'multi', 'irs_cg_skb'),
                      (sys.argv[3] + '/child', 'cgroup_inet_sock_create', 'override', 'irs_cg_sock')])
PY
	cut -c1-400 "$T_DIR/cg.out"
	check "the cgroup attachments equal bpftool cgroup tree's" grep -q '^equal True' "$T_DIR/cg.out"
	check "the test's two attachments, with their flags" grep -qx 'ours True' "$T_DIR/cg.out"
else
	echo "# no cgroup2 mount: the cgroup attachments are not tested"
fi
expect "the netns link names the test's namespace" \
	"jq -e 'select(.type == \"netns\" and .attach_type == \"sk_lookup\")' '$D/links.jsonl' >/dev/null"
finish
