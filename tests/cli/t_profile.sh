#!/bin/bash
# Profiles: errors are reported with file, line and reason before anything
# is collected; the compiled-in profiles are the files in manifests/; a
# profile's steps are what gets collected; the time budget skips file steps.
. "$(dirname "$0")/lib.sh"
need jq; need tar
M=$(cd "$(dirname "$0")/../../manifests" && pwd)

bad_profile() {   # bad_profile DESC LINE-NO REASON-PATTERN TEXT
	printf '%s' "$4" >"$T_DIR/bad.profile"
	"$IRSNAP" collect -o "$OUT/bad.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/bad.profile" 2>"$T_DIR/bad.err"
	local rc=$?
	if [ "$rc" = 2 ] && grep -q "$T_DIR/bad.profile: line $2: $3" "$T_DIR/bad.err" && [ ! -e "$OUT/bad.tar" ]; then
		ok "$1"
	else
		fail "$1 (rc $rc: $(cat "$T_DIR/bad.err"))"
	fi
}
bad_profile "an unknown directive" 3 "unknown directive 'grab'" $'profile x\nstep host\ngrab /etc\n'
bad_profile "an unknown source" 2 "unknown source 'rootkit'" $'# c\nstep rootkit\n'
bad_profile "a relative path" 1 "'copy' needs an absolute path" $'copy etc/passwd\n'
bad_profile "a bad size" 2 "'tree' does not take 'max-file'" $'step host\ntree /etc max-file 12Q\n'
bad_profile "an option of another directive" 1 "'tree' does not take 'hash-exec'" $'tree /etc hash-exec\n'
bad_profile "a bad budget" 1 "'budget' takes a number of seconds" $'budget soon\nstep host\n'
bad_profile "a relative packages-root" 1 "'packages-root' takes one absolute path" $'packages-root mnt/disk\nstep packages\n'
bad_profile "packages-root twice" 2 "'packages-root' takes one absolute path" $'packages-root /a\npackages-root /b\nstep packages\n'
"$IRSNAP" collect -o "$OUT/bad.tar" "${OUT_FLAGS[@]}" --profile nosuch 2>"$T_DIR/bad.err"
check "an unknown profile name: exit 2, names the built-ins" bash -c "[ $? = 2 ] && grep -q 'built in: triage, full, minimal' '$T_DIR/bad.err'"
printf '# nothing\n' >"$T_DIR/empty.profile"
"$IRSNAP" list --profile "$T_DIR/empty.profile" >/dev/null 2>"$T_DIR/bad.err"
check "a profile without steps is refused" bash -c "[ $? = 2 ] && grep -q 'no steps' '$T_DIR/bad.err'"

for p in triage full minimal; do
	# the program under test is never the left side of a pipe (its status
	# would be lost): to a file, checked, then the first line dropped
	"$IRSNAP" list --profile "$p" >"$T_DIR/builtin.$p.all" &&
		"$IRSNAP" list --profile "$M/$p.profile" >"$T_DIR/file.$p.all" ||
		fail "irsnap list --profile $p failed"
	tail -n +2 "$T_DIR/builtin.$p.all" >"$T_DIR/builtin.$p"
	tail -n +2 "$T_DIR/file.$p.all" >"$T_DIR/file.$p"
	check "the compiled-in $p is manifests/$p.profile" test_cmp "$T_DIR/builtin.$p" "$T_DIR/file.$p"
done
check "triage's timeline walks / and hashes the system executables" grep -Eq '^[0-9]+ +timeline +/ \(hash-exec\)' "$T_DIR/builtin.triage"

# minimal collects its steps and nothing else
collect m --profile minimal
check "collect --profile minimal exits 0 or 1 (got $RC)" [ "$RC" -le 1 ]
extract m || { fail "cannot extract"; finish; }
check "run.json names the profile" [ "$(jq -r .profile "$BDIR/run.json")" = minimal ]
check "minimal has the process table" [ -f "$BDIR/volatile/processes.jsonl" ]
check "minimal has no network configuration and no timeline" bash -c "[ ! -e '$BDIR/system/net' ] && [ ! -e '$BDIR/timeline' ]"

# the time budget binds every step: a 1-second budget spent while hashing
# 6 GiB of sparse executables (over 2 s at 3 GB/s) stops that step, skips the
# later ones, a volatile source too, and the bundle is sealed, partial
mkdir -p "$T_DIR/slow/bin"
for i in 1 2 3 4 5 6; do truncate -s 1G "$T_DIR/slow/bin/big$i" && chmod +x "$T_DIR/slow/bin/big$i"; done
printf 'profile budget-test\nbudget 1\nstep host\ntimeline %s hash-exec\nstep processes\ncopy /etc/hostname\n' \
	"$T_DIR/slow" >"$T_DIR/budget.profile"
