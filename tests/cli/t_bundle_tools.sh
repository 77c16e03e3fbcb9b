#!/bin/bash
# A bundle opens with GNU tar and bsdtar, passes sha256sum -c --strict and
# openssl pkeyutl -verify, its printed hashes and fingerprint are what the
# stock tools compute, and its copies and stat records match the host.
. "$(dirname "$0")/lib.sh"
need tar; need bsdtar; need sha256sum; need openssl; need jq; need stat

T0=$(date -u +%s)
collect b --case "CASE-1" --examiner "A. Examiner" --note "tools test" --profile triage
check "collect exits 0 (got $RC)" [ "$RC" = 0 ]
if [ "$RC" != 0 ]; then   # say which artifacts were not ok
	mkdir -p "$OUT/diag" && tar -xf "$OUT/b.tar" -C "$OUT/diag" &&
		jq -c 'select(.status != "ok") | {step, source, status, message}' "$OUT"/diag/*/index.jsonl
fi
check "GNU tar lists the bundle without a warning" \
	bash -c "tar -tf '$OUT/b.tar' >'$OUT/gnu.lst' 2>'$OUT/gnu.err' && [ ! -s '$OUT/gnu.err' ]"
check "bsdtar lists the same members" \
	bash -c "bsdtar -tf '$OUT/b.tar' >'$OUT/bsd.lst' && cmp -s '$OUT/gnu.lst' '$OUT/bsd.lst'"
extract b || { fail "GNU tar cannot extract"; finish; }
for m in run.json acquisition.log index.jsonl signer.pub.pem MANIFEST.sha256 \
	MANIFEST.sha256.sig system/host.json fs/etc/passwd fs/etc/group; do
	check "member $m present" [ -f "$BDIR/$m" ]
done
check "sha256sum -c --strict MANIFEST.sha256 passes" \
	bash -c "cd '$BDIR' && sha256sum -c --strict --quiet MANIFEST.sha256"
check "openssl verifies the signature" bash -c "cd '$BDIR' && openssl pkeyutl -verify \
	-pubin -inkey signer.pub.pem -rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig \
	| grep -qx 'Signature Verified Successfully'"
fpr=sha256:$(openssl pkey -pubin -in "$BDIR/signer.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)
check "printed fingerprint = openssl's" [ "$(errline b signer)" = "$fpr" ]
check "run.json fingerprint = openssl's" [ "$(jq -r .signer.fingerprint "$BDIR/run.json")" = "$fpr" ]
check "printed bundle sha256 = sha256sum of the file" \
	[ "$(errline b bundle-sha256)" = "$(sha256sum <"$OUT/b.tar" | cut -d' ' -f1)" ]
check "printed manifest sha256 = sha256sum of MANIFEST.sha256" \
	[ "$(errline b manifest-sha256)" = "$(sha256sum <"$BDIR/MANIFEST.sha256" | cut -d' ' -f1)" ]
check "manifest is second to last, signature last" \
	bash -c "tail -n 2 '$OUT/gnu.lst' | sed 's|^[^/]*/||' | tr '\n' ' ' | grep -qx 'MANIFEST.sha256 MANIFEST.sha256.sig '"
check "every member but the two sealing ones is in the manifest" bash -c "
	cd '$BDIR' && find . -type f ! -name 'MANIFEST.sha256*' | sed 's|^\./||' | sort >'$OUT/files' &&
	cut -c67- MANIFEST.sha256 | sort >'$OUT/listed' && cmp -s '$OUT/files' '$OUT/listed'"
check "folder name is irsnap-<host>-<UTC time>" \
	bash -c "basename '$BDIR' | grep -Eq '^irsnap-[A-Za-z0-9._-]+-[0-9]{8}T[0-9]{6}Z$'"

# run.json
j() { jq -r "$1" "$BDIR/run.json"; }
check "run.json format" [ "$(j .format)" = "irsnap-bundle/3" ]
check "run.json case" [ "$(j '.case.id + "|" + .case.examiner + "|" + .case.note')" = "CASE-1|A. Examiner|tools test" ]
check "run.json status complete" [ "$(j .status)" = complete ]
check "run.json kernel release = uname -r" [ "$(j .host.kernel.release)" = "$(uname -r)" ]
check "run.json hostname = uname -n" [ "$(j .host.hostname)" = "$(uname -n)" ]
check "run.json boot_id = /proc" [ "$(j .host.boot_id)" = "$(cat /proc/sys/kernel/random/boot_id)" ]
check "run.json tool sha256 = sha256sum of the binary" \
	[ "$(j .tool.sha256)" = "$(sha256sum <"$IRSNAP" | cut -d' ' -f1)" ]
