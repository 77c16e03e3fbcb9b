#!/bin/bash
# Login databases: binary fixtures made with util-linux `utmpdump -r` from
# text (tests/fixtures/*.txt) are put where a host keeps them, in a private
# mount namespace; irsnap's records must match what `utmpdump` prints for the
# same file, its last.txt/lastb.txt what `last -F -w -x -f` / `lastb -F -w -f`
# print (TZ=UTC), and damaged or hostile files must yield every intact record
# and a report of the damage.
. "$(dirname "$0")/lib.sh"
need_root "mount namespaces to place fixtures at /var/log and /run"
need utmpdump; need last; need lastb; need unshare; need python3; need jq; need tar
FX=$(cd "$(dirname "$0")/../fixtures" && pwd)
F=$T_DIR/fx
mkdir -p "$F"
utmpdump -r <"$FX/wtmp.txt" >"$F/wtmp" 2>/dev/null &&
utmpdump -r <"$FX/btmp.txt" >"$F/btmp" 2>/dev/null &&
utmpdump -r <"$FX/utmp.txt" >"$F/utmp" 2>/dev/null || { fail "utmpdump -r failed"; finish; }
check "utmpdump -r made whole records" [ $(( $(stat -c %s "$F/wtmp") % 384 )) = 0 ]

# damaged: a zeroed record, an unknown type, time going back, a partial tail
python3 - "$F/wtmp" "$F/damaged-src" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
recs = [raw[i:i + 384] for i in range(0, len(raw), 384)]
zero = bytes(384)
unknown = bytearray(recs[2]); unknown[0] = 42      # type 42
back = bytearray(recs[5]); back[340:344] = (1000).to_bytes(4, 'little')   # 1970
out = recs[:3] + [zero] + recs[3:6] + [bytes(unknown), bytes(back)] + recs[6:]
open(sys.argv[2], 'wb').write(b''.join(out) + b'\x07' * 100)
PY
# hostile user and host fields, made with utmpdump -r too
printf '[7] [01005] [ts/3] [ev\033[31mil ] [pts/3       ] [bad\377host\342\200\256x  ] [10.1.1.1       ] [2020-03-07T01:00:00,000000+00:00]\n' >"$F/hostile.txt"
utmpdump -r <"$F/hostile.txt" >"$F/hostile" 2>/dev/null

# logind state files, with a value escaped the way systemd escapes it
mkdir -p "$F/logind/sessions" "$F/logind/users" "$F/logind/seats"
cat >"$F/logind/sessions/7" <<'LOGIND'
# This is private data. Do not parse.
UID=1000
USER=alice
ACTIVE=1
TYPE=tty
REMOTE_HOST=h\x1bx\\y
LEADER=4242
LOGIND
printf 'NAME=alice\nSTATE=active\nSESSIONS=7\n' >"$F/logind/users/1000"
printf 'IS_SEAT0=1\nACTIVE=7\n' >"$F/logind/seats/seat0"

run_in_ns() {   # run_in_ns NAME WTMP: collect with the fixtures in place
	unshare -m bash -c '
		mount -t tmpfs irsnap-fx /var/log && mount -t tmpfs irsnap-fx /run &&
		cp "$1/$2" /var/log/wtmp && cp "$1/wtmp" /var/log/wtmp.1 &&
		cp "$1/btmp" /var/log/btmp && cp "$1/utmp" /run/utmp &&
		echo x | gzip >/var/log/wtmp.2.gz && mkfifo /var/log/btmp.1 && ln -s /dev/zero /var/log/wtmp.3 &&
		mkdir -p /run/systemd && cp -r "$1/logind/." /run/systemd/ && mkfifo /run/systemd/sessions/7.ref &&
		exec "$3" collect -o "$4" --allow-host-output --profile "$5"' _ "$F" "$2" "$IRSNAP" "$OUT/$1.tar" "$FAST_PROFILE" 2>"$OUT/$1.err"
	RC=$?
}

# a shell on a terminal with no utmp login: util-linux script writes none
SCRIPT_CHILD=""
if command -v script >/dev/null; then
	script -qfc "sleep 300" /dev/null </dev/null >/dev/null 2>&1 & SCRIPT_PID=$!
	for _ in $(seq 1 50); do SCRIPT_CHILD=$(pgrep -P "$SCRIPT_PID" | head -n 1); [ -n "$SCRIPT_CHILD" ] && break; sleep 0.1; done
	trap 'pkill -9 -P "$SCRIPT_PID" 2>/dev/null; kill -9 "$SCRIPT_PID" 2>/dev/null; cleanup' EXIT
