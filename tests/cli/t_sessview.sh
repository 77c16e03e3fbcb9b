#!/bin/bash
# sessions.txt is made from utmp's exact bytes, escaped, never from the
# JSON records (where invalid UTF-8 has become U+FFFD): a utmp in a private
# mount namespace with an escape sequence, a bidi override and an invalid
# byte in its user and host fields.
. "$(dirname "$0")/lib.sh"
need python3; need unshare
need_root "a private mount namespace with its own /run"
F=$T_DIR/utmp
python3 - "$F" <<'PY'
import struct, sys, time
def rec(t, pid, line, ident, user, host):
    return struct.pack('<hxxi32s4s32s256shhiii4i20x', t, pid, line, ident, user, host,
                       0, 0, 0, int(time.time()), 0, 0, 0, 0, 0)
with open(sys.argv[1], 'wb') as f:
    f.write(rec(2, 0, b'~', b'~~', b'reboot', b'6.1.0'))
    f.write(rec(7, 1, b'pts/77', b'ts/7', b'ev\x1b]0;x\x07il', b'10.0.0.1\xff\xe2\x80\xaeevil'))
PY
printf 'profile s\nstep sessions\n' >"$T_DIR/s.profile"
unshare --mount sh -c "mount -t tmpfs irsnap-run /run && cp '$F' /run/utmp &&
	'$IRSNAP' collect -o '$OUT/s.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/s.profile'" 2>"$OUT/s.err"
extract s || { fail "no bundle"; cat "$OUT/s.err"; finish; }
V=$BDIR/volatile/sessions.txt
expect "the hostile user is in sessions.txt, escaped" 'grep -qF "ev\\x1b]0;x\\x07il" "$V"'
expect "the invalid byte is escaped, not made U+FFFD" 'grep -qF "10.0.0.1\\xff" "$V" && ! grep -q "$(printf "\xef\xbf\xbd")" "$V"'
expect "the bidi override is escaped" 'grep -qF "\\u202e" "$V"'
expect "no raw control byte in sessions.txt" '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n" <"$V")'
jq -r 'select(.line == "pts/77") | .host_b64' "$BDIR/volatile/sessions.jsonl" >"$T_DIR/h.b64"
printf '10.0.0.1\377\342\200\256evil' >"$T_DIR/h.want"
expect "sessions.jsonl keeps the host's exact bytes (host_b64)" \
	'base64 -d <"$T_DIR/h.b64" >"$T_DIR/h.got" && test_cmp "$T_DIR/h.want" "$T_DIR/h.got"'
finish
