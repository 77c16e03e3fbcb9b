#!/bin/bash
# collect --root (issue 22, item 1): a target's root tree read as if it
# were "/". The tree has its own passwd and group with other names, its own
# hostname and machine-id, a wtmp made by `utmpdump -r`, a dpkg database
# with a package whose file was changed, cron and systemd files, and
# hostile symlinks: etc/passwd.evil -> /etc/shadow, var/log/x ->
# ../../../../etc/shadow, and etc/escape -> (an absolute path of a file
# outside the tree). The triage profile over it: the records use the
# target's names, fs/etc/passwd is the target's, package-verify equals
# `dpkg --root=DIR -V`, the symlinks are recorded and no byte from outside
# the tree is collected; the steps that read the running system are
# skipped and say so; run.json records the target, its mount and a warning
# (the test's tmpfs is mounted read-write).
. "$(dirname "$0")/lib.sh"
need_root "chroot into the target"
need utmpdump; need jq; need dpkg; need python3
R=$OUT/target
mkdir -p "$R"/{etc/cron.d,etc/systemd/system,var/log,var/lib/dpkg/info,var/lib/dpkg/updates,usr/bin,root,home/tuser,tmp,proc}
printf 'root:x:0:0:Target Root:/root:/bin/bash\ntuser:x:4242:4242:Target User:/home/tuser:/bin/bash\nsvcx:x:999:999::/nonexistent:/usr/sbin/nologin\n' >"$R/etc/passwd"
printf 'root:x:0:\ntuser:x:4242:\nsvcx:x:999:\n' >"$R/etc/group"
printf 'root:*:19000:0:99999:7:::\ntuser:$6$x$y:19000:0:99999:7:::\nsvcx:!:19000::::::\n' >"$R/etc/shadow"
chmod 600 "$R/etc/shadow"
echo target-host >"$R/etc/hostname"
echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
utmpdump -r <"$(dirname "$0")/../fixtures/wtmp.txt" >"$R/var/log/wtmp" 2>/dev/null || { fail "utmpdump -r"; finish; }
echo '* * * * * root /tmp/.x/run' >"$R/etc/cron.d/evil"
printf '[Service]\nExecStart=/tmp/.x/run\n' >"$R/etc/systemd/system/evil.service"
# a target without merged /usr (Debian 10 and before): the packages' units
# under a /lib of its own
mkdir -p "$R/lib/systemd/system" && printf '[Service]\nExecStart=/lib/x\n' >"$R/lib/systemd/system/pkg.service"
# udev rules that run a program on a device event: a package's place and
# the administrator's
mkdir -p "$R/lib/udev/rules.d" "$R/etc/udev/rules.d" &&
	echo 'ACTION=="add", RUN+="/lib/x"' >"$R/lib/udev/rules.d/70-pkg.rules" &&
	echo 'ACTION=="add", SUBSYSTEM=="mem", RUN+="/tmp/.x/run"' >"$R/etc/udev/rules.d/99-evil.rules"
echo 'original' >"$R/usr/bin/tgt"
sum=$(md5sum <"$R/usr/bin/tgt" | cut -c1-32)
echo 'changed by the intruder' >"$R/usr/bin/tgt"
cat >"$R/var/lib/dpkg/status" <<EOF
Package: tgtpkg
Status: install ok installed
Priority: optional
Section: misc
Installed-Size: 1
Maintainer: Test <t@example.org>
Architecture: all
Version: 1.0
Description: the target's package

EOF
printf '/.\n/usr\n/usr/bin\n/usr/bin/tgt\n' >"$R/var/lib/dpkg/info/tgtpkg.list"
printf '%s  usr/bin/tgt\n' "$sum" >"$R/var/lib/dpkg/info/tgtpkg.md5sums"
: >"$R/var/lib/dpkg/available"
ln -s /etc/shadow "$R/etc/passwd.evil"
ln -s ../../../../etc/shadow "$R/var/log/x"
echo "outside the target: never collected $RANDOM$RANDOM" >"$T_DIR/outside.txt"
ln -s "$T_DIR/outside.txt" "$R/etc/escape"

