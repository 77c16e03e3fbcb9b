#!/bin/bash
# Rewritten tars around a genuine manifest and signature (issue 11): each
# class is built from a fresh genuine bundle (tartricks.py); verify, pinned
# by the genuine fingerprint, must say INVALID and name the rule, and
# --sha256 of the paper log's line must reject it too. Then the other side:
# GNU tar, bsdtar and Python's tarfile extract the VALID bundle to exactly
# the signed members, and bundletar.py (the README's format written a
# second time) re-encodes it byte for byte, long names included.
. "$(dirname "$0")/lib.sh"
need tar; need python3; need openssl; need sha256sum; need bsdtar
HERE=$(cd "$(dirname "$0")" && pwd)

# host files whose names need the ustar prefix split and a pax path
SRC=$T_DIR/src
long150=$(printf 'L%.0s' $(seq 150))
dir120=$(printf 'd%.0s' $(seq 120))
mkdir -p "$SRC/$dir120" "$SRC/sub" &&
	echo split >"$SRC/$dir120/$(printf 'f%.0s' $(seq 60))" &&
	echo pax >"$SRC/sub/$long150" &&
	printf 'x%.0s' $(seq 700) >"$SRC/sub/odd-size" || { fail "cannot make the tree"; finish; }
cat >"$T_DIR/p.profile" <<EOF
profile tartricks
step host
step accounts
tree $SRC
EOF
collect b --profile "$T_DIR/p.profile"
[ "$RC" = 0 ] || { fail "collect failed ($RC)"; cat "$OUT/b.err"; finish; }
FPR=$(errline b signer)
SHA=$(errline b bundle-sha256)
BYTES=$(errline b bundle-bytes)

"$IRSNAP" verify "$OUT/b.tar" --fingerprint "$FPR" --sha256 "$SHA" >"$OUT/g.out" 2>&1
check "the genuine bundle is VALID, pinned and with --sha256" [ $? = 0 ]
check "verify prints the bundle's SHA-256 and size first" \
	grep -qx "  bundle-sha256: $SHA" <(sed -n 2p "$OUT/g.out")
check "... and its size, equal to collect's bundle-bytes and stat" \
	[ "$(sed -n 's/^  bundle-bytes: *//p' "$OUT/g.out")" = "$BYTES" -a "$BYTES" = "$(stat -c %s "$OUT/b.tar")" ]
UPPER=sha256:$(tr a-f A-F <<<"${FPR#sha256:}")
check "an upper-case fingerprint is the same fingerprint" \
	verifies "$OUT/b.tar" --fingerprint "$UPPER" --sha256 "${SHA^^}"

# the spec written twice: the same bytes
mkdir -p "$OUT/gx" && tar -xf "$OUT/b.tar" -C "$OUT/gx" && tar -tf "$OUT/b.tar" >"$OUT/list"
ID=$(head -n 1 "$OUT/list"); ID=${ID%/}
python3 "$HERE/bundletar.py" pack "$OUT/gx" "$OUT/list" "$OUT/re.tar" \
	"$(python3 "$HERE/bundletar.py" mtime "$OUT/b.tar")"
check "bundletar.py re-encodes the bundle byte for byte" cmp -s "$OUT/re.tar" "$OUT/b.tar"
check "the bundle has a member in a pax 'x' header (path)" grep -q "$long150" "$OUT/list"
check "... and one split into ustar prefix and name" \
	python3 -c "
import sys, tarfile
t = tarfile.open(sys.argv[1])
names = [m.name for m in t.getmembers()]
assert any(len(n) > 100 and n.endswith('f' * 60) for n in names), names" "$OUT/b.tar"

# every class of the examination, and more breaks of the subset
mkdir -p "$OUT/tricks" && python3 "$HERE/tartricks.py" "$OUT/b.tar" "$OUT/tricks" ||
	{ fail "tartricks.py failed"; finish; }
