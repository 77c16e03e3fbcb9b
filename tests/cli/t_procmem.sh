#!/bin/bash
# Process memory, opt-in (issue 18, item 10): the `memory` step reads the
# executable regions of the processes that look injected, and only those.
#   - a process with an anonymous writable and executable mapping holding
#     a marker: its region is in the bundle, byte for byte what python
#     reads from /proc/<pid>/mem itself, with perms rwx (python maps it shared) and the reason;
#   - a process whose executable was deleted: selected ("its executable is
#     deleted"), and its r-xp text region equals the file's bytes at the
#     mapping's offset (a copy kept before the delete);
#   - a plain sleep: not selected, nothing of it read;
#   - the map of what was read (regions.jsonl) names every member, and
#     every member is named there.
. "$(dirname "$0")/lib.sh"
need python3; need jq
need_root "reading another process's /proc/<pid>/mem needs root"
printf 'profile m\nstep memory\n' >"$T_DIR/m.profile"
python3 - "$T_DIR" <<'PY' &
import mmap, os, sys, time
m = mmap.mmap(-1, 3 * 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m[:32] = b'IRSNAP-WX-MARKER-0123456789abcde'
m[8192:8200] = b'\xcc' * 8
import ctypes
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
open(sys.argv[1] + '/wx.addr', 'w').write('%x' % addr)
time.sleep(300)
PY
WX=$!
cp /bin/sleep "$T_DIR/gone-sleep" && cp /bin/sleep "$T_DIR/kept-copy"
"$T_DIR/gone-sleep" 300 & DEL=$!
sleep 300 & PLAIN=$!
for _ in $(seq 100); do [ -s "$T_DIR/wx.addr" ] && break; sleep 0.05; done
rm -f "$T_DIR/gone-sleep"
sleep 0.2
# the reference: python reads the region from /proc/<pid>/mem itself
python3 - "$WX" "$(cat "$T_DIR/wx.addr")" "$T_DIR/wx.ref" <<'PY'
import sys
pid, addr, out = int(sys.argv[1]), int(sys.argv[2], 16), sys.argv[3]
for l in open('/proc/%d/maps' % pid):
    a, b = (int(x, 16) for x in l.split()[0].split('-'))
    if a <= addr < b:
        with open('/proc/%d/mem' % pid, 'rb') as f:
            f.seek(a); open(out, 'wb').write(f.read(b - a))
        open(out + '.range', 'w').write('%x-%x %s' % (a, b, l.split()[1]))
PY
collect m --profile "$T_DIR/m.profile"
kill "$WX" "$DEL" "$PLAIN" 2>/dev/null
check "collect exits 0" [ "$RC" = 0 ]
extract m || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/m.tar"
M=$BDIR/memory
range=$(cut -d' ' -f1 "$T_DIR/wx.ref.range")
expect "the W+X region is selected, with its perms and reason" '
	jq -se --argjson p "$WX" "map(select(.pid==\$p and .why==\"anonymous writable and executable\")) | length == 1" \
		"$M/processes.jsonl" >/dev/null &&
	jq -se --argjson p "$WX" --arg s "${range%-*}" \
		"map(select(.pid==\$p and .start==\$s and (.perms==\"rwxp\" or .perms==\"rwxs\"))) | length == 1" \
		"$M/regions.jsonl" >/dev/null'
expect "its bytes equal /proc/<pid>/mem as python reads it" '
	cmp "$M/$WX/$range.mem" "$T_DIR/wx.ref" &&
	head -c 32 "$M/$WX/$range.mem" | grep -q IRSNAP-WX-MARKER'
expect "the deleted executable'\''s process is selected" '
	jq -se --argjson p "$DEL" "map(select(.pid==\$p and .why==\"its executable is deleted\")) | length == 1" \
		"$M/processes.jsonl" >/dev/null'
python3 - "$M" "$DEL" "$T_DIR/kept-copy" <<'PY' >"$T_DIR/text.out"
import json, sys
m, pid, copy = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], 'rb').read()
ok = 0
for l in open(m + '/regions.jsonl'):
    o = json.loads(l)
    if o['pid'] == pid and o['perms'] == 'r-xp' and o['path'].endswith('gone-sleep (deleted)'):
        data = open(m + '/' + o['member'].split('memory/', 1)[1], 'rb').read()
        off = int(o['offset'], 16)
        ok += data == copy[off:off + len(data)] and len(data) > 4096
print('text-equal', ok == 1)
PY
check "the deleted executable's text region equals the file's bytes" grep -q "text-equal True" "$T_DIR/text.out"
expect "a plain process is not read" '
	jq -se --argjson p "$PLAIN" "map(select(.pid==\$p)) | length == 0" "$M/processes.jsonl" >/dev/null &&
	[ ! -e "$M/$PLAIN" ]'
expect "regions.jsonl names every member and no other" '
	jq -r "select(.member) | .member" "$M/regions.jsonl" | sort >"$T_DIR/named" &&
	(cd "$BDIR" && find memory -name "*.mem" | sort) >"$T_DIR/present" &&
	test_cmp "$T_DIR/named" "$T_DIR/present"'
expect "the work log says what was read" 'grep -q "memory: [1-9][0-9]* processes looked at closer" "$BDIR/acquisition.log"'
finish
