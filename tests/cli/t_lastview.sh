#!/bin/bash
# The last and lastb views escape every field, by one function: a wtmp
# whose ut_line fields hold every byte value 1..255 (eight records of 32),
# an escape sequence that would hide a root login, and a runlevel record
# whose level byte is ESC; a btmp the same. last.txt and lastb.txt must be
# valid UTF-8 with no raw control byte or bidi control, show the escapes,
# and still hold every record (a line per login).
. "$(dirname "$0")/lib.sh"
need python3; need unshare
need_root "a private mount namespace with its own /var/log"
F=$T_DIR/f
mkdir -p "$F"
python3 - "$F" <<'PY'
import struct, sys
def rec(t, pid, line, user, host, sec):
    return struct.pack('<hxxi32s4s32s256shhiii4i20x', t, pid, line, b'x', user, host,
                       0, 0, 0, sec, 0, 0, 0, 0, 0)
t0 = 1700000000
recs = [rec(2, 0, b'~', b'reboot', b'6.1.0', t0)]
allb = bytes(range(1, 256)) + b'\x01'
for i in range(8):
    recs.append(rec(7, 1000 + i, allb[i * 32:(i + 1) * 32], b'user%d' % i, b'h', t0 + 60 + i))
# 12 bytes in ut_line that move the cursor and erase: they hid a root login
recs.append(rec(7, 2000, b'pts/1\x1b[1A\x1b[2K', b'root', b'10.6.6.6', t0 + 100))
recs.append(rec(1, ord('\x1b') + 256 * ord('N'), b'~', b'runlevel', b'6.1.0', t0 + 200))
data = b''.join(recs)
open(sys.argv[1] + '/wtmp', 'wb').write(data)
open(sys.argv[1] + '/btmp', 'wb').write(b''.join(recs[1:10]))
PY
printf 'profile l\nstep logins\n' >"$T_DIR/l.profile"
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && cp '$F/wtmp' '$F/btmp' /var/log/ &&
	'$IRSNAP' collect -o '$OUT/l.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/l.profile'" 2>"$OUT/l.err"
extract l || { fail "no bundle"; cat "$OUT/l.err"; finish; }
for v in last lastb; do
	V=$BDIR/logins/$v.txt
	expect "$v.txt is valid UTF-8" 'python3 -c "import sys; open(sys.argv[1], \"rb\").read().decode(\"utf-8\")" "$V"'
	expect "$v.txt has no raw control byte" '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n" <"$V")'
	expect "$v.txt has no raw bidi control" '! grep -q "$(printf "\xe2\x80\xae")\|$(printf "\xe2\x80\x8f")" "$V"'
	expect "$v.txt shows the hidden root login, escaped" 'grep -q "^root .*pts/1\\\\x1b" "$V"'
	expect "$v.txt has a line for each of the 8 all-bytes logins" \
		'[ "$(grep -c "^user[0-7] " "$V")" = 8 ]'
done
expect "the runlevel byte is escaped in last.txt" 'grep -qF "(to lvl \\x1b" "$BDIR/logins/last.txt"'
finish
