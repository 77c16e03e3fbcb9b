#!/bin/bash
# irsnap image (issue 22, item 2): a block device read whole into a signed
# bundle. A loop device over a test image with an MBR of two partitions:
# disk/loopN.raw equals the device byte for byte (sha256sum of it), MD5 and
# SHA-1 in the index equal md5sum's and sha1sum's, the .json names the
# kernel's partitions as sfdisk wrote them, the read was O_DIRECT and left
# the device's page cache empty (fincore; dd fills it). A disk with
# unreadable sectors: a FUSE file whose reads fail with EIO in two ranges
# (badfuse.py; this kernel may have no device-mapper for dmsetup's error
# target), read directly and through a loop device over it: the readable
# bytes exact, the bad ranges zero-filled and recorded exactly, exit 1, a
# sealed bundle that verifies. --compress zstd stores an empty disk in
# almost nothing. The device the output is on is refused.
. "$(dirname "$0")/lib.sh"
need_root "loop devices"
need losetup; need sfdisk; need blockdev; need jq; need md5sum; need sha1sum
[ -e /dev/loop-control ] || skip "no loop devices (/dev/loop-control)"
IMG=$OUT/disk.img
# 24 MiB: random bytes, then an MBR with two partitions
head -c $((24 << 20)) /dev/urandom >"$IMG"
printf 'label: dos\nstart=2048, size=8192, type=83\nstart=12288, size=20480, type=83\n' |
	sfdisk -q "$IMG" || { fail "sfdisk"; finish; }
