#!/bin/bash
# --compress zstd and gzip (issue 20, item 4): the stream compressed as it
# is written. The printed bundle-sha256 and bundle-bytes are the file's;
# GNU tar (--zstd, -z, and through `zstd -dc` / `gzip -dc`) and bsdtar
# extract it; the manifest and signature check with sha256sum and openssl;
# irsnap verify and report read it. Without --compress, the output's name
# decides (.tar.zst, .tzst zstd; .tar.gz, .tgz gzip; else none), and a
# --compress against the name is a usage error. A flipped byte inside the compressed
# stream, a cut, and bytes after its end make verify say INVALID.
. "$(dirname "$0")/lib.sh"
need tar; need bsdtar; need zstd; need gzip; need sha256sum; need openssl
collect plain
check "a plain bundle for comparison (exit $RC)" [ "$RC" -le 1 ]
for z in zstd gzip; do
	case $z in zstd) ext=tar.zst; tflag=--zstd; dec="zstd -dc" ;; gzip) ext=tar.gz; tflag=-z; dec="gzip -dc" ;; esac
	"$IRSNAP" collect --compress "$z" -o "$OUT/c.$ext" "${OUT_FLAGS[@]}" --profile "$FAST_PROFILE" \
		2>"$OUT/$z.err"
	rc=$?
	check "$z: collect exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
	F=$OUT/c.$ext
	check "$z: bundle-sha256 is the file's" \
		[ "$(sed -n 's/^irsnap: bundle-sha256: //p' "$OUT/$z.err")" = "$(sha256sum "$F" | cut -d' ' -f1)" ]
	check "$z: bundle-bytes is the file's size" \
		[ "$(sed -n 's/^irsnap: bundle-bytes: //p' "$OUT/$z.err")" = "$(stat -c %s "$F")" ]
	echo "$z: $(stat -c %s "$F") bytes against $(stat -c %s "$OUT/plain.tar") plain"
	check "$z: smaller than the plain bundle" [ "$(stat -c %s "$F")" -lt "$(stat -c %s "$OUT/plain.tar")" ]
	check "$z: irsnap verify says VALID" verifies "$F"
	check "$z: irsnap verify from stdin too" bash -c "'$IRSNAP' verify - <'$F' >/dev/null"
	check "$z: irsnap report reads it" bash -c "'$IRSNAP' report --text '$F' | grep -q '^verdict: *VALID'"
	D=$OUT/x.$z
	mkdir -p "$D/gnu" "$D/pipe" "$D/bsd"
	check "$z: GNU tar $tflag extracts it, no warning" \
		bash -c "tar $tflag -xf '$F' -C '$D/gnu' 2>'$D/gnu.err' && [ ! -s '$D/gnu.err' ]"
	check "$z: $dec | tar -x extracts it" bash -c "$dec '$F' | tar -xf - -C '$D/pipe'"
	check "$z: bsdtar extracts it" bsdtar -xf "$F" -C "$D/bsd"
	check "$z: the three extractions are the same" bash -c "diff -r '$D/gnu' '$D/pipe' && diff -r '$D/gnu' '$D/bsd'"
	check "$z: sha256sum -c --strict MANIFEST.sha256" \
		bash -c "cd '$D'/gnu/irsnap-* && sha256sum -c --strict --quiet MANIFEST.sha256"
	check "$z: openssl verifies the signature" bash -c "cd '$D'/gnu/irsnap-* && openssl pkeyutl -verify \
		-pubin -inkey signer.pub.pem -rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig | grep -qx 'Signature Verified Successfully'"
	# inside, a plain bundle: the tar subset byte for byte (two collections'
	# member lists differ with the host's processes: not compared)
	check "$z: decompressed, a plain bundle irsnap verify accepts" \
		bash -c "$dec '$F' >'$OUT/inner.tar' && '$IRSNAP' verify '$OUT/inner.tar' | grep -q '^result: VALID'"
	# hostile copies
	size=$(stat -c %s "$F")
	cp "$F" "$OUT/flip.$ext"
	python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0x10]))" "$OUT/flip.$ext" $((size / 2))
	"$IRSNAP" verify "$OUT/flip.$ext" >"$OUT/flip.out" 2>&1
	check "$z: a flipped byte in the middle: INVALID (exit 1, got $?)" grep -q '^result: INVALID' "$OUT/flip.out"
	head -c $((size - 100)) "$F" >"$OUT/cut.$ext"
	"$IRSNAP" verify "$OUT/cut.$ext" >"$OUT/cut.out" 2>&1
	check "$z: cut 100 bytes short: INVALID" grep -q '^result: INVALID' "$OUT/cut.out"
	{ cat "$F"; printf 'trailing'; } >"$OUT/tail.$ext"
	"$IRSNAP" verify "$OUT/tail.$ext" >"$OUT/tail.out" 2>&1
	# libarchive reads them as another frame, which does not decode
	check "$z: bytes after the stream: INVALID" grep -q '^result: INVALID' "$OUT/tail.out"
