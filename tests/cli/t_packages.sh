#!/bin/bash
# The packages sources (issue 17, dpkg): in a private mount namespace, an
# overlay over /usr/bin takes four changes that never reach the host - a
# packaged binary replaced by another (jq by lsof's bytes), one whose mode
# changed (strace: dpkg records no mode, so nothing to say), one removed
# (lsof), one that a package names under the usr-merge alias (/bin/true,
# on disk at /usr/bin/true) - and an executable no package owns. In that
# same view irsnap's package-verify.jsonl equals what `dpkg -V` reports,
# record for record (so the untouched rest of the system verifies exactly
# as dpkg says), the changed binaries equal `debsums -c`'s, and the
# findings say high for the replaced code and medium for the stranger.
. "$(dirname "$0")/lib.sh"
need jq; need unshare; need dpkg; need debsums; need sha256sum
need_root "a private mount namespace with an overlay over /usr/bin"
[ -f /var/lib/dpkg/status ] || skip "not a Debian system (no /var/lib/dpkg/status)"
for f in /usr/bin/jq /usr/bin/strace /usr/bin/lsof /usr/bin/true; do
	[ -f "$f" ] || skip "needs $f"
done
O=$T_DIR/ov
mkdir -p "$O" && mount -t tmpfs irsnap-ov "$O" && T_MOUNTS+=("$O") && mkdir "$O/up" "$O/work" ||
	skip "cannot mount a tmpfs for the overlay"
printf 'profile pk\nstep packages-all\n' >"$T_DIR/p.profile"
LSOF_SHA=$(sha256sum </usr/bin/lsof | cut -d' ' -f1)
unshare --mount sh -c "mount --make-rprivate / &&
	mount -t overlay irsnap-usrbin -o lowerdir=/usr/bin,upperdir=$O/up,workdir=$O/work /usr/bin &&
	cp /usr/bin/lsof /usr/bin/jq && chmod 700 /usr/bin/strace && rm /usr/bin/lsof &&
	printf '#!/bin/sh\nexit 0\n' >/usr/bin/true && printf '#!/bin/sh\n' >/usr/bin/irsnap-planted &&
	chmod 755 /usr/bin/irsnap-planted &&
	{ dpkg -V >'$T_DIR/dpkg.txt' 2>'$T_DIR/dpkg.err'; debsums -c >'$T_DIR/debsums.txt' 2>'$T_DIR/debsums.err';
	  '$IRSNAP' collect -o '$OUT/a.tar' ${OUT_FLAGS[*]} --profile '$T_DIR/p.profile' 2>'$OUT/a.err'; }"
check "the collection ends well" grep -q '^irsnap: status: ' "$OUT/a.err"
check "the host's /usr/bin is untouched" [ -f /usr/bin/lsof ]
extract a || { fail "no bundle"; tail -n 5 "$OUT/a.err"; finish; }
V=$BDIR/system/package-verify.jsonl
# dpkg -V: "??5?????? c /etc/x" or "missing     /usr/y"
awk '{ k = ($1 == "missing") ? "missing" : (substr($1, 3, 1) == "5") ? "digest" : $1
	c = (NF == 3) ? "c" : "-"; print k, c, $NF }' "$T_DIR/dpkg.txt" | sort >"$T_DIR/want.dpkg"
# One known divergence, left out of the comparison and counted: a conffile
# that two packages list (fuse3's /etc/fuse.conf, and fuse's obsolete entry
# for it once fuse3 replaced fuse and fuse stayed in config-files). dpkg -V
# keeps, for the shared file, the digest of whichever package it visits
# first (pkg_conffiles_mark_old: "if (!namenode->oldhash)") and so may call
# a file changed that equals its installed owner's digest. irsnap checks it
# against the installed owner's; the file must really equal that digest.
python3 - "$T_DIR/want.dpkg" /var/lib/dpkg/status >"$T_DIR/want" 2>"$T_DIR/want.skipped" <<'PY'
import hashlib, sys
want, status = sys.argv[1], sys.argv[2]
owners = {}   # path -> [(package, state, md5, obsolete)]
pkg = state = None; in_cf = False
for line in open(status, encoding='utf-8', errors='replace'):
    if line.startswith('Package: '): pkg = line.split()[1]; in_cf = False
    elif line.startswith('Status: '): state = line.split()[-1]; in_cf = False
    elif line.startswith('Conffiles:'): in_cf = True
    elif in_cf and line.startswith(' /'):
        f = line.split()
        owners.setdefault(f[0], []).append((pkg, state, f[1], 'obsolete' in f[2:]))
    elif not line.startswith(' '): in_cf = False
