#!/bin/bash
# Compressed rotations are parsed, not only copied: wtmp.1.gz, wtmp.2.xz,
# wtmp.3.zst, wtmp.4.bz2, wtmp.5.lz4 and btmp.1.gz, each compressed by the
# real tool. Their records equal `utmpdump` of the decompressed file (with
# "stream" and offsets in the decompressed stream), their views equal
# `last -F -w -x -f` / `lastb -F -w -f` of it. Hostile ones: plain bytes
# under a .gz name (parsed, an anomaly), a truncated gzip (the records
# before the cut kept, an anomaly), and a 20 MiB stream, longer than a view
# is made from (records all there, the view says why it is missing).
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need utmpdump; need last; need lastb
for t in gzip xz zstd bzip2 lz4; do need $t; done
need_root "a private mount namespace with its own /var/log"
F=$T_DIR/f
P=$T_DIR/plain
mkdir -p "$F" "$P"
python3 - "$P" <<'PY'
import struct, sys
def rec(t, pid, line, user, host, sec):
    return struct.pack('<hxxi32s4s32s256shhiii4i20x', t, pid, line, line[-4:], user, host,
                       0, 0, 0, sec, 0, 0, 0, 0, 0)
def hist(n, t, seed, failed=False):
    out = [] if failed else [rec(2, 0, b'~', b'reboot', b'6.1.0-rot', t)]
    for i in range(n):
        line = b'pts/%d' % ((i + seed) % 7); pid = 2000 + seed * 100 + i
        t += 11
        out.append(rec(6 if failed else 7, pid, line, b'user%d' % ((i * seed) % 5),
                       b'192.0.2.%d' % (i % 250), t))
        if not failed and i % 3:
            t += 60
            out.append(rec(8, pid, line, b'', b'', t))
    out.append(rec(1, ord('0') + 256 * ord('N'), b'~', b'runlevel', b'6.1.0', t + 5)) if not failed else None
    return b''.join(out)
d = sys.argv[1]
for k, name in enumerate(['wtmp.1.gz', 'wtmp.2.xz', 'wtmp.3.zst', 'wtmp.4.bz2', 'wtmp.5.lz4',
                          'wtmp.6.gz', 'wtmp.7.gz']):
    n = 1500 if name == 'wtmp.7.gz' else 40 + k   # 7: cut halfway, past the first read
    open(f'{d}/{name}', 'wb').write(hist(n, 1600000000 - 86400 * (k + 1), k + 1))
open(f'{d}/btmp.1.gz', 'wb').write(hist(30, 1600000000, 9, failed=True))
open(f'{d}/wtmp', 'wb').write(hist(10, 1600100000, 3))
open(f'{d}/wtmp.8.gz', 'wb').write(hist(36000, 1500000000, 4))   # ~20 MiB
PY
for w in wtmp.1.gz wtmp.6.gz wtmp.7.gz wtmp.8.gz btmp.1.gz; do [ "$w" = wtmp.6.gz ] || gzip -9 -c <"$P/$w" >"$F/$w"; done
cp "$P/wtmp.6.gz" "$F/"                    # plain bytes under a .gz name
xz -c <"$P/wtmp.2.xz" >"$F/wtmp.2.xz"; zstd -q -c <"$P/wtmp.3.zst" >"$F/wtmp.3.zst"
bzip2 -c <"$P/wtmp.4.bz2" >"$F/wtmp.4.bz2"; lz4 -q -c <"$P/wtmp.5.lz4" >"$F/wtmp.5.lz4"
cp "$P/wtmp" "$F/"
head -c $(( $(stat -c %s "$F/wtmp.7.gz") / 2 )) "$F/wtmp.7.gz" >"$T_DIR/cut" && mv "$T_DIR/cut" "$F/wtmp.7.gz"
printf 'profile l\nstep logins\n' >"$T_DIR/l.profile"
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && cp '$F'/* /var/log/ &&
	'$IRSNAP' collect -o '$OUT/l.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/l.profile'" 2>"$OUT/l.err"
extract l || { fail "no bundle"; cat "$OUT/l.err"; finish; }
check "the bundle verifies" verifies "$OUT/l.tar"
section() { awk -v h="==> $2 <==" '$0 == h {on = 1; next} /^==> / {on = 0} on' "$1"; }
for w in wtmp.1.gz:gzip wtmp.2.xz:xz wtmp.3.zst:zstd wtmp.4.bz2:bzip2 wtmp.5.lz4:lz4 btmp.1.gz:gzip; do
	name=${w%%:*} filter=${w#*:}
	jsonl=$BDIR/logins/wtmp.jsonl view=last.txt opts=(-F -w -x) tool=last
	case $name in btmp*) jsonl=$BDIR/logins/btmp.jsonl view=lastb.txt opts=(-F -w) tool=lastb ;; esac
	check "$name: copied raw, byte for byte" cmp -s "$BDIR/fs/var/log/$name" "$F/$name"
	utmpdump "$P/$name" 2>/dev/null >"$T_DIR/dump.txt"
	python3 "$(dirname "$0")/utmpcmp.py" "$jsonl" "/var/log/$name" "$T_DIR/dump.txt" "$filter" >"$T_DIR/cmp.out"
	check "$name: records = utmpdump of the decompressed file ($(tail -n 1 "$T_DIR/cmp.out"))" \
		grep -qx 'bad 0' "$T_DIR/cmp.out"
	grep -v '^bad' "$T_DIR/cmp.out" | head -n 3
	TZ=UTC $tool "${opts[@]}" -f "$P/$name" >"$T_DIR/want"
	section "$BDIR/logins/$view" "/var/log/$name" | sed '$d' >"$T_DIR/got"
	check "$name: $view = TZ=UTC $tool ${opts[*]} of the decompressed file" test_cmp "$T_DIR/want" "$T_DIR/got"
done
A=$BDIR/logins/anomalies.jsonl
kind() { jq -r --arg s "/var/log/$1" 'select(.source == $s) | .kind' "$A"; }
expect "plain bytes under a .gz name: an anomaly" '[ "$(kind wtmp.6.gz)" = compressed-name-plain-content ]'
utmpdump "$P/wtmp.6.gz" 2>/dev/null >"$T_DIR/dump.txt"
python3 "$(dirname "$0")/utmpcmp.py" "$BDIR/logins/wtmp.jsonl" /var/log/wtmp.6.gz "$T_DIR/dump.txt" >"$T_DIR/cmp.out"
check "... and parsed as plain ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"
expect "a truncated gzip: an anomaly" 'kind wtmp.7.gz | grep -qx compressed-rotation-corrupt'
n7=$(jq -r 'select(.source == "/var/log/wtmp.7.gz") | .offset' "$BDIR/logins/wtmp.jsonl" | wc -l)
expect "... and the records before the cut are kept ($n7)" '[ "$n7" -gt 0 ]'
utmpdump "$P/wtmp.8.gz" 2>/dev/null >"$T_DIR/dump.txt"
python3 "$(dirname "$0")/utmpcmp.py" "$BDIR/logins/wtmp.jsonl" /var/log/wtmp.8.gz "$T_DIR/dump.txt" gzip >"$T_DIR/cmp.out"
check "a 20 MiB stream: every record, read by windows ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"
expect "... and its view says why it is missing" \
	'section "$BDIR/logins/last.txt" /var/log/wtmp.8.gz | grep -q "^irsnap: no view: the gzip stream is longer"'
expect "the plain wtmp is still parsed" '[ "$(jq -r "select(.source == \"/var/log/wtmp\") | .offset" "$BDIR/logins/wtmp.jsonl" | wc -l)" -gt 10 ]'
finish
