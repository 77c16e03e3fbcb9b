#!/bin/bash
# No page irsnap holds can be swapped to the host's disk (a write to the
# host, and collected data left behind): mlockall locks every page there is
# at start (the binary's whole text) and each later page as it is first
# touched (MCL_ONFAULT), so capacity never written takes no memory. Seen from
# outside while irsnap is held mid-run by a slow reader: every mapping with
# resident pages is locked ("lo" in smaps), those made after the start lock
# on fault ("lf"), and the work log says so.
. "$(dirname "$0")/lib.sh"
need python3; need tar
need_root "mlockall needs CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK"
need_static "the sanitizers intercept mlockall and lock nothing"
head -c $((48 << 20)) /dev/urandom >"$T_DIR/big"
rm -f "$T_DIR/seen"
python3 "$(dirname "$0")/slowread.py" "$OUT/m.tar" "$T_DIR/seen" < <("$IRSNAP" collect -o - --file "$T_DIR/big" --profile "$FAST_PROFILE" 2>"$OUT/m.err"; echo $? >"$OUT/m.rc") &
reader=$!
ipid=""
for _ in $(seq 1 1200); do
	ipid=$(pgrep -f "irsnap collect -o - --file $T_DIR/big" | head -n 1)
	[ -n "$ipid" ] && ls -l "/proc/$ipid/fd" 2>/dev/null | grep -q " $T_DIR/big\$" && break
	sleep 0.05
done
cp "/proc/$ipid/smaps" "$T_DIR/smaps" 2>/dev/null
grep -E '^Vm(RSS|Lck)' "/proc/$ipid/status" >"$T_DIR/status" 2>/dev/null
touch "$T_DIR/seen"
wait "$reader"
sleep 0.2
check "collect exits 0 (got $(cat "$OUT/m.rc" 2>/dev/null))" [ "$(cat "$OUT/m.rc" 2>/dev/null)" = 0 ]
# per mapping: its resident kB and its flags
python3 - "$T_DIR/smaps" >"$T_DIR/maps.out" <<'PY'
import re, sys
maps, cur = [], None
for line in open(sys.argv[1]):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
        cur = {'head': line.strip(), 'rss': 0, 'flags': []}
        maps.append(cur)
    elif line.startswith('Rss:'):
        cur['rss'] = int(line.split()[1])
    elif line.startswith('VmFlags:'):
        cur['flags'] = line.split()[1:]
# the kernel's own special mappings ([vvar], [vdso], [vsyscall]) are never locked
unlocked = [m for m in maps if m['rss'] and 'lo' not in m['flags'] and not re.search(r'\[(vvar|vdso|vsyscall|vvar_vclock)\]', m['head'])]
print('mappings', len(maps))
print('resident_unlocked', len(unlocked))
for m in unlocked: print('  ', m['head'], m['rss'], ' '.join(m['flags']))
print('lock_on_fault', sum(1 for m in maps if 'lf' in m['flags']))
print('rss_total', sum(m['rss'] for m in maps))
PY
cat "$T_DIR/maps.out" "$T_DIR/status"
check "irsnap was seen mid-run ($(head -n 1 "$T_DIR/maps.out"))" grep -q '^mappings [1-9]' "$T_DIR/maps.out"
check "every mapping with resident pages is locked" grep -qx 'resident_unlocked 0' "$T_DIR/maps.out"
check "mappings made after the start lock on fault (MCL_ONFAULT)" grep -q '^lock_on_fault [1-9]' "$T_DIR/maps.out"
check "the bundle verifies" bash -c "'$IRSNAP' verify '$OUT/m.tar' >/dev/null"
check "the work log says how memory is locked" \
	bash -c "tar -xOf '$OUT/m.tar' --wildcards '*/acquisition.log' | grep -q 'memory locked (mlockall; later pages as first touched)'"
finish