fi
run_in_ns good wtmp
check "collect with fixtures exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract good || { fail "cannot extract"; cat "$OUT/good.err"; finish; }
check "the bundle verifies" verifies "$OUT/good.tar"
check "raw copy of wtmp is byte-identical" cmp -s "$BDIR/fs/var/log/wtmp" "$F/wtmp"
check "the compressed rotation is copied raw" [ -f "$BDIR/fs/var/log/wtmp.2.gz" ]

# records against utmpdump
compare_dump() {   # compare_dump JSONL SOURCE FILE
	utmpdump "$3" 2>/dev/null >"$T_DIR/dump.txt"
	python3 "$(dirname "$0")/utmpcmp.py" "$1" "$2" "$T_DIR/dump.txt"
}
compare_dump "$BDIR/logins/wtmp.jsonl" /var/log/wtmp "$F/wtmp" >"$T_DIR/cmp.out"
check "wtmp.jsonl = utmpdump, field by field ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"
head -n 3 "$T_DIR/cmp.out" | grep -v '^bad'
compare_dump "$BDIR/logins/btmp.jsonl" /var/log/btmp "$F/btmp" >"$T_DIR/cmp.out"
check "btmp.jsonl = utmpdump ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"
compare_dump "$BDIR/volatile/sessions.jsonl" /run/utmp "$F/utmp" >"$T_DIR/cmp.out"
check "sessions.jsonl = utmpdump of utmp ($(tail -n 1 "$T_DIR/cmp.out"))" grep -qx 'bad 0' "$T_DIR/cmp.out"

# views against last and lastb
section() { awk -v h="==> $2 <==" '$0 == h {on = 1; next} /^==> / {on = 0} on' "$1"; }
TZ=UTC last -F -w -x -f "$F/wtmp" >"$T_DIR/last.want"
section "$BDIR/logins/last.txt" /var/log/wtmp.1 | sed '$d' | sed 's/wtmp\.1 begins/wtmp begins/' >"$T_DIR/last.got"
check "last.txt = TZ=UTC last -F -w -x -f (same file)" cmp -s "$T_DIR/last.got" "$T_DIR/last.want"
cmp -s "$T_DIR/last.got" "$T_DIR/last.want" || diff "$T_DIR/last.got" "$T_DIR/last.want" | head -20
TZ=UTC lastb -F -w -f "$F/btmp" >"$T_DIR/lastb.want"
section "$BDIR/logins/lastb.txt" /var/log/btmp | sed '$d' >"$T_DIR/lastb.got"
check "lastb.txt = TZ=UTC lastb -F -w -f" cmp -s "$T_DIR/lastb.got" "$T_DIR/lastb.want"
cmp -s "$T_DIR/lastb.got" "$T_DIR/lastb.want" || diff "$T_DIR/lastb.got" "$T_DIR/lastb.want" | head
check "utmp's login without a process is an anomaly" \
	[ "$(jq -r 'select(.kind == "session-without-process") | .offset' "$BDIR/volatile/sessions-anomalies.jsonl")" = 1152 ]
check "sessions.txt shows erin on pts/99" grep -q '^erin .*pts/99 ' "$BDIR/volatile/sessions.txt"
if [ -n "$SCRIPT_CHILD" ]; then
	check "a session leader on a terminal without a utmp login is an anomaly" \
		grep -q "process $SCRIPT_CHILD leads a session on pts/" "$BDIR/volatile/sessions-anomalies.jsonl"
	# the same check when no processes step ran first (sessions reads the
	# process table itself instead of the processes step's leaders)
	GOOD_BDIR=$BDIR
	printf 'profile sessions-only\nstep sessions\n' >"$T_DIR/sessions.profile"
	SAVED_PROFILE=$FAST_PROFILE; FAST_PROFILE=$T_DIR/sessions.profile
	run_in_ns alone wtmp
	FAST_PROFILE=$SAVED_PROFILE
	if extract alone; then
		check "... also with the sessions step alone" \
			grep -q "process $SCRIPT_CHILD leads a session on pts/" "$BDIR/volatile/sessions-anomalies.jsonl"
	else
		fail "sessions-only collection could not be extracted"
	fi
	BDIR=$GOOD_BDIR
