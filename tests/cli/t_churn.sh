#!/bin/bash
# Processes spawning and exiting continuously during collection: the run
# ends with exit 0 or 1, a verifiable bundle, and every record has a status
# that says what happened; no record mixes two processes.
. "$(dirname "$0")/lib.sh"
need jq; need tar

stop=$T_DIR/stop
churn() { while [ ! -e "$stop" ]; do /bin/true; sleep 0.001 & wait; done; }
churn & c1=$!
churn & c2=$!
trap 'touch "$stop"; wait; cleanup' EXIT
sleep 0.3
for i in 1 2 3; do
	collect "c$i"
	check "run $i under churn exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
	check "run $i's bundle verifies" verifies "$OUT/c$i.tar"
	extract "c$i" || { fail "cannot extract run $i"; continue; }
	P=$BDIR/volatile/processes.jsonl
	check "run $i: every record has a known status" \
		bash -c "jq -r .status '$P' | sort -u | grep -vqxE 'ok|partial|vanished' && exit 1 || exit 0"
	check "run $i: every vanished record says why" \
		bash -c "jq -e -s 'all(.[] | select(.status == \"vanished\"); .status_reason != null)' '$P' >/dev/null"
	check "run $i: no duplicate pid" bash -c "[ \$(jq .pid '$P' | sort | uniq -d | wc -l) = 0 ]"
	echo "run $i: $(jq -r .status "$P" | sort | uniq -c | tr '\n' ' ')"
done
touch "$stop"; wait "$c1" "$c2"
finish
