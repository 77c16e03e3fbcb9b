#!/bin/bash
# Memory does not grow with the login files. A wtmp family of ~150 MB
# (wtmp and wtmp.1: over LOGIN_STREAM_OVER, so rendered twice, not held) and
# a ~100 MB btmp (held, compressed): the run's peak RSS stays under 64 MiB
# (static build; ASan's shadow memory would measure ASan), every record is
# in wtmp.jsonl in file order, last.txt equals `last -F -w -x -f` and
# lastb.txt `lastb -F -w -f` for the same files, and the bundle verifies.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need last; need lastb
need_root "a private mount namespace with its own /var/log"
[ -x /usr/bin/time ] || skip "needs /usr/bin/time"
F=$T_DIR/f
mkdir -p "$F"
python3 - "$F" <<'PY'
import struct, sys
def rec(t, pid, line, user, host, sec):
    return struct.pack('<hxxi32s4s32s256shhiii4i20x', t, pid, line, line[-4:], user, host,
                       0, 0, 0, sec, 0, 0, 0, 0, 0)
def history(n, t, failed):
    out = []
    users = [b'alice', b'bob', b'carol', b'dave', b'erin', b'frank']
    i = 0
    while i < n:
        if not failed and i % 1000 == 0:
            out.append(rec(2, 0, b'~', b'reboot', b'6.1.0-big', t)); i += 1
        line = b'pts/%d' % (i % 40); pid = 1000 + i % 30000
        t += 7
        out.append(rec(6 if failed else 7, pid, line, users[i % 6], b'10.0.%d.%d' % (i % 250, i % 200), t)); i += 1
        if not failed:
            t += 300
            out.append(rec(8, pid, line, b'', b'', t)); i += 1
    return b''.join(out), t
old, t = history(190000, 1600000000, False)
new, _ = history(200000, t + 60, False)
bad, _ = history(270000, 1600000000, True)
open(sys.argv[1] + '/wtmp.1', 'wb').write(old)
open(sys.argv[1] + '/wtmp', 'wb').write(new)
open(sys.argv[1] + '/btmp', 'wb').write(bad)
PY
nrec=$(( ($(stat -c %s "$F/wtmp.1") + $(stat -c %s "$F/wtmp")) / 384 ))
printf 'profile l\nstep logins\n' >"$T_DIR/l.profile"
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && cp '$F/wtmp' '$F/wtmp.1' '$F/btmp' /var/log/ &&
	exec /usr/bin/time -f '%M' -o '$T_DIR/rss' '$IRSNAP' collect -o '$OUT/l.tar' ${OUT_FLAGS[*]} \
	--profile '$T_DIR/l.profile'" 2>"$OUT/l.err"
expect "collect exits 0: complete" '[ -s "$T_DIR/rss" ] && ! grep -q "exited with non-zero" "$T_DIR/rss"'
rss=$(tail -n 1 "$T_DIR/rss")
if [ "$IRSNAP_BUILD" = static ]; then
	check "peak RSS ${rss} KiB for $nrec wtmp records + btmp, under 64 MiB" [ "$rss" -lt 65536 ]
else
	echo "# peak RSS ${rss} KiB (not checked: $IRSNAP_BUILD build)"
fi
check "the bundle verifies" "$IRSNAP" verify "$OUT/l.tar"
member() { tar -xOf "$OUT/l.tar" --wildcards "*/$1"; }
member acquisition.log >"$T_DIR/log"
expect "the wtmp family was rendered twice, not held" \
	'grep -q "/var/log/wtmp\* holds over 128 MiB to parse" "$T_DIR/log"'
expect "btmp (under the threshold) was held" '! grep -q "/var/log/btmp\* holds over" "$T_DIR/log"'
member logins/wtmp.jsonl | python3 -c '
import json, sys
n = 0; files = []; prev = None
for line in sys.stdin:
    r = json.loads(line); n += 1
    key = (r["source"], r["offset"])
    if r["source"] not in files: files.append(r["source"])
    elif prev and prev[0] == key[0] and key[1] != prev[1] + 384: print("out of order", key); sys.exit(1)
    prev = key
print(n, " ".join(files))' >"$T_DIR/jsonl.out"
expect "wtmp.jsonl has all $nrec records, wtmp then wtmp.1, each in order" \
	'[ "$(cat "$T_DIR/jsonl.out")" = "$nrec /var/log/wtmp /var/log/wtmp.1" ]'
member index.jsonl >"$T_DIR/index"
expect "the streamed members are recorded ok" \
	'[ "$(jq -r "select((.member // \"\") | test(\"logins/(wtmp.jsonl|last.txt)\$\")) | .status" "$T_DIR/index" | sort -u)" = ok ]'
section() { awk -v h="==> $2 <==" '$0 == h {on = 1; next} /^==> / {on = 0} on' "$1"; }
member logins/last.txt >"$T_DIR/last.txt"
member logins/lastb.txt >"$T_DIR/lastb.txt"
for w in wtmp wtmp.1; do
	TZ=UTC last -F -w -x -f "$F/$w" >"$T_DIR/want"
	section "$T_DIR/last.txt" "/var/log/$w" | sed '$d' >"$T_DIR/got"
	check "last.txt for $w = TZ=UTC last -F -w -x -f ($(wc -l <"$T_DIR/want") lines)" \
		test_cmp "$T_DIR/want" "$T_DIR/got"
done
TZ=UTC lastb -F -w -f "$F/btmp" >"$T_DIR/want"
section "$T_DIR/lastb.txt" /var/log/btmp | sed '$d' >"$T_DIR/got"
check "lastb.txt = TZ=UTC lastb -F -w -f ($(wc -l <"$T_DIR/want") lines)" test_cmp "$T_DIR/want" "$T_DIR/got"

# A wtmp rewritten in place while it is read (a wiper at work): a record's
# time is bumped without pause, so the renderings differ. The member is
# still sealed and verifies, and is recorded partial, saying why (exit 1).
rm -f "$OUT/l.tar"
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && cp '$F/wtmp' '$F/wtmp.1' /var/log/ &&
	python3 -c '
import os, struct, sys, time
fd = os.open(\"/var/log/wtmp\", os.O_WRONLY); t = 1700000000
open(\"$T_DIR/writing\", \"w\").close()
while not os.path.exists(\"$T_DIR/done\"):
    t += 1; os.pwrite(fd, struct.pack(\"<i\", t), 384 * 5000 + 340)
' & while [ ! -e '$T_DIR/writing' ]; do sleep 0.05; done;
	'$IRSNAP' collect -o '$OUT/w.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/l.profile'; echo \$? >'$T_DIR/rc';
	touch '$T_DIR/done'; wait" 2>"$OUT/w.err"
expect "a wtmp rewritten while read: sealed (exit 0 or 1, as for live files)" \
	'grep -qx "[01]" "$T_DIR/rc"' || tail -n 5 "$OUT/w.err"
expect "... the bundle verifies" '"$IRSNAP" verify "$OUT/w.tar" >/dev/null'
tar -xOf "$OUT/w.tar" --wildcards '*/index.jsonl' >"$T_DIR/index"
jq -r 'select((.member // "") | test("logins/wtmp.jsonl$")) | .status + ": " + .message' \
	"$T_DIR/index" >"$T_DIR/rec" 2>&1
expect "... wtmp.jsonl is recorded partial: the second rendering differs" \
	'grep -q "^partial: rendered twice .* second rendering differs" "$T_DIR/rec"' || cat "$T_DIR/rec"
finish