fi
L=$BDIR/volatile/logind.jsonl
check "logind session 7 parsed (user, leader)" [ "$(jq -r 'select(.kind == "logind-session") | "\(.name) \(.fields.USER) \(.fields.LEADER)"' "$L")" = "7 alice 4242" ]
check "logind values are unescaped to their exact bytes" [ \
	"$(jq -j 'select(.kind == "logind-session") | .fields.REMOTE_HOST' "$L" | od -An -tx1 | tr -d ' \n')" = "681b785c79" ]
check "logind user and seat files parsed" [ "$(jq -r 'select(.kind != "logind-session") | .name' "$L" | sort | tr '\n' ' ')" = "1000 seat0 " ]
check "the session's .ref FIFO is recorded, never opened" [ \
	"$(jq -r 'select(.source == "/run/systemd/sessions/7.ref") | "\(.status) \(.kind) \(.stat.type)"' "$BDIR/index.jsonl")" = "ok special fifo" ]
check "a FIFO where a btmp should be is recorded, not opened" [ \
	"$(jq -r 'select(.source == "/var/log/btmp.1") | "\(.status) \(.stat.type) \(.member)"' "$BDIR/index.jsonl")" = "ok fifo null" ]
check "a symlink where a wtmp should be is recorded with its target" [ \
	"$(jq -r 'select(.source == "/var/log/wtmp.3") | "\(.kind) \(.link_target) \(.member)"' "$BDIR/index.jsonl")" = "symlink /dev/zero null" ]
check "logind raw copies are in the bundle" cmp -s "$BDIR/fs/run/systemd/sessions/7" "$F/logind/sessions/7"

# damaged wtmp
cp "$F/damaged-src" "$F/damaged"
run_in_ns damaged damaged
check "collect with a damaged wtmp exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract damaged || { fail "cannot extract"; finish; }
W=$BDIR/logins/wtmp.jsonl
A=$BDIR/logins/anomalies.jsonl
check "every intact record is listed (16 whole records)" \
	[ "$(jq -r 'select(.source == "/var/log/wtmp") | .offset' "$W" | wc -l)" = 16 ]
check "the trailing 100 bytes are reported with their exact bytes" [ \
	"$(jq -r 'select(.kind == "trailing-partial-record" and .source == "/var/log/wtmp") | "\(.offset) \(.bytes_b64 | @base64d | length)"' "$A")" = "6144 100" ]
check "the gzip rotation's 2 bytes are a trailing partial record of its stream" [ \
	"$(jq -r 'select(.source == "/var/log/wtmp.2.gz") | "\(.kind) \(.offset) \(.stream)"' "$A")" = "trailing-partial-record 0 gzip" ]
check "the zeroed record is reported at its offset" \
	[ "$(jq -r 'select(.kind == "zeroed-record") | .offset' "$A")" = 1152 ]
check "the unknown type is reported" [ "$(jq -r 'select(.kind == "unknown-type") | .detail' "$A")" = "unknown record type 42" ]
check "time going backwards is reported (the 1970 record)" bash -c "jq -r 'select(.kind == \"time-backwards\") | .offset' '$A' | grep -qx 3072"
check "last.txt says the file has trailing bytes" grep -q 'trailing bytes after the last whole record' "$BDIR/logins/last.txt"
check "the damaged bundle verifies" verifies "$OUT/damaged.tar"

# hostile fields
cp "$F/hostile" "$F/hostile-w"
run_in_ns hostile hostile-w
extract hostile || { fail "cannot extract"; finish; }
rec=$(jq -c 'select(.source == "/var/log/wtmp" and .pid == 1005)' "$BDIR/logins/wtmp.jsonl")
check "the hostile user's exact bytes survive" [ "$(jq -j .user <<<"$rec" | od -An -c | tr -s ' ')" = "$(printf 'ev\033[31mil' | od -An -c | tr -s ' ')" ]
check "the invalid host bytes are in host_b64" [ "$(jq -r .host_b64 <<<"$rec" | base64 -d | od -An -tx1)" = "$(printf 'bad\377host\342\200\256x' | od -An -tx1)" ]
check "last.txt has no raw control byte or bidi control" bash -c "
	! LC_ALL=C tr -d '\n' <'$BDIR/logins/last.txt' | LC_ALL=C grep -q '[[:cntrl:]]' &&
	! grep -q \$'\u202e' '$BDIR/logins/last.txt'"
check "last.txt shows the escaped user" grep -qF 'ev\x1b[31mil' "$BDIR/logins/last.txt"
finish
