#!/bin/bash
# The PR_SET_MM tell (issue 14, item 6): a process points its argv at a
# fake ("sshd: root@notty" in its .data) with prctl(PR_SET_MM_MAP), which
# needs no privilege; execve puts argv and the environment above the start
# of the stack, this one's argv is below it. irsnap marks it args_moved,
# with the addresses from stat (fields 28, 48-51); a plain process is not
# marked.
. "$(dirname "$0")/lib.sh"
need gcc; need jq
gcc -O1 -o "$T_DIR/argsmove" "$(dirname "$0")/argsmove.c" || skip "cannot build the helper"
"$T_DIR/argsmove" 60 >"$T_DIR/ready" & M=$!
sleep 60 & S=$!
for _ in $(seq 100); do [ -s "$T_DIR/ready" ] && break; sleep 0.05; done
if [ "$(cat "$T_DIR/ready")" != ok ]; then
	kill $M $S 2>/dev/null
	skip "prctl(PR_SET_MM_MAP) refused here (kernel without CONFIG_CHECKPOINT_RESTORE?)"
fi
read -r -a f < <(cut -d')' -f2- /proc/$M/stat)
collect m --profile minimal
kill $M $S 2>/dev/null
extract m || { fail "no bundle"; finish; }
J=$BDIR/volatile/processes.jsonl
# stat's fields 28 and 48-51, counted from 3 (the state) after the comm
want="${f[25]} ${f[45]} ${f[46]} ${f[47]} ${f[48]}"
expect "the moved argv is marked, with the addresses stat gives" \
	'[ "$(jq -r "select(.pid == $M) | [.args_moved, .args_layout.start_stack, .args_layout.arg_start, .args_layout.arg_end, .args_layout.env_start, .args_layout.env_end] | map(tostring) | join(\" \")" "$J")" = "true $want" ]'
expect "... its argv lies below the start of the stack" \
	'[ "$(jq -r "select(.pid == $M) | .args_layout.arg_start < .args_layout.start_stack" "$J")" = true ]'
expect "a plain process (sleep) is not marked" \
	'[ "$(jq -r "select(.pid == $S) | [.comm, (.args_moved // false)] | map(tostring) | join(\" \")" "$J")" = "sleep false" ]'
finish
