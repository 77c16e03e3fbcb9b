#!/bin/bash
# Collect through the kernel's own view (issue 14, items 1 and 7), in a
# private mount namespace that plays the host:
#   - a listener whose /proc/<pid> is overmounted by an empty folder (ps
#     and ss lose it), and a process whose /proc/<pid> is overmounted by
#     another's folder (a clone): the bundle has the hidden process with
#     its command line and socket owner, from irsnap's private procfs, and
#     proc-views.jsonl records both and the two mounts;
#   - on a strictatime tmpfs, a running executable, a symlink, a folder and
#     files that a triage reads (--file, a tree step, hash-exec): every
#     atime stays as it was (the mounts are read-only and noatime in
#     irsnap's namespace), and the host's mount table in the bundle is the
#     host's, not irsnap's read-only copy.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need jq; need ps
need_root "private mount namespaces, bind mounts over /proc, mount_setattr"
S=$T_DIR/s
mkdir -p "$S"
cat >"$S/run.sh" <<'EOF'
set -u
S=$1 IRSNAP=$2 OUT=$3 TRACE=${4:-}
mount -t tmpfs -o strictatime irsnap-atime "$S/fs" || exit 90
mkdir -p "$S/fs/bin" "$S/fs/dir/sub" && cp /bin/sleep "$S/fs/bin/payload" &&
	echo secret >"$S/fs/dir/file" && echo other >"$S/fs/dir/sub/deep" &&
	ln -s /etc/hostname "$S/fs/link" && echo kept >"$S/fs/copied"
touch -a -d '2001-02-03 04:05:06' "$S/fs/bin/payload" "$S/fs/dir" "$S/fs/dir/file" \
	"$S/fs/dir/sub" "$S/fs/dir/sub/deep" "$S/fs/copied"
touch -h -a -d '2001-02-03 04:05:06' "$S/fs/link"
"$S/fs/bin/payload" 300 & PAY=$!
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open("'"$S"'/port", "w").write(str(s.getsockname()[1])); time.sleep(300)' & HID=$!
sleep 300 & CLONE=$!
sleep 0.2   # another start time
sleep 300 & MODEL=$!
python3 -c 'import threading, time
for _ in range(4): threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
time.sleep(300)' & THREADS=$!
while [ ! -s "$S/port" ]; do sleep 0.05; done
sleep 0.2
# control: does something on this machine read running executables by
# itself (an agent scanning /proc/*/exe)? Then the payload's atime says
# nothing about irsnap, and only the other files are compared
a1=$(stat -c %x "$S/fs/bin/payload"); sleep 1; a2=$(stat -c %x "$S/fs/bin/payload")
[ "$a1" = "$a2" ] || touch "$S/payload-touched-by-others"
# the atimes, after starting the payload (exec reads it) and before irsnap
stat -c '%n %x' "$S/fs/bin/payload" "$S/fs/dir" "$S/fs/dir/file" "$S/fs/dir/sub" \
	"$S/fs/dir/sub/deep" "$S/fs/copied" >"$S/atime.before"
stat -c '%n %x' "$S/fs/link" >>"$S/atime.before"   # the link itself, not its target
mkdir -p "$S/empty"
mount --bind "$S/empty" "/proc/$HID" && mount --bind "/proc/$MODEL" "/proc/$CLONE" || exit 91
echo "$HID $CLONE $MODEL $PAY" >"$S/pids"
ps -p "$HID" -o pid= >"$S/ps.hid" 2>/dev/null
ps -p "$CLONE" -o comm=,lstart= >"$S/ps.clone" 2>/dev/null
printf 'profile v\nstep sockets\nstep processes\nstep kernel\ntree %s/dir max-file 1M\ntimeline %s/fs hash-exec\n' \
	"$S/fs" "$S" >"$S/v.profile"
${TRACE:-} "$IRSNAP" collect -o "$OUT/v.tar" --allow-host-output --profile "$S/v.profile" --file "$S/fs/copied" \
	2>"$OUT/v.err"
echo $? >"$S/rc"
stat -c '%n %x' "$S/fs/bin/payload" "$S/fs/dir" "$S/fs/dir/file" "$S/fs/dir/sub" \
	"$S/fs/dir/sub/deep" "$S/fs/copied" >"$S/atime.after"
stat -c '%n %x' "$S/fs/link" >>"$S/atime.after"
findmnt -n -o OPTIONS /proc >"$S/proc.opts"
kill "$HID" "$CLONE" "$MODEL" "$PAY" "$THREADS" 2>/dev/null
EOF
mkdir -p "$S/fs"
unshare --mount --propagation private bash "$S/run.sh" "$S" "$IRSNAP" "$OUT" "${TRACE:-}"
[ -s "$S/rc" ] || { fail "the scenario did not run"; cat "$OUT/v.err" 2>/dev/null; finish; }
read -r HID CLONE MODEL PAY <"$S/pids"
check "control: ps cannot see the process under the empty overmount" [ ! -s "$S/ps.hid" ]
expect "collect exits 0 or 1" '[ "$(cat "$S/rc")" -le 1 ]' || tail -n 5 "$OUT/v.err"
extract v || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/v.tar"
expect "run.json: the private procfs and the read-only, noatime view" \
	'jq -e ".views.proc | startswith(\"private\")" "$BDIR/run.json" >/dev/null &&
	 jq -e ".views.filesystems | startswith(\"read-only, noatime\")" "$BDIR/run.json" >/dev/null'
