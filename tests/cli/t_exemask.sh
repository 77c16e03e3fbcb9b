#!/bin/bash
# Trust no field an intruder can cover (issue 14, item 3): the running image
# is named by its inode, not by its path or the words of its link.
#   - a payload whose path is then masked by a bind mount of another file
#     (every tool that reads the path sees the decoy): the record says the
#     path names another file (exe_path_names), the running image's hash is
#     the payload's, and its bytes are kept (deleted-exe member);
#   - a binary whose name really ends in " (deleted)" and is not deleted:
#     exe_deleted is false (the inode has links), exe_name_says_deleted true;
#   - a deleted binary: exe_deleted true by its inode.
. "$(dirname "$0")/lib.sh"
need unshare; need jq; need sha256sum
need_root "a private mount namespace with bind mounts"
S=$T_DIR/s
mkdir -p "$S/bin"
cp /bin/sleep "$S/bin/payload" && cp /bin/true "$S/decoy" && cp /bin/sleep "$S/bin/named (deleted)" &&
	cp /bin/sleep "$S/bin/gone"
want=$(sha256sum <"$S/bin/payload" | cut -d' ' -f1)
cat >"$S/run.sh" <<'EOS'
S=$1 IRSNAP=$2 OUT=$3
"$S/bin/payload" 120 & A=$!
"$S/bin/named (deleted)" 120 & B=$!
"$S/bin/gone" 120 & C=$!
sleep 0.3
rm -f "$S/bin/gone"
mount --bind "$S/decoy" "$S/bin/payload" || exit 90
echo "$A $B $C" >"$S/pids"
sha256sum <"$S/bin/payload" | cut -d' ' -f1 >"$S/seen"
"$IRSNAP" collect -o "$OUT/m.tar" --allow-host-output --profile minimal 2>"$OUT/m.err"
echo $? >"$S/rc"
kill "$A" "$B" "$C"
EOS
unshare --mount --propagation private bash "$S/run.sh" "$S" "$IRSNAP" "$OUT"
read -r A B C <"$S/pids"
check "control: the path now shows the decoy" [ "$(cat "$S/seen")" != "$want" ]
expect "collect exits 0 or 1" '[ "$(cat "$S/rc")" -le 1 ]' || tail -n 5 "$OUT/m.err"
extract m || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/m.tar"
P=$BDIR/volatile/processes.jsonl
rec() { jq -c "select(.pid == $1)" "$P"; }
decoy_ino=$(stat -c %i "$S/decoy")
expect "masked path: exe_path_names is the decoy's inode" \
	'[ "$(rec "$A" | jq -r .exe_path_names.ino)" = "$decoy_ino" ]'
expect "... not deleted, and the hash is the running payload's" \
	'[ "$(rec "$A" | jq -r "[.exe_deleted, .exe_sha256] | join(\" \")")" = "false $want" ]'
member=$(rec "$A" | jq -r .deleted_exe_member)
expect "... and its running image is kept ($member)" \
	'[ "$(sha256sum <"$BDIR/$member" | cut -d" " -f1)" = "$want" ]'
expect "a name ending in ' (deleted)', not deleted: exe_deleted false, exe_name_says_deleted" \
	'[ "$(rec "$B" | jq -r "[.exe_deleted, .exe_name_says_deleted] | join(\" \")")" = "false true" ]'
expect "... and no path mismatch for it" '[ "$(rec "$B" | jq -r .exe_path_names)" = null ]'
expect "a deleted binary: exe_deleted true, by its inode (nlink 0)" \
	'[ "$(rec "$C" | jq -r "[.exe_deleted, .exe_identity.nlink] | join(\" \")")" = "true 0" ]'
expect "no other process has a path naming another file" \
	'[ -z "$(jq -r "select(.exe_path_names != null and .pid != $A) | .pid" "$P")" ]'
finish
