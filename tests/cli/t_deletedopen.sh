#!/bin/bash
# Files open with no name left are kept (issue 14, item 6): a "daemon"
# still holds its log after a wiper deleted it, and a memfd holding a
# payload. volatile/deleted-open.jsonl lists both with the SHA-256 of their
# bytes, and volatile/deleted-open/ holds the bytes themselves.
. "$(dirname "$0")/lib.sh"
need_root "another process's fds are read as root"
need python3; need jq; need sha256sum; need cmp
head -c 300000 /dev/urandom >"$T_DIR/log.want"
printf 'MZ-payload-%s' "$(seq 1 2000 | tr -d '\n')" >"$T_DIR/memfd.want"
python3 -c '
import os, sys, time
log = open(sys.argv[1] + "/victim.log", "wb")
log.write(open(sys.argv[1] + "/log.want", "rb").read()); log.flush()
os.unlink(sys.argv[1] + "/victim.log")
m = os.memfd_create("stage2")
os.write(m, open(sys.argv[1] + "/memfd.want", "rb").read())
open(sys.argv[1] + "/ready", "w").write("%d %d" % (log.fileno(), m))
time.sleep(60)' "$T_DIR" & P=$!
for _ in $(seq 100); do [ -s "$T_DIR/ready" ] && break; sleep 0.05; done
[ -s "$T_DIR/ready" ] || { kill $P; fail "the holder did not start"; finish; }
read -r LFD MFD <"$T_DIR/ready"
collect d --profile minimal
kill $P
extract d || { fail "no bundle"; finish; }
D=$BDIR/volatile/deleted-open.jsonl
check "deleted-open.jsonl is there" [ -s "$D" ]
for x in "log $LFD /victim.log (deleted)" "memfd $MFD /memfd:stage2 (deleted)"; do
	read -r what fd target <<<"$x"
	want=$(sha256sum "$T_DIR/$what.want" | cut -d' ' -f1)
	expect "the $what (fd $fd): listed with its target and the SHA-256 of its bytes" \
		'[ "$(jq -r "select(.pid == $P and .fd == $fd) | [(.target | endswith(\"$target\")), .sha256] | map(tostring) | join(\" \")" "$D")" = "true $want" ]'
	m=$(jq -r "select(.pid == $P and .fd == $fd) | .member" "$D")
	check "... and its bytes kept ($m)" cmp -s "$BDIR/$m" "$T_DIR/$what.want"
done
check "the bundle verifies" verifies "$OUT/d.tar"
finish
