#!/bin/bash
# Login anomalies that were false or missing: a normal utmp (a table of
# slots reused in any order, so its times go back and forth) raises no
# time-backwards; a wtmp that is empty, missing, a FIFO or a symbolic link
# while lastlog holds a login raises one anomaly each, and so does one
# while utmp shows a login; a wtmp whose newest record is older than utmp's
# login (cut) raises utmp-login-newer-than-wtmp.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need jq
need_root "private mount namespaces with their own /var/log and /run"
F=$T_DIR/f
mkdir -p "$F"
python3 - "$F" <<'PY'
import struct, sys
def rec(t, pid, line, user, host, sec):
    return struct.pack('<hxxi32s4s32s256shhiii4i20x', t, pid, line, b'x', user, host,
                       0, 0, 0, sec, 0, 0, 0, 0, 0)
# utmp slots: a newer login in an earlier slot than an older one
utmp = rec(2, 0, b'~', b'reboot', b'6.1.0', 1700000000) + \
       rec(7, 1, b'pts/2', b'bob', b'h', 1700009000) + \
       rec(7, 1, b'pts/1', b'alice', b'h', 1700001000)
open(sys.argv[1] + '/utmp', 'wb').write(utmp)
open(sys.argv[1] + '/wtmp-old', 'wb').write(rec(2, 0, b'~', b'reboot', b'6.1.0', 1699000000))
# lastlog: uid 0 logged in (a 292-byte record per uid)
open(sys.argv[1] + '/lastlog', 'wb').write(struct.pack('<i32s256s', 1700005000, b'pts/0', b'10.1.1.1'))
PY
printf 'profile a\nstep sessions\nstep logins\n' >"$T_DIR/a.profile"
run_case() {   # run_case NAME SETUP: collect with /var/log and /run prepared by SETUP
	unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && mount -t tmpfs irsnap-run /run &&
		cp '$F/utmp' /run/utmp && cp '$F/lastlog' /var/log/lastlog && $2 &&
		'$IRSNAP' collect -o '$OUT/$1.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/a.profile'" \
		2>"$OUT/$1.err"
	extract "$1"
}
run_case normal "cp '$F/utmp' /var/log/wtmp" || { fail "no bundle"; cat "$OUT/normal.err"; finish; }
expect "a normal utmp raises no time-backwards" \
	'[ -z "$(jq -r "select(.kind == \"time-backwards\") | .kind" "$BDIR/volatile/sessions-anomalies.jsonl")" ]'
expect "... and a wtmp with records raises no empty-wtmp anomaly" \
	'! grep -q wtmp-empty-while "$BDIR/logins/anomalies.jsonl"'
expect "... nor a utmp-newer one (its logins are all in wtmp)" \
	'! grep -q utmp-login-newer-than-wtmp "$BDIR/logins/anomalies.jsonl"'
run_case cut "cp '$F/wtmp-old' /var/log/wtmp" || fail "cut: no bundle"
expect "a wtmp older than utmp's logins: utmp-login-newer-than-wtmp, on /run/utmp" \
	'[ "$(jq -r "select(.kind == \"utmp-login-newer-than-wtmp\") | .source" "$BDIR/logins/anomalies.jsonl")" = /run/utmp ]'
for k in empty missing fifo symlink; do
	case $k in
	empty) setup=": >/var/log/wtmp" ;;
	missing) setup="true" ;;
	fifo) setup="mkfifo /var/log/wtmp" ;;
	symlink) setup="ln -s /dev/null /var/log/wtmp" ;;
	esac
	run_case "$k" "$setup" || { fail "$k: no bundle"; continue; }
	expect "a $k wtmp while lastlog has a login: one anomaly" \
		'[ "$(jq -r "select(.kind == \"wtmp-empty-while-lastlog-has-logins\") | .source" "$BDIR/logins/anomalies.jsonl")" = /var/log/wtmp ]'
	expect "... and one because utmp has logins" \
		'[ "$(jq -r "select(.kind == \"wtmp-empty-while-utmp-has-logins\") | .source" "$BDIR/logins/anomalies.jsonl")" = /var/log/wtmp ]'
done
finish