collect b --profile "$T_DIR/budget.profile"
check "a spent budget: exit 1, sealed but partial (got $RC)" [ "$RC" = 1 ]
check "... the status line says why" grep -q '^irsnap: status: partial (time budget spent)' "$OUT/b.err"
extract b || { fail "cannot extract"; finish; }
check "... the bundle verifies" verifies "$OUT/b.tar"
expect "... run.json: partial, stopped by the time budget of 1 s, 2 steps skipped" \
	'[ "$(jq -r "[.status, .stopped_by, .budget_seconds, .skipped_steps] | join(\" \")" "$BDIR/run.json")" = "partial time budget 1 2" ]'
expect "... the volatile step after it was skipped" \
	'grep -q "step 3 (step .processes.) skipped: the time budget of 1 s is spent" "$BDIR/acquisition.log" &&
	 [ ! -e "$BDIR/volatile/processes.jsonl" ]'
hashed=$(cat "$BDIR"/timeline/sha256.* 2>/dev/null | grep -cE '^[0-9a-f]{64}  .*/bin/big[1-6]$')
expect "... the timeline stopped with $hashed of its 6 files hashed" '[ "$hashed" -ge 1 ] && [ "$hashed" -lt 6 ]'
# --budget overrides the profile's (the fleet play bounds each host with it):
# the same plan without its budget line, a budget of 1 s given on the line
grep -v '^budget' "$T_DIR/budget.profile" >"$T_DIR/nobudget.profile"
collect c --profile "$T_DIR/nobudget.profile" --budget 1
check "--budget 1: exit 1, partial (got $RC)" [ "$RC" = 1 ]
check "... the status line says why" grep -q '^irsnap: status: partial (time budget spent)' "$OUT/c.err"
extract c || { fail "cannot extract"; finish; }
expect "... run.json: the budget of 1 s, 2 steps skipped" \
	'[ "$(jq -r "[.status, .budget_seconds, .skipped_steps] | join(\" \")" "$BDIR/run.json")" = "partial 1 2" ]'
"$IRSNAP" collect -o "$OUT/bb.tar" --budget 0 2>"$OUT/bb.err"
check "--budget 0: a usage error (exit 2, got $?)" grep -q -- "--budget needs a number of seconds" "$OUT/bb.err"
# a profile's name, words and file name are the user's bytes: never printed raw
no_raw_ctl() { ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$1"); }
printf 'profile \033]0;evil\007name\nstep host\n' >"$T_DIR/esc-name.profile"
"$IRSNAP" list --profile "$T_DIR/esc-name.profile" >"$OUT/l1.out" 2>&1
check "irsnap list escapes a profile name with control bytes" \
	bash -c "grep -q 'x1b]0;evil' '$OUT/l1.out'" && check "... and prints none raw" no_raw_ctl "$OUT/l1.out"
printf 'profile x\nstep host\n\033[31mred\n' >"$T_DIR/esc-word.profile"
"$IRSNAP" list --profile "$T_DIR/esc-word.profile" >"$OUT/l2.out" 2>&1
check "an unknown directive with an escape is named, escaped" grep -q 'x1b\[31mred' "$OUT/l2.out"
check "... and printed nowhere raw" no_raw_ctl "$OUT/l2.out"
collect escw --profile "$T_DIR/esc-word.profile"
check "collect refuses it (exit 2) and escapes it too" [ "$RC" = 2 ] && check "... (collect's message)" no_raw_ctl "$OUT/escw.err"
"$IRSNAP" list --profile "$T_DIR/no$(printf '\033')such" >"$OUT/l3.out" 2>&1
check "a missing profile file's name is escaped" no_raw_ctl "$OUT/l3.out"
# profiles that parse but could not run: refused before anything is collected
printf 'profile crlf\r\nstep host\r\ncopy /etc/hostname\r\n' >"$T_DIR/crlf.profile"
printf 'profile nul\nstep host\n\0step processes\n' >"$T_DIR/nul.profile"
{ printf 'profile long\ncopy /'; head -c 10000 /dev/zero | tr '\0' a; printf '\n'; } >"$T_DIR/long.profile"
for k in crlf nul long; do
	collect "bad-$k" --profile "$T_DIR/$k.profile"
	check "a $k profile is refused (exit 2)" [ "$RC" = 2 ]
	check "... with its file and line" grep -q "$k.profile: line [0-9]" "$OUT/bad-$k.err"
	check "... and nothing is written" [ ! -e "$OUT/bad-$k.tar" ]
done
finish
