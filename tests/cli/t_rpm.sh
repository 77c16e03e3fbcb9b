#!/bin/bash
# The packages sources, rpm (issue 17): Debian's rpmbuild makes two small
# packages (a script, a SUID program, a library owned by nobody:nogroup, a
# config file, a doc, a symlink, a directory, a %ghost, a file both ship),
# `rpm --root` installs them into a test root with the SQLite rpmdb, and
# irsnap, pointed at that root by a profile's packages-root, must report
# exactly what `rpm -Va --root` reports: clean first, then after nine
# changes (content, mode, owner, link target, a removal, a FIFO over the
# SUID program, a SUID bit added, a shared file's time). Then the database
# itself is the enemy: committed rows still in the -wal file (a live
# writer holds it), a header blob cut short, a dirindex past the dirnames,
# a truncated file, a FIFO and a symlink in its place: each gives its
# clear record, nothing hangs, and the live database is never written.
. "$(dirname "$0")/lib.sh"
need jq; need rpm; need rpmbuild; need python3; need timeout; need sha256sum
need_root "rpm --root installs by chroot(2)"
python3 -c 'import sqlite3' 2>/dev/null || skip "needs python3's sqlite3"

B=$T_DIR/build
mkdir -p "$B/SPECS" "$T_DIR/root/etc"
cat >"$B/SPECS/a.spec" <<'SPEC'
Name: irsnap-a
Version: 1.0
Release: 1
Epoch: 2
Summary: irsnap test package a
License: MIT
BuildArch: noarch
%description
irsnap test package a
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc %{buildroot}/usr/share/doc/irsnap-a %{buildroot}/usr/lib/irsnap-a
printf '#!/bin/sh\necho a\n' >%{buildroot}/usr/bin/irsnap-a
printf '#!/bin/sh\necho a2\n' >%{buildroot}/usr/bin/irsnap-a2
printf 'key=1\n' >%{buildroot}/etc/irsnap-a.conf
printf 'read me\n' >%{buildroot}/usr/share/doc/irsnap-a/README
ln -s irsnap-a %{buildroot}/usr/bin/irsnap-a-link
printf 'data\n' >%{buildroot}/usr/lib/irsnap-a/data.bin
printf 'same\n' >%{buildroot}/usr/lib/irsnap-a/shared.txt
%files
%attr(0755,root,root) /usr/bin/irsnap-a
%attr(0755,root,root) /usr/bin/irsnap-a2
/usr/bin/irsnap-a-link
%config(noreplace) /etc/irsnap-a.conf
%doc /usr/share/doc/irsnap-a/README
%dir /usr/lib/irsnap-a
/usr/lib/irsnap-a/data.bin
/usr/lib/irsnap-a/shared.txt
%ghost /var/log/irsnap-a.log
SPEC
cat >"$B/SPECS/b.spec" <<'SPEC'
Name: irsnap-b
Version: 0.3
Release: 7
Summary: irsnap test package b
License: MIT
%description
irsnap test package b
%install
mkdir -p %{buildroot}/usr/sbin %{buildroot}/usr/lib64 %{buildroot}/usr/lib/irsnap-a
printf '#!/bin/sh\necho b\n' >%{buildroot}/usr/sbin/irsnap-b
printf 'ELF-ish\n' >%{buildroot}/usr/lib64/libirsnap-b.so.1
printf 'same\n' >%{buildroot}/usr/lib/irsnap-a/shared.txt
%files
%attr(4755,root,root) /usr/sbin/irsnap-b
%attr(0644,nobody,nogroup) /usr/lib64/libirsnap-b.so.1
/usr/lib/irsnap-a/shared.txt
SPEC
for s in a b; do
	rpmbuild --define "_topdir $B" -bb "$B/SPECS/$s.spec" >"$T_DIR/rpmbuild-$s.log" 2>&1 ||
		{ tail -n 20 "$T_DIR/rpmbuild-$s.log"; skip "rpmbuild cannot build a test package here"; }