for l in open(want):
    k, c, path = l.rstrip('\n').split(' ', 2)
    o = owners.get(path, [])
    live = [x for x in o if x[1] == 'installed' and not x[3]]
    try: md5 = hashlib.md5(open(path, 'rb').read()).hexdigest()
    except OSError: md5 = None
    if k == 'digest' and c == 'c' and len(o) > 1 and len(live) == 1 and live[0][2] == md5:
        print('left out (dpkg keeps another package\'s digest):', path, file=sys.stderr)
        continue
    print(l, end='')
PY
[ -s "$T_DIR/want.skipped" ] && cat "$T_DIR/want.skipped"
jq -r 'select(.kind != "unowned") | "\(.kind) \(if .conffile then "c" else "-" end) \(.path)"' \
	"$V" | sort >"$T_DIR/got"
check "package-verify.jsonl = dpkg -V, record for record ($(wc -l <"$T_DIR/want") records)" \
	test_cmp "$T_DIR/want" "$T_DIR/got"
check "... the replaced binary among them" grep -qx 'digest - /usr/bin/jq' "$T_DIR/got"
check "... the removed one" grep -qx 'missing - /usr/bin/lsof' "$T_DIR/got"
check "... the one under the usr-merge alias, by the package's name for it" grep -qx 'digest - /bin/true' "$T_DIR/got"
check "... and not the one whose mode changed (dpkg records no mode)" bash -c "! grep -q ' /usr/bin/strace\$' '$T_DIR/got'"
sed 's/^/ /' "$T_DIR/debsums.txt" | sort >"$T_DIR/ds.want"
jq -r 'select(.kind == "digest" and (.conffile | not)) | " \(.path)"' "$V" | sort >"$T_DIR/ds.got"
check "the changed files = debsums -c's" test_cmp "$T_DIR/ds.want" "$T_DIR/ds.got"
check "the replaced binary's record: expected and found MD5, the SHA-256 of what is there" [ "$(jq -r \
	'select(.path == "/usr/bin/jq") | "\(.package) \(.expected_digest | length) \(.found_digest | length) \(.found_sha256)"' \
	"$V")" = "jq 32 32 $LSOF_SHA" ]
check "the planted executable: unowned, with its SHA-256" [ "$(jq -r 'select(.kind == "unowned" and
	.path == "/usr/bin/irsnap-planted") | .found_sha256' "$V")" = "$(printf '#!/bin/sh\n' | sha256sum | cut -d' ' -f1)" ]
check "packages.jsonl: a record per stanza of the status file" [ "$(jq -s length \
	"$BDIR/system/packages.jsonl")" = "$(grep -c '^Package: ' /var/lib/dpkg/status)" ]
check "... jq's version as dpkg-query says it" [ "$(jq -r 'select(.name == "jq") | .version' \
	"$BDIR/system/packages.jsonl")" = "$(dpkg-query -W -f '${Version}' jq)" ]
check "the raw database is in the bundle" cmp -s "$BDIR/fs/var/lib/dpkg/status" /var/lib/dpkg/status
F=$BDIR/findings.jsonl
check "finding: the replaced binary, high, T1554" [ "$(jq -r 'select(.check == "package_file_modified" and
	.seen.path == "/usr/bin/jq") | "\(.severity) \(.technique)"' "$F")" = "high T1554" ]
check "finding: the planted executable, medium" [ "$(jq -r 'select(.check == "unowned_system_executable"
	and .seen.path == "/usr/bin/irsnap-planted") | .severity' "$F")" = medium ]
# the time budget: a second of it, and dpkg -V takes ten here
printf 'profile pk-budget\nbudget 1\nstep packages-all\n' >"$T_DIR/b.profile"
collect budget --profile "$T_DIR/b.profile"
extract budget || fail "no bundle under a budget"
check "a 1 s budget: the packages not verified are counted in the work log" \
	grep -q 'packages: .*; [1-9][0-9]* packages not verified: the time budget' "$BDIR/acquisition.log"
check "... run.json: partial, stopped by the time budget" [ "$(jq -r '"\(.status) \(.stopped_by)"' \
	"$BDIR/run.json")" = "partial time budget" ]
check "... no executable called unowned for a list left unread" [ "$(jq -s 'map(select(.kind == "unowned")) | length' \
	"$BDIR/system/package-verify.jsonl")" = 0 ]
check "... and the work log says why" grep -q 'unowned.*not looked for\|not looked for' "$BDIR/acquisition.log"
finish
