#!/bin/bash
# Trust no field an intruder can cover (issue 14, item 3). Where irsnap may
# not make a /proc of its own (here: a user namespace that inherits a
# mount under /proc, locked), it reads the
# host's /proc, and an intruder can bind-mount a forged stat over a
# process's: one naming pid 1 and flagged a kernel thread (PF_KTHREAD), as
# the red team did to a python listener. The record must say the stat names
# another pid, that it lies on another mount than /proc (mnt_id), and that
# the kernel-thread flag is contradicted (it has an exe and mappings); its
# environment and mappings are read anyway, not skipped for the flag.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need jq
need_root "a user namespace with bind mounts over /proc"
cat >"$T_DIR/forge.sh" <<'EOS'
set -u
T=$1 IRSNAP=$2 OUT=$3
python3 -c 'import time; time.sleep(120)' & P=$!
sleep 0.3
python3 - "$(cat /proc/$P/stat)" >"$T/forged.stat" <<'PY'
import sys
s = sys.argv[1]; l = s.index('('); r = s.rindex(')')
rest = s[r + 2:].split(' ')
rest[6] = str(int(rest[6]) | 0x00200000)   # flags: PF_KTHREAD
print('1 ' + s[l:r + 1] + ' ' + ' '.join(rest))
PY
mount --bind "$T/forged.stat" "/proc/$P/stat" || exit 90
head -c 2 "/proc/$P/stat" >"$T/seen"
echo "$P" >"$T/pid"
"$IRSNAP" collect -o "$OUT/f.tar" --allow-host-output --profile minimal 2>"$OUT/f.err"
echo $? >"$T/rc"
kill "$P"
EOS
# First with no mount under /proc that the user namespace inherits locked:
# irsnap binds the host's procfs alone there, and the forged stat is not
# in its view at all.
mkdir -p "$T_DIR/u"
unshare --mount --propagation private bash -c \
	'umount -R /proc/sys/fs/binfmt_misc 2>/dev/null; exec unshare --user --map-root-user --mount bash "$@"' \
	sh "$T_DIR/forge.sh" "$T_DIR" "$IRSNAP" "$OUT" ||
	skip "cannot bind-mount over /proc in a user namespace here"
if [ "$(cat "$T_DIR/seen")" = "1 " ] && extract f; then
	P=$(cat "$T_DIR/pid")
	R=$(jq -c "select(.pid == $P)" "$BDIR/volatile/processes.jsonl")
	expect "unlocked user namespace: the host's procfs is bound alone" \
		'jq -e ".views.proc | startswith(\"private: the host\")" "$BDIR/run.json" >/dev/null'
	expect "... and the record is the true one (no forged pid, no kernel-thread flag)" \
		'[ "$(jq -r .stat_pid <<<"$R")" = null ] && [ "$(jq -r .kernel_thread <<<"$R")" = false ] &&
		 [ "$(jq -r .comm <<<"$R")" = python3 ]'
fi
rm -rf "$OUT/f.tar" "$OUT/f.d" "$T_DIR/seen" "$T_DIR/pid" "$T_DIR/rc"
# Then with a mount under /proc made before the user namespace: it is
# locked there, the kernel refuses a bind of /proc without it (EINVAL) and
# a new procfs (EPERM), and irsnap reads the host's view.
unshare --mount --propagation private bash -c \
	'mount -t tmpfs irsnap-lock /proc/tty && exec unshare --user --map-root-user --mount bash "$@"' \
	sh "$T_DIR/forge.sh" "$T_DIR" "$IRSNAP" "$OUT" ||
	skip "cannot bind-mount over /proc in a user namespace here"
P=$(cat "$T_DIR/pid")
check "control: the host's /proc shows the forged stat" [ "$(cat "$T_DIR/seen")" = "1 " ]
expect "collect exits 0 or 1" '[ "$(cat "$T_DIR/rc")" -le 1 ]' || tail -n 5 "$OUT/f.err"
extract f || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/f.tar"
expect "run.json says the host's /proc was read, and why" \
	'jq -e ".views.proc | startswith(\"host\")" "$BDIR/run.json" >/dev/null'
R=$(jq -c "select(.pid == $P)" "$BDIR/volatile/processes.jsonl")
expect "the record says its stat names pid 1" '[ "$(jq -r .stat_pid <<<"$R")" = 1 ]'
expect "... and that the kernel-thread flag is contradicted" '[ "$(jq -r .kernel_thread_contradicted <<<"$R")" = true ]'
expect "... and that its /proc files lie on another mount than /proc (mnt_id)" '[ "$(jq -r .proc_overmounted <<<"$R")" = true ]'
expect "no other process is overmounted" \
	'[ -z "$(jq -r "select(.proc_overmounted and .pid != $P) | .pid" "$BDIR/volatile/processes.jsonl")" ]'
expect "... and it is partial, saying why" '[ "$(jq -r .status <<<"$R")" = partial ] && jq -r .status_reason <<<"$R" | grep -q forged'
expect "its environment was read, not skipped for the flag" \
	'[ "$(jq -r "select(.pid == $P) | .environ | length" "$BDIR/volatile/environ.jsonl")" -gt 0 ]'
expect "its mappings were read" \
	'[ "$(jq -r "select(.pid == $P and .type == \"mmap\") | .target" "$BDIR/volatile/open-files.jsonl" | wc -l)" -gt 0 ]'
expect "no real kernel thread is contradicted, nor missing its (empty) memory" \
	'[ -z "$(jq -r "select(.kernel_thread and .pid != $P and (.kernel_thread_contradicted or (.errors // [] | map(test(\"^(environ|maps)\")) | any))) | .pid" "$BDIR/volatile/processes.jsonl")" ]'
finish
