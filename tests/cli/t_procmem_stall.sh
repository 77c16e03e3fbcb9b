#!/bin/bash
# The memory step cannot be hung through the memory it reads (issue 18,
# item 10; never hang): a process with writable and executable memory (so
# it is read) also maps, executable, a file of a FUSE file system (bindfs)
# whose server is then stopped. Reading that region from /proc/<pid>/mem
# would fault its pages in through the stopped server, and such a fault
# waits for a page lock no signal breaks (a first version hung in exit so).
# The region is never read: its record says it is backed by a file on fuse,
# the W+X region is kept, and collect returns.
. "$(dirname "$0")/lib.sh"
need_root "a FUSE mount in a private mount namespace, /proc/<pid>/mem"
need bindfs; need unshare; need jq; need timeout; need python3
[ -c /dev/fuse ] || skip "no /dev/fuse"
printf 'profile ms\nbudget 120\nfs-deadline 2\nstep memory\n' >"$T_DIR/m.profile"
cat >"$T_DIR/ns.sh" <<'EOS'
T=$1 IRSNAP=$2 OUT=$3
mkdir -p "$T/src" "$T/mnt" && head -c 16M /dev/urandom >"$T/src/blob" || exit 2
bindfs -o attr_timeout=0,entry_timeout=0,direct_io "$T/src" "$T/mnt" || exit 3
B=$(pgrep -f "bindfs.*$T/src" | head -n 1)
[ -n "$B" ] || exit 3
python3 - "$T" <<'PY' &
import mmap, sys, time
t = sys.argv[1]
wx = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
               prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
wx[:6] = b'WXWXWX'
f = open(t + '/mnt/blob', 'rb')
m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)
open(t + '/ready', 'w').write('1')
time.sleep(300)
PY
P=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.05; done
echo "$P" >"$T/pid"
echo 3 >/proc/sys/vm/drop_caches
kill -STOP "$B"
start=$(date +%s)
timeout -s KILL ${KILL_AFTER:-100} "$IRSNAP" collect -o "$OUT/m.tar" --allow-host-output \
	--profile "$T/m.profile" 2>"$OUT/m.err"
echo $? >"$T/rc"
echo $(( $(date +%s) - start )) >"$T/secs"
kill -CONT "$B"; kill "$P"
EOS
unshare -m --propagation private bash "$T_DIR/ns.sh" "$T_DIR" "$IRSNAP" "$OUT"
[ -s "$T_DIR/rc" ] || skip "the FUSE mount could not be made"
check "collect returned (not killed by the 100 s timeout)" [ "$(cat "$T_DIR/rc")" != 137 ]
extract m || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/m.tar"
P=$(cat "$T_DIR/pid")
expect "the FUSE-backed region is not read, and says why" '
	jq -se --argjson p "$P" "map(select(.pid==\$p and (.path|endswith(\"/mnt/blob\")) and
		.bytes==0 and .member==null and (.cut|test(\"backed by a file on fs fuse\")))) | length == 1" \
		"$BDIR/memory/regions.jsonl" >/dev/null'
expect "the W+X region read before it is kept" '
	m=$(jq -r --argjson p "$P" "select(.pid==\$p and .why==\"anonymous writable and executable\") | .member" \
		"$BDIR/memory/regions.jsonl") && [ -n "$m" ] && head -c 6 "$BDIR/$m" | grep -q WXWXWX'
finish
