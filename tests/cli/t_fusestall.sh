#!/bin/bash
# A FUSE file system that stops answering cannot hang the collection (issue
# 14, item 4). A process runs from a FUSE mount (bindfs, a passthrough), a
# shell holds an fd on it, and the server is stopped (SIGSTOP): every stat
# of those files now waits on a server that never answers. irsnap learns the
# file system from the fd's mount id without calling into it, asks only
# under its deadline (fs-deadline in the profile), records why there is no
# hash, and seals; SIGTERM while it waits gives a sealed partial bundle.
. "$(dirname "$0")/lib.sh"
need_root "a FUSE mount in a private mount namespace"
need bindfs; need unshare; need jq; need timeout
[ -c /dev/fuse ] || skip "no /dev/fuse"

cat >"$T_DIR/p.profile" <<'EOP'
profile fusestall
budget 120
fs-deadline 2
step processes
EOP
sed 's/^fs-deadline 2/fs-deadline 60/' "$T_DIR/p.profile" >"$T_DIR/long.profile"
# host files: one named on the mount, and a tree that holds the mount point
# and a tree root through root's own link onto it: the link is followed
# only on paper, the stalled mount never stat'ed
# and a file named through that link: a stat of it would follow the link
printf 'profile fusefiles\nbudget 120\ncopy %s/mnt/payload\ntree %s\ntree %s/via/.\ncopy %s/via/payload\n' \
	"$T_DIR" "$T_DIR" "$T_DIR" "$T_DIR" >"$T_DIR/files.profile"
ln -s mnt "$T_DIR/via"
# logind's folders read with /run/systemd made root's link onto the mount
printf 'profile fuselogind\nbudget 120\nstep sessions\n' >"$T_DIR/logind.profile"
# homes in /etc/passwd on the mount, and behind root's link onto it
printf 'profile fuseaccounts\nbudget 120\nstep accounts\n' >"$T_DIR/accounts.profile"

# ns.sh: in a private mount namespace, mount, run, stall, collect twice
cat >"$T_DIR/ns.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
mkdir -p "$T/src" "$T/mnt" && cp /bin/sleep "$T/src/payload" || exit 2
bindfs -o attr_timeout=0,entry_timeout=0 "$T/src" "$T/mnt" || exit 3
"$T/mnt/payload" 600 & P=$!
exec 9<"$T/mnt/payload"
echo $P >"$T/payload.pid"; echo $$ >"$T/holder.pid"
B=$(pgrep -f "bindfs.*$T/src" | head -n 1)
[ -n "$B" ] || exit 3
sleep 0.3
stat "$T/mnt/payload" >/dev/null || exit 3
# while the server answers: both payloads hashed through the guard, once
"$T/mnt/payload" 600 & P2=$!
echo $P2 >"$T/payload2.pid"
sleep 0.2
timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/live.tar" --allow-host-output \
	--profile "$T/p.profile" 2>"$OUT/live.err"
echo $? >"$T/rc.live"
kill "$P2"
kill -STOP "$B"
# a collection with a deadline of 2 s: it seals, with the stall recorded
timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/s.tar" --allow-host-output \
	--profile "$T/p.profile" 2>"$OUT/s.err"
echo $? >"$T/rc"
# host files on the stalled mount: never opened, never stat'ed
timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/f.tar" --allow-host-output \
	--profile "$T/files.profile" 2>"$OUT/f.err"
echo $? >"$T/rc.files"
# a folder of logind's paths a link onto the stalled mount (in this
# namespace only: a tmpfs over /run)
mount -t tmpfs irsnap-run /run && ln -s "$T/mnt" /run/systemd &&
	timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/l.tar" --allow-host-output \
		--profile "$T/logind.profile" 2>"$OUT/l.err"
echo $? >"$T/rc.logind"
umount /run
# /etc/passwd with two homes on the stalled mount (a bind in this namespace)
cp /etc/passwd "$T/passwd" &&
	printf 'fhome:x:4444:4444::%s:/bin/sh\nlhome:x:4445:4445::%s/via:/bin/sh\n' "$T/mnt" "$T" \
		>>"$T/passwd" && mount --bind "$T/passwd" /etc/passwd &&
	timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/a.tar" --allow-host-output \
		--profile "$T/accounts.profile" 2>"$OUT/a.err"
