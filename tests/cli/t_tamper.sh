#!/bin/bash
# Tampering that `irsnap verify` must catch, each naming the member: a
# flipped byte in every member, a dropped member, an added member, an edited
# manifest, a signature by another key, duplicates, unsafe names, truncation.
. "$(dirname "$0")/lib.sh"
need tar; need openssl; need python3

collect b
[ "$RC" = 0 ] || { fail "collect failed ($RC)"; finish; }
extract b || { fail "cannot extract"; finish; }
ID=$(basename "$BDIR")
tar -tf "$OUT/b.tar" >"$OUT/list"

# verify_rejects DESC TAR PATTERN: exit 1 and a FAIL line matching PATTERN
verify_rejects() {
	"$IRSNAP" verify "$2" >"$OUT/vr.out" 2>&1
	local rc=$?
	if [ "$rc" = 0 ]; then fail "$1: verify accepted it"; return; fi
	if ! grep -q "^FAIL: .*$3" "$OUT/vr.out" && [ "$rc" != 3 ]; then
		fail "$1: no FAIL line matching '$3'"; cat "$OUT/vr.out"; return
	fi
	if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$OUT/vr.out"); then
		fail "$1: verify printed a raw control character"; return
	fi
	ok "$1"
}

# flip one byte in the data of every regular member, in place
python3 - "$OUT/b.tar" >"$OUT/offsets" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        if m.isfile() and m.size > 0:
            print(m.offset_data + m.size // 2, m.name)
PY
while read -r off name; do
	rel=${name#"$ID"/}
	cp "$OUT/b.tar" "$OUT/flip.tar"
	python3 -c "
import sys
f = open(sys.argv[1], 'r+b'); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
f.write(bytes([b[0] ^ 0x01])); f.close()" "$OUT/flip.tar" "$off"
	case $rel in
	MANIFEST.sha256|MANIFEST.sha256.sig) want="signature over MANIFEST.sha256 does not verify" ;;
	signer.pub.pem) want="signer.pub.pem\|signature over\|'signer.pub.pem'" ;;
	*) want="'$rel': SHA-256 does not match" ;;
	esac
	verify_rejects "flipped byte in $rel is caught" "$OUT/flip.tar" "$want"
done <"$OUT/offsets"
check "the byte flips covered every member ($(wc -l <"$OUT/offsets"))" [ "$(wc -l <"$OUT/offsets")" -ge 9 ]

# repack LISTFILE OUT: collect's own tar format (bundletar.py, the README's
# format written a second time), in the order of LISTFILE, so that what
# verify must catch is the content, not the headers
MTIME=$(python3 "$(dirname "$0")/bundletar.py" mtime "$OUT/b.tar")
repack() { python3 "$(dirname "$0")/bundletar.py" pack "$OUT/b.d" "$1" "$2" "$MTIME"; }

check "an untouched repack is the same bytes and still verifies (control)" bash -c "
	python3 '$(dirname "$0")/bundletar.py' pack '$OUT/b.d' '$OUT/list' '$OUT/same.tar' '$MTIME' &&
	cmp -s '$OUT/same.tar' '$OUT/b.tar' && '$IRSNAP' verify '$OUT/same.tar' >/dev/null"
tar -C "$OUT/b.d" --format=pax --no-recursion -cf "$OUT/gnu.tar" -T "$OUT/list"
verify_rejects "a GNU tar repack of the same files is not collect's tar" "$OUT/gnu.tar" \
	"header field\|pax key"

grep -v '/fs/etc/group$' "$OUT/list" >"$OUT/l.drop"
repack "$OUT/l.drop" "$OUT/drop.tar"
verify_rejects "a dropped member is caught" "$OUT/drop.tar" "'fs/etc/group': listed in the manifest but missing"

echo planted >"$BDIR/evil.txt"
{ grep -v 'MANIFEST' "$OUT/list"; echo "$ID/evil.txt"; grep 'MANIFEST' "$OUT/list"; } >"$OUT/l.add"
repack "$OUT/l.add" "$OUT/add.tar"
verify_rejects "an added member is caught" "$OUT/add.tar" "'evil.txt': member is not in the manifest"
{ cat "$OUT/list"; echo "$ID/evil.txt"; } >"$OUT/l.add2"
repack "$OUT/l.add2" "$OUT/add2.tar"
verify_rejects "a member appended after the signature is caught" "$OUT/add2.tar" "'evil.txt': member is not in the manifest"
rm "$BDIR/evil.txt"

# edit a file and its manifest line consistently: only the signature can tell
cp "$BDIR/MANIFEST.sha256" "$OUT/manifest.orig"; cp "$BDIR/fs/etc/group" "$OUT/group.orig"
echo "intruder:x:0:" >>"$BDIR/fs/etc/group"
new=$(sha256sum <"$BDIR/fs/etc/group" | cut -d' ' -f1)
sed -i "s|^[0-9a-f]\{64\}  fs/etc/group\$|$new  fs/etc/group|" "$BDIR/MANIFEST.sha256"
repack "$OUT/list" "$OUT/edit.tar"
verify_rejects "an edited manifest line is caught" "$OUT/edit.tar" "signature over MANIFEST.sha256 does not verify"