done
# no --compress: the output's name decides (stdout stays plain: t_output)
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }
check "a .tar name: plain (ustar at 257)" [ "$(dd if="$OUT/plain.tar" bs=1 skip=257 count=5 2>/dev/null)" = ustar ]
for n in d.tar.zst:28b52ffd d.tzst:28b52ffd d.tar.gz:1f8b d.tgz:1f8b; do
	f=${n%%:*} m=${n#*:}
	"$IRSNAP" collect -o "$OUT/$f" "${OUT_FLAGS[@]}" --profile "$FAST_PROFILE" 2>/dev/null
	rc=$?
	got=$(magic "$OUT/$f" | cut -c1-${#m})
	expect "-o $f without --compress: compressed by its name (exit $rc, magic $got)" \
		"[ '$rc' -le 1 ] && [ '$got' = '$m' ]"
	check "... and verify reads it" verifies "$OUT/$f"
done
if command -v age-keygen >/dev/null; then
	age-keygen -o "$OUT/id.txt" 2>/dev/null
	rcpt=$(age-keygen -y "$OUT/id.txt")
	"$IRSNAP" collect -o "$OUT/e.tar.zst.age" --encrypt-to "$rcpt" "${OUT_FLAGS[@]}" \
		--profile "$FAST_PROFILE" 2>/dev/null
	check "-o NAME.tar.zst.age: zstd inside the age stream" \
		bash -c "age -d -i '$OUT/id.txt' '$OUT/e.tar.zst.age' | od -An -tx1 -N4 | tr -d ' \n' | grep -qx 28b52ffd"
fi
"$IRSNAP" collect -o "$OUT/named.tar.zst" --compress none "${OUT_FLAGS[@]}" 2>"$OUT/named.err"
check "a .tar.zst name with --compress none: a usage error (exit 2, got $?)" \
	grep -q "named for zstd, but --compress says none" "$OUT/named.err"
check "... and no file made" [ ! -e "$OUT/named.tar.zst" ]
"$IRSNAP" collect -o "$OUT/named.tar.gz" --compress zstd "${OUT_FLAGS[@]}" 2>"$OUT/named2.err"
check "a .tar.gz name with --compress zstd: a usage error" grep -q "named for gzip, but --compress says zstd" "$OUT/named2.err"
"$IRSNAP" collect -o "$OUT/plain.tar.zst.age" "${OUT_FLAGS[@]}" 2>"$OUT/age.err"
check "a .age name without --encrypt-to: a usage error (exit $?)" \
	grep -q "named for age encryption, but no --encrypt-to was given" "$OUT/age.err"
check "... and no file made" [ ! -e "$OUT/plain.tar.zst.age" ]
"$IRSNAP" collect --compress lzip -o "$OUT/bad.tar" "${OUT_FLAGS[@]}" 2>"$OUT/bad.err"
check "--compress lzip: a usage error (exit 2, got $?)" grep -q -- "--compress takes zstd, gzip or none" "$OUT/bad.err"
check "... and no file made" [ ! -e "$OUT/bad.tar" ]
finish