done
ROOT=$T_DIR/root
printf 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
RPM=(rpm --root "$ROOT" --dbpath /var/lib/rpm)
"${RPM[@]}" --initdb && "${RPM[@]}" -i --nodeps --nosignature --force-debian "$B"/RPMS/*/*.rpm \
	>"$T_DIR/install.log" 2>&1 || { cat "$T_DIR/install.log"; skip "rpm cannot install into a test root"; }
DB=$ROOT/var/lib/rpm/rpmdb.sqlite
[ -f "$DB" ] || skip "rpm made no SQLite database (another backend?)"

# profile NAME ROOT [step]: a profile file pointing the packages source at ROOT
profile() { printf 'profile %s\npackages-root %s\nstep %s\n' "$1" "$2" "${3:-packages-all}" >"$T_DIR/$1.profile"; }
# rpmv NAME: irsnap's records of bundle NAME as rpm -V lines
rpmv() {
	jq -r 'select(.manager == "rpm") | (.rpm_flags[0:1] | if . == "" then " " else . end) as $c |
		if .kind == "missing" then "missing   \($c) \(.path)" else "\(.rpm_verify)  \($c) \(.path)" end' \
		"$BDIR/system/package-verify.jsonl" | sort
}
# logline NAME PATTERN: the work log has it
logline() { grep -q -- "$2" "$BDIR/acquisition.log"; }

profile live "$ROOT"
collect clean --profile "$T_DIR/live.profile"
extract clean || { fail "no bundle"; tail -n 5 "$OUT/clean.err"; finish; }
"${RPM[@]}" -Va | sort >"$T_DIR/clean.want"
rpmv >"$T_DIR/clean.got"
check "untouched: rpm -Va reports nothing, and irsnap neither" \
	bash -c "[ ! -s '$T_DIR/clean.want' ] && [ ! -s '$T_DIR/clean.got' ]"
"${RPM[@]}" -qa --qf '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH} %{INSTALLTIME} %{SHA256HEADER}\n' |
	sed 's/ [0-9a-f]*$//' | sort >"$T_DIR/qa.want"
jq -r 'select(.manager == "rpm") | "\(.name) \(.epoch // 0) \(.version) \(.release) \(.architecture) \(.install_time_epoch)"' \
	"$BDIR/system/packages.jsonl" | sort >"$T_DIR/qa.got"
check "packages.jsonl = rpm -qa: name, epoch, version, release, arch, install time" \
	test_cmp "$T_DIR/qa.want" "$T_DIR/qa.got"
check "... the file counts are the headers' (rpm -ql)" [ "$(jq -r 'select(.name == "irsnap-a") | .files' \
	"$BDIR/system/packages.jsonl")" = "$("${RPM[@]}" -ql irsnap-a | wc -l)" ]
check "... and the digest algorithm SHA256, as rpmbuild 4.18 makes it" [ "$(jq -r -s \
	'map(.digest_algorithm) | unique | join(",")' "$BDIR/system/packages.jsonl")" = SHA256 ]
check "the raw database is in the bundle, byte for byte" cmp -s "$BDIR/fs$DB" "$DB"

# nine changes
printf '#!/bin/sh\necho trojan\n' >"$ROOT/usr/bin/irsnap-a"   # times set: not the build's second
touch -d @1600000000 "$ROOT/usr/bin/irsnap-a"
chmod 4755 "$ROOT/usr/bin/irsnap-a2"
chmod 600 "$ROOT/usr/lib64/libirsnap-b.so.1"
rm "$ROOT/usr/share/doc/irsnap-a/README"
echo 'key=2' >>"$ROOT/etc/irsnap-a.conf" && touch -d @1600000000 "$ROOT/etc/irsnap-a.conf"
ln -sfn /bin/sh "$ROOT/usr/bin/irsnap-a-link"
chown 65534:65534 "$ROOT/usr/lib/irsnap-a/data.bin"
touch -d 2020-01-01 "$ROOT/usr/lib/irsnap-a/shared.txt"   # shared: rpm says nothing of its time
rm "$ROOT/usr/sbin/irsnap-b" && mkfifo "$ROOT/usr/sbin/irsnap-b"
chmod 700 "$ROOT/usr/lib/irsnap-a"
printf '#!/bin/sh\n' >"$ROOT/usr/bin/irsnap-planted" && chmod 755 "$ROOT/usr/bin/irsnap-planted"
DBSUM=$(sha256sum <"$DB")
collect changed --profile "$T_DIR/live.profile"
extract changed || { fail "no bundle"; tail -n 5 "$OUT/changed.err"; finish; }
"${RPM[@]}" -Va | sort >"$T_DIR/changed.want"
rpmv >"$T_DIR/changed.got"
check "changed: irsnap = rpm -Va, line for line ($(wc -l <"$T_DIR/changed.want") lines)" \
	test_cmp "$T_DIR/changed.want" "$T_DIR/changed.got"
check "... which has the content change, the FIFO and the missing doc" bash -c \
	"grep -qx 'S.5....T.    /usr/bin/irsnap-a' '$T_DIR/changed.got' &&
	 grep -qx '.M.......    /usr/sbin/irsnap-b' '$T_DIR/changed.got' &&
	 grep -qx 'missing   d /usr/share/doc/irsnap-a/README' '$T_DIR/changed.got'"
check "... the owners resolved in the root's passwd (nobody's library is not U or G)" \
	bash -c "grep -qx '.M.......    /usr/lib64/libirsnap-b.so.1' '$T_DIR/changed.got'"
check "... and the shared file's time is left out, as rpm does" \
	bash -c "! grep -q shared.txt '$T_DIR/changed.got'"
V=$BDIR/system/package-verify.jsonl
check "the trojaned script: SHA256 expected and found, and its SHA-256 now" [ "$(jq -r \
	'select(.path == "/usr/bin/irsnap-a") | "\(.kind) \(.digest_algorithm) \(.expected_digest | length) \(.found_sha256)"' \
	"$V")" = "digest SHA256 64 $(printf '#!/bin/sh\necho trojan\n' | sha256sum | cut -d' ' -f1)" ]
check "the planted executable: unowned under the root" [ "$(jq -r 'select(.kind == "unowned") | .path' "$V")" = \
	/usr/bin/irsnap-planted ]
F=$BDIR/findings.jsonl
sev() { jq -r --arg p "$1" 'select(.check == "package_file_modified" and .seen.path == $p) | "\(.severity) \(.technique)"' "$F"; }
check "finding: the trojaned script high T1554" [ "$(sev /usr/bin/irsnap-a)" = "high T1554" ]
check "finding: a FIFO over the SUID program high" [ "$(sev /usr/sbin/irsnap-b)" = "high T1554" ]
check "finding: a SUID bit the package did not set high T1548.001" [ "$(sev /usr/bin/irsnap-a2)" = "high T1548.001" ]
check "finding: the library's mode low" [ "$(sev /usr/lib64/libirsnap-b.so.1)" = "low T1554" ]
check "finding: the config file info" [ "$(jq -r 'select(.check == "package_conffile_changed") | .seen.path' "$F")" = \
	/etc/irsnap-a.conf ]
check "the database was not written (no checkpoint, no lock)" [ "$(sha256sum <"$DB")" = "$DBSUM" ]
profile triage "$ROOT" packages
collect tri --profile "$T_DIR/triage.profile"
extract tri || fail "no triage bundle"
check "the triage source checks only the system folders: not the doc, not /etc" [ "$(rpmv | awk '{print $NF}' | LC_ALL=C sort |
	tr '\n' ' ')" = "/usr/bin/irsnap-a /usr/bin/irsnap-a-link /usr/bin/irsnap-a2 /usr/lib/irsnap-a /usr/lib/irsnap-a/data.bin /usr/lib64/libirsnap-b.so.1 /usr/sbin/irsnap-b " ]

# the database as the enemy, each in a copy of the root
copyroot() { rm -rf "$T_DIR/$1" && cp -a "$ROOT" "$T_DIR/$1" && profile "$1" "$T_DIR/$1"; }
copyroot wal
python3 - "$T_DIR/wal/var/lib/rpm/rpmdb.sqlite" "$IRSNAP" "$OUT/wal.tar" "$T_DIR/wal.profile" \
	"$OUT/wal.err" "${OUT_FLAGS[@]}" <<'PY'
import sqlite3, subprocess, sys, hashlib
db, irsnap, out, prof, err = sys.argv[1:6]
con = sqlite3.connect(db)
con.execute("PRAGMA wal_autocheckpoint=0")
con.execute("DELETE FROM Packages WHERE hnum = (SELECT hnum FROM Packages ORDER BY hnum LIMIT 1)")
con.commit()
before = hashlib.sha256(open(db, "rb").read()).hexdigest()
wal = hashlib.sha256(open(db + "-wal", "rb").read()).hexdigest()
with open(err, "w") as e:
    subprocess.run([irsnap, "collect", "-o", out, "--profile", prof] + sys.argv[6:], stderr=e, timeout=120)
after = hashlib.sha256(open(db, "rb").read()).hexdigest()
wal2 = hashlib.sha256(open(db + "-wal", "rb").read()).hexdigest()
print("unchanged" if (before, wal) == (after, wal2) else "CHANGED")
con.close()
PY
extract wal || fail "no bundle with a live -wal"
check "a committed delete still in the -wal: irsnap sees it (one package, as rpm -qa)" [ "$(jq -s 'map(select(.manager == "rpm")) | length' \
	"$BDIR/system/packages.jsonl")" = "$(rpm --root "$T_DIR/wal" --dbpath /var/lib/rpm -qa | wc -l)" ]
check "... the WAL frames applied, said in the work log" logline wal 'rpmdb.sqlite.*WAL: [1-9][0-9]* valid frames, [1-9]'
check "... and the -wal copied raw" [ -s "$BDIR/fs$T_DIR/wal/var/lib/rpm/rpmdb.sqlite-wal" ]

copyroot blobs
python3 - "$T_DIR/blobs/var/lib/rpm/rpmdb.sqlite" <<'PY'
import sqlite3, struct, sys
con = sqlite3.connect(sys.argv[1])
rows = dict(con.execute("SELECT key, hnum FROM Name"))
def blob(h): return bytearray(con.execute("SELECT blob FROM Packages WHERE hnum=?", (h,)).fetchone()[0])
a = blob(rows["irsnap-a"])   # a dirindex past the dirnames
il = struct.unpack(">I", a[0:4])[0]
for i in range(il):
    tag, typ, off, cnt = struct.unpack(">IIII", a[8 + 16 * i:24 + 16 * i])
    if tag == 1116:
        a[8 + 16 * il + off:8 + 16 * il + off + 4] = struct.pack(">I", 999)
b = blob(rows["irsnap-b"])[:60]   # cut short
con.execute("UPDATE Packages SET blob=? WHERE hnum=?", (bytes(a), rows["irsnap-a"]))
con.execute("UPDATE Packages SET blob=? WHERE hnum=?", (bytes(b), rows["irsnap-b"]))
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
PY
timeout 120 "$IRSNAP" collect -o "$OUT/blobs.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/blobs.profile" 2>"$OUT/blobs.err"
extract blobs || fail "no bundle with hostile header blobs"
check "a blob cut short: its record says why" [ "$(jq -r 'select(.error) | .error' "$BDIR/system/packages.jsonl")" = \
	"a header that says $(python3 -c "import sqlite3,sys,struct; c=sqlite3.connect(sys.argv[1]); h=dict(c.execute('SELECT key,hnum FROM Name'))['irsnap-b']; b=c.execute('SELECT blob FROM Packages WHERE hnum=?',(h,)).fetchone()[0]; il,dl=struct.unpack('>II',b[:8]); print(f'{il} entries and {dl} data bytes in a blob of 60 bytes')" "$T_DIR/blobs/var/lib/rpm/rpmdb.sqlite")" ]
check "a dirindex past the dirnames: the package is listed, its files refused, said" \
	logline blobs 'rpm package irsnap-a (hnum [0-9]*): its file list: file 0 names dirname 999 of'
check "... and nothing verified from either" [ "$(jq -s 'map(select(.manager == "rpm")) | length' "$BDIR/system/package-verify.jsonl")" = 0 ]

copyroot dots
python3 - "$T_DIR/dots/var/lib/rpm/rpmdb.sqlite" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
h = dict(con.execute("SELECT key, hnum FROM Name"))["irsnap-a"]
b = con.execute("SELECT blob FROM Packages WHERE hnum=?", (h,)).fetchone()[0]
assert b.count(b"/usr/bin/\0") == 1
con.execute("UPDATE Packages SET blob=? WHERE hnum=?", (b.replace(b"/usr/bin/\0", b"/../../b/\0"), h))
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
PY
timeout 120 "$IRSNAP" collect -o "$OUT/dots.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/dots.profile" 2>"$OUT/dots.err"
extract dots || fail "no bundle with a '..' dirname"
check "a dirname with '..' (out of the root): each of its files refused and said" [ "$(jq -r \
	'select(.path | startswith("/../../b/")) | "\(.kind) \(.error)"' "$BDIR/system/package-verify.jsonl" | sort -u)" = \
	"unreadable a '..' in the path: not followed" ]

for bad in truncated fifo symlink; do
	copyroot "$bad"
	d=$T_DIR/$bad/var/lib/rpm/rpmdb.sqlite
	rm -f "$d-wal" "$d-shm"
	case $bad in
	truncated) truncate -s 5000 "$d" ;;
	fifo) rm "$d" && mkfifo "$d" ;;
	symlink) mv "$d" "$d.real" && ln -s rpmdb.sqlite.real "$d" ;;
	esac
	timeout 120 "$IRSNAP" collect -o "$OUT/$bad.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/$bad.profile" 2>"$OUT/$bad.err"
	rc=$?
	check "a $bad rpmdb: the collection ends (status $rc), sealed" [ "$rc" != 124 ]
	extract "$bad" || { fail "no bundle ($bad)"; continue; }
	msg=$(jq -r --arg s "$d" 'select(.source == $s and .status == "error") | .message' "$BDIR/index.jsonl")
	echo "     $bad: $msg"
	case $bad in
	truncated) check "... an error record: the image is not a database" grep -q 'rpm database' <<<"$msg" ;;
	fifo) check "... an error record: not a regular file, never opened" grep -q 'not a regular file: never opened' <<<"$msg" ;;
	symlink) check "... an error record: a link not followed" grep -q 'symbolic link: not followed' <<<"$msg" ;;
	esac
done
finish
