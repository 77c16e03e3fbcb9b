#!/bin/bash
# --encrypt-to (issue 20, item 5): the bundle stream, after --compress,
# encrypted in the age format to the lab's X25519 recipients. Against the
# age tool: `age -d -i` decrypts it into a bundle irsnap verify, tar and
# sha256sum -c accept, for each recipient; a flipped byte makes age fail and
# irsnap verify --identity say INVALID; without the identity verify says
# it is encrypted and still gives the file's SHA-256; a wrong identity is
# refused; nothing of the bundle shows in the ciphertext; memory stays
# bounded (a 64 MiB file costs no more than it does in the clear).
. "$(dirname "$0")/lib.sh"
need age; need age-keygen; need tar; need sha256sum; need zstd
[ -x /usr/bin/time ] || skip "needs /usr/bin/time"
age-keygen -o "$T_DIR/lab.key" 2>/dev/null && age-keygen -o "$T_DIR/lab2.key" 2>/dev/null &&
	age-keygen -o "$T_DIR/other.key" 2>/dev/null || skip "age-keygen failed"
PK=$(age-keygen -y "$T_DIR/lab.key"); PK2=$(age-keygen -y "$T_DIR/lab2.key")
printf '# the lab\n%s\n\n  %s  \n' "$PK" "$PK2" >"$T_DIR/recipients.txt"

"$IRSNAP" collect --encrypt-to "$PK" -o "$OUT/e.age" "${OUT_FLAGS[@]}" --profile "$FAST_PROFILE" 2>"$OUT/e.err"
check "collect --encrypt-to exits 0 or 1 (got $?)" [ -s "$OUT/e.age" ]
check "bundle-sha256 is the encrypted file's" \
	[ "$(sed -n 's/^irsnap: bundle-sha256: //p' "$OUT/e.err")" = "$(sha256sum "$OUT/e.age" | cut -d' ' -f1)" ]
check "bundle-bytes is its size" [ "$(sed -n 's/^irsnap: bundle-bytes: //p' "$OUT/e.err")" = "$(stat -c %s "$OUT/e.age")" ]
check "age -d -i decrypts it" bash -c "age -d -i '$T_DIR/lab.key' -o '$OUT/e.tar' '$OUT/e.age'"
check "the decrypted bundle verifies" verifies "$OUT/e.tar"
extract e || fail "the decrypted bundle does not extract"
check "sha256sum -c --strict MANIFEST.sha256 inside it" \
	bash -c "cd '$BDIR' && sha256sum -c --strict --quiet MANIFEST.sha256"
check "nothing of the bundle in the ciphertext" \
	bash -c "! grep -qa -e MANIFEST -e acquisition.log -e root:x: '$OUT/e.age'"
check "irsnap verify --identity reads it: VALID" \
	bash -c "'$IRSNAP' verify --identity '$T_DIR/lab.key' '$OUT/e.age' | grep -q '^result: VALID'"
check "... from stdin too" \
	bash -c "'$IRSNAP' verify --identity '$T_DIR/lab.key' - <'$OUT/e.age' | grep -q '^result: VALID'"
check "irsnap report --text --identity reads it" \
	bash -c "'$IRSNAP' report --text --identity '$T_DIR/lab.key' '$OUT/e.age' | grep -q '^verdict: *VALID'"
"$IRSNAP" verify "$OUT/e.age" >"$OUT/noid.out" 2>&1; rc=$?
check "without --identity: exit 3, saying it is encrypted (got $rc)" \
	bash -c "[ $rc = 3 ] && grep -q 'is encrypted (age)' '$OUT/noid.out'"
check "... and still the file's SHA-256 (the paper log's check needs no key)" \
	grep -q "bundle-sha256: $(sha256sum "$OUT/e.age" | cut -d' ' -f1)" "$OUT/noid.out"
"$IRSNAP" verify --identity "$T_DIR/other.key" "$OUT/e.age" >"$OUT/other.out" 2>&1; rc=$?
check "another identity: refused (exit 3, got $rc)" [ "$rc" = 3 ]

# compressed, then encrypted, to a file of two recipients
"$IRSNAP" collect --compress zstd --encrypt-to "$T_DIR/recipients.txt" -o "$OUT/z.age" "${OUT_FLAGS[@]}" \
	--profile "$FAST_PROFILE" 2>"$OUT/z.err"
for k in lab lab2; do
	check "zstd + two recipients: $k decrypts it, zstd -dc | tar -t lists it" \
		bash -c "age -d -i '$T_DIR/$k.key' '$OUT/z.age' | zstd -dc | tar -tf - | grep -q MANIFEST.sha256.sig"
done
check "zstd + two recipients: irsnap verify --identity says VALID" \
	bash -c "'$IRSNAP' verify --identity '$T_DIR/lab2.key' '$OUT/z.age' | grep -q '^result: VALID'"
size=$(stat -c %s "$OUT/z.age")
cp "$OUT/z.age" "$OUT/flip.age"
python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^1]))" "$OUT/flip.age" $((size / 2))
check "a flipped byte: age -d fails" bash -c "! age -d -i '$T_DIR/lab.key' '$OUT/flip.age' >/dev/null 2>&1"
check "a flipped byte: irsnap verify --identity says INVALID" \
	bash -c "'$IRSNAP' verify --identity '$T_DIR/lab.key' '$OUT/flip.age' | grep -q '^result: INVALID'"
head -c $((size - 20)) "$OUT/z.age" >"$OUT/cut.age"
check "cut short: INVALID" \
	bash -c "'$IRSNAP' verify --identity '$T_DIR/lab.key' '$OUT/cut.age' | grep -q '^result: INVALID'"

"$IRSNAP" collect --encrypt-to age1notakey -o "$OUT/bad.age" "${OUT_FLAGS[@]}" 2>"$OUT/bad.err"; rc=$?
check "a recipient that is no age key: usage error (exit 2, got $rc), no file" \
	bash -c "[ $rc = 2 ] && [ ! -e '$OUT/bad.age' ]"

# memory: a 64 MiB file, in the clear and encrypted
mkdir -p "$T_DIR/big" && head -c $((64 << 20)) /dev/urandom >"$T_DIR/big/f"
printf 'profile big\ntree %s max-file 1G\n' "$T_DIR/big" >"$T_DIR/big.profile"
/usr/bin/time -f %M -o "$T_DIR/plain.rss" "$IRSNAP" collect -q -o "$OUT/bp.tar" "${OUT_FLAGS[@]}" \
	--profile "$T_DIR/big.profile" 2>/dev/null
/usr/bin/time -f %M -o "$T_DIR/enc.rss" "$IRSNAP" collect -q --encrypt-to "$PK" -o "$OUT/be.age" \
	"${OUT_FLAGS[@]}" --profile "$T_DIR/big.profile" 2>/dev/null
echo "peak RSS: $(cat "$T_DIR/plain.rss") KiB in the clear, $(cat "$T_DIR/enc.rss") KiB encrypted"
check "encrypting costs no memory that grows with the size (under 8 MiB more)" \
	[ "$(cat "$T_DIR/enc.rss")" -lt $(($(cat "$T_DIR/plain.rss") + 8192)) ]
check "... and the 64 MiB file comes back whole" \
	bash -c "age -d -i '$T_DIR/lab.key' '$OUT/be.age' | tar -xOf - --wildcards '*/f' | cmp -s - '$T_DIR/big/f'"
finish
