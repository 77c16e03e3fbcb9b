#!/bin/bash
# The mount table of every mount namespace (issue 18, item 5), against
# util-linux `findmnt -J -l --task PID`: the test makes a mount namespace
# the host's table does not show (unshare), mounts a tmpfs at a hostile path
# (a space, a tab, a backslash, a newline) and binds a folder of it
# elsewhere; system/mounts.jsonl has that namespace, found through its
# process, with every mount field for field as findmnt shows it (id,
# parent, device, root, target, source, type, VFS and FS options), the
# path's exact bytes, and its raw mountinfo beside it; irsnap's own
# namespace is not among them.
. "$(dirname "$0")/lib.sh"
need findmnt; need unshare; need jq; need python3
need_root "a mount namespace with its own mounts"
B=$T_DIR/base
mkdir -p "$B"
hostile="$B/a b"$'\t'"c\\d"$'\n'"e"
cat >"$T_DIR/ns.sh" <<'EOS'
B=$1 H=$2
mount -t tmpfs -o size=1m,mode=0700 irsnap-mountns "$B" && mkdir -p "$H" "$B/src" "$B/dst" &&
	mount -t tmpfs irsnap-hostile "$H" && mount --bind "$B/src" "$B/dst" || exit 3
echo ready >"$B.ready"
exec sleep 300
EOS
unshare --mount --propagation private bash "$T_DIR/ns.sh" "$B" "$hostile" & U=$!
for _ in $(seq 100); do [ -s "$B.ready" ] && break; sleep 0.05; done
[ -s "$B.ready" ] || { fail "the namespace was not made"; finish; }
P=$(pgrep -P "$U" -x sleep || echo "$U")
[ "$(cat /proc/$P/comm)" = sleep ] || P=$U
NS=$(stat -L -c %i "/proc/$P/ns/mnt")
findmnt -J -l --task "$P" -o ID,PARENT,MAJ:MIN,FSROOT,TARGET,SOURCE,FSTYPE,VFS-OPTIONS,FS-OPTIONS \
	>"$T_DIR/findmnt.json"
printf 'profile m\nstep processes\nstep mounts\n' >"$T_DIR/m.profile"
collect m --profile "$T_DIR/m.profile"
# the table once more after: a mount that came or went during the run (a
# CI run mounts other tests' outputs beside this one) is irsnap's to see
findmnt -J -l --task "$P" -o ID,PARENT,MAJ:MIN,FSROOT,TARGET,SOURCE,FSTYPE,VFS-OPTIONS,FS-OPTIONS \
	>"$T_DIR/findmnt2.json"
kill "$U" "$P" 2>/dev/null
check "collect exits 0" [ "$RC" = 0 ]
extract m || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/m.tar"
M=$BDIR/system/mounts.jsonl
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
expect "the test's namespace ($NS) is in mounts.jsonl" \
	'[ "$(jq -r "select(.mnt_ns == $NS) | .mount_id" "$M" | wc -l)" -gt 0 ]'
expect "its raw mountinfo is beside it" '[ -s "$BDIR/system/mountns/$NS/mountinfo" ]'
expect "each namespace once: no mount id twice in one namespace" \
	'[ -z "$(jq -r "[.mnt_ns, .mount_id] | @tsv" "$M" | sort | uniq -d)" ]'
python3 - "$M" "$T_DIR/findmnt.json" "$NS" "$hostile" "$T_DIR/findmnt2.json" <<'PY' >"$T_DIR/cmp.out"
import json, sys
m_path, f_path, ns, hostile, f2_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def b(r, k):
    return r.get(k)
mine = {}
for line in open(m_path, encoding='utf-8'):
    r = json.loads(line)
    if r['mnt_ns'] != ns or r.get('malformed'):
        continue
    mine[r['mount_id']] = (r['parent_id'], '%d:%d' % (r['major'], r['minor']), r['root'],
                           r['mount_point'], r['source'], r['fstype'], r['options'], r['super_options'])
def table(path):
    fm = {}
    for r in json.load(open(path, encoding='utf-8', errors='surrogateescape'))['filesystems']:
        src = r['source'] or ''
        root = r['fsroot']
        if root != '/' and src.endswith('[' + root + ']'):   # findmnt shows a bind's root in SOURCE
            src = src[:-len(root) - 2]
        fm[r['id']] = (r['parent'], r['maj:min'], root, r['target'], src, r['fstype'],
                       r['vfs-options'], r['fs-options'])
    return fm
fm, fm2 = table(f_path), table(f2_path)
if mine != fm and mine == fm2:
    fm = fm2    # the table changed during the run; irsnap saw the later one
print('count', len(mine), len(fm), len(fm2))
print('equal', mine == fm)
for k in sorted(set(mine) | set(fm)):
    if mine.get(k) != fm.get(k):
        print('differs', k, mine.get(k), fm.get(k))
print('hostile', any(v[3] == hostile and v[5] == 'tmpfs' for v in mine.values()))
print('bind', any(v[3].endswith('/dst') and v[2] == '/src' for v in mine.values()))
PY
head -n 4 "$T_DIR/cmp.out"
check "every mount of the namespace equals findmnt's, field for field" grep -qx 'equal True' "$T_DIR/cmp.out"
check "the hostile mount point's exact bytes (space, tab, backslash, newline)" grep -qx 'hostile True' "$T_DIR/cmp.out"
check "the bind mount's root is the folder bound" grep -qx 'bind True' "$T_DIR/cmp.out"
# irsnap's own namespace, from its own process record (another collection
# running beside this one has a read-only namespace of its own: not this)
own=$(jq -r "select(.comm == \"irsnap\" and (.cmdline | index(\"$OUT/m.tar\"))) | .namespaces.mnt" \
	"$BDIR/volatile/processes.jsonl" | tr -dc 0-9)
expect "irsnap's own namespace ($own) is not recorded (its mounts are read-only copies)" \
	'[ -n "$own" ] && [ -z "$(jq -r "select(.mnt_ns == $own) | .mount_id" "$M")" ]'
finish
