#!/bin/bash
# static-tools/media.sh (issue 23, item 3): the responder's ISO 9660 image.
# Made twice from the same binary, key and commit: the same bytes. Mounted
# read-only: `sha256sum -c SHA256SUMS` passes inside, `minisign -V` checks
# the signature of SHA256SUMS with the team's public key (and refuses a
# changed SHA256SUMS), Rock Ridge keeps the names and the exec bits, Joliet
# is there, RESPONDER.txt names the binary's SHA-256; the irsnap on the
# disc runs: `selfcheck` says read-only (iso9660) and its SHA-256 is the
# one in SHA256SUMS, and a collection from it verifies.
. "$(dirname "$0")/lib.sh"
need_root "a loop mount of the ISO"
need xorriso; need minisign; need sha256sum
[ -e /dev/loop-control ] || skip "no loop devices"
M=$(cd "$(dirname "$0")/../../static-tools" && pwd)/media.sh
minisign -G -W -p "$T_DIR/team.pub" -s "$T_DIR/team.key" >/dev/null 2>&1 </dev/null ||
	{ fail "minisign -G"; finish; }
"$IRSNAP" keygen -o "$T_DIR/lab" >/dev/null 2>&1
mk() { "$M" -o "$1" --sign-key "$T_DIR/team.key" --x86_64 "$IRSNAP" --lab-pub "$T_DIR/lab.pub" \
	--recipient age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq9w8ms7; }
mk "$OUT/a.iso" >"$T_DIR/a.out" 2>&1
check "media.sh makes the ISO (exit $?)" [ -s "$OUT/a.iso" ]
cat "$T_DIR/a.out"
sleep 1.1   # a second later: any clock in it would show
mk "$OUT/b.iso" >/dev/null 2>&1
check "made again: the same bytes" cmp "$OUT/a.iso" "$OUT/b.iso"
mk "$OUT/a.iso" >"$T_DIR/again.out" 2>&1
check "an existing ISO is never replaced (exit 2)" grep -q "never replaced" "$T_DIR/again.out"
D=$T_DIR/iso
mkdir -p "$D"
fs=iso9660
if grep -qw iso9660 /proc/filesystems; then
	mount -o ro,loop "$OUT/a.iso" "$D" || { fail "mount the ISO"; finish; }
else
	# a kernel without ISO 9660 (this VM's): bsdtar reads the image (Rock
	# Ridge included) into a tmpfs that is then made read-only
	echo "SKIP part: this kernel cannot mount ISO 9660: the image is read by bsdtar into a read-only tmpfs"
	need bsdtar
	fs=tmpfs
	mount -t tmpfs irsnap-iso "$D" && bsdtar -xf "$OUT/a.iso" -C "$D" && mount -o remount,ro "$D" ||
		{ fail "read the ISO with bsdtar"; finish; }
fi
T_MOUNTS=("$D" "${T_MOUNTS[@]}")
check "sha256sum -c SHA256SUMS passes inside the mounted image" \
	bash -c "cd '$D' && sha256sum -c --strict --quiet SHA256SUMS"
check "minisign -V verifies SHA256SUMS with the team's key" \
	minisign -Vm "$D/SHA256SUMS" -x "$D/SHA256SUMS.minisig" -p "$T_DIR/team.pub" -q
cp "$D/SHA256SUMS" "$T_DIR/sums" && echo "0000  evil" >>"$T_DIR/sums"
check "... and refuses a changed SHA256SUMS" \
	bash -c "! minisign -Vm '$T_DIR/sums' -x '$D/SHA256SUMS.minisig' -p '$T_DIR/team.pub' -q 2>/dev/null"
check "Rock Ridge: names and the exec bit kept" bash -c "[ -x '$D/irsnap-x86_64' ] && [ -f '$D/man/irsnap-bundle.5' ]"
xorriso -indev "$OUT/a.iso" -toc >"$T_DIR/toc" 2>&1
check "Rock Ridge and Joliet are there (xorriso: $(grep -m1 'ISO offers' "$T_DIR/toc"))" \
	grep -q '^ISO offers *: Rock_Ridge Joliet' "$T_DIR/toc"
check "the man pages, the lab key and the recipient are on it" \
	bash -c "[ -f '$D/man/irsnap.1' ] && cmp -s '$D/lab/lab.pub' '$T_DIR/lab.pub' && grep -q '^age1' '$D/lab/age-recipients.txt'"
sum=$(sha256sum <"$IRSNAP" | cut -c1-64)
check "SHA256SUMS and RESPONDER.txt name the binary's SHA-256" \
	bash -c "grep -qx '$sum  irsnap-x86_64' '$D/SHA256SUMS' && grep -q '^$sum  irsnap-x86_64' '$D/RESPONDER.txt'"
"$D/irsnap-x86_64" selfcheck >"$T_DIR/self.out" 2>&1
cat "$T_DIR/self.out"
check "selfcheck from the disc: read-only, $fs" grep -q "^irsnap: selfcheck: media: read-only, $fs " "$T_DIR/self.out"
check "selfcheck: its SHA-256 is SHA256SUMS'" grep -q "^irsnap: selfcheck: binary $D/irsnap-x86_64, sha256 $sum, " "$T_DIR/self.out"
cp "$IRSNAP" "$OUT/irsnap-rw"
"$OUT/irsnap-rw" selfcheck >"$T_DIR/rw.out" 2>&1
rc=$?
check "selfcheck from a writable folder: exit 1 (got $rc)" [ "$rc" = 1 ]
check "... WRITABLE said, with the warning" \
	grep -q '^irsnap: selfcheck: media: WRITABLE, tmpfs .*WARNING: run irsnap from write-protected media' "$T_DIR/rw.out"
"$D/irsnap-x86_64" collect --profile minimal -o "$OUT/m.tar" "${OUT_FLAGS[@]}" 2>/dev/null
check "a collection from the disc verifies" verifies "$OUT/m.tar"
finish
