#!/bin/bash
# The whole file timeline (issue 18, item 8) against the tools a
# practitioner trusts, on a tree the test makes in a private mount
# namespace: an ext4 image (immutable and append-only files, set-id bits,
# file capabilities, times set to the nanosecond, hostile names) with a
# tmpfs mounted inside it (a local file system: entered) and a proc mount
# (a pseudo one: not entered). timeline/files.NNNN.jsonl equals
# `find -printf` field for field at nanosecond resolution, its capabilities
# equal getcap's text, its attributes lsattr's, its SHA-256 sha256sum's for
# every executable, library and module (hash-code); a walk of / records
# the top-level entries (with the merged-/usr links) and /dev/shm, never
# /proc or /sys, and does not enter the file system the bundle goes to.
. "$(dirname "$0")/lib.sh"
need unshare; need mkfs.ext4; need getcap; need setcap; need lsattr; need chattr
need python3; need jq
need_root "mounts, chattr and setcap need root"
R=$T_DIR/root
mkdir -p "$R"
cat >"$T_DIR/ns.sh" <<'EOS'
set -e
T=$1; R=$T/root; shift
trap 'echo "line $LINENO: $BASH_COMMAND" >"$T/ns.failed"' ERR
truncate -s 64M "$T/img"
mkfs.ext4 -q "$T/img"
# a loop device can be taken by a test beside this one between the
# search for a free one and its use: tried again
for try in 1 2 3 4 5; do mount -o loop "$T/img" "$R" 2>/dev/null && break; sleep 0.3; done
mountpoint -q "$R"
mkdir -p "$R/bin" "$R/lib/modules" "$R/tmpfs" "$R/proc2" "$R/odd"
cp /bin/true "$R/bin/suid"; chmod 4755 "$R/bin/suid"
cp /bin/true "$R/bin/sgid"; chmod 2711 "$R/bin/sgid"
cp /bin/true "$R/bin/raw"; setcap cap_net_raw=ep "$R/bin/raw"
cp /bin/true "$R/bin/mixed"; setcap 'cap_kill=i cap_chown=p cap_setuid=ip' "$R/bin/mixed"
cp /bin/true "$R/bin/allp"; setcap 'all=p cap_chown+i' "$R/bin/allp"
printf 'so' >"$R/lib/libx.so.1.2"; printf 'ko' >"$R/lib/modules/m.ko.xz"
printf 'data' >"$R/lib/notcode.txt"
echo i >"$R/imm"; chattr +i "$R/imm"
echo a >"$R/app"; chattr +a "$R/app"
touch -h -d @1700000000.123456789 "$R/imm" "$R/app" 2>/dev/null || true
printf x >"$R/odd/$(printf 'new\nline')"; printf x >"$R/odd/pipe|bar"
printf x >"$R/odd/$(printf 'bad\377utf8')"
ln -s /etc/passwd "$R/odd/abs-link"; ln -s ../bin "$R/odd/rel-link"
mkfifo "$R/odd/fifo"
touch -d @1600000000.000000001 "$R/odd/pipe|bar"
mount -t tmpfs t "$R/tmpfs"; echo t >"$R/tmpfs/on-tmpfs"
mount -t proc proc "$R/proc2"
mount -t tmpfs shm /dev/shm; echo s >/dev/shm/irsnap-shm-probe
getcap -r "$R" >"$T/getcap.out" 2>/dev/null || true
lsattr -d "$R/imm" "$R/app" "$R/bin/suid" >"$T/lsattr.out"
sha256sum "$R"/bin/* "$R/lib/libx.so.1.2" "$R/lib/modules/m.ko.xz" >"$T/sha.out"
# twice: under relatime, the first readlink of each link moves its atime once
F='%p\0%y\0%m\0%U\0%G\0%s\0%i\0%n\0%A@\0%T@\0%C@\0%l\0'
# proc2 itself listed, never read: a process of another test that exits
# between find's readdir of a procfs and its stat failed find (and skipped
# this test) under ctest -j2
find "$R" -path "$R/proc2" -prune -printf "$F" -print0 -o -printf "$F" -print0 >/dev/null
find "$R" -path "$R/proc2" -prune -printf "$F" -print0 -o -printf "$F" -print0 >"$T/find.out"
printf 'profile tl\ntimeline %s hash-code\ntimeline / max-depth 3\n' "$R" >"$T/tl.profile"
"$IRSNAP" collect -o "$OUT/tl.tar" --profile "$T/tl.profile" "$@" 2>"$OUT/tl.err" || echo "rc $?" >"$T/rc"
stat -c '%X.%x' "$R/bin/suid" >"$T/atime.after"
chattr -i "$R/imm"; chattr -a "$R/app"
EOS
IRSNAP=$IRSNAP OUT=$OUT unshare -m --propagation private bash "$T_DIR/ns.sh" "$T_DIR" \
	"${OUT_FLAGS[@]}" || skip "the test tree could not be made: $(cat "$T_DIR/ns.failed" 2>/dev/null)"
check "collect exits 0" [ ! -e "$T_DIR/rc" ]
extract tl || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/tl.tar"
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
OUT=$OUT python3 - "$BDIR/timeline" "$T_DIR" "$R" <<'PY' >"$T_DIR/cmp.out"
import base64, glob, json, os, sys
tl, t, root = sys.argv[1:4]
recs = {}
for f in sorted(glob.glob(tl + '/files.*.jsonl')):
    for line in open(f, encoding='utf-8'):
        o = json.loads(line)
        p = base64.b64decode(o['path_b64']) if 'path_b64' in o else o['path'].encode()
        recs.setdefault(p, []).append(o)
fields = open(t + '/find.out', 'rb').read().split(b'\0')[:-1]
kinds = {'f': 'file', 'd': 'dir', 'l': 'symlink', 'p': 'fifo'}
def ns(o, k):
    return '%d.%09d0' % (o[k], o[k + '_ns'])
n = bad = 0
for i in range(0, len(fields) - 12, 13):
    p, y, m, u, g, s, ino, nl, a, mt, c, l, p2 = fields[i:i + 13]
    n += 1
    got = recs.get(p, [])
    if len(got) != 1:
        bad += 1; print('count', p, len(got)); continue
    o = got[0]
    want = [kinds.get(y.decode(), y.decode()), m.decode(), int(u), int(g), int(s), int(ino),
            int(nl), a.decode(), mt.decode(), c.decode(), l]
    have = [o['type'], o['mode'], o['uid'], o['gid'], o['size'], o['ino'], o['nlink'],
            ns(o, 'atime'), ns(o, 'mtime'), ns(o, 'ctime'), o.get('target', '').encode()]
    if o['type'] == 'dir':   # a directory's atime moves when find or irsnap lists it
        want[7] = have[7] = ''
    if p == (root + '/proc2').encode():   # a proc root's nlink counts the processes
        want[6] = have[6] = 0
    if want != have:
        bad += 1; print('differ', p, want, have)
mine = {p for p in recs if p.startswith(root.encode())}
print('find', n, 'bad', bad, 'extra', sorted(mine - set(fields[0::13]))[:3])
print('equal', n > 15 and bad == 0 and len(mine) == n)
print('proc-mount-not-entered', not any(p.startswith((root + '/proc2/').encode()) for p in recs))
print('tmpfs-entered', (root + '/tmpfs/on-tmpfs').encode() in recs)
# getcap: "path text"
caps = {}
for line in open(t + '/getcap.out'):
    p, _, text = line.rstrip('\n').partition(' ')
    caps[p] = text
mycaps = {p.decode(): o[0]['caps']['text'] for p, o in recs.items() if 'caps' in o[0]}
mycaps = {p: v for p, v in mycaps.items() if p.startswith(root)}
print('caps', caps == mycaps and len(caps) == 3, caps, mycaps)
att = {}
for line in open(t + '/lsattr.out'):
    flags, _, p = line.rstrip('\n').partition(' ')
    att[p] = sorted(x for x, c in (('immutable', 'i'), ('append', 'a')) if c in flags)
myatt = {p: sorted(recs[p.encode()][0].get('attrs') or []) for p in att}
myatt = {p: [x for x in v if x in ('immutable', 'append')] for p, v in myatt.items()}
print('attrs', att == myatt and att[root + '/imm'] == ['immutable'], att, myatt)
sha = {}
for line in open(t + '/sha.out'):
    h, _, p = line.rstrip('\n').partition('  ')
    sha[p] = h
mysha = {p.decode(): o[0]['sha256'] for p, o in recs.items() if 'sha256' in o[0]}
mysha = {p: v for p, v in mysha.items() if p.startswith(root)}
print('sha', sha == mysha, sorted(set(sha) ^ set(mysha)))
print('shm', b'/dev/shm/irsnap-shm-probe' in recs and b'/dev/shm' in recs)
print('no-proc-sys', not any(p.startswith((b'/proc/', b'/sys/', b'/dev/pts')) for p in recs))
top = [b'/usr', b'/etc', b'/bin']
print('top', all(p in recs for p in top))
out = os.environ['OUT'].encode()
print('output-not-entered', out in recs and not any(p.startswith(out + b'/') for p in recs))
b = recs[b'/bin'][0]
print('usrmerge', b['type'] == 'dir' or b.get('target', '').encode() == os.readlink('/bin').encode())
PY
cat "$T_DIR/cmp.out" | head -n 40
for k in equal proc-mount-not-entered tmpfs-entered caps attrs sha shm no-proc-sys top usrmerge \
	output-not-entered; do
	check "timeline: $k" grep -q "^$k True" "$T_DIR/cmp.out"
done
expect "the bodyfile has the hostile names escaped, one line each" '
	cat "$BDIR"/timeline/bodyfile.* >"$T_DIR/body" &&
	grep -c "/odd/new\\\\nline|" "$T_DIR/body" | grep -qx 1 &&
	grep -c "/odd/pipe\\\\x7cbar|" "$T_DIR/body" | grep -qx 1'
expect "a file'\''s atime is unchanged by its hash" '
	grep -q "\"path\":\"$R/bin/suid\"" "$BDIR"/timeline/files.*.jsonl &&
	a=$(jq -r "select(.path==\"$R/bin/suid\") | \"\(.atime).\(.atime_ns)\"" "$BDIR"/timeline/files.*.jsonl) &&
	[ "${a%%.*}" = "$(cut -d. -f1 "$T_DIR/atime.after")" ]'
expect "the work log says the output'\''s file system was not entered" '
	grep -q "on the file system the bundle is written to, is listed but not entered" \
		"$BDIR/acquisition.log"'
expect "the work log counts the mounts not entered" '
	grep -q "timeline .*/root.*[1-9][0-9]* mounts not entered" "$BDIR/acquisition.log"'
finish
