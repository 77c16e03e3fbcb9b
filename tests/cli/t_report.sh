#!/bin/bash
# irsnap report --text (issue 16, the terminal part): the verdict first,
# the summary as run.json says it, every finding of findings.jsonl with its
# evidence; strings from the host (a process named with a terminal escape
# and markup, a case note with an OSC sequence) shown escaped, never raw;
# a tampered bundle marked INVALID on every line; several bundles give an
# overview line each first.
. "$(dirname "$0")/lib.sh"
need jq; need python3
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
SHM=/dev/shm/irsnap-t-report.$$
cp "$(readlink -f "$PY")" "$SHM" || skip "cannot copy python into /dev/shm"
trap 'rm -f "$SHM"; cleanup' EXIT
# a process in /dev/shm (findings) named with an escape and markup
"$SHM" -c 'import ctypes, time
ctypes.CDLL(None).prctl(15, b"\x1b[31m</td><b>", 0, 0, 0); time.sleep(60)' & P=$!
sleep 0.3
collect a --case "C-1" --note "$(printf 'note \033]0;pwned\007 end')"
collect b
kill $P 2>/dev/null; wait 2>/dev/null
check "two collections (status $RC)" [ "$RC" -le 1 ]
extract a || { fail "no bundle"; finish; }

"$IRSNAP" report --text "$OUT/a.tar" >"$T_DIR/r.txt" 2>"$T_DIR/r.err"
check "report exits 0 for a valid bundle (got $?)" [ $? = 0 ]
check "the verdict comes first, after the bundle's name" \
	[ "$(sed -n 2p "$T_DIR/r.txt" | cut -c1-16)" = "verdict:   VALID" ]
check "... with the bundle's SHA-256 as verify computes it" grep -q "bundle-sha256 $("$IRSNAP" verify \
	"$OUT/a.tar" | sed -n 's/^  bundle-sha256: //p')," "$T_DIR/r.txt"
check "the summary names the host and case of run.json" grep -q "^host:      $(jq -r .host.hostname \
	"$BDIR/run.json") (machine-id $(jq -r .host.machine_id "$BDIR/run.json")," "$T_DIR/r.txt"
check "... and the case" grep -q "^case:      C-1, " "$T_DIR/r.txt"
check "no raw control byte: the note's OSC and the name's escape are escaped" \
	bash -c "! LC_ALL=C tr -d '\n' <'$T_DIR/r.txt' | LC_ALL=C grep -q '[[:cntrl:]]'"
check "... shown as \\x1b, literally" grep -q 'note \\x1b\]0;pwned\\x07 end' "$T_DIR/r.txt"
expect "every finding of findings.jsonl is listed, with its check and title" '
	n=$(grep -c . "$BDIR/findings.jsonl") &&
	[ "$(grep -cE "^  (high|medium|low|info) +[a-z_]+: " "$T_DIR/r.txt")" = "$n" ] && [ "$n" -gt 0 ]'
expect "the planted process: exe_in_temp, high, its evidence its record" '
	grep -A1 "^  high   exe_in_temp: pid $P " "$T_DIR/r.txt" |
		grep -q "evidence: volatile/processes.jsonl {\"pid\":$P,\"start_ticks\":"'
check "... its name escaped, the markup as text" grep -q "pid $P (\\\\x1b\[31m</td><b>)" "$T_DIR/r.txt"
check "findings are most severe first" bash -c "grep -oE '^  (high|medium|low|info) ' '$T_DIR/r.txt' |
	awk '{print (\$1==\"high\")?0:(\$1==\"medium\")?1:(\$1==\"low\")?2:3}' | sort -c"

python3 - "$OUT/a.tar" "$T_DIR/bad.tar" <<'PYT'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b'"comm":"')
b[i + 8] ^= 1
open(sys.argv[2], "wb").write(b)
PYT
"$IRSNAP" report --text "$T_DIR/bad.tar" >"$T_DIR/bad.txt" 2>/dev/null
check "a tampered bundle: exit 1 (got $?)" [ $? = 1 ]
check "... INVALID on every line of its report" bash -c "! grep -v '^INVALID | ' '$T_DIR/bad.txt' | grep -q ."
check "... its verdict says it is not evidence" grep -q "^INVALID | verdict:   INVALID: not evidence" \
	"$T_DIR/bad.txt"
"$IRSNAP" report --text "$OUT/a.tar" "$T_DIR/bad.tar" "$OUT/b.tar" >"$T_DIR/f.txt" 2>/dev/null
check "three bundles: exit 1 (one invalid; got $?)" [ $? = 1 ]
check "... an overview line each first" [ "$(sed -n 1p "$T_DIR/f.txt"): $(sed -n 2,4p "$T_DIR/f.txt" |
	awk '{print $1}' | tr '\n' ' ')" = "3 bundles:: VALID INVALID VALID " ]
"$IRSNAP" report "$OUT/a.tar" >/dev/null 2>&1
check "without --text: a usage error that says why (exit 2, got $?)" [ $? = 2 ]
finish