P=$BDIR/volatile/processes.jsonl
expect "the hidden listener is in processes.jsonl with its command line" \
	'jq -r "select(.pid == $HID) | .cmdline[0]" "$P" | grep -q "python3\$"'
port=$(cat "$S/port")
expect "... and owns its listening socket (port $port)" \
	'[ "$(jq -r "select(.local.port == $port and .state == \"LISTEN\") | .owners[].pid" "$BDIR/volatile/sockets.jsonl")" = "$HID" ]'
expect "the cloned pid is recorded as itself (sleep, its own start time)" \
	'[ "$(jq -r "select(.pid == $CLONE) | .comm" "$P")" = sleep ] &&
	 [ "$(jq -r "select(.pid == $CLONE) | .start_ticks" "$P")" != "$(jq -r "select(.pid == $MODEL) | .start_ticks" "$P")" ]'
V=$BDIR/volatile/proc-views.jsonl
expect "proc-views: the overmounted listener is missing or unreadable in the host view" \
	'jq -r "select(.pid == $HID) | .kind" "$V" | grep -qx "missing-in-host-view\|unreadable-in-host-view"'
expect "proc-views: the clone differs, its host view naming pid $MODEL" \
	'[ "$(jq -r "select(.pid == $CLONE and .kind == \"differs-in-host-view\") | .host.pid_in_stat" "$V")" = "$MODEL" ]'
expect "proc-views: both overmounts are unusual mounts on /proc" \
	'[ "$(jq -r "select(.kind == \"mount-on-proc\" and (.usual | not)) | .mount_point" "$V" | sort | tr "\n" " ")" = "$(printf "%s\n" "/proc/$CLONE" "/proc/$HID" | sort | tr "\n" " ")" ]'
expect "in the private view no process lies on another mount (none can be overmounted)" \
	'[ -z "$(jq -r "select(.proc_overmounted) | .pid" "$P")" ]'
expect "no other process differs between the views" \
	'[ "$(jq -r "select(.pid != null and .pid != $HID and .pid != $CLONE) | .pid" "$V" | wc -l)" = 0 ]'
expect "the mount table in the bundle is the host's (rw /proc, the overmounts), not irsnap's copy" \
	'grep -q " /proc/$HID " "$BDIR/system/proc/self/mountinfo" &&
	 ! grep -E " / [^ ]* ro[, ]" "$BDIR/system/proc/self/mountinfo" | grep -q " - proc "'
expect "the pid probe asked every pid in use without readdir; threads are no hidden pids" \
	'grep -q "pid probe: 1 to [0-9]* of [0-9]* asked in .* (all); 0 pids answer but are not listed" "$BDIR/acquisition.log" &&
	 [ -z "$(jq -r "select(.kind == \"hidden-from-readdir\") | .pid" "$V")" ]'
check "the timeline hashed the running payload (beside the bodyfile)" \
	grep -qE '^[0-9a-f]{64}  '"$S"'/fs/bin/payload$' <(cat "$BDIR"/timeline/sha256.* 2>/dev/null)
check "the --file copy was read" [ -f "$BDIR/fs$S/fs/copied" ]
if [ -e "$S/payload-touched-by-others" ]; then
	echo "note: the payload's atime changes here without irsnap (something reads running executables): not compared"
	sed -i '\|/fs/bin/payload |d' "$S/atime.before" "$S/atime.after"
fi
check "strictatime: no atime changed (payload, folders, files, the symlink)" \
	test_cmp "$S/atime.before" "$S/atime.after"
check "the host's /proc was left as it was (rw)" grep -q '^rw' "$S/proc.opts"
# the running images are opened with O_NOATIME (through /proc/<pid>/exe they
# lead into the host's mounts, not irsnap's read-only noatime copy)
if command -v strace >/dev/null && [ "$IRSNAP_BUILD" = static ]; then
	strace -f -qq -e trace=openat -o "$T_DIR/exe.strace" "$IRSNAP" collect -o "$OUT/x.tar" \
		--allow-host-output --profile minimal 2>/dev/null
	# an O_PATH open (to learn the file's mount) reads nothing: no atime
	grep -E 'openat\([0-9]+, "exe"' "$T_DIR/exe.strace" | grep -v O_PATH >"$T_DIR/exe.opens"
	expect "every open of a /proc/<pid>/exe for reading asks for O_NOATIME ($(wc -l <"$T_DIR/exe.opens") opens)" \
		'[ -s "$T_DIR/exe.opens" ] && ! grep -v O_NOATIME "$T_DIR/exe.opens" | grep -q .'
fi
finish
