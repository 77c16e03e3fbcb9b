#!/bin/bash
# The kernel's log (issue 18, item 2): system/kmsg.jsonl against util-linux
# `dmesg -x --json`, record for record (facility, level, time in
# microseconds, the message's exact bytes), with a hostile record the test
# writes to the log (an escape sequence, a backslash, bytes that are not
# UTF-8); nothing is cleared (the ring holds as many records after as
# before); a file bound over /dev/kmsg in a private mount namespace is
# refused, and the ring is read with syslog(2) instead; so is a /dev/kmsg
# on a stalled FUSE file system, which is never opened.
#
# Why -x: `dmesg --json` without it prints "pri" as facility | level with
# the facility not shifted (util-linux 2.38: user.warn, 12, prints as 5);
# its names (-x) are right.
. "$(dirname "$0")/lib.sh"
need dmesg; need python3; need jq; need unshare
need_root "writing a record to the kernel's log, reading it whole"
[ -w /dev/kmsg ] || skip "no writable /dev/kmsg"
dmesg -x --json >/dev/null 2>&1 || skip "this dmesg has no --json"
marker="irsnap-kmsg-$$-$RANDOM"
printf '<4>%s: a\x1b[31m b\\c \xff\xfe end\n' "$marker" >/dev/kmsg
dmesg -x --json >"$T_DIR/before.json"
printf 'profile k\nstep kmsg\n' >"$T_DIR/k.profile"
collect k --profile "$T_DIR/k.profile"
dmesg -x --json >"$T_DIR/after.json"
check "collect exits 0" [ "$RC" = 0 ]
extract k || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/k.tar"
K=$BDIR/system/kmsg.jsonl
check "every member is strict JSON (no key twice)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
check "kmsg.raw is archived" [ -s "$BDIR/system/kmsg.raw" ]
python3 - "$K" "$T_DIR/before.json" "$T_DIR/after.json" "$marker" <<'PY' >"$T_DIR/cmp.out"
import base64, json, sys
k_path, before, after, marker = sys.argv[1:]
def load_dmesg(p):
    with open(p, encoding='utf-8', errors='surrogateescape') as f:
        d = json.load(f)['dmesg']
    return [(r['fac'], r['pri'], round(r['time'] * 1e6), r['msg'].encode('utf-8', 'surrogateescape'))
            for r in d]
mine = []
for line in open(k_path, encoding='utf-8'):
    r = json.loads(line)
    msg = base64.b64decode(r['msg_b64']) if 'msg_b64' in r else r['msg'].encode()
    mine.append((r['facility_name'], r['level_name'], r['usec'], msg))
A, B = load_dmesg(before), load_dmesg(after)
print('records', len(mine), len(A), len(B))
print('equal_prefix', mine == B[:len(mine)])
print('covers_before', len(mine) >= len(A) and mine[:len(A)] == A)
hostile = [m for m in mine if m[3].startswith(marker.encode())]
print('hostile', len(hostile) == 1 and hostile[0][3] == marker.encode() + b': a\x1b[31m b\\c \xff\xfe end'
      and hostile[0][:2] == ('user', 'warn'))
if mine != B[:len(mine)]:
    for i, (x, y) in enumerate(zip(mine, B)):
        if x != y:
            print('first difference', i, x, y)
            break
PY
cat "$T_DIR/cmp.out" | head -3
check "every record equals dmesg -x --json's, in order" grep -qx 'equal_prefix True' "$T_DIR/cmp.out"
check "every record dmesg saw before is there (none cleared)" grep -qx 'covers_before True' "$T_DIR/cmp.out"
check "the hostile record: its exact bytes, user.warn" grep -qx 'hostile True' "$T_DIR/cmp.out"
expect "nothing cleared: dmesg after holds at least as many records" \
	'[ "$(jq ".dmesg | length" "$T_DIR/after.json")" -ge "$(jq ".dmesg | length" "$T_DIR/before.json")" ]'
expect "sequence numbers rise by one (no record skipped)" \
	'jq -s "[.[].seq] | . as \$s | [range(1; length) | \$s[.] - \$s[. - 1]] | all(. == 1)" "$K" | grep -qx true'