# ... re-signed by another key, with that key's signer.pub.pem
openssl genpkey -algorithm ed25519 -out "$T_DIR/other.key" 2>/dev/null
cp "$BDIR/signer.pub.pem" "$OUT/pub.orig"; cp "$BDIR/MANIFEST.sha256.sig" "$OUT/sig.orig"
openssl pkeyutl -sign -inkey "$T_DIR/other.key" -rawin -in "$BDIR/MANIFEST.sha256" -out "$BDIR/MANIFEST.sha256.sig"
openssl pkey -in "$T_DIR/other.key" -pubout -out "$BDIR/signer.pub.pem"
repack "$OUT/list" "$OUT/resign.tar"
fpr=$(errline b signer)
"$IRSNAP" verify "$OUT/resign.tar" --fingerprint "$fpr" >"$OUT/vr.out"
check "a re-signed bundle fails the original fingerprint" [ $? = 1 ]
check "... and says the fingerprint differs" grep -q "fingerprint is not the one expected" "$OUT/vr.out"
# signature by another key, original public key kept
cp "$OUT/pub.orig" "$BDIR/signer.pub.pem"
repack "$OUT/list" "$OUT/othersig.tar"
verify_rejects "a signature from another key is caught" "$OUT/othersig.tar" "signature over MANIFEST.sha256 does not verify"
cp "$OUT/manifest.orig" "$BDIR/MANIFEST.sha256"; cp "$OUT/group.orig" "$BDIR/fs/etc/group"
cp "$OUT/sig.orig" "$BDIR/MANIFEST.sha256.sig"

# duplicates and unsafe names
{ grep -v MANIFEST "$OUT/list"; echo "$ID/fs/etc/passwd"; grep MANIFEST "$OUT/list"; } >"$OUT/l.dup"
repack "$OUT/l.dup" "$OUT/dup.tar"
verify_rejects "a duplicate member is caught" "$OUT/dup.tar" "'$ID/fs/etc/passwd': duplicate member"
mkdir -p "$OUT/u" && cp "$OUT/b.tar" "$OUT/unsafe.tar"
printf 'x' >"$OUT/u/$(printf 'bad\033]0;owned\007name')"
tar -C "$OUT/u" --format=pax -rf "$OUT/unsafe.tar" . 2>/dev/null
verify_rejects "a member with control bytes in its name is caught, escaped" "$OUT/unsafe.tar" "unsafe member name"
cp "$OUT/b.tar" "$OUT/link.tar" && ln -s /etc/shadow "$OUT/u/lnk" && tar -C "$OUT/u" --format=pax -rf "$OUT/link.tar" lnk
verify_rejects "a symlink member is caught" "$OUT/link.tar" "not a regular file or directory"
cp "$OUT/b.tar" "$OUT/abs.tar" && tar --format=pax -P -rf "$OUT/abs.tar" "$OUT/u/lnk" 2>/dev/null
verify_rejects "an absolute member name is caught" "$OUT/abs.tar" "unsafe member\|not a regular file"

# truncation and garbage
head -c $(( $(stat -c %s "$OUT/b.tar") / 2 )) "$OUT/b.tar" >"$OUT/half.tar"
verify_rejects "a truncated bundle is rejected" "$OUT/half.tar" "truncated\|missing\|not the last"
head -c 4096 /dev/urandom >"$OUT/garbage.tar"
"$IRSNAP" verify "$OUT/garbage.tar" >/dev/null 2>&1
check "random bytes are not a bundle (exit 3)" [ $? = 3 ]
# messages that say what is wrong
"$IRSNAP" verify "$OUT/b.tar" --pubkey /dev/zero >"$OUT/m1.out" 2>&1
check "--pubkey /dev/zero is a usage error (2)" [ $? = 2 ]
check "... saying it is not a regular file, not 'Success'" \
	bash -c "grep -q 'not a regular file' '$OUT/m1.out' && ! grep -q Success '$OUT/m1.out'"
head -c 100000 /dev/zero >"$T_DIR/big.pem"
"$IRSNAP" verify "$OUT/b.tar" --pubkey "$T_DIR/big.pem" >"$OUT/m2.out" 2>&1
check "a 100 kB --pubkey is refused as too large for a key" grep -q "larger than" "$OUT/m2.out"
"$IRSNAP" verify "$OUT/garbage.tar" >"$OUT/m3.out" 2>&1
check "random bytes: 'not a tar archive', not an I/O error" \
	bash -c "grep -q 'not a tar archive' '$OUT/m3.out' && ! grep -q 'Input/output' '$OUT/m3.out'"
check "... and their SHA-256 and size are printed first all the same" \
	grep -q "bundle-sha256: $(sha256sum <"$OUT/garbage.tar" | cut -d' ' -f1)" "$OUT/m3.out"
"$IRSNAP" verify /dev/null >"$OUT/m4.out" 2>&1
rc=$?
check "a device is not a bundle (exit 3)" [ "$rc" = 3 ]
check "... and verify says so" grep -q 'not a regular file or a pipe' "$OUT/m4.out"
"$IRSNAP" verify - <"$OUT/b.tar" >"$OUT/m5.out" 2>&1
check "a bundle on stdin verifies" [ $? = 0 ]
finish
