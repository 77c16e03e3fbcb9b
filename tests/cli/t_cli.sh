#!/bin/bash
# The command line: help for every verb, usage errors exit 2 with a message,
# `list` shows the plan in order of volatility, `version` names the format.
. "$(dirname "$0")/lib.sh"

for v in collect verify keygen list; do
	check "$v --help exits 0 and shows usage" bash -c "'$IRSNAP' $v --help | grep -q '^usage: irsnap $v'"
done
check "--help lists the commands" bash -c "'$IRSNAP' --help | grep -q 'verify BUNDLE'"
"$IRSNAP" >/dev/null 2>&1; check "no command: exit 2" [ $? = 2 ]
"$IRSNAP" frobnicate 2>"$T_DIR/e" >/dev/null; check "unknown command: exit 2" [ $? = 2 ]
check "unknown command is named" grep -q "unknown command 'frobnicate'" "$T_DIR/e"
"$IRSNAP" collect 2>"$T_DIR/e" >/dev/null; check "collect without -o: exit 2" [ $? = 2 ]
check "collect without -o says so" grep -q 'collect needs -o' "$T_DIR/e"
"$IRSNAP" collect -o "$OUT/x.tar" --bogus 2>/dev/null; check "unknown option: exit 2" [ $? = 2 ]
check "... and no output file" [ ! -e "$OUT/x.tar" ]
"$IRSNAP" collect -o "$OUT/k.tar" "${OUT_FLAGS[@]}" --key /nonexistent 2>"$T_DIR/e"
check "missing --key: exit 2 with the reason" bash -c "[ $? = 2 ] && grep -q \"cannot open key '/nonexistent'\" '$T_DIR/e'"
echo "not a key" >"$T_DIR/bad.key"
"$IRSNAP" collect -o "$OUT/k.tar" "${OUT_FLAGS[@]}" --key "$T_DIR/bad.key" 2>"$T_DIR/e"
check "garbage --key: exit 2" [ $? = 2 ]
"$IRSNAP" verify 2>/dev/null >/dev/null; check "verify without a bundle: exit 2" [ $? = 2 ]
"$IRSNAP" verify /nonexistent.tar 2>"$T_DIR/e" >/dev/null; check "verify of a missing file: exit 3" [ $? = 3 ]
"$IRSNAP" verify x.tar --fingerprint nothex 2>/dev/null >/dev/null; check "bad --fingerprint: exit 2" [ $? = 2 ]
"$IRSNAP" keygen 2>/dev/null; check "keygen without -o: exit 2" [ $? = 2 ]
"$IRSNAP" list >"$T_DIR/list" || fail "list failed"
check "list shows the sources" grep -q 'system-files' "$T_DIR/list"
check "the built-in sources are listed in order of volatility" bash -c "
	sed -n '/^built-in sources:/,\$p' '$T_DIR/list' | awk 'NR > 2 {print \$1}' | sort -n -c"
check "the triage plan runs its sources in order of volatility" bash -c "
	sed -n '/^built-in sources:/,\$p' '$T_DIR/list' | awk 'NR > 2 {print \$2, \$1}' >'$T_DIR/ranks' &&
	awk '\$2 == \"step\" {print \$3}' '$T_DIR/list' | sed 's/:\$//' | while read -r s; do
		awk -v s=\"\$s\" '\$1 == s {print \$2}' '$T_DIR/ranks'; done | sort -n -c"
"$IRSNAP" collect -o "$OUT/st.tar" "${OUT_FLAGS[@]}" --profile minimal --stats 2>"$T_DIR/st.err"
check "--stats prints one line per step of the profile (7 in minimal)" [ "$(grep -c '^irsnap: stats: [0-9]' "$T_DIR/st.err")" = 7 ]
check "--stats reports the volatile snapshot's skew" grep -q '^irsnap: stats: volatile snapshot skew [0-9.]* s' "$T_DIR/st.err"
check "the work log has each step's duration" bash -c "tar -xOf '$OUT/st.tar' --wildcards '*/acquisition.log' | grep -q \"step 1: step 'sockets' ends after [0-9.]* s\""
for bad in 0 9 abc 2x -1; do
	"$IRSNAP" collect -o "$OUT/th.tar" "${OUT_FLAGS[@]}" --threads "$bad" 2>"$T_DIR/e" >/dev/null
	check "--threads $bad: exit 2, named" bash -c "[ $? = 2 ] && grep -q -- '--threads needs a number from 1 to 8' '$T_DIR/e'"
done
check "... and no output file" [ ! -e "$OUT/th.tar" ]
# the threads' chunks are merged in pid order, whatever the thread count
for n in 1 3; do
	"$IRSNAP" collect -o "$OUT/th$n.tar" "${OUT_FLAGS[@]}" --profile minimal --threads "$n" 2>/dev/null
	check "--threads $n: the work log says $n" bash -c "tar -xOf '$OUT/th$n.tar' --wildcards '*/acquisition.log' | grep -q 'threads: $n for processes'"
	check "--threads $n: processes.jsonl in ascending pid order, none twice" bash -c "
		tar -xOf '$OUT/th$n.tar' --wildcards '*/volatile/processes.jsonl' | jq -r .pid >'$T_DIR/pids$n' &&
		[ -s '$T_DIR/pids$n' ] && sort -n -u -c '$T_DIR/pids$n'"
	check "--threads $n: each process's threads are in threads.jsonl" bash -c "
		tar -xOf '$OUT/th$n.tar' --wildcards '*/volatile/threads.jsonl' | jq -r 'select(.tid == .tgid) | .tgid' | sort -n >'$T_DIR/tg$n' &&
		tar -xOf '$OUT/th$n.tar' --wildcards '*/volatile/processes.jsonl' | jq -r 'select(.status == \"ok\") | .pid' | sort -n >'$T_DIR/ok$n' &&
		comm -13 '$T_DIR/tg$n' '$T_DIR/ok$n' | grep -q . && exit 1 || exit 0"
done
check "version names the bundle format" bash -c "'$IRSNAP' version | grep -q 'irsnap-bundle/3'"
finish