"$IRSNAP" collect --root "$R" -o "$OUT/r.tar" --profile triage 2>"$OUT/r.err"
rc=$?
tail -n 8 "$OUT/r.err"
check "collect --root exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
check "... it warns that the target is mounted read-write" grep -q 'warning: --root: the target is mounted read-write' "$OUT/r.err"
extract r || { fail "no bundle"; finish; }
check "the bundle verifies" verifies "$OUT/r.tar"
RJ=$BDIR/run.json
expect "run.json: target_root with its path, mount, hostname and machine-id" \
	"jq -e --arg r '$R' '.target_root | .path == \$r and .read_write and .mount.fstype == \"tmpfs\" and .hostname == \"target-host\" and .machine_id == \"0123456789abcdef0123456789abcdef\"' '$RJ' >/dev/null"
expect "... the steps of the running system skipped, and named" \
	"jq -e '.target_root.skipped_steps | index(\"processes\") and index(\"sockets\") and index(\"kernel\") and index(\"mounts\") and index(\"host\")' '$RJ' >/dev/null"
check "the work log says why they were skipped" \
	grep -q "step 2 (step 'processes') skipped: it reads the running system, not the target root" "$BDIR/acquisition.log"
check "no volatile member" bash -c "[ ! -e '$BDIR/volatile/processes.jsonl' ] && [ ! -e '$BDIR/volatile/sockets.jsonl' ]"
expect "users.jsonl: the target's names, and only them" \
	"[ \"\$(jq -r .name '$BDIR/system/users.jsonl' | sort | tr '\n' ' ')\" = 'root svcx tuser ' ]"
check "fs/etc/passwd is the target's, byte for byte" cmp "$BDIR/fs/etc/passwd" "$R/etc/passwd"
check "fs/etc/hostname is the target's" grep -qx target-host "$BDIR/fs/etc/hostname"
check "fs/etc/shadow is the target's" cmp "$BDIR/fs/etc/shadow" "$R/etc/shadow"
check "the cron and systemd files are collected" \
	bash -c "cmp '$BDIR/fs/etc/cron.d/evil' '$R/etc/cron.d/evil' && cmp '$BDIR/fs/etc/systemd/system/evil.service' '$R/etc/systemd/system/evil.service'"
check "a target's own /lib/systemd/system (no merged /usr) is collected" \
	cmp "$BDIR/fs/lib/systemd/system/pkg.service" "$R/lib/systemd/system/pkg.service"
check "the target's udev rules are collected (/lib/udev/rules.d, /etc/udev/rules.d)" \
	bash -c "cmp '$BDIR/fs/lib/udev/rules.d/70-pkg.rules' '$R/lib/udev/rules.d/70-pkg.rules' &&
		 cmp '$BDIR/fs/etc/udev/rules.d/99-evil.rules' '$R/etc/udev/rules.d/99-evil.rules'"
rec() { jq -c --arg s "$1" 'select(.source == $s) | {kind, link_target, member}' "$BDIR/index.jsonl" | head -n 1; }
check "etc/passwd.evil: a symlink recorded, not followed ($(rec /etc/passwd.evil))" \
	[ "$(rec /etc/passwd.evil)" = '{"kind":"symlink","link_target":"/etc/shadow","member":null}' ]
check "etc/escape: a symlink recorded, not followed" \
	[ "$(rec /etc/escape)" = "{\"kind\":\"symlink\",\"link_target\":\"$T_DIR/outside.txt\",\"member\":null}" ]
# nothing from outside the tree: neither the outside file nor the
# running system's own passwd, shadow or hostname is any member's bytes
leak=
for f in "$T_DIR/outside.txt" /etc/passwd /etc/shadow /etc/hostname; do
	[ -f "$f" ] || continue
	h=$(sha256sum <"$f" | cut -c1-64)
	grep -q "^$h " "$BDIR/MANIFEST.sha256" && leak="$leak $f"