# the first record the ring still holds (it wraps on a busy machine: no
# seq 0 then): its time is the boot's realtime (run.json's start realtime
# less its boottime) plus the record's microseconds, to the microsecond
python3 - "$K" "$BDIR/run.json" <<'PY' >"$T_DIR/time.out"
import json, sys, datetime
rec = json.loads(open(sys.argv[1]).readline())
c = json.load(open(sys.argv[2]))['clocks']['start']
real = c['realtime']
start_ns = int(datetime.datetime.fromisoformat(real[:19] + '+00:00').timestamp()) * 10**9 + int((real[20:-1] + '000000000')[:9])
boot_ns = start_ns - c['boottime_ns']
t = rec['time']
got_ns = int(datetime.datetime.fromisoformat(t[:19] + '+00:00').timestamp()) * 10**9 + int((t[20:-1] + '000000000')[:9])
want_ns = boot_ns + rec['usec'] * 1000
print('first', rec['seq'], t, 'diff_ns', got_ns - want_ns)
import re
ok = re.fullmatch(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+Z', t) and abs(got_ns - want_ns) < 2000
print('time', bool(ok))
PY
cat "$T_DIR/time.out"
check "the time is the boot time plus the record's microseconds (RFC 3339, Z)" grep -qx 'time True' "$T_DIR/time.out"

# a forged /dev/kmsg: a regular file of made-up records bound over it
cat >"$T_DIR/forge.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
printf '6,0,0,-;forged record\n' >"$T/fake"
mount --bind "$T/fake" /dev/kmsg || exit 3
"$IRSNAP" collect -o "$OUT/f.tar" --allow-host-output --profile "$T/k.profile" 2>"$OUT/f.err"
echo $? >"$T/f.rc"
EOS
unshare --mount --propagation private bash "$T_DIR/forge.sh" "$T_DIR" "$IRSNAP" "$OUT"
expect "forged /dev/kmsg: collect exits 0" '[ "$(cat "$T_DIR/f.rc")" = 0 ]'
extract f || { fail "no bundle"; finish; }
check "forged /dev/kmsg: the work log says it is not the kernel's device" \
	grep -q "kmsg: /dev/kmsg is not the kernel's log device" "$BDIR/acquisition.log"
check "forged /dev/kmsg: no record read from it" [ ! -e "$BDIR/system/kmsg.jsonl" ]
check "forged /dev/kmsg: the ring read with syslog(2) has the test's record" \
	grep -aq "$marker" "$BDIR/system/kmsg.syslog"
check "forged /dev/kmsg: and not the forged one" bash -c "! grep -aq 'forged record' '$BDIR/system/kmsg.syslog'"
# a FUSE file system over /dev (bindfs) whose server is stopped: /dev/kmsg
# is not even opened there, so the collection cannot wait on it
if command -v bindfs >/dev/null && [ -c /dev/fuse ]; then
	cat >"$T_DIR/fuse.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
mkdir -p "$T/fdev" && printf '6,0,0,-;forged record\n' >"$T/fdev/kmsg" || exit 3
# in the foreground: a daemonizing bindfs opens /dev/null through its own
# mount, and waits on itself
bindfs -f -o nonempty "$T/fdev" /dev & B=$!
for _ in $(seq 100); do grep -q " /dev fuse" /proc/self/mounts && break; sleep 0.05; done
grep -q " /dev fuse" /proc/self/mounts || { kill $B; exit 3; }
kill -STOP $B   # the server stops answering: an open of /dev/kmsg would wait for ever
timeout 60 "$IRSNAP" collect -o "$OUT/u.tar" --allow-host-output --profile "$T/k.profile" 2>"$OUT/u.err"
echo $? >"$T/u.rc"
kill -CONT $B
fusermount -u /dev 2>/dev/null || umount -l /dev
wait $B
EOS
	timeout 120 unshare --mount --propagation private bash "$T_DIR/fuse.sh" "$T_DIR" "$IRSNAP" "$OUT"
	expect "FUSE /dev: collect exits 0" '[ "$(cat "$T_DIR/u.rc")" = 0 ]'
	if extract u; then
		check "FUSE /dev: /dev/kmsg is refused, the ring read with syslog(2)" \
			grep -q "kmsg: /dev/kmsg is not the kernel's log device" "$BDIR/acquisition.log"
		check "FUSE /dev: the ring has the test's record, not the forged one" \
			bash -c "grep -aq '$marker' '$BDIR/system/kmsg.syslog' && ! grep -aq 'forged record' '$BDIR/system/kmsg.syslog'"
	else
		fail "FUSE /dev: no bundle"
	fi
else
	echo "note: no bindfs or /dev/fuse: the FUSE /dev case is not run"
fi
finish
