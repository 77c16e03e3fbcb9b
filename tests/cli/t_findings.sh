#!/bin/bash
# findings.jsonl (issue 15): the conditions themselves, planted, and the
# findings they must give, with their severity and evidence pointers that
# lead to the right records:
#   - a deleted copy of python in /dev/shm running as "[kworker/0:7]" and
#     listening on a port (fake kernel thread, deleted exe, exe in a temp
#     place, and the join: a flagged process that listens);
#   - LD_PRELOAD in an environment;
#   - a memfd mapped, and anonymous W+X memory;
#   - a non-empty /etc/ld.so.preload and a zeroed wtmp record, both in a
#     private mount namespace (the host's files untouched).
. "$(dirname "$0")/lib.sh"
need_root "another process's maps and environment, and a private mount namespace"
need jq; need unshare; need python3
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
SHM=/dev/shm/irsnap-t-findings.$$
cp "$(readlink -f "$PY")" "$SHM" || skip "cannot copy python into /dev/shm"
trap 'rm -f "$SHM"; cleanup' EXIT
bash -c "exec -a '[kworker/0:7]' '$SHM' -c '
import socket, time
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1)
open(\"$T_DIR/port\", \"w\").write(str(s.getsockname()[1]))
time.sleep(60)'" & K=$!
env LD_PRELOAD=/nonexistent/libirsnap-test.so sleep 60 2>/dev/null & E=$!
"$PY" -c '
import mmap, os, time, sys
m = os.memfd_create("stage2"); os.write(m, b"\x7fELF" + b"\0" * 8188)
a = mmap.mmap(m, 8192, prot=mmap.PROT_READ)
import ctypes; libc = ctypes.CDLL(None); libc.mmap.restype = ctypes.c_void_p
w = libc.mmap(None, 4096, 7, 0x22, -1, 0)   # private, anonymous, W+X
open(sys.argv[1] + "/mapped", "w").write("ok"); time.sleep(60)' "$T_DIR" & M=$!
for _ in $(seq 100); do [ -s "$T_DIR/port" ] && [ -s "$T_DIR/mapped" ] && break; sleep 0.05; done
rm -f "$SHM"
[ -s "$T_DIR/port" ] || fail "the fake kworker did not listen"
# the loader and the logins, in a private mount namespace
mkdir -p "$T_DIR/etc" "$T_DIR/log"
cp -a /etc/. "$T_DIR/etc/" 2>/dev/null
echo /nonexistent/libhide.so >"$T_DIR/etc/ld.so.preload"
head -c 384 /dev/zero >"$T_DIR/log/wtmp"
unshare -m sh -c "mount --make-rprivate / && mount --bind '$T_DIR/etc' /etc &&
	mount --bind '$T_DIR/log' /var/log &&
	'$IRSNAP' collect -o '$OUT/f.tar' ${OUT_FLAGS[*]} --profile minimal" 2>"$OUT/f.err"
RC=$?
kill $K $E $M 2>/dev/null; wait 2>/dev/null
check "the collection ends well (status $RC)" [ "$RC" = 0 -o "$RC" = 3 ]
extract f || { fail "no bundle"; finish; }
F=$BDIR/findings.jsonl P=$BDIR/volatile/processes.jsonl
check "findings.jsonl is there" [ -f "$F" ]
check "it is in the signed manifest" grep -q '  findings.jsonl$' "$BDIR/MANIFEST.sha256"
has() {   # has CHECK SEVERITY PID: a finding of CHECK and SEVERITY naming PID
	jq -s -e --arg c "$1" --arg s "$2" --argjson p "$3" \
		'any(.[]; .check == $c and .severity == $s and (.evidence[0].keys.pid == $p or .seen.pid == $p))' \
		"$F" >/dev/null
}
check "fake_kernel_thread, high, the kworker" has fake_kernel_thread high "$K"
check "exe_deleted, high (outside the system directories)" has exe_deleted high "$K"
check "exe_in_temp, high (/dev/shm)" has exe_in_temp high "$K"
expect "their evidence leads to the kworker's record (pid and start_ticks)" '
	st=$(jq -r "select(.check == \"fake_kernel_thread\" and .evidence[0].keys.pid == $K) |
		.evidence[0].keys.start_ticks" "$F") &&
	[ "$(jq -r "select(.pid == $K and .start_ticks == $st) | .cmdline[0]" "$P")" = "[kworker/0:7]" ]'
expect "flagged_process_network: the kworker listens on its port, with the socket's keys" '
	port=$(cat "$T_DIR/port") &&
	ino=$(jq -r "select(.check == \"flagged_process_network\" and .seen.pid == $K and
		.severity == \"high\") | .evidence[0].keys.inode" "$F") &&
	[ -n "$ino" ] &&
	jq -s -e "any(.[]; .inode == $ino and .state == \"LISTEN\" and .local.port == $port and
		any(.owners[]; .pid == $K))" "$BDIR/volatile/sockets.jsonl" >/dev/null'
expect "sockets.txt shows the listener's owner with its deleted exe in /dev/shm" '
	port=$(cat "$T_DIR/port") &&
	grep -E ":$port +[^ ]+ +LISTEN +$K/[^ ]+ \($SHM \(deleted\)\)$" "$BDIR/volatile/sockets.txt" >/dev/null'
expect "processes.txt flags the kworker on its own line, and marks real kernel threads" '
	line=$(awk -v p=$K "\$2 == p" "$BDIR/volatile/processes.txt") &&
	case $line in *"<NOT a kernel thread>"*"<exe deleted>"*"<exe in a temporary place>"*) ;; *) false ;; esac &&
	awk "\$2 == 2" "$BDIR/volatile/processes.txt" | grep -q "<kernel thread>"'