n=0
while read -r case rule; do
	n=$((n + 1))
	t=$OUT/tricks/$case.tar
	"$IRSNAP" verify "$t" --fingerprint "$FPR" >"$OUT/v.out" 2>&1
	rc=$?
	if [ "$rc" != 1 ]; then
		fail "$case: verify --fingerprint exit $rc, not 1 (INVALID)"; cat "$OUT/v.out"; continue
	fi
	if ! grep -q "^FAIL: .*$rule" "$OUT/v.out"; then
		fail "$case: no FAIL line naming the rule '$rule'"; cat "$OUT/v.out"; continue
	fi
	if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$OUT/v.out"); then
		fail "$case: verify printed a raw control byte"; continue
	fi
	"$IRSNAP" verify "$t" --sha256 "$SHA" >"$OUT/s.out" 2>&1
	rc=$?
	if [ "$rc" != 1 ] || ! grep -q "^FAIL: the bundle's SHA-256 is not the one expected" "$OUT/s.out"; then
		fail "$case: --sha256 of the paper log did not reject it (exit $rc)"; continue
	fi
	ok "$case: INVALID, naming '$rule'; --sha256 rejects it"
done <"$OUT/tricks/cases"
check "all $n classes were built" [ "$n" -ge 30 ]

# the attacks are real: GNU tar extracts what was not signed
mkdir -p "$OUT/x1" && tar -xf "$OUT/tricks/pax-size-dir.tar" -C "$OUT/x1" 2>/dev/null
check "pax-size-dir: GNU tar extracts the forged run.json (the attack is real)" \
	cmp -s "$OUT/x1/$ID/run.json" "$OUT/tricks/forged-run.json"
mkdir -p "$OUT/x2" && tar -xf "$OUT/tricks/dir-twin.tar" -C "$OUT/x2" 2>/dev/null
check "dir-twin: GNU tar replaces run.json with a directory (the attack is real)" \
	[ -d "$OUT/x2/$ID/run.json" ]
mkdir -p "$OUT/x3" && tar -xf "$OUT/tricks/mode-setuid.tar" -C "$OUT/x3" 2>/dev/null
check "mode-setuid: GNU tar extracts a setuid file (the attack is real)" \
	[ -n "$(find "$OUT/x3" -perm -4000 -type f)" ]

# a VALID bundle extracts, with each reader, to exactly the signed members
signed_tree() {   # signed_tree DIR: the extraction is the manifest, whole
	local d=$1/$ID
	[ -d "$d" ] &&
	(cd "$d" && sha256sum -c --strict --quiet MANIFEST.sha256) &&
	openssl pkeyutl -verify -pubin -inkey "$d/signer.pub.pem" -rawin \
		-in "$d/MANIFEST.sha256" -sigfile "$d/MANIFEST.sha256.sig" >/dev/null &&
	{ cut -c67- "$d/MANIFEST.sha256"; echo MANIFEST.sha256; echo MANIFEST.sha256.sig; } |
		LC_ALL=C sort >"$1.want" &&
	(cd "$d" && find . -type f -printf '%P\n') | LC_ALL=C sort >"$1.got" &&
	cmp -s "$1.want" "$1.got" &&
	[ -z "$(find "$1" ! -type f ! -type d)" ] &&
	[ -z "$(find "$d" -type f ! -perm 0444)" ] &&
	[ "$(find "$1" -mindepth 1 -maxdepth 1 | wc -l)" = 1 ]
}
mkdir -p "$OUT/e-gnu" "$OUT/e-bsd" "$OUT/e-py"
tar -xf "$OUT/b.tar" -C "$OUT/e-gnu" && check "GNU tar extracts exactly the signed members" signed_tree "$OUT/e-gnu"
bsdtar -xf "$OUT/b.tar" -C "$OUT/e-bsd" && check "bsdtar extracts exactly the signed members" signed_tree "$OUT/e-bsd"
python3 -c "
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    t.extractall(sys.argv[2])" "$OUT/b.tar" "$OUT/e-py" &&
	check "Python's tarfile extracts exactly the signed members" signed_tree "$OUT/e-py"
finish
