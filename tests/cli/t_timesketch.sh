#!/bin/bash
# irsnap export --timesketch (issue 16, item 4): a timeline Timesketch
# imports (one JSON object per line with message, datetime, timestamp,
# timestamp_desc), from a bundle made here: the bodyfile's file times (the
# distinct times of each file, as awk counts them), a known file's
# modification time, a known process's start, and the logins of a wtmp
# made with utmpdump -r (in a private mount namespace); an existing output
# is refused, and a tampered bundle writes no event.
. "$(dirname "$0")/lib.sh"
need_root "a private mount namespace with its own /var/log"
need jq; need unshare; need utmpdump; need python3
mkdir -p "$T_DIR/tree" "$T_DIR/log"
echo x >"$T_DIR/tree/known"
touch -m -d '2021-05-06 07:08:09 UTC' "$T_DIR/tree/known"
touch -a -d '2022-01-02 03:04:05 UTC' "$T_DIR/tree/known"
mkdir -p "$T_DIR/tree/bin" && printf '#!/bin/sh\necho hi\n' >"$T_DIR/tree/bin/tool" && chmod 755 "$T_DIR/tree/bin/tool"
utmpdump -r <"$(dirname "$0")/../fixtures/wtmp.txt" >"$T_DIR/log/wtmp" 2>/dev/null
sleep 60 & S=$!
printf 'profile ts\nstep processes\nstep logins\ntimeline %s/tree hash-exec\n' "$T_DIR" >"$T_DIR/p.profile"
unshare -m sh -c "mount --make-rprivate / && mount --bind '$T_DIR/log' /var/log &&
	'$IRSNAP' collect -o '$OUT/a.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/p.profile'" 2>"$OUT/a.err"
RC=$?
kill $S 2>/dev/null; wait 2>/dev/null
check "the collection ends well (status $RC)" [ "$RC" -le 1 ]
extract a || { fail "no bundle"; finish; }
TL=$T_DIR/t.jsonl
quiet() { "$@" >/dev/null; }
"$IRSNAP" export --timesketch "$TL" "$OUT/a.tar" >"$T_DIR/x.out" 2>"$T_DIR/x.err"
check "export --timesketch exits 0 (got $?)" [ $? = 0 ]
check "every line: message, datetime (RFC 3339), timestamp (µs) and timestamp_desc" quiet jq -e -s '
	length > 0 and all(.[]; (.message | type) == "string" and (.timestamp_desc | type) == "string"
	and (.datetime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\\.[0-9]+)?Z$"))
	and (.timestamp | type) == "number")' "$TL"
check "datetime and timestamp name the same instant" jq -e -s 'all(.[];
	(.datetime | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) == ((.timestamp / 1000000) | floor))' \
	"$TL" >/dev/null
want=$(cat "$BDIR"/timeline/bodyfile.* | awk -F'|' '{n = 0; delete s
	for (i = 8; i <= 11; i++) if ($i > 0 && !($i in s)) { s[$i] = 1; n++ }
	t += n} END {print t}')
check "one event per distinct file time of the bodyfile ($want)" [ "$(jq -r 'select(.data_type ==
	"fs:stat") | .path' "$TL" | wc -l)" = "$want" ]
check "the known file: its modification time, alone" [ "$(jq -r --arg p "$T_DIR/tree/known" 'select(.path ==
	$p and .timestamp_desc == "Modification Time") | .datetime' "$TL")" = 2021-05-06T07:08:09.000000000Z ]
check "... and its access time" [ "$(jq -r --arg p "$T_DIR/tree/known" 'select(.path == $p and
	.timestamp_desc == "Access Time") | .datetime' "$TL")" = 2022-01-02T03:04:05.000000000Z ]
check "an executable's events carry its SHA-256, from beside the bodyfile" [ "$(jq -r --arg p \
	"$T_DIR/tree/bin/tool" 'select(.path == $p) | .sha256' "$TL" | sort -u)" = \
	"$(sha256sum <"$T_DIR/tree/bin/tool" | cut -d' ' -f1)" ]
check "... and no other file's does" [ "$(jq -r 'select(.data_type == "fs:stat" and .sha256 != null) |
	.path' "$TL" | sort -u)" = "$T_DIR/tree/bin/tool" ]
check "the known process's start, as processes.jsonl has it" [ "$(jq -r "select(.data_type ==
	\"irsnap:process\" and .pid == $S) | .datetime" "$TL")" = "$(jq -r "select(.pid == $S) |
	.start_time" "$BDIR/volatile/processes.jsonl")" ]
check "a login event per wtmp login record" [ "$(jq -r 'select(.timestamp_desc == "Login Time") |
	.offset' "$TL" | sort -n | tr '\n' ' ')" = "$(jq -r 'select(.type == 7) | .offset' \
	"$BDIR/logins/wtmp.jsonl" | sort -n | tr '\n' ' ')" ]
check "... alice's from 10.0.0.1 at its time" [ "$(jq -r 'select(.timestamp_desc == "Login Time" and
	.user == "alice") | [.host, .datetime] | join(" ")' "$TL")" = "10.0.0.1 2020-03-01T08:01:40.000000000Z" ]
check "every event names the host and the bundle" [ "$(jq -r 'select(.hostname == null or .bundle !=
	"'"$(basename "$BDIR")"'") | .message' "$TL" | wc -l)" = 0 ]
before=$(sha256sum <"$TL")
"$IRSNAP" export --timesketch "$TL" "$OUT/a.tar" >/dev/null 2>"$T_DIR/y.err"
check "an existing timeline: refused (exit 3, got $?)" [ $? = 3 ]
check "... untouched" [ "$(sha256sum <"$TL")" = "$before" ]
check "... and said why" grep -q "never appended to or replaced" "$T_DIR/y.err"
python3 - "$OUT/a.tar" "$T_DIR/bad.tar" <<'PYT'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b'"comm":"')
b[i + 8] ^= 1
open(sys.argv[2], "wb").write(b)
PYT
"$IRSNAP" export --timesketch "$T_DIR/bad.jsonl" "$T_DIR/bad.tar" >/dev/null 2>"$T_DIR/z.err"
rc=$?
check "a tampered bundle: exit 1 (got $rc), no event written" [ "$rc/$(wc -c <"$T_DIR/bad.jsonl")" = 1/0 ]
check "... saying so" grep -q "not valid: none of its events were written" "$T_DIR/z.err"
finish
