#!/bin/bash
# irsnap export --sqlite (issue 16, item 3): a bundle made here, with known
# processes and sockets, into SQLite; the database answers the questions
# an investigator asks with exactly the rows jq gives over the JSON Lines:
# every member's row count, the socket -> process -> exe -> parent join,
# the ancestry of a process, typed columns (numbers, epochs); a second
# bundle appends; the same bundle twice, a tampered bundle and a wrong
# --fingerprint are refused and leave the database as it was; a process
# name that is SQL stays data.
. "$(dirname "$0")/lib.sh"
need jq; need sqlite3; need python3
PY=$(command -v python3)
Q() { sqlite3 -batch -noheader "$DB" "$1"; }

# a parent with a listening child whose name is SQL
"$PY" - "$T_DIR" <<'PYS' &
import ctypes, os, socket, sys, time
d = sys.argv[1]
if os.fork() == 0:
    ctypes.CDLL(None).prctl(15, b"');DROP TABLE x", 0, 0, 0)
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    open(d + "/port", "w").write(str(s.getsockname()[1]))
    open(d + "/child", "w").write(str(os.getpid()))
    time.sleep(60); os._exit(0)
time.sleep(60)
PYS
P=$!
for _ in $(seq 100); do [ -s "$T_DIR/port" ] && [ -s "$T_DIR/child" ] && break; sleep 0.05; done
C=$(cat "$T_DIR/child") PORT=$(cat "$T_DIR/port")
# a host file that looks like irsnap's records, copied with --file
echo '{"pid":1,"comm":"forged","kernel_thread":true}' >"$T_DIR/evil.jsonl"
collect a --file "$T_DIR/evil.jsonl"
collect b
kill "$C" "$P" 2>/dev/null; wait 2>/dev/null
check "two collections (status $RC)" [ "$RC" -le 1 ]
extract a || { fail "no bundle"; finish; }
A=$BDIR
DB=$T_DIR/case.db

"$IRSNAP" export --sqlite "$DB" "$OUT/a.tar" >"$T_DIR/x.out" 2>"$T_DIR/x.err"
check "export exits 0 (got $?)" [ $? = 0 ]
check "... and says how many rows" grep -q "^exported: .*: [0-9]* rows (bundle $(basename "$A")," "$T_DIR/x.out"
rows_of() {   # rows_of MEMBER: its rows in every table
	local t
	for t in $(Q "SELECT name FROM sqlite_schema WHERE type = 'table'"); do
		Q "SELECT count(*) FROM \"$t\" WHERE _member = '$1'" 2>/dev/null
	done | awk '{s += $1} END {print s + 0}'
}
bad=0 nm=0
while read -r m; do
	n=$(grep -c . "$A/$m") got=$(rows_of "$m") nm=$((nm + 1))
	[ "$n" = "$got" ] || { echo "# $m: $n records, $got rows"; bad=1; }
done < <(cd "$A" && find . -name "*.jsonl" -not -path "./fs/*" -not -path "./fs-long/*" |
	sed "s|^\./||")