check "env_preload, high, the process with LD_PRELOAD" has env_preload high "$E"
expect "... its evidence leads to the environ record" '
	jq -s -e "any(.[]; .pid == $E and (.environ | index(\"LD_PRELOAD=/nonexistent/libirsnap-test.so\")))" \
		"$BDIR/volatile/environ.jsonl" >/dev/null'
check "lib_memfd, high, the memfd mapped" has lib_memfd high "$M"
check "anon_exec, medium (W+X)" has anon_exec medium "$M"
expect "ld_so_preload, high, pointing to the copied file" '
	m=$(jq -r "select(.check == \"ld_so_preload\" and .severity == \"high\") |
		.evidence[0].member" "$F") && grep -q libhide "$BDIR/$m"'
expect "login_record_anomaly: the zeroed wtmp record, by its offset" '
	jq -s -e "any(.[]; .check == \"login_record_anomaly\" and .seen.kind == \"zeroed-record\" and
		.evidence[0].keys.offset == 0)" "$F" >/dev/null'
expect "run.json counts them, as collect says" '
	h=$(jq -r .findings.high "$BDIR/run.json") &&
	[ "$h" = "$(jq -r "select(.severity == \"high\") | .check" "$F" | wc -l)" ] &&
	grep -q "^irsnap: findings: $h high, " "$OUT/f.err"'
expect "every finding has the fields investigators read" '
	[ "$(jq -c "select((.check|type) != \"string\" or (.severity|IN(\"high\",\"medium\",\"low\",\"info\")|not)
		or (.title|type) != \"string\" or (.evidence|type) != \"array\" or (.seen|type) != \"object\")" "$F" | wc -l)" = 0 ]'
expect "verify says the bundle is valid, then the counts of the signed run.json" '
	"$IRSNAP" verify "$OUT/f.tar" >"$T_DIR/v.out" &&
	grep -q "^result: VALID" "$T_DIR/v.out" &&
	grep -q "^findings: $(jq -r .findings.high "$BDIR/run.json") high, " "$T_DIR/v.out"' 
finish
