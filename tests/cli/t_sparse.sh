#!/bin/bash
# A sparse lastlog with entries for uid 0, 1000 and 4294967294 (AD and
# SSSD ranges: 1.25 TB into the file): lastlog.jsonl has all three, and
# the raw copy holds the data, not the holes (its extents in the index),
# so the bundle stays small; the extents rebuild the file exactly.
. "$(dirname "$0")/lib.sh"
need python3; need unshare; need jq
need_root "a private mount namespace with its own /var/log"
F=$T_DIR/f
mkdir -p "$F"
printf 'profile s\nstep logins\n' >"$T_DIR/s.profile"
unshare --mount sh -c "mount -t tmpfs irsnap-log /var/log && python3 - <<'PY'
import struct
f = open('/var/log/lastlog', 'wb')
for uid, t, line, host in ((0, 1700000000, b'pts/0', b'10.0.0.1'), (1000, 1700000100, b'pts/1', b'h2'),
                           (4294967294, 1700000200, b'pts/9', b'ad.example')):
    f.seek(uid * 292)
    f.write(struct.pack('<i32s256s', t, line, host))
f.close()
PY
	cp --sparse=always /var/log/lastlog '$F/lastlog.orig' 2>/dev/null
	'$IRSNAP' collect -o '$OUT/s.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/s.profile'" 2>"$OUT/s.err"
extract s || { fail "no bundle"; cat "$OUT/s.err"; finish; }
L=$BDIR/logins/lastlog.jsonl
expect "lastlog.jsonl has the entry of uid 4294967294" \
	'[ "$(jq -r "select(.uid == 4294967294) | .host" "$L")" = ad.example ]'
expect "... and those of uid 0 and 1000" '[ "$(jq -r .uid "$L" | sort -n | tr "\n" ,)" = "0,1000,4294967294," ]'
expect "the bundle stays small (the holes are not copied)" '[ "$(stat -c %s "$OUT/s.tar")" -lt 10000000 ]'
R=$(jq -c 'select(.source == "/var/log/lastlog" and .member != null)' "$BDIR/index.jsonl")
expect "the index says the copy is sparse, with its size" \
	'[ "$(jq -r .sparse.size <<<"$R")" = $((4294967295 * 292)) ]'
printf '%s\n' "$R" >"$T_DIR/r.json"
expect "the extents and the member rebuild the data of every entry" '
	python3 - "$BDIR/$(jq -r .member <<<"$R")" "$T_DIR/r.json" <<PY
import json, struct, sys
r = json.load(open(sys.argv[2])); data = open(sys.argv[1], "rb").read(); at = 0; found = {}
for off, ln in r["sparse"]["extents"]:
    chunk = data[at:at + ln]; at += ln
    for uid in (0, 1000, 4294967294):
        o = uid * 292 - off
        if 0 <= o and o + 292 <= ln:
            found[uid] = struct.unpack("<i32s256s", chunk[o:o + 292])[0]
assert at == len(data), (at, len(data))
assert found == {0: 1700000000, 1000: 1700000100, 4294967294: 1700000200}, found
PY'
# a file of 1 TiB of holes only (truncate): an empty member, the size and
# no extents in the index, and the run complete
truncate -s 1T "$T_DIR/hole" || skip "no sparse files here"
collect hole --file "$T_DIR/hole"
expect "a 1 TiB hole as --file: the run is complete" '[ "$RC" = 0 ]'
extract hole || { fail "no bundle"; finish; }
expect "... its record says sparse, 1 TiB, no extents, 0 bytes" \
	'[ "$(jq -c --arg s "$T_DIR/hole" "select(.source == \$s) | [.bytes, .sparse.size, (.sparse.extents | length)]" "$BDIR/index.jsonl")" = "[0,1099511627776,0]" ]'
expect "... and the bundle stays small" '[ "$(stat -c %s "$OUT/hole.tar")" -lt 20000000 ]'
finish