L=$(losetup -f --show -P -r "$IMG") || { fail "losetup"; finish; }
on_exit "losetup -d $L"
blockdev --flushbufs "$L"
"$IRSNAP" image "$L" -o "$OUT/i.tar" "${OUT_FLAGS[@]}" 2>"$OUT/i.err"
check "image exits 0 (got $?)" grep -q '^irsnap: status: complete' "$OUT/i.err"
extract i || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/i.tar"
n=${L##*/}
RAW=$BDIR/disk/$n.raw
J=$BDIR/disk/$n.json
check "disk/$n.raw equals the device byte for byte" cmp "$RAW" "$L"
rec() { jq -r --arg m "disk/$n.raw" "select(.member == \$m) | .$1" "$BDIR/index.jsonl"; }
check "its SHA-256 (index, manifest) is sha256sum's" \
	[ "$(rec sha256)" = "$(sha256sum <"$L" | cut -c1-64)" ]
check "its MD5 in the index is md5sum's" [ "$(rec md5)" = "$(md5sum <"$L" | cut -c1-32)" ]
check "its SHA-1 in the index is sha1sum's" [ "$(rec sha1)" = "$(sha1sum <"$L" | cut -c1-40)" ]
expect "the .json: a block device of 24 MiB, 512-byte sectors, read-only, O_DIRECT" \
	"jq -e '.kind == \"block device\" and .bytes == $((24 << 20)) and .logical_sector == 512 and .read_only and .o_direct and .unreadable_bytes == 0' '$J' >/dev/null"
if [ -e "/sys/block/$n/${n}p1" ]; then
	expect "... its two partitions where sfdisk put them" \
		"[ \"\$(jq -r '[.partitions[] | \"\(.number):\(.start_sectors):\(.size_sectors)\"] | sort | join(\" \")' '$J')\" = '1:2048:8192 2:12288:20480' ]"
else
	echo "SKIP part: this kernel made no partitions of $L (no partition scan): sysfs has none to record"
fi
# the partition table from the disk's own bytes, against sfdisk -J
ptcmp() {   # ptcmp JSON SFDISK_JSON: the tables equal, entry for entry
	python3 - "$1" "$2" <<'PY'
import json, sys
mine = json.load(open(sys.argv[1]))['partition_table']
sf = json.load(open(sys.argv[2]))['partitiontable']
if sf['label'] == 'dos':
    a = [(p['start_lba'], p['sectors'], p['type'][2:]) for p in mine['mbr']]
    b = [(p['start'], p['size'], p['type']) for p in sf['partitions']]
else:
    g = mine['gpt']
    assert g['header_crc_ok'] and g['entries_crc_ok'], g
    a = [(p['first_lba'], p['last_lba'] - p['first_lba'] + 1, p['type_guid'], p['guid'],
          p.get('name', '')) for p in g['partitions']]
    b = [(p['start'], p['size'], p['type'], p['uuid'], p.get('name', '')) for p in sf['partitions']]
    assert g['disk_guid'] == sf['id'], (g['disk_guid'], sf['id'])
print('mine', a)
print('sfdisk', b)
sys.exit(0 if a == b and mine['scheme'] == ('mbr' if sf['label'] == 'dos' else 'gpt') else 1)
PY
}
sfdisk -J "$IMG" >"$T_DIR/sf.json"
check "the MBR read from the disk's bytes equals sfdisk -J" ptcmp "$J" "$T_DIR/sf.json"
expect "... and the loop's backing file" "jq -e --arg f '$IMG' '.sysfs.loop_backing_file == \$f' '$J' >/dev/null"
# the host's page cache: irsnap reads the device with O_DIRECT (strace
# shows the flag), so its bytes do not fill the cache as dd's do, where
# this kernel caches a loop device's reads at all (dd adds to the cache)
cached() { awk '/^(Buffers|Cached):/ { s += $2 } END { printf "%d\n", s * 1024 }' /proc/meminfo; }
if command -v strace >/dev/null; then
	strace -f -e trace=openat -o "$T_DIR/open.trace" "$IRSNAP" image "$L" -o "$OUT/s.tar" \
		"${OUT_FLAGS[@]}" -q 2>/dev/null
	check "strace: the device opened with O_DIRECT" grep -qE "\"$L\", O_RDONLY[A-Z_|]*O_DIRECT" "$T_DIR/open.trace"
fi
blockdev --flushbufs "$L"
c0=$(cached)
"$IRSNAP" image "$L" -o "$OUT/c.tar" "${OUT_FLAGS[@]}" -q 2>/dev/null
c1=$(cached)
dd if="$L" of=/dev/null bs=1M 2>/dev/null
c2=$(cached)
if [ $((c2 - c1)) -ge $((16 << 20)) ]; then
	expect "the page cache: irsnap added $((c1 - c0)) bytes, dd $((c2 - c1))" \
		"[ $((c1 - c0)) -lt $((8 << 20)) ]"
else
	echo "SKIP part: this kernel caches none of the loop device's reads (dd added $((c2 - c1)) bytes): the page cache cannot tell O_DIRECT here"
fi
blockdev --flushbufs "$L"

# a GPT disk, with a partition name that is no plain ASCII
head -c $((8 << 20)) /dev/zero >"$OUT/gpt.img"
printf 'label: gpt\nstart=2048, size=4096, name="EFI system é"\nstart=6144, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' |
	sfdisk -q "$OUT/gpt.img" || { fail "sfdisk gpt"; finish; }
"$IRSNAP" image "$OUT/gpt.img" -o "$OUT/g.tar" "${OUT_FLAGS[@]}" -q 2>/dev/null
extract g || { fail "no bundle"; finish; }
sfdisk -J "$OUT/gpt.img" >"$T_DIR/sfg.json"
check "the GPT read from an image file equals sfdisk -J (GUIDs, names, CRCs good)" \
	ptcmp "$BDIR/disk/gpt.img.json" "$T_DIR/sfg.json"

# compressed: an empty (zero) disk of 64 MiB
head -c $((64 << 20)) /dev/zero >"$OUT/zero.img"
Z=$(losetup -f --show -r "$OUT/zero.img") || { fail "losetup"; finish; }
on_exit "losetup -d $Z"
"$IRSNAP" image "$Z" -o "$OUT/z.tar.zst" "${OUT_FLAGS[@]}" 2>"$OUT/z.err"
zb=$(stat -c %s "$OUT/z.tar.zst")
check "an empty 64 MiB disk, zstd: $zb bytes" [ "$zb" -lt $((1 << 20)) ]
check "... and it verifies" verifies "$OUT/z.tar.zst"

# unreadable sectors
if [ -c /dev/fuse ] && /usr/bin/python3 -c 'import fusepy' 2>/dev/null; then
	head -c $((8 << 20)) /dev/urandom >"$OUT/back.img"
	mkdir -p "$T_DIR/fm"
	b1=$(((1 << 20) + 8192)) b2=$((5 << 20))
	/usr/bin/python3 "$(dirname "$0")/badfuse.py" "$OUT/back.img" "$T_DIR/fm" "$b1:12288" "$b2:4096" \
		2>"$T_DIR/fuse.err" &
	on_exit "umount -l '$T_DIR/fm'"
	for _ in $(seq 100); do [ -e "$T_DIR/fm/disk.img" ] && break; sleep 0.05; done
	python3 - "$OUT/back.img" "$OUT/want.img" "$b1:12288" "$b2:4096" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for r in sys.argv[3:]:
    o, n = map(int, r.split(':'))
    b[o:o + n] = bytes(n)
open(sys.argv[2], 'wb').write(b)
PY
	want="[{\"offset\":$b1,\"bytes\":12288},{\"offset\":$b2,\"bytes\":4096}]"
	B=$(losetup -f --show -r "$T_DIR/fm/disk.img") || { fail "losetup on FUSE"; finish; }
	on_exit "losetup -d $B"
	for src in "$T_DIR/fm/disk.img" "$B"; do
		k=$([ "$src" = "$B" ] && echo loop || echo file)
		"$IRSNAP" image "$src" -o "$OUT/bad-$k.tar" "${OUT_FLAGS[@]}" 2>"$OUT/bad-$k.err"
		rc=$?
		check "$k with unreadable sectors: exit 1, sealed (got $rc)" [ "$rc" = 1 ]
		check "... the status line says so" grep -q '^irsnap: status: partial (unreadable sectors zero-filled)' "$OUT/bad-$k.err"
		check "... the bundle verifies" verifies "$OUT/bad-$k.tar"
		extract "bad-$k" || { fail "no bundle"; continue; }
		raw=$(ls "$BDIR"/disk/*.raw)
		check "... readable bytes exact, unreadable ones zero" cmp "$raw" "$OUT/want.img"
		expect "... the two ranges recorded exactly" \
			"[ \"\$(jq -c '.unreadable' \"\${raw%.raw}.json\")\" = '$want' ]"
		expect "... run.json: partial, 16384 bytes unreadable" \
			"jq -e '.status == \"partial\" and .unreadable_bytes == 16384' '$BDIR/run.json' >/dev/null"
		expect "... the index: the disk artifact is partial" \
			"[ \"\$(jq -r 'select(.kind == \"disk\") | .status' '$BDIR/index.jsonl')\" = partial ]"
	done
else
	echo "SKIP part: no /dev/fuse or no python3-fusepy: unreadable sectors not shown"
fi

# the device the output is on
if command -v mkfs.ext4 >/dev/null; then
	head -c $((32 << 20)) /dev/zero >"$OUT/fs.img"
	mkfs.ext4 -q "$OUT/fs.img" && F=$(losetup -f --show "$OUT/fs.img") && on_exit "losetup -d $F" &&
		mkdir -p "$T_DIR/fsm" && mount "$F" "$T_DIR/fsm" && T_MOUNTS=("$T_DIR/fsm" "${T_MOUNTS[@]}")
	"$IRSNAP" image "$F" -o "$T_DIR/fsm/self.tar" --allow-host-output 2>"$OUT/self.err"
	rc=$?
	extract_to() { mkdir -p "$2" && tar -xf "$1" -C "$2"; }
	extract_to "$T_DIR/fsm/self.tar" "$T_DIR/self.d"
	check "imaging the device the bundle is on: refused, exit 1 (got $rc)" [ "$rc" = 1 ]
	expect "... the index says why, and no image member" \
		"jq -s -e '[.[] | select(.kind == \"disk\")] | length == 1 and (.[0] | .status == \"error\" and (.message | test(\"bundle is being written to this device\")) and .member == null)' '$T_DIR'/self.d/*/index.jsonl >/dev/null"
fi

# a FIFO named as the disk: recorded and never opened (an open would wait)
mkfifo "$T_DIR/fifo"
timeout 60 "$IRSNAP" image "$T_DIR/fifo" -o "$OUT/fifo.tar" "${OUT_FLAGS[@]}" 2>/dev/null
rc=$?
check "a FIFO as the disk: no hang, exit 1 (got $rc)" [ "$rc" = 1 ]
extract fifo && expect "... the index says it was not opened" \
	"jq -s -e '[.[] | select(.kind == \"disk\")] | length == 1 and (.[0] | .status == \"error\" and (.message | test(\"not opened\")))' '$BDIR/index.jsonl' >/dev/null"
"$IRSNAP" image dev/loop0 -o "$OUT/rel.tar" 2>"$OUT/rel.err"
check "a relative device path: usage error (exit $?)" grep -q "absolute path" "$OUT/rel.err"
"$IRSNAP" image "$L" --profile minimal -o "$OUT/p.tar" 2>"$OUT/p.err"
check "image with --profile: usage error" grep -q "image takes no --profile" "$OUT/p.err"
finish