check "every JSON Lines member ($nm): as many rows as records" [ "$bad:$((nm > 10))" = 0:1 ]
expect "socket_owners: the listener, its owner, exe and parent, as jq joins them" '
	jq -r --argjson p '"$PORT"' "select(.local.port == \$p and .state == \"LISTEN\") |
		.owners[0].pid" "$A/volatile/sockets.jsonl" >"$T_DIR/jq.pid" &&
	pid=$(cat "$T_DIR/jq.pid") && [ "$pid" = "$C" ] &&
	want=$(jq -r "select(.pid == $pid) | [.pid, .exe, .ppid, .comm] | @tsv" "$A/volatile/processes.jsonl") &&
	got=$(sqlite3 -batch -noheader -separator "	" "$DB" "SELECT pid, exe, ppid, comm FROM socket_owners
		WHERE local_port = $PORT AND state = '"'"'LISTEN'"'"'") &&
	[ "$want" = "$got" ]'
expect "process_ancestry: the child's ancestors, nearest first, as jq walks ppid" '
	walk=$(jq -s -r --argjson c '"$C"' "
		(map({key: (.pid | tostring), value: .ppid}) | from_entries) as \$pp |
		[\$c | recurse(\$pp[tostring] // 0; . > 0)] | .[1:] | map(tostring) | join(\" \")" \
		"$A/volatile/processes.jsonl") &&
	got=$(Q "SELECT group_concat(ancestor, '"'"' '"'"') FROM (SELECT ancestor FROM process_ancestry
		WHERE pid = $C ORDER BY depth)") &&
	echo "# jq: $walk; sql: $got" && [ "$walk" = "$got" ] && [ -n "$got" ]'
check "typed columns: pid an integer, start_time_epoch a real, local_port an integer" [ \
	"$(Q "SELECT typeof(pid), typeof(start_time_epoch) FROM volatile_processes WHERE pid = $C;
	      SELECT typeof(local_port) FROM volatile_sockets WHERE local_port = $PORT LIMIT 1" |
	      tr '\n' ' ')" = "integer|real integer " ]
check "start_time_epoch is start_time in seconds" [ "$(Q "SELECT start_time_epoch FROM
	volatile_processes WHERE pid = $C" | cut -d. -f1)" = "$(date -u -d "$(jq -r "select(.pid == $C) |
	.start_time" "$A/volatile/processes.jsonl")" +%s)" ]
check "the SQL process name is data, in its row; the tables are all there" [ \
	"$(Q "SELECT comm FROM volatile_processes WHERE pid = $C")" = "');DROP TABLE x" ]
check "every row has its bundle, host and case" [ "$(Q "SELECT count(*) FROM volatile_processes
	WHERE _bundle IS NULL OR _host IS NULL OR _host != '$(jq -r .host.hostname "$A/run.json")'")" = 0 ]
copied=$(find "$A/fs" -name evil.jsonl | wc -l)
fstables=$(Q "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'fs%'")
forged=$(Q "SELECT count(*) FROM volatile_processes WHERE comm = 'forged'")
check "a copied host file named .jsonl is the host's bytes: no table, no row of it" \
	[ "$copied/$fstables/$forged" = 1/0/0 ]
check "documents: run.json is there" [ "$(Q "SELECT json ->> '\$.id' FROM documents WHERE
	_member = 'run.json'")" = "$(jq -r .id "$A/run.json")" ]
before=$(Q "SELECT count(*) FROM volatile_processes")

"$IRSNAP" export --sqlite "$DB" "$OUT/a.tar" >"$T_DIR/y.out" 2>"$T_DIR/y.err"
check "the same bundle twice: refused with exit 1 (got $?)" [ $? = 1 ]
check "... saying it is there already" grep -q "(its SHA-256) is in the database already" "$T_DIR/y.err"
check "... nothing added" [ "$(Q "SELECT count(*) FROM volatile_processes")" = "$before" ]

# a tampered copy: one byte of a record changed (its member's hash breaks)
python3 - "$OUT/b.tar" "$T_DIR/bad.tar" <<'PYT'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b'"comm":"')
b[i + 8] ^= 1
open(sys.argv[2], "wb").write(b)
PYT
"$IRSNAP" export --sqlite "$DB" "$T_DIR/bad.tar" >/dev/null 2>"$T_DIR/z.err"
check "a tampered bundle: refused with exit 1 (got $?)" [ $? = 1 ]
check "... saying it is not valid" grep -q "not valid: nothing of it was exported" "$T_DIR/z.err"
check "... none of its rows in the database" [ "$(Q "SELECT count(*) FROM bundles")/$(Q \
	"SELECT count(*) FROM volatile_processes")" = "1/$before" ]
"$IRSNAP" export --sqlite "$DB" --fingerprint "sha256:$(printf '0%.0s' $(seq 64))" "$OUT/b.tar" \
	>/dev/null 2>&1
check "a signer other than --fingerprint: refused (exit 1, got $?)" [ $? = 1 ]
"$IRSNAP" export --sqlite "$DB" "$OUT/b.tar" >/dev/null 2>&1
check "a second bundle appends (exit $?)" [ "$(Q "SELECT count(*) FROM bundles")" = 2 ]
check "... its rows beside the first's" [ "$(Q "SELECT count(DISTINCT _bundle) FROM
	volatile_processes")" = 2 ]
"$IRSNAP" export --sqlite "$DB" >/dev/null 2>&1
check "no BUNDLE: a usage error (exit 2, got $?)" [ $? = 2 ]
finish