check "run.json argv is the command line" [ "$(j '.argv[1:4] | join(" ")')" = "collect -o $OUT/b.tar" ]
check "run.json names the profile" [ "$(j .profile)" = triage ]
check "run.json counts artifacts = index lines" \
	[ "$(j .counts.artifacts)" = "$(wc -l <"$BDIR/index.jsonl")" ]
check "times are RFC 3339 UTC with Z" bash -c "jq -r '.started_at, .finished_at, .clocks.start.realtime' '$BDIR/run.json' |
	grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' && exit 1 || exit 0"
check "clocks since boot are integer nanoseconds, boottime at least monotonic" jq -e '.clocks.start |
	(.monotonic_ns | type) == "number" and .monotonic_ns == (.monotonic_ns | floor) and
	.boottime_ns >= .monotonic_ns and (has("monotonic") | not)' "$BDIR/run.json" >/dev/null
awk -F: '{print $1 ":" $3 ":" $4}' /etc/passwd >"$T_DIR/pw.want"
jq -r '"\(.name):\(.uid):\(.gid)"' "$BDIR/system/users.jsonl" >"$T_DIR/pw.got"
check "users.jsonl: uid and gid numbers, as /etc/passwd has them" test_cmp "$T_DIR/pw.want" "$T_DIR/pw.got"
check "... numbers, not text" jq -e -s 'all(.[]; (.uid | type) == "number" and (.gid | type) == "number")' \
	"$BDIR/system/users.jsonl" >/dev/null
