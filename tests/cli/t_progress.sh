#!/bin/bash
# What the responder sees (issue 20, items 1, 2 and 6). Under a
# pseudo-terminal: the banner, then one status line rewritten in place
# ("[i/n] step — s — written — artifacts"), and a few lines besides the
# final block. Off a terminal: the banner and one line per step. --quiet:
# the final block only. --verbose: every work-log line. Then a collection
# interrupted (SIGINT) when its second step begins: run.json's `stopped`
# names the signal, the step under way and the steps never begun.
. "$(dirname "$0")/lib.sh"
need python3; need jq
printf 'profile p\nstep sessions\nstep host\nstep kernel\nstep system-files\n' >"$T_DIR/p.profile"
FINAL='^irsnap: (status|findings|bundle|bundle-sha256|bundle-bytes|manifest-sha256|signer):'

python3 - "$IRSNAP" "$OUT/tty.tar" "$T_DIR/p.profile" "${OUT_FLAGS[@]}" >"$T_DIR/tty.out" <<'PY'
import os, pty, sys
irsnap, out, prof = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(irsnap, [irsnap, 'collect', '-o', out, '--profile', prof] + sys.argv[4:])
buf = b''
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    buf += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(buf)
PY
check "under a terminal: the bundle is made" verifies "$OUT/tty.tar"
tr '\r' '\n' <"$T_DIR/tty.out" | grep -c '^\[[0-9]*/4\] ' >"$T_DIR/redraws"
check "under a terminal: the status line is drawn ($(cat "$T_DIR/redraws") times)" \
	[ "$(cat "$T_DIR/redraws")" -ge 4 ]
expect "under a terminal: the status line has its fields" \
	'tr "\r" "\n" <"$T_DIR/tty.out" | grep -qE "^\[[1-4]/4\] [a-z-]+ — [0-9.]+ s — [0-9.]+ [KMG]?i?B written — [0-9,]+ artifacts"'
# lines that end in a newline and are neither the banner nor the final block
others=$(sed 's/.*\r//' "$T_DIR/tty.out" | tr -d '\033' | grep -vE "$FINAL" |
	grep -vE '^irsnap: (irsnap [0-9]|host |time zone |user |profile |output |threads )' | grep -c .)
check "under a terminal: at most 3 other lines ($others)" [ "$others" -le 3 ]
check "under a terminal: the final block is intact" \
	[ "$(tr -d '\r' <"$T_DIR/tty.out" | sed 's/.*\x1b\[K//' | grep -cE "$FINAL")" -ge 6 ]
expect "the banner: the collector's SHA-256, the host, time zone, user, profile, output, threads" \
	'for k in "irsnap [0-9.]*, sha256 [0-9a-f]\{64\}" "host " "time zone " "user uid [0-9]*, euid [0-9]*; CapEff [0-9a-f]\{16\}" "profile p " "output " "threads "; do
	   grep -q "irsnap: $k" "$T_DIR/tty.out" || exit 1; done'

"$IRSNAP" collect -o "$OUT/lines.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/p.profile" 2>"$T_DIR/lines.err"
expect "off a terminal: one line per step, in order" \
	'[ "$(grep -oE "^irsnap: \[[0-9]+/4\] [a-z-]+" "$T_DIR/lines.err" | tr "\n" " ")" = "irsnap: [1/4] sessions irsnap: [2/4] host irsnap: [3/4] kernel irsnap: [4/4] system-files " ]'
check "off a terminal: no carriage return, no escape" bash -c "! grep -q \$'[\r\033]' '$T_DIR/lines.err'"
"$IRSNAP" collect -q -o "$OUT/quiet.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/p.profile" 2>"$T_DIR/quiet.err"
check "--quiet: the final block only" bash -c "[ \$(grep -cvE '$FINAL' '$T_DIR/quiet.err') = 0 ] && [ \$(grep -cE '$FINAL' '$T_DIR/quiet.err') -ge 6 ]"
"$IRSNAP" collect --verbose -o "$OUT/verbose.tar" "${OUT_FLAGS[@]}" --profile "$T_DIR/p.profile" 2>"$T_DIR/verbose.err"
extract verbose || fail "no verbose bundle"
expect "--verbose: the work log on stderr as it was written" \
	'grep -q "irsnap: .* step 3: step .kernel. begins" "$T_DIR/verbose.err" &&
	 [ "$(grep -c " +[0-9.]*  " "$T_DIR/verbose.err")" -ge "$(($(wc -l <"$BDIR/acquisition.log") - 5))" ]'
check "the banner is in the work log too" grep -q "banner: threads " "$BDIR/acquisition.log"

# interrupted when the second step (a timeline of /) begins
printf 'profile i\nstep sessions\ntimeline /\nstep host\nstep kernel\n' >"$T_DIR/i.profile"
python3 - "$IRSNAP" "$OUT/int.tar" "$T_DIR/i.profile" "${OUT_FLAGS[@]}" <<'PY' >"$T_DIR/int.out" 2>&1
import signal, subprocess, sys
irsnap, out, prof = sys.argv[1:4]
p = subprocess.Popen([irsnap, 'collect', '-o', out, '--profile', prof] + sys.argv[4:],
                     stderr=subprocess.PIPE)
for line in p.stderr:
    sys.stdout.buffer.write(line)
    if b'[2/4] timeline /' in line:
        p.send_signal(signal.SIGINT)
p.wait()
print('rc', p.returncode)
PY
check "interrupted: exit 1 (partial)" grep -qx 'rc 1' "$T_DIR/int.out"
check "interrupted: the signal is said above the status" grep -q 'irsnap: interrupted by signal 2' "$T_DIR/int.out"
extract int || { fail "no bundle after SIGINT"; finish; }
expect "run.json: stopped by a signal in step 2, timeline /, steps 3 and 4 never begun" \
	'[ "$(jq -c "[.stopped.by, .stopped.in_step, .stopped.step, .stopped.skipped.first, .stopped.skipped.count, .skipped_steps]" "$BDIR/run.json")" = "[\"signal\",2,\"timeline /\",3,2,2]" ]'
finish
