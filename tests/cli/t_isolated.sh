#!/bin/bash
# The static binary runs from a read-only mount, and inside an otherwise
# empty root that has only /proc mounted, and still makes a verifiable bundle.
. "$(dirname "$0")/lib.sh"
need_static "only the static binary can run in an empty root"
need_root "bind mounts and chroot"
need unshare; need jq; need tar

# read-only media
RO=$T_DIR/media
mkdir -p "$RO" "$T_DIR/media-src"
cp "$IRSNAP" "$T_DIR/media-src/irsnap"
mount --bind "$T_DIR/media-src" "$RO" && T_MOUNTS+=("$RO") && mount -o remount,bind,ro "$RO" ||
	skip "cannot make a read-only bind mount here"
check "the media is read-only" bash -c "! touch '$RO/x' 2>/dev/null"
"$RO/irsnap" collect -o "$OUT/ro.tar" "${OUT_FLAGS[@]}" --profile minimal 2>"$OUT/ro.err"
check "collect from read-only media exits 0" [ $? = 0 ]
check "... and its bundle verifies" verifies "$OUT/ro.tar"

# an empty root with only /proc (and the output) mounted
R=$T_DIR/root
mkdir -p "$R"
mount -t tmpfs -o size=64m irsnap-root "$R" && T_MOUNTS+=("$R") || skip "cannot mount a tmpfs root"
mkdir -p "$R/proc" "$R/out" && cp "$IRSNAP" "$R/irsnap"
unshare --mount --pid --fork --mount-proc="$R/proc" chroot "$R" /irsnap collect -o /out/empty.tar \
	--allow-host-output --profile minimal 2>"$OUT/empty.err"
rc=$?
check "collect in an empty root exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
check "... and its bundle verifies" verifies "$R/out/empty.tar"
extract_empty() { mkdir -p "$OUT/e.d" && tar -xf "$R/out/empty.tar" -C "$OUT/e.d"; }
extract_empty
E=$(echo "$OUT/e.d"/irsnap-*)
check "... it records that /etc/passwd is absent" [ "$(jq -r 'select(.source == "/etc/passwd") | .status + " " + .error' "$E/index.jsonl")" = "error ENOENT" ]
check "... and still has host.json with the kernel release" [ "$(jq -r .kernel.release "$E/system/host.json")" = "$(uname -r)" ]

# a root without /proc mounted: irsnap mounts a procfs of its own there (in
# its own mount namespace) and reads the processes and sockets anyway
mkdir -p "$R/noproc-out" "$R/noproc-out2"
unshare --mount sh -c "umount -l '$R/proc' 2>/dev/null; chroot '$R' /irsnap collect \
	-o /noproc-out/np.tar --allow-host-output --profile minimal" 2>"$OUT/np.err"
rc=$?
check "collect in a root with an empty /proc exits 0 or 1 (got $rc)" [ "$rc" -le 1 ]
mkdir -p "$OUT/np.d" && tar -xf "$R/noproc-out/np.tar" -C "$OUT/np.d"
NP=$(echo "$OUT/np.d"/irsnap-*)
check "... run.json: a private procfs" jq -e '.views.proc | startswith("private")' "$NP/run.json"
check "... and the process table was read from it" [ -s "$NP/volatile/processes.jsonl" ]
# without the privilege to mount one (a user namespace that owns no pid
# namespace): the sockets and processes steps cannot read what they exist
# for, so the run cannot end complete (an error artifact each)
unshare --user --map-root-user --mount sh -c "chroot '$R' /irsnap collect \
	-o /noproc-out2/np.tar --allow-host-output --profile minimal" 2>"$OUT/np2.err"
rc=$?
check "collect without /proc and no right to mount one exits 1, not 0 (got $rc)" [ "$rc" = 1 ]
check "... status partial" grep -q "status: partial\|failed" "$OUT/np2.err"
mkdir -p "$OUT/np2.d" && tar -xf "$R/noproc-out2/np.tar" -C "$OUT/np2.d"
NP=$(echo "$OUT/np2.d"/irsnap-*)
check "... run.json says the host's view, and why" jq -e '.views.proc | startswith("host: no procfs of its own")' "$NP/run.json"
check "... an error artifact for the sockets step" \
	[ "$(jq -r 'select(.step == "sockets" and .source == "/proc") | .status' "$NP/index.jsonl")" = error ]
check "... and for the processes step" \
	[ "$(jq -r 'select(.step == "processes" and .source == "/proc") | .status' "$NP/index.jsonl")" = error ]

# homes in /etc/passwd longer than any fixed buffer: one whose first 4,095
# bytes name root's folder (a cut copy of it would collect root's files as
# evil's), one so long that "<home>/.profile" would be cut to the home
# itself (etc/secret); the accounts step looks at neither through a cut copy
mkdir -p "$R/etc" "$R/ho" "$R/root" && echo secret >"$R/etc/secret" && echo hist >"$R/root/.bash_history"
long1=/$(printf './%.0s' $(seq 2045))root/decoy
long2=/$(printf './%.0s' $(seq 2094))etc/secret
printf 'evil:x:1000:1000::%s:/bin/sh\nevil2:x:1001:1001::%s:/bin/sh\n' "$long1" "$long2" >"$R/etc/passwd"
printf 'profile acc\nstep accounts\n' >"$R/acc.profile"
unshare --mount --pid --fork --mount-proc="$R/proc" chroot "$R" /irsnap collect -o /ho/acc.tar \
	--allow-host-output --profile /acc.profile 2>"$OUT/acc.err"
mkdir -p "$OUT/acc.d" && tar -xf "$R/ho/acc.tar" -C "$OUT/acc.d"
A=$(echo "$OUT/acc.d"/irsnap-*)
check "root's files are collected as root's, not through a cut copy of a long home" \
	[ -z "$(jq -r 'select(.source != null and (.source | startswith("/./"))) | .source' "$A/index.jsonl")" ]
check "... and /root/.bash_history is there, once" \
	[ "$(jq -r 'select(.source == "/root/.bash_history") | .status' "$A/index.jsonl")" = ok ]
check "a home whose file paths would be cut: the work log says so" \
	grep -q "path too long, not looked at" "$A/acquisition.log"
finish