echo $? >"$T/rc.accounts"
umount /etc/passwd
# a deadline of 60 s and a SIGTERM while it waits: a sealed partial bundle
timeout -s KILL 100 "$IRSNAP" collect -o "$OUT/t.tar" --allow-host-output \
	--profile "$T/long.profile" 2>"$OUT/t.err" & C=$!
sleep 3
kill -TERM $C
wait $C; echo $? >"$T/rc.term"
kill -CONT "$B"; kill $P; exec 9<&-
wait $P 2>/dev/null
umount "$T/mnt" || umount -l "$T/mnt"
exit 0
EOS
unshare --mount --propagation private bash "$T_DIR/ns.sh" "$T_DIR" "$IRSNAP" "$OUT"
case $? in
0) ;;
3) skip "bindfs cannot mount here (FUSE unavailable)" ;;
*) fail "the setup failed"; finish ;;
esac
P=$(cat "$T_DIR/payload.pid") H=$(cat "$T_DIR/holder.pid") P2=$(cat "$T_DIR/payload2.pid")

want=$(sha256sum "$T_DIR/src/payload" | cut -d' ' -f1)
check "with the server answering, collect exits 0 or 1 (got $(cat "$T_DIR/rc.live"))" [ "$(cat "$T_DIR/rc.live")" -le 1 ]
if extract live; then
	expect "... both payloads on fs fuse hashed under the guard, as sha256sum says" \
		'[ "$(jq -r "select(.pid == $P or .pid == $P2) | [.exe_fs, .exe_sha256] | join(\" \")" "$BDIR/volatile/processes.jsonl" | sort -u)" = "fuse $want" ]'
	check "... every record strict JSON (exe_fs once)" python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
else
	fail "no bundle while the server answers"
fi

rc=$(cat "$T_DIR/rc")
check "with the server stopped, collect ends by itself, partial (exit 1; got $rc)" [ "$rc" = 1 ]
extract s || { fail "no bundle"; tail -n 5 "$OUT/s.err"; finish; }
check "... and seals a bundle that verifies" verifies "$OUT/s.tar"
J=$BDIR/volatile/processes.jsonl
expect "the payload's record: its exe on fs fuse, the stall and why there is no hash" \
	'[ "$(jq -r "select(.pid == $P) | [.exe_fs, (.exe_sha256 | tostring), (.exe_stalled | test(\"^(no answer within 2[0-9]{3} ms \\\\(|not asked: )fs fuse\")), (.exe_sha256_missing == .exe_stalled), .status] | join(\" \")" "$J")" = "fuse null true true partial" ]'
expect "the holder's fd on the mount: its fs, and why it has no stat" \
	'[ "$(jq -r "select(.pid == $H and .fd == 9) | [.fs, (.stat_missing | test(\"fs fuse\")), (.ino | tostring)] | join(\" \")" "$BDIR/volatile/open-files.jsonl")" = "fuse true null" ]'
check "the work log says which process's executable stalled" \
	grep -q "processes: pid $P: its executable: .*fs fuse" "$BDIR/acquisition.log"
check "... and which mount stopped answering, after how long" \
	grep -Eq "slow file systems: mount [0-9]+ \(fs fuse\): no answer within 2[0-9]{3} ms" "$BDIR/acquisition.log"
expect "run.json: the deadline and the calls left behind" \
	'[ "$(jq -r "[.slow_fs.deadline_ms, (.slow_fs.calls_left_behind >= 1)] | join(\" \")" "$BDIR/run.json")" = "2000 true" ]'
expect "other processes still hashed (the stall cost one deadline, not the run)" \
	'[ "$(jq -s "[.[] | select(.exe_sha256 != null)] | length" "$J")" -ge 1 ]'