# the triage walks / and may take minutes on a busy machine: started_at
# is compared with the clock read just before it began
check "started_at is within a minute of date -u before the collection" bash -c "
	s=\$(date -u -d \"\$(jq -r .started_at '$BDIR/run.json')\" +%s) &&
	[ \$((s - $T0)) -ge -1 ] && [ \$((s - $T0)) -lt 60 ]"

# fs copies and their stat records
check "fs/etc/passwd is byte-identical to /etc/passwd" cmp -s "$BDIR/fs/etc/passwd" /etc/passwd
rec=$(jq -c 'select(.source == "/etc/passwd")' "$BDIR/index.jsonl")
check "index sha256 of /etc/passwd = sha256sum" \
	[ "$(jq -r .sha256 <<<"$rec")" = "$(sha256sum </etc/passwd | cut -d' ' -f1)" ]
check "index stat of /etc/passwd = stat(1)" [ "$(jq -r '.stat | "\(.ino) \(.size) \(.mode) \(.uid) \(.gid) \(.nlink)"' <<<"$rec")" = \
	"$(stat -c '%i %s %04a %u %g %h' /etc/passwd)" ]
check "index mtime of /etc/passwd = stat(1) to the nanosecond" [ "$(jq -r .stat.mtime <<<"$rec")" = \
	"$(TZ=UTC stat -c %y /etc/passwd | sed -E 's/^([0-9-]+) ([0-9:]+\.[0-9]+) \+0000$/\1T\2Z/')" ]
check "index dev of /etc/passwd = stat(1)" [ "$(jq -r .stat.dev <<<"$rec")" = \
	"$(stat -c '%Hd:%Ld' /etc/passwd)" ]
if [ -L /etc/os-release ]; then
	check "symlink /etc/os-release recorded with its target" [ \
		"$(jq -r 'select(.source == "/etc/os-release") | .kind + " " + .link_target' "$BDIR/index.jsonl")" = \
		"symlink $(readlink /etc/os-release)" ]
fi
check "host.json boot_time = btime of /proc/stat" [ "$(jq -r .boot_time_epoch "$BDIR/system/host.json")" = \
	"$(awk '/^btime/ {print $2}' /proc/stat)" ]
check "host.json machine_id = /etc/machine-id" [ "$(jq -r .machine_id "$BDIR/system/host.json")" = \
	"$(cat /etc/machine-id 2>/dev/null || echo null)" ]
check "every index line is JSON with the contract fields" bash -c "jq -e -s 'all(.[]; has(\"member\") and
	has(\"source\") and has(\"kind\") and has(\"step\") and has(\"started_at\") and has(\"finished_at\")
	and has(\"bytes\") and has(\"sha256\") and has(\"status\") and has(\"errno\") and has(\"truncated\")
	and has(\"original_size\") and has(\"stat\"))' '$BDIR/index.jsonl' >/dev/null"
check "every .json/.jsonl member is strict JSON, no key twice in an object" \
	python3 "$(dirname "$0")/jsonstrict.py" "$BDIR"
check "every archived index entry's sha256 is in the manifest" bash -c "
	jq -r 'select(.member != null) | .sha256 + \"  \" + .member' '$BDIR/index.jsonl' | sort >'$OUT/idx' &&
	sort '$BDIR/MANIFEST.sha256' | comm -23 '$OUT/idx' - | grep -q . && exit 1 || exit 0"
check "work log lines are '<UTC>  +<seconds>  <text>' in time order" bash -c "
	grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{18}Z  \+[0-9]+\.[0-9]{6}  .' '$BDIR/acquisition.log' && exit 1
	cut -d' ' -f1 '$BDIR/acquisition.log' | sort -c"
check "work log shows the lockdown" grep -q 'seccomp filter refuses execve' "$BDIR/acquisition.log"

# verify, with and without pinning
check "irsnap verify accepts the bundle" "$IRSNAP" verify "$OUT/b.tar" >"$OUT/v.out"
check "verify reports VALID" grep -q '^result: VALID' "$OUT/v.out"
check "verify --fingerprint (right) accepts" verifies "$OUT/b.tar" --fingerprint "$fpr"
other=sha256:$(printf '%064d' 0)
"$IRSNAP" verify "$OUT/b.tar" --fingerprint "$other" >"$OUT/v2.out"
check "verify --fingerprint (wrong) rejects with exit 1" [ $? = 1 ]
check "verify names the fingerprint problem" grep -q "fingerprint is not the one expected" "$OUT/v2.out"
check "verify reads a bundle from stdin" bash -c "'$IRSNAP' verify - <'$OUT/b.tar' >/dev/null"

# a lab key: keygen, collect --key, verify --pubkey
check "keygen writes a key pair" "$IRSNAP" keygen -o "$T_DIR/lab" >"$T_DIR/keygen.out"
check "keygen's private key is mode 0600" [ "$(stat -c %a "$T_DIR/lab.key")" = 600 ]
kfpr=sha256:$(openssl pkey -pubin -in "$T_DIR/lab.pub" -outform DER | sha256sum | cut -d' ' -f1)
check "keygen prints openssl's fingerprint" grep -qx "fingerprint: $kfpr" "$T_DIR/keygen.out"
check "keygen never replaces a key" bash -c "! '$IRSNAP' keygen -o '$T_DIR/lab' 2>/dev/null"
collect k --key "$T_DIR/lab.key"
check "collect --key exits 0" [ "$RC" = 0 ]
check "collect --key signs with the lab key" [ "$(errline k signer)" = "$kfpr" ]
check "verify --pubkey accepts" verifies "$OUT/k.tar" --pubkey "$T_DIR/lab.pub"
check "verify --pubkey of another key rejects" bash -c "! '$IRSNAP' verify '$OUT/b.tar' --pubkey '$T_DIR/lab.pub' >/dev/null"
extract k && check "run.json key_source file" [ "$(jq -r .signer.key_source "$BDIR/run.json")" = file ]
# the kernel's links (/proc/self, /proc/mounts) are read through our own
# pid's folder: never followed, never missing
check "system/proc/self/mountinfo is in the bundle, the mount table of /proc/self/mountinfo" \
	bash -c "[ -s '$BDIR/system/proc/self/mountinfo' ] && [ \"\$(head -n 1 '$BDIR/system/proc/self/mountinfo')\" = \"\$(head -n 1 /proc/self/mountinfo)\" ]"
check "system/proc/mounts is in the bundle" [ -s "$BDIR/system/proc/mounts" ]
finish
