#!/bin/bash
# Where the bundle goes: a full file system gives exit 3 and a clear message;
# "-o -" streams a tar; an existing file or a symlink is never replaced; an
# output on a file system holding evidence is refused without the flag.
. "$(dirname "$0")/lib.sh"
need tar

# stdout
"$IRSNAP" collect --profile "$FAST_PROFILE" -o - 2>"$OUT/stdout.err" | tar -tf - >"$OUT/stdout.lst"
st=("${PIPESTATUS[@]}")
check "-o - piped to tar -t: irsnap exits 0 (got ${st[0]})" [ "${st[0]}" = 0 ]
check "-o - piped to tar -t: tar exits 0" [ "${st[1]}" = 0 ]
check "-o - carries the sealing members" grep -q '/MANIFEST.sha256.sig$' "$OUT/stdout.lst"
check "-o - reports 'bundle: stdout'" grep -qx 'irsnap: bundle: stdout' "$OUT/stdout.err"
"$IRSNAP" collect --profile "$FAST_PROFILE" -o - >"$OUT/piped.tar" 2>/dev/null
check "a bundle from stdout verifies" verifies "$OUT/piped.tar"

# a reader that goes away: EPIPE, not a silent death by SIGPIPE. irsnap
# widens its stdout pipe to 1 MiB, so the bundle must be larger than that
# for the reader's close to be met (a small one may sit whole in the pipe)
head -c $((4 << 20)) /dev/urandom >"$T_DIR/big.bin"
printf 'profile pipe\nstep host\ncopy %s\n' "$T_DIR/big.bin" >"$T_DIR/pipe.profile"
"$IRSNAP" collect --profile "$T_DIR/pipe.profile" -o - 2>"$OUT/pipe.err" | head -c 1000 >/dev/null
st=("${PIPESTATUS[@]}")
check "stdout closed by its reader gives exit 3 (got ${st[0]})" [ "${st[0]}" = 3 ]
check "... and says so" grep -q "cannot write 'stdout': Broken pipe" "$OUT/pipe.err"

# never replace
echo precious >"$OUT/exists.tar"
"$IRSNAP" collect -o "$OUT/exists.tar" "${OUT_FLAGS[@]}" 2>"$OUT/exists.err"
check "an existing output file is refused with exit 2" [ $? = 2 ]
check "... and left untouched" [ "$(cat "$OUT/exists.tar")" = precious ]
check "... with a clear message" grep -q "cannot create '.*exists.tar': File exists" "$OUT/exists.err"
ln -s "$OUT/target" "$OUT/link.tar"
"$IRSNAP" collect -o "$OUT/link.tar" "${OUT_FLAGS[@]}" 2>/dev/null
check "a symlink as output is refused (exit 2, got $?)" [ $? = 2 ]
check "... and not followed" [ ! -e "$OUT/target" ]

# host output refusal (needs an output directory on the root file system)
mkdir -p "$T_DIR/onroot"
if [ "$(stat -c %d "$T_DIR/onroot")" = "$(stat -c %d /)" ] || [ "$(stat -c %d "$T_DIR/onroot")" = "$(stat -c %d /tmp)" ]; then
	"$IRSNAP" collect -o "$T_DIR/onroot/x.tar" 2>"$OUT/host.err"
	check "an output on an evidence file system is refused with exit 2" [ $? = 2 ]
	check "... nothing is created" [ ! -e "$T_DIR/onroot/x.tar" ]
	check "... and the message says why and what to do" grep -q "holds evidence.*--allow-host-output" "$OUT/host.err"
	"$IRSNAP" collect -o "$T_DIR/onroot/y.tar" --allow-host-output --profile "$FAST_PROFILE" 2>/dev/null
	check "--allow-host-output accepts it" [ $? = 0 ]
else
	echo "note: $T_DIR is not on / or /tmp; host-output refusal not exercised here"
fi

# a full output file system
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T_DIR/tiny"
	if mount -t tmpfs -o size=16k irsnap-tiny "$T_DIR/tiny"; then
		T_MOUNTS+=("$T_DIR/tiny")
		head -c 200000 /dev/urandom >"$T_DIR/big"
		timeout 60 "$IRSNAP" collect --profile "$FAST_PROFILE" -o "$T_DIR/tiny/full.tar" --file "$T_DIR/big" 2>"$OUT/full.err"
		rc=$?
		check "a full output file system gives exit 3 (got $rc)" [ "$rc" = 3 ]
		check "... with a message naming the path and the reason" \
			grep -q "cannot write '$T_DIR/tiny/full.tar': No space left on device" "$OUT/full.err"
		check "... and says the bundle is not evidence" grep -q "incomplete and unsealed" "$OUT/full.err"
		check "... and prints no bundle hash" bash -c "! grep -q 'bundle-sha256' '$OUT/full.err'"
		check "... and verify rejects what was written" bash -c "! '$IRSNAP' verify '$T_DIR/tiny/full.tar' >/dev/null 2>&1"
	else
		echo "note: cannot mount a tmpfs; full-disk case not exercised"
	fi
	# /dev/full as stdout: every write fails with ENOSPC
	"$IRSNAP" collect --profile "$FAST_PROFILE" -o - >/dev/full 2>"$OUT/devfull.err"
	check "stdout on /dev/full gives exit 3" [ $? = 3 ]
	check "... naming stdout" grep -q "cannot write 'stdout': No space left on device" "$OUT/devfull.err"
else
	echo "note: not root; full-disk cases not exercised"
fi
# an output that is gone is never reported complete
"$IRSNAP" collect --profile "$FAST_PROFILE" -o - >&- 2>"$OUT/closed.err"
check "-o - with stdout closed: refused (exit 2), nothing written to /dev/null" [ $? = 2 ]
check "... saying the bundle would be lost" grep -q "would be lost" "$OUT/closed.err"
"$IRSNAP" collect --profile "$FAST_PROFILE" -o - >/dev/null 2>"$OUT/null.err"
check "-o - to /dev/null: refused as well (exit 2)" [ $? = 2 ]
if [ "$(id -u)" = 0 ] && command -v strace >/dev/null; then
	# fsync is held 3 s (strace fault injection): meanwhile the output file
	# is removed, then its file system lazily unmounted
	for how in removed unmounted; do
		M=$T_DIR/gone-$how
		mkdir -p "$M" && mount -t tmpfs -o size=64m irsnap-gone "$M" || { fail "no tmpfs"; continue; }
		# (LeakSanitizer cannot run under ptrace: off for this run)
		ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=fsync \
			-e inject=fsync:delay_enter=3000000 \
			"$IRSNAP" collect --profile "$FAST_PROFILE" -o "$M/b.tar" 2>"$OUT/gone-$how.err" &
		pid=$!
		for _ in $(seq 1 100); do [ -e "$M/b.tar" ] && break; sleep 0.05; done
		sleep 1.5
		if [ "$how" = removed ]; then rm -f "$M/b.tar"; else umount -l "$M"; fi
		wait "$pid"
		rc=$?
		check "an output $how during the run: exit 3, not complete (got $rc)" [ "$rc" = 3 ]
		check "... and the message says where the bundle is not" \
			grep -q "exists nowhere\|no longer names the file written" "$OUT/gone-$how.err"
		check "... and no 'status: complete' line" bash -c "! grep -q 'status: complete' '$OUT/gone-$how.err'"
		umount -l "$M" 2>/dev/null
	done
else
	echo "note: needs root and strace; the removed and unmounted output cases not exercised"
fi
finish
