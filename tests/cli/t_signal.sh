#!/bin/bash
# SIGTERM and SIGINT mid-run: collection stops, what was collected is sealed,
# status partial, exit 1, and the bundle verifies.
. "$(dirname "$0")/lib.sh"
need jq; need tar; need python3

head -c $((64 << 20)) /dev/urandom >"$T_DIR/big"
for sig in TERM INT; do
	# a slow reader keeps irsnap blocked in the middle of the big file: slow
	# until the signal was sent (whatever the size of what comes before it)
	rm -f "$T_DIR/sent"
	python3 "$(dirname "$0")/slowread.py" "$OUT/$sig.tar" "$T_DIR/sent" < <("$IRSNAP" collect -o - --file "$T_DIR/big" --file /etc/hosts --profile "$FAST_PROFILE" 2>"$OUT/$sig.err"; echo $? >"$OUT/$sig.rc") &
	reader=$!
	# wait until irsnap is reading the big file: then the signal lands mid-file
	ipid=""
	for _ in $(seq 1 1200); do
		ipid=$(pgrep -f "irsnap collect -o - --file $T_DIR/big" | head -n 1)
		[ -n "$ipid" ] && ls -l "/proc/$ipid/fd" 2>/dev/null | grep -q " $T_DIR/big\$" && break
		sleep 0.05
	done
	kill -"$sig" "$ipid"
	touch "$T_DIR/sent"
	wait "$reader"
	sleep 0.2
	rc=$(cat "$OUT/$sig.rc" 2>/dev/null)
	check "SIG$sig: exit 1 (got $rc)" [ "$rc" = 1 ]
	check "SIG$sig: the sealed bundle verifies" verifies "$OUT/$sig.tar"
	extract "$sig" || { fail "SIG$sig: cannot extract"; continue; }
	check "SIG$sig: run.json status partial" [ "$(jq -r .status "$BDIR/run.json")" = partial ]
	check "SIG$sig: the interrupted file is marked partial" [ "$(jq -r --arg s "$T_DIR/big" \
		'select(.source == $s) | .status + " " + (.truncated | tostring)' "$BDIR/index.jsonl")" = "partial true" ]
	check "SIG$sig: the file after it was not collected" \
		[ -z "$(jq -r 'select(.source == "/etc/hosts")' "$BDIR/index.jsonl")" ]
	check "SIG$sig: the work log records the interruption" grep -q 'interrupted by signal' "$BDIR/acquisition.log"
	check "SIG$sig: stderr says partial" grep -q 'status: partial (interrupted)' "$OUT/$sig.err"
done
finish