rc=$(cat "$T_DIR/rc.files")
check "host files on the stalled mount: collect ends by itself (exit 0 or 1; got $rc)" [ "$rc" -le 1 ]
if extract f; then
	expect "... the file named on it is not read, and says why" \
		'[ "$(jq -r "select(.source == \"$T_DIR/mnt/payload\") | [.status, .message] | join(\" \")" "$BDIR/index.jsonl")" = "error not read: on fs fuse, a file system that answers through a server, which may never answer" ]'
	expect "... the tree around it is walked, the mount point skipped" \
		'jq -r "select(.source == \"$T_DIR/p.profile\") | .status" "$BDIR/index.jsonl" | grep -qx ok'
	check "... a tree root through root's link onto it: not walked, and said why" \
		grep -qF "tree '$T_DIR/via/.': not walked: a pseudo or network file system" \
		"$BDIR/acquisition.log"
	expect "... a file named through that link: not read, and says why" \
		'[ "$(jq -r "select(.source == \"$T_DIR/via/payload\") | [.status, .message] | join(\" \")" "$BDIR/index.jsonl")" = "error not read: '"'"'$T_DIR/via'"'"', a folder of the path, is a symbolic link onto a file system that answers through a server, which may never answer" ]'
else
	fail "no bundle for the host files"
fi
rc=$(cat "$T_DIR/rc.logind")
check "logind's folders behind root's link onto the mount: collect ends by itself (exit 0 or 1; got $rc)" \
	[ "$rc" -le 1 ]
if extract l; then
	check "... and the work log says why there are no sessions" \
		grep -qF "sessions: no '/run/systemd/sessions' (not read: on a file system that answers through a server, or behind root's link onto one)" "$BDIR/acquisition.log"
else
	fail "no bundle for logind's folders"
fi
rc=$(cat "$T_DIR/rc.accounts")
check "homes on the stalled mount: collect ends by itself (exit 0 or 1; got $rc)" [ "$rc" -le 1 ]
if extract a; then
	expect "... a home on the mount: its files not read, and why" \
		'[ "$(jq -r "select(.source == \"$T_DIR/mnt/.bash_history\") | [.status, .message] | join(\" \")" "$BDIR/index.jsonl")" = "error not read: on fs fuse, a file system that answers through a server, which may never answer" ]'
	expect "... a home behind root's link onto it: not read, the link named" \
		'jq -r "select(.source == \"$T_DIR/via/.bash_history\") | .message" "$BDIR/index.jsonl" | grep -qF "not read: '"'"'$T_DIR/via'"'"', a folder of the path, is a symbolic link onto a file system"'
else
	fail "no bundle for the homes"
fi
rc=$(cat "$T_DIR/rc.term")
check "SIGTERM mid-stall: collect exits partial (1; got $rc)" [ "$rc" = 1 ]
extract t || { fail "no bundle after SIGTERM"; tail -n 5 "$OUT/t.err"; finish; }
check "... with a sealed bundle that verifies" verifies "$OUT/t.tar"
check "... that says a signal stopped it" [ "$(jq -r .stopped_by "$BDIR/run.json")" = signal ]
# the core reads the fd links only: the stat of the holder's fd on the
# mount is a detail, and so is the payload's executable
expect "... and what it was waiting on: the holder's fd on the mount" \
	'[ "$(jq -r "select(.pid == $H and .fd == 9) | .stat_missing | test(\"^(interrupted after [0-9]+ ms waiting on |not asked: the run is stopping \\\\()fs fuse\")" "$BDIR/volatile/open-files.jsonl")" = true ]'
expect "... and the payload's executable, not asked" \
	'[ "$(jq -r "select(.pid == $P) | [.exe, (.exe_stalled | test(\"^(interrupted after [0-9]+ ms waiting on |not asked: the run is stopping \\\\()fs fuse\"))] | join(\" \")" "$BDIR/volatile/processes.jsonl")" = "$T_DIR/mnt/payload true" ]'
extract s || { fail "no bundle"; finish; }
expect "the stall never entered the core: its window under a second" \
	'jq -e ".volatile_snapshot.core.skew_seconds < 1" "$BDIR/run.json" >/dev/null'
finish