done
grep -rqF "outside the target" "$BDIR" && leak="$leak outside.txt-text"
check "no byte from outside the target is in the bundle${leak:+ (leaked:$leak)}" [ -z "$leak" ]
# logins: the target's wtmp, with its users
expect "logins/wtmp.jsonl: every record of the target's wtmp ($(utmpdump "$R/var/log/wtmp" 2>/dev/null | wc -l))" \
	"[ \"\$(jq -s 'length' '$BDIR/logins/wtmp.jsonl')\" = \"\$(utmpdump '$R/var/log/wtmp' 2>/dev/null | wc -l)\" ]"
# packages: as dpkg itself sees the target
dpkg --root="$R" -V >"$T_DIR/dpkg.txt" 2>"$T_DIR/dpkg.err"
cat "$T_DIR/dpkg.txt"
check "dpkg --root -V flags the changed file" grep -q '^??5?????? *\/usr\/bin\/tgt$' "$T_DIR/dpkg.txt"
expect "packages.jsonl: the target's package" \
	"jq -e 'select(.name == \"tgtpkg\") | .version == \"1.0\"' '$BDIR/system/packages.jsonl' >/dev/null"
expect "package-verify.jsonl flags /usr/bin/tgt as dpkg --root -V does (md5)" \
	"jq -e 'select(.path == \"/usr/bin/tgt\")' '$BDIR/system/package-verify.jsonl' | grep -q md5"

"$IRSNAP" report --text "$OUT/r.tar" >"$T_DIR/report.txt" 2>&1
check "report --text names the target and warns it was mounted read-write" \
	grep -q "^target:    $R (hostname target-host, machine-id 0123456789abcdef0123456789abcdef; tmpfs irsnap-test, rw,relatime); WARNING: mounted read-write while collected" "$T_DIR/report.txt"
"$IRSNAP" report -o "$T_DIR/report.html" "$OUT/r.tar" 2>/dev/null
check "the HTML report names the target root and warns" \
	bash -c "grep -q '<th>target root</th><td>$R</td>' '$T_DIR/report.html' && grep -q 'mounted read-write while collected' '$T_DIR/report.html'"
# the same tree as a file-system image mounted read-only (as a lab mounts
# a seized disk): no warning, read_write false, the same names
if command -v mkfs.ext4 >/dev/null && [ -e /dev/loop-control ]; then
	truncate -s 64M "$OUT/target.ext4" && mkfs.ext4 -q -d "$R" "$OUT/target.ext4" &&
		mkdir -p "$T_DIR/ro" && mount -o ro,noload,loop "$OUT/target.ext4" "$T_DIR/ro" &&
		T_MOUNTS=("$T_DIR/ro" "${T_MOUNTS[@]}") || fail "a read-only ext4 image of the tree"
	"$IRSNAP" collect --root "$T_DIR/ro" -o "$OUT/ro.tar" --profile triage 2>"$OUT/ro.err"
	check "a read-only ext4 image: collect --root exits 0 or 1 (got $?)" grep -q '^irsnap: status:' "$OUT/ro.err"
	check "... and no read-write warning" bash -c "! grep -q 'read-write' '$OUT/ro.err'"
	extract ro || { fail "no bundle"; finish; }
	expect "... run.json: ext4, read_write false, options ro" \
		"jq -e '.target_root | .read_write == false and .mount.fstype == \"ext4\" and (.mount.options | startswith(\"ro\"))' '$BDIR/run.json' >/dev/null"
	expect "... users.jsonl: the target's names" \
		"[ \"\$(jq -r .name '$BDIR/system/users.jsonl' | sort | tr '\n' ' ')\" = 'root svcx tuser ' ]"
fi
"$IRSNAP" collect --root relative/dir -o "$OUT/bad.tar" 2>"$OUT/bad.err"
check "--root with a relative path: usage error (exit $?)" grep -q -- "--root needs the absolute path" "$OUT/bad.err"
"$IRSNAP" collect --root "$T_DIR/none" -o "$OUT/none.tar" 2>"$OUT/none.err"
check "--root of a missing folder: usage error, nothing written (exit $?)" \
	bash -c "grep -q 'No such file or directory' '$OUT/none.err' && [ ! -e '$OUT/none.tar' ]"
finish
